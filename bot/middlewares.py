"""Update middlewares: private chats only, the resident loaded once, the locale chosen.

Order (outer middlewares on every event observer): :class:`ResidentMiddleware` drops events from
groups and channels (the bot stays quiet there), loads or creates the :class:`Resident` with one
query, picks the locale and opens aiogram's i18n context for the handler. Handlers receive
``resident``, ``locale``, ``is_superadmin`` in their keyword arguments.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager
from typing import Any

from aiogram import BaseMiddleware, Router
from aiogram.enums import ChatType
from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey
from aiogram.types import Chat, TelegramObject, User

from bot.config import Settings
from bot.db import Database
from bot.domain.residents import Resident, get_resident, touch_resident
from bot.i18n import choose_locale, use_locale
from bot.ui.commands import command_in

log = logging.getLogger(__name__)


def linking_event(data: dict[str, Any]) -> bool:
    """The few updates from groups and channels the bot acts on (issue 14, linked chats): its own
    membership (``my_chat_member``), channel posts (a link code), ``/link`` and ``/unlink`` in a
    group, and the service message of a group that became a supergroup. Everything else there is
    dropped before any router."""
    update = data.get("event_update")
    if update is None:
        return False
    if update.my_chat_member is not None or update.channel_post is not None:
        return True
    message = update.message
    if message is None:
        return False
    if message.migrate_to_chat_id or message.migrate_from_chat_id:
        return True
    return command_in(message.text) in ("link", "unlink")


class ResidentMiddleware(BaseMiddleware):
    """Loads the resident who sent the event and sets the locale for the handler.

    Events without a user (channel posts) or from a chat that is not private are dropped:
    resident flows run only in private chats. A ``my_chat_member`` update in a private chat
    is let through without creating a resident (it may announce that the person blocked the bot).
    """

    def __init__(self, db: Database, settings: Settings) -> None:
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
        if chat is not None and chat.type != ChatType.PRIVATE and linking_event(data):
            data.update(resident=None, locale=self.settings.default_locale, is_superadmin=False)
            return await handler(event, data)  # bot.handlers.reach.chats takes it (and only it)
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
        locale = choose_locale(resident.locale, resident.language_code, self.settings.default_locale)
        data["locale"] = locale
        with use_locale(locale):
            result = await handler(event, data)
        await self._follow_language(data, resident)
        return result

    async def _follow_language(self, data: dict[str, Any], before: Resident) -> None:
        """When the handler changed the resident's chosen language (any path: /language, onboarding, a
        deep link), the chat's command menu follows it (bot.ui.commands; the resident cache makes the
        check free)."""
        after = await get_resident(self.db, before.telegram_id)
        bot = data.get("bot")
        if after is None or after.locale is None or after.locale == before.locale or bot is None:
            return
        from bot.ui.commands import publish_for_chat

        await publish_for_chat(bot, after.telegram_id, after.locale)

    def setup(self, router: Router) -> None:
        """Register as an outer middleware on every event observer of ``router`` except ``update``."""
        for name, observer in router.observers.items():
            if name in {"update", "error"}:
                continue
            observer.outer_middleware(self)


class ChatEventIsolation(BaseEventIsolation):
    """One update at a time per chat and user (aiogram's ``SimpleEventIsolation``), with each lock
    dropped when nobody holds or waits for it: aiogram's keeps every lock forever, which for hundreds
    of thousands of residents would grow without bound. Two taps on one button never run at once."""

    def __init__(self) -> None:
        self._locks: dict[Hashable, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            entry = self._locks.get(key)
            if entry is not None:  # absent after close() at shutdown
                if entry[1] <= 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (entry[0], entry[1] - 1)

    async def close(self) -> None:
        self._locks.clear()
