"""Officers and surveys: create step by step, manage (turnout, close early, extend, delete),
results with chart and CSV, and residence codes for verification.

/newsurvey walks through: question in Kyrgyz → in Russian (either may be skipped, not both) →
options (one per message or several lines in one message; or the municipality's top open
priority problems) → the same options in the other language → single choice or up to N →
opening time → closing time (typed ``DD.MM.YYYY HH:MM`` in Asia/Bishkek) → for everyone or
verified residents only → preview → publish. The draft lives in the FSM (SQLite), so a restart
loses nothing. Every action is checked on the server against the officer's own municipality.
/codes N generates one-time residence codes.
"""

from __future__ import annotations

import html
import logging
from datetime import timedelta

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message

from bot.config import Settings
from bot.db import Database
from bot.domain import InvalidInput, NotFound, PermissionDenied
from bot.domain import surveys as sv
from bot.domain import verification as ver
from bot.domain.clock import clock, from_db, to_db
from bot.domain.officers import require_officer
from bot.domain.residents import Resident, count_residents
from bot.handlers.officers import refusal_officer
from bot.i18n import DISPLAY_TZ, _, format_datetime, format_number, ngettext
from bot.ui.messages import edit_or_send, esc
from bot.ui.surveys import (
    SurveyAdminCallback,
    confirm_keyboard,
    draft_button,
    officer_card_keyboard,
    officer_list_keyboard,
    results_chart_png,
    results_csv,
)

log = logging.getLogger(__name__)


class NewSurvey(StatesGroup):
    """Steps of /newsurvey."""

    question_ky = State()
    question_ru = State()
    options_ky = State()
    options_ru = State()
    max_choices = State()
    opens_at = State()
    closes_at = State()
    verified = State()
    hearing = State()
    preview = State()


class ExtendSurvey(StatesGroup):
    """Waiting for the new closing time of ``survey_id`` (in the FSM data)."""

    closes_at = State()


def _kb(*rows) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[list(r) for r in rows])


async def _draft(state: FSMContext) -> sv.Draft:
    return sv.Draft.from_dict((await state.get_data()).get("draft", {}))


async def _save(state: FSMContext, draft: sv.Draft) -> None:
    await state.update_data(draft=draft.to_dict())


def example_time() -> str:
    """Tomorrow 18:00 in the display zone, typed the way the bot expects it."""
    local = (clock.now() + timedelta(days=1)).astimezone(DISPLAY_TZ)
    return local.strftime("%d.%m.%Y") + " 18:00"


def format_error(exc: InvalidInput) -> str:
    """Explain a time that could not be read."""
    if str(exc) == "year":
        return _("The year must be from {min} to {max}. Send the time as DD.MM.YYYY HH:MM, for example {example}."
                 ).format(min=sv.YEAR_MIN, max=sv.YEAR_MAX, example=example_time())
    if str(exc) == "date":
        return _("There is no such date or time. Send it again as DD.MM.YYYY HH:MM, for example {example}.").format(
            example=example_time())
    return _("I could not read the time. Send it as DD.MM.YYYY HH:MM in Bishkek time, for example {example}.").format(
        example=example_time())


async def _officer(message_or_cb, db: Database, resident: Resident):
    try:
        return await require_officer(db, resident.telegram_id)
    except PermissionDenied:
        log.info("refused survey officer action to %s", resident.telegram_id)
        if isinstance(message_or_cb, CallbackQuery):
            await message_or_cb.answer(html.unescape(refusal_officer())[:200], show_alert=True)
        else:
            await message_or_cb.answer(refusal_officer())
        return None


# -- creation ------------------------------------------------------------------------------------


async def cmd_newsurvey(message: Message, db: Database, resident: Resident, state: FSMContext) -> None:
    """/newsurvey: start a draft."""
    if await _officer(message, db, resident) is None:
        return
    await state.set_state(NewSurvey.question_ky)
    await state.update_data(draft=sv.Draft().to_dict())
    await message.answer(
        _("<b>New survey</b>. Step 1: send the question in Kyrgyz (up to {limit} characters), "
          "or press «Skip» to write it only in Russian. /cancel — stop.").format(limit=sv.QUESTION_MAX),
        reply_markup=_kb([draft_button(_("Skip"), "skip")]),
    )


