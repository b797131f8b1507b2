"""Problems in the chat: residents' screens and cards (``resident``), raising a problem (``draft``, a
wizard), the officers' queue, card and export (``officer``) and their wizards — status with a
comment, reject with a reason, duplicate of a typed number, hide, reopen threshold
(``officer_flows``). Each module has its own ``build_router()``; :func:`build_routers` gives them in
the order they must see updates.
"""

from __future__ import annotations

from aiogram import Router

from bot.handlers.problems import draft, officer, officer_flows, resident
from bot.ui.problems import errors as _explanations  # noqa: F401  (registers the explanations)


def build_routers() -> list[Router]:
    """Fresh routers: the residents' handlers and draft, then the officers' handlers and wizards."""
    return [resident.build_router(), draft.build_router(), officer.build_router(), officer_flows.build_router()]


__all__ = ["build_routers", "draft", "officer", "officer_flows", "resident"]
