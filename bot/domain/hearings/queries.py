"""Public hearings: reading hearings, notice periods, linkable surveys and totals (the SQL is
:mod:`bot.store.hearings`; here the defaults and fallbacks)."""

from __future__ import annotations

from datetime import datetime

from bot.db import Database
from bot.domain.clock import clock, to_db
from bot.domain.hearings.model import DEFAULT_NOTICE_DAYS, Hearing, SurveyChoice
from bot.store import Reader
from bot.store import hearings as store


async def get_hearing(db: Reader, hearing_id: int) -> Hearing | None:
    """The hearing with its accepted problem ids, or ``None``."""
    return await store.hearing_by_id(db, hearing_id)


async def notice_days(db: Reader, municipality_code: str) -> int:
    """The municipality's minimum notice period in days (default :data:`DEFAULT_NOTICE_DAYS`)."""
    days = await store.min_notice_days(db, municipality_code)
    return DEFAULT_NOTICE_DAYS if days is None else days


async def list_upcoming(db: Database, municipality_code: str, now: datetime | None = None,
                        limit: int = 10) -> list[Hearing]:
    """Scheduled hearings of a municipality that have not begun, soonest first."""
    return await store.upcoming_in(db, municipality_code, to_db(now or clock.now()), limit)


async def list_past(db: Database, municipality_code: str, now: datetime | None = None,
                    limit: int = 10) -> list[Hearing]:
    """Held hearings and those whose start passed (cancelled ones excluded), newest first."""
    return await store.past_in(db, municipality_code, to_db(now or clock.now()), limit)


async def linked_surveys(db: Reader, hearing: Hearing) -> list[SurveyChoice]:
    """Every survey linked to the hearing, oldest first: the one chosen when it was announced and
    those whose officer named this hearing when creating them (deleted ones and other
    municipalities' left out). A draft (id 0) has only its chosen survey."""
    return await store.surveys_of_hearing(db, hearing.id or -1, hearing.survey_id, hearing.municipality_code)


async def linkable_surveys(db: Reader, municipality_code: str, limit: int = 8) -> list[SurveyChoice]:
    """Open or scheduled surveys of the municipality a new hearing may link to, newest first."""
    return await store.linkable_surveys_in(db, municipality_code, limit)


async def broadcast_total(db: Reader, broadcast_id: int | None) -> int:
    """How many residents a queued broadcast goes to (0 when unknown)."""
    return 0 if broadcast_id is None else await store.broadcast_total(db, broadcast_id)


async def problem_excerpts(db: Reader, ids: tuple[int, ...] | list[int]) -> dict[int, str | None]:
    """The text of each accepted problem, through the problems domain: ``None`` for a problem told
    only in a voice message (the UI names it), ``""`` for one that no longer exists."""
    from bot.domain import problems as pb  # imported here: problems imports much; hearings need one reader

    texts: dict[int, str | None] = {}
    for pid in ids:
        problem = await pb.get_problem(db, pid)
        texts[pid] = "" if problem is None else (problem.text or None)
    return texts


async def visible_problem(db: Reader, problem_id: int, municipality_code: str) -> bool:
    """Whether ``problem_id`` is a visible (not hidden) problem of ``municipality_code``."""
    from bot.domain import problems as pb

    problem = await pb.get_problem(db, problem_id)
    return problem is not None and problem.municipality_code == municipality_code and not problem.hidden
