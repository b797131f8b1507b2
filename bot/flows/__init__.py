"""The kit every multi-step conversation is built on: text, choice and media steps, preview, back and cancel.

A :class:`Wizard` is a named sequence of steps, defined once at import time and attached to a router
with :meth:`Wizard.register`. Each step is an FSM state ``"<wizard code>:<step name>"`` with a
prompt (what the person is asked, :class:`Prompt`) and a handler (what their answer does)::

    wizard = Wizard("ann", cancelled=N_("Cancelled. Nothing was sent."))
    text_ky = wizard.text("ky", max_len=4000)

    @text_ky.prompt
    async def _(ctx: Ctx) -> Prompt:
        return Prompt(_("Send the text in Kyrgyz."))

    @text_ky.handle
    async def _(ctx: Ctx, text: str | None) -> None:
        ctx.data["ky"] = text
        await ctx.goto(text_ru)

A step may carry buttons of its own beside typing (``@step.tapped``: "Cancel without a reason"),
answer text typed where a choice is asked in its own words (``wizard.choice(name, typed=N_(...))``),
take its bounds from the context (``max_len=lambda ctx: ctx.settings.problem_text_max``) or replace
the keyboard (``Prompt(markup=...)``, e.g. Telegram's request-contact keyboard). A step of a class of
one's own (a subclass of a kit step) joins with :meth:`Wizard.add`.

The kit keeps the rules every step must keep, so no wizard has to:

- **A step ends when the person goes anywhere else**: a button that is not this step's (a menu, Back
  in a list, another feature), or a command (:class:`NavigationMiddleware`). Text sent afterwards is
  never applied to the old step. ``/help`` and ``/cancel`` keep it.
- **Bounds and types**: a text over ``max_len`` or under ``min_len``, or a sticker where text was
  asked, gets the same localized answer in every wizard (:mod:`bot.ui.errors`), and the step stays.
- **Split pastes**: Telegram apps split a text over 4,096 UTF-16 units into several messages sent
  within a second; after a refused over-long text, a text arriving within :data:`SPLIT_TAIL_SECONDS`
  is refused as its tail, never taken as a new, shorter answer. Steps that accept more than fits one
  message (``max_len`` over :data:`ONE_MESSAGE`) collect parts until "Done" (``parts=True``).
- **Once per tap**: every button of a step carries its wizard and step (:class:`StepCallback`); a tap
  on a button of a step that is over (a double tap, an old message) is answered "already done" and
  changes nothing. With the dispatcher's per-chat event isolation, two taps never run at once.
- **State first**: :meth:`Ctx.goto` stores the new state and the draft before the prompt or preview is
  sent, so a quick tap on the preview's button always finds its step.
- **Back and cancel** on every prompt: Back returns to the previous step (the trail is in the draft),
  Cancel ends the wizard and says nothing was saved.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from aiogram import BaseMiddleware, F, Router
from aiogram.filters import StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    TelegramObject,
)
from aiogram.utils.callback_answer import CallbackAnswer

from bot.domain.errors import DomainError, TextTooLong, TextTooShort
from bot.domain.text import clean_user_text
from bot.i18n import N_, _, format_number, ngettext
from bot.ui.errors import explain

log = logging.getLogger(__name__)

SPLIT_TAIL_SECONDS = 3
"""Telegram apps split a pasted text over 4,096 characters into several messages sent at once; a
text arriving this soon (s) after a refused over-long one is taken for its tail, not for a new text."""

ONE_MESSAGE = 4000
"""Longest ``max_len`` of a one-message text step: anything longer may arrive split by Telegram
(4,096 UTF-16 units per message, Bot API), so such a step must collect parts (``parts=True``)."""

BACK, CANCEL, SKIP, DONE = "«", "x", "»", "ok"
"""Reserved :attr:`StepCallback.v` values of the kit's own buttons."""


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
        bot = self.deps["bot"]
        return await bot.send_message(self.chat_id, text, reply_markup=reply_markup)

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

    async def _enter(self, step: Step) -> None:
        self.data.pop("_refused_at", None)
        await self.state.set_state(step.state)
        await self.state.set_data(self.data)
        prompt = await step.render(self)
        await self.answer(prompt.text, reply_markup=prompt.markup or step.keyboard(prompt, self.data))

    async def finish(self, text: str | None = None, reply_markup: InlineKeyboardMarkup | None = None) -> None:
        """End the wizard (state and draft cleared), then send ``text`` if given."""
        await self.state.clear()
        if text:
            await self.answer(text, reply_markup=reply_markup)

    async def cancel(self) -> None:
        """End the wizard and say that nothing was saved, with a way back to the menu."""
        from bot.ui.keyboards import menu_keyboard

        await self.state.clear()
        await self.answer(_(self.wizard.cancelled), reply_markup=menu_keyboard())


