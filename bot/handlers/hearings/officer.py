"""Officers and public hearings: /hearing (the municipality's hearings), a hearing's card with
attendance and questions, and /hearing_notice N (the minimum notice period).

Behind :func:`bot.handlers.roles.officer_router`: handlers receive ``officer``; anyone else gets the
"officers only" answer. The domain checks the hearing's municipality against the officer's.
The wizards (new hearing, changes, cancellation, outcome) are in :mod:`.new`, :mod:`.edit` and
:mod:`.outcome`.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message

from bot.db import Database
from bot.delivery.split import split_html
from bot.domain import hearings as hr
from bot.domain.officers import Officer
from bot.handlers.roles import officer_router
from bot.i18n import _, ngettext
from bot.notices import render
from bot.ui.hearings import (
    HearingAdminCallback,
    attendance_text,
    kb,
    officer_card_keyboard,
    officer_list,
    officer_summary,
    officer_way_on_row,
)
from bot.ui.keyboards import with_menu
from bot.ui.messages import answer_lines, esc


async def send_list(bot: Bot, db: Database, officer: Officer, locale: str) -> None:
    """The municipality's hearings with "New hearing" and the notice period."""
    hearings = await hr.officer_hearings(db, officer.telegram_id)
    days = await hr.notice_days(db, officer.municipality_code)
    text, keyboard = officer_list(hearings, days, locale)
    await bot.send_message(officer.telegram_id, text, reply_markup=with_menu(keyboard))


async def cmd_hearing(message: Message, bot: Bot, db: Database, officer: Officer, locale: str) -> None:
    """/hearing: the municipality's hearings and "New hearing"."""
    await send_list(bot, db, officer, locale)


async def on_list(callback: CallbackQuery, bot: Bot, db: Database, officer: Officer, locale: str) -> None:
    await send_list(bot, db, officer, locale)


async def on_show(callback: CallbackQuery, callback_data: HearingAdminCallback, bot: Bot, db: Database,
                  officer: Officer, locale: str) -> None:
    """A hearing's card as residents got it, with the answers so far and the officer's buttons."""
    hearing, att = await hr.attendance(db, officer_id=officer.telegram_id, hearing_id=callback_data.hearing_id)
    notice = hr.notices.announcement(hearing, await hr.linked_surveys(db, hearing))
    parts = split_html(f"{render(notice, locale).text}\n\n{officer_summary(att)}")  # a long agenda: buttons last
    for part in parts[:-1]:
        await bot.send_message(officer.telegram_id, part)
    await bot.send_message(officer.telegram_id, parts[-1], reply_markup=officer_card_keyboard(hearing))


async def on_attendance(callback: CallbackQuery, callback_data: HearingAdminCallback, db: Database,
                        officer: Officer, locale: str) -> None:
    """Counts, and the hall list of residents who agreed to share their names."""
    hearing, att = await hr.attendance(db, officer_id=officer.telegram_id, hearing_id=callback_data.hearing_id)
    head, lines = attendance_text(hearing, att, locale)
    if isinstance(callback.message, Message):
        await answer_lines(callback.message, head, lines)


async def on_questions(callback: CallbackQuery, callback_data: HearingAdminCallback, bot: Bot, db: Database,
                       officer: Officer, locale: str) -> None:
    """The residents' questions, oldest first, without authors."""
    hearing, asked = await hr.questions(db, officer_id=officer.telegram_id, hearing_id=callback_data.hearing_id)
    if not asked:
        await bot.send_message(officer.telegram_id, _("No questions for this hearing yet."),
                               reply_markup=kb(officer_way_on_row()))
        return
    head = ngettext("❓ <b>{title}</b>: {n} question from residents",
                    "❓ <b>{title}</b>: {n} questions from residents", len(asked)).format(
        title=esc(hearing.title(locale)), n=len(asked))
    if isinstance(callback.message, Message):
        await answer_lines(callback.message, head, [f"{i}. {esc(q.text)}" for i, q in enumerate(asked, 1)])


async def cmd_notice(message: Message, command: CommandObject, db: Database, officer: Officer,
                     is_superadmin: bool = False) -> None:
    """/hearing_notice N: the minimum notice period in days (officers: from
    :data:`bot.domain.hearings.NOTICE_FLOOR_DAYS`; superadmins: from 0). Every change is recorded."""
    days = hr.parse_notice_days(command.args, superadmin=is_superadmin)
    await hr.set_notice_days(db, officer_id=officer.telegram_id, days=days, superadmin=is_superadmin)
    await message.answer(ngettext("Done: hearings must now be announced at least {days} day ahead.",
                                  "Done: hearings must now be announced at least {days} days ahead.",
                                  days).format(days=days), reply_markup=with_menu())


def build_router() -> Router:
    """A new officers' router with the list, the card and /hearing_notice."""
    router = officer_router("hearings_officer")
    router.message.register(cmd_hearing, Command("hearing"))
    router.message.register(cmd_notice, Command("hearing_notice"))
    cb = router.callback_query
    cb.register(on_list, HearingAdminCallback.filter(F.action == "list"))
    cb.register(on_show, HearingAdminCallback.filter(F.action == "show"))
    cb.register(on_attendance, HearingAdminCallback.filter(F.action == "att"))
    cb.register(on_questions, HearingAdminCallback.filter(F.action == "qs"))
    return router
