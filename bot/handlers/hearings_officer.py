"""Officers and public hearings: announce step by step, change or cancel, attendance and questions,
publish the outcome; /hearing_notice sets the municipality's minimum notice period.

/hearing shows the municipality's hearings and "New hearing", which walks through: topic → title in
Kyrgyz → in Russian (either may be skipped, not both) → agenda in Kyrgyz → in Russian (several
messages may be sent, up to 6,000 characters in all) → date and time (``DD.MM.YYYY HH:MM``,
Bishkek time; refused with the reason and the earliest allowed date when sooner than the notice
period) → place (text, then optionally a map location) → optionally an open survey → optionally a
photo or document → preview → publish to every active resident. The draft lives in the FSM
(SQLite), so a restart loses nothing. Every action is checked on the server against the
officer's own municipality (in the domain).
"""

from __future__ import annotations

import html
import logging
import re
from datetime import timedelta

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.config import Settings
from bot.db import Database
from bot.delivery.split import split_html
from bot.domain import DomainError, InvalidInput, NotFound, PermissionDenied
from bot.domain import hearings as hr
from bot.domain import surveys as sv
from bot.domain.clock import clock, to_db
from bot.domain.officers import require_officer
from bot.domain.residents import Resident
from bot.handlers.hearings import refusal
from bot.handlers.officers import refusal_officer
from bot.i18n import DISPLAY_TZ, _, format_date, format_number, format_time, ngettext
from bot.ui.hearings import TOPIC_KEYS, HearingAdminCallback, admin_button, kb, topic_keyboard
from bot.ui.messages import answer_lines, esc

log = logging.getLogger(__name__)


class NewHearing(StatesGroup):
    """Steps of a new hearing (the draft is in the FSM data)."""

    topic = State()
    title_ky = State()
    title_ru = State()
    agenda_ky = State()
    agenda_ru = State()
    starts_at = State()
    place = State()
    location = State()
    survey = State()
    attachment = State()
    preview = State()


class EditHearing(StatesGroup):
    """Changing ``hearing_id`` (FSM data): the new time, place (+ location) or agenda, or a cancel reason."""

    starts_at = State()
    place = State()
    location = State()
    agenda_ky = State()
    agenda_ru = State()
    cancel_reason = State()


class HearingOutcome(StatesGroup):
    """Publishing the outcome of ``hearing_id`` (FSM data ``outcome``)."""

    decisions_ky = State()
    decisions_ru = State()
    participants = State()
    problems = State()
    minutes = State()
    preview = State()


TEXT_STATES = (NewHearing.title_ky, NewHearing.title_ru, NewHearing.agenda_ky, NewHearing.agenda_ru,
               NewHearing.starts_at, NewHearing.place, EditHearing.starts_at, EditHearing.place,
               EditHearing.agenda_ky, EditHearing.agenda_ru, EditHearing.cancel_reason,
               HearingOutcome.decisions_ky, HearingOutcome.decisions_ru, HearingOutcome.participants,
               HearingOutcome.problems)
BUTTON_STATES = (NewHearing.topic, NewHearing.survey, NewHearing.preview, HearingOutcome.preview)
MEDIA_STATES = (NewHearing.location, NewHearing.attachment, EditHearing.location, HearingOutcome.minutes)


async def _officer(event, db: Database, resident: Resident):
    try:
        return await require_officer(db, resident.telegram_id)
    except PermissionDenied:
        log.info("refused hearing officer action to %s", resident.telegram_id)
        if isinstance(event, CallbackQuery):
            await event.answer(html.unescape(refusal_officer())[:200], show_alert=True)
        else:
            await event.answer(refusal_officer())
        return None


async def _draft(state: FSMContext) -> hr.Draft:
    return hr.Draft.from_dict((await state.get_data()).get("draft"))


async def _save(state: FSMContext, draft: hr.Draft) -> None:
    await state.update_data(draft=draft.to_dict())


def _skip(action: str = "skip") -> InlineKeyboardMarkup:
    return kb([admin_button(_("Skip"), action)])


def _done() -> InlineKeyboardMarkup:
    return kb([admin_button(_("Done"), "done")])


def example_time(days: int) -> str:
    local = (clock.now() + timedelta(days=days + 1)).astimezone(DISPLAY_TZ)
    return local.strftime("%d.%m.%Y") + " 18:00"


def too_long(exc: InvalidInput) -> str:
    return ngettext("The text is too long: {length} character, at most {limit}. Shorten it and send it again.",
                    "The text is too long: {length} characters, at most {limit}. Shorten it and send it again.",
                    exc.actual or 0).format(length=format_number(exc.actual or 0), limit=format_number(exc.limit or 0))


def notice_refusal(exc: hr.NoticeTooShort) -> str:
    """Why a date is refused and the earliest allowed one (weekday, date and time in Bishkek)."""
    return ngettext(
        "Too early: your municipality gives residents at least {days} day of notice before a hearing. "
        "The earliest you can choose is {date}, {time}. Send another date and time.",
        "Too early: your municipality gives residents at least {days} days of notice before a hearing. "
        "The earliest you can choose is {date}, {time}. Send another date and time.",
        exc.days).format(days=exc.days, date=format_date(exc.earliest, weekday=True), time=format_time(exc.earliest))


