"""Officers and the action plan: ``/plans`` (the municipality's plan and local initiatives), the
officer's item card with its actions, steps marked done, the item's status, ``/monitoring_group``
(regulation, invite codes, members), ``/plan_report [year]`` (the execution hearing's message series
and CSV, attachable to a scheduled execution hearing) and ``/figures``. The wizards live in
:mod:`.officer_flows` and :mod:`.budget_flows`.

Every handler is behind :func:`bot.handlers.roles.officer_router`; the domain checks the item's
municipality again inside each change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer

import bot.i18n as i18n
from bot.db import Database
from bot.domain import municipalities as geo
from bot.domain import officers as roles
from bot.domain import plans
from bot.domain.clock import clock
from bot.domain.officers import Officer
from bot.domain.spreadsheet import export_filename
from bot.handlers.roles import officer_router
from bot.i18n import _, format_number
from bot.domain.text import utf16_length
from bot.ui.messages import answer_screen, edit_or_send, esc
from bot.ui.keyboards import item_label, with_menu
from bot.ui.keyboards import label as button_label
from bot.ui.plans import (
    PlanCb,
    export_header,
    export_labels,
    export_steps,
    figures_text,
    item_card,
    item_list,
    keyboard,
    label,
    progress_label,
    som,
)


def _year() -> int:
    return clock.now().astimezone(i18n.display_timezone()).year


async def plans_view(db: Database, officer: Officer, locale: str) -> tuple[str, InlineKeyboardMarkup]:
    """The officer's plan: every item and initiative, with the tools."""
    items = await plans.plan_of(db, officer.municipality_code)
    extra = [(_("➕ New action-plan item"), PlanCb(a="new")), (_("🌱 New local initiative"), PlanCb(a="new", v="initiative")),
             (_("📊 Budget execution report"), PlanCb(a="exec")), (_("👥 Monitoring group"), PlanCb(a="grp")),
             (_("📈 Figures"), PlanCb(a="fig"))]
    return item_list(items, locale, _("<b>Joint action plan</b> (officer)"), action="oc", extra=extra)


async def card_view(db: Database, officer: Officer, locale: str, item_id: int) -> tuple[str, InlineKeyboardMarkup]:
    """The officer's card of an item with its actions.

    Raises:
        ItemNotFound, WrongMunicipality.
    """
    item = await plans.officer_item(db, db, officer.telegram_id, item_id)
    view = await plans.item_view(db, item)
    reports = await plans.reports_on(db, item)
    text = item_card(view, reports, locale, officer=True, authors=await plans.authors(db, reports, officer=True))
    i = item.id
    rows: list[list[tuple[str, PlanCb]]] = [
        [(_("🗓 Change a deadline"), PlanCb(a="dl", i=i)), (_("✔ Mark a step done"), PlanCb(a="sdm", i=i))],
        [(_("💰 Change the planned money"), PlanCb(a="mo", i=i)), (_("💵 Record spending"), PlanCb(a="mo", i=i, v="spent"))],
    ]
    rows.append([(_("🔗 Link problems, add steps"), PlanCb(a="ext", i=i))])
    if view.proposal is not None and view.proposal.decision is None:
        rows.append([(_("⚖ The council's decision"), PlanCb(a="dec", i=i))])
    else:
        rows.append([(_("🏛 Propose for the local budget"), PlanCb(a="prop", i=i))])
    rows.append([(f"▶ {label(plans.ITEM_STATUSES, s)}", PlanCb(a="st", i=i, v=s))
                 for s in ("in_progress", "done") if s != item.status])
    rows.append([(_("« Back"), PlanCb(a="olist"))])
    return text, keyboard(rows)


async def cmd_plans(message: Message, db: Database, officer: Officer, locale: str) -> None:
    """/plans: the officer's action plan."""
    text, markup = await plans_view(db, officer, locale)
    await answer_screen(message, text, markup)


async def on_list(callback: CallbackQuery, db: Database, officer: Officer, locale: str) -> None:
    text, markup = await plans_view(db, officer, locale)
    await edit_or_send(callback, text, markup)


async def on_card(callback: CallbackQuery, callback_data: PlanCb, db: Database, officer: Officer, locale: str) -> None:
    text, markup = await card_view(db, officer, locale, callback_data.i)
    await edit_or_send(callback, text, markup)


async def on_steps_menu(callback: CallbackQuery, callback_data: PlanCb, db: Database, officer: Officer) -> None:
    """The steps not yet done, one button each."""
    item = await plans.officer_item(db, db, officer.telegram_id, callback_data.i)
    view = await plans.item_view(db, item)
    rows = [[(item_label("✔", s.title), PlanCb(a="sd", i=item.id, v=str(s.id)))] for s in view.steps if not s.done_at]
    rows.append([(_("« Back"), PlanCb(a="oc", i=item.id))])
    await edit_or_send(callback, _("Which step is done?") if len(rows) > 1 else _("Every step is done."), keyboard(rows))


