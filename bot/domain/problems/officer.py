"""What officers do with the problems of their own municipality: move a problem through the cycle
with a comment, reject it with a reason, merge a duplicate, hide an abusive one, and set how many
"still a problem" answers reopen a solved problem.

Every function checks the officer against the problem's own municipality inside its transaction
(:func:`~bot.domain.problems.queries.check_officer_of`), whatever the handler already checked.
"""

from __future__ import annotations

from dataclasses import replace

from bot.db import Database
from bot.store import Reader
from bot.domain import audit
from bot.domain.clock import now_db
from bot.domain.errors import InvalidInput, NumberOutOfRange
from bot.domain.officers import require_officer
from bot.domain.outbox import Audience, enqueue
from bot.domain.problems import notices
from bot.domain.problems.errors import (
    DuplicateOfItself,
    HiddenLocked,
    MergedLocked,
    ProblemNotFound,
    StatusChanged,
    StatusUnchanged,
    TargetClosed,
    TargetInOtherMunicipality,
    TargetIsDuplicate,
    TargetNotFound,
)
from bot.domain.problems.model import OPEN_STATUSES, STATUSES, THRESHOLD_RANGE, Problem
from bot.domain.problems.queries import check_officer_of, get_problem
from bot.domain.problems.resident import followers
from bot.domain.problems.rules import check_comment
from bot.store import problems as store


async def _officer_problem(tx: Reader, db: Database, officer_id: int, problem_id: int) -> Problem:
    problem = await get_problem(tx, problem_id)
    if problem is None:
        raise ProblemNotFound(problem_id)
    await check_officer_of(db, officer_id, problem)
    if problem.hidden:
        raise HiddenLocked(problem)
    if problem.status == "duplicate":
        raise MergedLocked(problem)
    return problem


async def change_status(
    db: Database, *, officer_id: int, problem_id: int, status: str, comment: str | None = None,
    expected_status: str | None = None,
) -> Problem:
    """An officer moves a problem of their municipality to ``status`` (any of ``CHAIN`` or
    ``rejected``; steps may be skipped or taken back), with an optional comment (a reason is
    required for ``rejected``). The author and supporters are told through the outbox; for
    ``solved`` the notice asks "still a problem?".

    Raises:
        ProblemNotFound: no such problem. NotAnOfficer, ForeignProblem: not an officer of the
            problem's municipality. HiddenLocked, MergedLocked: hidden or merged.
        InvalidInput: unknown status or ``duplicate`` (use :func:`mark_duplicate`).
        StatusUnchanged: the status it already has (an ``InvalidInput`` and an ``Unchanged``).
        ReasonRequired: ``rejected`` without a reason. TextTooLong: a comment over ``COMMENT_MAX``.
        StatusChanged: ``expected_status`` is given (the status the officer saw on the card) and the
            problem has another status now — nothing is changed (two officers, or an old card).
    """
    if status not in STATUSES or status == "duplicate":
        raise InvalidInput("unknown status")
    comment = check_comment(comment, required=status == "rejected")
    now = now_db()
    async with db.transaction() as tx:
        problem = await _officer_problem(tx, db, officer_id, problem_id)
        if expected_status is not None and problem.status != expected_status:
            raise StatusChanged(problem)
        if problem.status == status:
            raise StatusUnchanged(problem_id)
        updated = await store.set_status(tx, problem_id, status, now)
        await store.insert_event(tx, problem_id, actor_id=officer_id, action="status", old_status=problem.status,
                                 new_status=status, comment=comment, at=now)
        await audit.record(tx, audit.Actor.officer(officer_id), "problem.status", audit.Target("problem", problem_id),
                           municipality_code=problem.municipality_code,
                           details={"from": problem.status, "to": status})
        await enqueue(tx, kind="problem_status", audience=Audience.residents(await followers(tx, problem)),
                      content=notices.status_changed(problem, status, comment),
                      municipality_code=problem.municipality_code, sender_id=officer_id)
    return updated


async def _merge_target(tx: Reader, problem: Problem, target_id: int) -> Problem:
    target = await get_problem(tx, target_id)
    if target is None or target.hidden:
        raise TargetNotFound(target_id)
    if target.id == problem.id:
        raise DuplicateOfItself(target_id)
    if target.municipality_code != problem.municipality_code:
        raise TargetInOtherMunicipality(target_id)
    if target.status == "duplicate":
        raise TargetIsDuplicate(target_id)
    if target.status not in OPEN_STATUSES:
        raise TargetClosed(target_id)
    return target


