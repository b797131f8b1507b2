"""Officers' wizards of the budget and the monitoring group, on the kit (``bot.flows``):

* **propose** — "🏛 Propose for the local budget": a budget hearing (or none) → the amount → proposed;
* **decide** — "⚖ The council's decision": accepted / partly / rejected → the amount (or the reason of a
  rejection) → the resolution's number → its date → recorded, followers told;
* **regulation** — the council's regulation approving the monitoring group: number → date;
* **answer** — "💬 Answer" under a monitoring report → the text → the author and followers told;
* **hide** — "🙈 Hide" under a report → the reason (told to the group) → hidden.
"""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup

from bot.db import Database
from bot.domain import plans
from bot.domain.officers import Officer
from bot.flows import Ctx, Prompt, Wizard
from bot.i18n import N_, _, format_number, ngettext
from bot.ui.messages import esc
from bot.ui.plans import PlanCb, day, keyboard, som


def _open(item_id: int) -> InlineKeyboardMarkup:
    return keyboard([[(_("Open the item"), PlanCb(a="oc", i=item_id))]])


# -- propose -----------------------------------------------------------------------------------------

propose = Wizard("plprop", cancelled=N_("Cancelled. Nothing was changed."))
pr_hearing = propose.choice("hearing")
pr_amount = propose.text("amount", max_len=30)


async def on_propose(callback: CallbackQuery, callback_data: PlanCb, db: Database, officer: Officer,
                     state: FSMContext, **deps: object) -> None:
    """"🏛 Propose for the local budget": at which hearing.

    Raises:
        ItemNotFound, WrongMunicipality: not an item of the officer's municipality.
    """
    item = await plans.officer_item(db, db, officer.telegram_id, callback_data.i)
    await propose.start(callback, state, {**deps, "db": db, "officer": officer}, {"item": item.id, "title": item.title})


@pr_hearing.prompt
async def _ask_hearing(ctx: Ctx) -> Prompt:
    hearings = await plans.budget_hearings(ctx.db, ctx.officer.municipality_code)
    rows = [[pr_hearing.button(
        f"{(h.get('title_' + ctx.locale) or h['title_ru'] or h['title_ky'])[:30]} · {day(str(h['starts_at'])[:10])}",
        str(h["id"]))] for h in hearings if h["topic"] == "budget_draft"]
    rows.append([pr_hearing.button(_("Without a hearing"), "0")])
    return Prompt(_("<b>{title}</b>\nAt which budget hearing is it proposed?").format(title=esc(ctx.data["title"])), rows=rows)


@pr_hearing.handle
async def _got_hearing(ctx: Ctx, value: str | None) -> None:
    if value is not None and value.isdigit():
        ctx.data["hearing"] = int(value) or None
        await ctx.goto(pr_amount)


@pr_amount.prompt
async def _ask_pr_amount(ctx: Ctx) -> Prompt:
    return Prompt(_("How much is asked from the local budget? Send the amount in whole som, for example 150000."))


@pr_amount.handle
async def _got_pr_amount(ctx: Ctx, text: str | None) -> None:
    amount = plans.parse_som(text, allow_zero=False)
    await plans.propose(ctx.db, officer_id=ctx.officer.telegram_id, item_id=int(ctx.data["item"]), requested=amount,
                        hearing_id=ctx.data.get("hearing"))
    await ctx.finish(_("✅ Proposed for the local budget: {amount}. Record the council's decision when it is "
                       "taken.").format(amount=som(amount)), _open(int(ctx.data["item"])))


# -- decide --------------------------------------------------------------------------------------------

decide = Wizard("pldec", cancelled=N_("Cancelled. Nothing was changed."))
de_decision = decide.choice("decision")
de_amount = decide.text("amount", max_len=30)
de_reason = decide.text("reason", max_len=plans.REASON_MAX, min_len=plans.REASON_MIN)
de_number = decide.text("number", max_len=plans.RESOLUTION_MAX)
de_date = decide.text("date", max_len=20)


