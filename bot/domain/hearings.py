"""Public hearings (ky коомдук угуу, ru публичные слушания): announce, RSVP, questions, reminders, outcome.

Rules (issue #6 and ../shared/domain.md, "Public hearings"):

* An officer announces a hearing of THEIR municipality: a topic (:data:`TOPICS`), a title and an
  agenda in Kyrgyz and/or Russian (one language may be empty; residents then read the other), the
  start in UTC (typed and shown in Asia/Bishkek), a place (text, optionally a map location), an
  optional linked survey of the same municipality and an optional photo or document.
* The start must be at least the municipality's minimum notice period away (``hearing_settings``,
  default :data:`DEFAULT_NOTICE_DAYS` days). No legal minimum exists; each community's charter sets
  one, hence a per-municipality setting (design decision). :class:`NoticeTooShort` carries the
  earliest allowed start so the officer sees why and what to choose.
* The announcement goes to every active resident of the municipality through the outbox, in the
  same transaction as the hearing; edits (time, place, agenda) and a cancellation are sent to
  everyone who got the announcement and everyone who answered it. Moving a hearing EARLIER must
  still respect the notice period; postponing is always allowed.
* One RSVP row per resident (``going`` / ``not_going`` / ``remind``), changeable, with a separate
  consent to show the resident's name on the hall list; the officer sees names only of consenting
  residents who are coming, and counts for everything else.
* Reminders 24 hours and 1 hour before the start to residents who answered ``going`` or
  ``remind`` (:func:`send_due_reminders`, a :mod:`bot.scheduler` job). Each reminder is marked sent
  in the transaction that queues it: never twice, even across restarts; never for a cancelled or
  held hearing; when the time changes, the planned reminders move with it (and one already sent
  is sent again only when the start moved to another day or by more than 3 hours,
  :func:`_plan_reminders`). The 24-hour one says "today" / "tomorrow" / the date by the calendar.
* The outcome (decisions in both languages, number of participants, accepted problems of the
  same municipality, the minutes as a document) is published once; accepted problems are moved
  with :func:`bot.domain.problems.change_status` (its own notifications fire) to ``in_budget``
  for a budget-draft hearing, else to ``at_hearing``.

Every officer function calls :func:`require_officer` with the hearing's municipality inside its
transaction. Texts sent through the outbox are rendered here in both languages.
"""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from bot.db import Database, Transaction
from bot.domain import DomainError, InvalidInput, NotFound, PermissionDenied
from bot.domain.clock import clock, from_db, now_db, to_db
from bot.domain.officers import require_officer
from bot.domain.outbox import Audience, Button, Content, LocalizedMessage, enqueue
from bot.domain.text import clean_user_text
from bot.i18n import N_, _, format_date, format_number, format_time, ngettext

TOPICS: dict[str, str] = {
    "budget_draft": N_("Draft local budget"),
    "budget_execution": N_("Execution of the local budget"),
    "priority_problems": N_("Priority problems"),
    "services_registry": N_("Registry of municipal services"),
    "other": N_("Other questions"),
}
"""Topic key → English msgid of its label (budget hearings twice a year, problems, services registry)."""

TITLE_MAX = 200
AGENDA_MAX = 6000
"""Long agendas are allowed: the delivery worker splits texts over 4,096 characters (bot.delivery.split)."""
PLACE_MAX = 300
QUESTION_MAX = 500
QUESTIONS_PER_RESIDENT = 5
DECISIONS_MAX = 3000
REASON_MAX = 300
PARTICIPANTS_MAX = 1_000_000
DEFAULT_NOTICE_DAYS = 10
MAX_NOTICE_DAYS = 90
NOTICE_FLOOR_DAYS = 3
"""Officers may lower their municipality's notice period down to this many days; below it only a
superadmin may (a hearing announced hours ahead lets nobody come). Every change is recorded in
``hearing_notice_changes`` (who, when, old, new)."""
RESEND_SHIFT = timedelta(hours=3)
"""A reminder already sent is sent again after a time change only if the start moved by more than
this, or onto another calendar day in Bishkek (see :func:`_plan_reminders`)."""
MAX_AHEAD = timedelta(days=366)
REMINDERS: tuple[tuple[str, timedelta], ...] = (("24h", timedelta(hours=24)), ("1h", timedelta(hours=1)))
"""Reminder kinds and how long before the start each is due."""
ANSWERS = ("going", "not_going", "remind")

CALLBACK_PREFIX = "hr"
"""Prefix of :class:`bot.ui.hearings.HearingCallback`; outbox buttons are packed here by hand."""


def resident_data(action: str, hearing_id: int, value: int = 0) -> str:
    """Callback data of a resident hearing button: ``hr:<action>:<id>:<value>`` (same as the UI factory)."""
    return f"{CALLBACK_PREFIX}:{action}:{hearing_id}:{value}"


# -- errors ---------------------------------------------------------------------------------------


class NoticeTooShort(DomainError):
    """The start is sooner than the municipality's minimum notice period allows.

    ``days``: the period; ``earliest``: the earliest allowed start (aware UTC)."""

    def __init__(self, days: int, earliest: datetime) -> None:
        super().__init__("notice")
        self.days = days
        self.earliest = earliest


