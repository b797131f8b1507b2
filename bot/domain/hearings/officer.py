"""Public hearings: what officers do — announce, change, cancel, see attendance and questions,
publish the outcome, set the notice period.

Rules (issue #6 and ../shared/domain.md, "Public hearings"):

* An officer acts only on hearings of THEIR municipality (checked here, inside the transaction;
  another municipality's hearing is :class:`HearingElsewhere`).
* The start must be at least the municipality's notice period away (:class:`NoticeTooShort`
  carries the earliest allowed start). Moving a hearing EARLIER must still respect it; postponing
  is always allowed.
* The announcement goes to every active resident of the municipality through the outbox, in the
  transaction that creates the hearing; edits and a cancellation go to everyone who got the
  announcement and everyone who answered it.
* The outcome is published once; accepted problems are moved with
  :func:`bot.domain.problems.change_status` (its own notifications fire) to ``in_budget`` after a
  draft-budget hearing, else to ``at_hearing`` (:func:`~bot.domain.hearings.rules.problem_target_status`).
"""

from __future__ import annotations

from datetime import datetime

from bot.db import Database, Transaction
from bot.domain.clock import clock, from_db, now_db, to_db
from bot.domain.errors import BadDateTime, DomainError, InvalidInput, NotFound, Unchanged
from bot.domain.hearings import notices
from bot.domain.hearings.errors import (
    AgendaMissing,
    DecisionsMissing,
    HearingElsewhere,
    HearingNotFound,
    HearingNotStarted,
    HearingStarted,
    ParticipantsOutOfRange,
    SurveyNotLinkable,
    UnknownProblems,
    closed,
)
from bot.domain.hearings.jobs import plan_reminders
from bot.domain.hearings.model import (
    AGENDA_MAX,
    DECISIONS_MAX,
    MAX_AHEAD,
    PARTICIPANTS_MAX,
    PLACE_MAX,
    REASON_MAX,
    Attendance,
    Draft,
    Hearing,
    Outcome,
    Question,
    hearing_from_row,
)
from bot.domain.hearings.rules import check_notice_days, check_start_at, clean_text, problem_target_status, validate_draft
from bot.domain.hearings.store import (
    get_hearing,
    notice_days,
    problem_excerpts,
    survey_linkable,
    survey_questions,
    visible_problem,
)
from bot.domain.officers import Officer, require_officer
from bot.domain.outbox import Audience, enqueue
from bot.domain.text import clean_user_text

Reader = Database | Transaction


async def _officer_hearing(db: Reader, officer_id: int, hearing_id: int) -> tuple[Officer, Hearing]:
    hearing = await get_hearing(db, hearing_id)
    if hearing is None:
        raise HearingNotFound(hearing_id)
    officer = await require_officer(db, officer_id)  # type: ignore[arg-type]
    if officer.municipality_code != hearing.municipality_code:
        raise HearingElsewhere("hearing of another municipality")
    return officer, hearing


async def hearing_for_officer(db: Database, *, officer_id: int, hearing_id: int) -> Hearing:
    """A hearing of the officer's own municipality.

    Raises:
        HearingNotFound: no such hearing. NotAnOfficer. HearingElsewhere: another municipality's.
    """
    return (await _officer_hearing(db, officer_id, hearing_id))[1]


async def editable_hearing(db: Database, *, officer_id: int, hearing_id: int, started_ok: bool = False) -> Hearing:
    """A scheduled hearing of the officer's municipality that may still be changed (or, with
    ``started_ok``, whose outcome may be published once it has begun).

    Raises:
        HearingNotFound, NotAnOfficer, HearingElsewhere; HearingCancelled, HearingHeld;
        HearingStarted (it has begun; not with ``started_ok``); HearingNotStarted (``started_ok``, not begun).
    """
    hearing = await hearing_for_officer(db, officer_id=officer_id, hearing_id=hearing_id)
    if hearing.status != "scheduled":
        raise closed(hearing.status)
    begun = hearing.starts <= clock.now()
    if started_ok and not begun:
        raise HearingNotStarted()
    if not started_ok and begun:
        raise HearingStarted()
    return hearing


async def officer_hearings(db: Database, officer_id: int, limit: int = 15) -> list[Hearing]:
    """Recent hearings of the officer's municipality (any status), newest start first.

    Raises:
        NotAnOfficer.
    """
    officer = await require_officer(db, officer_id)
    rows = await db.fetchall("SELECT * FROM hearings WHERE municipality_code = ? ORDER BY starts_at DESC, id DESC"
                             " LIMIT ?", (officer.municipality_code, limit))
    return [hearing_from_row(r) for r in rows]


