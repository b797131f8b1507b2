"""Surveys in the bot: residents' lists, ballots and results (``resident``), /verify (``verify``),
officers' management and residence codes (``officer``) with the /newsurvey wizard (``new``)."""

from __future__ import annotations

from aiogram import Router

import bot.ui.surveys  # noqa: F401  (registers the survey error explanations)


def build_router() -> Router:
    """A new router holding the survey routers (register before the fallback)."""
    from bot.handlers.surveys import officer, resident, verify

    router = Router(name="surveys_feature")
    router.include_routers(resident.build_router(), verify.build_router(), officer.build_router())
    return router