class HearingClosed(DomainError):
    """The hearing cannot take this action any more: ``status`` is ``cancelled`` or ``held``
    (or ``started`` when it has already begun)."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


class WrongMunicipality(PermissionDenied):
    """A resident acted on a hearing of another municipality (a stale or crafted button)."""


# -- records --------------------------------------------------------------------------------------


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

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> Draft:
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

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> Outcome:
        known = {k: v for k, v in (data or {}).items() if k in cls.__dataclass_fields__}
        return cls(**known)


def _hearing(row, problem_ids: tuple[int, ...] = ()) -> Hearing:
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


async def get_hearing(db: Database | Transaction, hearing_id: int) -> Hearing | None:
    """The hearing with its accepted problem ids, or ``None``."""
    row = await db.fetchone("SELECT * FROM hearings WHERE id = ?", (hearing_id,))
    if row is None:
        return None
    ids = tuple(r[0] for r in await db.fetchall(
        "SELECT problem_id FROM hearing_problems WHERE hearing_id = ? ORDER BY problem_id", (hearing_id,)))
    return _hearing(row, ids)


# -- input ----------------------------------------------------------------------------------------


def clean_text(text: str | None, limit: int) -> str:
    """Strip bidi/zero-width controls and surrounding space.

    Raises:
        InvalidInput: longer than ``limit`` characters (``limit``/``actual`` set).
    """
    value = clean_user_text(text or "").strip()
    if len(value) > limit:
        raise InvalidInput("too long", limit=limit, actual=len(value))
    return value


async def notice_days(db: Database | Transaction, municipality_code: str) -> int:
    """The municipality's minimum notice period in days (default :data:`DEFAULT_NOTICE_DAYS`)."""
    value = await db.fetchval("SELECT min_notice_days FROM hearing_settings WHERE municipality_code = ?",
                              (municipality_code,))
    return DEFAULT_NOTICE_DAYS if value is None else int(value)


class NoticeBelowFloor(DomainError):
    """An officer tried to set a notice period under :data:`NOTICE_FLOOR_DAYS` (``floor``)."""

    def __init__(self, floor: int) -> None:
        super().__init__("notice floor")
        self.floor = floor


async def set_notice_days(db: Database, *, officer_id: int, days: int, superadmin: bool = False,
                          municipality_code: str | None = None) -> int:
    """Set a municipality's minimum notice period (0..:data:`MAX_NOTICE_DAYS` days) and record the change.

    An officer sets their own municipality's period, not below :data:`NOTICE_FLOOR_DAYS`. A superadmin
    (``superadmin=True``, the ``is_superadmin`` handler kwarg) may go below the floor, for their own
    municipality as an officer or for ``municipality_code``. Every change is written to
    ``hearing_notice_changes`` (who, when, old, new) in the same transaction.

    Raises:
        PermissionDenied: not an officer (and not a superadmin naming a municipality).
        InvalidInput: out of range (``limit`` = the maximum). NoticeBelowFloor: an officer under the floor.
    """
    if not 0 <= days <= MAX_NOTICE_DAYS:
        raise InvalidInput("notice days", limit=MAX_NOTICE_DAYS, actual=days)
    if days < NOTICE_FLOOR_DAYS and not superadmin:
        raise NoticeBelowFloor(NOTICE_FLOOR_DAYS)
    async with db.transaction() as tx:
        if superadmin and municipality_code:
            if not await tx.fetchval("SELECT 1 FROM municipalities WHERE code = ?", (municipality_code,)):
                raise NotFound("municipality")
            code = municipality_code
        else:
            code = (await require_officer(db, officer_id)).municipality_code
        old = await notice_days(tx, code)
        now = now_db()
        await tx.execute(
            "INSERT INTO hearing_settings (municipality_code, min_notice_days, updated_by, updated_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (municipality_code) DO UPDATE SET"
            " min_notice_days = excluded.min_notice_days, updated_by = excluded.updated_by,"
            " updated_at = excluded.updated_at",
            (code, days, officer_id, now))
        await tx.execute(
            "INSERT INTO hearing_notice_changes (municipality_code, changed_by, changed_at, old_days, new_days,"
            " as_superadmin) VALUES (?, ?, ?, ?, ?, ?)", (code, officer_id, now, old, days, int(superadmin)))
    return days


def earliest_start(days: int, now: datetime) -> datetime:
    """The earliest start allowed ``days`` days of notice after ``now``, rounded up to the next full minute."""
    earliest = now + timedelta(days=days)
    if earliest.second or earliest.microsecond:
        earliest = earliest.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return earliest


async def check_start(db: Database | Transaction, municipality_code: str, starts_at: datetime,
                      now: datetime | None = None) -> None:
    """Check a new start against the notice period.

    Raises:
        InvalidInput: ``"past"`` (not in the future) or ``"too far"`` (over a year ahead).
        NoticeTooShort: sooner than the municipality's notice period.
    """
    now = now or clock.now()
    if starts_at <= now:
        raise InvalidInput("past")
    if starts_at > now + MAX_AHEAD:
        raise InvalidInput("too far")
    days = await notice_days(db, municipality_code)
    earliest = earliest_start(days, now)
    if starts_at < earliest:
        raise NoticeTooShort(days, earliest)


def validate_draft(draft: Draft) -> None:
    """Check a complete draft's fields (not the notice period: see :func:`check_start`).

    Raises:
        InvalidInput: ``topic``, ``title``, ``agenda``, ``place``, ``start``, ``location`` or a text over its limit.
    """
    if draft.topic not in TOPICS:
        raise InvalidInput("topic")
    for value, limit in ((draft.title_ky, TITLE_MAX), (draft.title_ru, TITLE_MAX), (draft.agenda_ky, AGENDA_MAX),
                         (draft.agenda_ru, AGENDA_MAX), (draft.place, PLACE_MAX)):
        if len(value) > limit:
            raise InvalidInput("too long", limit=limit, actual=len(value))
    if not (draft.title_ky or draft.title_ru):
        raise InvalidInput("title")
    if not (draft.agenda_ky or draft.agenda_ru):
        raise InvalidInput("agenda")
    if not draft.place:
        raise InvalidInput("place")
    if not draft.starts_at:
        raise InvalidInput("start")
    if (draft.latitude is None) != (draft.longitude is None):
        raise InvalidInput("location")
    if draft.latitude is not None and not (-90 <= draft.latitude <= 90 and -180 <= draft.longitude <= 180):
        raise InvalidInput("location")
    if (draft.attachment_file_id is None) != (draft.attachment_kind is None) or \
            draft.attachment_kind not in (None, "photo", "document"):
        raise InvalidInput("attachment")


