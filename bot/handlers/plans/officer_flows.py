"""Officers' wizards of the action plan, on the kit (``bot.flows``), each started from a button of
:mod:`.officer`:

* **new** — "➕ New item" / "🌱 New local initiative": year → title → priority problems (numbers, or
  Skip) → responsible party (an initiative: the initiative group) → its name (or Skip) → steps, one per
  line ``title — DD.MM.YYYY`` (or Skip) → money: a source, its amount, again, until "✅ Save";
* **deadline** — a step → its new date → the reason (followers are told it);
* **money** — a source → the new planned amount → the reason (followers are told it);
* **spent** — a source → the amount spent (for the execution hearing).

Every text is bounded by the kit and checked again by the domain; refusals are the domain's typed
errors, explained where the officer is, and the step stays.
"""

from __future__ import annotations

from datetime import date

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup

from bot.db import Database
from bot.domain import plans
from bot.domain.clock import clock
from bot.domain.officers import Officer
from bot.flows import Ctx, Prompt, Wizard
import bot.i18n as i18n
from bot.i18n import N_, _, format_number, ngettext, numbered
from bot.ui.messages import esc
from bot.ui.plans import PlanCb, keyboard, label, short_day, som, step_label


def _open(item_id: int) -> InlineKeyboardMarkup:
    return keyboard([[(_("Open the item"), PlanCb(a="oc", i=item_id))]])


def _this_year() -> int:
    return clock.now().astimezone(i18n.display_timezone()).year


def _told(count: int) -> str:
    return ngettext("{count} follower will be notified.", "{count} followers will be notified.", count).format(
        count=format_number(count))


# -- new: an item of the plan, or a local initiative --------------------------------------------------

new = Wizard("plnew", cancelled=N_("Cancelled. Nothing was saved."))
year_step = new.choice("year")
title_step = new.text("title", max_len=plans.TITLE_MAX, min_len=plans.TITLE_MIN)
problems_step = new.text("problems", max_len=200)
responsible_step = new.choice("responsible")
name_step = new.text("name", max_len=plans.NAME_MAX)
steps_step = new.text("steps", max_len=3000)
source_step = new.choice("source")
amount_step = new.text("amount", max_len=30)


async def on_new(callback: CallbackQuery, callback_data: PlanCb, state: FSMContext, **deps: object) -> None:
    """"➕ New item" (``v`` = ``initiative`` for a local initiative): ask for the year."""
    kind = "initiative" if callback_data.v == "initiative" else "plan"
    await new.start(callback, state, dict(deps), {"kind": kind, "money": {}})


@year_step.prompt
async def _ask_year(ctx: Ctx) -> Prompt:
    year = _this_year()
    title = _("<b>New local initiative</b>") if ctx.data["kind"] == "initiative" else _("<b>New action-plan item</b>")
    return Prompt(title + "\n" + _("For which year?"),
                  rows=[[year_step.button(str(y), str(y)) for y in (year, year + 1)]])


@year_step.handle
async def _got_year(ctx: Ctx, value: str | None) -> None:
    if value and value.isdigit() and abs(int(value) - _this_year()) <= 1:
        ctx.data["year"] = int(value)
        await ctx.goto(title_step)


@title_step.prompt
async def _ask_title(ctx: Ctx) -> Prompt:
    return Prompt(_("Send the title of the item, {minimum} to {limit} characters, for example: "
                    "<i>Replace the water pipe on Manas street</i>.").format(minimum=plans.TITLE_MIN,
                                                                            limit=plans.TITLE_MAX))


@title_step.handle
async def _got_title(ctx: Ctx, text: str | None) -> None:
    ctx.data["title"] = plans.check_text(text, limit=plans.TITLE_MAX, minimum=plans.TITLE_MIN)
    await ctx.goto(problems_step)


