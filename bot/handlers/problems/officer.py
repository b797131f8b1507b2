"""Officers and problems (their own municipality only): the queue of new problems, the officer's
card, the buttons that start the officer wizards (``officer_flows``), /reopen_threshold and the
ranked list as CSV + chart for a hearing.

Every handler is on an ``officer_router`` (``officer`` injected; others get the officers-only
answer), and every action is checked again by the domain against the problem's municipality: a
crafted button for another municipality's problem is refused (logged), changes nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.db import Database
from bot.domain import municipalities as geo
from bot.domain import problems as pb
from bot.domain.clock import clock
from bot.domain.officers import Officer
from bot.domain.spreadsheet import export_filename
from bot.handlers.problems import officer_flows as flows
from bot.handlers.roles import officer_router
from bot.i18n import _, format_number
from bot.ui.errors import explain
from bot.ui.keyboards import with_menu
from bot.ui.messages import answer_screen, edit_or_send
from bot.ui.problem_filter import QueueFilterCallback, filter_keyboard, filter_prompt
from bot.ui.problems import (
    PAGE_SIZE,
    OfficerProblemCallback,
    OfficerQueueCallback,
    render_officer_card,
    render_queue,
)

log = logging.getLogger(__name__)


async def cmd_queue(message: Message, db: Database, officer: Officer) -> None:
    """/problems_queue: new problems of the officer's municipality."""
    problems, total = await pb.officer_queue(db, officer.telegram_id, size=PAGE_SIZE)
    text, markup = render_queue(problems, total, 0)
    await answer_screen(message, text, markup)


async def on_queue_page(callback: CallbackQuery, callback_data: OfficerQueueCallback, db: Database,
                        officer: Officer) -> None:
    problems, total = await pb.officer_queue(db, officer.telegram_id, page=callback_data.page, size=PAGE_SIZE)
    text, markup = render_queue(problems, total, callback_data.page)
    await edit_or_send(callback, text, markup)


async def on_filter_pick(callback: CallbackQuery, callback_data: QueueFilterCallback) -> None:
    """"🔎 Status: …" under the queue: the statuses to choose from."""
    await edit_or_send(callback, filter_prompt(), filter_keyboard(callback_data.status))


async def on_filter_show(callback: CallbackQuery, callback_data: QueueFilterCallback, db: Database,
                         officer: Officer) -> None:
    """The queue of one status (solved and rejected included), newest first except ``new``."""
    problems, total = await pb.officer_queue(db, officer.telegram_id, page=callback_data.page, size=PAGE_SIZE,
                                             status=callback_data.status)
    status = callback_data.status if callback_data.status in pb.STATUSES else "new"
    text, markup = render_queue(problems, total, callback_data.page, status)
    await edit_or_send(callback, text, markup)


async def cmd_export(message: Message, db: Database, officer: Officer, locale: str) -> None:
    """/problems_export: the ranked list as CSV and a chart of the top 10."""
    await _export(message, db, officer, locale)


async def on_export(callback: CallbackQuery, db: Database, officer: Officer, locale: str) -> None:
    if isinstance(callback.message, Message):
        await _export(callback.message, db, officer, locale)


async def _export(message: Message, db: Database, officer: Officer, locale: str) -> None:
    from bot.ui.charts import render
    from bot.ui.problems_export import ranked_csv, top_chart_png

    code, problems = await pb.ranked_for_export(db, officer.telegram_id)
    if not problems:
        await message.answer(_("There are no open problems to export yet."), reply_markup=with_menu())
        return
    location = await geo.locate(db, code)
    name = location.municipality.name(locale) if location else code
    await message.answer_document(
        BufferedInputFile(ranked_csv(problems, locale, name), filename=export_filename(f"problems-{code}", "csv", clock.now())),
        caption=_("Priority problems, most supported first: {count}. Opens in Excel.").format(
            count=format_number(len(problems))))
    try:  # the table is sent first: a chart that fails to draw must not cost the officer the table
        png = await render(top_chart_png, problems, locale, name)
    except (ValueError, RuntimeError, OSError, TypeError, MemoryError):
        log.exception("chart of the problems of %s failed", code)
        await message.answer(_("The chart could not be drawn this time; the table above has all the data."),
                             reply_markup=with_menu())
        return
    await message.answer_photo(BufferedInputFile(png, filename=export_filename(f"top-problems-{code}", "png", clock.now())),
                               caption=_("Top problems by support"), reply_markup=with_menu())