async def _ask_question_ru(message: Message, draft: sv.Draft) -> None:
    rows = [[draft_button(_("Skip"), "skip")]] if draft.question_ky else []
    await message.answer(
        _("Step 2: send the question in Russian (up to {limit} characters).").format(limit=sv.QUESTION_MAX)
        + ("\n" + _("Or press «Skip»: residents will see the Kyrgyz text.") if draft.question_ky else ""),
        reply_markup=_kb(*rows) if rows else None,
    )


async def _ask_options(message: Message, db: Database, state: FSMContext, draft: sv.Draft, officer_code: str) -> None:
    if draft.question_ky:
        await state.set_state(NewSurvey.options_ky)
        text = _("Step 3: send the options in Kyrgyz, {min} to {max}: one per message, or several lines in one "
                 "message. Press «Done» when all are in.")
    else:
        await state.set_state(NewSurvey.options_ru)
        text = _("Step 3: send the options in Russian, {min} to {max}: one per message, or several lines in one "
                 "message. Press «Done» when all are in.")
    rows = []
    if await sv.priority_problem_options(db, officer_code, limit=1):
        rows.append([draft_button(_("Take the top priority problems"), "problems")])
    await message.answer(text.format(min=sv.MIN_OPTIONS, max=sv.MAX_OPTIONS), reply_markup=_kb(*rows) if rows else None)


async def on_question(message: Message, db: Database, resident: Resident, state: FSMContext) -> None:
    """The question text in the current language step."""
    officer = await _officer(message, db, resident)
    if officer is None:
        await state.clear()
        return
    try:
        text = sv.clean_text(message.text, sv.QUESTION_MAX)
    except InvalidInput as exc:
        await message.answer(ngettext(
            "The question is too long: {length} character, at most {limit}. Shorten it and send it again.",
            "The question is too long: {length} characters, at most {limit}. Shorten it and send it again.",
            exc.actual or 0).format(length=format_number(exc.actual or 0), limit=exc.limit))
        return
    if not text:
        await message.answer(_("Please send the question as text, or /cancel."))
        return
    draft = await _draft(state)
    if await state.get_state() == NewSurvey.question_ky.state:
        draft.question_ky = text
        await _save(state, draft)
        await state.set_state(NewSurvey.question_ru)
        await _ask_question_ru(message, draft)
    else:
        draft.question_ru = text
        await _save(state, draft)
        await _ask_options(message, db, state, draft, officer.municipality_code)


def _options_summary(draft: sv.Draft, lang_index: int) -> str:
    lines = [f"{i}. {esc(opt[lang_index])}" for i, opt in enumerate(draft.options, start=1) if opt[lang_index]]
    return "\n".join(lines)


async def on_options(message: Message, db: Database, resident: Resident, state: FSMContext) -> None:
    """Options text: one per line; appended in ky step, filled in order in the ru step."""
    if await _officer(message, db, resident) is None:
        await state.clear()
        return
    draft = await _draft(state)
    ru_step = await state.get_state() == NewSurvey.options_ru.state
    index = 1 if ru_step else 0
    lines = sv.split_options(message.text or "")
    if not lines:
        await message.answer(_("Please send the options as text, or /cancel."))
        return
    for line in lines:
        if len(line) > sv.OPTION_MAX:
            await message.answer(ngettext(
                "An option is too long: {length} character, at most {limit}. Nothing from this message was added; "
                "shorten it and send it again.",
                "An option is too long: {length} characters, at most {limit}. Nothing from this message was added; "
                "shorten it and send it again.",
                len(line)).format(length=format_number(len(line)), limit=sv.OPTION_MAX))
            return
    translating = ru_step and bool(draft.question_ky)  # the ru step fills options made in the ky step
    if translating:
        filled = sum(1 for opt in draft.options if opt[1])
        room = len(draft.options) - filled
        if len(lines) > room:
            await message.answer(ngettext(
                "There is {n} option in Kyrgyz; send exactly that many in Russian, in the same order. "
                "Nothing from this message was added.",
                "There are {n} options in Kyrgyz; send exactly that many in Russian, in the same order. "
                "Nothing from this message was added.", len(draft.options)).format(n=len(draft.options)))
            return
        for offset, line in enumerate(lines):
            draft.options[filled + offset][1] = sv.clean_text(line, sv.OPTION_MAX)
    else:
        if len(draft.options) + len(lines) > sv.MAX_OPTIONS:
            await message.answer(ngettext(
                "A survey has at most {limit} options; with this message there would be {count}. "
                "Nothing from this message was added.",
                "A survey has at most {limit} options; with this message there would be {count}. "
                "Nothing from this message was added.",
                len(draft.options) + len(lines)).format(limit=sv.MAX_OPTIONS, count=len(draft.options) + len(lines)))
            return
        for line in lines:
            text = sv.clean_text(line, sv.OPTION_MAX)
            draft.options.append([text, "", None] if index == 0 else ["", text, None])
    await _save(state, draft)
    count = sum(1 for opt in draft.options if opt[index])
    rows = []
    if count >= sv.MIN_OPTIONS and (not translating or count == len(draft.options)):
        rows.append([draft_button(_("Done"), "done")])
    await message.answer(
        ngettext("{n} option so far:", "{n} options so far:", count).format(n=count) + "\n"
        + _options_summary(draft, index),
        reply_markup=_kb(*rows) if rows else None,
    )


