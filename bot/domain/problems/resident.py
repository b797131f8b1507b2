"""What residents do with problems: raise one, support or withdraw, answer "still a problem?"."""

from __future__ import annotations

from dataclasses import replace

from bot.db import Database, Transaction
from bot.domain.clock import now_db
from bot.domain.errors import InvalidInput
from bot.domain.outbox import Audience, enqueue
from bot.domain.problems import notices
from bot.domain.problems.errors import (
    AlreadyPublished,
    NoLongerSolved,
    NoMunicipality,
    NotASupporter,
    NotYourMunicipality,
    ProblemClosed,
    ProblemHidden,
    ProblemMerged,
    ProblemNotFound,
)
from bot.domain.problems.model import CATEGORIES, OPEN_STATUSES, Problem, StillResult, SupportResult
from bot.domain.problems.queries import get_problem, reopen_threshold
from bot.domain.problems.rules import check_location, check_photos, check_text, search_stems
from bot.store import Reader
from bot.store import problems as store


async def followers(tx: Reader, problem: Problem) -> list[int]:
    """The author, then every supporter (the author too, once more: ``Audience`` drops repeats)."""
    return [problem.author_id, *await store.supporters_of(tx, problem.id)]


async def raise_problem(
    db: Database,
    *,
    author_id: int,
    category: str,
    text: str | None = None,
    voice_file_id: str | None = None,
    voice_duration: int | None = None,
    photos: list[str] | tuple[str, ...] = (),
    latitude: float | None = None,
    longitude: float | None = None,
    text_min: int = 10,
    text_max: int = 2000,
    draft_token: str | None = None,
) -> Problem:
    """A resident raises a problem in their own municipality; they support it from the start.

    Give ``text`` or ``voice_file_id`` (a voice message instead of text; a text given along is
    kept too). Returns the stored problem.

    Raises:
        InvalidInput: unknown category, a location out of range.
        TextTooShort, TextTooLong: text out of ``text_min..text_max`` (or neither text nor voice).
        TooManyPhotos: more than ``MAX_PHOTOS``.
        NoMunicipality: the author has not chosen a municipality.
        AlreadyPublished: a problem of this author with this ``draft_token`` exists (a second tap
            on "Publish", possibly racing the first: checked inside the serialized write
            transaction, and ``UNIQUE (author_id, draft_token)`` backs it up).
    """
    if category not in CATEGORIES:
        raise InvalidInput("unknown category")
    cleaned = check_text(text, text_min=text_min, text_max=text_max) if (text or not voice_file_id) else None
    check_photos(photos)
    check_location(latitude, longitude)
    now = now_db()
    async with db.transaction() as tx:
        code = await store.resident_municipality(tx, author_id)
        if code is None:
            raise NoMunicipality("no municipality chosen")
        if draft_token is not None:
            existing = await store.problem_id_by_draft(tx, author_id, draft_token)
            if existing is not None:
                raise AlreadyPublished(existing)
        problem = await store.insert_problem(
            tx, municipality_code=code, author_id=author_id, category=category, text=cleaned,
            search_key=" ".join(search_stems(cleaned or "")), voice_file_id=voice_file_id,
            voice_duration=voice_duration, photos=photos, latitude=latitude, longitude=longitude,
            draft_token=draft_token, at=now)
        added = await store.add_support(tx, problem.id, author_id, now)
        await store.insert_event(tx, problem.id, actor_id=author_id, action="created", new_status="new", at=now)
        from bot.domain.reach import alerts  # the municipality's officers are alerted (issue 14)

        await alerts.raise_alert(tx, municipality_code=code, kind=alerts.PROBLEM_NEW,
                                 notice=alerts.problem_new_notice(problem), summary=alerts.problem_summary(problem))
    # the problem as inserted, plus the author's support the trigger counted
    return replace(problem, supports=problem.supports + int(added))


async def _supportable(tx: Transaction, problem_id: int, resident_id: int, *, withdrawing: bool) -> Problem:
    problem = await get_problem(tx, problem_id)
    if problem is None:
        raise ProblemNotFound(problem_id)
    if problem.hidden:
        raise ProblemHidden(problem)
    if problem.status == "duplicate":
        raise ProblemMerged(problem)
    if not withdrawing and problem.status not in OPEN_STATUSES:
        raise ProblemClosed(problem)
    if await store.resident_municipality(tx, resident_id) != problem.municipality_code:
        raise NotYourMunicipality("problem of another municipality")
    return problem


