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

from bot.flows.context import BACK, CANCEL, DONE, ONE_MESSAGE, RESUME, SKIP, SPLIT_TAIL_SECONDS, Ctx, Prompt, StepCallback
from bot.flows.middleware import KEEPS_STEP, MEANT_FOR_FORM_SECONDS, DomainErrorMiddleware, NavigationMiddleware
from bot.flows.steps import ChoiceStep, MediaStep, Step, TextStep
from bot.flows.wizard import CANCELLED, Wizard, say_in_step

__all__ = [
    "BACK", "CANCEL", "CANCELLED", "DONE", "KEEPS_STEP", "MEANT_FOR_FORM_SECONDS", "ONE_MESSAGE", "RESUME", "SKIP", "SPLIT_TAIL_SECONDS", "ChoiceStep",
    "Ctx", "DomainErrorMiddleware", "MediaStep", "NavigationMiddleware", "Prompt", "Step", "StepCallback", "TextStep", "say_in_step",
    "Wizard",
]