async def _ask_max(message: Message, state: FSMContext, draft: sv.Draft) -> None:
    await state.set_state(NewSurvey.max_choices)
    rows = [[draft_button(_("One answer"), "max", 1)]]
    more = [draft_button(_("Up to {n}").format(n=n), "max", n) for n in range(2, len(draft.options) + 1)]
    for i in range(0, len(more), 3):
        rows.append(more[i:i + 3])
    await message.answer(_("Step 4: how many options may each resident choose?"), reply_markup=_kb(*rows))


async def _ask_opens(message: Message, state: FSMContext) -> None:
    await state.set_state(NewSurvey.opens_at)
    await message.answer(
        _("Step 5: when does voting open? Send the date and time in Bishkek time as DD.MM.YYYY HH:MM, "
          "for example {example}, or press «Now».").format(example=example_time()),
        reply_markup=_kb([draft_button(_("Now"), "now")]),
    )


async def _ask_closes(message: Message, state: FSMContext) -> None:
    await state.set_state(NewSurvey.closes_at)
    await message.answer(
        _("Step 6: when does voting close? Send the date and time in Bishkek time as DD.MM.YYYY HH:MM, "
          "for example {example}.").format(example=example_time()))


async def _ask_verified(message: Message, state: FSMContext) -> None:
    await state.set_state(NewSurvey.verified)
    await message.answer(
        _("Step 7: who may vote?"),
        reply_markup=_kb([draft_button(_("All residents of the municipality"), "verified", 0)],
                         [draft_button(_("Verified residents only"), "verified", 1)]),
    )


def preview_text(draft: sv.Draft, locale: str, residents: int) -> str:
    """The preview shown before publishing: texts in both languages and the settings."""
    lines = [_("<b>Preview</b>")]
    for loc, label, question, index in (("ky", _("Kyrgyz"), draft.question_ky, 0),
                                        ("ru", _("Russian"), draft.question_ru, 1)):
        if question:
            lines += ["", f"<b>{label}:</b> {esc(question)}"]
            lines += [f"{i}. {esc(opt[index] or opt[1 - index])}" for i, opt in enumerate(draft.options, start=1)]
    lines.append("")
    if draft.max_choices == 1:
        lines.append(_("One answer per resident."))
    else:
        lines.append(_("Each resident may choose up to {n} options.").format(n=draft.max_choices))
    lines.append(_("Opens: {opens}. Closes: {closes}.").format(
        opens=format_datetime(from_db(draft.opens_at), locale), closes=format_datetime(from_db(draft.closes_at), locale)))
    lines.append(_("Verified residents only.") if draft.verified_only else _("All residents of the municipality."))
    lines.append(ngettext("The announcement will go to {n} resident.", "The announcement will go to {n} residents.",
                          residents).format(n=format_number(residents, locale)))
    return "\n".join(lines)


async def _show_preview(message: Message, db: Database, state: FSMContext, draft: sv.Draft, locale: str,
                        officer_code: str) -> None:
    await state.set_state(NewSurvey.preview)
    residents = await count_residents(db, officer_code)
    text = preview_text(draft, locale, residents)
    hearing = await sv.get_hearing_ref(db, draft.hearing_id, officer_code)
    if hearing is not None:
        text += "\n" + sv.hearing_line(hearing, locale)
    await message.answer(text, reply_markup=_kb(
        [draft_button(_("✅ Publish"), "publish"), draft_button(_("Discard"), "discard")]))