async def on_decide(callback: CallbackQuery, callback_data: PlanCb, db: Database, officer: Officer,
                    state: FSMContext, **deps: object) -> None:
    """"⚖ The council's decision": which decision.

    Raises:
        ItemNotFound, WrongMunicipality. NoPendingProposal: nothing waits for a decision.
    """
    item = await plans.officer_item(db, db, officer.telegram_id, callback_data.i)
    view = await plans.item_view(db, item)
    if view.proposal is None or view.proposal.decision is not None:
        raise plans.NoPendingProposal("nothing waits")
    await decide.start(callback, state, {**deps, "db": db, "officer": officer},
                       {"item": item.id, "title": item.title, "requested": view.proposal.requested})


@de_decision.prompt
async def _ask_decision(ctx: Ctx) -> Prompt:
    return Prompt(_("<b>{title}</b>\nProposed: {amount}. What did the council decide?").format(
        title=esc(ctx.data["title"]), amount=som(int(ctx.data["requested"]))),
        rows=[[de_decision.button(_(text), key)] for key, text in plans.DECISIONS.items()])


@de_decision.handle
async def _got_decision(ctx: Ctx, value: str | None) -> None:
    if value in plans.DECISIONS:
        ctx.data["decision"] = value
        await ctx.goto(de_reason if value == "rejected" else de_amount)


@de_amount.prompt
async def _ask_de_amount(ctx: Ctx) -> Prompt:
    return Prompt(_("How much did the council put in the local budget? Send the amount in whole som."))


@de_amount.handle
async def _got_de_amount(ctx: Ctx, text: str | None) -> None:
    ctx.data["amount"] = plans.parse_som(text, allow_zero=False)
    await ctx.goto(de_number)


@de_reason.prompt
async def _ask_de_reason(ctx: Ctx) -> Prompt:
    return Prompt(_("Write the council's reason for rejecting, {minimum} to {limit} characters. The residents who "
                    "follow the item will receive it.").format(minimum=plans.REASON_MIN, limit=plans.REASON_MAX))


@de_reason.handle
async def _got_de_reason(ctx: Ctx, text: str | None) -> None:
    ctx.data["reason"] = text or ""
    await ctx.goto(de_number)


@de_number.prompt
async def _ask_number(ctx: Ctx) -> Prompt:
    return Prompt(_("Send the number of the council resolution, for example 12-3."))


@de_number.handle
async def _got_number(ctx: Ctx, text: str | None) -> None:
    ctx.data["number"] = text or ""
    await ctx.goto(de_date)


@de_date.prompt
async def _ask_date(ctx: Ctx) -> Prompt:
    return Prompt(_("Send the date of the council resolution as DD.MM.YYYY, for example 20.01.2027."))


@de_date.handle
async def _got_date(ctx: Ctx, text: str | None) -> None:
    data = ctx.data
    decided = await plans.decide(ctx.db, officer_id=ctx.officer.telegram_id, item_id=int(data["item"]),
                                 decision=data["decision"], amount=data.get("amount"), reason=data.get("reason") or "",
                                 resolution_number=data["number"], resolution_date=plans.parse_date(text))
    await ctx.finish(_("✅ The council's decision is recorded: {decision}.").format(
        decision=_(plans.DECISIONS[decided.decision or "rejected"])), _open(int(data["item"])))


# -- regulation of the monitoring group -------------------------------------------------------------------

regulation = Wizard("plreg", cancelled=N_("Cancelled. Nothing was changed."))
rg_number = regulation.text("number", max_len=plans.RESOLUTION_MAX)
rg_date = regulation.text("date", max_len=20)


async def on_regulation(callback: CallbackQuery, state: FSMContext, **deps: object) -> None:
    """"📜 Council regulation": its number."""
    await regulation.start(callback, state, dict(deps), {})


@rg_number.prompt
async def _ask_rg_number(ctx: Ctx) -> Prompt:
    return Prompt(_("Send the number of the council's regulation approving the monitoring group."))


