"""A wizard: named steps in order, their routing, the start of a conversation."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, ClassVar, TypeVar

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    Message,
)
from aiogram.utils.callback_answer import CallbackAnswer

from bot.i18n import N_, _

log = logging.getLogger(__name__)

from bot.flows.context import BACK, CANCEL, RESUME, Ctx, StepCallback
from bot.flows.context import Bound
from bot.flows.steps import ChoiceStep, MediaStep, Step, TextStep

CANCELLED = N_("Cancelled. Nothing was saved.")
"""What Cancel says unless a wizard names its own text."""
STOP = N_("✖ Cancel")
"""The label of the kit's stop button unless a wizard names its own."""


S = TypeVar("S", bound=Step)


class Wizard:
    """A named multi-step flow. ``code`` (≤ 8 characters) prefixes its states and buttons; ``owns``
    lists callback prefixes of other buttons that belong to the flow (a picker's paging) and so do not
    end it; ``cancelled`` is the msgid said on Cancel, ``stop`` the msgid of the Cancel button itself
    (a flow that cancels something says what stopping keeps: "✖ Don't cancel the hearing")."""

    registry: ClassVar[dict[str, Wizard]] = {}

    def __init__(self, code: str, *, owns: Iterable[str] = (),
                 cancelled: str = CANCELLED, stop: str = STOP) -> None:
        if not code or ":" in code or len(code) > 8:
            raise ValueError(f"wizard code {code!r}: 1-8 characters, no ':'")
        if code in Wizard.registry:
            raise ValueError(f"two wizards with the code {code!r}")
        self.code = code
        self.owns = frozenset(owns)
        self.cancelled = cancelled
        self.stop = stop
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
        previous = await self._previous(state)
        if previous is not None:
            ctx.data["_previous"] = previous
        await ctx.goto(step or self.first)
        return ctx

    async def _previous(self, state: FSMContext) -> dict[str, Any] | None:
        """The draft of another form this one is started over (its step answered at least once), kept
        to be offered back when this one ends (:meth:`Ctx.finish`, :meth:`Ctx.cancel`) — one level deep;
        the same form started afresh replaces its own draft."""
        old = await state.get_data()
        current = await state.get_state()
        left = current if current and ":" in current and Wizard.registry.get(current.split(":", 1)[0]) \
            else old.get("_left")
        if not isinstance(left, str) or len(old.get("_trail", [])) < 2:
            return None
        wizard = Wizard.registry.get(left.split(":", 1)[0])
        if wizard is None or wizard is self or wizard.step_of(left) is None:
            return None
        return {"left": left, "data": {k: v for k, v in old.items() if k not in ("_previous", "_left", "_left_at")}}

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
        answer: CallbackAnswer | None = deps.get("callback_answer")
        if callback_data.v == RESUME:
            await self._resume(callback, callback_data, state, deps)
            return
        step = self.step_of(await state.get_state())
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


    async def _resume(self, callback: CallbackQuery, callback_data: StepCallback, state: FSMContext,
                      deps: dict[str, Any]) -> None:
        """"▶ Continue" under the note that a left draft is kept: back to the step that was left, if the
        draft is still the one kept (not replaced by another form, finished or cancelled since)."""
        answer: CallbackAnswer | None = deps.get("callback_answer")
        data = await state.get_data()
        step = self.steps.get(callback_data.s)
        if step is None or data.get("_left") != step.state:  # another form, finished or cancelled since
            if answer is not None:
                answer.text = _("That draft is no longer kept. Start again from the menu.")
            await _drop_keyboard(callback)
            return
        await _drop_keyboard(callback)
        await Ctx(self, callback, state, dict(data), deps).resume(step)


async def say_in_step(event: Message | CallbackQuery, state: FSMContext | None, deps: dict[str, Any],
                      text: str) -> bool:
    """Say ``text`` inside the person's current wizard step, with the step's buttons (:meth:`Ctx.say`):
    for answers given outside a step's own handler (a refusal caught by the kit's middleware, an edited
    message). Returns ``False``, sending nothing, when the person is in no wizard step."""
    current = await state.get_state() if state is not None else None
    wizard = Wizard.registry.get(current.split(":", 1)[0]) if current else None
    if state is None or wizard is None or wizard.step_of(current) is None:
        return False
    await Ctx(wizard, event, state, dict(await state.get_data()), deps).say(text)
    return True


async def _drop_keyboard(callback: CallbackQuery) -> None:
    """Take the buttons off the prompt that was answered, so it no longer invites a tap."""
    from bot.ui.messages import drop_keyboard

    await drop_keyboard(callback)