def time_error(exc: InvalidInput, days: int) -> str:
    if str(exc) == "past":
        return _("This time has already passed. Send a future date and time.")
    if str(exc) == "too far":
        return _("That is more than a year ahead. Send a nearer date.")
    if str(exc) == "year":
        return _("The year must be from {min} to {max}. Send the time as DD.MM.YYYY HH:MM, for example {example}."
                 ).format(min=sv.YEAR_MIN, max=sv.YEAR_MAX, example=example_time(days))
    if str(exc) == "date":
        return _("There is no such date or time. Send it again as DD.MM.YYYY HH:MM, for example {example}.").format(
            example=example_time(days))
    return _("I could not read the time. Send it as DD.MM.YYYY HH:MM in Bishkek time, for example {example}.").format(
        example=example_time(days))


# -- entry ---------------------------------------------------------------------------------------


async def cmd_hearing(message: Message, db: Database, resident: Resident, state: FSMContext, locale: str) -> None:
    """/hearing: the municipality's hearings and "New hearing"."""
    if await _officer(message, db, resident) is None:
        return
    await state.clear()
    await _send_list(message, db, resident, locale)


async def _send_list(message: Message, db: Database, resident: Resident, locale: str) -> None:
    hearings = await hr.officer_hearings(db, resident.telegram_id)
    marks = {"scheduled": "🗓", "cancelled": "❌", "held": "✅"}
    rows = [[admin_button(_("➕ New hearing"), "new")]]
    lines = [_("<b>Public hearings</b> of your municipality.")]
    for h in hearings:
        lines.append(f"{marks[h.status]} <b>{esc(h.title(locale))}</b> — {hr.when_text(h, locale)}")
        rows.append([admin_button(f"{marks[h.status]} {h.title(locale)[:50]}", "show", h.id)])
    days = await hr.notice_days(db, (await require_officer(db, resident.telegram_id)).municipality_code)
    lines.append("")
    lines.append(ngettext("Minimum notice period: {days} day. Change it with /hearing_notice N.",
                          "Minimum notice period: {days} days. Change it with /hearing_notice N.", days).format(days=days))
    await message.answer("\n".join(lines), reply_markup=kb(*rows))


async def cmd_notice(message: Message, command: CommandObject, db: Database, resident: Resident,
                     is_superadmin: bool = False) -> None:
    """/hearing_notice N: the minimum notice period in days (officers: from
    :data:`bot.domain.hearings.NOTICE_FLOOR_DAYS`; superadmins: from 0). Every change is recorded."""
    if await _officer(message, db, resident) is None:
        return
    floor = 0 if is_superadmin else hr.NOTICE_FLOOR_DAYS
    try:
        days = int((command.args or "").strip())
        await hr.set_notice_days(db, officer_id=resident.telegram_id, days=days, superadmin=is_superadmin)
    except hr.NoticeBelowFloor as exc:
        await message.answer(ngettext(
            "Officers cannot set a notice period shorter than {min} day, so that residents can plan to come. "
            "Send a number from {min} to {max}, or ask the administrator.",
            "Officers cannot set a notice period shorter than {min} days, so that residents can plan to come. "
            "Send a number from {min} to {max}, or ask the administrator.", exc.floor).format(
            min=exc.floor, max=hr.MAX_NOTICE_DAYS))
        return
    except (ValueError, InvalidInput):
        await message.answer(_("Send the number of days from {min} to {max}, for example: /hearing_notice 10").format(
            min=floor, max=hr.MAX_NOTICE_DAYS))
        return
    await message.answer(ngettext("Done: hearings must now be announced at least {days} day ahead.",
                                  "Done: hearings must now be announced at least {days} days ahead.", days).format(days=days))


# -- officer card ---------------------------------------------------------------------------------


async def _card(message: Message, db: Database, officer_id: int, hearing_id: int, locale: str) -> None:
    hearing, att = await hr.attendance(db, officer_id=officer_id, hearing_id=hearing_id)
    question = await hr.survey_question(db, hearing, locale)
    text = hr.card_text(hearing, locale, survey_question=question)
    summary = _("Coming: {going} · can't come: {no} · asked for a reminder: {remind} · questions: {questions}").format(
        going=format_number(att.going), no=format_number(att.not_going), remind=format_number(att.remind),
        questions=format_number(att.questions))
    rows = [[admin_button(_("👥 Who is coming"), "att", hearing.id), admin_button(_("❓ Questions"), "qs", hearing.id)]]
    if hearing.status == "scheduled":
        if hearing.starts > clock.now():
            rows.append([admin_button(_("🕒 Change the time"), "time", hearing.id),
                         admin_button(_("📍 Change the place"), "place", hearing.id)])
            rows.append([admin_button(_("📝 Change the agenda"), "agenda", hearing.id),
                         admin_button(_("❌ Cancel the hearing"), "cancel", hearing.id)])
        else:
            rows.append([admin_button(_("📋 Publish the outcome"), "outcome", hearing.id)])
    parts = split_html(f"{text}\n\n{summary}")  # a 6,000-character agenda: several messages, buttons last
    for part in parts[:-1]:
        await message.answer(part)
    await message.answer(parts[-1], reply_markup=kb(*rows))


# -- creation ------------------------------------------------------------------------------------