async def duplicate_target(db: Database, *, officer_id: int, problem_id: int, target_id: int) -> tuple[Problem, Problem]:
    """``(problem, target)`` when :func:`mark_duplicate` would merge ``problem_id`` into ``target_id`` now,
    without changing anything: what the officer is asked to confirm (a merge cannot be undone).

    Raises:
        the same errors as :func:`mark_duplicate`, which checks again when it merges.
    """
    problem = await _officer_problem(db, db, officer_id, problem_id)  # reads only: no write transaction
    return problem, await _merge_target(db, problem, target_id)


async def mark_duplicate(
    db: Database, *, officer_id: int, problem_id: int, target_id: int, comment: str | None = None,
) -> Problem:
    """An officer marks a problem as a duplicate of another OPEN problem of the same municipality
    (merging supports into a solved or rejected problem would bury them). Its supports move to the
    target (a resident who supports both counts once); its author and supporters are told.
    Returns the target as it is now.

    Raises:
        ProblemNotFound: no such problem. TargetNotFound: no such target (or it is hidden).
        NotAnOfficer, ForeignProblem: not an officer of the problem's municipality.
        HiddenLocked, MergedLocked: the problem is hidden or already merged.
        DuplicateOfItself, TargetInOtherMunicipality, TargetIsDuplicate, TargetClosed: the target
            cannot take the problem in (all ``InvalidInput``, carrying ``target_id``).
    """
    comment = check_comment(comment, required=False)
    now = now_db()
    async with db.transaction() as tx:
        problem = await _officer_problem(tx, db, officer_id, problem_id)
        target = await _merge_target(tx, problem, target_id)
        audience = await followers(tx, problem)
        moved = await store.move_supports(tx, problem.id, target.id)
        await store.set_duplicate_of(tx, problem.id, target.id, now)
        await store.insert_merge_events(tx, problem_id=problem.id, target_id=target.id, actor_id=officer_id,
                                        old_status=problem.status, comment=comment, moved=moved, at=now)
        await audit.record(tx, audit.Actor.officer(officer_id), "problem.duplicate",
                           audit.Target("problem", problem.id), municipality_code=problem.municipality_code,
                           details={"into": target.id, "supports_moved": moved})
        await enqueue(tx, kind="problem_duplicate", audience=Audience.residents(audience),
                      content=notices.merged(problem, target.id, comment),
                      municipality_code=problem.municipality_code, sender_id=officer_id)
    # read in this transaction; the trigger counted each support moved in, and nothing else changed it
    return replace(target, supports=target.supports + moved)


async def hide_problem(db: Database, *, officer_id: int, problem_id: int, reason: str) -> Problem:
    """An officer hides an abusive problem of their municipality: it stays in the database, leaves
    every list, and its author is told the reason through the outbox.

    Raises:
        ProblemNotFound, NotAnOfficer, ForeignProblem: as :func:`change_status`.
        HiddenLocked: already hidden. ReasonRequired, TextTooLong: no reason, or over ``COMMENT_MAX``.
    """
    checked = check_comment(reason, required=True) or ""
    now = now_db()
    async with db.transaction() as tx:
        problem = await get_problem(tx, problem_id)
        if problem is None:
            raise ProblemNotFound(problem_id)
        await check_officer_of(db, officer_id, problem)
        if problem.hidden:
            raise HiddenLocked(problem)
        updated = await store.set_hidden(tx, problem_id, checked, now)
        await store.insert_event(tx, problem_id, actor_id=officer_id, action="hidden", old_status=problem.status,
                                 new_status=problem.status, comment=checked, at=now)
        await audit.record(tx, audit.Actor.officer(officer_id), "problem.hide", audit.Target("problem", problem_id),
                           municipality_code=problem.municipality_code)
        await enqueue(tx, kind="problem_hidden", audience=Audience.residents([problem.author_id]),
                      content=notices.hidden(problem, checked), municipality_code=problem.municipality_code,
                      sender_id=officer_id)
    return updated


async def set_reopen_threshold(db: Database, *, officer_id: int, value: int | None) -> int:
    """An officer sets how many "still a problem" answers reopen a solved problem in their
    municipality (``value`` ``None``: what they typed was not a number).

    Raises:
        NotAnOfficer: not an officer. NumberOutOfRange: ``value`` outside :data:`THRESHOLD_RANGE`.
    """
    low, high = THRESHOLD_RANGE
    if value is None or not low <= value <= high:
        raise NumberOutOfRange(low=low, high=high, actual=value)
    async with db.transaction() as tx:
        officer = await require_officer(db, officer_id)
        await store.set_reopen_threshold_of(tx, officer.municipality_code, value, by=officer_id, at=now_db())
        await audit.record(tx, audit.Actor.officer(officer_id), "problem.threshold", audit.Target("municipality"),
                           municipality_code=officer.municipality_code, details={"value": value})
    return value
