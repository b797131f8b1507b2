"""Middlewares that keep the kit's rules for every update: navigation ends a step; refusals are explained."""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    Message,
    TelegramObject,
)
from aiogram.utils.callback_answer import CallbackAnswer, CallbackAnswerMiddleware

from bot.domain.errors import DomainError
from bot.ui.commands import command_in
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
            if not (event.text or "").startswith("/"):
                return False
            return command_in(event.text) not in KEEPS_STEP and await state.get_state() is not None
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
                from bot.ui.keyboards import with_menu  # bot.ui imports the kit: a top-level import would cycle

                await bot.send_message(user.id, text, reply_markup=with_menu())
            return None




LATE_QUERY_MARKERS = ("query is too old", "query ID is invalid")
"""Telegram's 400 for ``answerCallbackQuery`` after its deadline (about 15 s; e.g. taps queued while
the bot restarted): https://core.telegram.org/bots/api#answercallbackquery."""


class CallbackAnswers(CallbackAnswerMiddleware):
    """aiogram's :class:`CallbackAnswerMiddleware` (every button answered once, after its handler),
    tolerant of late taps: when Telegram says the query is too old, the action has already been
    applied by the handler, so this is no error — the person still sees its result (the edited card,
    or, when the result was only the button's pop-up, the same words as a message). Logged at INFO."""

    async def answer(self, event: CallbackQuery, callback_answer: CallbackAnswer) -> Any:  # type: ignore[override]
        try:
            return await super().answer(event, callback_answer)
        except TelegramBadRequest as error:
            if not any(marker in error.message for marker in LATE_QUERY_MARKERS):
                raise
            log.info("late button press %s answered by message: %s", event.id, error.message)
            if callback_answer.text and event.bot is not None:
                await event.bot.send_message(event.from_user.id, html.escape(callback_answer.text))
            return None
