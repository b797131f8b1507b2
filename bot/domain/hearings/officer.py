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

from bot.db import Database
from bot.domain import audit
from bot.domain.clock import clock, from_db, now_db, to_db
from bot.domain.errors import BadDateTime, DomainError, InvalidInput, NotFound, Unchanged
from bot.domain.hearings import notices
from bot.domain.hearings.errors import (
    AgendaMissing,
    HearingElsewhere,
    HearingNotFound,
    HearingNotStarted,
    HearingStarted,
    SurveyNotLinkable,
    UnknownProblems,
    closed,
)
from bot.domain.hearings.jobs import plan_reminders
from bot.domain.hearings.model import (
    AGENDA_MAX,
    MAX_AHEAD,
    PLACE_MAX,
    REASON_MAX,
    Attendance,
    Draft,
    Hearing,
    Outcome,
    Question,
)
from bot.domain.hearings.rules import (
    check_notice_days,
    check_start_at,
    clean_text,
    hall_name,
    problem_target_status,
    validate_draft,
    validate_outcome,
)
from bot.domain.hearings.queries import get_hearing, linked_surveys, notice_days, problem_excerpts, visible_problem
from bot.domain.officers import Officer, require_officer
from bot.domain.outbox import Audience, enqueue
from bot.store import Reader
from bot.store import hearings as store


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
    return await store.recent_in(db, officer.municipality_code, limit)


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
            if not await store.municipality_exists(tx, municipality_code):
                raise NotFound("municipality")
            code = municipality_code
        else:
            code = (await require_officer(db, officer_id)).municipality_code
        old = await notice_days(tx, code)
        await store.save_notice_days(tx, code, old=old, new=days, changed_by=officer_id, as_superadmin=superadmin,
                                     now=now_db())
        await audit.record(tx, audit.Actor(officer_id, "superadmin" if superadmin else "officer"),
                           "hearing.notice_days", audit.Target("municipality"), municipality_code=code,
                           details={"from": old, "to": days})
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
    async with db.transaction() as tx:
        officer = await require_officer(db, officer_id)
        code = officer.municipality_code
        await check_start(tx, code, starts)
        if draft.survey_id is not None and not await store.survey_linkable(tx, draft.survey_id, code):
            raise SurveyNotLinkable("survey")
        hearing = await store.insert_hearing(tx, draft, municipality_code=code, starts_at=to_db(starts),
                                             created_by=officer_id, now=now_db())
        await plan_reminders(tx, hearing.id, starts)
        await audit.record(tx, audit.Actor.officer(officer_id), "hearing.create", audit.Target("hearing", hearing.id),
                           municipality_code=code, details={"topic": draft.topic, "starts_at": to_db(starts)})
        notice = notices.announcement(hearing, await linked_surveys(tx, hearing))
        broadcast_id = await enqueue(tx, kind=notice.kind, audience=Audience.municipality(code), content=notice,
                                     municipality_code=code, sender_id=officer_id,
                                     dedup_key=f"hearing:{hearing.id}:announce")
        from bot.domain.reach.posts import post_to_public  # also to the linked channel and village groups

        await post_to_public(tx, code, notice, target=f"h{hearing.id}")
        return await store.set_announcement(tx, hearing.id, broadcast_id)


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
        updated = await store.update_hearing(tx, hearing_id, sets, to_db(now))
        await audit.record(tx, audit.Actor.officer(officer_id), "hearing.edit", audit.Target("hearing", hearing_id),
                           municipality_code=hearing.municipality_code, details={"changed": changed})
        if starts_at is not None and "time" in changed:
            await plan_reminders(tx, hearing_id, starts_at, hearing.starts)
        notice = notices.changed(updated, tuple(changed), await linked_surveys(tx, updated))
        told = await store.told_of(tx, hearing_id, hearing.announcement_id)
        await enqueue(tx, kind=notice.kind, audience=Audience.residents(told), content=notice,
                      municipality_code=hearing.municipality_code, sender_id=officer_id,
                      dedup_key=f"hearing:{hearing_id}:change:{updated.revision}")
    return updated, tuple(changed)


async def change_total(db: Database, hearing: Hearing) -> int:
    """How many residents are told of the hearing's latest change (:func:`edit_hearing`)."""
    return await store.broadcast_total_by_key(db, f"hearing:{hearing.id}:change:{hearing.revision}")


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
        updated = await store.cancel(tx, hearing_id, reason or None, now_db())
        assert updated is not None  # scheduled, and the write lock is ours
        await audit.record(tx, audit.Actor.officer(officer_id), "hearing.cancel", audit.Target("hearing", hearing_id),
                           municipality_code=hearing.municipality_code)
        notice = notices.cancelled(hearing, reason)
        told = await store.told_of(tx, hearing_id, hearing.announcement_id)
        await enqueue(tx, kind=notice.kind, audience=Audience.residents(told), content=notice,
                      municipality_code=hearing.municipality_code, sender_id=officer_id)
    return updated


async def attendance(db: Database, *, officer_id: int, hearing_id: int) -> tuple[Hearing, Attendance]:
    """RSVP counts and the hall list (names only of consenting residents who are coming).

    Raises:
        HearingNotFound, NotAnOfficer, HearingElsewhere.
    """
    hearing = await hearing_for_officer(db, officer_id=officer_id, hearing_id=hearing_id)
    counts = await store.rsvp_counts(db, hearing_id)
    names = [hall_name(r["first_name"], r["last_name"], r["username"], r["telegram_id"])
             for r in await store.hall_list(db, hearing_id)]
    count = await store.question_count(db, hearing_id)
    return hearing, Attendance(counts.get("going", 0), counts.get("not_going", 0), counts.get("remind", 0),
                               tuple(sorted(names, key=str.casefold)), count)


async def questions(db: Database, *, officer_id: int, hearing_id: int) -> tuple[Hearing, list[Question]]:
    """The residents' questions for the hearing, oldest first (no author is shown).

    Raises:
        HearingNotFound, NotAnOfficer, HearingElsewhere.
    """
    hearing = await hearing_for_officer(db, officer_id=officer_id, hearing_id=hearing_id)
    return hearing, await store.questions_of(db, hearing_id)


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
    outcome = validate_outcome(outcome)
    ids = outcome.problem_ids
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
        held = await store.mark_held(tx, hearing_id, outcome, to_db(now))
        assert held is not None  # scheduled, and the write lock is ours
        await audit.record(tx, audit.Actor.officer(officer_id), "hearing.outcome", audit.Target("hearing", hearing_id),
                           municipality_code=hearing.municipality_code,
                           details={"participants": outcome.participants, "problems": list(ids)})
        await store.skip_unsent_reminders(tx, hearing_id, to_db(now))
        notice = notices.outcome(held, await problem_excerpts(tx, ids))
        rsvp = await store.rsvp_residents(tx, hearing_id)
        await enqueue(tx, kind=notice.kind,
                      audience=Audience(municipality_code=hearing.municipality_code, resident_ids=tuple(rsvp)),
                      content=notice, municipality_code=hearing.municipality_code, sender_id=officer_id,
                      dedup_key=f"hearing:{hearing_id}:outcome")
        from bot.domain.reach.posts import post_to_public  # also to the linked channel and village groups

        await post_to_public(tx, hearing.municipality_code, notice, target=f"h{hearing_id}")
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
            await store.set_problem_outcome(tx, hearing_id, pid, target if moved[pid] == target else None)
    return held, moved
