"""Hearing screens: callback formats (defined once, here), keyboards, chat texts, the calendar file
(.ics), and the explanations of hearing refusals.

Callback data carries ids only (≤ 64 bytes), bounded (:data:`bot.ui.callbacks.IdField`): a crafted
huge id does not match and is answered as a stale button. ``hr:<action>:<hearing_id>:<value>`` for
residents (also inside queued notices, so the format stays), ``ha:<action>:<hearing_id>`` for
officers. Steps of the officers' and residents' wizards use the kit's own buttons (``bot.flows``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from icalendar import Calendar, Event, vGeo
from pydantic import Field

from bot.domain import hearings as hr
from bot.domain.clock import clock, from_db
from bot.i18n import N_, _, current_locale, format_date, format_number, format_time, ngettext, numbered
from bot.ui.callbacks import IdField
from bot.ui.errors import explains
from bot.ui.keyboards import item_label, label
from bot.ui.messages import esc

ICS_DURATION = timedelta(hours=2)
"""Length given to the calendar event (hearings have no end time; two hours is typical)."""

TOPIC_LABELS: dict[str, str] = {
    "budget_draft": N_("Draft local budget"),
    "budget_execution": N_("Execution of the local budget"),
    "priority_problems": N_("Priority problems"),
    "services_registry": N_("Registry of municipal services"),
    "other": N_("Other questions"),
}
"""Topic key (:data:`bot.domain.hearings.TOPICS`) → English msgid of its label."""


class HearingCallback(CallbackData, prefix="hr"):
    """Resident actions on hearing ``hearing_id``: ``go``, ``no`` (RSVP), ``rem``, ``mute`` (the reminder
    on, off), ``ask`` (a question), ``ics`` (calendar file), ``map`` (location), ``doc`` (attached document), ``min`` (minutes),
    ``share`` (``value`` 1/0: name on the hall list), ``show`` (the card), ``list`` (upcoming),
    ``past`` (past hearings). ``hr:share:9007199254740991:1`` = 28 bytes."""

    action: str
    hearing_id: IdField = 0
    value: Annotated[int, Field(ge=0, le=1)] = 0


class HearingAdminCallback(CallbackData, prefix="ha"):
    """Officer actions: ``list``, ``new``; on hearing ``hearing_id``: ``show``, ``att`` (attendance),
    ``qs`` (questions), ``time``, ``place``, ``agenda``, ``cancel``, ``outcome``."""

    action: str
    hearing_id: IdField = 0


def topic_label(topic: str) -> str:
    """The topic's label in the current language."""
    return _(TOPIC_LABELS.get(topic, TOPIC_LABELS["other"]))


def topic_button_label(topic: str) -> str:
    """The topic's label for a button of its own row, shortened at a word to fit a 360-px phone
    (:func:`bot.ui.keyboards.label`); the prompt above lists a shortened one in full."""
    return label(topic_label(topic))


def resident_button(text: str, action: str, hearing_id: int = 0, value: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=HearingCallback(
        action=action, hearing_id=hearing_id, value=value).pack())


def admin_button(text: str, action: str, hearing_id: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=HearingAdminCallback(
        action=action, hearing_id=hearing_id).pack())


def kb(*rows: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[list(r) for r in rows if r])


def when_text(starts: datetime) -> str:
    """"Tuesday, 15 December 2026, 00:30" — weekday and date in Bishkek time, in the current language."""
    return _("{date}, {time}").format(date=format_date(starts, weekday=True), time=format_time(starts))


# -- keyboards (also under queued notices) ------------------------------------------------------------


def linked_surveys(facts: Mapping[str, Any]) -> list[tuple[int, str]]:
    """The surveys linked to the hearing as ``(id, question)`` in the current language: the facts'
    ``surveys`` (``[id, question_ky, question_ru]`` each), or, in a notice stored before there could
    be several, its one ``survey_id`` with ``survey_ky``/``survey_ru``."""
    locale = current_locale()
    if "surveys" in facts:
        return [(int(sid), hr.pick(ky, ru, locale)) for sid, ky, ru in facts["surveys"]]
    if facts.get("survey_id") is None:
        return []
    return [(int(facts["survey_id"]), hr.pick(facts.get("survey_ky") or "", facts.get("survey_ru") or "", locale))]


def survey_button(survey_id: int, question: str) -> InlineKeyboardButton:
    """A linked survey's button: 🗳 and the first words of its question (a row of its own on a
    360-px phone); the ballot comes as a new message, so the card and its other buttons stay."""
    from bot.ui.surveys.callbacks import survey_open_data  # the surveys feature owns its callback format

    text = item_label("🗳", question) if question else _("🗳 Vote in the survey")
    return InlineKeyboardButton(text=text, callback_data=survey_open_data(survey_id, fresh=True))


