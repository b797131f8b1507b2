"""The send path of the application's Bot: every request that sends to a chat takes the shared
:class:`~bot.send.budget.SendBudget`, and a 429 is waited out with jitter so a reply to a person
who is waiting is not dropped.

aiogram runs session request middlewares around every API call of a Bot
(``bot.session.middleware(...)``); they see the method and the Bot, not the update, so the update
being handled is taken from :data:`current_update_id`, set by :class:`UpdateContextMiddleware`
(an outer ``update`` middleware of the Dispatcher).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiogram.types import TelegramObject, Update

from bot.send.budget import SendBudget

log = logging.getLogger(__name__)

REPLY_DEADLINE = 60.0
"""Seconds a direct reply keeps retrying 429s (from its first attempt) before the error goes to
the handler; a ``retry_after`` that would end past it is not waited for."""
JITTER = 0.5
"""Most seconds added at random to ``retry_after`` (plus a tenth of it) after a global flood, so
requests refused together do not come back together (after a chat's own flood: at most 0.2 s)."""

MESSAGE_METHODS = frozenset({
    "sendMessage", "sendPhoto", "sendDocument", "sendVideo", "sendAudio", "sendAnimation", "sendVoice",
    "sendVideoNote", "sendSticker", "sendLocation", "sendVenue", "sendContact", "sendPoll", "sendDice",
    "sendMediaGroup", "sendPaidMedia", "sendInvoice", "copyMessage", "copyMessages", "forwardMessage",
    "forwardMessages",
})
"""Bot API methods that create a message in a chat: counted globally and per chat."""

current_update_id: contextvars.ContextVar[int | None] = contextvars.ContextVar("current_update_id", default=None)
"""The ``update_id`` being handled in this task (``None`` outside a handler)."""
current_chat_id: contextvars.ContextVar[int | None] = contextvars.ContextVar("current_chat_id", default=None)
"""The chat of the update being handled (``None`` outside a handler or for chat-less updates); logs carry it."""


class UpdateContextMiddleware(BaseMiddleware):
    """Outer ``update`` middleware: sets :data:`current_update_id` (and :data:`current_chat_id`, from
    aiogram's ``event_chat``) for the handler's requests and log lines."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        token = current_update_id.set(event.update_id if isinstance(event, Update) else None)
        chat = data.get("event_chat")
        chat_token = current_chat_id.set(getattr(chat, "id", None))
        try:
            return await handler(event, data)
        finally:
            current_chat_id.reset(chat_token)
            current_update_id.reset(token)


class SendPathMiddleware(BaseRequestMiddleware):
    """Session middleware of the application's Bot: direct replies under the shared budget.

    A request that sends a message waits for the budget (replies go before the outbox),
    then is sent. On 429 the chat is held for ``retry_after`` (:meth:`SendBudget.flood`) and the
    request is retried after ``retry_after`` plus jitter, again through the budget, until
    :data:`REPLY_DEADLINE`; then the :class:`~aiogram.exceptions.TelegramRetryAfter` propagates to
    the handler's error handler and is logged with the method, chat and update id. Other requests
    (edits, ``answerCallbackQuery``, ``getUpdates``...) only get the 429 retry.

    Args:
        budget: the budget shared with the outbox worker (:func:`budget_of` finds it from the Bot).
        deadline: seconds of 429 retries per request (tests shorten it).
    """

    def __init__(self, budget: SendBudget, *, deadline: float = REPLY_DEADLINE) -> None:
        self.budget = budget
        self.deadline = deadline
        self.gave_up = 0
        """Requests given up after the deadline (for logs and benchmarks)."""
        self.retried = 0
        """429 answers waited out."""

    async def __call__(
        self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot, method: TelegramMethod[TelegramType]
    ) -> Response[TelegramType]:
        name = method.__api_method__
        creates = name in MESSAGE_METHODS
        counted = creates  # Telegram's ~30/s counts new messages; edits and button answers only get the 429 retry
        chat_id = getattr(method, "chat_id", None) if counted else None
        give_up_at = time.monotonic() + self.deadline
        attempt = 0
        while True:
            ticket = await self.budget.acquire_reply(chat_id, message=creates) if counted else None
            try:
                response = await make_request(bot, method)
            except TelegramRetryAfter as exc:
                attempt += 1
                seen = self.budget.flood(chat_id, exc.retry_after, ticket) if counted else "?"
                # a chat's own flood: only this chat waits; a global one: spread the retries out
                spread = 0.2 if seen == "chat" else JITTER + 0.1 * exc.retry_after
                wait = exc.retry_after + random.uniform(0.05, spread)
                if time.monotonic() + wait > give_up_at:
                    self.gave_up += 1
                    log.error("flood control: gave up on %s to chat %s for update %s after %s attempts "
                              "(retry_after %s s, %.0f s deadline)", name, chat_id, current_update_id.get(), attempt,
                              exc.retry_after, self.deadline)
                    raise
                self.retried += 1
                log.info("flood control (%s) on %s to chat %s for update %s: retrying in %.2f s",
                         seen, name, chat_id, current_update_id.get(), wait)
                await asyncio.sleep(wait)
                continue
            if creates:
                self.budget.answered(chat_id)
            return response


class PinnedResponseModels(BaseRequestMiddleware):
    """Keep aiogram's ``Response[T]`` model of each Bot API method alive for the life of the session.

    aiogram parses every answer with ``Response[method.__returning__]``; pydantic caches such
    parametrized models only weakly, so after a garbage collection the next request builds the model
    again (schema generation: 11–12 % of the bot's CPU in bench/updates.py's profile). Holding one
    reference per method type keeps them built; it is a few hundred models at most.
    """

    def __init__(self) -> None:
        self._models: dict[type[TelegramMethod[Any]], Any] = {}

    async def __call__(
        self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot, method: TelegramMethod[TelegramType]
    ) -> Response[TelegramType]:
        kind = type(method)
        if kind not in self._models:
            self._models[kind] = Response[method.__returning__]  # type: ignore[name-defined]
        return await make_request(bot, method)


def budget_of(bot: Bot) -> SendBudget | None:
    """The :class:`SendBudget` of ``bot``'s :class:`SendPathMiddleware`, ``None`` when it has none."""
    for middleware in bot.session.middleware:
        if isinstance(middleware, SendPathMiddleware):
            return middleware.budget
    return None


def send_path_of(bot: Bot) -> SendPathMiddleware | None:
    """``bot``'s :class:`SendPathMiddleware`, ``None`` when it has none."""
    for middleware in bot.session.middleware:
        if isinstance(middleware, SendPathMiddleware):
            return middleware
    return None
