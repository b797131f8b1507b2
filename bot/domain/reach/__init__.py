"""Reach: officers alerted where they work, and announcements in the municipality's own Telegram
channel and village groups (issue 14).

- :mod:`.alerts` — officers' alerts per kind (at once / daily digest / off, quiet hours, urgent);
- :mod:`.links` — linking chats by one-time code, broken links, group → supergroup migration;
- :mod:`.posts` — posts to linked chats, deep links that onboard residents, reach figures.
"""

from __future__ import annotations

from bot.domain.reach.alerts import KINDS, MODES, SCHEDULER_JOBS, AlertPrefs, raise_alert
from bot.domain.reach.links import (
    BotNotAdmin,
    ChatNotLinked,
    LinkCode,
    LinkCodeInvalid,
    LinkedChat,
    chat_lost,
    chat_migrated,
    link_chat,
    new_code,
    unlink_chat,
)
from bot.domain.reach.posts import ChatFigures, DeepLink, chat_figures, parse_payload, post_to_public

__all__ = [
    "KINDS", "MODES", "SCHEDULER_JOBS", "AlertPrefs", "BotNotAdmin", "ChatFigures", "ChatNotLinked", "DeepLink",
    "LinkCode", "LinkCodeInvalid", "LinkedChat", "chat_figures", "chat_lost", "chat_migrated", "link_chat",
    "new_code", "parse_payload", "post_to_public", "raise_alert", "unlink_chat",
]
