"""A kit step the survey wizards need: text that may also be answered by one of the prompt's own
buttons ("Done" after options typed in parts, "Top problems", "Now" for the opening time)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.flows import DONE, SKIP, Ctx, TextStep, Wizard

Tapped = Callable[[Ctx, str], Awaitable[None]]


class TextOrTapStep(TextStep):
    """A :class:`~bot.flows.TextStep` whose own buttons (:meth:`~bot.flows.Step.button`) go to the
    ``@step.tapped`` handler with their value; text goes to ``@step.handle`` as in any text step."""

    def __init__(self, wizard: Wizard, name: str, *, max_len: int, min_len: int = 1) -> None:
        super().__init__(wizard, name, max_len=max_len, min_len=min_len)
        self._tapped: Tapped | None = None

    def tapped(self, function: Tapped) -> Tapped:
        """Decorator: ``async def (ctx, value)`` for a tap on one of this step's buttons."""
        self._tapped = function
        return function

    async def on_button(self, ctx: Ctx, value: str) -> None:
        if value in (SKIP, DONE) or self._tapped is None:
            await super().on_button(ctx, value)
            return
        await self._tapped(ctx, value)


def text_or_tap(wizard: Wizard, name: str, *, max_len: int, min_len: int = 1) -> TextOrTapStep:
    """Add a :class:`TextOrTapStep` to ``wizard`` (in order, like ``wizard.text``)."""
    step: Any = wizard._add(TextOrTapStep(wizard, name, max_len=max_len, min_len=min_len))  # noqa: SLF001
    return step
