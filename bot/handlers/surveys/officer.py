"""Officers and their surveys: the list, the card (turnout while open, results after), close early,
extend, delete (each a prompt on the kit), results as a chart and a CSV, and residence codes.

Every handler sits behind the officers' router gate and receives ``officer``; every action is
checked again by the domain against the officer's own municipality.
"""

from __future__ import annotations

import html
from typing import Any

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.db import Database
from bot.domain import PermissionDenied
from bot.domain import surveys as sv
from bot.domain import verification as ver
from bot.domain.clock import from_db, to_db
from bot.domain.officers import Officer
from bot.domain.surveys.officer import record_export
from bot.flows import ONE_MESSAGE, Ctx, Prompt, Wizard
from bot.handlers.roles import officer_router
from bot.handlers.surveys import new
from bot.i18n import _, display_timezone, format_datetime, ngettext
from bot.ui.charts import render
from bot.ui.keyboards import with_menu
from bot.ui.messages import edit_or_send, esc
from bot.ui.surveys.keyboards import manage_button
from bot.ui.surveys import (
    SurveyAdminCallback,
    card_text,
    example_time,
    officer_card_keyboard,
    officer_list_keyboard,
    results_chart_png,
    results_csv,
    results_filename,
)

# -- the list and the card ----------------------------------------------------------------------


async def send_list(message: Message, db: Database, officer: Officer, locale: str) -> None:
    """The officer's surveys, each opening its card."""
    surveys = await sv.list_officer_surveys(db, officer.telegram_id)
    text = _("<b>Surveys of your municipality</b>. /newsurvey — create a survey, /codes — residence codes.")
    if not surveys:
        text += "\n\n" + _("No surveys yet.")
    await message.answer(text, reply_markup=with_menu(officer_list_keyboard(surveys, locale)))


async def cmd_officer_surveys(message: Message, db: Database, officer: Officer, locale: str) -> None:
    """/survey_admin: the officer's surveys."""
    await send_list(message, db, officer, locale)


async def on_list(callback: CallbackQuery, db: Database, officer: Officer, locale: str) -> None:
    """"Manage surveys" under the resident list."""
    if isinstance(callback.message, Message):
        await send_list(callback.message, db, officer, locale)


async def on_show(callback: CallbackQuery, callback_data: SurveyAdminCallback, db: Database, officer: Officer,
                  locale: str) -> None:
    """The card: the turnout while open (refreshed), the results once closed."""
    survey, counts = await sv.officer_tally(db, officer_id=officer.telegram_id, survey_id=callback_data.survey_id)
    await edit_or_send(callback, card_text(survey, counts, locale), officer_card_keyboard(survey, survey.state(), files=counts.any_shown(survey)))


async def _results_to_file(callback: CallbackQuery, callback_data: SurveyAdminCallback,
                           callback_answer: CallbackAnswer, db: Database, officer: Officer) -> tuple | None:
    """The closed survey and its tally when some count may be shown; else the button's alert says why
    (the card shows no file buttons then, but an old card may still have them) and ``None``."""
    survey, counts = await sv.officer_tally(db, officer_id=officer.telegram_id, survey_id=callback_data.survey_id)
    if survey.state() != "closed":
        raise sv.ResultsNotReady(survey.state())
    refusal = None
    if counts.hidden:
        refusal = _("Fewer than {min} residents voted, so the results are not shown: this keeps every vote secret.")
    elif not counts.any_shown(survey):
        refusal = _("The votes per option are not shown: with so few votes for some options, "
                    "how a group of fewer than {min} residents voted could be worked out.")
    if refusal is not None:
        callback_answer.text = html.unescape(refusal.format(min=sv.MIN_GROUP))[:200]
        callback_answer.show_alert = True
        return None
    if not isinstance(callback.message, Message):
        return None
    return survey, counts


async def on_chart(callback: CallbackQuery, callback_data: SurveyAdminCallback, callback_answer: CallbackAnswer,
                   db: Database, officer: Officer, locale: str) -> None:
    """The results as a bar chart (PNG), drawn off the event loop with labels as plain text."""
    found = await _results_to_file(callback, callback_data, callback_answer, db, officer)
    if found is None or not isinstance(callback.message, Message):
        return
    survey, counts = found
    await record_export(db, officer_id=officer.telegram_id, survey_id=survey.id, file_format="png")
    png = await render(results_chart_png, survey, counts, locale)
    await callback.message.answer_photo(BufferedInputFile(png, results_filename(survey, "png")),
                                        caption=esc(survey.question(locale))[:1000], reply_markup=with_menu())


