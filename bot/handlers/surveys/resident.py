"""Residents and surveys: the list of open surveys, the ballot, the vote and the results.

/surveys (or "Surveys" in the main menu) lists the open surveys of the resident's municipality and
the latest results. A single-choice ballot votes with one tap; a multi-choice ballot ticks options
in the keyboard and "Submit" votes. One handler per button action; every vote is checked again on
the server (open now, own municipality, option exists, verified if required) and a refusal is
explained by the kit's error middleware (``bot.ui.surveys.errors``).
"""

from __future__ import annotations

import html
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.db import Database
from bot.domain import surveys as sv
from bot.domain.officers import get_officer
from bot.domain.residents import Resident
from bot.handlers.onboarding import continue_onboarding
from bot.handlers.surveys import verify
from bot.i18n import _
from bot.ui.errors import explain
from bot.ui.keyboards import menu_button
from bot.ui.messages import edit_or_send
from bot.ui.surveys import SurveyCallback, ballot_keyboard, ballot_text, positions_of, results_text
from bot.ui.surveys.keyboards import manage_button, survey_list_rows


def _onboarded(resident: Resident) -> None:
    if not resident.onboarded:
        raise sv.NotOnboarded("not onboarded")


async def render_list(db: Database, resident: Resident, locale: str) -> tuple[str, InlineKeyboardMarkup]:
    """Text and keyboard of the resident's survey list (open ones to vote, closed ones for results)."""
    code = resident.municipality_code or ""
    open_now = await sv.list_open_surveys(db, code)
    closed = await sv.list_recent_closed(db, code, limit=5)
    rows = survey_list_rows(open_now, locale)
    if open_now:
        text = _("🗳 <b>Open surveys</b> of your municipality. Choose one to vote:")
    else:
        text = _("There are no open surveys in your municipality right now. "
                 "You will get a message when your municipality starts one.")
    if closed:
        text += "\n\n" + _("Results of recent surveys:")
        rows += survey_list_rows(closed, locale, action="results")
    if await get_officer(db, resident.telegram_id) is not None:
        rows.append([manage_button()])
    rows.append([menu_button()])
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


async def cmd_surveys(message: Message, db: Database, resident: Resident, locale: str, state: FSMContext) -> None:
    """/surveys: the open surveys of the resident's municipality."""
    if not resident.onboarded:
        await continue_onboarding(message, db, resident, locale, state)
        return
    text, keyboard = await render_list(db, resident, locale)
    await message.answer(text, reply_markup=keyboard)


async def on_list(callback: CallbackQuery, db: Database, resident: Resident, locale: str) -> None:
    """"Surveys" in the main menu: the list."""
    _onboarded(resident)
    text, keyboard = await render_list(db, resident, locale)
    await edit_or_send(callback, text, keyboard)


async def show_results(callback: CallbackQuery, db: Database, resident: Resident, locale: str,
                       survey_id: int, *, new: bool = False) -> None:
    """Results of a closed survey (refusals raised: withdrawn, another municipality, not closed yet);
    ``new``: as a new message (from a notification)."""
    survey, counts = await sv.resident_results(db, resident_id=resident.telegram_id, survey_id=survey_id)
    await edit_or_send(callback, _("🗳 Survey results") + "\n\n" + results_text(survey, counts, locale),
                       InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(
                           text=_("« Back to the list"), callback_data=SurveyCallback(action="list").pack())]]), new=new)


async def on_open(callback: CallbackQuery, callback_data: SurveyCallback, db: Database, resident: Resident,
                  locale: str) -> None:
    """Show the ballot (or the results once closed); ``value`` 1 (a notification's button): as a new message."""
    _onboarded(resident)
    new = callback_data.value == 1
    survey = await sv.voter_survey(db, municipality_code=resident.municipality_code,
                                   survey_id=callback_data.survey_id)
    if survey.state() == "closed":
        await show_results(callback, db, resident, locale, survey.id, new=new)
        return
    sv.require_open(survey)
    mine = await sv.my_choice(db, resident.telegram_id, survey.id)
    await edit_or_send(callback, ballot_text(survey, locale, mine), ballot_keyboard(survey, locale, mine=mine),
                       new=new)