def _local_day(moment: datetime):
    from bot.i18n import DISPLAY_TZ

    return moment.astimezone(DISPLAY_TZ).date()


async def _plan_reminders(tx: Transaction, hearing_id: int, starts: datetime, old_starts: datetime | None = None) -> None:
    """(Re)plan the reminders of a hearing for ``starts``: due times move with the start.

    Rule for a reminder already sent when the time changes (``old_starts`` given): it is sent
    again for the new time only when the start moved to another calendar day in Bishkek, or by
    more than :data:`RESEND_SHIFT` (3 hours); otherwise it stays sent — residents were told of the
    small change by the "hearing changed" message and would get the same reminder twice.
    Unsent reminders simply move.
    """
    keep = old_starts is not None and abs(starts - old_starts) <= RESEND_SHIFT \
        and _local_day(starts) == _local_day(old_starts)
    for kind, before in REMINDERS:
        if keep:
            await tx.execute(
                "INSERT INTO hearing_reminders (hearing_id, kind, due_at) VALUES (?, ?, ?)"
                " ON CONFLICT (hearing_id, kind) DO UPDATE SET due_at = excluded.due_at",
                (hearing_id, kind, to_db(starts - before)))
        else:
            await tx.execute(
                "INSERT INTO hearing_reminders (hearing_id, kind, due_at) VALUES (?, ?, ?)"
                " ON CONFLICT (hearing_id, kind) DO UPDATE SET due_at = excluded.due_at, sent_at = NULL, skipped = 0",
                (hearing_id, kind, to_db(starts - before)))


# -- officer actions ------------------------------------------------------------------------------


async def create_hearing(db: Database, *, officer_id: int, draft: Draft) -> Hearing:
    """Save the hearing, plan its reminders and queue the announcement to every active resident of
    the officer's municipality — one transaction.

    Raises:
        PermissionDenied: not an officer. InvalidInput: see :func:`validate_draft` and :func:`check_start`;
        ``"survey"`` when the linked survey is not an open or scheduled survey of the same municipality.
        NoticeTooShort: the start is sooner than the notice period allows.
    """
    validate_draft(draft)
    starts = from_db(draft.starts_at)
    now = now_db()
    async with db.transaction() as tx:
        officer = await require_officer(db, officer_id)
        code = officer.municipality_code
        await check_start(tx, code, starts)
        if draft.survey_id is not None:
            ok = await tx.fetchval(
                "SELECT 1 FROM surveys WHERE id = ? AND municipality_code = ? AND status IN ('scheduled', 'open')",
                (draft.survey_id, code))
            if not ok:
                raise InvalidInput("survey")
        hearing_id = await tx.insert(
            "INSERT INTO hearings (municipality_code, topic, title_ky, title_ru, agenda_ky, agenda_ru, starts_at, place,"
            " latitude, longitude, survey_id, attachment_file_id, attachment_kind, created_by, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (code, draft.topic, draft.title_ky, draft.title_ru, draft.agenda_ky, draft.agenda_ru, to_db(starts),
             draft.place, draft.latitude, draft.longitude, draft.survey_id, draft.attachment_file_id,
             draft.attachment_kind, officer_id, now, now))
        await _plan_reminders(tx, hearing_id, starts)
        hearing = await get_hearing(tx, hearing_id)
        assert hearing is not None
        survey_q = await _survey_question(tx, hearing)
        versions = {loc: LocalizedMessage(card_text(hearing, loc, survey_question=survey_q.get(loc)),
                                          card_buttons(hearing, loc)) for loc in ("ky", "ru")}
        photo = hearing.attachment_file_id if hearing.attachment_kind == "photo" else None
        broadcast_id = await enqueue(tx, kind="hearing_announcement", audience=Audience.municipality(code),
                                     content=Content(versions, photo=photo), municipality_code=code,
                                     sender_id=officer_id, dedup_key=f"hearing:{hearing_id}:announce")
        await tx.execute("UPDATE hearings SET announcement_id = ? WHERE id = ?", (broadcast_id, hearing_id))
        hearing = await get_hearing(tx, hearing_id)
    assert hearing is not None
    return hearing


async def _officer_hearing(tx: Transaction, db: Database, officer_id: int, hearing_id: int) -> Hearing:
    hearing = await get_hearing(tx, hearing_id)
    if hearing is None:
        raise NotFound("hearing")
    await require_officer(db, officer_id, hearing.municipality_code)
    return hearing


async def hearing_for_officer(db: Database, *, officer_id: int, hearing_id: int) -> Hearing:
    """A hearing of the officer's own municipality.

    Raises:
        NotFound: no such hearing. PermissionDenied: not an officer of its municipality.
    """
    hearing = await get_hearing(db, hearing_id)
    if hearing is None:
        raise NotFound("hearing")
    await require_officer(db, officer_id, hearing.municipality_code)
    return hearing


async def _told(tx: Transaction, hearing: Hearing) -> list[int]:
    """Everyone who got the announcement, plus everyone who answered it."""
    ids = [r[0] for r in await tx.fetchall(
        "SELECT resident_id FROM deliveries WHERE broadcast_id = ?", (hearing.announcement_id or 0,))]
    ids += [r[0] for r in await tx.fetchall(
        "SELECT resident_id FROM hearing_rsvps WHERE hearing_id = ?", (hearing.id,))]
    return ids