def card_rows(facts: Mapping[str, Any], answer: str | None = None, share: bool = False,
              reminder: bool | None = None) -> list[list[InlineKeyboardButton]]:
    """Buttons under an announcement card: come / can't come, question / reminder, calendar, map,
    document, one per linked survey; the resident's ``answer`` is ticked. The reminder is never a
    toggle (issue 12): "⏰ Remind me" while it is off, "🔕 Don't remind me" while it is on
    (``reminder``; independent of the answer: someone coming is reminded too), so each label says
    what a tap does, also on an old card. A resident who is coming gets the hall-list consent
    (``share``: already given). The chosen answer shows one mark, "✔️", in place of its icon
    ("✔️ I will come", not "✔️ ✅ I will come"; issue 12). The last row leads on: back to the
    upcoming hearings (no dead end, also under the announcement)."""
    hid = int(facts["id"])
    if reminder is None:  # cards rendered from stored facts: the answer alone decides, as before
        reminder = answer in ("going", "remind")
    rows = [
        [resident_button(_("✔️ I will come") if answer == "going" else _("✅ I will come"), "go", hid),
         resident_button(_("✔️ Can't come") if answer == "not_going" else _("🚫 Can't come"), "no", hid)],
        [resident_button(_("❓ Add a question"), "ask", hid),
         resident_button(_("🔕 Don't remind me"), "mute", hid) if reminder
         else resident_button(_("⏰ Remind me"), "rem", hid)],
    ]
    extra = [resident_button(_("📅 Calendar (.ics)"), "ics", hid)]
    if facts.get("map"):
        extra.append(resident_button(_("🗺 Map"), "map", hid))
    rows.append(extra)
    if facts.get("document"):
        rows.append([resident_button(_("📎 Document"), "doc", hid)])
    rows += [[survey_button(sid, question)] for sid, question in linked_surveys(facts)]
    if answer == "going":
        consent = _("☑ My name may be on the hall list") if share else _("☐ Share my name for the hall list")
        rows.append([resident_button(consent, "share", hid, 0 if share else 1)])
    rows.append(way_on_row())
    return rows


def back_button() -> InlineKeyboardButton:
    """"« Hearings": back to the resident's list of upcoming hearings (which has past hearings and
    "« Main menu"), the way on from a card, also under a notice, whose own buttons are its way on."""
    return resident_button(_("« Hearings"), "list")


def way_on_row() -> list[InlineKeyboardButton]:
    """The last row of a hearing card: "« Hearings" (:func:`back_button`)."""
    return [back_button()]


def reminder_rows(facts: Mapping[str, Any]) -> list[list[InlineKeyboardButton]]:
    """Buttons under a reminder: open the announcement, can't come, the map pin, "« Hearings"."""
    hid = int(facts["id"])
    rows = [[resident_button(_("Open the announcement"), "show", hid), resident_button(_("🚫 Can't come"), "no", hid)]]
    if facts.get("map"):
        rows.append([resident_button(_("🗺 Map"), "map", hid), back_button()])
    else:
        rows.append([back_button()])
    return rows


def outcome_rows(facts: Mapping[str, Any]) -> list[list[InlineKeyboardButton]]:
    """The minutes' button under an outcome, when minutes are attached, beside "« Hearings" (the
    outcome is often the last word: a past hearing, a notice); without minutes, nothing (``render``
    adds "« Main menu")."""
    if not facts.get("minutes"):
        return []
    return [[resident_button(_("📄 Minutes"), "min", int(facts["id"])), back_button()]]


# -- chat texts -------------------------------------------------------------------------------------

MARKS = {"scheduled": "🗓", "cancelled": "❌", "held": "✅"}


def resident_list(hearings: list[hr.Hearing], locale: str) -> tuple[str, InlineKeyboardMarkup]:
    """/hearings: the upcoming hearings, a button per hearing, past hearings, the main menu."""
    from bot.ui.keyboards import menu_button

    if hearings:
        lines = [_("📣 <b>Upcoming public hearings</b>")]
        lines += [f"• <b>{esc(h.title(locale))}</b> — {when_text(h.starts)}" for h in hearings]
        text = "\n".join(lines)
    else:
        text = _("No public hearings are planned in your municipality yet. When one is announced, you will get "
                 "a message.")
    rows = [[resident_button(item_label("🗓", h.title(locale)), "show", h.id)] for h in hearings]
    rows.append([resident_button(_("Past hearings and outcomes"), "past")])
    rows.append([menu_button()])
    return text, kb(*rows)