async def _start_new(message: Message, state: FSMContext, locale: str) -> None:
    await state.set_state(NewHearing.topic)
    await state.update_data(draft=hr.Draft().to_dict())
    await message.answer(_("<b>New public hearing</b>. Step 1: choose the topic. /cancel — stop."),
                         reply_markup=topic_keyboard(locale))


async def _ask_time(message: Message, db: Database, state: FSMContext, code: str) -> None:
    days = await hr.notice_days(db, code)
    earliest = hr.earliest_start(days, clock.now())
    await state.set_state(NewHearing.starts_at)
    await message.answer(
        _("Send the date and time of the hearing as DD.MM.YYYY HH:MM in Bishkek time, for example {example}.").format(
            example=example_time(days)) + "\n"
        + _("The earliest possible: {date}, {time}.").format(date=format_date(earliest, weekday=True),
                                                             time=format_time(earliest)))


async def _after_place(message: Message, db: Database, state: FSMContext, code: str) -> None:
    await state.set_state(NewHearing.location)
    await message.answer(_("Send the location of the place on the map (📎 → Location), or press «Skip»."),
                         reply_markup=_skip())


async def _ask_survey(message: Message, db: Database, state: FSMContext, code: str, locale: str) -> None:
    surveys = await sv.list_open_surveys(db, code)
    if not surveys:
        await _ask_attachment(message, state)
        return
    await state.set_state(NewHearing.survey)
    rows = [[admin_button("🗳 " + s.question(locale)[:55], "survey", value=s.id)] for s in surveys[:8]]
    rows.append([admin_button(_("Skip"), "skip")])
    await message.answer(_("Link one of your open surveys to the hearing? Residents will see a button to vote."),
                         reply_markup=kb(*rows))


async def _ask_attachment(message: Message, state: FSMContext) -> None:
    await state.set_state(NewHearing.attachment)
    await message.answer(_("Attach a document (for example the draft budget) or a photo of the notice, or press "
                           "«Skip»."), reply_markup=_skip())


async def _preview(message: Message, db: Database, state: FSMContext, code: str, locale: str) -> None:
    draft = await _draft(state)
    await state.set_state(NewHearing.preview)
    preview = hr.Hearing(
        id=0, municipality_code=code, topic=draft.topic, title_ky=draft.title_ky, title_ru=draft.title_ru,
        agenda_ky=draft.agenda_ky, agenda_ru=draft.agenda_ru, starts_at=draft.starts_at, place=draft.place,
        latitude=draft.latitude, longitude=draft.longitude, survey_id=draft.survey_id,
        attachment_file_id=draft.attachment_file_id, attachment_kind=draft.attachment_kind, status="scheduled",
        announcement_id=None, created_by=0, cancel_reason=None, decisions_ky="", decisions_ru="",
        participants=None, minutes_file_id=None)
    question = None
    if draft.survey_id is not None:
        survey = await sv.get_survey(db, draft.survey_id)
        question = survey.question(locale) if survey else None
    from bot.domain.residents import count_residents

    n = await count_residents(db, code)
    head = _("<b>Preview.</b> This is how residents will see the announcement:")
    text = hr.card_text(preview, locale, survey_question=question)
    count = ngettext("It will be sent to {n} resident.", "It will be sent to {n} residents.", n).format(
        n=format_number(n))
    parts = split_html(f"{head}\n\n{text}\n\n{count}")  # the whole agenda, as residents will get it
    for part in parts[:-1]:
        await message.answer(part)
    await message.answer(parts[-1], reply_markup=kb(
        [admin_button(_("✅ Publish"), "publish"), admin_button(_("✖ Discard"), "discard")]))