async def on_tick(callback: CallbackQuery, callback_data: SurveyCallback, db: Database, resident: Resident,
                  locale: str) -> None:
    """Tick or untick an option of a multi-choice ballot (nothing is written until "Submit")."""
    _onboarded(resident)
    survey = await sv.voter_survey(db, municipality_code=resident.municipality_code,
                                   survey_id=callback_data.survey_id)
    sv.require_open(survey)
    sv.check_ticks(survey, positions_of(callback_data.value))
    mine = await sv.my_choice(db, resident.telegram_id, survey.id)
    await edit_or_send(callback, ballot_text(survey, locale, mine),
                       ballot_keyboard(survey, locale, mine=mine, mask=callback_data.value))


async def _vote(callback: CallbackQuery, callback_answer: CallbackAnswer, db: Database, resident: Resident,
                locale: str, state: FSMContext, survey_id: int, positions: list[int], deps: dict[str, Any]) -> None:
    _onboarded(resident)
    try:
        result = await sv.cast_vote(db, resident_id=resident.telegram_id, survey_id=survey_id, positions=positions)
    except sv.NotVerified as error:  # say why, then offer to verify right away
        callback_answer.text = html.unescape(explain(error))[:200]
        callback_answer.show_alert = True
        await verify.start(callback, state, {**deps, "db": db, "resident": resident, "locale": locale},
                           survey_id=survey_id)
        return
    callback_answer.text = _("✅ Your vote is changed.") if result.changed and not result.first \
        else _("✅ Your vote is counted.")
    survey = await sv.require_survey(db, survey_id)
    mine = frozenset(positions)  # what was just stored (cast_vote raised otherwise)
    await edit_or_send(callback, ballot_text(survey, locale, mine), ballot_keyboard(survey, locale, mine=mine))


async def on_vote(callback: CallbackQuery, callback_data: SurveyCallback, callback_answer: CallbackAnswer,
                  db: Database, resident: Resident, locale: str, state: FSMContext, **deps: Any) -> None:
    """Single choice: the tapped option is the vote."""
    await _vote(callback, callback_answer, db, resident, locale, state, callback_data.survey_id,
                [callback_data.value], deps)


async def on_submit(callback: CallbackQuery, callback_data: SurveyCallback, callback_answer: CallbackAnswer,
                    db: Database, resident: Resident, locale: str, state: FSMContext, **deps: Any) -> None:
    """Multi choice: the ticked options are the vote."""
    await _vote(callback, callback_answer, db, resident, locale, state, callback_data.survey_id,
                positions_of(callback_data.value), deps)


async def on_results(callback: CallbackQuery, callback_data: SurveyCallback, db: Database, resident: Resident,
                     locale: str) -> None:
    """A closed survey's results."""
    _onboarded(resident)
    await show_results(callback, db, resident, locale, callback_data.survey_id)


async def unknown_survey_button(callback: CallbackQuery) -> None:
    """An ``sv:`` button that does not parse (a crafted huge id, an unknown action): no such survey."""
    raise sv.SurveyNotFound()


def build_router() -> Router:
    """A new router with the resident survey handlers (register before the fallback)."""
    router = Router(name="surveys")
    router.message.register(cmd_surveys, Command("surveys"))
    router.callback_query.register(on_list, SurveyCallback.filter(F.action == "list"))
    router.callback_query.register(on_open, SurveyCallback.filter(F.action == "open"))
    router.callback_query.register(on_tick, SurveyCallback.filter(F.action == "tick"))
    router.callback_query.register(on_vote, SurveyCallback.filter(F.action == "vote"))
    router.callback_query.register(on_submit, SurveyCallback.filter(F.action == "submit"))
    router.callback_query.register(on_results, SurveyCallback.filter(F.action == "results"))
    router.callback_query.register(unknown_survey_button, F.data.startswith(f"{SurveyCallback.__prefix__}:"))
    return router
