"""The kinds of step: text (bounded, or in parts), choice, media."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from bot.domain.errors import TextTooLong, TextTooShort
from bot.domain.text import clean_user_text, utf16_length
from bot.i18n import _, format_number, ngettext
from bot.ui.errors import explain

log = logging.getLogger(__name__)

from bot.flows.context import BACK, CANCEL, DONE, ONE_MESSAGE, RESUME, SKIP, SPLIT_PART_MIN, SPLIT_TAIL_SECONDS, Bound, Ctx, Prompt, PromptFn, StepCallback

if TYPE_CHECKING:
    from bot.flows.wizard import Wizard

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
        if len(value.encode()) > 24 or value in (BACK, CANCEL, SKIP, DONE, RESUME):
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
            nav.append(InlineKeyboardButton(text=_(self.wizard.stop), callback_data=self._data(CANCEL)))
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
        await ctx.say(_("Please use the buttons under the last message, or /cancel."))

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
            await ctx.say(_("Please send it as text, or /cancel."))
            return
        text = clean_user_text(message.text)
        sent = int(message.date.timestamp()) if message.date else 0
        refused = ctx.data.get("_refused_at")
        if refused is not None and 0 <= sent - int(refused) <= SPLIT_TAIL_SECONDS:
            ctx.data["_refused_at"] = sent
            await ctx.save()
            await ctx.say(_(
                "This looks like the end of a long text that Telegram split into several messages, so it "
                "was not taken on its own. Send the whole text again, shorter."))
            return
        low, high = self.bounds(ctx)
        if self.parts:
            await self._add_part(ctx, text, high)
            return
        if len(text) > high:
            if utf16_length(message.text) >= SPLIT_PART_MIN:  # perhaps the first part of a split paste
                ctx.data["_refused_at"] = sent
                await ctx.save()
            await ctx.say(explain(TextTooLong(limit=high, actual=len(text))))
            return
        if len(text) < low:
            await ctx.say(explain(TextTooShort(limit=low, actual=len(text))))
            return
        await self.run(ctx, text)

    async def _add_part(self, ctx: Ctx, text: str, limit: int) -> None:
        key = f"_parts_{self.name}"
        parts: list[str] = ctx.data.setdefault(key, [])
        total = sum(len(p) for p in parts) + len(text) + 2 * len(parts)  # a blank line between parts
        if total > limit:
            await ctx.say(ngettext(
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
        await ctx.say(
            ngettext(
                "Added: {length} character of {limit} so far. Send more, or tap “✅ Done”.",
                "Added: {length} characters of {limit} so far. Send more, or tap “✅ Done”.",
                total,
            ).format(length=format_number(total), limit=format_number(limit)),
        )

    async def on_button(self, ctx: Ctx, value: str) -> None:
        if value == DONE and self.parts:
            parts: list[str] = ctx.data.pop(f"_parts_{self.name}", [])
            text = "\n\n".join(parts)
            low, _high = self.bounds(ctx)
            if len(text) < low:
                ctx.data[f"_parts_{self.name}"] = parts
                await ctx.say(explain(TextTooShort(limit=low, actual=len(text))))
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
        await ctx.say(_(self.typed))


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
            await ctx.say(_(self.wrong))
            return
        await self.run(ctx, message)