async def on_time(message: Message, db: Database, resident: Resident, locale: str, state: FSMContext) -> None:
    """Opening or closing time typed as DD.MM.YYYY HH:MM in the display zone."""
    officer = await _officer(message, db, resident)
    if officer is None:
        await state.clear()
        return
    try:
        moment = sv.parse_local_datetime(message.text or "", DISPLAY_TZ)
    except InvalidInput as exc:
        await message.answer(format_error(exc))
        return
    draft = await _draft(state)
    now = clock.now()
    if await state.get_state() == NewSurvey.opens_at.state:
        if moment - now > sv.MAX_AHEAD:
            await message.answer(_("That is more than a year ahead. Send an earlier time."))
            return
        draft.opens_at = to_db(max(moment, now))
        await _save(state, draft)
        await _ask_closes(message, state)
        return
    opens = from_db(draft.opens_at) if draft.opens_at else now
    if moment <= now or moment <= opens:
        await message.answer(_("The closing time must be later than the opening time and than now "
                               "({now}). Send another time.").format(now=format_datetime(max(now, opens), locale)))
        return
    if moment - now > sv.MAX_AHEAD:
        await message.answer(_("That is more than a year ahead. Send an earlier time."))
        return
    draft.closes_at = to_db(moment)
    await _save(state, draft)
    await _ask_verified(message, state)


async def on_draft_not_text(message: Message) -> None:
    """A sticker, photo… where text was expected."""
    await message.answer(_("Please send text here, or /cancel to stop creating the survey."))


async def on_draft_use_buttons(message: Message) -> None:
    """Anything typed where a button answers the step."""
    await message.answer(_("Please choose with the buttons above, or /cancel to stop creating the survey."))


