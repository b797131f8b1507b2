"""SQL of surveys: surveys, their options, ballots and votes (migration 0004), plus the few reads of
residents, officers and hearings the survey rules need.

Rules (who may vote, when, what is shown) are in :mod:`bot.domain.surveys`; this module only reads and
writes rows. Times are UTC ISO text (``bot.domain.clock.to_db``) and compared as text.

Secrecy: the only function returning who chose what is :func:`chosen_positions`, for one resident's own
ballot; everything else returns counts or ids of voters (for notices), never their choices.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from bot.db import Transaction
from bot.domain.clock import from_db
from bot.domain.surveys.model import ROLLOUT_BASE, HearingRef, Option, Survey, Tally
from bot.store import Reader

# -- rows to models ------------------------------------------------------------------------------


def survey_of(row: sqlite3.Row, options: Iterable[Option] = ()) -> Survey:
    """A :class:`Survey` from a whole ``surveys`` row (``SELECT *`` or ``RETURNING *``) and its options."""
    return Survey(
        id=row["id"], municipality_code=row["municipality_code"], question_ky=row["question_ky"],
        question_ru=row["question_ru"], max_choices=row["max_choices"], opens_at=from_db(row["opens_at"]),
        closes_at=from_db(row["closes_at"]), hearing_id=row["hearing_id"], verified_only=bool(row["verified_only"]),
        status=row["status"], ballots=row["ballots"], recent_ballots=row["recent_ballots"],
        created_by=row["created_by"], closed_at=from_db(row["closed_at"]) if row["closed_at"] else None,
        options=tuple(options), established=bool(row["established"]),
    )


def _option(row: sqlite3.Row) -> Option:
    return Option(row["position"], row["text_ky"], row["text_ru"], row["votes"], row["problem_id"])


def _hearing(row: sqlite3.Row) -> HearingRef:
    return HearingRef(row["id"], row["title_ky"], row["title_ru"], from_db(row["starts_at"]))


_OPTION_COLUMNS = "survey_id, position, text_ky, text_ru, votes, problem_id"


async def _with_options(db: Reader, rows: Sequence[sqlite3.Row]) -> list[Survey]:
    """Surveys of ``rows`` (in their order) with their options, read in one statement for all of them."""
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    options: dict[int, list[Option]] = {survey_id: [] for survey_id in ids}
    marks = ", ".join("?" * len(ids))
    for row in await db.fetchall(
            f"SELECT {_OPTION_COLUMNS} FROM survey_options WHERE survey_id IN ({marks})"
            " ORDER BY survey_id, position", ids):
        options[row["survey_id"]].append(_option(row))
    return [survey_of(row, options[row["id"]]) for row in rows]


# -- surveys ---------------------------------------------------------------------------------------


async def options_of(db: Reader, survey_id: int) -> list[Option]:
    """The options of a survey in position order (with their trigger-kept vote counts)."""
    rows = await db.fetchall(
        f"SELECT {_OPTION_COLUMNS} FROM survey_options WHERE survey_id = ? ORDER BY position", (survey_id,))
    return [_option(r) for r in rows]


async def survey_by_id(db: Reader, survey_id: int) -> Survey | None:
    """The survey with its options (any status), or ``None``."""
    row = await db.fetchone("SELECT * FROM surveys WHERE id = ?", (survey_id,))
    if row is None:
        return None
    return survey_of(row, await options_of(db, survey_id))


async def open_in(db: Reader, municipality_code: str, now: str) -> list[Survey]:
    """Surveys of the municipality with ``opens_at <= now < closes_at`` and status scheduled/open, closing
    soonest first, with their options."""
    rows = await db.fetchall(
        "SELECT * FROM surveys WHERE municipality_code = ? AND status IN ('scheduled', 'open')"
        " AND opens_at <= ? AND closes_at > ? ORDER BY closes_at, id",
        (municipality_code, now, now))
    return await _with_options(db, rows)


async def closed_in(db: Reader, municipality_code: str, now: str, limit: int) -> list[Survey]:
    """At most ``limit`` surveys of the municipality that are closed (by status, or scheduled/open with
    ``closes_at <= now``), latest closing first, with their options."""
    rows = await db.fetchall(
        "SELECT * FROM surveys WHERE municipality_code = ? AND (status = 'closed'"
        " OR (status IN ('scheduled', 'open') AND closes_at <= ?)) ORDER BY closes_at DESC LIMIT ?",
        (municipality_code, now, limit))
    return await _with_options(db, rows)


async def not_deleted_in(db: Reader, municipality_code: str, limit: int) -> list[Survey]:
    """At most ``limit`` surveys of the municipality whose status is not ``deleted``, newest first, with options."""
    rows = await db.fetchall(
        "SELECT * FROM surveys WHERE municipality_code = ? AND status <> 'deleted' ORDER BY id DESC LIMIT ?",
        (municipality_code, limit))
    return await _with_options(db, rows)


async def ids_due_to_open(db: Reader, now: str) -> list[int]:
    """Ids of scheduled surveys with ``opens_at <= now < closes_at``."""
    rows = await db.fetchall(
        "SELECT id FROM surveys WHERE status = 'scheduled' AND opens_at <= ? AND closes_at > ?", (now, now))
    return [r[0] for r in rows]


async def ids_due_to_close(db: Reader, now: str) -> list[int]:
    """Ids of scheduled or open surveys with ``closes_at <= now``."""
    rows = await db.fetchall(
        "SELECT id FROM surveys WHERE status IN ('scheduled', 'open') AND closes_at <= ?", (now,))
    return [r[0] for r in rows]


async def ballot_terms(db: Reader, survey_id: int) -> sqlite3.Row | None:
    """What a vote is checked against: ``municipality_code, status, opens_at, closes_at, max_choices,
    verified_only`` of the survey, or ``None``."""
    return await db.fetchone(
        "SELECT municipality_code, status, opens_at, closes_at, max_choices, verified_only FROM surveys WHERE id = ?",
        (survey_id,))


async def option_positions(db: Reader, survey_id: int) -> set[int]:
    """The positions the survey's options have."""
    return {r[0] for r in await db.fetchall("SELECT position FROM survey_options WHERE survey_id = ?", (survey_id,))}