def officer_list(hearings: list[hr.Hearing], notice_days: int, locale: str) -> tuple[str, InlineKeyboardMarkup]:
    """/hearing: the municipality's hearings, "New hearing" and the notice period."""
    rows = [[admin_button(_("➕ New hearing"), "new")]]
    lines = [_("<b>Public hearings</b> of your municipality.")]
    for h in hearings:
        lines.append(f"{MARKS[h.status]} <b>{esc(h.title(locale))}</b> — {when_text(h.starts)}")
        rows.append([admin_button(item_label(MARKS[h.status], h.title(locale)), "show", h.id)])
    lines.append("")
    lines.append(ngettext("Minimum notice period: {days} day. Change it with /hearing_notice N.",
                          "Minimum notice period: {days} days. Change it with /hearing_notice N.",
                          notice_days).format(days=notice_days))
    return "\n".join(lines), kb(*rows)


def officer_summary(att: hr.Attendance) -> str:
    return _("Coming: {going} · can't come: {no} · asked for a reminder: {remind} · questions: {questions}").format(
        going=format_number(att.going), no=format_number(att.not_going), remind=format_number(att.remind),
        questions=format_number(att.questions))


def officer_card_keyboard(hearing: hr.Hearing) -> InlineKeyboardMarkup:
    """The officer's buttons under a hearing: attendance and questions; changes before the start;
    the outcome after it; back to the list and the main menu."""
    rows = [[admin_button(_("👥 Who is coming"), "att", hearing.id), admin_button(_("❓ Questions"), "qs", hearing.id)]]
    if hearing.status == "scheduled":
        if hearing.starts > clock.now():
            rows.append([admin_button(_("🕒 Change the time"), "time", hearing.id),
                         admin_button(_("📍 Change the place"), "place", hearing.id)])
            rows.append([admin_button(_("📝 Change the agenda"), "agenda", hearing.id),
                         admin_button(_("❌ Cancel the hearing"), "cancel", hearing.id)])
        else:
            rows.append([admin_button(_("📋 Publish the outcome"), "outcome", hearing.id)])
    rows.append(officer_way_on_row())
    return kb(*rows)


def officer_way_on_row() -> list[InlineKeyboardButton]:
    """"« Hearings" (the officer's /hearing list) and "« Main menu": the way on from an officer's
    hearing screen."""
    from bot.ui.keyboards import menu_button

    return [admin_button(_("« Hearings"), "list"), menu_button()]


def attendance_text(hearing: hr.Hearing, att: hr.Attendance, locale: str) -> tuple[str, list[str]]:
    """The attendance header and the hall list's lines (names only of residents who agreed)."""
    head = _("👥 <b>{title}</b>\nComing: {going} · can't come: {no} · asked for a reminder: {remind}").format(
        title=esc(hearing.title(locale)), going=format_number(att.going), no=format_number(att.not_going),
        remind=format_number(att.remind))
    if not att.names:
        return head + "\n\n" + _("No resident has agreed to share their name yet; counts only."), []
    head += "\n\n" + _("Names for the hall list (only residents who agreed to share them):")
    return head, [f"{i}. {esc(n)}" for i, n in enumerate(att.names, 1)]


def example_time(days: int) -> str:
    """A date the officer could type: the day after the notice period, 18:00 (``DD.MM.YYYY HH:MM``)."""
    from bot.i18n import display_timezone

    local = (clock.now() + timedelta(days=days + 1)).astimezone(display_timezone())
    return local.strftime("%d.%m.%Y") + " 18:00"


def moved_lines(moved: dict[int, str]) -> list[str]:
    """What happened to each accepted problem after the outcome."""
    from bot.domain.problems import STATUSES

    lines = []
    for pid, status in moved.items():
        if status in STATUSES:
            lines.append(_("#{id}: new status «{status}»; its supporters are told.").format(
                id=pid, status=_(STATUSES[status])))
        else:
            lines.append(_("#{id}: the status was not changed.").format(id=pid))
    return lines


# -- the calendar file --------------------------------------------------------------------------------


def ics_file(hearing: hr.Hearing, locale: str, *, municipality: str = "") -> bytes:
    """An iCalendar (RFC 5545) file with one event: start in UTC, two hours long, SUMMARY = title,
    LOCATION = place, DESCRIPTION = topic and agenda (plain text), GEO when a location is set.

    UID is stable per hearing (``hearing-<id>@jamaat``), so a calendar updates the event it has;
    SEQUENCE is the hearing's revision (+1 on every edit or cancellation, RFC 5545 §3.8.7.4), so
    the newer file wins; DTSTAMP is when this file is generated (UTC, §3.8.7.2); LAST-MODIFIED
    is the hearing's last change; STATUS:CANCELLED for a cancelled hearing.
    """
    cal = Calendar()
    cal.add("prodid", "-//Jamaat//public hearings//EN")
    cal.add("version", "2.0")
    event = Event()
    event.add("uid", f"hearing-{hearing.id}@jamaat")
    event.add("dtstamp", clock.now().astimezone(UTC).replace(microsecond=0))
    event.add("sequence", hearing.revision)
    if hearing.updated_at:
        event.add("last-modified", from_db(hearing.updated_at).astimezone(UTC))
    event.add("dtstart", hearing.starts)
    event.add("dtend", hearing.starts + ICS_DURATION)
    event.add("summary", hearing.title(locale))
    event.add("location", hearing.place)
    description = _(TOPIC_LABELS.get(hearing.topic, TOPIC_LABELS["other"]), locale=locale) + "\n\n" \
        + hearing.agenda(locale)
    if municipality:
        description = municipality + "\n" + description
    event.add("description", description)
    if hearing.latitude is not None and hearing.longitude is not None:
        event.add("geo", vGeo((hearing.latitude, hearing.longitude)))
    if hearing.status == "cancelled":
        event.add("status", "CANCELLED")
    cal.add_component(event)
    return cal.to_ical()