@problems_step.prompt
async def _ask_problems(ctx: Ctx) -> Prompt:
    return Prompt(_("Which priority problems does it solve? Send their numbers separated by commas, for example: "
                    "12, 15. Their authors and supporters will follow the item."), skip=True)


@problems_step.handle
async def _got_problems(ctx: Ctx, text: str | None) -> None:
    ctx.data["problems"] = await plans.check_problems(
        ctx.db, officer_id=ctx.officer.telegram_id, problem_ids=plans.parse_problem_ids(text)) if text else []
    if ctx.data["kind"] == "initiative":
        ctx.data["responsible"] = "initiative_group"
        await ctx.goto(name_step)
    else:
        await ctx.goto(responsible_step)


@responsible_step.prompt
async def _ask_responsible(ctx: Ctx) -> Prompt:
    return Prompt(_("Who is responsible for it?"),
                  rows=[[responsible_step.button(_(text), key)] for key, text in plans.RESPONSIBLE.items()])


@responsible_step.handle
async def _got_responsible(ctx: Ctx, value: str | None) -> None:
    if value in plans.RESPONSIBLE:
        ctx.data["responsible"] = value
        await ctx.goto(name_step)


@name_step.prompt
async def _ask_name(ctx: Ctx) -> Prompt:
    return Prompt(_("Send the name of the responsible party (the enterprise, the initiative group's leader), up to "
                    "{limit} characters, or tap “⏭ Skip”.").format(limit=plans.NAME_MAX), skip=True)


@name_step.handle
async def _got_name(ctx: Ctx, text: str | None) -> None:
    ctx.data["name"] = text or ""
    await ctx.goto(steps_step)


@steps_step.prompt
async def _ask_steps(ctx: Ctx) -> Prompt:
    return Prompt(_("Send the steps, one per line, each with its deadline, for example:\n"
                    "<i>Estimate — 01.03.2027\nBuy the pipes — 31.05.2027</i>\nAt most {count} steps.").format(
        count=plans.STEPS_MAX), skip=True)


@steps_step.handle
async def _got_steps(ctx: Ctx, text: str | None) -> None:
    steps = plans.parse_steps(text, limit=plans.STEP_MAX, most=plans.STEPS_MAX) if text else []
    ctx.data["steps"] = [[title, deadline.isoformat()] for title, deadline in steps]
    await ctx.goto(source_step)


@source_step.prompt
async def _ask_source(ctx: Ctx) -> Prompt:
    money: dict[str, int] = ctx.data.get("money") or {}
    lines = [_("Money by source. Choose a source to enter its amount in som, then “✅ Save”.")]
    lines += [f"• {label(plans.SOURCES, s)}: {som(a)}" for s, a in money.items()]
    rows = [[source_step.button(_(text), key)] for key, text in plans.SOURCES.items()]
    rows.append([source_step.button(_("✅ Save"), "save")])
    return Prompt("\n".join(lines), rows=rows)


@source_step.handle
async def _got_source(ctx: Ctx, value: str | None) -> None:
    if value == "save":
        await _create(ctx)
    elif value in plans.SOURCES:
        ctx.data["source"] = value
        await ctx.goto(amount_step)


@amount_step.prompt
async def _ask_amount(ctx: Ctx) -> Prompt:
    return Prompt(_("{source}: send the amount in whole som, for example 150000.").format(
        source=label(plans.SOURCES, ctx.data.get("source"))))


@amount_step.handle
async def _got_amount(ctx: Ctx, text: str | None) -> None:
    ctx.data.setdefault("money", {})[ctx.data["source"]] = plans.parse_som(text)
    ctx.data["_trail"] = [n for n in ctx.data.get("_trail", []) if n != amount_step.name]
    await ctx.goto(source_step)