async def edit_hearing(
    db: Database, *, officer_id: int, hearing_id: int, starts_at: datetime | None = None,
    place: str | None = None, latitude: float | None = None, longitude: float | None = None,
    agenda_ky: str | None = None, agenda_ru: str | None = None,
) -> tuple[Hearing, tuple[str, ...]]:
    """Change the time, place (with an optional new location) and/or agenda of a scheduled hearing.

    Residents who got the announcement (or answered it) are told what changed, with the updated
    card; reminders are re-planned for a new time. Moving the hearing earlier must respect the
    notice period; postponing is always allowed. Returns the hearing and what changed
    (``"time"``, ``"place"``, ``"agenda"``).

    Raises:
        NotFound, PermissionDenied; HearingClosed: cancelled, held or already begun;
        InvalidInput: ``"unchanged"``, a text over its limit, or see :func:`check_start`; NoticeTooShort.
    """
    if place is not None:
        place = clean_text(place, PLACE_MAX)
        if not place:
            raise InvalidInput("place")
    if agenda_ky is not None:
        agenda_ky = clean_text(agenda_ky, AGENDA_MAX)
    if agenda_ru is not None:
        agenda_ru = clean_text(agenda_ru, AGENDA_MAX)
    now = clock.now()
    async with db.transaction() as tx:
        hearing = await _officer_hearing(tx, db, officer_id, hearing_id)
        if hearing.status != "scheduled":
            raise HearingClosed(hearing.status)
        if hearing.starts <= now:
            raise HearingClosed("started")
        changed: list[str] = []
        sets: dict[str, object] = {}
        if starts_at is not None and to_db(starts_at) != hearing.starts_at:
            if starts_at < hearing.starts:
                await check_start(tx, hearing.municipality_code, starts_at, now)
            elif starts_at > now + MAX_AHEAD:
                raise InvalidInput("too far")
            sets["starts_at"] = to_db(starts_at)
            changed.append("time")
        if place is not None and (place != hearing.place or (latitude, longitude) != (hearing.latitude, hearing.longitude)):
            sets.update(place=place, latitude=latitude, longitude=longitude)
            changed.append("place")
        new_ky = hearing.agenda_ky if agenda_ky is None else agenda_ky
        new_ru = hearing.agenda_ru if agenda_ru is None else agenda_ru
        if (new_ky, new_ru) != (hearing.agenda_ky, hearing.agenda_ru):
            if not (new_ky or new_ru):
                raise InvalidInput("agenda")
            sets.update(agenda_ky=new_ky, agenda_ru=new_ru)
            changed.append("agenda")
        if not changed:
            raise InvalidInput("unchanged")
        sets["updated_at"] = to_db(now)
        await tx.execute(f"UPDATE hearings SET {', '.join(f'{k} = ?' for k in sets)}, revision = revision + 1"
                         " WHERE id = ?", (*sets.values(), hearing_id))
        if "time" in changed:
            await _plan_reminders(tx, hearing_id, starts_at, hearing.starts)  # type: ignore[arg-type]
        updated = await get_hearing(tx, hearing_id)
        assert updated is not None
        survey_q = await _survey_question(tx, updated)
        versions = {}
        for loc in ("ky", "ru"):
            head = _("✏️ <b>The public hearing has been changed.</b>", locale=loc)
            lines = [head]
            if "time" in changed:
                lines.append(_("The date and time have changed: now {date}, {time}.", locale=loc).format(
                    date=format_date(updated.starts, loc, weekday=True), time=format_time(updated.starts, loc)))
            if "place" in changed:
                lines.append(_("The place has changed: {place}.", locale=loc).format(place=esc(updated.place)))
            if "agenda" in changed:
                lines.append(_("The agenda has changed; the new agenda is below.", locale=loc))
            text = "\n".join(lines) + "\n\n" + card_text(updated, loc, survey_question=survey_q.get(loc))
            versions[loc] = LocalizedMessage(text, card_buttons(updated, loc))
        await enqueue(tx, kind="hearing_changed", audience=Audience.residents(await _told(tx, hearing)),
                      content=Content(versions), municipality_code=hearing.municipality_code, sender_id=officer_id)
    return updated, tuple(changed)


async def cancel_hearing(db: Database, *, officer_id: int, hearing_id: int, reason: str = "") -> Hearing:
    """Cancel a scheduled hearing: no reminders will go out; everyone who got the announcement (or
    answered it) is told, with the reason when given.

    Raises:
        NotFound, PermissionDenied; HearingClosed: already cancelled or held; InvalidInput: reason too long.
    """
    reason = clean_text(reason, REASON_MAX)
    async with db.transaction() as tx:
        hearing = await _officer_hearing(tx, db, officer_id, hearing_id)
        if hearing.status != "scheduled":
            raise HearingClosed(hearing.status)
        now = now_db()
        await tx.execute("UPDATE hearings SET status = 'cancelled', cancelled_at = ?, cancel_reason = ?, updated_at = ?,"
                         " revision = revision + 1 WHERE id = ? AND status = 'scheduled'",
                         (now, reason or None, now, hearing_id))
        versions = {}
        for loc in ("ky", "ru"):
            text = _("❌ The public hearing «{title}» planned for {date}, {time} has been cancelled.", locale=loc).format(
                title=esc(hearing.title(loc)), date=format_date(hearing.starts, loc, weekday=True),
                time=format_time(hearing.starts, loc))
            if reason:
                text += "\n" + _("Reason: {reason}", locale=loc).format(reason=esc(reason))
            versions[loc] = LocalizedMessage(text)
        await enqueue(tx, kind="hearing_cancelled", audience=Audience.residents(await _told(tx, hearing)),
                      content=Content(versions), municipality_code=hearing.municipality_code, sender_id=officer_id)
        updated = await get_hearing(tx, hearing_id)
    assert updated is not None
    return updated


