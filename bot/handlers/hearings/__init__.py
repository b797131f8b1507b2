"""Public hearings: residents' buttons and question, officers' list and card, and the officers'
wizards on the kit.

- :mod:`.resident` — /hearings, the announcement's buttons, the question for a hearing;
- :mod:`.officer` — /hearing, a hearing's card, attendance, questions, /hearing_notice;
- :mod:`.new` — the new-hearing wizard (topic … preview → publish);
- :mod:`.edit` — changing the time, place or agenda, and cancelling with a reason;
- :mod:`.outcome` — publishing the outcome.
"""

from __future__ import annotations

from aiogram import Router

import bot.notices.hearings  # noqa: F401  (registers the renderers of this feature's notices)
import bot.ui.hearings  # noqa: F401  (registers the explanations of this feature's errors)
from bot.handlers.hearings import edit, new, officer, outcome, resident


def build_router() -> Router:
    """A new router with the hearing routers (a router attaches to one dispatcher only)."""
    router = Router(name="hearings")
    router.include_routers(resident.build_router(), officer.build_router(), new.build_router(),
                           edit.build_router(), outcome.build_router())
    return router


__all__ = ["build_router"]
