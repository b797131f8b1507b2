"""Routers, thin: parse input, call one domain function, render the reply."""

from __future__ import annotations

from aiogram import Router

from bot.handlers import (
    announce,
    audit,
    fallback,
    hearings,
    officers,
    onboarding,
    plans,
    privacy,
    problems,
    reach,
    registry,
    surveys,
    system,
)


def build_routers() -> list[Router]:
    """Fresh routers in the order they must see updates (fallback last)."""
    return [reach.build_router(), system.build_router(), privacy.build_router(), audit.build_router(), onboarding.build_router(), officers.build_router(),
            registry.build_router(),
            *problems.build_routers(),
            surveys.build_router(),
            announce.build_router(),
            hearings.build_router(), plans.build_router(), fallback.build_router()]