@rg_number.handle
async def _got_rg_number(ctx: Ctx, text: str | None) -> None:
    ctx.data["number"] = text or ""
    await ctx.goto(rg_date)


@rg_date.prompt
async def _ask_rg_date(ctx: Ctx) -> Prompt:
    return Prompt(_("Send the date of the regulation as DD.MM.YYYY."))


@rg_date.handle
async def _got_rg_date(ctx: Ctx, text: str | None) -> None:
    group = await plans.set_regulation(ctx.db, officer_id=ctx.officer.telegram_id, number=ctx.data["number"],
                                       on=plans.parse_date(text))
    await ctx.finish(_("✅ Recorded: regulation No. {number} of {date}.").format(
        number=esc(group.regulation_number), date=day(group.regulation_date) if group.regulation_date else ""),
        keyboard([[(_("« Monitoring group"), PlanCb(a="grp"))]]))


# -- answer / hide a monitoring report ------------------------------------------------------------------

answer = Wizard("planswer", cancelled=N_("Cancelled. Nothing was sent."))
an_text = answer.text("text", max_len=plans.NOTE_MAX, min_len=2)
hide = Wizard("plhide", cancelled=N_("Cancelled. Nothing was changed."))
hi_reason = hide.text("reason", max_len=plans.REASON_MAX, min_len=plans.REASON_MIN)


async def on_answer(callback: CallbackQuery, callback_data: PlanCb, db: Database, officer: Officer,
                    state: FSMContext, **deps: object) -> None:
    """"💬 Answer" under a report: its text.

    Raises:
        ReportNotFound, WrongMunicipality.
    """
    item, report = await plans.report_for_officer(db, officer_id=officer.telegram_id, report_id=callback_data.i)
    await answer.start(callback, state, {**deps, "db": db, "officer": officer}, {"report": report.id, "item": item.id})


@an_text.prompt
async def _ask_answer(ctx: Ctx) -> Prompt:
    return Prompt(_("Write the answer to the monitoring report #{id}, up to {limit} characters. Its author and the "
                    "residents who follow the item will receive it.").format(id=ctx.data["report"], limit=plans.NOTE_MAX))


@an_text.handle
async def _got_answer(ctx: Ctx, text: str | None) -> None:
    count = await plans.answer(ctx.db, officer_id=ctx.officer.telegram_id, report_id=int(ctx.data["report"]),
                               text=text or "")
    await ctx.finish(ngettext("✅ The answer is sent to {count} resident.", "✅ The answer is sent to {count} residents.",
                              count).format(count=format_number(count)), _open(int(ctx.data["item"])))


async def on_hide(callback: CallbackQuery, callback_data: PlanCb, db: Database, officer: Officer,
                  state: FSMContext, **deps: object) -> None:
    """"🙈 Hide" under a report: the reason.

    Raises:
        ReportNotFound, WrongMunicipality.
    """
    item, report = await plans.report_for_officer(db, officer_id=officer.telegram_id, report_id=callback_data.i)
    await hide.start(callback, state, {**deps, "db": db, "officer": officer}, {"report": report.id, "item": item.id})


@hi_reason.prompt
async def _ask_hide(ctx: Ctx) -> Prompt:
    return Prompt(_("Write why the report #{id} is hidden, {minimum} to {limit} characters. The monitoring group will "
                    "see the reason.").format(id=ctx.data["report"], minimum=plans.REASON_MIN, limit=plans.REASON_MAX))


@hi_reason.handle
async def _got_hide(ctx: Ctx, text: str | None) -> None:
    hidden = await plans.hide(ctx.db, officer_id=ctx.officer.telegram_id, report_id=int(ctx.data["report"]),
                              reason=text or "")
    await ctx.finish(_("✅ The report is hidden; the monitoring group is told why.") if hidden
                     else _("The report was already hidden."), _open(int(ctx.data["item"])))


WIZARDS = (propose, decide, regulation, answer, hide)
"""The budget and monitoring wizards (registered on the officer router)."""
