"""What a step sees: its buttons' callback data, the prompt it sends, and the update's context."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiogram import Bot
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
)
from aiogram.utils.callback_answer import CallbackAnswer

from bot.i18n import _

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from bot.flows.steps import Step
    from bot.flows.wizard import Wizard

SPLIT_TAIL_SECONDS = 3
"""Telegram apps split a pasted text over 4,096 characters into several messages sent at once; a
text arriving this soon (s) after a refused over-long one is taken for its tail, not for a new text."""

SPLIT_PART_MIN = 3800
"""Shortest text (UTF-16 code units) taken for the first part of a paste Telegram split: the apps cut
at 4,096 units, at a word boundary near it; a refused text shorter than this was sent whole, so the
next message is a new answer, not its tail."""

ONE_MESSAGE = 4000
"""Longest ``max_len`` of a one-message text step: anything longer may arrive split by Telegram
(4,096 UTF-16 units per message, Bot API), so such a step must collect parts (``parts=True``)."""

BACK, CANCEL, SKIP, DONE, RESUME = "«", "x", "»", "ok", "^"
"""Reserved :attr:`StepCallback.v` values of the kit's own buttons (RESUME: "▶ Continue" a step that
was left by navigation, bot.flows.middleware.NavigationMiddleware)."""


class StepCallback(CallbackData, prefix="st"):
    """A button of one step: ``w`` the wizard's code, ``s`` the step's name, ``v`` the value
    (an option, or one of :data:`BACK`, :data:`CANCEL`, :data:`SKIP`, :data:`DONE`).
    Longest in use ``st:hro:problems:123456789012`` stays far under Telegram's 64 bytes."""

    w: str
    s: str
    v: str = ""


@dataclass
class Prompt:
    """What a step asks: HTML ``text`` (already escaped), optional button ``rows`` above the kit's own
    (Skip/Done, then Back and Cancel), ``skip`` to offer "Skip", ``back``/``cancel`` to hide those.
    ``markup`` replaces the whole keyboard (e.g. Telegram's reply keyboard that asks for a contact)."""

    text: str
    rows: list[list[InlineKeyboardButton]] = field(default_factory=list)
    skip: bool = False
    back: bool = True
    cancel: bool = True
    markup: ReplyKeyboardMarkup | InlineKeyboardMarkup | None = None