async def cmd_threshold(message: Message, command: CommandObject, officer: Officer, state: FSMContext,
                        **deps: Any) -> None:
    """/reopen_threshold N: how many "still a problem" answers reopen a solved problem; without a
    number, the officer is asked for it (a wizard)."""
    if not (command.args or "").strip():
        await flows.start_threshold(message, state, {**deps, "officer": officer})
        return
    await flows.save_threshold(message, deps["db"], officer, command.args)


# -- one problem ----------------------------------------------------------------------------------------


async def _problem(db: Database, officer: Officer, callback_data: OfficerProblemCallback) -> pb.Problem:
    return await pb.problem_for_officer(db, officer.telegram_id, callback_data.id)


async def on_open(callback: CallbackQuery, callback_data: OfficerProblemCallback, db: Database,
                  officer: Officer) -> None:
    problem = await _problem(db, officer, callback_data)
    text, markup = render_officer_card(problem, await pb.history(db, problem.id),
                                       all_statuses=callback_data.action == "more",
                                       still=await pb.still_count(db, problem))
    await edit_or_send(callback, text, markup)


async def on_status(callback: CallbackQuery, callback_data: OfficerProblemCallback, db: Database, officer: Officer,
                    state: FSMContext, callback_answer: CallbackAnswer, **deps: Any) -> None:
    """A status button: asks for a comment (the status wizard), unless the card was drawn for a
    status the problem no longer has (another officer, an old message): then the current card."""
    problem = await _problem(db, officer, callback_data)
    if callback_data.seen != problem.status:
        callback_answer.text, callback_answer.show_alert = explain(pb.StatusChanged(problem)), True
        text, markup = render_officer_card(problem, await pb.history(db, problem.id),
                                           still=await pb.still_count(db, problem))
        await edit_or_send(callback, text, markup)
        return
    await flows.start_status(callback, state, {**deps, "db": db, "officer": officer},
                             problem_id=problem.id, status=callback_data.arg, seen=problem.status)


async def on_reject(callback: CallbackQuery, callback_data: OfficerProblemCallback, db: Database, officer: Officer,
                    state: FSMContext, **deps: Any) -> None:
    problem = await _problem(db, officer, callback_data)
    await flows.reject.start(callback, state, {**deps, "db": db, "officer": officer}, {"problem_id": problem.id})


async def on_duplicate(callback: CallbackQuery, callback_data: OfficerProblemCallback, db: Database,
                       officer: Officer, state: FSMContext, **deps: Any) -> None:
    problem = await _problem(db, officer, callback_data)
    await flows.duplicate.start(callback, state, {**deps, "db": db, "officer": officer}, {"problem_id": problem.id})


async def on_hide(callback: CallbackQuery, callback_data: OfficerProblemCallback, db: Database, officer: Officer,
                  state: FSMContext, **deps: Any) -> None:
    problem = await _problem(db, officer, callback_data)
    await flows.hide.start(callback, state, {**deps, "db": db, "officer": officer}, {"problem_id": problem.id})


def build_router() -> Router:
    """A new router with the officers' problem handlers (register before the fallback router)."""
    router = officer_router("problems_officer")
    router.message.register(cmd_queue, Command("problems_queue"))
    router.message.register(cmd_export, Command("problems_export"))
    router.message.register(cmd_threshold, Command("reopen_threshold"))
    router.callback_query.register(on_queue_page, OfficerQueueCallback.filter(F.action == "page"))
    router.callback_query.register(on_filter_pick, QueueFilterCallback.filter(F.action == "pick"))
    router.callback_query.register(on_filter_show, QueueFilterCallback.filter(F.action == "show"))
    router.callback_query.register(on_export, OfficerQueueCallback.filter(F.action == "export"))
    router.callback_query.register(on_open, OfficerProblemCallback.filter(F.action.in_({"open", "more"})))
    router.callback_query.register(on_status, OfficerProblemCallback.filter(
        (F.action == "status") & F.arg.in_(set(pb.CHAIN))))
    router.callback_query.register(on_reject, OfficerProblemCallback.filter(F.action == "reject"))
    router.callback_query.register(on_duplicate, OfficerProblemCallback.filter(F.action == "dup"))
    router.callback_query.register(on_hide, OfficerProblemCallback.filter(F.action == "hide"))
    return router
