"""Sends to linked chats (groups and channels, negative ids) on the outbox worker's Bot (issue 14).

:class:`LinkedChatSends` is a request middleware of the worker's session that watches every send to
a negative chat id:

* **400 "group chat was upgraded to a supergroup chat"** (``parameters.migrate_to_chat_id``,
  aiogram's :class:`~aiogram.exceptions.TelegramMigrateToChat`): the link moves to the new id
  (:func:`bot.domain.reach.links.chat_migrated`) and the same request is sent once to the new id,
  so the message is not lost; later posts go to the new id.
* **403** (the bot was kicked or the chat is gone) and **400 "not enough rights" / "need
  administrator rights"**: the link is marked broken and its officer told in private
  (:func:`~bot.domain.reach.links.chat_lost`); the error goes on to the worker, which records the
  delivery as failed.

Pacing in groups (Telegram: about 20 messages a minute) is the send budget's
(:meth:`bot.send.budget.SendBudget.interval_for`).
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramMigrateToChat
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

from bot.db import Database
from bot.domain.reach import links

log = logging.getLogger(__name__)

RIGHTS_ERRORS = ("not enough rights", "need administrator rights", "chat_write_forbidden", "have no rights")
"""Bad Request descriptions that mean the bot may not post in the chat."""


class LinkedChatSends(BaseRequestMiddleware):
    """See the module docstring. ``install(worker)`` adds it to a delivery worker's session."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @classmethod
    def install(cls, worker: Any) -> None:
        """Add to ``worker.bot``'s session (a :class:`bot.delivery.worker.DeliveryWorker`)."""
        worker.bot.session.middleware(cls(worker.db))

    async def __call__(self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot,
                       method: TelegramMethod[TelegramType]) -> Response[TelegramType]:
        chat_id = getattr(method, "chat_id", None)
        if not isinstance(chat_id, int) or chat_id >= 0 or not type(method).__name__.startswith("Send"):
            return await make_request(bot, method)
        try:
            return await make_request(bot, method)
        except TelegramMigrateToChat as exc:
            log.info("chat %s became supergroup %s: link moved, message sent there", chat_id, exc.migrate_to_chat_id)
            await links.chat_migrated(self.db, chat_id, exc.migrate_to_chat_id)
            return await make_request(bot, method.model_copy(update={"chat_id": exc.migrate_to_chat_id}))
        except TelegramForbiddenError:
            await links.chat_lost(self.db, chat_id, "removed")
            raise
        except TelegramBadRequest as exc:
            if any(marker in exc.message.lower() for marker in RIGHTS_ERRORS):
                await links.chat_lost(self.db, chat_id, "rights")
            raise