async def on_draft_button(callback: CallbackQuery, callback_data: SurveyAdminCallback, db: Database,
                          resident: Resident, locale: str, state: FSMContext) -> None:
    """Buttons of the creation flow; each is valid only in its step."""
    officer = await _officer(callback, db, resident)
    if officer is None:
        return
    current = await state.get_state()
    action, value = callback_data.action, callback_data.value
    message = callback.message
    if not isinstance(message, Message) or current is None or not current.startswith("NewSurvey:"):
        await callback.answer(_("This draft is no longer open. Send /newsurvey to start again."), show_alert=True)
        return
    draft = await _draft(state)
    stale = _("This button belongs to another step. Continue with the last message, or /cancel.")
    if action == "skip" and current == NewSurvey.question_ky.state:
        await callback.answer()
        await state.set_state(NewSurvey.question_ru)
        await _ask_question_ru(message, draft)
    elif action == "skip" and current == NewSurvey.question_ru.state and draft.question_ky:
        await callback.answer()
        await _ask_options(message, db, state, draft, officer.municipality_code)
    elif action == "problems" and current in (NewSurvey.options_ky.state, NewSurvey.options_ru.state):
        options = await sv.priority_problem_options(db, officer.municipality_code)
        if len(options) < sv.MIN_OPTIONS:
            await callback.answer(_("Your municipality has fewer than 2 open problems. Type the options instead."),
                                  show_alert=True)
            return
        await callback.answer()
        draft.options = options
        await _save(state, draft)
        await message.answer(_("Options from the top priority problems:") + "\n" + _options_summary(draft, 0))
        await _ask_max(message, state, draft)
    elif action == "done" and current == NewSurvey.options_ky.state and len(draft.options) >= sv.MIN_OPTIONS:
        await callback.answer()
        if draft.question_ru:
            await state.set_state(NewSurvey.options_ru)
            await message.answer(ngettext(
                "Now send the same {n} option in Russian, in the same order.",
                "Now send the same {n} options in Russian, in the same order.", len(draft.options),
            ).format(n=len(draft.options)))
        else:
            await _ask_max(message, state, draft)
    elif action == "done" and current == NewSurvey.options_ru.state and len(draft.options) >= sv.MIN_OPTIONS \
            and all(opt[1] for opt in draft.options):
        await callback.answer()
        await _ask_max(message, state, draft)
    elif action == "max" and current == NewSurvey.max_choices.state and 1 <= value <= len(draft.options):
        await callback.answer()
        draft.max_choices = value
        await _save(state, draft)
        await _ask_opens(message, state)
    elif action == "now" and current == NewSurvey.opens_at.state:
        await callback.answer()
        draft.opens_at = to_db(clock.now())
        await _save(state, draft)
        await _ask_closes(message, state)
    elif action == "verified" and current == NewSurvey.verified.state:
        await callback.answer()
        draft.verified_only = bool(value)
        await _save(state, draft)
        hearings = await sv.upcoming_hearings(db, officer.municipality_code)
        if hearings:
            await state.set_state(NewSurvey.hearing)
            rows = [[draft_button(f"{h.title(locale)[:40]} · {format_datetime(h.starts_at, locale)}", "hearing", h.id)]
                    for h in hearings]
            rows.append([draft_button(_("No hearing"), "hearing", 0)])
            await message.answer(_("Step 8: is this survey preparing a public hearing? Its results will be "
                                   "presented there."), reply_markup=_kb(*rows))
        else:
            await _show_preview(message, db, state, draft, locale, officer.municipality_code)
    elif action == "hearing" and current == NewSurvey.hearing.state:
        await callback.answer()
        draft.hearing_id = value or None
        await _save(state, draft)
        await _show_preview(message, db, state, draft, locale, officer.municipality_code)
    elif action == "discard":
        await callback.answer()
        await state.clear()
        await edit_or_send(callback, _("The draft is discarded."))
    elif action == "publish" and current == NewSurvey.preview.state:
        try:
            survey = await sv.create_survey(db, officer_id=resident.telegram_id, draft=draft)
        except InvalidInput as exc:
            if str(exc) == "closes_past":
                await callback.answer(_("The closing time has already passed. Send a new closing time."),
                                      show_alert=True)
                await _ask_closes(message, state)
            else:
                await callback.answer(_("The draft is incomplete. Send /newsurvey to start again."), show_alert=True)
            return
        await callback.answer()
        await state.clear()
        if survey.status == "open":
            text = _("✅ Survey #{id} is published and announced to the residents. "
                     "Send /surveys to follow the turnout.").format(id=survey.id)
        else:
            text = _("✅ Survey #{id} is saved. It opens on {opens}, and the residents will be told then.").format(
                id=survey.id, opens=format_datetime(survey.opens_at, locale))
        await edit_or_send(callback, text)
    else:
        await callback.answer(stale, show_alert=True)


# -- management ----------------------------------------------------------------------------------


def card_text(survey: sv.Survey, counts: sv.Tally, locale: str) -> str:
    """The officer's card: while open, the turnout only; after close, the results."""
    state = survey.state()
    status = {
        "scheduled": _("Opens on {time}.").format(time=format_datetime(survey.opens_at, locale)),
        "open": _("Open until {time}.").format(time=format_datetime(survey.closes_at, locale)),
        "closed": _("Closed on {time}.").format(time=format_datetime(survey.closed_at or survey.closes_at, locale)),
    }.get(state, "")
    header = f"#{survey.id} · {status}"
    if state == "closed":
        return header + "\n\n" + sv.results_text(survey, counts, locale, officer=True)
    lines = [header, "", f"<b>{esc(survey.question(locale))}</b>", sv.voters_text(counts.ballots, locale),
             _("Results per option are shown after the survey closes.")]
    if counts.burst:
        lines.append(ngettext(
            "⚠️ {n} vote came from an account that joined the bot less than an hour before voting.",
            "⚠️ {n} votes came from accounts that joined the bot less than an hour before voting.",
            counts.recent, locale=locale).format(n=format_number(counts.recent, locale)))
    return "\n".join(lines)


async def cmd_officer_surveys(message: Message, db: Database, resident: Resident, locale: str) -> None:
    """/survey_admin: the officer's surveys."""
    if await _officer(message, db, resident) is None:
        return
    await _send_list(message, db, resident, locale)


async def _send_list(message: Message, db: Database, resident: Resident, locale: str) -> None:
    surveys = await sv.list_officer_surveys(db, resident.telegram_id)
    text = _("<b>Surveys of your municipality</b>. /newsurvey — create a survey, /codes — residence codes.")
    if not surveys:
        text += "\n\n" + _("No surveys yet.")
    await message.answer(text, reply_markup=officer_list_keyboard(surveys, locale))


