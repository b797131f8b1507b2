"""Reading surveys: lists, a resident's own choice, counts (trigger-kept and recounted), linked
hearings and the municipality's top problems as options.

Secrecy: who voted for what is never returned here except to the voter themselves
(:func:`my_choice`); counts only otherwise.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.db import Database, Transaction
from bot.domain import problems
from bot.domain.clock import clock, from_db, to_db
from bot.domain.surveys.errors import SurveyNotFound
from bot.domain.surveys.model import MAX_OPTIONS, OPTION_MAX, HearingRef, Option, Survey, Tally
from bot.domain.text import clean_user_text

Reader = Database | Transaction


def survey_of(row: Any, options: list[Option] | tuple[Option, ...] = ()) -> Survey:
    """A :class:`Survey` from a ``surveys`` row."""
    return Survey(
        id=row["id"], municipality_code=row["municipality_code"], question_ky=row["question_ky"],
        question_ru=row["question_ru"], max_choices=row["max_choices"], opens_at=from_db(row["opens_at"]),
        closes_at=from_db(row["closes_at"]), hearing_id=row["hearing_id"], verified_only=bool(row["verified_only"]),
        status=row["status"], ballots=row["ballots"], recent_ballots=row["recent_ballots"],
        created_by=row["created_by"], closed_at=from_db(row["closed_at"]) if row["closed_at"] else None,
        options=tuple(options),
    )


async def options_of(reader: Reader, survey_id: int) -> list[Option]:
    """The options of a survey in position order."""
    rows = await reader.fetchall(
        "SELECT position, text_ky, text_ru, votes, problem_id FROM survey_options WHERE survey_id = ? ORDER BY position",
        (survey_id,),
    )
    return [Option(r["position"], r["text_ky"], r["text_ru"], r["votes"], r["problem_id"]) for r in rows]


async def get_survey(db: Reader, survey_id: int) -> Survey | None:
    """The survey with its options, or ``None``."""
    row = await db.fetchone("SELECT * FROM surveys WHERE id = ?", (survey_id,))
    if row is None:
        return None
    return survey_of(row, await options_of(db, survey_id))


async def require_survey(db: Reader, survey_id: int) -> Survey:
    """The survey with its options.

    Raises:
        SurveyNotFound: no such survey.
    """
    survey = await get_survey(db, survey_id)
    if survey is None:
        raise SurveyNotFound(survey_id)
    return survey


async def list_open_surveys(db: Database, municipality_code: str, now: datetime | None = None) -> list[Survey]:
    """Surveys of a municipality taking votes now, closing soonest first."""
    now_s = to_db(now or clock.now())
    rows = await db.fetchall(
        "SELECT * FROM surveys WHERE municipality_code = ? AND status IN ('scheduled', 'open')"
        " AND opens_at <= ? AND closes_at > ? ORDER BY closes_at, id",
        (municipality_code, now_s, now_s),
    )
    return [survey_of(r, await options_of(db, r["id"])) for r in rows]


async def list_recent_closed(db: Database, municipality_code: str, limit: int = 5) -> list[Survey]:
    """The latest closed surveys of a municipality (for "results"), newest first."""
    now_s = to_db(clock.now())
    rows = await db.fetchall(
        "SELECT * FROM surveys WHERE municipality_code = ? AND (status = 'closed'"
        " OR (status IN ('scheduled', 'open') AND closes_at <= ?)) ORDER BY closes_at DESC LIMIT ?",
        (municipality_code, now_s, limit),
    )
    return [survey_of(r, await options_of(db, r["id"])) for r in rows]


async def my_choice(db: Database, resident_id: int, survey_id: int) -> frozenset[int]:
    """The option positions this resident chose (shown to them alone), empty if they have not voted."""
    rows = await db.fetchall(
        "SELECT position FROM survey_votes WHERE survey_id = ? AND resident_id = ?", (survey_id, resident_id)
    )
    return frozenset(r[0] for r in rows)


async def tally(db: Reader, survey_id: int) -> Tally:
    """Counts from the trigger-kept counters (migration 0004): reads ≤ 11 rows whatever the turnout.

    Raises:
        SurveyNotFound: no such survey.
    """
    row = await db.fetchone("SELECT ballots, recent_ballots FROM surveys WHERE id = ?", (survey_id,))
    if row is None:
        raise SurveyNotFound(survey_id)
    rows = await db.fetchall("SELECT position, votes FROM survey_options WHERE survey_id = ?", (survey_id,))
    return Tally(ballots=row["ballots"], votes={r[0]: r[1] for r in rows}, recent=row["recent_ballots"])


async def recount(db: Database, survey_id: int) -> Tally:
    """Counts straight from the ballots with ``COUNT … GROUP BY`` (covering indexes); checks :func:`tally`."""
    ballots = await db.fetchval("SELECT count(*) FROM survey_ballots WHERE survey_id = ?", (survey_id,))
    recent = await db.fetchval(
        "SELECT count(*) FROM survey_ballots WHERE survey_id = ? AND recent_joiner = 1", (survey_id,))
    rows = await db.fetchall(
        "SELECT position, count(*) FROM survey_votes WHERE survey_id = ? GROUP BY position", (survey_id,))
    votes = {r[0]: r[1] for r in rows}
    for position in await db.fetchall("SELECT position FROM survey_options WHERE survey_id = ?", (survey_id,)):
        votes.setdefault(position[0], 0)
    return Tally(ballots=int(ballots), votes=votes, recent=int(recent))


# -- the municipality's top problems as options -----------------------------------------------------


async def priority_problem_options(db: Database, municipality_code: str,
                                   limit: int = MAX_OPTIONS) -> list[list[Any]]:
    """Options ``[text, text, problem_id]`` from the municipality's top open problems by supports
    (:func:`bot.domain.problems.ranked_page`). A problem's text is shown in both languages as its author
    wrote it, cut to :data:`OPTION_MAX`; voice-only problems (no text) are left out."""
    found, _total = await problems.ranked_page(db, municipality_code, page=0, size=limit)
    options = []
    for problem in found:
        text = clean_user_text(problem.text or "").replace("\n", " ")
        if len(text) > OPTION_MAX:
            text = text[: OPTION_MAX - 1].rstrip() + "…"
        if text:
            options.append([text, text, problem.id])
    return options


# -- hearings (optional link) ----------------------------------------------------------------------


async def upcoming_hearings(db: Reader, municipality_code: str, now: datetime | None = None,
                            limit: int = 5) -> list[HearingRef]:
    """Scheduled hearings of the municipality that have not started, soonest first."""
    rows = await db.fetchall(
        "SELECT id, title_ky, title_ru, starts_at FROM hearings WHERE municipality_code = ?"
        " AND status = 'scheduled' AND starts_at > ? ORDER BY starts_at LIMIT ?",
        (municipality_code, to_db(now or clock.now()), limit))
    return [HearingRef(r["id"], r["title_ky"], r["title_ru"], from_db(r["starts_at"])) for r in rows]


async def get_hearing_ref(db: Reader, hearing_id: int | None, municipality_code: str) -> HearingRef | None:
    """The linked hearing if it exists in that municipality (any status), else ``None``."""
    if not hearing_id:
        return None
    row = await db.fetchone("SELECT id, title_ky, title_ru, starts_at FROM hearings WHERE id = ?"
                            " AND municipality_code = ?", (hearing_id, municipality_code))
    return None if row is None else HearingRef(row["id"], row["title_ky"], row["title_ru"], from_db(row["starts_at"]))
