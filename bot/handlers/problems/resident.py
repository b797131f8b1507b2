"""Residents and problems: the problems screen, the ranked list, "my problems", "problems I
support", a card, support or withdraw with one tap, photos/voice/map/full text on demand, and the
one-tap "still a problem?" answer from a notification. Raising a problem is ``draft.py``.

One handler per action (``ProblemCallback.filter(F.action == …)``); refusals are typed domain
errors explained by the kit's error middleware (``bot.ui.problems.errors``).
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.config import Settings
from bot.db import Database
from bot.domain import municipalities as geo
from bot.domain import problems as pb
from bot.domain.residents import Resident
from bot.handlers.problems import draft
from bot.handlers.plans.resident import plan_rows
from bot.handlers.problems.gate import resident_router
from bot.i18n import _, numbered
from bot.ui.errors import explain
from bot.ui.keyboards import with_menu
from bot.ui.messages import edit_or_send, esc, send_photos
from bot.ui.problems.callbacks import FRESH
from bot.ui.problems import (
    PAGE_SIZE,
    ProblemCallback,
    fit_utf16,
    home_keyboard,
    home_text,
    render_card,
    render_list,
)


def _src(callback_data: ProblemCallback) -> str:
    return callback_data.src if callback_data.src in ("r", "m", "s") else "r"


async def _home(db: Database, resident: Resident, locale: str) -> str:
    location = await geo.locate(db, resident.municipality_code)
    name = location.municipality.name(locale) if location else ""
    return home_text(name, await pb.open_count(db, resident.municipality_code or ""))


async def send_card(callback: CallbackQuery, db: Database, resident: Resident, problem_id: int, *, src: str,
                    page: int, edit: bool = True) -> None:
    """The card of ``problem_id`` in place of the tapped message (``edit``) or as a new one; nothing
    when the problem is gone or hidden (the caller has said why)."""
    problem = await pb.get_problem(db, problem_id)
    if problem is None or problem.hidden:
        return
    view = await pb.card_view(db, problem, reader_id=resident.telegram_id,
                              reader_municipality=resident.municipality_code)
    text, markup = render_card(view, src=src, page=page)
    markup = await plan_rows(db, problem.id, markup)  # "In the action plan: …" (bot.handlers.plans)
    if edit:
        await edit_or_send(callback, text, markup)
    elif isinstance(callback.message, Message):
        await callback.message.answer(text, reply_markup=markup)


# -- commands and the home screen ----------------------------------------------------------------------


async def cmd_problems(message: Message, db: Database, resident: Resident, locale: str) -> None:
    """/problems: the problems screen of the resident's municipality."""
    await message.answer(await _home(db, resident, locale), reply_markup=home_keyboard())


async def cmd_new_problem(message: Message, state: FSMContext, **deps: Any) -> None:
    """/newproblem: start raising a problem."""
    await draft.start(message, state, deps)


async def on_home(callback: CallbackQuery, db: Database, resident: Resident, locale: str) -> None:
    await edit_or_send(callback, await _home(db, resident, locale), home_keyboard())


async def on_new(callback: CallbackQuery, state: FSMContext, **deps: Any) -> None:
    await draft.start(callback, state, deps)


async def on_offer(callback: CallbackQuery, state: FSMContext, callback_answer: CallbackAnswer, **deps: Any) -> None:
    """"Raise it as a problem" under a text, voice message or photos sent outside any form: the draft
    starts with them (:func:`~bot.handlers.problems.draft.start_with_offer`)."""
    if not await draft.start_with_offer(callback, state, {**deps, "callback_answer": callback_answer}):
        callback_answer.text = _("That message is no longer kept. Send it again, or tap «Raise a problem».")
        callback_answer.show_alert = True


async def on_list(callback: CallbackQuery, callback_data: ProblemCallback, db: Database, resident: Resident) -> None:
    src, page = _src(callback_data), callback_data.page
    if src == "m":
        problems, total = await pb.my_problems(db, resident.telegram_id, page=page, size=PAGE_SIZE)
    elif src == "s":
        problems, total = await pb.supported_problems(db, resident.telegram_id, page=page, size=PAGE_SIZE)
    else:
        problems, total = await pb.ranked_page(db, resident.municipality_code or "", page=page, size=PAGE_SIZE)
    text, markup = render_list(problems, total, page, src)
    await edit_or_send(callback, text, markup)


# -- one problem ----------------------------------------------------------------------------------------


async def on_open(callback: CallbackQuery, callback_data: ProblemCallback, db: Database, resident: Resident) -> None:
    await pb.readable_problem(db, callback_data.id, reader_id=resident.telegram_id,
                              reader_municipality=resident.municipality_code)
    await send_card(callback, db, resident, callback_data.id, src=_src(callback_data), page=callback_data.page,
                    edit=callback_data.src != FRESH)  # from a notification: a new message, the notification stays