async def _create(ctx: Ctx) -> None:
    data = ctx.data
    view = await plans.create_item(
        ctx.db, officer_id=ctx.officer.telegram_id, title=data["title"], year=int(data["year"]),
        responsible=data["responsible"], responsible_name=data.get("name") or "", problem_ids=data.get("problems") or [],
        steps=[(t, date.fromisoformat(d)) for t, d in data.get("steps") or []], money=data.get("money") or {},
        kind=data["kind"])
    text = _("✅ Saved: <b>{title}</b> (#{id}).").format(title=esc(view.item.title), id=view.item.id)
    if view.problems:
        text += "\n" + _("Problems {numbers} are now in the joint action plan.").format(
            numbers=", ".join(numbered(p) for p in view.problems)) + "\n" + _told(view.followers)
    await ctx.finish(text, _open(view.item.id))


# -- deadline: a step's new date, with the reason --------------------------------------------------------

deadline = Wizard("pldl", cancelled=N_("Cancelled. Nothing was changed."))
dl_step = deadline.choice("step")
dl_date = deadline.text("date", max_len=20)
dl_reason = deadline.text("reason", max_len=plans.REASON_MAX, min_len=plans.REASON_MIN)


async def on_deadline(callback: CallbackQuery, callback_data: PlanCb, db: Database, officer: Officer,
                      state: FSMContext, **deps: object) -> None:
    """"🗓 Change a deadline": which step.

    Raises:
        ItemNotFound, WrongMunicipality: not an item of the officer's municipality.
    """
    item = await plans.officer_item(db, db, officer.telegram_id, callback_data.i)
    await deadline.start(callback, state, {**deps, "db": db, "officer": officer}, {"item": item.id})


@dl_step.prompt
async def _ask_dl_step(ctx: Ctx) -> Prompt:
    item = await plans.officer_item(ctx.db, ctx.db, ctx.officer.telegram_id, int(ctx.data["item"]))
    view = await plans.item_view(ctx.db, item)
    rows = [[dl_step.button(step_label(s.title, f" · {short_day(s.deadline)}"), str(s.id))] for s in view.steps]
    return Prompt(_("Which step's deadline changes?") if rows else _("This item has no steps."), rows=rows)


@dl_step.handle
async def _got_dl_step(ctx: Ctx, value: str | None) -> None:
    if value and value.isdigit():
        ctx.data["step"] = int(value)
        await ctx.goto(dl_date)


@dl_date.prompt
async def _ask_dl_date(ctx: Ctx) -> Prompt:
    return Prompt(_("Send the new deadline as DD.MM.YYYY, for example 31.05.2027."))


@dl_date.handle
async def _got_dl_date(ctx: Ctx, text: str | None) -> None:
    ctx.data["date"] = plans.parse_date(text).isoformat()
    await ctx.goto(dl_reason)


@dl_reason.prompt
async def _ask_reason(ctx: Ctx) -> Prompt:
    return Prompt(_("Write the reason for the change, {minimum} to {limit} characters. The residents who follow the "
                    "item will receive it.").format(minimum=plans.REASON_MIN, limit=plans.REASON_MAX))


@dl_reason.handle
async def _got_dl_reason(ctx: Ctx, text: str | None) -> None:
    count = await plans.change_deadline(ctx.db, officer_id=ctx.officer.telegram_id, item_id=int(ctx.data["item"]),
                                        step_id=int(ctx.data["step"]), deadline=date.fromisoformat(ctx.data["date"]),
                                        reason=text or "")
    await ctx.finish(_("✅ The deadline is changed.") + "\n" + _told(count), _open(int(ctx.data["item"])))


# -- money: planned (told, with the reason) or spent -------------------------------------------------------

money = Wizard("plmo", cancelled=N_("Cancelled. Nothing was changed."))
mo_source = money.choice("source")
mo_amount = money.text("amount", max_len=30)
mo_reason = money.text("reason", max_len=plans.REASON_MAX, min_len=plans.REASON_MIN)