class Ctx:
    """One update inside a wizard: the event, the FSM context, the draft and the handler's dependencies.

    ``data`` is the draft (a JSON-able dict) loaded once per update; :meth:`goto`, :meth:`save` and
    :meth:`back` store it. ``deps`` holds what aiogram injected (``db``, ``settings``, ``resident``,
    ``locale``, ``officer`` behind the officer filter, ``callback_answer`` for buttons); they are also
    reachable as attributes (``ctx.db``).
    """

    def __init__(self, wizard: Wizard, event: Message | CallbackQuery, state: FSMContext,
                 data: dict[str, Any], deps: dict[str, Any]) -> None:
        self.wizard = wizard
        self.event = event
        self.state = state
        self.data = data
        self.deps = deps

    def __getattr__(self, name: str) -> Any:
        try:
            return self.deps[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def callback_answer(self) -> CallbackAnswer | None:
        """aiogram's answer to the tapped button (set ``text``/``show_alert`` on it), or ``None`` for a message."""
        return self.deps.get("callback_answer")

    @property
    def album(self) -> list[Message]:
        """The person's message with the rest of its album (bot.flows.album), in order: one
        message for a single message, all parts for an album (answer them once); empty for a button."""
        parts = self.deps.get("album")
        if parts:
            return list(parts)
        return [self.event] if isinstance(self.event, Message) else []

    @property
    def chat_id(self) -> int:
        """The private chat of the person (their Telegram id)."""
        if isinstance(self.event, CallbackQuery):
            return self.event.from_user.id
        return self.event.chat.id

    @property
    def message(self) -> Message | None:
        """The message to answer under: the person's message, or the one whose button was tapped."""
        if isinstance(self.event, Message):
            return self.event
        message = self.event.message
        return message if isinstance(message, Message) else None

    async def answer(self, text: str,
                     reply_markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | None = None) -> Message:
        """Send ``text`` (HTML, escaped) to the person as a new message."""
        bot: Bot = self.deps["bot"]
        return await bot.send_message(self.chat_id, text, reply_markup=reply_markup)

    async def say(self, text: str, rows: list[list[InlineKeyboardButton]] | None = None) -> Message:
        """Send ``text`` inside the current step — a refusal ("too long", "use the buttons"), a progress
        note ("2 options so far") — with the step's buttons under it, so that the last word always has
        a way on (issue 12) and "use the buttons" has buttons to use: ``rows`` then « Back and ✖ Cancel,
        or, without ``rows``, the step's own prompt keyboard again (its choices, Skip, Back, Cancel).
        Outside a step (the state already left the wizard) the text goes alone."""
        step = self.wizard.step_of(await self.state.get_state())
        if step is None:
            return await self.answer(text)
        prompt = Prompt(text, rows=rows) if rows is not None else await step.render(self)
        markup = prompt.markup if prompt.markup is not None else step.keyboard(prompt, self.data)
        return await self.answer(text, reply_markup=markup)

    def toast(self, text: str, *, alert: bool = False) -> None:
        """Show ``text`` under the tapped button (ignored for a message)."""
        answer = self.callback_answer
        if answer is not None:
            answer.text = text
            answer.show_alert = alert

    async def save(self) -> None:
        """Store the draft (the state stays)."""
        await self.state.set_data(self.data)

    async def goto(self, step: Step) -> None:
        """Make ``step`` the current one: store the state and the draft first, then send its prompt."""
        trail: list[str] = self.data.setdefault("_trail", [])
        if not trail or trail[-1] != step.name:
            trail.append(step.name)
        await self._enter(step)

    async def back(self) -> None:
        """Return to the previous step of the trail (the first step stays)."""
        trail: list[str] = self.data.setdefault("_trail", [])
        if len(trail) > 1:
            trail.pop()
        previous = self.wizard.steps[trail[-1]] if trail else self.wizard.first
        await self._enter(previous)

    async def resume(self, step: Step) -> None:
        """Make ``step`` current again after navigation left it (the draft kept): its prompt again."""
        self.data.pop("_left", None)
        self.data.pop("_left_at", None)
        await self._enter(step)

    async def _enter(self, step: Step) -> None:
        self.data.pop("_refused_at", None)
        await self.state.set_state(step.state)
        await self.state.set_data(self.data)
        prompt = await step.render(self)
        await self.answer(prompt.text, reply_markup=prompt.markup or step.keyboard(prompt, self.data))

    async def _restore_previous(self, previous: Any) -> None:
        """Put back the draft of the form that was open when this one started (:meth:`Wizard.start`),
        as a draft left by navigation, and say it is kept with "▶ Continue"."""
        if not isinstance(previous, dict) or not isinstance(previous.get("data"), dict):
            return
        left = str(previous.get("left") or "")
        await self.state.set_data({**previous["data"], "_left": left})
        code, _sep, name = left.partition(":")
        await tell_kept(self.deps["bot"], self.chat_id, code, name, earlier=True)

    async def finish(self, text: str | None = None, reply_markup: InlineKeyboardMarkup | None = None) -> None:
        """End the wizard (state and draft cleared), then send ``text`` if given.

        The message ending a wizard is the last word, so it always has a way on (issue 12): an inline
        ``reply_markup`` gets a "« Main menu" row, none gives that row alone; a reply-keyboard removal
        (``ReplyKeyboardRemove``, which cannot travel with inline buttons) is sent as it is.
        """
        from bot.ui.keyboards import with_menu

        previous = self.data.get("_previous")
        await self.state.clear()
        if text:
            markup = with_menu(reply_markup) if reply_markup is None or isinstance(reply_markup, InlineKeyboardMarkup) \
                else reply_markup
            await self.answer(text, reply_markup=markup)
        await self._restore_previous(previous)

    async def cancel(self) -> None:
        """End the wizard and say that nothing was saved, with a way back to the menu."""
        from bot.ui.keyboards import menu_keyboard

        previous = self.data.get("_previous")
        await self.state.clear()
        await self.answer(_(self.wizard.cancelled), reply_markup=menu_keyboard())
        await self._restore_previous(previous)


async def tell_kept(bot: Bot, chat_id: int, wizard_code: str, step_name: str, *, earlier: bool = False) -> None:
    """Say that a form's draft is kept, with "▶ Continue" back to its step ``wizard_code:step_name``:
    after navigation left it (bot.flows.NavigationMiddleware), or, ``earlier``, when a form started over
    it has ended. Failures to send are logged, not raised (the person may have blocked the bot)."""
    from aiogram.exceptions import TelegramAPIError

    button = InlineKeyboardButton(text=_("▶ Continue"),
                                  callback_data=StepCallback(w=wizard_code, s=step_name, v=RESUME).pack())
    text = _("The form you had started before is kept: tap “▶ Continue” to go back to it.") if earlier \
        else _("What you had filled in is kept: tap “▶ Continue” to go back to it.")
    try:
        await bot.send_message(chat_id, text, reply_markup=InlineKeyboardMarkup(inline_keyboard=[[button]]))
    except TelegramAPIError:
        log.info("could not tell %s that the draft is kept", chat_id)


PromptFn = Callable[[Ctx], Awaitable[Prompt]]
Bound = int | Callable[[Ctx], int]
"""A text bound in characters: a number, or a function of the update's context (e.g. a setting)."""


