"""Routers, thin: parse input, call one domain function, render the reply."""

from __future__ import annotations

from aiogram import Router

from bot.handlers import fallback, officers, onboarding, system


def build_routers() -> list[Router]:
    """Fresh routers in the order they must see updates (fallback last)."""
    return [system.build_router(), onboarding.build_router(), officers.build_router(), fallback.build_router()]