async def on_text(message: Message, db: Database, resident: Resident, state: FSMContext, settings: Settings,
                  locale: str) -> None:
    """Every text step of the officer hearing flows."""
    officer = await _officer(message, db, resident)
    if officer is None:
        await state.clear()
        return
    code = officer.municipality_code
    current = await state.get_state()
    data = await state.get_data()
    draft = await _draft(state)
    text = message.text or ""
    try:
        if current == NewHearing.title_ky.state:
            draft.title_ky = hr.clean_text(text, hr.TITLE_MAX)
            await _save(state, draft)
            await state.set_state(NewHearing.title_ru)
            await message.answer(_("Step 3: the title in Russian (up to {limit} characters), or «Skip»: residents "
                                   "will see the Kyrgyz title.").format(limit=hr.TITLE_MAX), reply_markup=_skip())
        elif current == NewHearing.title_ru.state:
            draft.title_ru = hr.clean_text(text, hr.TITLE_MAX)
            await _save(state, draft)
            await _ask_agenda(message, state, "ky")
        elif current in (NewHearing.agenda_ky.state, NewHearing.agenda_ru.state):
            field = "agenda_ky" if current == NewHearing.agenda_ky.state else "agenda_ru"
            part = hr.clean_text(text, hr.AGENDA_MAX)
            joined = "\n".join(p for p in (getattr(draft, field), part) if p)
            if len(joined) > hr.AGENDA_MAX:
                raise InvalidInput("too long", limit=hr.AGENDA_MAX, actual=len(joined))
            setattr(draft, field, joined)
            await _save(state, draft)
            await message.answer(_("Added. The agenda now has {n} characters of {limit}. Send more, or press «Done».")
                                 .format(n=format_number(len(joined)), limit=format_number(hr.AGENDA_MAX)),
                                 reply_markup=_done())
        elif current == NewHearing.starts_at.state:
            days = await hr.notice_days(db, code)
            try:
                starts = sv.parse_local_datetime(text, settings.tz)
                await hr.check_start(db, code, starts)
            except hr.NoticeTooShort as exc:
                await message.answer(notice_refusal(exc))
                return
            except InvalidInput as exc:
                await message.answer(time_error(exc, days))
                return
            draft.starts_at = to_db(starts)
            await _save(state, draft)
            await state.set_state(NewHearing.place)
            await message.answer(_("Saved: {date}, {time}. Now send the place: the address or the building, "
                                   "up to {limit} characters.").format(date=format_date(starts, weekday=True),
                                                                      time=format_time(starts), limit=hr.PLACE_MAX))
        elif current == NewHearing.place.state:
            draft.place = hr.clean_text(text, hr.PLACE_MAX)
            if not draft.place:
                raise InvalidInput("empty")
            await _save(state, draft)
            await _after_place(message, db, state, code)
        elif current == EditHearing.starts_at.state:
            days = await hr.notice_days(db, code)
            try:
                starts = sv.parse_local_datetime(text, settings.tz)
                hearing, changed = await hr.edit_hearing(db, officer_id=resident.telegram_id,
                                                         hearing_id=data["hearing_id"], starts_at=starts)
            except hr.NoticeTooShort as exc:
                await message.answer(notice_refusal(exc))
                return
            except InvalidInput as exc:
                if str(exc) == "unchanged":
                    await message.answer(_("That is the same time as before. Send another one, or /cancel."))
                else:
                    await message.answer(time_error(exc, days))
                return
            await _changed(message, state, db, hearing, changed, locale)
        elif current == EditHearing.place.state:
            place = hr.clean_text(text, hr.PLACE_MAX)
            if not place:
                raise InvalidInput("empty")
            await state.update_data(new_place=place)
            await state.set_state(EditHearing.location)
            await message.answer(_("Send the location of the place on the map (📎 → Location), or press «Skip»."),
                                 reply_markup=_skip())
        elif current in (EditHearing.agenda_ky.state, EditHearing.agenda_ru.state):
            key = "new_agenda_ky" if current == EditHearing.agenda_ky.state else "new_agenda_ru"
            joined = "\n".join(p for p in (data.get(key, ""), hr.clean_text(text, hr.AGENDA_MAX)) if p)
            if len(joined) > hr.AGENDA_MAX:
                raise InvalidInput("too long", limit=hr.AGENDA_MAX, actual=len(joined))
            await state.update_data(**{key: joined})
            await message.answer(_("Added. The agenda now has {n} characters of {limit}. Send more, or press «Done».")
                                 .format(n=format_number(len(joined)), limit=format_number(hr.AGENDA_MAX)),
                                 reply_markup=_done())
        elif current == EditHearing.cancel_reason.state:
            await _cancel(message, state, db, resident, data["hearing_id"], text)
        elif current in (HearingOutcome.decisions_ky.state, HearingOutcome.decisions_ru.state):
            outcome = hr.Outcome.from_dict(data.get("outcome"))
            value = hr.clean_text(text, hr.DECISIONS_MAX)
            if current == HearingOutcome.decisions_ky.state:
                outcome.decisions_ky = value
                await state.update_data(outcome=outcome.to_dict())
                await state.set_state(HearingOutcome.decisions_ru)
                await message.answer(_("The decisions in Russian, or «Skip»: residents will see the Kyrgyz text."),
                                     reply_markup=_skip())
            else:
                outcome.decisions_ru = value
                await state.update_data(outcome=outcome.to_dict())
                await _ask_participants(message, state)
        elif current == HearingOutcome.participants.state:
            try:
                n = int(text.strip().replace(" ", ""))
                if not 0 <= n <= hr.PARTICIPANTS_MAX:
                    raise ValueError
            except ValueError:
                await message.answer(_("Send the number of participants as a number, for example 57, or «Skip»."),
                                     reply_markup=_skip())
                return
            outcome = hr.Outcome.from_dict(data.get("outcome"))
            outcome.participants = n
            await state.update_data(outcome=outcome.to_dict())
            await _ask_problems(message, state)
        elif current == HearingOutcome.problems.state:
            ids = [int(x) for x in re.findall(r"\d+", text)][:30]
            if not ids:
                await message.answer(_("Send problem numbers, for example: #12 #15, or «Skip»."), reply_markup=_skip())
                return
            bad = await hr.check_outcome_problems(db, officer_id=resident.telegram_id, hearing_id=data["hearing_id"],
                                                  ids=ids)
            if bad:
                await message.answer(_("These numbers are not problems of your municipality: {ids}. Send the list "
                                       "again.").format(ids=", ".join(f"#{i}" for i in bad)), reply_markup=_skip())
                return
            outcome = hr.Outcome.from_dict(data.get("outcome"))
            outcome.problem_ids = list(dict.fromkeys(ids))
            await state.update_data(outcome=outcome.to_dict())
            await _ask_minutes(message, state)
    except InvalidInput as exc:
        if exc.limit:
            await message.answer(too_long(exc))
        else:
            await message.answer(_("Please send it as text, or /cancel."))
    except DomainError as exc:
        await state.clear()
        await message.answer(refusal(exc))