async def on_money(callback: CallbackQuery, callback_data: PlanCb, db: Database, officer: Officer,
                   state: FSMContext, **deps: object) -> None:
    """"💰 Change the planned money" (``v`` empty) or "💵 Record spending" (``v`` = ``spent``).

    Raises:
        ItemNotFound, WrongMunicipality: not an item of the officer's municipality.
    """
    item = await plans.officer_item(db, db, officer.telegram_id, callback_data.i)
    await money.start(callback, state, {**deps, "db": db, "officer": officer},
                      {"item": item.id, "spent": callback_data.v == "spent"})


@mo_source.prompt
async def _ask_mo_source(ctx: Ctx) -> Prompt:
    question = _("Spending from which source?") if ctx.data["spent"] else _("Planned money of which source changes?")
    return Prompt(question, rows=[[mo_source.button(_(text), key)] for key, text in plans.SOURCES.items()])


@mo_source.handle
async def _got_mo_source(ctx: Ctx, value: str | None) -> None:
    if value in plans.SOURCES:
        ctx.data["source"] = value
        await ctx.goto(mo_amount)


mo_amount.prompt(_ask_amount)


@mo_amount.handle
async def _got_mo_amount(ctx: Ctx, text: str | None) -> None:
    amount = plans.parse_som(text)
    item_id = int(ctx.data["item"])
    if ctx.data["spent"]:
        await plans.record_spent(ctx.db, officer_id=ctx.officer.telegram_id, item_id=item_id,
                                 source=ctx.data["source"], amount=amount)
        await ctx.finish(_("✅ Recorded: {amount} spent.").format(amount=som(amount)), _open(item_id))
        return
    ctx.data["amount"] = amount
    await ctx.goto(mo_reason)


mo_reason.prompt(_ask_reason)


@mo_reason.handle
async def _got_mo_reason(ctx: Ctx, text: str | None) -> None:
    count = await plans.change_money(ctx.db, officer_id=ctx.officer.telegram_id, item_id=int(ctx.data["item"]),
                                     source=ctx.data["source"], amount=int(ctx.data["amount"]), reason=text or "")
    await ctx.finish(_("✅ The planned money is changed.") + "\n" + _told(count), _open(int(ctx.data["item"])))


# -- extend: more problems, more steps ---------------------------------------------------------------------

extend = Wizard("plext", cancelled=N_("Cancelled. Nothing was changed."))
ex_problems = extend.text("problems", max_len=200)
ex_steps = extend.text("steps", max_len=3000)


async def on_extend(callback: CallbackQuery, callback_data: PlanCb, db: Database, officer: Officer,
                    state: FSMContext, **deps: object) -> None:
    """"🔗 Link problems, add steps": the problem numbers (or Skip), then the steps (or Skip).

    Raises:
        ItemNotFound: not an item of the officer's municipality.
    """
    item = await plans.officer_item(db, db, officer.telegram_id, callback_data.i)
    await extend.start(callback, state, {**deps, "db": db, "officer": officer}, {"item": item.id})


ex_problems.prompt(_ask_problems)
ex_steps.prompt(_ask_steps)


@ex_problems.handle
async def _got_ex_problems(ctx: Ctx, text: str | None) -> None:
    ctx.data["problems"] = await plans.check_problems(
        ctx.db, officer_id=ctx.officer.telegram_id, problem_ids=plans.parse_problem_ids(text)) if text else []
    await ctx.goto(ex_steps)


@ex_steps.handle
async def _got_ex_steps(ctx: Ctx, text: str | None) -> None:
    steps = plans.parse_steps(text, limit=plans.STEP_MAX, most=plans.STEPS_MAX) if text else []
    view = await plans.add_to_item(ctx.db, officer_id=ctx.officer.telegram_id, item_id=int(ctx.data["item"]),
                                   problem_ids=ctx.data.get("problems") or [], steps=steps)
    await ctx.finish(_("✅ Saved: <b>{title}</b> (#{id}).").format(title=esc(view.item.title), id=view.item.id),
                     _open(view.item.id))


WIZARDS = (new, deadline, money, extend)
"""The action-plan wizards (registered on the officer router)."""