async def on_step_done(callback: CallbackQuery, callback_data: PlanCb, db: Database, officer: Officer, locale: str,
                       callback_answer: CallbackAnswer) -> None:
    step_id = int(callback_data.v) if callback_data.v.isdigit() else 0
    done = await plans.mark_step_done(db, officer_id=officer.telegram_id, item_id=callback_data.i, step_id=step_id)
    callback_answer.text = _("The step is marked done.") if done else _("This step was already done.")
    text, markup = await card_view(db, officer, locale, callback_data.i)
    await edit_or_send(callback, text, markup)


async def on_status(callback: CallbackQuery, callback_data: PlanCb, db: Database, officer: Officer, locale: str,
                    callback_answer: CallbackAnswer) -> None:
    item = await plans.set_status(db, officer_id=officer.telegram_id, item_id=callback_data.i, status=callback_data.v)
    callback_answer.text = label(plans.ITEM_STATUSES, item.status)
    text, markup = await card_view(db, officer, locale, item.id)
    await edit_or_send(callback, text, markup)


# -- the monitoring group ----------------------------------------------------------------------------------


async def group_view(db: Database, officer: Officer) -> tuple[str, InlineKeyboardMarkup]:
    group = await plans.group(db, officer.municipality_code)
    lines = [_("<b>Joint monitoring and evaluation group</b>"),
             _("Members: {count}").format(count=format_number(group.members))]
    if group.regulation_number:
        lines.append(_("Approved by the council: regulation No. {number} of {date}.").format(
            number=esc(group.regulation_number),
            date=i18n.format_date(group.regulation_date) if group.regulation_date else ""))
    else:
        lines.append(_("The council's regulation approving the group is not recorded yet."))
    rows = [[(_("🎟 Invite code"), PlanCb(a="inv"))], [(_("📜 Council regulation"), PlanCb(a="reg"))],
            [(_("« Back"), PlanCb(a="olist"))]]
    return "\n".join(lines), keyboard(rows)


async def cmd_group(message: Message, db: Database, officer: Officer) -> None:
    """/monitoring_group: the group of the officer's municipality."""
    text, markup = await group_view(db, officer)
    await answer_screen(message, text, markup)


async def on_group(callback: CallbackQuery, db: Database, officer: Officer) -> None:
    text, markup = await group_view(db, officer)
    await edit_or_send(callback, text, markup)


async def on_invite(callback: CallbackQuery, db: Database, officer: Officer, bot: Bot) -> None:
    """A one-time code for a member approved by the council."""
    invite = await plans.create_invite(db, officer_id=officer.telegram_id)
    await bot.send_message(officer.telegram_id, _(
        "Invite code for the monitoring group: <code>{code}</code>\nGive it to one member approved by the council; "
        "they send /monitoring {code} to the bot. The code works once, for {days} days.").format(
        code=roles.format_invite_code(invite.code), days=plans.model.INVITE_TTL_DAYS), reply_markup=with_menu())


# -- reporting back and figures -------------------------------------------------------------------------------


async def _send_report(bot: Bot, db: Database, officer: Officer, locale: str, year: int) -> str | None:
    """The message series and the CSV for ``year``; returns the sent document's file_id."""
    report = await plans.execution_report(db, officer_id=officer.telegram_id, year=year)
    header = _("<b>Report for the execution hearing, {year}</b>\nItems: {count}, done: {done}. Money planned: {planned}, "
               "spent: {spent}.").format(year=year, count=len(report.lines), done=report.done,
                                        planned=som(report.planned), spent=som(report.spent))
    lines = []
    for line in report.lines:
        text = _("<b>#{id} {title}</b> · {status}\nSteps done: {done} of {total}. Planned {planned}, spent {spent}.").format(
            id=line.item.id, title=esc(line.item.title), status=label(plans.ITEM_STATUSES, line.item.status),
            done=line.steps_done, total=line.steps_total, planned=som(line.planned), spent=som(line.spent))
        if line.accepted is not None:
            text += "\n" + _("In the local budget on citizens' proposal: {amount}.").format(amount=som(line.accepted))
        if line.reports:
            text += "\n" + _("Monitoring reports: {count}, the last: {progress}.").format(
                count=line.reports, progress=progress_label(line.last_progress))
        for finding in line.findings:
            text += "\n— " + esc(finding[:300])
        lines.append(text)
    await answer_lines_to(bot, officer.telegram_id, header, lines)
    data = plans.report_csv(report, export_header(locale), export_labels(locale), steps=export_steps(locale))
    sent = await bot.send_document(officer.telegram_id, BufferedInputFile(
        data, filename=export_filename(f"execution-{officer.municipality_code}-{year}", "csv", clock.now())),
        caption=_("The report as a table (CSV, UTF-8) for the execution hearing."), reply_markup=with_menu())
    return sent.document.file_id if sent.document else None