PromptFn = Callable[[Ctx], Awaitable[Prompt]]
Bound = int | Callable[[Ctx], int]
"""A text bound in characters: a number, or a function of the update's context (e.g. a setting)."""


class Step:
    """One step of a :class:`Wizard`; decorate its prompt with :meth:`prompt` and its handler with :meth:`handle`."""

    kind: ClassVar[str] = "step"

    def __init__(self, wizard: Wizard, name: str) -> None:
        if not name or ":" in name or len(name) > 16:
            raise ValueError(f"step name {name!r}: 1-16 characters, no ':'")
        self.wizard = wizard
        self.name = name
        self.state = f"{wizard.code}:{name}"
        self._prompt: PromptFn | None = None
        self._handle: Callable[..., Awaitable[None]] | None = None
        self._tapped: Callable[[Ctx, str], Awaitable[None]] | None = None

    def tapped(self, function: Callable[[Ctx, str], Awaitable[None]]) -> Callable[[Ctx, str], Awaitable[None]]:
        """Decorator: ``async def (ctx, value)`` for a tap on one of this step's own buttons
        (:meth:`button`) in a text or media step, e.g. "Cancel without a reason" beside a reason to type."""
        self._tapped = function
        return function

    def prompt(self, function: PromptFn) -> PromptFn:
        """Decorator: ``async def (ctx) -> Prompt``, called after the state is stored."""
        self._prompt = function
        return function

    def handle(self, function: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
        """Decorator: ``async def (ctx, value)``; what ``value`` is depends on the kind of step."""
        self._handle = function
        return function

    async def render(self, ctx: Ctx) -> Prompt:
        if self._prompt is None:
            raise RuntimeError(f"step {self.state} has no prompt")
        return await self._prompt(ctx)

    async def run(self, ctx: Ctx, value: Any) -> None:
        if self._handle is None:
            raise RuntimeError(f"step {self.state} has no handler")
        await self._handle(ctx, value)

    def button(self, text: str, value: str) -> InlineKeyboardButton:
        """A button of this step carrying ``value`` (at most 24 bytes; ids as decimal text)."""
        if len(value.encode()) > 24 or value in (BACK, CANCEL, SKIP, DONE):
            raise ValueError(f"button value {value!r}")
        return InlineKeyboardButton(text=text, callback_data=self._data(value))

    def _data(self, value: str) -> str:
        return StepCallback(w=self.wizard.code, s=self.name, v=value).pack()

    def keyboard(self, prompt: Prompt, data: dict[str, Any]) -> InlineKeyboardMarkup | None:
        rows = [list(row) for row in prompt.rows]
        extra = self._own_buttons(prompt)
        if extra:
            rows.append(extra)
        nav: list[InlineKeyboardButton] = []
        if prompt.back and len(data.get("_trail", [])) > 1:
            nav.append(InlineKeyboardButton(text=_("« Back"), callback_data=self._data(BACK)))
        if prompt.cancel:
            nav.append(InlineKeyboardButton(text=_("✖ Cancel"), callback_data=self._data(CANCEL)))
        if nav:
            rows.append(nav)
        return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None

    def _own_buttons(self, prompt: Prompt) -> list[InlineKeyboardButton]:
        if prompt.skip:
            return [InlineKeyboardButton(text=_("⏭ Skip"), callback_data=self._data(SKIP))]
        return []

    # -- what the kit does with the person's input ------------------------------------------------

    async def on_message(self, ctx: Ctx, message: Message) -> None:
        """A message in this step (override per kind)."""
        await ctx.answer(_("Please use the buttons under the last message, or /cancel."))

    async def on_button(self, ctx: Ctx, value: str) -> None:
        """A tap on one of this step's own buttons: "Skip" runs the handler with ``None``; another value
        goes to the :meth:`tapped` handler when there is one, else to the handler (a choice)."""
        if value == SKIP:
            await self.run(ctx, None)
            return
        if self._tapped is not None:
            await self._tapped(ctx, value)
            return
        await self.run(ctx, value)


class TextStep(Step):
    """A bounded text: the handler gets the cleaned text (``clean_user_text``), or ``None`` after "Skip".

    ``max_len``/``min_len`` count characters after cleaning. With ``parts=True`` each message is added
    to the text until the person taps "Done" (for texts longer than one Telegram message).
    """

    kind = "text"

    def __init__(self, wizard: Wizard, name: str, *, max_len: Bound, min_len: Bound = 1,
                 parts: bool = False) -> None:
        super().__init__(wizard, name)
        if isinstance(max_len, int) and max_len > ONE_MESSAGE and not parts:
            raise ValueError(f"step {self.state}: a text over {ONE_MESSAGE} characters needs parts=True")
        self._max_len = max_len
        self._min_len = min_len
        self.parts = parts

    def bounds(self, ctx: Ctx) -> tuple[int, int]:
        """``(min_len, max_len)`` for this update (a bound may be a function of the context, e.g. settings).

        Raises:
            ValueError: a one-message step whose bound resolves above :data:`ONE_MESSAGE`.
        """
        low = self._min_len(ctx) if callable(self._min_len) else self._min_len
        high = self._max_len(ctx) if callable(self._max_len) else self._max_len
        if high > ONE_MESSAGE and not self.parts:
            raise ValueError(f"step {self.state}: a text over {ONE_MESSAGE} characters needs parts=True")
        return low, high

    def _own_buttons(self, prompt: Prompt) -> list[InlineKeyboardButton]:
        buttons = super()._own_buttons(prompt)
        if self.parts:
            buttons.insert(0, InlineKeyboardButton(text=_("✅ Done"), callback_data=self._data(DONE)))
        return buttons

    async def on_message(self, ctx: Ctx, message: Message) -> None:
        if message.text is None:
            await ctx.answer(_("Please send it as text, or /cancel."))
            return
        text = clean_user_text(message.text)
        sent = int(message.date.timestamp()) if message.date else 0
        refused = ctx.data.get("_refused_at")
        if refused is not None and 0 <= sent - int(refused) <= SPLIT_TAIL_SECONDS:
            ctx.data["_refused_at"] = sent
            await ctx.save()
            await ctx.answer(_(
                "This looks like the end of a long text that Telegram split into several messages, so it "
                "was not taken on its own. Send the whole text again, shorter."))
            return
        low, high = self.bounds(ctx)
        if self.parts:
            await self._add_part(ctx, text, high)
            return
        if len(text) > high:
            ctx.data["_refused_at"] = sent
            await ctx.save()
            await ctx.answer(explain(TextTooLong(limit=high, actual=len(text))))
            return
        if len(text) < low:
            await ctx.answer(explain(TextTooShort(limit=low, actual=len(text))))
            return
        await self.run(ctx, text)

    async def _add_part(self, ctx: Ctx, text: str, limit: int) -> None:
        key = f"_parts_{self.name}"
        parts: list[str] = ctx.data.setdefault(key, [])
        total = sum(len(p) for p in parts) + len(text) + 2 * len(parts)  # a blank line between parts
        if total > limit:
            await ctx.answer(ngettext(
                "With this message the text would have {length} character; at most {limit} fit. This message "
                "was not added: shorten it, or tap “✅ Done”.",
                "With this message the text would have {length} characters; at most {limit} fit. This "
                "message was not added: shorten it, or tap “✅ Done”.",
                total,
            ).format(length=format_number(total), limit=format_number(limit)))
            return
        if text:
            parts.append(text)
        await ctx.save()
        await ctx.answer(
            ngettext(
                "Added: {length} character of {limit} so far. Send more, or tap “✅ Done”.",
                "Added: {length} characters of {limit} so far. Send more, or tap “✅ Done”.",
                total,
            ).format(length=format_number(total), limit=format_number(limit)),
            reply_markup=InlineKeyboardMarkup(inline_keyboard=[[
                InlineKeyboardButton(text=_("✅ Done"), callback_data=self._data(DONE))]]),
        )

    async def on_button(self, ctx: Ctx, value: str) -> None:
        if value == DONE and self.parts:
            parts: list[str] = ctx.data.pop(f"_parts_{self.name}", [])
            text = "\n\n".join(parts)
            low, _high = self.bounds(ctx)
            if len(text) < low:
                ctx.data[f"_parts_{self.name}"] = parts
                await ctx.answer(explain(TextTooShort(limit=low, actual=len(text))))
                return
            await self.run(ctx, text)
            return
        if value == SKIP:
            ctx.data.pop(f"_parts_{self.name}", None)
            await self.run(ctx, None)
            return
        if self._tapped is not None:
            await self._tapped(ctx, value)


class ChoiceStep(Step):
    """A choice among the prompt's buttons (:meth:`Step.button`): the handler gets the value text.
    ``typed`` (a msgid) answers a message sent instead of a tap (default: "use the buttons")."""

    kind = "choice"

    def __init__(self, wizard: Wizard, name: str, *, typed: str | None = None) -> None:
        super().__init__(wizard, name)
        self.typed = typed

    async def on_message(self, ctx: Ctx, message: Message) -> None:
        if self.typed is None:
            await super().on_message(ctx, message)
            return
        await ctx.answer(_(self.typed))


class MediaStep(Step):
    """A photo, document, voice or location: the handler gets the :class:`Message`, or ``None`` after
    "Skip". ``accepts`` names aiogram content types (``"photo"``, ``"document"``, ``"location"``,
    ``"voice"``, ``"text"``); anything else gets ``wrong`` (a msgid) as the answer."""

    kind = "media"

    def __init__(self, wizard: Wizard, name: str, *, accepts: Iterable[str], wrong: str) -> None:
        super().__init__(wizard, name)
        self.accepts = frozenset(accepts)
        self.wrong = wrong

    async def on_message(self, ctx: Ctx, message: Message) -> None:
        if message.content_type not in self.accepts:
            await ctx.answer(_(self.wrong))
            return
        await self.run(ctx, message)


CANCELLED = N_("Cancelled. Nothing was saved.")
"""What Cancel says unless a wizard names its own text."""


S = TypeVar("S", bound=Step)


class Wizard:
    """A named multi-step flow. ``code`` (≤ 8 characters) prefixes its states and buttons; ``owns``
    lists callback prefixes of other buttons that belong to the flow (a picker's paging) and so do not
    end it; ``cancelled`` is the msgid said on Cancel."""

    registry: ClassVar[dict[str, Wizard]] = {}

    def __init__(self, code: str, *, owns: Iterable[str] = (),
                 cancelled: str = CANCELLED) -> None:
        if not code or ":" in code or len(code) > 8:
            raise ValueError(f"wizard code {code!r}: 1-8 characters, no ':'")
        if code in Wizard.registry:
            raise ValueError(f"two wizards with the code {code!r}")
        self.code = code
        self.owns = frozenset(owns)
        self.cancelled = cancelled
        self.steps: dict[str, Step] = {}
        Wizard.registry[code] = self

    @property
    def first(self) -> Step:
        return next(iter(self.steps.values()))

    def add(self, step: S) -> S:
        """Add a step of a class of one's own (a subclass of a kit step) in order; returns it.

        Raises:
            ValueError: the wizard already has a step of that name, or it belongs to another wizard.
        """
        if step.wizard is not self:
            raise ValueError(f"step {step.state} belongs to another wizard")
        if step.name in self.steps:
            raise ValueError(f"two steps named {step.state}")
        self.steps[step.name] = step
        return step

    def text(self, name: str, *, max_len: Bound, min_len: Bound = 1, parts: bool = False) -> TextStep:
        """A :class:`TextStep`."""
        return self.add(TextStep(self, name, max_len=max_len, min_len=min_len, parts=parts))

    def choice(self, name: str, *, typed: str | None = None) -> ChoiceStep:
        """A :class:`ChoiceStep` (also used for a preview with "Publish")."""
        return self.add(ChoiceStep(self, name, typed=typed))

    def media(self, name: str, *, accepts: Iterable[str], wrong: str) -> MediaStep:
        """A :class:`MediaStep`."""
        return self.add(MediaStep(self, name, accepts=accepts, wrong=wrong))

    def step_of(self, state: str | None) -> Step | None:
        """The step whose FSM state is ``state``, or ``None``."""
        if not state or not state.startswith(f"{self.code}:"):
            return None
        return self.steps.get(state.split(":", 1)[1])

    async def start(self, event: Message | CallbackQuery, state: FSMContext, deps: dict[str, Any],
                    data: dict[str, Any] | None = None, step: Step | None = None) -> Ctx:
        """Begin the wizard at ``step`` (default: the first) with the draft ``data``; returns the context."""
        ctx = Ctx(self, event, state, dict(data or {}), deps)
        ctx.data["_trail"] = []
        await ctx.goto(step or self.first)
        return ctx

    # -- routing -------------------------------------------------------------------------------------

    def register(self, router: Router) -> None:
        """Attach this wizard's handlers to ``router`` (one router per dispatcher; call in ``build_router``)."""
        states = [step.state for step in self.steps.values()]
        router.callback_query.register(self._on_callback, StepCallback.filter(F.w == self.code))
        router.message.register(self._on_message, StateFilter(*states))

    async def _context(self, event: Message | CallbackQuery, state: FSMContext, deps: dict[str, Any]) -> Ctx:
        return Ctx(self, event, state, dict(await state.get_data()), deps)

    async def _on_message(self, message: Message, state: FSMContext, **deps: Any) -> None:
        step = self.step_of(await state.get_state())
        if step is None:  # cannot happen: the state filter matched
            return
        ctx = await self._context(message, state, deps)
        await step.on_message(ctx, message)

    async def _on_callback(self, callback: CallbackQuery, callback_data: StepCallback, state: FSMContext,
                           **deps: Any) -> None:
        step = self.step_of(await state.get_state())
        answer: CallbackAnswer | None = deps.get("callback_answer")
        if step is None or step.name != callback_data.s:
            if answer is not None:
                answer.text = _("This step is already done. Continue with the last message, or /cancel.")
            return
        ctx = await self._context(callback, state, deps)
        value = callback_data.v
        if value == CANCEL:
            await _drop_keyboard(callback)
            await ctx.cancel()
            return
        if value == BACK:
            await _drop_keyboard(callback)
            await ctx.back()
            return
        await _drop_keyboard(callback)
        await step.on_button(ctx, value)


async def _drop_keyboard(callback: CallbackQuery) -> None:
    """Take the buttons off the prompt that was answered, so it no longer invites a tap."""
    from bot.ui.messages import drop_keyboard

    await drop_keyboard(callback)


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


__all__ = [
    "BACK", "CANCEL", "DONE", "SKIP", "ChoiceStep", "Ctx", "DomainErrorMiddleware", "MediaStep",
    "NavigationMiddleware", "Prompt", "Step", "StepCallback", "TextStep", "Wizard",
]