async def check_start(db: Reader, municipality_code: str, starts_at: datetime, now: datetime | None = None) -> None:
    """Check a new start against the clock and the municipality's notice period.

    Raises:
        BadDateTime: ``past`` or ``too_far``. NoticeTooShort: sooner than the notice period allows.
    """
    check_start_at(starts_at, now or clock.now(), await notice_days(db, municipality_code))


async def set_notice_days(db: Database, *, officer_id: int, days: int, superadmin: bool = False,
                          municipality_code: str | None = None) -> int:
    """Set a municipality's minimum notice period (0..:data:`MAX_NOTICE_DAYS` days) and record the change.

    An officer sets their own municipality's period, not below :data:`NOTICE_FLOOR_DAYS`. A superadmin
    (``superadmin=True``, the ``is_superadmin`` handler kwarg) may go below the floor, for their own
    municipality as an officer or for ``municipality_code``. Every change is written to
    ``hearing_notice_changes`` (who, when, old, new) in the same transaction.

    Raises:
        NotAnOfficer: not an officer (and not a superadmin naming a municipality). NotFound: no such
        municipality. NoticeDaysOutOfRange; NoticeBelowFloor: an officer under the floor.
    """
    check_notice_days(days, superadmin=superadmin)
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


async def create_hearing(db: Database, *, officer_id: int, draft: Draft) -> Hearing:
    """Save the hearing, plan its reminders and queue the announcement to every active resident of
    the officer's municipality — one transaction.

    Raises:
        NotAnOfficer. InvalidInput, TextTooLong, TitleMissing, AgendaMissing: see :func:`validate_draft`.
        BadDateTime, NoticeTooShort: see :func:`check_start`. SurveyNotLinkable: the linked survey is
        not an open or scheduled survey of the same municipality.
    """
    validate_draft(draft)
    starts = from_db(draft.starts_at)
    now = now_db()
    async with db.transaction() as tx:
        officer = await require_officer(db, officer_id)
        code = officer.municipality_code
        await check_start(tx, code, starts)
        if draft.survey_id is not None and not await survey_linkable(tx, draft.survey_id, code):
            raise SurveyNotLinkable("survey")
        hearing_id = await tx.insert(
            "INSERT INTO hearings (municipality_code, topic, title_ky, title_ru, agenda_ky, agenda_ru, starts_at, place,"
            " latitude, longitude, survey_id, attachment_file_id, attachment_kind, created_by, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (code, draft.topic, draft.title_ky, draft.title_ru, draft.agenda_ky, draft.agenda_ru, to_db(starts),
             draft.place, draft.latitude, draft.longitude, draft.survey_id, draft.attachment_file_id,
             draft.attachment_kind, officer_id, now, now))
        await plan_reminders(tx, hearing_id, starts)
        hearing = await get_hearing(tx, hearing_id)
        assert hearing is not None
        notice = notices.announcement(hearing, await survey_questions(tx, hearing.survey_id))
        broadcast_id = await enqueue(tx, kind=notice.kind, audience=Audience.municipality(code), content=notice,
                                     municipality_code=code, sender_id=officer_id,
                                     dedup_key=f"hearing:{hearing_id}:announce")
        await tx.execute("UPDATE hearings SET announcement_id = ? WHERE id = ?", (broadcast_id, hearing_id))
        hearing = await get_hearing(tx, hearing_id)
    assert hearing is not None
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
    card; reminders are re-planned for a new time. Returns the hearing and what changed
    (``"time"``, ``"place"``, ``"agenda"``); :func:`change_total` says how many are told.

    Raises:
        HearingNotFound, NotAnOfficer, HearingElsewhere; HearingCancelled, HearingHeld, HearingStarted;
        Unchanged: nothing differs; TextTooLong; InvalidInput: an empty place; AgendaMissing;
        BadDateTime, NoticeTooShort: see :func:`check_start` (only for moving earlier; later is
        always allowed up to :data:`MAX_AHEAD`).
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
        _, hearing = await _officer_hearing(tx, officer_id, hearing_id)
        if hearing.status != "scheduled":
            raise closed(hearing.status)
        if hearing.starts <= now:
            raise HearingStarted()
        changed: list[str] = []
        sets: dict[str, object] = {}
        if starts_at is not None and to_db(starts_at) != hearing.starts_at:
            if starts_at < hearing.starts:
                await check_start(tx, hearing.municipality_code, starts_at, now)
            elif starts_at > now + MAX_AHEAD:
                raise BadDateTime("too_far", latest=now + MAX_AHEAD)
            sets["starts_at"] = to_db(starts_at)
            changed.append("time")
        if place is not None and (place != hearing.place or (latitude, longitude) != (hearing.latitude, hearing.longitude)):
            sets.update(place=place, latitude=latitude, longitude=longitude)
            changed.append("place")
        new_ky = hearing.agenda_ky if agenda_ky is None else agenda_ky
        new_ru = hearing.agenda_ru if agenda_ru is None else agenda_ru
        if (new_ky, new_ru) != (hearing.agenda_ky, hearing.agenda_ru):
            if not (new_ky or new_ru):
                raise AgendaMissing("agenda")
            sets.update(agenda_ky=new_ky, agenda_ru=new_ru)
            changed.append("agenda")
        if not changed:
            raise Unchanged("hearing unchanged")
        sets["updated_at"] = to_db(now)
        await tx.execute(f"UPDATE hearings SET {', '.join(f'{k} = ?' for k in sets)}, revision = revision + 1"
                         " WHERE id = ?", (*sets.values(), hearing_id))
        if starts_at is not None and "time" in changed:
            await plan_reminders(tx, hearing_id, starts_at, hearing.starts)
        updated = await get_hearing(tx, hearing_id)
        assert updated is not None
        notice = notices.changed(updated, tuple(changed), await survey_questions(tx, updated.survey_id))
        await enqueue(tx, kind=notice.kind, audience=Audience.residents(await _told(tx, hearing)), content=notice,
                      municipality_code=hearing.municipality_code, sender_id=officer_id,
                      dedup_key=f"hearing:{hearing_id}:change:{updated.revision}")
    return updated, tuple(changed)


