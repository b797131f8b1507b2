"""The registry of services: residents' screens and wizards (:mod:`.resident`, :mod:`.propose`,
:mod:`.rate`) and officers' (:mod:`.officer`, :mod:`.officer_flows`)."""

from __future__ import annotations

from aiogram import Router

import bot.ui.registry  # noqa: F401  (registers the explanations of the registry's errors)


def build_router() -> Router:
    """A new router holding the residents' router, then the officers' (register before the fallback)."""
    from bot.handlers.registry import officer, resident

    router = Router(name="registry_feature")
    router.include_routers(resident.build_router(), officer.build_router())
    return router
