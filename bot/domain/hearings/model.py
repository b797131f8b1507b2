"""Public hearings: the records and the numbers the rules are made of (no I/O, no wording).

Where the numbers come from: issue #6 and ../shared/domain.md, "Public hearings". Labels of the
topics are in the UI (``bot.ui.hearings.TOPIC_LABELS``); the domain knows only their keys.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.domain.clock import from_db

TOPICS: tuple[str, ...] = ("budget_draft", "budget_execution", "priority_problems", "services_registry", "other")
"""Topic keys: budget hearings twice a year (draft, execution), priority problems, the services registry."""

TITLE_MAX = 200
"""Characters of a title, per language."""
AGENDA_MAX = 6000
"""Characters of an agenda, per language: longer than one Telegram message, so the wizard collects
parts and the delivery worker splits the announcement (``bot.delivery.split``)."""
PLACE_MAX = 300
QUESTION_MAX = 500
QUESTIONS_PER_RESIDENT = 5
DECISIONS_MAX = 3000
REASON_MAX = 300
PARTICIPANTS_MAX = 1_000_000
PROBLEMS_MAX = 30
"""Most problems one outcome accepts (numbers after the 30th are ignored)."""
DEFAULT_NOTICE_DAYS = 10
MAX_NOTICE_DAYS = 90
NOTICE_FLOOR_DAYS = 3
"""Officers may lower their municipality's notice period down to this many days; below it only a
superadmin may (a hearing announced hours ahead lets nobody come). Every change is recorded in
``hearing_notice_changes`` (who, when, old, new)."""
RESEND_SHIFT = timedelta(hours=3)
"""A reminder already sent is sent again after a time change only if the start moved by more than
this, or onto another calendar day in Bishkek (see :func:`bot.domain.hearings.jobs.plan_reminders`)."""
MAX_AHEAD = timedelta(days=366)
"""A hearing starts at most this far ahead."""
REMINDERS: tuple[tuple[str, timedelta], ...] = (("24h", timedelta(hours=24)), ("1h", timedelta(hours=1)))
"""Reminder kinds and how long before the start each is due."""
ANSWERS = ("going", "not_going", "remind")
"""A resident's RSVP as stored (``remind``: no answer, only a reminder)."""
ACTIONS = (*ANSWERS, "mute")
"""What a resident's button asks for (:func:`bot.domain.hearings.rsvp`): an answer, ``remind`` (the
reminder on) or ``mute`` (the reminder off). Each is idempotent: the same tap twice is the same as once."""
STATUSES = ("scheduled", "cancelled", "held")


def pick(ky: str, ru: str, locale: str) -> str:
    """``ky`` or ``ru`` text by locale, falling back to the non-empty one."""
    primary, other = (ky, ru) if locale == "ky" else (ru, ky)
    return primary or other


@dataclass
class Draft:
    """A hearing being composed (kept in the officer's FSM data as a dict). ``starts_at`` is UTC ISO text."""

    topic: str = ""
    title_ky: str = ""
    title_ru: str = ""
    agenda_ky: str = ""
    agenda_ru: str = ""
    starts_at: str = ""
    place: str = ""
    latitude: float | None = None
    longitude: float | None = None
    survey_id: int | None = None
    attachment_file_id: str | None = None
    attachment_kind: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Draft:
        known = {k: v for k, v in (data or {}).items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass(frozen=True)
class Hearing:
    """A hearing as stored; times are UTC ISO text (see :attr:`starts`)."""

    id: int
    municipality_code: str
    topic: str
    title_ky: str
    title_ru: str
    agenda_ky: str
    agenda_ru: str
    starts_at: str
    place: str
    latitude: float | None
    longitude: float | None
    survey_id: int | None
    attachment_file_id: str | None
    attachment_kind: str | None
    status: str
    announcement_id: int | None
    created_by: int
    cancel_reason: str | None
    decisions_ky: str
    decisions_ru: str
    participants: int | None
    minutes_file_id: str | None
    problem_ids: tuple[int, ...] = field(default=())
    revision: int = 0
    """+1 on each edit or cancellation: the .ics SEQUENCE."""
    updated_at: str = ""
    """UTC ISO text of the last change: the .ics LAST-MODIFIED."""

    @property
    def starts(self) -> datetime:
        return from_db(self.starts_at)

    def title(self, locale: str) -> str:
        return pick(self.title_ky, self.title_ru, locale)

    def agenda(self, locale: str) -> str:
        return pick(self.agenda_ky, self.agenda_ru, locale)

    def decisions(self, locale: str) -> str:
        return pick(self.decisions_ky, self.decisions_ru, locale)


@dataclass(frozen=True)
class Attendance:
    """RSVP counts of a hearing and the names of consenting residents who are coming (alphabetical)."""

    going: int
    not_going: int
    remind: int
    names: tuple[str, ...]
    questions: int


@dataclass(frozen=True)
class Question:
    """A resident's question for the hearing (text as typed, controls removed; escape it to show)."""

    id: int
    text: str
    asked_at: str


@dataclass
class Outcome:
    """What the officer publishes after the hearing."""

    decisions_ky: str = ""
    decisions_ru: str = ""
    participants: int | None = None
    problem_ids: list[int] = field(default_factory=list)
    minutes_file_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Outcome:
        known = {k: v for k, v in (data or {}).items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass(frozen=True)
class SurveyChoice:
    """An open (or scheduled) survey of the municipality that a new hearing may link to."""

    id: int
    question_ky: str
    question_ru: str

    def question(self, locale: str) -> str:
        return pick(self.question_ky, self.question_ru, locale)


def hearing_from_row(row: Any, problem_ids: tuple[int, ...] = ()) -> Hearing:
    """A :class:`Hearing` from a ``hearings`` row (``sqlite3.Row``-like)."""
    return Hearing(
        id=row["id"], municipality_code=row["municipality_code"], topic=row["topic"], title_ky=row["title_ky"],
        title_ru=row["title_ru"], agenda_ky=row["agenda_ky"], agenda_ru=row["agenda_ru"],
        starts_at=row["starts_at"], place=row["place"], latitude=row["latitude"], longitude=row["longitude"],
        survey_id=row["survey_id"], attachment_file_id=row["attachment_file_id"],
        attachment_kind=row["attachment_kind"], status=row["status"], announcement_id=row["announcement_id"],
        created_by=row["created_by"], cancel_reason=row["cancel_reason"], decisions_ky=row["decisions_ky"],
        decisions_ru=row["decisions_ru"], participants=row["participants"], minutes_file_id=row["minutes_file_id"],
        problem_ids=problem_ids, revision=row["revision"], updated_at=row["updated_at"],
    )


def draft_hearing(draft: Draft, municipality_code: str) -> Hearing:
    """The hearing a draft will become (id 0), for the officer's preview."""
    return Hearing(
        id=0, municipality_code=municipality_code, topic=draft.topic, title_ky=draft.title_ky,
        title_ru=draft.title_ru, agenda_ky=draft.agenda_ky, agenda_ru=draft.agenda_ru, starts_at=draft.starts_at,
        place=draft.place, latitude=draft.latitude, longitude=draft.longitude, survey_id=draft.survey_id,
        attachment_file_id=draft.attachment_file_id, attachment_kind=draft.attachment_kind, status="scheduled",
        announcement_id=None, created_by=0, cancel_reason=None, decisions_ky="", decisions_ru="",
        participants=None, minutes_file_id=None)