async def answer_lines_to(bot: Bot, chat_id: int, header: str, lines: list[str], limit: int = 4000) -> None:
    """``header`` and ``lines`` (each HTML-safe and self-contained) in as few messages as fit under
    Telegram's limit, never cutting a line (as :func:`bot.ui.messages.answer_lines`, to a chat)."""
    chunk = header
    for line in lines:
        candidate = f"{chunk}\n\n{line}" if chunk else line
        if utf16_length(candidate) > limit:
            await bot.send_message(chat_id, chunk)
            candidate = line
        chunk = candidate
    if chunk:
        await bot.send_message(chat_id, chunk)


async def cmd_report(message: Message, command: CommandObject, db: Database, officer: Officer, locale: str,
                     bot: Bot) -> None:
    """/plan_report [year]: the report for the execution hearing (default: last year)."""
    arg = (command.args or "").strip()
    year = int(arg) if arg.isdigit() and 2000 <= int(arg) <= 2100 else _year() - 1
    await _send_report(bot, db, officer, locale, year)
    await _offer_attach(bot, db, officer, year)


async def on_exec(callback: CallbackQuery, db: Database, officer: Officer, locale: str, bot: Bot) -> None:
    """The report for the execution hearing: the current year's plan."""
    await _send_report(bot, db, officer, locale, _year())
    await _offer_attach(bot, db, officer, _year())


async def _offer_attach(bot: Bot, db: Database, officer: Officer, year: int) -> None:
    hearings = await plans.execution_hearings(db, officer_id=officer.telegram_id)
    if hearings:
        first, other = ("title_ky", "title_ru") if i18n.current_locale() == "ky" else ("title_ru", "title_ky")
        rows = [[(_("📎 Attach to «{title}»").format(title=button_label(str(h[first] or h[other] or ""), 20)),
                  PlanCb(a="att", i=int(str(h["id"])), p=year))] for h in hearings]
        await bot.send_message(officer.telegram_id, _("Attach the file to the announcement of an execution hearing?"),
                               reply_markup=with_menu(keyboard(rows)))


async def on_attach(callback: CallbackQuery, callback_data: PlanCb, db: Database, officer: Officer, locale: str,
                    bot: Bot, callback_answer: CallbackAnswer) -> None:
    """Attach a fresh copy of the report's file to the chosen scheduled execution hearing."""
    year = callback_data.p or _year()
    report = await plans.execution_report(db, officer_id=officer.telegram_id, year=year)
    sent = await bot.send_document(officer.telegram_id, BufferedInputFile(
        plans.report_csv(report, export_header(locale), export_labels(locale), steps=export_steps(locale)),
        filename=export_filename(f"execution-{officer.municipality_code}-{year}", "csv", clock.now())),
        caption=_("This file is attached to the hearing's announcement."))
    if sent.document is not None:
        await plans.attach_to_hearing(db, officer_id=officer.telegram_id, hearing_id=callback_data.i,
                                      file_id=sent.document.file_id)
        callback_answer.text = _("Attached to the hearing.")


async def _figures(db: Database, officer: Officer, locale: str) -> str:
    place = await geo.get_municipality(db, officer.municipality_code)
    local = figures_text(await plans.figures(db, officer.municipality_code),
                         place.name(locale) if place else officer.municipality_code, locale)
    return local + "\n\n" + figures_text(await plans.figures(db), _("Kyrgyzstan"), locale)


async def cmd_figures(message: Message, db: Database, officer: Officer, locale: str) -> None:
    """/figures: the programme's figures for the municipality and the country."""
    await message.answer(await _figures(db, officer, locale), reply_markup=with_menu())


async def on_figures(callback: CallbackQuery, db: Database, officer: Officer, locale: str) -> None:
    await edit_or_send(callback, await _figures(db, officer, locale), keyboard([[(_("« Back"), PlanCb(a="olist"))]]))


def build_router() -> Router:
    """A new router with the officers' plan screens and wizards (register before the fallback)."""
    from bot.handlers.plans import budget_flows, officer_flows

    router = officer_router("plans_officer")
    router.message.register(cmd_plans, Command("plans"))
    router.message.register(cmd_group, Command("monitoring_group"))
    router.message.register(cmd_report, Command("plan_report"))
    router.message.register(cmd_figures, Command("figures"))
    screens: dict[str, Callable[..., Any]] = {"olist": on_list, "oc": on_card, "sdm": on_steps_menu, "sd": on_step_done, "grp": on_group,
               "inv": on_invite, "exec": on_exec, "att": on_attach, "fig": on_figures,
               "new": officer_flows.on_new, "ext": officer_flows.on_extend, "dl": officer_flows.on_deadline, "mo": officer_flows.on_money,
               "prop": budget_flows.on_propose, "dec": budget_flows.on_decide, "reg": budget_flows.on_regulation,
               "ans": budget_flows.on_answer, "hide": budget_flows.on_hide}
    for action, handler in screens.items():
        router.callback_query.register(handler, PlanCb.filter(F.a == action))
    router.callback_query.register(on_status, PlanCb.filter((F.a == "st") & F.v.in_({"in_progress", "done"})))
    for wizard in (*officer_flows.WIZARDS, *budget_flows.WIZARDS):
        wizard.register(router)
    return router