async def attendance(db: Database, *, officer_id: int, hearing_id: int) -> tuple[Hearing, Attendance]:
    """RSVP counts and the hall list (names only of consenting residents who are coming).

    Raises:
        NotFound, PermissionDenied.
    """
    hearing = await hearing_for_officer(db, officer_id=officer_id, hearing_id=hearing_id)
    counts = {r[0]: r[1] for r in await db.fetchall(
        "SELECT answer, count(*) FROM hearing_rsvps WHERE hearing_id = ? GROUP BY answer", (hearing_id,))}
    rows = await db.fetchall(
        "SELECT r.first_name, r.last_name, r.username, r.telegram_id FROM hearing_rsvps v"
        " JOIN residents r ON r.telegram_id = v.resident_id"
        " WHERE v.hearing_id = ? AND v.answer = 'going' AND v.share_name = 1", (hearing_id,))
    names = []
    for r in rows:
        name = clean_user_text(" ".join(p for p in (r["first_name"], r["last_name"]) if p and p.strip())).strip()
        names.append(name or (("@" + r["username"]) if r["username"] else str(r["telegram_id"])))
    questions = await db.fetchval("SELECT count(*) FROM hearing_questions WHERE hearing_id = ?", (hearing_id,))
    return hearing, Attendance(counts.get("going", 0), counts.get("not_going", 0), counts.get("remind", 0),
                               tuple(sorted(names, key=str.casefold)), int(questions))


async def questions(db: Database, *, officer_id: int, hearing_id: int) -> tuple[Hearing, list[Question]]:
    """The residents' questions for the hearing, oldest first (no author is shown).

    Raises:
        NotFound, PermissionDenied.
    """
    hearing = await hearing_for_officer(db, officer_id=officer_id, hearing_id=hearing_id)
    rows = await db.fetchall("SELECT id, text, asked_at FROM hearing_questions WHERE hearing_id = ? ORDER BY id",
                             (hearing_id,))
    return hearing, [Question(r["id"], r["text"], r["asked_at"]) for r in rows]


def problem_target_status(hearing: Hearing) -> str:
    """Where accepted problems move: ``in_budget`` after a draft-budget hearing, else ``at_hearing``."""
    return "in_budget" if hearing.topic == "budget_draft" else "at_hearing"


async def check_outcome_problems(db: Database, *, officer_id: int, hearing_id: int, ids: list[int]) -> list[int]:
    """Keep only ids of visible problems of the hearing's municipality; return the unknown ones.

    Raises:
        NotFound, PermissionDenied.
    """
    hearing = await hearing_for_officer(db, officer_id=officer_id, hearing_id=hearing_id)
    bad = []
    for pid in ids:
        ok = await db.fetchval("SELECT 1 FROM problems WHERE id = ? AND municipality_code = ? AND hidden = 0",
                               (pid, hearing.municipality_code))
        if not ok:
            bad.append(pid)
    return bad


async def publish_outcome(db: Database, *, officer_id: int, hearing_id: int, outcome: Outcome) -> tuple[Hearing, dict[int, str]]:
    """Record the outcome, mark the hearing held and tell the municipality (and everyone who answered).

    Then each accepted problem is moved with :func:`bot.domain.problems.change_status` (in its own
    transaction, so its followers' notifications fire) to :func:`problem_target_status`. Returns
    the hearing and, per problem id, the status it was moved to or why not (``"unchanged"``,
    ``"gone"``).

    Raises:
        NotFound, PermissionDenied; HearingClosed: cancelled or already held, or ``"not_started"``
        before the start; InvalidInput: no decisions, texts over :data:`DECISIONS_MAX`, participants out
        of range, ``"problem"`` for a problem of another municipality.
    """
    ky = clean_text(outcome.decisions_ky, DECISIONS_MAX)
    ru = clean_text(outcome.decisions_ru, DECISIONS_MAX)
    if not (ky or ru):
        raise InvalidInput("decisions")
    if outcome.participants is not None and not 0 <= outcome.participants <= PARTICIPANTS_MAX:
        raise InvalidInput("participants", limit=PARTICIPANTS_MAX, actual=outcome.participants)
    ids = list(dict.fromkeys(int(i) for i in outcome.problem_ids))
    now = clock.now()
    async with db.transaction() as tx:
        hearing = await _officer_hearing(tx, db, officer_id, hearing_id)
        if hearing.status != "scheduled":
            raise HearingClosed(hearing.status)
        if hearing.starts > now:
            raise HearingClosed("not_started")
        for pid in ids:
            if not await tx.fetchval("SELECT 1 FROM problems WHERE id = ? AND municipality_code = ? AND hidden = 0",
                                     (pid, hearing.municipality_code)):
                raise InvalidInput("problem", actual=pid)
        await tx.execute(
            "UPDATE hearings SET status = 'held', decisions_ky = ?, decisions_ru = ?, participants = ?,"
            " minutes_file_id = ?, outcome_at = ?, updated_at = ? WHERE id = ? AND status = 'scheduled'",
            (ky, ru, outcome.participants, outcome.minutes_file_id, to_db(now), to_db(now), hearing_id))
        await tx.executemany("INSERT OR IGNORE INTO hearing_problems (hearing_id, problem_id) VALUES (?, ?)",
                             [(hearing_id, pid) for pid in ids])
        await tx.execute("UPDATE hearing_reminders SET skipped = 1, sent_at = ? WHERE hearing_id = ? AND sent_at IS NULL",
                         (to_db(now), hearing_id))
        held = await get_hearing(tx, hearing_id)
        assert held is not None
        problems = {r["id"]: r for r in await tx.fetchall(
            f"SELECT id, text FROM problems WHERE id IN ({','.join('?' * len(ids)) or 'NULL'})", ids)}
        versions = {loc: LocalizedMessage(outcome_text(held, loc, problems), outcome_buttons(held, loc))
                    for loc in ("ky", "ru")}
        rsvp = [r[0] for r in await tx.fetchall("SELECT resident_id FROM hearing_rsvps WHERE hearing_id = ?",
                                                (hearing_id,))]
        await enqueue(tx, kind="hearing_outcome",
                      audience=Audience(municipality_code=hearing.municipality_code, resident_ids=tuple(rsvp)),
                      content=Content(versions), municipality_code=hearing.municipality_code, sender_id=officer_id,
                      dedup_key=f"hearing:{hearing_id}:outcome")
    from bot.domain import problems as pb  # imported here: the problems feature may be absent in old checkouts

    target = problem_target_status(held)
    moved: dict[int, str] = {}
    for pid in ids:
        try:
            await pb.change_status(db, officer_id=officer_id, problem_id=pid, status=target,
                                   comment=None)
            moved[pid] = target
        except InvalidInput:
            moved[pid] = "unchanged"
        except DomainError:
            moved[pid] = "gone"
            continue
        async with db.transaction() as tx:
            await tx.execute("UPDATE hearing_problems SET new_status = ? WHERE hearing_id = ? AND problem_id = ?",
                             (target if moved[pid] == target else None, hearing_id, pid))
    return held, moved