async def on_support(callback: CallbackQuery, callback_data: ProblemCallback, db: Database, resident: Resident,
                     callback_answer: CallbackAnswer) -> None:
    await _support(callback, callback_data, db, resident, callback_answer, withdraw=False)


async def on_withdraw(callback: CallbackQuery, callback_data: ProblemCallback, db: Database, resident: Resident,
                      callback_answer: CallbackAnswer) -> None:
    await _support(callback, callback_data, db, resident, callback_answer, withdraw=True)


async def _support(callback: CallbackQuery, callback_data: ProblemCallback, db: Database, resident: Resident,
                   answer: CallbackAnswer, *, withdraw: bool) -> None:
    problem_id, src, page = callback_data.id, _src(callback_data), callback_data.page
    act = pb.withdraw if withdraw else pb.support
    try:
        result = await act(db, problem_id=problem_id, resident_id=resident.telegram_id)
    except pb.ProblemMerged as error:  # said, and the card of the problem it was merged into shown
        answer.text, answer.show_alert = explain(error), True
        await send_card(callback, db, resident, error.target_id or 0, src=src, page=page)
        return
    except pb.ProblemClosed as error:  # said, and the card refreshed with its closed status
        answer.text, answer.show_alert = explain(error), True
        await send_card(callback, db, resident, problem_id, src=src, page=page)
        return
    if withdraw:
        answer.text = _("Your support is withdrawn") if result.changed else _("You did not support it")
    else:
        answer.text = _("Your support is counted") if result.changed else _("You already support it")
    await send_card(callback, db, resident, problem_id, src=src, page=page)


async def _media_problem(db: Database, resident: Resident, problem_id: int) -> pb.Problem:
    return await pb.readable_problem(db, problem_id, reader_id=resident.telegram_id,
                                     reader_municipality=resident.municipality_code, hidden_ok=True)


async def on_full_text(callback: CallbackQuery, callback_data: ProblemCallback, db: Database, resident: Resident, bot: Bot) -> None:
    """The whole text alone: ``PROBLEM_TEXT_MAX`` characters (≤ 3,000) fit Telegram's 4,096 UTF-16 units
    unless they are emoji, which are cut to fit."""
    problem = await _media_problem(db, resident, callback_data.id)
    if problem.text:
        text = f"<b>{numbered(problem.id)}</b>\n" + esc(fit_utf16(problem.text, 4096 - 24))
        await bot.send_message(resident.telegram_id, text, reply_markup=with_menu())  # the last word: a way on


async def on_photos(callback: CallbackQuery, callback_data: ProblemCallback, db: Database, resident: Resident, bot: Bot) -> None:
    """The photos, sent on demand (saves traffic on weak connections)."""
    problem = await _media_problem(db, resident, callback_data.id)
    await send_photos(bot, resident.telegram_id, problem.photos, numbered(problem.id))


async def on_voice(callback: CallbackQuery, callback_data: ProblemCallback, db: Database, resident: Resident, bot: Bot) -> None:
    problem = await _media_problem(db, resident, callback_data.id)
    if problem.voice_file_id:
        await bot.send_voice(resident.telegram_id, problem.voice_file_id, caption=numbered(problem.id),
                             reply_markup=with_menu())


async def on_map(callback: CallbackQuery, callback_data: ProblemCallback, db: Database, resident: Resident, bot: Bot) -> None:
    problem = await _media_problem(db, resident, callback_data.id)
    if problem.latitude is not None and problem.longitude is not None:
        await bot.send_location(resident.telegram_id, problem.latitude, problem.longitude, reply_markup=with_menu())


async def on_still(callback: CallbackQuery, callback_data: ProblemCallback, db: Database, resident: Resident, settings: Settings,
                   callback_answer: CallbackAnswer) -> None:
    """"Still a problem?" from a notification: ``page`` 1 = still a problem, 0 = solved."""
    still = bool(callback_data.page)
    result = await pb.answer_still(db, problem_id=callback_data.id, resident_id=resident.telegram_id, still=still,
                                   default_threshold=settings.problem_reopen_threshold)
    if result.reopened:
        text = _("Thank you! Enough residents say it is still a problem, so it is back under review.")
    elif still:
        text = _("Thank you! The officers will see that it is still a problem for you.")
    else:
        text = _("Thank you for confirming that it is solved!")
    callback_answer.text, callback_answer.show_alert = text, True


def build_router() -> Router:
    """A new router with the residents' problem handlers (register before the fallback router)."""
    router = resident_router("problems")
    router.message.register(cmd_problems, Command("problems"))
    router.message.register(cmd_new_problem, Command("newproblem"))
    actions = {
        "home": on_home, "new": on_new, "offer": on_offer, "list": on_list, "open": on_open, "sup": on_support, "wd": on_withdraw,
        "full": on_full_text, "photos": on_photos, "voice": on_voice, "map": on_map, "still": on_still,
    }
    for action, handler in actions.items():
        router.callback_query.register(handler, ProblemCallback.filter(F.action == action))
    return router
