"""From priority to result (issue 15): residents' screens (:mod:`.resident`, the report wizard
:mod:`.report`) and officers' (:mod:`.officer`, wizards in :mod:`.officer_flows` and :mod:`.budget_flows`)."""

from __future__ import annotations

from aiogram import Router

import bot.ui.plans  # noqa: F401  (registers the explanations of the plans' errors)


def build_router() -> Router:
    """A new router holding the residents' router, then the officers' (register before the fallback)."""
    from bot.handlers.plans import officer, resident

    router = Router(name="plans_feature")
    router.include_routers(resident.build_router(), officer.build_router())
    return router