async def insert_survey(tx: Transaction, *, municipality_code: str, question_ky: str, question_ru: str,
                        max_choices: int, opens_at: str, closes_at: str, hearing_id: int | None,
                        verified_only: bool, status: str, created_by: int, created_at: str) -> int:
    """Insert a survey (no ballots yet); returns its new id. ``established`` is computed here: whether
    the municipality has :data:`ROLLOUT_BASE` residents who joined before ``opens_at`` (at most that
    many rows are read)."""
    return int(await tx.fetchval(
        "INSERT INTO surveys (municipality_code, question_ky, question_ru, max_choices, opens_at, closes_at,"
        " hearing_id, verified_only, status, created_by, created_at, established)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT CASE WHEN count(*) >= ? THEN 1 ELSE 0 END FROM (SELECT 1 FROM residents"
        " WHERE municipality_code = ? AND joined_at < ? LIMIT ?))) RETURNING id",
        (municipality_code, question_ky, question_ru, max_choices, opens_at, closes_at, hearing_id,
         int(verified_only), status, created_by, created_at, ROLLOUT_BASE, municipality_code, opens_at,
         ROLLOUT_BASE)))


async def insert_options(tx: Transaction, survey_id: int,
                         options: Iterable[tuple[int, str, str, int | None]]) -> None:
    """Insert the survey's options, each ``(position, text_ky, text_ru, problem_id)`` (one round trip)."""
    await tx.executemany(
        "INSERT INTO survey_options (survey_id, position, text_ky, text_ru, problem_id) VALUES (?, ?, ?, ?, ?)",
        [(survey_id, *option) for option in options])


async def _survey_from(db: Reader, row: sqlite3.Row | None, options: Sequence[Option] | None) -> Survey | None:
    if row is None:
        return None
    return survey_of(row, await options_of(db, row["id"]) if options is None else options)


async def open_scheduled(tx: Transaction, survey_id: int) -> Survey | None:
    """Set a ``scheduled`` survey's status to ``open``; returns it as it is now (with its options), ``None``
    when it was not scheduled (nothing changed)."""
    row = await tx.fetchone(
        "UPDATE surveys SET status = 'open' WHERE id = ? AND status = 'scheduled' RETURNING *", (survey_id,))
    return await _survey_from(tx, row, None)


