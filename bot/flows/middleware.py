"""Middlewares that keep the kit's rules for every update: navigation ends a step; refusals are explained."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    Message,
    TelegramObject,
)
from aiogram.utils.callback_answer import CallbackAnswer

from bot.domain.errors import DomainError
from bot.ui.errors import explain

log = logging.getLogger(__name__)

from bot.flows.context import StepCallback
from bot.flows.wizard import Wizard

KEEPS_STEP = frozenset({"help", "cancel"})
"""Commands that leave the current step as it is: /help only informs; /cancel ends it itself."""


class NavigationMiddleware(BaseMiddleware):
    """Ends the current step when the person goes elsewhere (outer middleware on messages and buttons).

    A command (except :data:`KEEPS_STEP`) or a button that is neither a :class:`StepCallback` nor one
    of the current wizard's ``owns`` prefixes clears the FSM state before the update is routed, so the
    next ordinary text is never taken as the old step's answer. The draft stays in the FSM data.
    """

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        state: FSMContext | None = data.get("state")
        if state is not None and await self._leaves(event, state):
            log.debug("step %s left by navigation", await state.get_state())
            await state.set_state(None)
            data["raw_state"] = None  # read by StateFilter; aiogram loaded it before this middleware ran
        return await handler(event, data)

    @staticmethod
    async def _leaves(event: TelegramObject, state: FSMContext) -> bool:
        if isinstance(event, Message):
            text = event.text or ""
            if not text.startswith("/"):
                return False
            command = text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower() if len(text) > 1 else ""
            return command not in KEEPS_STEP and await state.get_state() is not None
        if isinstance(event, CallbackQuery):
            prefix = (event.data or "").split(":", 1)[0]
            if prefix == StepCallback.__prefix__:
                return False
            current = await state.get_state()
            if current is None:
                return False
            wizard = Wizard.registry.get(current.split(":", 1)[0])
            return wizard is None or prefix not in wizard.owns
        return False


class DomainErrorMiddleware(BaseMiddleware):
    """Inner middleware: a :class:`DomainError` raised by a handler is explained to the person where they
    are, as an alert on the tapped button (through aiogram's ``CallbackAnswerMiddleware``, which must be
    registered before this one) or as a message; the step stays, so they can answer again."""

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        try:
            return await handler(event, data)
        except DomainError as error:
            log.info("refused: %s: %s", type(error).__name__, error)
            text = explain(error)
            answer: CallbackAnswer | None = data.get("callback_answer")
            if isinstance(event, CallbackQuery) and answer is not None and not answer.answered:
                import html

                plain = html.unescape(text)
                if len(plain) <= 200:  # Bot API: answerCallbackQuery text is 0-200 characters
                    answer.text = plain
                    answer.show_alert = True
                    return None
            bot = data["bot"]
            user = data.get("event_from_user")
            if user is not None:
                await bot.send_message(user.id, text)
            return None


