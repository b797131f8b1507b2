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

from bot.domain.clock import clock
from bot.domain.errors import DomainError
from bot.ui.commands import command_in
from bot.ui.errors import explain

log = logging.getLogger(__name__)

from bot.flows.context import StepCallback, tell_kept
from bot.flows.wizard import Wizard, say_in_step

KEEPS_STEP = frozenset({"cancel"})
MEANT_FOR_FORM_SECONDS = 15 * 60
"""How long after leaving a form a stray text is taken as probably meant for it (answered with the way
back, bot.handlers.fallback); later, the draft is still kept but a text is read as a new message."""
"""Commands that leave the current step as it is: /cancel ends it itself. Every other command — /help
too: a person who read the help and typed something else must not have it taken as the step's answer
(issue 12, a tester's finding) — leaves the step, its draft kept with "▶ Continue"."""


class NavigationMiddleware(BaseMiddleware):
    """Ends the current step when the person goes elsewhere (outer middleware on messages and buttons).

    A command (except :data:`KEEPS_STEP`) or a button that is neither a :class:`StepCallback` nor one
    of the current wizard's ``owns`` prefixes clears the FSM state before the update is routed, so the
    next ordinary text is never taken as the old step's answer. The draft stays in the FSM data, with
    the step that was left (``_left``); when at least one step had been answered and what was opened
    did not start another form (which replaces the draft), the person is told after its answer that
    the draft is kept, with a "▶ Continue" button back to that step (issue 12: a command in the middle
    of a form used to drop it without a word).
    """

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        state: FSMContext | None = data.get("state")
        left: str | None = None
        if state is not None and await self._leaves(event, state):
            left = await state.get_state()
            log.debug("step %s left by navigation", left)
            draft = await state.get_data()
            await state.set_state(None)
            data["raw_state"] = None  # read by StateFilter; aiogram loaded it before this middleware ran
            if left is not None and len(draft.get("_trail", [])) > 1:
                draft["_left"] = left
                draft["_left_at"] = int(clock.now().timestamp())
                await state.set_data(draft)
            else:
                left = None
        result = await handler(event, data)
        if state is not None and left is not None \
                and (await state.get_data()).get("_left") == left:  # not replaced by a form that was opened
            await self._tell_kept(data, left)
        return result

    @staticmethod
    async def _tell_kept(data: dict[str, Any], left: str) -> None:
        user = data.get("event_from_user")
        wizard = Wizard.registry.get(left.split(":", 1)[0])
        step = wizard.step_of(left) if wizard is not None else None
        if user is None or step is None:
            return
        await tell_kept(data["bot"], user.id, step.wizard.code, step.name)  # in the locale ResidentMiddleware set

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
    registered before this one) or as a message; the step stays, so they can answer again.

    Inside a wizard step the refusal keeps the step's way on (issue 12): a message refusal goes with the
    step's own buttons (:meth:`Ctx.say`), and a refused tap on a step's button gets that prompt's buttons
    back (the kit takes them off before the step runs). Elsewhere a message refusal carries « Main menu.
    """

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        try:
            return await handler(event, data)
        except DomainError as error:
            log.info("refused: %s: %s", type(error).__name__, error)
            await self._explain(event, data, explain(error))
            return None

    @staticmethod
    async def _explain(event: TelegramObject, data: dict[str, Any], text: str) -> None:
        from bot.ui.keyboards import with_menu  # bot.ui imports the kit: a top-level import would cycle
        from bot.ui.messages import restore_keyboard

        if isinstance(event, CallbackQuery) and (event.data or "").startswith(f"{StepCallback.__prefix__}:"):
            await restore_keyboard(event)
        answer: CallbackAnswer | None = data.get("callback_answer")
        if isinstance(event, CallbackQuery) and answer is not None and not answer.answered:
            plain = html.unescape(text)
            if len(plain) <= 200:  # Bot API: answerCallbackQuery text is 0-200 characters
                answer.text = plain
                answer.show_alert = True
                return
        if isinstance(event, (Message, CallbackQuery)) and await say_in_step(event, data.get("state"), data, text):
            return
        user = data.get("event_from_user")
        if user is not None:
            await data["bot"].send_message(user.id, text, reply_markup=with_menu())


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