async def change_total(db: Database, hearing: Hearing) -> int:
    """How many residents are told of the hearing's latest change (:func:`edit_hearing`)."""
    return int(await db.fetchval("SELECT total FROM broadcasts WHERE dedup_key = ?",
                                 (f"hearing:{hearing.id}:change:{hearing.revision}",)) or 0)


async def cancel_hearing(db: Database, *, officer_id: int, hearing_id: int, reason: str = "") -> Hearing:
    """Cancel a scheduled hearing: no reminders will go out; everyone who got the announcement (or
    answered it) is told, with the reason when given.

    Raises:
        HearingNotFound, NotAnOfficer, HearingElsewhere; HearingCancelled, HearingHeld;
        TextTooLong: a reason over :data:`REASON_MAX`.
    """
    reason = clean_text(reason, REASON_MAX)
    async with db.transaction() as tx:
        _, hearing = await _officer_hearing(tx, officer_id, hearing_id)
        if hearing.status != "scheduled":
            raise closed(hearing.status)
        now = now_db()
        await tx.execute("UPDATE hearings SET status = 'cancelled', cancelled_at = ?, cancel_reason = ?, updated_at = ?,"
                         " revision = revision + 1 WHERE id = ? AND status = 'scheduled'",
                         (now, reason or None, now, hearing_id))
        notice = notices.cancelled(hearing, reason)
        await enqueue(tx, kind=notice.kind, audience=Audience.residents(await _told(tx, hearing)), content=notice,
                      municipality_code=hearing.municipality_code, sender_id=officer_id)
        updated = await get_hearing(tx, hearing_id)
    assert updated is not None
    return updated


