"""Residents and the action plan: ``/plan`` (the municipality's plan and local initiatives as a list),
an item's card (steps, deadlines, money, the council's decision, monitoring reports), and the
monitoring group: ``/monitoring CODE`` joins, ``/monitoring`` shows the member's items to report on
and "Leave the group". Reporting is the wizard in :mod:`.report`.

A resident reads only their own municipality's items (another's are "not found").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.db import Database
from bot.domain import officers as roles
from bot.domain import plans
from bot.domain.residents import Resident
from bot.handlers.problems.gate import resident_router
from bot.i18n import _, numbered
from bot.ui.messages import edit_or_send, send_photos
from bot.ui.keyboards import item_label, with_menu
from bot.ui.plans import CARD_REPORTS, PlanCb, button, item_card, item_list, keyboard


async def list_view(db: Database, resident: Resident, locale: str) -> tuple[str, InlineKeyboardMarkup]:
    """The resident's municipality's plan."""
    items = await plans.plan_of(db, resident.municipality_code or "")
    extra = []
    if await plans.membership(db, resident.telegram_id) == resident.municipality_code:
        extra.append((_("🔎 My monitoring group"), PlanCb(a="mine")))
    return item_list(items, locale, _("<b>Joint action plan and local initiatives</b>"), extra=extra)


async def card_view(db: Database, resident: Resident, locale: str, item_id: int) -> tuple[str, InlineKeyboardMarkup]:
    """The resident's card of an item of their municipality.

    Raises:
        ItemNotFound: not an item of the resident's municipality.
    """
    item = await plans.item_in(db, item_id, resident.municipality_code)
    view = await plans.item_view(db, item)
    reports = await plans.reports_on(db, item)
    text = item_card(view, reports, locale, authors=await plans.authors(db, reports, officer=False))
    rows: list[list[tuple[str, PlanCb]]] = [
        [(_("📷 Photos of report #{id}").format(id=r.id), PlanCb(a="ph", i=r.id))]
        for r in reports[:CARD_REPORTS] if r.photos and not r.hidden]
    if await plans.membership(db, resident.telegram_id) == item.municipality_code:
        rows.append([(_("📝 Post a monitoring report"), PlanCb(a="rep", i=item.id))])
    officer = await roles.get_officer(db, resident.telegram_id)
    if officer is not None and officer.municipality_code == item.municipality_code:
        rows.append([(_("🛠 Manage (officer)"), PlanCb(a="oc", i=item.id))])
    rows.append([(_("« Back to the plan"), PlanCb(a="list"))])
    return text, keyboard(rows)


async def cmd_plan(message: Message, db: Database, resident: Resident, locale: str) -> None:
    """/plan: the joint action plan of the resident's municipality."""
    text, markup = await list_view(db, resident, locale)
    await message.answer(text, reply_markup=with_menu(markup))


async def on_list(callback: CallbackQuery, db: Database, resident: Resident, locale: str) -> None:
    text, markup = await list_view(db, resident, locale)
    await edit_or_send(callback, text, markup)


async def on_card(callback: CallbackQuery, callback_data: PlanCb, db: Database, resident: Resident, locale: str) -> None:
    text, markup = await card_view(db, resident, locale, callback_data.i)
    await edit_or_send(callback, text, markup)


async def _member_view(db: Database, resident: Resident, locale: str) -> tuple[str, InlineKeyboardMarkup]:
    code = await plans.membership(db, resident.telegram_id)
    if code is None:
        return _("You are not a member of a monitoring group. Members are approved by the council; the ayil okmotu "
                 "gives each an invite code to send as /monitoring CODE."), keyboard([])
    items = await plans.plan_of(db, code)
    title = _("<b>Your monitoring group</b>\nChoose an item to report on its progress.")
    return item_list(items, locale, title, action="rep", extra=[(_("🚪 Leave the group"), PlanCb(a="leave"))])


async def cmd_monitoring(message: Message, command: CommandObject, db: Database, resident: Resident,
                         locale: str) -> None:
    """/monitoring [CODE]: join the group with a code, or see the member's screen."""
    if command.args and command.args.strip():
        await plans.join(db, resident_id=resident.telegram_id, code=command.args.strip())
        await message.answer(_("✅ You are a member of the joint monitoring and evaluation group of your municipality. "
                               "Open an item of the plan to post a monitoring report."))
    text, markup = await _member_view(db, resident, locale)
    await message.answer(text, reply_markup=with_menu(markup))


async def on_mine(callback: CallbackQuery, db: Database, resident: Resident, locale: str) -> None:
    text, markup = await _member_view(db, resident, locale)
    await edit_or_send(callback, text, markup)


async def on_leave(callback: CallbackQuery, db: Database, resident: Resident, callback_answer: CallbackAnswer) -> None:
    """Leave the monitoring group (reports already posted stay)."""
    await plans.leave(db, resident_id=resident.telegram_id)
    callback_answer.text = _("You have left the monitoring group.")
    await edit_or_send(callback, _("You have left the monitoring group. Your reports stay on the items."),
                       keyboard([[(_("« Back to the plan"), PlanCb(a="list"))]]))


async def on_photos(callback: CallbackQuery, callback_data: PlanCb, db: Database, resident: Resident,
                    bot: Bot) -> None:
    """The photos of a visible report on an item of the resident's municipality (copies without metadata)."""
    report = await plans.visible_report(db, report_id=callback_data.i, municipality_code=resident.municipality_code)
    await send_photos(bot, resident.telegram_id, report.photos, numbered(report.id))


def build_router() -> Router:
    """A new router with the residents' plan screens and the report wizard (register before the fallback)."""
    from bot.handlers.plans import report

    router = resident_router("plans")
    router.message.register(cmd_plan, Command("plan"))
    router.message.register(cmd_monitoring, Command("monitoring"))
    screens: dict[str, Callable[..., Any]] = {"list": on_list, "card": on_card, "mine": on_mine, "leave": on_leave,
                                              "rep": report.on_report, "ph": on_photos}
    for action, handler in screens.items():
        router.callback_query.register(handler, PlanCb.filter(F.a == action))
    report.wizard.register(router)
    return router


async def plan_rows(db: Database, problem_id: int, markup: InlineKeyboardMarkup) -> InlineKeyboardMarkup:
    """A problem card's keyboard with one "📋 <the item's first words> №N" button per item linked to the
    problem (the item's button in the plan's list too), above its last row (Back); unchanged when there
    is none (one indexed read)."""
    items = await plans.items_for_problem(db, problem_id)
    if not items:
        return markup
    rows = [[button(item_label("📋", item.title, number=item.id), PlanCb(a="card", i=item.id))]
            for item in items[:3]]
    keys = list(markup.inline_keyboard)
    return InlineKeyboardMarkup(inline_keyboard=[*keys[:-1], *rows, *keys[-1:]])