async def close_running(tx: Transaction, survey_id: int, closed_at: str,
                        options: Sequence[Option] | None = None) -> Survey | None:
    """Set a scheduled or open survey's status to ``closed`` at ``closed_at``; returns it as it is now,
    ``None`` when it was neither (nothing changed). ``options``: its options as already read in this
    transaction (else they are read)."""
    row = await tx.fetchone(
        "UPDATE surveys SET status = 'closed', closed_at = ? WHERE id = ? AND status IN ('scheduled', 'open')"
        " RETURNING *", (closed_at, survey_id))
    return await _survey_from(tx, row, options)


async def mark_deleted(tx: Transaction, survey_id: int, closed_at: str,
                       options: Sequence[Option] | None = None) -> Survey | None:
    """Set the survey's status to ``deleted`` with ``closed_at``; returns it as it is now (``None``: no such
    survey). ``options`` as for :func:`close_running`."""
    row = await tx.fetchone(
        "UPDATE surveys SET status = 'deleted', closed_at = ? WHERE id = ? RETURNING *", (closed_at, survey_id))
    return await _survey_from(tx, row, options)


async def set_times(tx: Transaction, survey_id: int, *, closes_at: str, opens_at: str | None = None,
                    options: Sequence[Option] | None = None) -> Survey | None:
    """Set ``closes_at`` (and ``opens_at`` when given); returns the survey as it is now (``None``: no such
    survey). ``options`` as for :func:`close_running`."""
    if opens_at is None:
        row = await tx.fetchone("UPDATE surveys SET closes_at = ? WHERE id = ? RETURNING *", (closes_at, survey_id))
    else:
        row = await tx.fetchone("UPDATE surveys SET opens_at = ?, closes_at = ? WHERE id = ? RETURNING *",
                                (opens_at, closes_at, survey_id))
    return await _survey_from(tx, row, options)


# -- counts ----------------------------------------------------------------------------------------


async def counters(db: Reader, survey_id: int) -> Tally | None:
    """Counts from the trigger-kept counters (``surveys.ballots``/``recent_ballots``, ``survey_options.votes``),
    ≤ 11 rows whatever the turnout; ``None`` when there is no such survey."""
    row = await db.fetchone("SELECT ballots, recent_ballots, established FROM surveys WHERE id = ?", (survey_id,))
    if row is None:
        return None
    rows = await db.fetchall("SELECT position, votes FROM survey_options WHERE survey_id = ?", (survey_id,))
    return Tally(ballots=row["ballots"], votes={r[0]: r[1] for r in rows}, recent=row["recent_ballots"],
                 established=bool(row["established"]))


async def counted_from_ballots(db: Reader, survey_id: int) -> Tally:
    """Counts straight from the ballots and votes (``COUNT … GROUP BY`` on covering indexes); every option
    appears in ``votes``, with 0 when nobody chose it."""
    ballots = await db.fetchval("SELECT count(*) FROM survey_ballots WHERE survey_id = ?", (survey_id,))
    recent = await db.fetchval(
        "SELECT count(*) FROM survey_ballots WHERE survey_id = ? AND recent_joiner = 1", (survey_id,))
    rows = await db.fetchall(
        "SELECT position, count(*) FROM survey_votes WHERE survey_id = ? GROUP BY position", (survey_id,))
    votes = {r[0]: r[1] for r in rows}
    for position in await option_positions(db, survey_id):
        votes.setdefault(position, 0)
    established = await db.fetchval("SELECT established FROM surveys WHERE id = ?", (survey_id,))
    return Tally(ballots=int(ballots), votes=votes, recent=int(recent), established=bool(established))


# -- ballots ---------------------------------------------------------------------------------------


async def chosen_positions(db: Reader, survey_id: int, resident_id: int) -> frozenset[int]:
    """The positions this resident chose in the survey (empty when they have not voted). Only for the
    voter themselves or for changing their own ballot."""
    rows = await db.fetchall(
        "SELECT position FROM survey_votes WHERE survey_id = ? AND resident_id = ?", (survey_id, resident_id))
    return frozenset(r[0] for r in rows)


