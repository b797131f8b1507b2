"""Hearing screens: callback data, keyboards, and the calendar file (.ics).

Callback data carries ids only (≤ 64 bytes): ``hr:<action>:<hearing_id>:<value>`` for residents
(the same strings the domain packs into outbox buttons, :func:`bot.domain.hearings.resident_data`),
``ha:<action>:<hearing_id>:<value>`` for officers.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from icalendar import Calendar, Event, vGeo

from bot.domain import hearings as hr
from bot.domain.clock import clock, from_db
from bot.domain.outbox import Button
from bot.i18n import _

ICS_DURATION = timedelta(hours=2)
"""Length given to the calendar event (hearings have no end time; two hours is typical)."""


class HearingCallback(CallbackData, prefix="hr"):
    """Resident actions on hearing ``hearing_id``: ``go``, ``no``, ``rem`` (RSVP), ``ask`` (a question),
    ``ics`` (calendar file), ``map`` (location), ``doc`` (attached document), ``min`` (minutes),
    ``share`` (``value`` 1/0: name on the hall list), ``show`` (the card), ``list`` (upcoming),
    ``past`` (past hearings). ``hr:share:1234567:1`` = 18 bytes."""

    action: str
    hearing_id: int = 0
    value: int = 0


class HearingAdminCallback(CallbackData, prefix="ha"):
    """Officer actions: draft steps ``topic`` (``value`` = topic index), ``skip``, ``survey`` (``value`` = id),
    ``publish``, ``discard``; on a hearing: ``show``, ``time``, ``place``, ``agenda``, ``cancel``, ``cancel_yes``,
    ``att`` (attendance), ``qs`` (questions), ``outcome``, ``out_publish``, ``new``, ``list``."""

    action: str
    hearing_id: int = 0
    value: int = 0


TOPIC_KEYS = tuple(hr.TOPICS)


def markup(rows: list[list[Button]]) -> InlineKeyboardMarkup | None:
    """Turn domain :class:`Button` rows into an aiogram keyboard (``None`` when empty)."""
    kb = [[InlineKeyboardButton(text=b.text, callback_data=b.callback_data, url=b.url) for b in row]
          for row in rows if row]
    return InlineKeyboardMarkup(inline_keyboard=kb) if kb else None


def admin_button(text: str, action: str, hearing_id: int = 0, value: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=HearingAdminCallback(
        action=action, hearing_id=hearing_id, value=value).pack())


def resident_button(text: str, action: str, hearing_id: int = 0, value: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=HearingCallback(
        action=action, hearing_id=hearing_id, value=value).pack())


def kb(*rows) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[list(r) for r in rows if r])


def topic_keyboard(locale: str) -> InlineKeyboardMarkup:
    """One button per topic."""
    return kb(*[[admin_button(hr.topic_label(key, locale), "topic", value=i)] for i, key in enumerate(TOPIC_KEYS)])


def rsvp_rows(hearing: hr.Hearing, locale: str, answer: str | None, share: bool) -> InlineKeyboardMarkup | None:
    """The card's buttons with the resident's current answer marked, plus the hall-list consent when coming."""
    rows = hr.card_buttons(hearing, locale)
    marks = {"go": "going", "no": "not_going", "rem": "remind"}
    out: list[list[InlineKeyboardButton]] = []
    for row in rows:
        line = []
        for b in row:
            text = b.text
            action = (b.callback_data or "").split(":")[1] if (b.callback_data or "").startswith("hr:") else ""
            if action in marks and marks[action] == answer:
                text = "✔️ " + text
            line.append(InlineKeyboardButton(text=text, callback_data=b.callback_data))
        out.append(line)
    if answer == "going":
        label = _("☑ My name may be on the hall list", locale=locale) if share else \
            _("☐ Share my name for the hall list", locale=locale)
        out.append([resident_button(label, "share", hearing.id, 0 if share else 1)])
    return InlineKeyboardMarkup(inline_keyboard=out)


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
    description = hr.topic_label(hearing.topic, locale) + "\n\n" + hearing.agenda(locale)
    if municipality:
        description = municipality + "\n" + description
    event.add("description", description)
    if hearing.latitude is not None and hearing.longitude is not None:
        event.add("geo", vGeo((hearing.latitude, hearing.longitude)))
    if hearing.status == "cancelled":
        event.add("status", "CANCELLED")
    cal.add_component(event)
    return cal.to_ical()
