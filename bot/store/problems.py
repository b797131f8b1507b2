"""SQL of the priority problems feature (``problems``, ``problem_supports``, ``problem_events``,
``problem_still_answers``, ``problem_settings``; migrations/0003_problems.sql).

What may change and when is :mod:`bot.domain.problems`'s; these functions only read and write rows.
Problems come back as :class:`~bot.domain.problems.model.Problem`, history rows as
:class:`~bot.domain.problems.model.ProblemEvent`; times are the UTC ISO text the domain passes in.

``problems.supports`` is kept by the triggers on ``problem_supports`` (one more per inserted support,
one less per deleted one): a function that adds or removes supports returns how many rows it
changed, and the caller knows the count moved by exactly that.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from bot.db import Transaction
from bot.domain.problems.model import Problem, ProblemEvent
from bot.store import Reader

CLOSED_SQL = "('solved', 'rejected', 'duplicate')"
"""The closed statuses as an SQL list (the partial indexes' ``NOT IN``)."""

OPEN_WHERE = f"hidden = 0 AND status NOT IN {CLOSED_SQL}"
"""The partial indexes' WHERE, word for word (``problems_ranked``, ``problems_by_category``): a query
that repeats it exactly lets SQLite use them."""


def problem_from_row(row: sqlite3.Row) -> Problem:
    """A :class:`Problem` from a ``problems`` row (``photos`` decoded from JSON, ``hidden`` a bool)."""
    return Problem(
        id=row["id"], municipality_code=row["municipality_code"], author_id=row["author_id"],
        category=row["category"], text=row["text"], voice_file_id=row["voice_file_id"],
        voice_duration=row["voice_duration"], photos=tuple(json.loads(row["photos"] or "[]")),
        latitude=row["latitude"], longitude=row["longitude"], status=row["status"],
        duplicate_of=row["duplicate_of"], hidden=bool(row["hidden"]), hidden_reason=row["hidden_reason"],
        supports=row["supports"], created_at=row["created_at"], updated_at=row["updated_at"],
    )


def event_from_row(row: sqlite3.Row) -> ProblemEvent:
    """A :class:`ProblemEvent` from a ``problem_events`` row."""
    return ProblemEvent(
        id=row["id"], problem_id=row["problem_id"], actor_id=row["actor_id"], action=row["action"],
        old_status=row["old_status"], new_status=row["new_status"], related_id=row["related_id"],
        comment=row["comment"], at=row["at"],
    )


def _page(limit: int | None, offset: int) -> tuple[str, tuple[int, ...]]:
    """`` LIMIT ? OFFSET ?`` and its parameters, or nothing for ``limit`` ``None`` (every row)."""
    return ("", ()) if limit is None else (" LIMIT ? OFFSET ?", (limit, offset))


# -- one problem ------------------------------------------------------------------------------


async def problem_by_id(db: Reader, problem_id: int) -> Problem | None:
    """The problem with this id (hidden ones too), or ``None``."""
    row = await db.fetchone("SELECT * FROM problems WHERE id = ?", (problem_id,))
    return None if row is None else problem_from_row(row)


async def problem_id_by_draft(db: Reader, author_id: int, draft_token: str) -> int | None:
    """The id of the author's problem published from the draft ``draft_token``, or ``None``."""
    value = await db.fetchval("SELECT id FROM problems WHERE author_id = ? AND draft_token = ?",
                              (author_id, draft_token))
    return None if value is None else int(value)


async def insert_problem(
    tx: Transaction, *, municipality_code: str, author_id: int, category: str, text: str | None, search_key: str,
    voice_file_id: str | None, voice_duration: int | None, photos: Sequence[str], latitude: float | None,
    longitude: float | None, draft_token: str | None, at: str,
) -> Problem:
    """Insert a ``new`` problem (``photos`` stored as a JSON list, ``created_at`` = ``updated_at`` =
    ``at``) and return it as inserted: ``supports`` 0 until its first support row."""
    row = await tx.fetchone(
        "INSERT INTO problems (municipality_code, author_id, category, text, search_key, voice_file_id,"
        " voice_duration, photos, latitude, longitude, draft_token, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
        (municipality_code, author_id, category, text, search_key, voice_file_id, voice_duration,
         json.dumps(list(photos)), latitude, longitude, draft_token, at, at),
    )
    assert row is not None
    return problem_from_row(row)


async def set_status(tx: Transaction, problem_id: int, status: str, at: str) -> Problem:
    """Set the problem's ``status`` (``updated_at`` = ``at``); returns the problem as it is now."""
    row = await tx.fetchone("UPDATE problems SET status = ?, updated_at = ? WHERE id = ? RETURNING *",
                            (status, at, problem_id))
    assert row is not None
    return problem_from_row(row)


async def set_duplicate_of(tx: Transaction, problem_id: int, target_id: int, at: str) -> None:
    """Mark the problem ``duplicate`` of ``target_id`` (``updated_at`` = ``at``)."""
    await tx.execute("UPDATE problems SET status = 'duplicate', duplicate_of = ?, updated_at = ? WHERE id = ?",
                     (target_id, at, problem_id))


async def set_hidden(tx: Transaction, problem_id: int, reason: str, at: str) -> Problem:
    """Hide the problem with ``reason`` (``updated_at`` = ``at``); returns the problem as it is now."""
    row = await tx.fetchone(
        "UPDATE problems SET hidden = 1, hidden_reason = ?, updated_at = ? WHERE id = ? RETURNING *",
        (reason, at, problem_id))
    assert row is not None
    return problem_from_row(row)


# -- lists ------------------------------------------------------------------------------------


async def count_open_in(db: Reader, municipality_code: str) -> int:
    """Open (listed: not hidden, not solved/rejected/duplicate) problems of the municipality."""
    return int(await db.fetchval(f"SELECT count(*) FROM problems WHERE municipality_code = ? AND {OPEN_WHERE}",
                                 (municipality_code,)))


async def open_ranked(db: Reader, municipality_code: str, *, limit: int | None = None,
                      offset: int = 0) -> list[Problem]:
    """The municipality's open problems, most supported first, higher (newer) id first on ties;
    ``limit`` rows from ``offset``, or all of them for ``limit`` ``None``. An index range scan of
    ``problems_ranked``."""
    page, params = _page(limit, offset)
    rows = await db.fetchall(
        f"SELECT * FROM problems WHERE municipality_code = ? AND {OPEN_WHERE} ORDER BY supports DESC, id DESC{page}",
        (municipality_code, *params))
    return [problem_from_row(r) for r in rows]


async def open_in_category(db: Reader, municipality_code: str, category: str,
                           limit: int) -> list[tuple[Problem, list[str]]]:
    """Up to ``limit`` open problems of the municipality in ``category``, most supported first, each
    with its search stems (``search_key`` split on spaces; ``problems_by_category``)."""
    rows = await db.fetchall(
        f"SELECT * FROM problems WHERE municipality_code = ? AND category = ? AND {OPEN_WHERE}"
        " ORDER BY supports DESC LIMIT ?",
        (municipality_code, category, limit))
    return [(problem_from_row(r), r["search_key"].split()) for r in rows]


async def open_in_municipality(db: Reader, municipality_code: str, limit: int) -> list[tuple[Problem, list[str]]]:
    """Up to ``limit`` open problems of the municipality in any category, most supported first, each with
    its search stems (``problems_ranked``)."""
    rows = await db.fetchall(
        f"SELECT * FROM problems WHERE municipality_code = ? AND {OPEN_WHERE} ORDER BY supports DESC, id DESC LIMIT ?",
        (municipality_code, limit))
    return [(problem_from_row(r), r["search_key"].split()) for r in rows]


async def count_by_author(db: Reader, author_id: int) -> int:
    """Problems the resident raised that are not hidden (any status)."""
    return int(await db.fetchval("SELECT count(*) FROM problems WHERE author_id = ? AND hidden = 0", (author_id,)))


async def by_author(db: Reader, author_id: int, *, limit: int, offset: int) -> list[Problem]:
    """Problems the resident raised that are not hidden, newest first; ``limit`` from ``offset``."""
    rows = await db.fetchall(
        "SELECT * FROM problems WHERE author_id = ? AND hidden = 0 ORDER BY id DESC LIMIT ? OFFSET ?",
        (author_id, limit, offset))
    return [problem_from_row(r) for r in rows]


_SUPPORTED_BY = ("FROM problem_supports s JOIN problems p ON p.id = s.problem_id"
                 " WHERE s.resident_id = ? AND p.author_id != ? AND p.hidden = 0")


async def count_supported_by(db: Reader, resident_id: int) -> int:
    """Problems of others (not hidden) the resident supports."""
    return int(await db.fetchval(f"SELECT count(*) {_SUPPORTED_BY}", (resident_id, resident_id)))


async def count_supported_in(db: Reader, resident_id: int, municipality_code: str) -> int:
    """Problems of others (not hidden) of ``municipality_code`` the resident supports."""
    return int(await db.fetchval(f"SELECT count(*) {_SUPPORTED_BY} AND p.municipality_code = ?",
                                 (resident_id, resident_id, municipality_code)))


async def supported_by(db: Reader, resident_id: int, *, limit: int, offset: int) -> list[Problem]:
    """Problems of others (not hidden) the resident supports, newest first; ``limit`` from ``offset``."""
    rows = await db.fetchall(f"SELECT p.* {_SUPPORTED_BY} ORDER BY p.id DESC LIMIT ? OFFSET ?",
                             (resident_id, resident_id, limit, offset))
    return [problem_from_row(r) for r in rows]


async def count_new_in(db: Reader, municipality_code: str, status: str = "new") -> int:
    """Problems of the municipality with ``status`` (default ``new``) that are not hidden (the officer's queue)."""
    return int(await db.fetchval(
        "SELECT count(*) FROM problems WHERE municipality_code = ? AND status = ? AND hidden = 0",
        (municipality_code, status)))


async def new_in(db: Reader, municipality_code: str, *, limit: int, offset: int, status: str = "new") -> list[Problem]:
    """The officer's queue: not hidden problems of the municipality with ``status``; ``new`` ones oldest
    first (``problems_new``), any other status the latest first (a mistake is usually recent);
    ``limit`` from ``offset``."""
    order = "id" if status == "new" else "id DESC"
    rows = await db.fetchall(
        "SELECT * FROM problems WHERE municipality_code = ? AND status = ? AND hidden = 0"
        f" ORDER BY {order} LIMIT ? OFFSET ?", (municipality_code, status, limit, offset))
    return [problem_from_row(r) for r in rows]


# -- supports ---------------------------------------------------------------------------------


async def is_supporter(db: Reader, problem_id: int, resident_id: int) -> bool:
    """Whether the resident has a support row for the problem."""
    return await db.fetchval("SELECT 1 FROM problem_supports WHERE problem_id = ? AND resident_id = ?",
                             (problem_id, resident_id)) is not None


async def supporters_of(db: Reader, problem_id: int) -> list[int]:
    """The telegram ids of the problem's supporters (the author among them), in no set order."""
    rows = await db.fetchall("SELECT resident_id FROM problem_supports WHERE problem_id = ?", (problem_id,))
    return [int(r[0]) for r in rows]


async def add_support(tx: Transaction, problem_id: int, resident_id: int, at: str) -> bool:
    """Add the resident's support (``created_at`` = ``at``); ``False`` when they already supported it
    (nothing changes). ``supports`` goes up by one when ``True``."""
    return await tx.execute(
        "INSERT INTO problem_supports (problem_id, resident_id, created_at) VALUES (?, ?, ?)"
        " ON CONFLICT (problem_id, resident_id) DO NOTHING", (problem_id, resident_id, at)) > 0


async def remove_support(tx: Transaction, problem_id: int, resident_id: int) -> bool:
    """Remove the resident's support; ``False`` when there was none. ``supports`` goes down by one when
    ``True``."""
    return await tx.execute("DELETE FROM problem_supports WHERE problem_id = ? AND resident_id = ?",
                            (problem_id, resident_id)) > 0


async def move_supports(tx: Transaction, from_id: int, to_id: int) -> int:
    """Move every support of ``from_id`` to ``to_id`` (keeping each one's ``created_at``; a resident who
    supports both keeps the one on ``to_id``). Returns how many supports ``to_id`` gained; ``from_id``
    is left with none."""
    # the WHERE keeps SQLite from reading ON CONFLICT as a join constraint of the SELECT
    moved = await tx.execute(
        "INSERT INTO problem_supports (problem_id, resident_id, created_at)"
        " SELECT ?, resident_id, created_at FROM problem_supports WHERE problem_id = ?"
        " ON CONFLICT (problem_id, resident_id) DO NOTHING", (to_id, from_id))
    await tx.execute("DELETE FROM problem_supports WHERE problem_id = ?", (from_id,))
    return moved


# -- history ----------------------------------------------------------------------------------


async def events_of(db: Reader, problem_id: int) -> list[ProblemEvent]:
    """The problem's events, oldest first."""
    rows = await db.fetchall("SELECT * FROM problem_events WHERE problem_id = ? ORDER BY id", (problem_id,))
    return [event_from_row(r) for r in rows]


async def insert_event(
    tx: Transaction, problem_id: int, *, actor_id: int | None, action: str, at: str, old_status: str | None = None,
    new_status: str | None = None, related_id: int | None = None, comment: str | None = None,
) -> None:
    """Append one ``problem_events`` row (``actor_id`` ``None``: the system)."""
    await tx.execute(
        "INSERT INTO problem_events (problem_id, actor_id, action, old_status, new_status, related_id, comment, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (problem_id, actor_id, action, old_status, new_status, related_id, comment, at))


async def insert_merge_events(tx: Transaction, *, problem_id: int, target_id: int, actor_id: int,
                              old_status: str, comment: str | None, moved: int, at: str) -> None:
    """The two events of a merge in one statement: ``duplicate`` on ``problem_id`` (``old_status`` →
    ``duplicate``, related to the target, with the officer's ``comment``) and ``merged_in`` on
    ``target_id`` (related to the problem, the comment being the count of supports moved)."""
    await tx.execute(
        "INSERT INTO problem_events (problem_id, actor_id, action, old_status, new_status, related_id, comment, at)"
        " VALUES (?, ?, 'duplicate', ?, 'duplicate', ?, ?, ?), (?, ?, 'merged_in', NULL, NULL, ?, ?, ?)",
        (problem_id, actor_id, old_status, target_id, comment, at, target_id, actor_id, problem_id, str(moved), at))


async def last_solved_event(db: Reader, problem_id: int) -> int | None:
    """The id of the problem's latest event that set it ``solved``, or ``None``."""
    value = await db.fetchval("SELECT max(id) FROM problem_events WHERE problem_id = ? AND new_status = 'solved'",
                              (problem_id,))
    return None if value is None else int(value)


# -- "still a problem?" -----------------------------------------------------------------------


async def record_still_answer(tx: Transaction, problem_id: int, solved_event_id: int | None, resident_id: int,
                              still: bool, at: str) -> None:
    """Store the resident's answer about the solved status ``solved_event_id``, replacing an earlier one."""
    await tx.execute(
        "INSERT INTO problem_still_answers (problem_id, solved_event_id, resident_id, still, at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (problem_id, solved_event_id, resident_id) DO UPDATE SET still = excluded.still, at = excluded.at",
        (problem_id, solved_event_id, resident_id, int(still), at))


async def count_still(db: Reader, problem_id: int, solved_event_id: int | None) -> int:
    """How many residents answered "still a problem" about the solved status ``solved_event_id``."""
    return int(await db.fetchval(
        "SELECT count(*) FROM problem_still_answers WHERE problem_id = ? AND solved_event_id = ? AND still = 1",
        (problem_id, solved_event_id)))


async def reopen_threshold_of(db: Reader, municipality_code: str) -> int | None:
    """The municipality's own reopen threshold (``problem_settings``), or ``None`` when it has none."""
    value = await db.fetchval("SELECT reopen_threshold FROM problem_settings WHERE municipality_code = ?",
                              (municipality_code,))
    return None if value is None else int(value)


async def set_reopen_threshold_of(tx: Transaction, municipality_code: str, value: int, *, by: int, at: str) -> None:
    """Set (insert or replace) the municipality's reopen threshold, recording who set it and when."""
    await tx.execute(
        "INSERT INTO problem_settings (municipality_code, reopen_threshold, updated_by, updated_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (municipality_code) DO UPDATE SET reopen_threshold = excluded.reopen_threshold,"
        " updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        (municipality_code, value, by, at))


# -- people -----------------------------------------------------------------------------------


async def resident_municipality(db: Reader, telegram_id: int) -> str | None:
    """The municipality the resident chose (as stored now, so inside a transaction it is the one the
    transaction sees), or ``None`` (no such resident, or none chosen)."""
    value = await db.fetchval("SELECT municipality_code FROM residents WHERE telegram_id = ?", (telegram_id,))
    return None if value is None else str(value)


async def officers_in(db: Reader, municipality_code: str) -> list[int]:
    """The telegram ids of the municipality's officers."""
    rows = await db.fetchall("SELECT telegram_id FROM officers WHERE municipality_code = ?", (municipality_code,))
    return [int(r[0]) for r in rows]
