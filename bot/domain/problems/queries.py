"""Reading problems: one problem, ranked and personal lists, similar problems, history, the
officer's queue and export, and what a person may see of a problem."""

from __future__ import annotations

import logging

from bot.db import Database
from bot.domain import audit
from bot.domain.errors import WrongMunicipality
from bot.domain.officers import get_officer, require_officer
from bot.domain.problems.errors import ForeignProblem, NotReadable, ProblemHidden, ProblemNotFound
from bot.domain.problems.model import STATUSES, CardView, Problem, ProblemEvent
from bot.domain.problems.rules import search_stems
from bot.store import Reader
from bot.store import problems as store

log = logging.getLogger(__name__)


def _clamp(page: int, total: int, size: int) -> int:
    pages = max(1, -(-total // size))
    return min(max(page, 0), pages - 1)


async def get_problem(db: Reader, problem_id: int) -> Problem | None:
    """The problem with this id (hidden ones too), or ``None``."""
    return await store.problem_by_id(db, problem_id)


async def is_supporting(db: Reader, problem_id: int, resident_id: int) -> bool:
    """Whether the resident supports the problem."""
    return await store.is_supporter(db, problem_id, resident_id)


async def open_count(db: Database, municipality_code: str) -> int:
    """Open (listed) problems of the municipality."""
    return await store.count_open_in(db, municipality_code)


async def ranked_page(db: Database, municipality_code: str, *, page: int = 0, size: int = 5) -> tuple[list[Problem], int]:
    """One page of the municipality's open problems, most supported first, newer first on ties
    (higher id = newer). Returns ``(problems, total open problems)``; ``page`` is 0-based and
    clamped into range. Uses the partial index ``problems_ranked``."""
    total = await store.count_open_in(db, municipality_code)
    page = _clamp(page, total, size)
    return await store.open_ranked(db, municipality_code, limit=size, offset=page * size), total


async def my_problems(db: Database, resident_id: int, *, page: int = 0, size: int = 5) -> tuple[list[Problem], int]:
    """Problems the resident raised (any status, not hidden), newest first; ``(page, total)``."""
    total = await store.count_by_author(db, resident_id)
    page = _clamp(page, total, size)
    return await store.by_author(db, resident_id, limit=size, offset=page * size), total


async def supported_problems(db: Database, resident_id: int, *, page: int = 0, size: int = 5) -> tuple[list[Problem], int]:
    """Problems of others the resident supports (not hidden), newest first; ``(page, total)``."""
    total = await store.count_supported_by(db, resident_id)
    page = _clamp(page, total, size)
    return await store.supported_by(db, resident_id, limit=size, offset=page * size), total


async def supports_in(db: Database, resident_id: int, municipality_code: str) -> int:
    """How many problems of others (not hidden) of ``municipality_code`` the resident supports: those
    supports stay and keep counting when the resident moves to another municipality."""
    return await store.count_supported_in(db, resident_id, municipality_code)


async def similar_problems(
    db: Database, municipality_code: str, category: str, text: str | None, *, limit: int = 3, scan: int = 500,
) -> list[Problem]:
    """Up to ``limit`` open problems of the municipality that share folded word stems with ``text``
    (:func:`search_stems`), in ANY category — villagers often file the same problem under "Other"
    (issue 12) — most shared stems first, then the same ``category`` first, then most supported.
    With no text (a voice problem) the most supported of the category are returned.
    Only the ``scan`` most supported open problems of the municipality are compared."""
    if not text:
        return [problem for problem, _stems in (await store.open_in_category(db, municipality_code, category, limit))]
    candidates = await store.open_in_municipality(db, municipality_code, scan)
    wanted = set(search_stems(text))
    scored = []
    for position, (problem, stems) in enumerate(candidates):
        shared = len(wanted & set(stems))
        if shared:
            scored.append((-shared, problem.category != category, position, problem))
    scored.sort(key=lambda item: item[:3])
    return [problem for *_, problem in scored[:limit]]


async def history(db: Reader, problem_id: int) -> list[ProblemEvent]:
    """The problem's events, oldest first."""
    return await store.events_of(db, problem_id)


async def still_count(db: Reader, problem: Problem) -> int:
    """How many residents answered "still a problem" since ``problem`` was last marked solved; 0 when
    it is not marked solved now (a reopened problem starts over at its next solved status)."""
    if problem.status != "solved":
        return 0
    return await store.count_still(db, problem.id, await store.last_solved_event(db, problem.id))


async def reopen_threshold(db: Reader, municipality_code: str, default: int) -> int:
    """"Still a problem" answers needed to reopen a solved problem in this municipality
    (``problem_settings``, else ``default`` from ``PROBLEM_REOPEN_THRESHOLD``)."""
    value = await store.reopen_threshold_of(db, municipality_code)
    return value if value is not None else default


async def may_read(db: Database, problem: Problem, *, reader_id: int, reader_municipality: str | None) -> bool:
    """Problems are read in their own municipality: by its residents and officers, and by the
    people involved (author, supporters — e.g. after moving, from a notification's button)."""
    if problem.municipality_code == reader_municipality or problem.author_id == reader_id:
        return True
    officer = await get_officer(db, reader_id)
    if officer is not None and officer.municipality_code == problem.municipality_code:
        return True
    return await is_supporting(db, problem.id, reader_id)


async def readable_problem(db: Database, problem_id: int, *, reader_id: int, reader_municipality: str | None,
                           hidden_ok: bool = False) -> Problem:
    """The problem a person opens (a card, its photos, voice, map or full text).

    ``hidden_ok``: an officer of the problem's municipality still sees a hidden problem's media.

    Raises:
        ProblemNotFound: no such problem. ProblemHidden: hidden (and the reader is not its officer).
        NotReadable: another municipality's problem the reader has nothing to do with (logged: a
            crafted ``pb:open:<id>``).
    """
    problem = await get_problem(db, problem_id)
    if problem is None:
        raise ProblemNotFound(problem_id)
    officer = await get_officer(db, reader_id)
    own_officer = officer is not None and officer.municipality_code == problem.municipality_code
    if hidden_ok and own_officer:
        return problem
    if problem.hidden:
        raise ProblemHidden(problem)
    if not await may_read(db, problem, reader_id=reader_id, reader_municipality=reader_municipality):
        log.warning("problem %s of another municipality refused to %s", problem_id, reader_id)
        raise NotReadable("problem of another municipality")
    return problem


async def card_view(db: Database, problem: Problem, *, reader_id: int, reader_municipality: str | None) -> CardView:
    """What the reader's card of ``problem`` shows besides the problem itself."""
    officer = await get_officer(db, reader_id)
    return CardView(
        problem=problem,
        events=await history(db, problem.id),
        supporting=await is_supporting(db, problem.id, reader_id),
        can_support=problem.is_open and problem.municipality_code == reader_municipality,
        is_officer=officer is not None and officer.municipality_code == problem.municipality_code,
    )


async def officer_queue(db: Database, officer_id: int, *, page: int = 0, size: int = 5,
                        status: str = "new") -> tuple[list[Problem], int]:
    """Problems of the officer's municipality with ``status`` (default ``new``, oldest first; any other
    status of :data:`STATUSES`, solved and rejected included, the latest first, so a mistake can be
    found and undone); ``(page, total)``. An unknown ``status`` lists the new ones.

    Raises:
        NotAnOfficer: not an officer.
    """
    officer = await require_officer(db, officer_id)
    code = officer.municipality_code
    status = status if status in STATUSES else "new"
    total = await store.count_new_in(db, code, status)
    page = _clamp(page, total, size)
    return await store.new_in(db, code, limit=size, offset=page * size, status=status), total


async def check_officer_of(db: Database, officer_id: int, problem: Problem) -> None:
    """Raises :class:`ForeignProblem` (logged as a warning: a crafted button) when the officer
    acts for another municipality than the problem's, or ``NotAnOfficer``."""
    try:
        await require_officer(db, officer_id, problem.municipality_code)
    except WrongMunicipality:
        log.warning("officer action on problem %s refused to %s: not their municipality", problem.id, officer_id)
        raise ForeignProblem(problem.id) from None


async def problem_for_officer(db: Database, officer_id: int, problem_id: int) -> Problem:
    """The problem, if it belongs to the officer's municipality.

    Raises:
        ProblemNotFound: no such problem. NotAnOfficer: not an officer.
        ForeignProblem: another municipality's problem.
    """
    problem = await get_problem(db, problem_id)
    if problem is None:
        raise ProblemNotFound(problem_id)
    await check_officer_of(db, officer_id, problem)
    return problem


async def ranked_for_export(db: Database, officer_id: int) -> tuple[str, list[Problem]]:
    """All open problems of the officer's municipality in ranked order, for the hearing.
    Returns ``(municipality_code, problems)``.

    The export is an officer action: it leaves one audit entry (``problem.export``).

    Raises:
        NotAnOfficer: not an officer.
    """
    officer = await require_officer(db, officer_id)
    await audit.record_alone(db, audit.Actor.officer(officer_id), "problem.export", audit.Target("municipality"),
                             municipality_code=officer.municipality_code)
    return officer.municipality_code, await store.open_ranked(db, officer.municipality_code)