async def on_admin_button(callback: CallbackQuery, callback_data: SurveyAdminCallback, db: Database,
                          resident: Resident, locale: str, state: FSMContext, settings: Settings) -> None:
    """Management buttons; the draft buttons go to :func:`on_draft_button`."""
    action, survey_id = callback_data.action, callback_data.survey_id
    if action in ("skip", "done", "problems", "max", "now", "verified", "hearing", "publish", "discard"):
        await on_draft_button(callback, callback_data, db, resident, locale, state)
        return
    if await _officer(callback, db, resident) is None:
        return
    if action == "list":
        await callback.answer()
        if isinstance(callback.message, Message):
            await _send_list(callback.message, db, resident, locale)
        return
    try:
        survey, counts = await sv.officer_tally(db, officer_id=resident.telegram_id, survey_id=survey_id)
        if action == "show":
            await callback.answer()
            await edit_or_send(callback, card_text(survey, counts, locale), officer_card_keyboard(survey, survey.state()))
        elif action == "close":
            await callback.answer()
            if survey.state() == "scheduled":
                question = _("Survey #{id} has not opened yet. Cancel it? Residents have not been told about it, "
                             "and nothing will be sent to them.")
            else:
                question = _("Close survey #{id} now? The results will be sent to the residents.")
            await edit_or_send(callback, question.format(id=survey.id), confirm_keyboard("close", survey.id))
        elif action == "close_yes":
            survey = await sv.close_survey(db, officer_id=resident.telegram_id, survey_id=survey_id)
            if survey.status == "deleted":
                await callback.answer()
                await edit_or_send(callback, _("Survey #{id} had not opened yet, so it is cancelled. "
                                               "Nothing was sent to the residents.").format(id=survey.id))
                return
            counts = await sv.tally(db, survey_id)
            await callback.answer(_("The survey is closed. The results are being sent to the residents."))
            await edit_or_send(callback, card_text(survey, counts, locale), officer_card_keyboard(survey, "closed"))
        elif action == "delete":
            await callback.answer()
            await edit_or_send(callback, _("Delete survey #{id}? Votes will no longer be accepted and no results "
                                           "will be sent.").format(id=survey.id), confirm_keyboard("delete", survey.id))
        elif action == "delete_yes":
            await sv.delete_survey(db, officer_id=resident.telegram_id, survey_id=survey_id)
            await callback.answer()
            await edit_or_send(callback, _("Survey #{id} is deleted.").format(id=survey.id))
        elif action == "extend":
            if survey.state() == "closed":
                await callback.answer(_("This survey has already closed."), show_alert=True)
                return
            await callback.answer()
            await state.set_state(ExtendSurvey.closes_at)
            await state.update_data(survey_id=survey.id)
            if isinstance(callback.message, Message):
                await callback.message.answer(_(
                    "It closes now on {closes}. Send the new closing time in Bishkek time as DD.MM.YYYY HH:MM, "
                    "for example {example}. /cancel — keep it.").format(
                    closes=format_datetime(survey.closes_at, locale), example=example_time()))
        elif action in ("chart", "csv"):
            if survey.state() != "closed":
                await callback.answer(_("Results per option are shown after the survey closes."), show_alert=True)
                return
            if counts.hidden:
                await callback.answer(html.unescape(_(
                    "Fewer than {min} residents voted, so the results are not shown: this keeps every vote secret."
                ).format(min=sv.MIN_GROUP))[:200], show_alert=True)
                return
            if all(n is None for n in counts.visible(survey).values()):
                await callback.answer(html.unescape(_(
                    "The votes per option are not shown: with so few votes for some options, "
                    "how a group of fewer than {min} residents voted could be worked out."
                ).format(min=sv.MIN_GROUP))[:200], show_alert=True)
                return
            await callback.answer()
            if not isinstance(callback.message, Message):
                return
            if action == "chart":
                png = results_chart_png(survey, counts, locale)
                await callback.message.answer_photo(BufferedInputFile(png, f"survey-{survey.id}.png"),
                                                    caption=esc(survey.question(locale))[:1000])
            else:
                await callback.message.answer_document(
                    BufferedInputFile(results_csv(survey, counts), f"survey-{survey.id}-results.csv"),
                    caption=_("Results of survey #{id} (counts only, no voters).").format(id=survey.id))
        else:
            await callback.answer(_("This button is out of date. Send /menu to start again."), show_alert=True)
    except NotFound:
        await callback.answer(_("This survey does not exist any more."), show_alert=True)
    except PermissionDenied:
        log.warning("officer %s refused on survey %s (another municipality)", resident.telegram_id, survey_id)
        await callback.answer(_("This survey belongs to another municipality."), show_alert=True)
    except sv.SurveyUnavailable:
        await callback.answer(_("This survey has already closed."), show_alert=True)


