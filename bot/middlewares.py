"""Update middlewares: private chats only, the resident loaded once, the locale chosen.

Order (outer middlewares on every event observer): :class:`ResidentMiddleware` drops events from
groups and channels (the bot stays quiet there), loads or creates the :class:`Resident` with one
query, picks the locale and opens aiogram's i18n context for the handler. Handlers receive
``resident``, ``locale``, ``is_superadmin`` in their keyword arguments.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.enums import ChatType
from aiogram.types import Chat, TelegramObject, User
from aiogram.utils.i18n import I18n, I18nMiddleware

from bot.config import Settings
from bot.db import Database
from bot.domain.residents import touch_resident
from bot.i18n import choose_locale

log = logging.getLogger(__name__)


class ResidentMiddleware(I18nMiddleware):
    """Loads the resident who sent the event and sets the locale for the handler.

    Events without a user (channel posts) or from a chat that is not private are dropped:
    resident flows run only in private chats. A ``my_chat_member`` update in a private chat
    is let through without creating a resident (it may announce that the person blocked the bot).
    """

    def __init__(self, i18n: I18n, db: Database, settings: Settings) -> None:
        super().__init__(i18n)
        self.db = db
        self.settings = settings

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        if user is None or user.is_bot:
            return None
        if chat is None or chat.type != ChatType.PRIVATE:
            return None  # the bot stays quiet in groups, supergroups, channels and inline mode
        if data.get("event_update") is not None and data["event_update"].my_chat_member is not None:
            data["resident"] = None
            data["locale"] = self.settings.default_locale
            data["is_superadmin"] = user.id in self.settings.superadmin_ids
            return await handler(event, data)
        resident = await touch_resident(
            self.db,
            user.id,
            first_name=user.first_name,
            last_name=user.last_name,
            username=user.username,
            language_code=user.language_code,
        )
        data["resident"] = resident
        data["is_superadmin"] = user.id in self.settings.superadmin_ids
        return await super().__call__(handler, event, data)

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        resident = data["resident"]
        locale = choose_locale(resident.locale, resident.language_code, self.settings.default_locale)
        data["locale"] = locale
        return locale


KEEPS_STEP = frozenset({"help", "cancel"})
"""Commands that leave the current step as it is: /help only informs; /cancel reports what it cancels."""


class CommandEndsStepMiddleware(BaseMiddleware):
    """A command typed in the middle of a multi-step flow leaves that step (README: commands work at
    any time), so the next ordinary text is not taken as the step's answer. The step's data (a draft)
    is kept; /help and /cancel are exempt (see :data:`KEEPS_STEP`)."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        text = getattr(event, "text", None)
        state = data.get("state")
        if text and text.startswith("/") and state is not None:
            command = text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower() if len(text) > 1 else ""
            if command not in KEEPS_STEP and await state.get_state() is not None:
                await state.set_state(None)
        return await handler(event, data)
