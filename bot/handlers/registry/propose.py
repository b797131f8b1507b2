"""A resident proposes a new service: a wizard on the kit (``bot.flows``).

Name (3–150 characters) → what is needed and why (or "Skip") → for whom (or "Skip") → on behalf of a
vulnerable group (buttons; the question is replaced by the choice) → area (buttons) → a preview with
"Send". The draft lives in the FSM storage, so it survives restarts; the domain stores the
proposal, makes the proposer follow it and tells the municipality's officers in one transaction.
"""

from __future__ import annotations

from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery

from bot.domain import registry as reg
from bot.domain.residents import claim_prompt
from bot.flows import Ctx, Prompt, Wizard
from bot.handlers.registry.resident import show_card
from bot.i18n import N_, _, format_number
from bot.ui.messages import esc
from bot.ui.registry import AREA_LABELS, GROUP_LABELS, RegCb, area_label

NO_GROUP = "none"

wizard = Wizard("rgprop", cancelled=N_("Cancelled."))
name = wizard.text("name", max_len=reg.NAME_MAX, min_len=reg.NAME_MIN)
description = wizard.text("description", max_len=reg.DESCRIPTION_MAX)
recipients = wizard.text("recipients", max_len=reg.RECIPIENTS_MAX)
group = wizard.choice("group")
area = wizard.choice("area")
confirm = wizard.choice("confirm")


async def on_propose(callback: CallbackQuery, state: FSMContext, **deps: object) -> None:
    """"Propose a new service": start the wizard."""
    await wizard.start(callback, state, dict(deps), {})


@name.prompt
async def _ask_name(ctx: Ctx) -> Prompt:
    return Prompt(_(
        "<b>Propose a new service</b> · step 1 of 5\n"
        "What service is needed? Name it in a few words, {minimum} to {limit} characters. "
        "For example: <i>Transport for elderly people to the district hospital</i>.\n"
        "/cancel — stop."
    ).format(minimum=reg.NAME_MIN, limit=reg.NAME_MAX))


@name.handle
async def _got_name(ctx: Ctx, text: str | None) -> None:
    ctx.data["name"] = reg.check_text(text, limit=reg.NAME_MAX, minimum=reg.NAME_MIN)
    await ctx.goto(description)


@description.prompt
async def _ask_description(ctx: Ctx) -> Prompt:
    return Prompt(_("Step 2 of 5. Describe what is needed and why, up to {limit} characters.").format(
        limit=format_number(reg.DESCRIPTION_MAX)), skip=True)


@description.handle
async def _got_description(ctx: Ctx, text: str | None) -> None:
    ctx.data["description"] = reg.check_text(text, limit=reg.DESCRIPTION_MAX)
    await ctx.goto(recipients)


@recipients.prompt
async def _ask_recipients(ctx: Ctx) -> Prompt:
    return Prompt(_(
        "Step 3 of 5. For whom? Who would receive the service, up to {limit} characters "
        "(for example: <i>children with special needs</i>)."
    ).format(limit=reg.RECIPIENTS_MAX), skip=True)


@recipients.handle
async def _got_recipients(ctx: Ctx, text: str | None) -> None:
    ctx.data["recipients"] = reg.check_text(text, limit=reg.RECIPIENTS_MAX)
    await ctx.goto(group)


@group.prompt
async def _ask_group(ctx: Ctx) -> Prompt:
    rows = [[group.button(_(label), key)] for key, label in GROUP_LABELS.items()]
    rows.append([group.button(_("No, not on behalf of a group"), NO_GROUP)])
    return Prompt(_("Step 4 of 5. Do you propose it on behalf of a group?"), rows=rows)


@group.handle
async def _got_group(ctx: Ctx, value: str | None) -> None:
    if value != NO_GROUP and value not in GROUP_LABELS:
        return  # not a button of this step (the kit made them all): nothing to do
    ctx.data["group"] = None if value == NO_GROUP else value
    # the question is replaced by the answer (the chat keeps a record of the choice); step 5 follows
    if value == NO_GROUP:
        chosen = _("Step 4 of 5. On behalf of a group: no.")
    else:
        chosen = _("Step 4 of 5. On behalf of: {group}").format(group=_(GROUP_LABELS[value]))
    if ctx.message is not None:
        try:
            await ctx.message.edit_text(chosen, reply_markup=None)
        except TelegramBadRequest:  # an old message may not be editable: the choice is still taken
            pass
    await ctx.goto(area)


@area.prompt
async def _ask_area(ctx: Ctx) -> Prompt:
    buttons = [area.button(_(label), key) for key, label in AREA_LABELS.items()]
    return Prompt(_("Step 5 of 5. Which area does the service belong to?"),
                  rows=[buttons[i:i + 2] for i in range(0, len(buttons), 2)])


@area.handle
async def _got_area(ctx: Ctx, value: str | None) -> None:
    if value not in AREA_LABELS:
        return
    ctx.data["area"] = value
    await ctx.goto(confirm)


def _draft(ctx: Ctx) -> reg.Proposal:
    data = ctx.data
    return reg.Proposal(name=data.get("name", ""), description=data.get("description", ""),
                        recipients=data.get("recipients", ""), on_behalf_of=data.get("group"),
                        area=data.get("area", "other"), locale=ctx.locale)


@confirm.prompt
async def _preview(ctx: Ctx) -> Prompt:
    draft = _draft(ctx)
    lines = [_("<b>Check your proposal</b>"), _("Service: {name}").format(name=esc(draft.name))]
    if draft.description:
        lines.append(_("What is needed: {text}").format(text=esc(draft.description)))
    if draft.recipients:
        lines.append(_("For whom: {text}").format(text=esc(draft.recipients)))
    if draft.on_behalf_of:
        lines.append(_("On behalf of: {group}").format(group=_(GROUP_LABELS[draft.on_behalf_of])))
    lines.append(_("Area: {area}").format(area=area_label(draft.area, ctx.locale)))
    lines.append("")
    lines.append(_("Residents of your municipality will see it and can support it; the municipality considers it."))
    return Prompt("\n".join(lines), rows=[[confirm.button(_("✅ Send the proposal"), "send")]])


@confirm.handle
async def _send(ctx: Ctx, value: str | None) -> None:
    if value != "send":
        return
    message = ctx.message
    # a tap that outlived a restart of the step (two devices): claiming the preview message (atomic,
    # a primary key) lets exactly one tap create the proposal
    if message is not None and not await claim_prompt(ctx.db, message.chat.id, message.message_id):
        ctx.toast(_("This proposal is already sent."), alert=True)
        await ctx.state.clear()
        return
    service = await reg.propose(ctx.db, resident_id=ctx.resident.telegram_id, proposal=_draft(ctx))
    await ctx.state.clear()
    assert isinstance(ctx.event, CallbackQuery)
    await show_card(ctx.event, ctx.db, ctx.resident, ctx.locale, service.id, back=RegCb(a="area", v="proposals"))
    ctx.toast(_("✅ Your proposal is registered. You follow it and will be told when its status changes."),
              alert=True)