async def _ask_agenda(message: Message, state: FSMContext, lang: str) -> None:
    if lang == "ky":
        await state.set_state(NewHearing.agenda_ky)
        await message.answer(_("Step 4: the agenda in Kyrgyz, up to {limit} characters in all; a long agenda may be "
                               "sent in several messages. Press «Done» when it is complete, or «Skip».").format(
            limit=format_number(hr.AGENDA_MAX)), reply_markup=kb([admin_button(_("Skip"), "skip")]))
    else:
        await state.set_state(NewHearing.agenda_ru)
        await message.answer(_("Step 5: the agenda in Russian, up to {limit} characters in all; a long agenda may be "
                               "sent in several messages. Press «Done» when it is complete, or «Skip».").format(
            limit=format_number(hr.AGENDA_MAX)), reply_markup=kb([admin_button(_("Skip"), "skip")]))


async def _ask_participants(message: Message, state: FSMContext) -> None:
    await state.set_state(HearingOutcome.participants)
    await message.answer(_("How many people took part? Send a number, or «Skip»."), reply_markup=_skip())


async def _ask_problems(message: Message, state: FSMContext) -> None:
    await state.set_state(HearingOutcome.problems)
    await message.answer(_("Which problems and proposals were accepted? Send their numbers, for example: #12 #15. "
                           "Their status will change and their supporters will be told. Or «Skip»."),
                         reply_markup=_skip())


async def _ask_minutes(message: Message, state: FSMContext) -> None:
    await state.set_state(HearingOutcome.minutes)
    await message.answer(_("Send the minutes of the hearing as a document, or «Skip»."), reply_markup=_skip())


async def _outcome_preview(message: Message, db: Database, state: FSMContext, officer_id: int, locale: str) -> None:
    data = await state.get_data()
    outcome = hr.Outcome.from_dict(data.get("outcome"))
    hearing = await hr.hearing_for_officer(db, officer_id=officer_id, hearing_id=data["hearing_id"])
    from dataclasses import replace

    shown = replace(hearing, decisions_ky=outcome.decisions_ky, decisions_ru=outcome.decisions_ru,
                    participants=outcome.participants, problem_ids=tuple(outcome.problem_ids),
                    minutes_file_id=outcome.minutes_file_id)
    problems = {r["id"]: r for r in await db.fetchall(
        f"SELECT id, text FROM problems WHERE id IN ({','.join('?' * len(outcome.problem_ids)) or 'NULL'})",
        outcome.problem_ids)}
    await state.set_state(HearingOutcome.preview)
    text = hr.outcome_text(shown, locale, problems)
    if len(text) > 3500:
        text = text[:3490].rsplit("\n", 1)[0] + "\n…"
    await message.answer(_("<b>Preview.</b> Residents will get:") + "\n\n" + text, reply_markup=kb(
        [admin_button(_("✅ Publish"), "out_publish", hearing.id), admin_button(_("✖ Discard"), "discard")]))


async def on_media(message: Message, db: Database, resident: Resident, state: FSMContext, locale: str) -> None:
    """Location, photo or document steps."""
    officer = await _officer(message, db, resident)
    if officer is None:
        await state.clear()
        return
    current = await state.get_state()
    data = await state.get_data()
    if current == NewHearing.location.state and message.location:
        draft = await _draft(state)
        draft.latitude, draft.longitude = message.location.latitude, message.location.longitude
        await _save(state, draft)
        await _ask_survey(message, db, state, officer.municipality_code, locale)
    elif current == EditHearing.location.state and message.location:
        await _edit_place(message, state, db, resident, data, message.location.latitude, message.location.longitude,
                          locale)
    elif current == NewHearing.attachment.state and (message.photo or message.document):
        draft = await _draft(state)
        if message.photo:
            draft.attachment_file_id, draft.attachment_kind = message.photo[-1].file_id, "photo"
        else:
            draft.attachment_file_id, draft.attachment_kind = message.document.file_id, "document"
        await _save(state, draft)
        await _preview(message, db, state, officer.municipality_code, locale)
    elif current == HearingOutcome.minutes.state and message.document:
        outcome = hr.Outcome.from_dict(data.get("outcome"))
        outcome.minutes_file_id = message.document.file_id
        await state.update_data(outcome=outcome.to_dict())
        await _outcome_preview(message, db, state, resident.telegram_id, locale)
    else:
        await on_wrong_kind(message, state)


async def on_wrong_kind(message: Message, state: FSMContext) -> None:
    """Something other than what the current step asks for (a sticker where text was asked…)."""
    current = await state.get_state()
    if current in (NewHearing.location.state, EditHearing.location.state):
        text = _("Please send a location (📎 → Location), or press «Skip».")
    elif current == NewHearing.attachment.state:
        text = _("Please send a document or a photo, or press «Skip».")
    elif current == HearingOutcome.minutes.state:
        text = _("Please send the minutes as a document, or press «Skip».")
    elif current == NewHearing.topic.state:
        # typing the title here is the usual slip: say what comes first and that the title is next
        text = _("First choose the topic of the hearing with the buttons above; the title is asked next. "
                 "/cancel — stop.")
    elif current in {s.state for s in BUTTON_STATES}:
        text = _("Please use the buttons above, or /cancel.")
    else:
        text = _("Please send it as text, or /cancel.")
    await message.answer(text)