async def on_csv(callback: CallbackQuery, callback_data: SurveyAdminCallback, callback_answer: CallbackAnswer,
                 db: Database, officer: Officer, locale: str) -> None:
    """The results as a CSV in the officer's language (counts only, never voters)."""
    found = await _results_to_file(callback, callback_data, callback_answer, db, officer)
    if found is None or not isinstance(callback.message, Message):
        return
    survey, counts = found
    await record_export(db, officer_id=officer.telegram_id, survey_id=survey.id, file_format="csv")
    await callback.message.answer_document(
        BufferedInputFile(results_csv(survey, counts, locale), results_filename(survey, "csv")),
        caption=_("Results of survey #{id} (counts only, no voters).").format(id=survey.id), reply_markup=with_menu())


async def _replace(ctx: Ctx, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """End the prompt: its message becomes ``text`` (a new message when it cannot be edited), with
    "« Main menu" under ``markup`` (or alone): it is the last word (issue 12)."""
    await ctx.state.clear()
    markup = with_menu(markup)
    if ctx.message is not None:
        try:
            await ctx.message.edit_text(text, reply_markup=markup)
            return
        except TelegramBadRequest:
            pass
    await ctx.answer(text, reply_markup=markup)


def _to_list() -> InlineKeyboardMarkup:
    """The officer's surveys, after the one on screen is gone (deleted, or cancelled before it opened)."""
    return InlineKeyboardMarkup(inline_keyboard=[[manage_button()]])


async def _back_to_card(ctx: Ctx) -> None:
    survey, counts = await sv.officer_tally(ctx.db, officer_id=ctx.officer.telegram_id,
                                            survey_id=int(ctx.data["survey_id"]))
    await _replace(ctx, card_text(survey, counts, ctx.locale), officer_card_keyboard(survey, survey.state(), files=counts.any_shown(survey)))


# -- close early --------------------------------------------------------------------------------

closing = Wizard("svclose")
close_confirm = closing.choice("confirm")


@close_confirm.prompt
async def _ask_close(ctx: Ctx) -> Prompt:
    if ctx.data.get("scheduled"):
        question = _("Survey #{id} has not opened yet. Cancel it? Residents have not been told about it, "
                     "and nothing will be sent to them.")
    else:
        question = _("Close survey #{id} now? The results will be sent to the residents.")
    return Prompt(question.format(id=ctx.data["survey_id"]), back=False, cancel=False,
                  rows=[[close_confirm.button(_("Yes"), "yes"), close_confirm.button(_("No"), "no")]])


@close_confirm.handle
async def _close(ctx: Ctx, value: str) -> None:
    if value != "yes":
        await _back_to_card(ctx)
        return
    survey = await sv.close_survey(ctx.db, officer_id=ctx.officer.telegram_id, survey_id=int(ctx.data["survey_id"]))
    if survey.status == "deleted":
        await _replace(ctx, _("Survey #{id} had not opened yet, so it is cancelled. "
                              "Nothing was sent to the residents.").format(id=survey.id), _to_list())
        return
    counts = await sv.tally(ctx.db, survey.id)
    ctx.toast(_("The survey is closed. The results are being sent to the residents."))
    await _replace(ctx, card_text(survey, counts, ctx.locale), officer_card_keyboard(survey, "closed", files=counts.any_shown(survey)))


async def on_close(callback: CallbackQuery, callback_data: SurveyAdminCallback, db: Database, officer: Officer,
                   state: FSMContext, **deps: Any) -> None:
    """"Close now": ask first (a survey that has not opened is cancelled quietly instead)."""
    survey, _counts = await sv.officer_tally(db, officer_id=officer.telegram_id, survey_id=callback_data.survey_id)
    if survey.status == "closed":
        raise sv.SurveyAlreadyClosed("closed")
    await closing.start(callback, state, {**deps, "db": db, "officer": officer},
                        {"survey_id": survey.id, "scheduled": survey.state() == "scheduled"})


# -- delete -------------------------------------------------------------------------------------

deleting = Wizard("svdel")
delete_confirm = deleting.choice("confirm")


@delete_confirm.prompt
async def _ask_delete(ctx: Ctx) -> Prompt:
    return Prompt(_("Delete survey #{id}? Votes will no longer be accepted and no results will be sent.").format(
        id=ctx.data["survey_id"]), back=False, cancel=False,
        rows=[[delete_confirm.button(_("Yes"), "yes"), delete_confirm.button(_("No"), "no")]])


@delete_confirm.handle
async def _delete(ctx: Ctx, value: str) -> None:
    if value != "yes":
        await _back_to_card(ctx)
        return
    survey_id = int(ctx.data["survey_id"])
    await sv.delete_survey(ctx.db, officer_id=ctx.officer.telegram_id, survey_id=survey_id)
    await _replace(ctx, _("Survey #{id} is deleted.").format(id=survey_id), _to_list())


async def on_delete(callback: CallbackQuery, callback_data: SurveyAdminCallback, db: Database, officer: Officer,
                    state: FSMContext, **deps: Any) -> None:
    """"Delete": ask first."""
    survey, _counts = await sv.officer_tally(db, officer_id=officer.telegram_id, survey_id=callback_data.survey_id)
    await deleting.start(callback, state, {**deps, "db": db, "officer": officer}, {"survey_id": survey.id})


# -- extend -------------------------------------------------------------------------------------

extending = Wizard("svext")
new_closing = extending.text("closes", max_len=ONE_MESSAGE)


@new_closing.prompt
async def _ask_new_closing(ctx: Ctx) -> Prompt:
    return Prompt(_("It closes now on {closes}. Send the new closing time in Bishkek time as DD.MM.YYYY HH:MM, "
                    "for example {example}. /cancel — keep it.").format(
        closes=format_datetime(from_db(ctx.data["closes_at"]), ctx.locale), example=example_time()))


@new_closing.handle
async def _extend(ctx: Ctx, text: str | None) -> None:
    moment = sv.parse_local_datetime(text or "", display_timezone())
    try:
        survey = await sv.extend_survey(ctx.db, officer_id=ctx.officer.telegram_id,
                                        survey_id=int(ctx.data["survey_id"]), closes_at=moment)
    except (sv.NotFound, PermissionDenied, sv.SurveyUnavailable):  # gone meanwhile: nothing to extend
        await ctx.finish(_("This survey can no longer be extended."))
        return
    await ctx.finish(_("✅ Survey #{id} now closes on {closes}. Those who voted are told.").format(
        id=survey.id, closes=format_datetime(survey.closes_at, ctx.locale)))


async def on_extend(callback: CallbackQuery, callback_data: SurveyAdminCallback, db: Database, officer: Officer,
                    state: FSMContext, **deps: Any) -> None:
    """"Extend": ask for the new closing time."""
    survey, _counts = await sv.officer_tally(db, officer_id=officer.telegram_id, survey_id=callback_data.survey_id)
    if survey.state() == "closed":
        raise sv.SurveyAlreadyClosed("closed")
    await extending.start(callback, state, {**deps, "db": db, "officer": officer},
                          {"survey_id": survey.id, "closes_at": to_db(survey.closes_at)})


# -- residence codes ----------------------------------------------------------------------------


async def cmd_codes(message: Message, command: CommandObject, db: Database, officer: Officer) -> None:
    """/codes N: N one-time residence codes for the officer's municipality (default 10)."""
    arg = (command.args or "10").strip()
    count = int(arg) if arg.isascii() and arg.isdigit() and len(arg) <= 4 else 0
    codes = await ver.generate_codes(db, officer_id=officer.telegram_id, count=count)
    listing = "\n".join(f"<code>{ver.format_code(c)}</code>" for c in codes)
    await message.answer(ngettext(
        "{n} residence code. Each verifies one resident of your municipality, once; the resident sends "
        "/verify and the code.",
        "{n} residence codes. Each verifies one resident of your municipality, once; the resident sends "
        "/verify and the code.", len(codes)).format(n=len(codes)) + "\n\n" + listing, reply_markup=with_menu())


async def unknown_admin_button(callback: CallbackQuery) -> None:
    """An ``sa:`` button that does not parse (a crafted huge id, an old action): no such survey."""
    raise sv.SurveyNotFound()


def build_router() -> Router:
    """A new officers-only router with the survey management handlers and wizards."""
    router = officer_router("surveys_officer")
    new.register(router)
    router.message.register(cmd_officer_surveys, Command("survey_admin"))
    router.message.register(cmd_codes, Command("codes"))
    action = SurveyAdminCallback.filter
    router.callback_query.register(on_list, action(F.action == "list"))
    router.callback_query.register(on_show, action(F.action == "show"))
    router.callback_query.register(on_close, action(F.action == "close"))
    router.callback_query.register(on_extend, action(F.action == "extend"))
    router.callback_query.register(on_delete, action(F.action == "delete"))
    router.callback_query.register(on_chart, action(F.action == "chart"))
    router.callback_query.register(on_csv, action(F.action == "csv"))
    for wizard in (closing, deleting, extending):
        wizard.register(router)
    router.callback_query.register(unknown_admin_button, F.data.startswith(f"{SurveyAdminCallback.__prefix__}:"))
    return router
