"""Public hearings: the rules that need no database (texts, times, numbers).

The notice period (how long before a hearing residents must be told) is per municipality: no legal
minimum exists, each community's charter sets one (design decision, ../shared/domain.md).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.clock import from_db, to_db
from bot.domain.errors import BadDateTime, InvalidInput, TextTooLong
from bot.domain.hearings.errors import (
    AgendaMissing,
    DecisionsMissing,
    NoProblemNumbers,
    NoticeBelowFloor,
    NoticeDaysOutOfRange,
    NoticeTooShort,
    ParticipantsOutOfRange,
    TitleMissing,
)
from bot.domain.hearings.model import (
    AGENDA_MAX,
    DECISIONS_MAX,
    MAX_AHEAD,
    MAX_NOTICE_DAYS,
    NOTICE_FLOOR_DAYS,
    PARTICIPANTS_MAX,
    PLACE_MAX,
    PROBLEMS_MAX,
    TITLE_MAX,
    TOPICS,
    Draft,
    Hearing,
    Outcome,
)
from bot.domain.text import clean_user_text

DATETIME_INPUT = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{2,4})\s+(\d{1,2})[:.](\d{2})\s*$", re.ASCII)
"""``DD.MM.YYYY HH:MM`` as officers type it (a dot for the colon is forgiven)."""
YEAR_MIN, YEAR_MAX = 2000, 2100


def clean_text(text: str | None, limit: int) -> str:
    """Strip bidi/zero-width controls and surrounding space.

    Raises:
        TextTooLong: longer than ``limit`` characters.
    """
    value = clean_user_text(text or "").strip()
    if len(value) > limit:
        raise TextTooLong(limit=limit, actual=len(value))
    return value


def parse_start(text: str, tz: ZoneInfo) -> datetime:
    """Parse ``DD.MM.YYYY HH:MM`` typed in ``tz`` (Asia/Bishkek) into an aware UTC datetime.

    Raises:
        BadDateTime: ``format`` (another shape), ``year`` (not four digits from 2000 to 2100),
            ``date`` (no such day or time, e.g. 31.02. or 24:00).
    """
    match = DATETIME_INPUT.match(text or "")
    if not match:
        raise BadDateTime("format")
    day, month, year, hour, minute = (int(g) for g in match.groups())
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise BadDateTime("year")
    try:
        local = datetime(year, month, day, hour, minute, tzinfo=tz)
    except ValueError as exc:
        raise BadDateTime("date") from exc
    return from_db(to_db(local))


MEETING_HOURS = (time(9, 0), time(19, 0))
"""The local hours (Bishkek) in which the earliest allowed start may fall: a time a person would pick
for a public meeting, never late night nor before dawn (issue 12)."""


def earliest_start(days: int, now: datetime) -> datetime:
    """The earliest start allowed ``days`` days of notice after ``now``: rounded up to the next full
    hour (16:00, not 15:37), and, when that is outside :data:`MEETING_HOURS` in Bishkek, moved on to
    their start (09:00 that morning or the next one; never 23:00 — issue 12). The notice period is
    kept: the result is never sooner than ``now + days``. Display zones are whole hours from UTC
    (Asia/Bishkek UTC+6), so a full hour in UTC is a full hour there."""
    from bot.i18n import display_timezone

    earliest = now + timedelta(days=days)
    if earliest.minute or earliest.second or earliest.microsecond:
        earliest = earliest.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    zone = display_timezone()
    local = earliest.astimezone(zone)
    opens, closes = MEETING_HOURS
    if local.time() < opens:
        local = datetime.combine(local.date(), opens, tzinfo=zone)
    elif local.time() > closes:
        local = datetime.combine(local.date() + timedelta(days=1), opens, tzinfo=zone)
    return local.astimezone(earliest.tzinfo)


def check_start_at(starts_at: datetime, now: datetime, notice_days: int) -> None:
    """A new start against the clock and the notice period of ``notice_days`` days.

    Raises:
        BadDateTime: ``past`` (not in the future), ``too_far`` (over :data:`MAX_AHEAD` ahead, ``latest`` set).
        NoticeTooShort: sooner than the notice period (``earliest`` set).
    """
    if starts_at <= now:
        raise BadDateTime("past")
    if starts_at > now + MAX_AHEAD:
        raise BadDateTime("too_far", latest=now + MAX_AHEAD)
    earliest = earliest_start(notice_days, now)
    if starts_at < earliest:
        raise NoticeTooShort(notice_days, earliest)


def check_notice_days(days: int, *, superadmin: bool) -> None:
    """A notice period an officer (or a superadmin) may set.

    Raises:
        NoticeDaysOutOfRange: not within 0..:data:`MAX_NOTICE_DAYS` (officers: from the floor).
        NoticeBelowFloor: an officer under :data:`NOTICE_FLOOR_DAYS`.
    """
    low = 0 if superadmin else NOTICE_FLOOR_DAYS
    if not 0 <= days <= MAX_NOTICE_DAYS:
        raise NoticeDaysOutOfRange(low=low, high=MAX_NOTICE_DAYS, actual=days)
    if days < low:
        raise NoticeBelowFloor(NOTICE_FLOOR_DAYS, MAX_NOTICE_DAYS)


def parse_notice_days(text: str | None, *, superadmin: bool) -> int:
    """The number of days of ``/hearing_notice N``.

    Raises:
        NoticeDaysOutOfRange: not a number, or out of range. NoticeBelowFloor: see :func:`check_notice_days`.
    """
    value = (text or "").strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 6:
        raise NoticeDaysOutOfRange(low=0 if superadmin else NOTICE_FLOOR_DAYS, high=MAX_NOTICE_DAYS)
    days = int(value)
    check_notice_days(days, superadmin=superadmin)
    return days


def parse_participants(text: str) -> int:
    """How many took part, as typed (``57``, ``1 200``).

    Raises:
        ParticipantsOutOfRange: not a whole number from 0 to :data:`PARTICIPANTS_MAX`.
    """
    value = (text or "").strip().replace(" ", "").replace("\xa0", "")
    if not (value.isascii() and value.isdigit()) or len(value) > 7 or int(value) > PARTICIPANTS_MAX:
        raise ParticipantsOutOfRange(low=0, high=PARTICIPANTS_MAX)
    return int(value)


def parse_problem_ids(text: str) -> list[int]:
    """Problem numbers named in ``text`` (``#12 #15``, ``12, 15``), each once, at most :data:`PROBLEMS_MAX`.

    Raises:
        NoProblemNumbers: none named.
    """
    ids = [int(x) for x in re.findall(r"\d{1,15}", text or "", re.ASCII)]
    ids = list(dict.fromkeys(i for i in ids if i > 0))[:PROBLEMS_MAX]
    if not ids:
        raise NoProblemNumbers("no problem numbers")
    return ids


def validate_draft(draft: Draft) -> None:
    """Check a complete draft's fields (not the notice period: see :func:`check_start_at`).

    Raises:
        InvalidInput: unknown topic, no place or start, a bad location or attachment.
        TextTooLong: a text over its limit. TitleMissing, AgendaMissing: neither language given.
    """
    if draft.topic not in TOPICS:
        raise InvalidInput("topic")
    for value, limit in ((draft.title_ky, TITLE_MAX), (draft.title_ru, TITLE_MAX), (draft.agenda_ky, AGENDA_MAX),
                         (draft.agenda_ru, AGENDA_MAX), (draft.place, PLACE_MAX)):
        if len(value) > limit:
            raise TextTooLong(limit=limit, actual=len(value))
    if not (draft.title_ky or draft.title_ru):
        raise TitleMissing("title")
    if not (draft.agenda_ky or draft.agenda_ru):
        raise AgendaMissing("agenda")
    if not draft.place:
        raise InvalidInput("place")
    if not draft.starts_at:
        raise InvalidInput("start")
    if (draft.latitude is None) != (draft.longitude is None):
        raise InvalidInput("location")
    if draft.latitude is not None and draft.longitude is not None and \
            not (-90 <= draft.latitude <= 90 and -180 <= draft.longitude <= 180):
        raise InvalidInput("location")
    if (draft.attachment_file_id is None) != (draft.attachment_kind is None) or \
            draft.attachment_kind not in (None, "photo", "document"):
        raise InvalidInput("attachment")


def validate_outcome(outcome: Outcome) -> Outcome:
    """The outcome with its decisions cleaned and its problem ids unique (first mention kept).

    Raises:
        DecisionsMissing: neither language given. TextTooLong: decisions over :data:`DECISIONS_MAX`.
        ParticipantsOutOfRange: not 0..:data:`PARTICIPANTS_MAX`.
    """
    ky = clean_text(outcome.decisions_ky, DECISIONS_MAX)
    ru = clean_text(outcome.decisions_ru, DECISIONS_MAX)
    if not (ky or ru):
        raise DecisionsMissing("decisions")
    if outcome.participants is not None and not 0 <= outcome.participants <= PARTICIPANTS_MAX:
        raise ParticipantsOutOfRange(low=0, high=PARTICIPANTS_MAX, actual=outcome.participants)
    return replace(outcome, decisions_ky=ky, decisions_ru=ru,
                   problem_ids=list(dict.fromkeys(int(i) for i in outcome.problem_ids)))


def outcome_preview(hearing: Hearing, outcome: Outcome) -> Hearing:
    """The hearing as it will read with ``outcome`` published (for the officer's preview)."""
    return replace(hearing, status="held", decisions_ky=outcome.decisions_ky, decisions_ru=outcome.decisions_ru,
                   participants=outcome.participants, problem_ids=tuple(outcome.problem_ids),
                   minutes_file_id=outcome.minutes_file_id)


def hall_name(first_name: str | None, last_name: str | None, username: str | None, telegram_id: int) -> str:
    """How a consenting resident appears on the hall list: their name, else ``@username``, else the id."""
    name = clean_user_text(" ".join(p for p in (first_name, last_name) if p and p.strip())).strip()
    return name or (("@" + username) if username else str(telegram_id))


def problem_target_status(hearing: Hearing) -> str:
    """Where accepted problems move: ``in_budget`` after a draft-budget hearing, else ``at_hearing``."""
    return "in_budget" if hearing.topic == "budget_draft" else "at_hearing"


def local_day(moment: datetime) -> date:
    """The calendar day of ``moment`` in Bishkek (the display time zone)."""
    from bot.i18n import display_timezone

    return moment.astimezone(display_timezone()).date()