# -- residents ------------------------------------------------------------------------------------


async def hearing_for_resident(db: Database, *, resident_id: int, hearing_id: int) -> Hearing:
    """A hearing of the resident's own municipality.

    Raises:
        NotFound: no such hearing. WrongMunicipality: another municipality's hearing.
    """
    hearing = await get_hearing(db, hearing_id)
    if hearing is None:
        raise NotFound("hearing")
    code = await db.fetchval("SELECT municipality_code FROM residents WHERE telegram_id = ?", (resident_id,))
    if code != hearing.municipality_code:
        raise WrongMunicipality("hearing of another municipality")
    return hearing


async def _resident_hearing(tx: Transaction, resident_id: int, hearing_id: int) -> Hearing:
    hearing = await get_hearing(tx, hearing_id)
    if hearing is None:
        raise NotFound("hearing")
    code = await tx.fetchval("SELECT municipality_code FROM residents WHERE telegram_id = ?", (resident_id,))
    if code != hearing.municipality_code:
        raise WrongMunicipality("hearing of another municipality")
    if hearing.status != "scheduled":
        raise HearingClosed(hearing.status)
    if hearing.starts <= clock.now():
        raise HearingClosed("started")
    return hearing


async def my_rsvp(db: Database, resident_id: int, hearing_id: int) -> tuple[str | None, bool]:
    """The resident's answer (``None`` when none) and whether they consented to the hall list."""
    row = await db.fetchone("SELECT answer, share_name FROM hearing_rsvps WHERE hearing_id = ? AND resident_id = ?",
                            (hearing_id, resident_id))
    return (None, False) if row is None else (row["answer"], bool(row["share_name"]))


async def rsvp(db: Database, *, resident_id: int, hearing_id: int, answer: str) -> Hearing:
    """Record or change the resident's answer (one row per resident and hearing).

    Raises:
        InvalidInput: unknown answer. NotFound; WrongMunicipality; HearingClosed.
    """
    if answer not in ANSWERS:
        raise InvalidInput("answer")
    async with db.transaction() as tx:
        hearing = await _resident_hearing(tx, resident_id, hearing_id)
        await tx.execute(
            "INSERT INTO hearing_rsvps (hearing_id, resident_id, answer, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (hearing_id, resident_id) DO UPDATE SET answer = excluded.answer,"
            " updated_at = excluded.updated_at", (hearing_id, resident_id, answer, now_db()))
    return hearing


async def set_share_name(db: Database, *, resident_id: int, hearing_id: int, share: bool) -> None:
    """Consent (or withdraw consent) to show the resident's name on the officer's hall list.
    Needs an answer of ``going`` first (else :class:`InvalidInput` ``"not going"``).

    Raises:
        NotFound; WrongMunicipality; HearingClosed; InvalidInput.
    """
    async with db.transaction() as tx:
        await _resident_hearing(tx, resident_id, hearing_id)
        changed = await tx.execute(
            "UPDATE hearing_rsvps SET share_name = ?, updated_at = ? WHERE hearing_id = ? AND resident_id = ?"
            " AND answer = 'going'", (int(share), now_db(), hearing_id, resident_id))
        if not changed:
            raise InvalidInput("not going")


async def ask_question(db: Database, *, resident_id: int, hearing_id: int, text: str) -> int:
    """Save a resident's question for the hearing (up to :data:`QUESTION_MAX` characters, at most
    :data:`QUESTIONS_PER_RESIDENT` per resident and hearing). Returns its id.

    Raises:
        InvalidInput: empty, too long (``limit``/``actual``), or ``"too many"`` (``limit``).
        NotFound; WrongMunicipality; HearingClosed.
    """
    value = clean_text(text, QUESTION_MAX)
    if not value:
        raise InvalidInput("empty")
    async with db.transaction() as tx:
        await _resident_hearing(tx, resident_id, hearing_id)
        count = await tx.fetchval("SELECT count(*) FROM hearing_questions WHERE hearing_id = ? AND resident_id = ?",
                                  (hearing_id, resident_id))
        if count >= QUESTIONS_PER_RESIDENT:
            raise InvalidInput("too many", limit=QUESTIONS_PER_RESIDENT, actual=int(count))
        return await tx.insert("INSERT INTO hearing_questions (hearing_id, resident_id, text, asked_at)"
                               " VALUES (?, ?, ?, ?)", (hearing_id, resident_id, value, now_db()))