async def _edit_place(message: Message, state: FSMContext, db: Database, resident: Resident, data: dict,
                      lat, lon, locale: str) -> None:
    try:
        hearing, changed = await hr.edit_hearing(db, officer_id=resident.telegram_id, hearing_id=data["hearing_id"],
                                                 place=data.get("new_place", ""), latitude=lat, longitude=lon)
    except InvalidInput:
        await state.clear()
        await message.answer(_("Nothing has changed."))
        return
    except DomainError as exc:
        await state.clear()
        await message.answer(refusal(exc))
        return
    await _changed(message, state, db, hearing, changed, locale)


async def _changed(message: Message, state: FSMContext, db: Database, hearing: hr.Hearing, changed, locale) -> None:
    await state.clear()
    n = await db.fetchval("SELECT total FROM broadcasts WHERE kind = 'hearing_changed' AND municipality_code = ?"
                          " ORDER BY id DESC LIMIT 1", (hearing.municipality_code,)) or 0
    await message.answer(ngettext("✅ Saved. {n} resident who got the announcement will be told what changed; "
                                  "reminders follow the new time.",
                                  "✅ Saved. {n} residents who got the announcement will be told what changed; "
                                  "reminders follow the new time.", n).format(n=format_number(n)))


async def _cancel(message: Message, state: FSMContext, db: Database, resident: Resident, hearing_id: int,
                  reason: str) -> None:
    try:
        hearing = await hr.cancel_hearing(db, officer_id=resident.telegram_id, hearing_id=hearing_id, reason=reason)
    except InvalidInput as exc:
        await message.answer(too_long(exc))
        return
    except DomainError as exc:
        await state.clear()
        await message.answer(refusal(exc))
        return
    await state.clear()
    await message.answer(_("❌ The hearing «{title}» is cancelled. Residents who got the announcement will be told; "
                           "no reminders will be sent.").format(title=esc(hearing.title(_locale(message)))))


def _locale(message: Message) -> str:
    from bot.i18n import current_locale

    return current_locale()


# -- buttons -------------------------------------------------------------------------------------


