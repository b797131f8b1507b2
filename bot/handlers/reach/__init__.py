"""Reach: officers' alert settings and linked chats (issue 14).

- :mod:`.chats` — the bot in groups and channels: ``/link CODE``, ``/unlink``, codes posted in
  channels, the bot's membership, supergroup migration; silent otherwise (first of all routers);
- :mod:`.start` — deep links from posts (``/start r_…``), before onboarding;
- :mod:`.officer` — /alerts, /link, /reach for officers in the private chat.
"""

from __future__ import annotations

from aiogram import Router

import bot.ui.reach  # noqa: F401  (registers the explanations of this feature's errors)
from bot.handlers.reach import chats, officer, start


def build_router() -> Router:
    """A new router with reach's routers: chats first, then deep links, then the officers' commands."""
    router = Router(name="reach")
    router.include_routers(chats.build_router(), start.build_router(), officer.build_router())
    return router


__all__ = ["build_router"]