async def has_ballot(db: Reader, survey_id: int, resident_id: int) -> bool:
    """Whether the resident has a ballot in the survey."""
    return bool(await db.fetchval(
        "SELECT 1 FROM survey_ballots WHERE survey_id = ? AND resident_id = ?", (survey_id, resident_id)))


async def voters_of(db: Reader, survey_id: int) -> list[int]:
    """Telegram ids of everyone with a ballot in the survey."""
    return [r[0] for r in await db.fetchall(
        "SELECT resident_id FROM survey_ballots WHERE survey_id = ?", (survey_id,))]


async def voters_living_elsewhere(db: Reader, survey_id: int, municipality_code: str) -> list[int]:
    """Telegram ids of voters of the survey whose current municipality is not ``municipality_code`` (or none)."""
    return [r[0] for r in await db.fetchall(
        "SELECT b.resident_id FROM survey_ballots b JOIN residents r ON r.telegram_id = b.resident_id"
        " WHERE b.survey_id = ? AND (r.municipality_code IS NULL OR r.municipality_code <> ?)",
        (survey_id, municipality_code))]


async def insert_ballot(tx: Transaction, survey_id: int, resident_id: int, *, recent_joiner: bool, at: str) -> bool:
    """Insert the resident's ballot (cast and updated ``at``); ``False`` when they had one already (unchanged)."""
    return bool(await tx.execute(
        "INSERT INTO survey_ballots (survey_id, resident_id, recent_joiner, cast_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (survey_id, resident_id) DO NOTHING",
        (survey_id, resident_id, int(recent_joiner), at, at)))


async def touch_ballot(tx: Transaction, survey_id: int, resident_id: int, at: str) -> None:
    """Set the ballot's ``updated_at``."""
    await tx.execute("UPDATE survey_ballots SET updated_at = ? WHERE survey_id = ? AND resident_id = ?",
                     (at, survey_id, resident_id))


async def delete_votes(tx: Transaction, survey_id: int, resident_id: int, positions: Iterable[int]) -> None:
    """Remove the resident's votes for ``positions`` (the counters follow by trigger; one round trip)."""
    await tx.executemany("DELETE FROM survey_votes WHERE survey_id = ? AND resident_id = ? AND position = ?",
                         [(survey_id, resident_id, p) for p in positions])


async def insert_votes(tx: Transaction, survey_id: int, resident_id: int, positions: Iterable[int]) -> None:
    """Add the resident's votes for ``positions``, skipping ones they have (counters by trigger; one round trip)."""
    await tx.executemany(
        "INSERT INTO survey_votes (survey_id, resident_id, position) VALUES (?, ?, ?)"
        " ON CONFLICT (survey_id, resident_id, position) DO NOTHING",
        [(survey_id, resident_id, p) for p in positions])


# -- other features' rows the rules look at ---------------------------------------------------------


async def resident_home(db: Reader, resident_id: int) -> sqlite3.Row | None:
    """``municipality_code, joined_at`` of the resident, or ``None`` for someone unknown."""
    return await db.fetchone("SELECT municipality_code, joined_at FROM residents WHERE telegram_id = ?",
                             (resident_id,))


async def officer_municipality(db: Reader, officer_id: int) -> str | None:
    """The municipality code the person is an officer of, read now (not cached); ``None``: not an officer."""
    code: Any = await db.fetchval("SELECT municipality_code FROM officers WHERE telegram_id = ?", (officer_id,))
    return None if code is None else str(code)


async def upcoming_hearings(db: Reader, municipality_code: str, now: str, limit: int) -> list[HearingRef]:
    """At most ``limit`` scheduled hearings of the municipality starting after ``now``, soonest first."""
    rows = await db.fetchall(
        "SELECT id, title_ky, title_ru, starts_at FROM hearings WHERE municipality_code = ?"
        " AND status = 'scheduled' AND starts_at > ? ORDER BY starts_at LIMIT ?",
        (municipality_code, now, limit))
    return [_hearing(r) for r in rows]


async def hearing_ref(db: Reader, hearing_id: int, municipality_code: str) -> HearingRef | None:
    """The hearing if it exists in that municipality (any status), else ``None``."""
    row = await db.fetchone("SELECT id, title_ky, title_ru, starts_at FROM hearings WHERE id = ?"
                            " AND municipality_code = ?", (hearing_id, municipality_code))
    return None if row is None else _hearing(row)