async def on_button(callback: CallbackQuery, callback_data: HearingAdminCallback, db: Database, resident: Resident,
                    state: FSMContext, locale: str) -> None:
    """Every officer hearing button."""
    officer = await _officer(callback, db, resident)
    if officer is None:
        return
    message = callback.message if isinstance(callback.message, Message) else None
    if message is None:
        await callback.answer()
        return
    action, hid = callback_data.action, callback_data.hearing_id
    current = await state.get_state()
    code = officer.municipality_code
    try:
        if action == "new":
            await callback.answer()
            await _start_new(message, state, locale)
        elif action == "list":
            await callback.answer()
            await _send_list(message, db, resident, locale)
        elif action == "topic" and current == NewHearing.topic.state:
            if not 0 <= callback_data.value < len(TOPIC_KEYS):
                raise InvalidInput("topic")
            draft = await _draft(state)
            draft.topic = TOPIC_KEYS[callback_data.value]
            await _save(state, draft)
            await state.set_state(NewHearing.title_ky)
            await callback.answer()
            await message.answer(_("Step 2: the title in Kyrgyz (up to {limit} characters), or «Skip» to write it only "
                                   "in Russian.").format(limit=hr.TITLE_MAX), reply_markup=_skip())
        elif action == "skip" and current is not None:
            await callback.answer()
            await _skip_step(message, db, state, current, code, locale, resident)
        elif action == "done" and current in (NewHearing.agenda_ky.state, NewHearing.agenda_ru.state):
            await callback.answer()
            draft = await _draft(state)
            if current == NewHearing.agenda_ky.state:
                await _ask_agenda(message, state, "ru")
            elif not (draft.agenda_ky or draft.agenda_ru):
                await message.answer(_("The agenda is needed in at least one language."))
            else:
                await _ask_time(message, db, state, code)
        elif action == "done" and current in (EditHearing.agenda_ky.state, EditHearing.agenda_ru.state):
            await callback.answer()
            if current == EditHearing.agenda_ky.state:
                await state.set_state(EditHearing.agenda_ru)
                await message.answer(_("Now the new agenda in Russian (several messages allowed), then «Done»; or "
                                       "«Skip» to keep the Russian agenda as it is."), reply_markup=_skip())
            else:
                await _finish_agenda_edit(message, state, db, resident, locale)
        elif action == "survey" and current == NewHearing.survey.state:
            survey = await sv.get_survey(db, callback_data.value)
            if survey is None or survey.municipality_code != code:
                raise PermissionDenied("survey of another municipality")
            draft = await _draft(state)
            draft.survey_id = survey.id
            await _save(state, draft)
            await callback.answer()
            await _ask_attachment(message, state)
        elif action == "publish" and current == NewHearing.preview.state:
            draft = await _draft(state)
            try:
                hearing = await hr.create_hearing(db, officer_id=resident.telegram_id, draft=draft)
            except hr.NoticeTooShort as exc:
                await callback.answer()
                await state.set_state(NewHearing.starts_at)
                await message.answer(notice_refusal(exc))
                return
            except InvalidInput as exc:
                if str(exc) != "survey":
                    raise
                # the linked survey closed (or was deleted) since it was chosen: drop the link, show the
                # preview again so the officer can publish without it
                draft.survey_id = None
                await _save(state, draft)
                await callback.answer()
                await message.answer(_("The survey you linked is no longer open, so it cannot be linked to the "
                                       "hearing. The link is removed: check the preview and publish without it."))
                await _preview(message, db, state, code, locale)
                return
            await state.clear()
            await callback.answer()
            total = await db.fetchval("SELECT total FROM broadcasts WHERE id = ?", (hearing.announcement_id,))
            await message.answer(ngettext(
                "📣 Published. The announcement is going out to {n} resident; reminders are planned 24 hours and "
                "1 hour before.",
                "📣 Published. The announcement is going out to {n} residents; reminders are planned 24 hours and "
                "1 hour before.", total or 0).format(n=format_number(total or 0)),
                reply_markup=kb([admin_button(_("Open the hearing"), "show", hearing.id)]))
        elif action == "discard":
            await state.clear()
            await callback.answer()
            await message.answer(_("The draft is discarded."))
        elif action == "show":
            # the check comes first: a callback is answered once, with the refusal when refused
            await hr.hearing_for_officer(db, officer_id=resident.telegram_id, hearing_id=hid)
            await callback.answer()
            await _card(message, db, resident.telegram_id, hid, locale)
        elif action == "att":
            hearing, att = await hr.attendance(db, officer_id=resident.telegram_id, hearing_id=hid)
            await callback.answer()
            head = _("👥 <b>{title}</b>\nComing: {going} · can't come: {no} · asked for a reminder: {remind}").format(
                title=esc(hearing.title(locale)), going=format_number(att.going), no=format_number(att.not_going),
                remind=format_number(att.remind))
            if att.names:
                head += "\n\n" + _("Names for the hall list (only residents who agreed to share them):")
                await answer_lines(message, head, [f"{i}. {esc(n)}" for i, n in enumerate(att.names, 1)])
            else:
                await message.answer(head + "\n\n" + _("No resident has agreed to share their name yet; counts only."))
        elif action == "qs":
            hearing, qs = await hr.questions(db, officer_id=resident.telegram_id, hearing_id=hid)
            await callback.answer()
            if not qs:
                await message.answer(_("No questions for this hearing yet."))
            else:
                head = ngettext("❓ <b>{title}</b>: {n} question from residents",
                                "❓ <b>{title}</b>: {n} questions from residents", len(qs)).format(
                    title=esc(hearing.title(locale)), n=len(qs))
                await answer_lines(message, head, [f"{i}. {esc(q.text)}" for i, q in enumerate(qs, 1)])
        elif action in ("time", "place", "agenda", "cancel", "outcome"):
            hearing = await hr.hearing_for_officer(db, officer_id=resident.telegram_id, hearing_id=hid)
            if hearing.status != "scheduled":
                raise hr.HearingClosed(hearing.status)
            await callback.answer()
            await state.clear()
            await state.update_data(hearing_id=hid)
            if action == "time":
                await state.set_state(EditHearing.starts_at)
                days = await hr.notice_days(db, code)
                await message.answer(_("Send the new date and time as DD.MM.YYYY HH:MM in Bishkek time, for example "
                                       "{example}. Residents will be told; reminders follow the new time.").format(
                    example=example_time(days)))
            elif action == "place":
                await state.set_state(EditHearing.place)
                await message.answer(_("Send the new place (up to {limit} characters).").format(limit=hr.PLACE_MAX))
            elif action == "agenda":
                await state.set_state(EditHearing.agenda_ky)
                await message.answer(_("Send the new agenda in Kyrgyz (several messages allowed), then «Done»; or "
                                       "«Skip» to keep the Kyrgyz agenda as it is."), reply_markup=_skip())
            elif action == "cancel":
                await state.set_state(EditHearing.cancel_reason)
                await message.answer(_("Send the reason for the cancellation (residents will see it), or press the "
                                       "button to cancel without a reason."),
                                     reply_markup=kb([admin_button(_("❌ Cancel without a reason"), "cancel_yes", hid)]))
            else:
                await state.set_state(HearingOutcome.decisions_ky)
                await state.update_data(outcome=hr.Outcome().to_dict())
                await message.answer(_("<b>Outcome of the hearing.</b> Send the decisions in Kyrgyz (up to {limit} "
                                       "characters), or «Skip».").format(limit=format_number(hr.DECISIONS_MAX)),
                                     reply_markup=_skip())
        elif action == "cancel_yes" and current == EditHearing.cancel_reason.state:
            await callback.answer()
            await _cancel(message, state, db, resident, (await state.get_data())["hearing_id"], "")
        elif action == "out_publish" and current == HearingOutcome.preview.state:
            data = await state.get_data()
            outcome = hr.Outcome.from_dict(data.get("outcome"))
            hearing, moved = await hr.publish_outcome(db, officer_id=resident.telegram_id,
                                                      hearing_id=data["hearing_id"], outcome=outcome)
            await state.clear()
            await callback.answer()
            text = _("📋 The outcome is published to the residents.")
            if moved:
                from bot.domain.problems import STATUSES

                lines = []
                for pid, status in moved.items():
                    if status in STATUSES:
                        lines.append(_("#{id}: new status «{status}»; its supporters are told.").format(
                            id=pid, status=_(STATUSES[status])))
                    else:
                        lines.append(_("#{id}: the status was not changed.").format(id=pid))
                text += "\n" + "\n".join(lines)
            await message.answer(text)
        else:
            await callback.answer(_("This button is out of date. Send /menu to start again."), show_alert=True)
    except hr.HearingClosed as exc:
        if exc.status == "not_started":
            await callback.answer(_("The outcome can be published once the hearing has begun."), show_alert=True)
        else:
            await callback.answer(html.unescape(refusal(exc))[:200], show_alert=True)
    except InvalidInput as exc:
        if str(exc) == "decisions":
            await callback.answer(_("The decisions are needed in at least one language."), show_alert=True)
        else:
            await callback.answer(_("This button is out of date. Send /menu to start again."), show_alert=True)
    except PermissionDenied:
        log.info("refused hearing %s of another municipality to officer %s", hid, resident.telegram_id)
        await callback.answer(_("This hearing is for another municipality."), show_alert=True)
    except NotFound:
        await callback.answer(_("This hearing no longer exists."), show_alert=True)