async def list_upcoming(db: Database, municipality_code: str, now: datetime | None = None, limit: int = 10) -> list[Hearing]:
    """Scheduled hearings of a municipality that have not begun, soonest first."""
    rows = await db.fetchall(
        "SELECT * FROM hearings WHERE municipality_code = ? AND status = 'scheduled' AND starts_at > ?"
        " ORDER BY starts_at, id LIMIT ?", (municipality_code, to_db(now or clock.now()), limit))
    return [_hearing(r) for r in rows]


async def list_past(db: Database, municipality_code: str, now: datetime | None = None, limit: int = 10) -> list[Hearing]:
    """Held hearings and those whose start passed (cancelled ones excluded), newest first."""
    rows = await db.fetchall(
        "SELECT * FROM hearings WHERE municipality_code = ? AND (status = 'held' OR"
        " (status = 'scheduled' AND starts_at <= ?)) ORDER BY starts_at DESC, id DESC LIMIT ?",
        (municipality_code, to_db(now or clock.now()), limit))
    return [await get_hearing(db, r["id"]) for r in rows]  # type: ignore[misc]


async def officer_hearings(db: Database, officer_id: int, limit: int = 15) -> list[Hearing]:
    """Recent hearings of the officer's municipality (any status), newest start first.

    Raises:
        PermissionDenied: not an officer.
    """
    officer = await require_officer(db, officer_id)
    rows = await db.fetchall("SELECT * FROM hearings WHERE municipality_code = ? ORDER BY starts_at DESC, id DESC"
                             " LIMIT ?", (officer.municipality_code, limit))
    return [_hearing(r) for r in rows]


# -- scheduler job --------------------------------------------------------------------------------


async def send_due_reminders(db: Database, now: datetime) -> int:
    """Scheduler job: queue the reminders that are due at ``now``; returns how many were queued.

    One transaction per hearing: the unsent due reminders are re-read and marked sent in the
    transaction that queues the message, so two runs, or a run after a restart, never send one
    twice. When several are due at once (the bot was down, or the hearing was moved close), only
    the latest is sent and the earlier are marked skipped. Nothing is sent for a hearing that is
    not ``scheduled`` or has begun (those reminders are marked skipped).
    """
    now_s = to_db(now)
    ids = [r[0] for r in await db.fetchall(
        "SELECT DISTINCT hearing_id FROM hearing_reminders WHERE sent_at IS NULL AND due_at <= ?", (now_s,))]
    queued = 0
    for hearing_id in ids:
        async with db.transaction() as tx:
            due = await tx.fetchall(
                "SELECT kind, due_at FROM hearing_reminders WHERE hearing_id = ? AND sent_at IS NULL AND due_at <= ?"
                " ORDER BY due_at DESC", (hearing_id, now_s))
            if not due:
                continue
            hearing = await get_hearing(tx, hearing_id)
            await tx.execute("UPDATE hearing_reminders SET sent_at = ?, skipped = 1 WHERE hearing_id = ?"
                             " AND sent_at IS NULL AND due_at <= ?", (now_s, hearing_id, now_s))
            if hearing is None or hearing.status != "scheduled" or hearing.starts <= now:
                continue
            kind = due[0]["kind"]
            await tx.execute("UPDATE hearing_reminders SET skipped = 0 WHERE hearing_id = ? AND kind = ?",
                             (hearing_id, kind))
            recipients = [r[0] for r in await tx.fetchall(
                "SELECT resident_id FROM hearing_rsvps WHERE hearing_id = ? AND answer IN ('going', 'remind')",
                (hearing_id,))]
            versions = {loc: LocalizedMessage(reminder_text(hearing, kind, loc, now=now), reminder_buttons(hearing, loc))
                        for loc in ("ky", "ru")}
            await enqueue(tx, kind=f"hearing_reminder_{kind}", audience=Audience.residents(recipients),
                          content=Content(versions), municipality_code=hearing.municipality_code)
            queued += 1
    return queued


SCHEDULER_JOBS = (send_due_reminders,)
"""The jobs this module gives :class:`bot.scheduler.Scheduler`."""


# -- texts (rendered here because the outbox needs them in the domain transaction) -----------------


def esc(value: object) -> str:
    """HTML-escape a user or officer text for a ``parse_mode=HTML`` message."""
    return html.escape(str(value), quote=False)


def topic_label(topic: str, locale: str) -> str:
    return _(TOPICS.get(topic, TOPICS["other"]), locale=locale)


async def _survey_question(reader: Database | Transaction, hearing: Hearing) -> dict[str, str]:
    if hearing.survey_id is None:
        return {}
    row = await reader.fetchone("SELECT question_ky, question_ru FROM surveys WHERE id = ?", (hearing.survey_id,))
    if row is None:
        return {}
    return {loc: pick(row["question_ky"], row["question_ru"], loc) for loc in ("ky", "ru")}


async def survey_question(db: Database, hearing: Hearing, locale: str) -> str | None:
    """The linked survey's question in ``locale`` (or the other language), or ``None``."""
    return (await _survey_question(db, hearing)).get(locale)