async def attendance(db: Database, *, officer_id: int, hearing_id: int) -> tuple[Hearing, Attendance]:
    """RSVP counts and the hall list (names only of consenting residents who are coming).

    Raises:
        HearingNotFound, NotAnOfficer, HearingElsewhere.
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
    count = await db.fetchval("SELECT count(*) FROM hearing_questions WHERE hearing_id = ?", (hearing_id,))
    return hearing, Attendance(counts.get("going", 0), counts.get("not_going", 0), counts.get("remind", 0),
                               tuple(sorted(names, key=str.casefold)), int(count))


async def questions(db: Database, *, officer_id: int, hearing_id: int) -> tuple[Hearing, list[Question]]:
    """The residents' questions for the hearing, oldest first (no author is shown).

    Raises:
        HearingNotFound, NotAnOfficer, HearingElsewhere.
    """
    hearing = await hearing_for_officer(db, officer_id=officer_id, hearing_id=hearing_id)
    rows = await db.fetchall("SELECT id, text, asked_at FROM hearing_questions WHERE hearing_id = ? ORDER BY id",
                             (hearing_id,))
    return hearing, [Question(r["id"], r["text"], r["asked_at"]) for r in rows]


async def check_outcome_problems(db: Database, *, officer_id: int, hearing_id: int, ids: list[int]) -> list[int]:
    """The ids among ``ids`` that are not visible problems of the hearing's municipality.

    Raises:
        HearingNotFound, NotAnOfficer, HearingElsewhere.
    """
    hearing = await hearing_for_officer(db, officer_id=officer_id, hearing_id=hearing_id)
    return [pid for pid in ids if not await visible_problem(db, pid, hearing.municipality_code)]


async def accept_problems(db: Database, *, officer_id: int, hearing_id: int, ids: list[int]) -> list[int]:
    """``ids`` when all are visible problems of the hearing's municipality.

    Raises:
        UnknownProblems: some are not (``ids`` lists them). HearingNotFound, NotAnOfficer, HearingElsewhere.
    """
    bad = await check_outcome_problems(db, officer_id=officer_id, hearing_id=hearing_id, ids=ids)
    if bad:
        raise UnknownProblems(bad)
    return ids


def outcome_preview(hearing: Hearing, outcome: Outcome) -> Hearing:
    """The hearing as it will read with ``outcome`` published (for the officer's preview)."""
    from dataclasses import replace

    return replace(hearing, status="held", decisions_ky=outcome.decisions_ky, decisions_ru=outcome.decisions_ru,
                   participants=outcome.participants, problem_ids=tuple(outcome.problem_ids),
                   minutes_file_id=outcome.minutes_file_id)


async def publish_outcome(db: Database, *, officer_id: int, hearing_id: int,
                          outcome: Outcome) -> tuple[Hearing, dict[int, str]]:
    """Record the outcome, mark the hearing held and tell the municipality (and everyone who answered).

    Then each accepted problem is moved with :func:`bot.domain.problems.change_status` (in its own
    transaction, so its followers' notifications fire) to :func:`problem_target_status`. Returns
    the hearing and, per problem id, the status it was moved to or why not (``"unchanged"``,
    ``"gone"``).

    Raises:
        HearingNotFound, NotAnOfficer, HearingElsewhere; HearingCancelled, HearingHeld;
        HearingNotStarted: before the start; DecisionsMissing; TextTooLong: decisions over
        :data:`DECISIONS_MAX`; ParticipantsOutOfRange; UnknownProblems: a problem of another municipality.
    """
    ky = clean_text(outcome.decisions_ky, DECISIONS_MAX)
    ru = clean_text(outcome.decisions_ru, DECISIONS_MAX)
    if not (ky or ru):
        raise DecisionsMissing("decisions")
    if outcome.participants is not None and not 0 <= outcome.participants <= PARTICIPANTS_MAX:
        raise ParticipantsOutOfRange(low=0, high=PARTICIPANTS_MAX, actual=outcome.participants)
    ids = list(dict.fromkeys(int(i) for i in outcome.problem_ids))
    now = clock.now()
    async with db.transaction() as tx:
        _, hearing = await _officer_hearing(tx, officer_id, hearing_id)
        if hearing.status != "scheduled":
            raise closed(hearing.status)
        if hearing.starts > now:
            raise HearingNotStarted()
        bad = [pid for pid in ids if not await visible_problem(tx, pid, hearing.municipality_code)]
        if bad:
            raise UnknownProblems(bad)
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
        notice = notices.outcome(held, await problem_excerpts(tx, ids))
        rsvp = [r[0] for r in await tx.fetchall("SELECT resident_id FROM hearing_rsvps WHERE hearing_id = ?",
                                                (hearing_id,))]
        await enqueue(tx, kind=notice.kind,
                      audience=Audience(municipality_code=hearing.municipality_code, resident_ids=tuple(rsvp)),
                      content=notice, municipality_code=hearing.municipality_code, sender_id=officer_id,
                      dedup_key=f"hearing:{hearing_id}:outcome")
    from bot.domain import problems as pb  # its own transactions and notifications, after ours commits

    target = problem_target_status(held)
    moved: dict[int, str] = {}
    for pid in ids:
        try:
            await pb.change_status(db, officer_id=officer_id, problem_id=pid, status=target, comment=None)
            moved[pid] = target
        except (Unchanged, InvalidInput):  # it already has that status
            moved[pid] = "unchanged"
        except DomainError:  # hidden or merged meanwhile
            moved[pid] = "gone"
            continue
        async with db.transaction() as tx:
            await tx.execute("UPDATE hearing_problems SET new_status = ? WHERE hearing_id = ? AND problem_id = ?",
                             (target if moved[pid] == target else None, hearing_id, pid))
    return held, moved