async def _skip_step(message: Message, db: Database, state: FSMContext, current: str, code: str, locale: str,
                     resident: Resident) -> None:
    draft = await _draft(state)
    data = await state.get_data()
    if current == NewHearing.title_ky.state:
        await state.set_state(NewHearing.title_ru)
        await message.answer(_("Step 3: the title in Russian (up to {limit} characters).").format(limit=hr.TITLE_MAX))
    elif current == NewHearing.title_ru.state:
        if not draft.title_ky:
            await message.answer(_("The title is needed in at least one language."))
            return
        await _ask_agenda(message, state, "ky")
    elif current == NewHearing.agenda_ky.state:
        draft.agenda_ky = ""
        await _save(state, draft)
        await _ask_agenda(message, state, "ru")
    elif current == NewHearing.agenda_ru.state:
        draft.agenda_ru = ""
        await _save(state, draft)
        if not draft.agenda_ky:
            await message.answer(_("The agenda is needed in at least one language."))
            await _ask_agenda(message, state, "ru")
            return
        await _ask_time(message, db, state, code)
    elif current == NewHearing.location.state:
        await _ask_survey(message, db, state, code, locale)
    elif current == NewHearing.survey.state:
        await _ask_attachment(message, state)
    elif current == NewHearing.attachment.state:
        await _preview(message, db, state, code, locale)
    elif current == EditHearing.location.state:
        await _edit_place(message, state, db, resident, data, None, None, locale)
    elif current == EditHearing.agenda_ky.state:
        await state.update_data(new_agenda_ky=None)
        await state.set_state(EditHearing.agenda_ru)
        await message.answer(_("Now the new agenda in Russian (several messages allowed), then «Done»; or "
                               "«Skip» to keep the Russian agenda as it is."), reply_markup=_skip())
    elif current == EditHearing.agenda_ru.state:
        await state.update_data(new_agenda_ru=None)
        await _finish_agenda_edit(message, state, db, resident, locale)
    elif current == HearingOutcome.decisions_ky.state:
        await state.set_state(HearingOutcome.decisions_ru)
        await message.answer(_("The decisions in Russian (up to {limit} characters).").format(
            limit=format_number(hr.DECISIONS_MAX)))
    elif current == HearingOutcome.decisions_ru.state:
        outcome = hr.Outcome.from_dict(data.get("outcome"))
        if not outcome.decisions_ky:
            await message.answer(_("The decisions are needed in at least one language."))
            return
        await _ask_participants(message, state)
    elif current == HearingOutcome.participants.state:
        await _ask_problems(message, state)
    elif current == HearingOutcome.problems.state:
        await _ask_minutes(message, state)
    elif current == HearingOutcome.minutes.state:
        await _outcome_preview(message, db, state, resident.telegram_id, locale)


async def _finish_agenda_edit(message: Message, state: FSMContext, db: Database, resident: Resident,
                              locale: str) -> None:
    data = await state.get_data()
    try:
        hearing, changed = await hr.edit_hearing(db, officer_id=resident.telegram_id, hearing_id=data["hearing_id"],
                                                 agenda_ky=data.get("new_agenda_ky"),
                                                 agenda_ru=data.get("new_agenda_ru"))
    except InvalidInput:
        await state.clear()
        await message.answer(_("Nothing has changed."))
        return
    except DomainError as exc:
        await state.clear()
        await message.answer(refusal(exc))
        return
    await _changed(message, state, db, hearing, changed, locale)


def build_router() -> Router:
    """A new router with the officer hearing handlers (register before the fallback)."""
    router = Router(name="hearings_officer")
    router.message.register(cmd_hearing, Command("hearing"))
    router.message.register(cmd_notice, Command("hearing_notice"))
    router.message.register(on_text, StateFilter(*TEXT_STATES), F.text, ~F.text.startswith("/"))
    router.message.register(on_media, StateFilter(*MEDIA_STATES), F.location | F.photo | F.document)
    router.message.register(on_wrong_kind, StateFilter(*TEXT_STATES, *MEDIA_STATES, *BUTTON_STATES),
                            ~F.text.startswith("/"))
    router.callback_query.register(on_button, HearingAdminCallback.filter())
    return router
