"""Public hearings: reading what is stored (hearings, notice periods, linkable surveys, totals)."""

from __future__ import annotations

from datetime import datetime

from bot.db import Database, Transaction
from bot.domain.clock import clock, to_db
from bot.domain.hearings.model import DEFAULT_NOTICE_DAYS, Hearing, SurveyChoice, hearing_from_row, pick

Reader = Database | Transaction


async def get_hearing(db: Reader, hearing_id: int) -> Hearing | None:
    """The hearing with its accepted problem ids, or ``None``."""
    row = await db.fetchone("SELECT * FROM hearings WHERE id = ?", (hearing_id,))
    if row is None:
        return None
    ids = tuple(r[0] for r in await db.fetchall(
        "SELECT problem_id FROM hearing_problems WHERE hearing_id = ? ORDER BY problem_id", (hearing_id,)))
    return hearing_from_row(row, ids)


async def notice_days(db: Reader, municipality_code: str) -> int:
    """The municipality's minimum notice period in days (default :data:`DEFAULT_NOTICE_DAYS`)."""
    value = await db.fetchval("SELECT min_notice_days FROM hearing_settings WHERE municipality_code = ?",
                              (municipality_code,))
    return DEFAULT_NOTICE_DAYS if value is None else int(value)


async def list_upcoming(db: Database, municipality_code: str, now: datetime | None = None,
                        limit: int = 10) -> list[Hearing]:
    """Scheduled hearings of a municipality that have not begun, soonest first."""
    rows = await db.fetchall(
        "SELECT * FROM hearings WHERE municipality_code = ? AND status = 'scheduled' AND starts_at > ?"
        " ORDER BY starts_at, id LIMIT ?", (municipality_code, to_db(now or clock.now()), limit))
    return [hearing_from_row(r) for r in rows]


async def list_past(db: Database, municipality_code: str, now: datetime | None = None,
                    limit: int = 10) -> list[Hearing]:
    """Held hearings and those whose start passed (cancelled ones excluded), newest first."""
    rows = await db.fetchall(
        "SELECT id FROM hearings WHERE municipality_code = ? AND (status = 'held' OR"
        " (status = 'scheduled' AND starts_at <= ?)) ORDER BY starts_at DESC, id DESC LIMIT ?",
        (municipality_code, to_db(now or clock.now()), limit))
    hearings = [await get_hearing(db, r["id"]) for r in rows]
    return [h for h in hearings if h is not None]


async def survey_questions(db: Reader, survey_id: int | None) -> dict[str, str]:
    """The linked survey's question per language (``{"ky": …, "ru": …}``, each falling back to the
    other), or ``{}`` without a survey."""
    if survey_id is None:
        return {}
    row = await db.fetchone("SELECT question_ky, question_ru FROM surveys WHERE id = ?", (survey_id,))
    if row is None:
        return {}
    return {loc: pick(row["question_ky"], row["question_ru"], loc) for loc in ("ky", "ru")}


async def linkable_surveys(db: Reader, municipality_code: str, limit: int = 8) -> list[SurveyChoice]:
    """Open or scheduled surveys of the municipality a new hearing may link to, newest first."""
    rows = await db.fetchall(
        "SELECT id, question_ky, question_ru FROM surveys WHERE municipality_code = ?"
        " AND status IN ('scheduled', 'open') ORDER BY id DESC LIMIT ?", (municipality_code, limit))
    return [SurveyChoice(r["id"], r["question_ky"], r["question_ru"]) for r in rows]


async def survey_linkable(db: Reader, survey_id: int, municipality_code: str) -> bool:
    """Whether a new hearing of ``municipality_code`` may link to survey ``survey_id``."""
    return bool(await db.fetchval(
        "SELECT 1 FROM surveys WHERE id = ? AND municipality_code = ? AND status IN ('scheduled', 'open')",
        (survey_id, municipality_code)))


async def broadcast_total(db: Reader, broadcast_id: int | None) -> int:
    """How many residents a queued broadcast goes to (0 when unknown)."""
    if broadcast_id is None:
        return 0
    return int(await db.fetchval("SELECT total FROM broadcasts WHERE id = ?", (broadcast_id,)) or 0)


async def problem_excerpts(db: Reader, ids: tuple[int, ...] | list[int]) -> dict[int, str]:
    """The text of each accepted problem (``""`` for a voice problem), through the problems domain."""
    from bot.domain import problems as pb  # imported here: problems imports much; hearings need one reader

    texts: dict[int, str] = {}
    for pid in ids:
        problem = await pb.get_problem(db, pid)
        texts[pid] = (problem.text or "") if problem is not None else ""
    return texts


async def visible_problem(db: Reader, problem_id: int, municipality_code: str) -> bool:
    """Whether ``problem_id`` is a visible (not hidden) problem of ``municipality_code``."""
    from bot.domain import problems as pb

    problem = await pb.get_problem(db, problem_id)
    return problem is not None and problem.municipality_code == municipality_code and not problem.hidden