# -- why a hearing action is refused ------------------------------------------------------------------


@explains(hr.NoticeTooShort)
def _notice_too_short(error: hr.NoticeTooShort) -> str:
    return ngettext(
        "Too early: your municipality gives residents at least {days} day of notice before a hearing. "
        "The earliest you can choose is {date}, {time}. Send another date and time.",
        "Too early: your municipality gives residents at least {days} days of notice before a hearing. "
        "The earliest you can choose is {date}, {time}. Send another date and time.",
        error.days).format(days=error.days, date=format_date(error.earliest, weekday=True),
                           time=format_time(error.earliest))


@explains(hr.NoticeBelowFloor)
def _below_floor(error: hr.NoticeBelowFloor) -> str:
    return ngettext(
        "Officers cannot set a notice period shorter than {min} day, so that residents can plan to come. "
        "Send a number from {min} to {max}, or ask the administrator.",
        "Officers cannot set a notice period shorter than {min} days, so that residents can plan to come. "
        "Send a number from {min} to {max}, or ask the administrator.", error.floor).format(
        min=error.floor, max=error.high)


@explains(hr.NoticeDaysOutOfRange)
def _notice_days(error: hr.NoticeDaysOutOfRange) -> str:
    return _("Send the number of days from {min} to {max}, for example: /hearing_notice 10").format(
        min=error.low, max=error.high)


@explains(hr.HearingElsewhere)
def _elsewhere(error: hr.HearingElsewhere) -> str:
    return _("This hearing is for another municipality.")


@explains(hr.HearingNotFound)
def _gone(error: hr.HearingNotFound) -> str:
    return _("This hearing no longer exists.")


@explains(hr.HearingCancelled)
def _cancelled(error: hr.HearingCancelled) -> str:
    return _("This hearing has been cancelled.")


@explains(hr.HearingHeld)
def _held(error: hr.HearingHeld) -> str:
    return _("This hearing has already taken place.")


@explains(hr.HearingStarted)
def _started(error: hr.HearingStarted) -> str:
    return _("This hearing has already begun.")


@explains(hr.HearingNotStarted)
def _not_started(error: hr.HearingNotStarted) -> str:
    return _("The outcome can be published once the hearing has begun.")


@explains(hr.TitleMissing)
def _no_title(error: hr.TitleMissing) -> str:
    return _("The title is needed in at least one language.")


@explains(hr.AgendaMissing)
def _no_agenda(error: hr.AgendaMissing) -> str:
    return _("The agenda is needed in at least one language.")


@explains(hr.DecisionsMissing)
def _no_decisions(error: hr.DecisionsMissing) -> str:
    return _("The decisions are needed in at least one language.")


@explains(hr.SurveyNotLinkable)
def _survey_closed(error: hr.SurveyNotLinkable) -> str:
    return _("The survey you linked is no longer open, so it cannot be linked to the hearing. The link is "
             "removed: check the preview and publish without it.")


@explains(hr.NotGoing)
def _not_going(error: hr.NotGoing) -> str:
    return _("First press «I will come».")


@explains(hr.TooManyQuestions)
def _too_many(error: hr.TooManyQuestions) -> str:
    n = error.limit or hr.QUESTIONS_PER_RESIDENT
    return ngettext("You have already sent {n} question for this hearing; that is the most.",
                    "You have already sent {n} questions for this hearing; that is the most.", n).format(n=n)


@explains(hr.UnknownProblems)
def _unknown_problems(error: hr.UnknownProblems) -> str:
    return _("These numbers are not problems of your municipality: {ids}. Send the list again.").format(
        ids=", ".join(numbered(i) for i in error.ids))


@explains(hr.NoProblemNumbers)
def _no_numbers(error: hr.NoProblemNumbers) -> str:
    return _("Send problem numbers, for example: #12 #15, or «Skip».")


@explains(hr.ParticipantsOutOfRange)
def _participants(error: hr.ParticipantsOutOfRange) -> str:
    return _("Send the number of participants as a number, for example 57, or «Skip».")