async def on_extend_time(message: Message, db: Database, resident: Resident, locale: str, state: FSMContext) -> None:
    """The new closing time for an extension."""
    try:
        moment = sv.parse_local_datetime(message.text or "", DISPLAY_TZ)
    except InvalidInput as exc:
        await message.answer(format_error(exc))
        return
    survey_id = int((await state.get_data()).get("survey_id", 0))
    try:
        survey = await sv.extend_survey(db, officer_id=resident.telegram_id, survey_id=survey_id, closes_at=moment)
    except InvalidInput as exc:
        if str(exc) == "too_far":
            await message.answer(_("That is more than a year ahead. Send an earlier time."))
        else:
            await message.answer(_("The new closing time must be later than the current one. Send another time."))
        return
    except (NotFound, PermissionDenied, sv.SurveyUnavailable):
        await state.clear()
        await message.answer(_("This survey can no longer be extended."))
        return
    await state.clear()
    await message.answer(_("✅ Survey #{id} now closes on {closes}. Those who voted are told.").format(
        id=survey.id, closes=format_datetime(survey.closes_at, locale)))


# -- residence codes -----------------------------------------------------------------------------


async def cmd_codes(message: Message, command: CommandObject, db: Database, resident: Resident) -> None:
    """/codes N: N one-time residence codes for the officer's municipality (default 10)."""
    if await _officer(message, db, resident) is None:
        return
    arg = (command.args or "10").strip()
    count = int(arg) if arg.isdigit() and len(arg) <= 4 else 0
    try:
        codes = await ver.generate_codes(db, officer_id=resident.telegram_id, count=count)
    except InvalidInput:
        await message.answer(_("Send the number of codes from 1 to {max}, for example: /codes 20").format(
            max=ver.MAX_BATCH))
        return
    listing = "\n".join(f"<code>{ver.format_code(c)}</code>" for c in codes)
    await message.answer(ngettext(
        "{n} residence code. Each verifies one resident of your municipality, once; the resident sends "
        "/verify and the code.",
        "{n} residence codes. Each verifies one resident of your municipality, once; the resident sends "
        "/verify and the code.", len(codes)).format(n=len(codes)) + "\n\n" + listing)


def build_router() -> Router:
    """A new router with the officer survey handlers (register before the fallback)."""
    router = Router(name="surveys_officer")
    router.message.register(cmd_newsurvey, Command("newsurvey"))
    router.message.register(cmd_officer_surveys, Command("survey_admin"))
    router.message.register(cmd_codes, Command("codes"))
    text = (F.text, ~F.text.startswith("/"))
    router.message.register(on_question, StateFilter(NewSurvey.question_ky, NewSurvey.question_ru), *text)
    router.message.register(on_options, StateFilter(NewSurvey.options_ky, NewSurvey.options_ru), *text)
    router.message.register(on_time, StateFilter(NewSurvey.opens_at, NewSurvey.closes_at), *text)
    router.message.register(on_extend_time, StateFilter(ExtendSurvey.closes_at), *text)
    router.message.register(on_draft_not_text, StateFilter(NewSurvey.question_ky, NewSurvey.question_ru,
                                                           NewSurvey.options_ky, NewSurvey.options_ru,
                                                           NewSurvey.opens_at, NewSurvey.closes_at,
                                                           ExtendSurvey.closes_at), ~F.text)
    router.message.register(on_draft_use_buttons, StateFilter(NewSurvey.max_choices, NewSurvey.verified,
                                                              NewSurvey.hearing, NewSurvey.preview),
                            ~F.text.startswith("/"))
    router.callback_query.register(on_admin_button, SurveyAdminCallback.filter())
    return router