def when_text(hearing: Hearing, locale: str) -> str:
    """"Tuesday, 15 December 2026, 00:30" — weekday and date in Bishkek time, in the reader's language."""
    return _("{date}, {time}", locale=locale).format(
        date=format_date(hearing.starts, locale, weekday=True), time=format_time(hearing.starts, locale))


def card_text(hearing: Hearing, locale: str, *, survey_question: str | None = None) -> str:
    """The announcement card: topic, title, date with weekday, place, agenda, linked survey (HTML)."""
    lines = [_("📣 <b>Public hearing</b>", locale=locale), f"<b>{esc(hearing.title(locale))}</b>", "",
             _("Topic: {topic}", locale=locale).format(topic=topic_label(hearing.topic, locale)),
             _("🗓 When: {when}", locale=locale).format(when=when_text(hearing, locale)),
             _("📍 Where: {place}", locale=locale).format(place=esc(hearing.place))]
    if hearing.status == "cancelled":
        lines.insert(0, _("❌ This hearing has been cancelled.", locale=locale))
    elif hearing.status == "held":
        lines.insert(0, _("✅ This hearing has taken place.", locale=locale))
    if survey_question:
        lines.append(_("🗳 Survey before the hearing: {question}", locale=locale).format(question=esc(survey_question)))
    lines += ["", _("<b>Agenda</b>", locale=locale), esc(hearing.agenda(locale))]
    return "\n".join(lines)


def card_buttons(hearing: Hearing, locale: str) -> list[list[Button]]:
    """Buttons under an announcement: come / can't come, question / remind, calendar, map, document, survey."""
    hid = hearing.id
    rows = [
        [Button(_("✅ I will come", locale=locale), callback_data=resident_data("go", hid)),
         Button(_("🚫 Can't come", locale=locale), callback_data=resident_data("no", hid))],
        [Button(_("❓ Add a question", locale=locale), callback_data=resident_data("ask", hid)),
         Button(_("⏰ Remind me", locale=locale), callback_data=resident_data("rem", hid))],
    ]
    extra = [Button(_("📅 Calendar (.ics)", locale=locale), callback_data=resident_data("ics", hid))]
    if hearing.latitude is not None:
        extra.append(Button(_("🗺 Map", locale=locale), callback_data=resident_data("map", hid)))
    rows.append(extra)
    more = []
    if hearing.attachment_kind == "document":
        more.append(Button(_("📎 Document", locale=locale), callback_data=resident_data("doc", hid)))
    if hearing.survey_id is not None:
        more.append(Button(_("🗳 Vote in the survey", locale=locale), callback_data=f"sv:open:{hearing.survey_id}:0"))
    if more:
        rows.append(more)
    return rows


def reminder_text(hearing: Hearing, kind: str, locale: str, *, now: datetime | None = None) -> str:
    """The 24-hour or 1-hour reminder.

    The 24-hour one names the day by the calendar in Bishkek as of ``now`` (default the clock):
    "today" when it goes out on the day itself (a late announcement, or the bot was down),
    "tomorrow" the day before, else the weekday and date.
    """
    if kind == "1h":
        head = _("⏰ The public hearing «{title}» starts in one hour, at {time}.", locale=locale)
    else:
        days = (_local_day(hearing.starts) - _local_day(now or clock.now())).days
        if days <= 0:
            head = _("⏰ Reminder: the public hearing «{title}» is today at {time}.", locale=locale)
        elif days == 1:
            head = _("⏰ Reminder: the public hearing «{title}» is tomorrow, {when}.", locale=locale)
        else:
            head = _("⏰ Reminder: the public hearing «{title}» is on {when}.", locale=locale)
    return "\n".join([head.format(title=esc(hearing.title(locale)), time=format_time(hearing.starts, locale),
                                  when=when_text(hearing, locale)),
                      _("📍 Where: {place}", locale=locale).format(place=esc(hearing.place))])


def reminder_buttons(hearing: Hearing, locale: str) -> list[list[Button]]:
    rows = [[Button(_("Open the announcement", locale=locale), callback_data=resident_data("show", hearing.id)),
             Button(_("🚫 Can't come", locale=locale), callback_data=resident_data("no", hearing.id))]]
    if hearing.latitude is not None:
        rows.append([Button(_("🗺 Map", locale=locale), callback_data=resident_data("map", hearing.id))])
    return rows


def outcome_text(hearing: Hearing, locale: str, problems: dict | None = None) -> str:
    """The outcome: title and date, participants, decisions, accepted problems (HTML)."""
    lines = [_("📋 <b>Outcome of the public hearing</b>", locale=locale), f"<b>{esc(hearing.title(locale))}</b>",
             _("🗓 When: {when}", locale=locale).format(when=when_text(hearing, locale))]
    if hearing.participants is not None:
        lines.append(ngettext("{n} participant took part.", "{n} participants took part.", hearing.participants,
                              locale=locale).format(n=format_number(hearing.participants, locale)))
    lines += ["", _("<b>Decisions</b>", locale=locale), esc(hearing.decisions(locale))]
    if hearing.problem_ids:
        lines += ["", _("<b>Accepted problems and proposals</b>", locale=locale)]
        for pid in hearing.problem_ids:
            text = (problems or {}).get(pid)
            excerpt = (text["text"] if text is not None else None) or ""
            excerpt = excerpt if len(excerpt) <= 80 else excerpt[:79] + "…"
            lines.append(f"#{pid} {esc(excerpt)}".rstrip())
    return "\n".join(lines)


def outcome_buttons(hearing: Hearing, locale: str) -> list[list[Button]]:
    rows = []
    if hearing.minutes_file_id:
        rows.append([Button(_("📄 Minutes", locale=locale), callback_data=resident_data("min", hearing.id))])
    return rows