async def support(db: Database, *, problem_id: int, resident_id: int) -> SupportResult:
    """Support a problem of one's own municipality. A repeated support changes nothing
    (``changed=False``): the primary key of ``problem_supports`` makes it count once.

    Raises:
        ProblemNotFound: no such problem. ProblemHidden, ProblemMerged, ProblemClosed: hidden,
            merged into another, solved or rejected.
        NotYourMunicipality: the problem belongs to another municipality than the resident's.
    """
    async def unit(tx: Transaction) -> tuple[Problem, bool]:
        problem = await _supportable(tx, problem_id, resident_id, withdrawing=False)
        return problem, await store.add_support(tx, problem_id, resident_id, now_db())

    problem, changed = await db.unit(unit)  # one round trip: the busiest write of a hearing's eve
    # read in this transaction; the trigger moved ``supports`` by the one row added, if any
    return SupportResult(replace(problem, supports=problem.supports + int(changed)), True, changed)


async def withdraw(db: Database, *, problem_id: int, resident_id: int) -> SupportResult:
    """Withdraw one's support (also from a solved or rejected problem). Repeating changes nothing.

    Raises:
        ProblemNotFound, ProblemHidden, ProblemMerged, NotYourMunicipality: as :func:`support`.
    """
    async def unit(tx: Transaction) -> tuple[Problem, bool]:
        problem = await _supportable(tx, problem_id, resident_id, withdrawing=True)
        return problem, await store.remove_support(tx, problem_id, resident_id)

    problem, changed = await db.unit(unit)
    return SupportResult(replace(problem, supports=problem.supports - int(changed)), False, changed)


async def answer_still(db: Database, *, problem_id: int, resident_id: int, still: bool, default_threshold: int) -> StillResult:
    """A supporter answers "still a problem?" about a problem marked solved (one answer per person
    per solved status; a new answer replaces the old one). When the "still" answers reach the
    municipality's threshold, the problem goes back to ``under_review`` (event ``reopened``, actor
    ``None``) and the municipality's officers, the author and the supporters are told through the
    outbox, in the same transaction.

    Raises:
        ProblemNotFound: no such problem. ProblemHidden, ProblemMerged: hidden or merged.
        NoLongerSolved: no longer marked solved. NotASupporter: neither raised nor supports it.
    """
    now = now_db()
    async with db.transaction() as tx:
        problem = await get_problem(tx, problem_id)
        if problem is None:
            raise ProblemNotFound(problem_id)
        if problem.hidden:
            raise ProblemHidden(problem)
        if problem.status == "duplicate":
            raise ProblemMerged(problem)
        if problem.status != "solved":
            raise NoLongerSolved(problem)
        involved = problem.author_id == resident_id or await store.is_supporter(tx, problem_id, resident_id)
        if not involved:
            raise NotASupporter("not a supporter")
        solved_event = await store.last_solved_event(tx, problem_id)
        await store.record_still_answer(tx, problem_id, solved_event, resident_id, still, now)
        count = await store.count_still(tx, problem_id, solved_event)
        threshold = await reopen_threshold(tx, problem.municipality_code, default_threshold)
        reopened = still and count >= threshold
        if reopened:
            problem = await _reopen(tx, problem, count, now)
    return StillResult(problem, count, threshold, reopened)


async def _reopen(tx: Transaction, problem: Problem, count: int, now: str) -> Problem:
    """Back to ``under_review`` (event ``reopened`` by the system), everyone told; the problem now."""
    reopened = await store.set_status(tx, problem.id, "under_review", now)
    await store.insert_event(tx, problem.id, actor_id=None, action="reopened", old_status="solved",
                             new_status="under_review", at=now)
    officers = await store.officers_in(tx, problem.municipality_code)
    if officers:  # as each officer chose (bot.domain.reach.alerts): at once, in the digest, or not
        from bot.domain.reach import alerts

        await alerts.raise_alert(tx, municipality_code=problem.municipality_code, kind=alerts.PROBLEM_REOPENED,
                                 notice=notices.reopened_for_officers(problem, count),
                                 summary=alerts.problem_summary(problem), broadcast_kind="problem_reopened")
    # the author and supporters learn it too (issue #4, item 3); officers got their own text
    residents = [r for r in await followers(tx, problem) if r not in set(officers)]
    if residents:
        await enqueue(tx, kind="problem_reopened", audience=Audience.residents(residents),
                      content=notices.reopened_for_residents(problem, count),
                      municipality_code=problem.municipality_code)
    return reopened
