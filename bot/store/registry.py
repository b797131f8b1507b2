"""SQL of the municipal registry of services (:mod:`bot.domain.registry`).

Tables (migrations/0005_registry.sql): ``services``, ``service_events``, ``service_followers``,
``service_supports``, ``service_ratings``, ``service_problem_links``, ``registry_seeded``; and the few
reads of other features' rows the registry's rules need (a resident's municipality, a municipality's
officers, a visible problem, a broadcast's recipient count), kept here until those features' stores
offer them.

Every function takes the reader or transaction first (see :mod:`bot.store`); entries come back as
:class:`~bot.domain.registry.model.Service`, with ``cost_set``/``provider_set`` worked out from the
entry's edit events. Times are passed in by the domain (UTC ISO text). Column names in statements are
never taken from callers without checking them against the table's columns.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence

from bot.db import Transaction
from bot.domain.registry.model import Event, LinkedProblem, RatingSummary, Service
from bot.store import Reader

COLUMN_NAMES: tuple[str, ...] = (
    "id", "municipality_code", "name_ky", "name_ru", "description_ky", "description_ru", "area", "registry",
    "provider_kind", "provider_name", "recipients", "paid", "tariff", "standard", "resolution_number",
    "resolution_date", "status", "rejection_reason", "origin", "proposed_by", "on_behalf_of", "confirmed",
    "created_at", "updated_at",
)
"""The ``services`` columns a :class:`Service` is made of, in its field order."""

COLUMNS = ", ".join(COLUMN_NAMES)

_INSERTABLE = frozenset(COLUMN_NAMES) - {"id"}
_UPDATABLE = frozenset(COLUMN_NAMES) - {"id", "municipality_code", "origin", "proposed_by", "created_at",
                                        "confirmed", "updated_at"}
"""Columns :func:`update_fields` may set (``confirmed`` and ``updated_at`` it sets itself)."""


def _decided(table: str) -> str:
    """Extra columns ``cost_set``, ``provider_set`` (0/1) for the services row ``table``: whether an
    officer's edit event (its comment lists the changed field names) touched them."""
    edited = f"SELECT 1 FROM service_events e WHERE e.service_id = {table}.id AND e.kind = 'edited' AND "
    return (f", EXISTS ({edited}(e.comment LIKE '%paid%' OR e.comment LIKE '%tariff%')) AS cost_set"
            f", EXISTS ({edited}e.comment LIKE '%provider%') AS provider_set")


def _prefixed(alias: str) -> str:
    """:data:`COLUMNS` prefixed with a table alias (``s.id, s.municipality_code, …``)."""
    return ", ".join(f"{alias}.{c}" for c in COLUMN_NAMES)


_SERVICE = f"SELECT {COLUMNS}{_decided('services')} FROM services"
_RETURNING = f" RETURNING {COLUMNS}{_decided('services')}"


def _service(row: sqlite3.Row) -> Service:
    """A :class:`Service` from a row of :data:`COLUMNS` plus :func:`_decided`."""
    data = dict(row)
    data["paid"] = bool(data["paid"])
    data["confirmed"] = bool(data["confirmed"])
    for key in ("cost_set", "provider_set"):
        data[key] = bool(data.get(key))
    return Service(**data)


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)


# -- entries ------------------------------------------------------------------------------


async def service_by_id(db: Reader, service_id: int) -> Service | None:
    """The entry with this id (any municipality), or ``None``."""
    row = await db.fetchone(f"{_SERVICE} WHERE id = ?", (service_id,))
    return None if row is None else _service(row)


async def count_by_area(db: Reader, municipality_code: str) -> dict[str, int]:
    """``{area: number of entries}`` of the municipality; areas without entries are absent (no order)."""
    rows = await db.fetchall(
        "SELECT area, count(*) AS n FROM services WHERE municipality_code = ? GROUP BY area", (municipality_code,))
    return {row["area"]: int(row["n"]) for row in rows}


async def count_by_status(db: Reader, municipality_code: str) -> dict[str, int]:
    """``{status: number of entries}`` of the municipality; statuses without entries are absent."""
    rows = await db.fetchall(
        "SELECT status, count(*) AS n FROM services WHERE municipality_code = ? GROUP BY status",
        (municipality_code,))
    return {row["status"]: int(row["n"]) for row in rows}


async def services_page(
    db: Reader, municipality_code: str, *, area: str | None, statuses: Sequence[str], offset: int, limit: int,
) -> tuple[list[Service], int]:
    """A page of the municipality's entries (in ``area`` if given, in any of ``statuses`` if any),
    ordered by id, and how many match in all. ``offset`` below 0 counts as 0."""
    where, params = ["municipality_code = ?"], [municipality_code]
    if area is not None:
        where.append("area = ?")
        params.append(area)
    if statuses:
        where.append(f"status IN ({_marks(statuses)})")
        params.extend(statuses)
    clause = " AND ".join(where)
    total = await db.fetchval(f"SELECT count(*) FROM services WHERE {clause}", params)
    rows = await db.fetchall(f"{_SERVICE} WHERE {clause} ORDER BY id LIMIT ? OFFSET ?",
                             [*params, limit, max(offset, 0)])
    return [_service(r) for r in rows], int(total)


async def followed_page(
    db: Reader, *, resident_id: int, municipality_code: str, offset: int, limit: int,
) -> tuple[list[Service], int]:
    """A page of the entries of ``municipality_code`` the resident follows (latest followed first, then
    by id), and how many they follow there in all."""
    joined = ("FROM service_followers f JOIN services s ON s.id = f.service_id"
              " WHERE f.resident_id = ? AND s.municipality_code = ?")
    total = await db.fetchval(f"SELECT count(*) {joined}", (resident_id, municipality_code))
    rows = await db.fetchall(
        f"SELECT {_prefixed('s')}{_decided('s')} {joined} ORDER BY f.created_at DESC, s.id LIMIT ? OFFSET ?",
        (resident_id, municipality_code, limit, max(offset, 0)))
    return [_service(r) for r in rows], int(total)


async def initiative_counts(db: Reader, municipality_code: str) -> tuple[int, int, int, int]:
    """In one statement: ``(initiated, approved, included, followers)`` of the municipality — entries
    proposed by residents; of those, how many ever had a status event to ``approved`` / to ``included``;
    distinct residents following any of its entries."""
    reached = ("SELECT count(DISTINCT s.id) FROM services s JOIN service_events e ON e.service_id = s.id"
               " WHERE s.municipality_code = ? AND s.origin = 'resident' AND e.kind = 'status'"
               " AND e.to_status = ")
    row = await db.fetchone(
        "SELECT (SELECT count(*) FROM services WHERE municipality_code = ? AND origin = 'resident') AS initiated,"
        f" ({reached}'approved') AS approved, ({reached}'included') AS included,"
        " (SELECT count(DISTINCT f.resident_id) FROM service_followers f JOIN services s ON s.id = f.service_id"
        "  WHERE s.municipality_code = ?) AS followers",
        (municipality_code,) * 4)
    assert row is not None  # scalar subqueries: always one row
    return int(row["initiated"]), int(row["approved"]), int(row["included"]), int(row["followers"])


async def export_rows(db: Reader, municipality_code: str) -> list[sqlite3.Row]:
    """Every entry of the municipality ordered by id: :data:`COLUMNS` plus ``supports``, ``followers``,
    ``rating_average`` (rounded to 2 places, ``None`` without ratings) and ``ratings`` (count)."""
    return await db.fetchall(
        f"SELECT {_prefixed('s')},"
        " (SELECT count(*) FROM service_supports x WHERE x.service_id = s.id) AS supports,"
        " (SELECT count(*) FROM service_followers x WHERE x.service_id = s.id) AS followers,"
        " (SELECT round(avg(score), 2) FROM service_ratings x WHERE x.service_id = s.id) AS rating_average,"
        " (SELECT count(*) FROM service_ratings x WHERE x.service_id = s.id) AS ratings"
        " FROM services s WHERE s.municipality_code = ? ORDER BY s.id", (municipality_code,))


async def insert_service(tx: Transaction, values: Mapping[str, object]) -> Service:
    """Insert an entry with these column values (the others take the table's defaults) and return it.

    Raises:
        ValueError: a key that is not an insertable column of ``services``.
    """
    unknown = set(values) - _INSERTABLE
    if unknown:
        raise ValueError(f"not columns of services: {sorted(unknown)}")
    row = await tx.fetchone(
        f"INSERT INTO services ({', '.join(values)}) VALUES ({_marks(list(values))}){_RETURNING}",
        list(values.values()))
    assert row is not None  # INSERT ... RETURNING of one row
    return _service(row)


async def insert_catalogue(
    tx: Transaction, municipality_code: str, rows: Iterable[tuple[str, str, str]], *, at: str,
) -> None:
    """Insert the starter catalogue ``rows`` ``(name_ru, name_ky, area)`` into the municipality as
    basic-registry, ``included``, unconfirmed ``catalogue`` entries, each with its ``created`` event by
    ``system``: two statements whatever the number of rows (the events are written for the
    municipality's catalogue entries that have none yet)."""
    await tx.executemany(
        "INSERT INTO services (municipality_code, name_ky, name_ru, area, registry, status, origin, confirmed,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, 'basic', 'included', 'catalogue', 0, ?, ?)",
        [(municipality_code, name_ky, name_ru, area, at, at) for name_ru, name_ky, area in rows])
    await tx.execute(
        "INSERT INTO service_events (service_id, kind, to_status, actor_role, at)"
        " SELECT s.id, 'created', 'included', 'system', ? FROM services s"
        " WHERE s.municipality_code = ? AND s.origin = 'catalogue'"
        " AND NOT EXISTS (SELECT 1 FROM service_events e WHERE e.service_id = s.id) ORDER BY s.id",
        (at, municipality_code))


async def set_status(
    tx: Transaction, service_id: int, *, status: str, rejection_reason: str | None, at: str,
) -> Service | None:
    """Set the entry's status and rejection reason (``updated_at = at``); the updated entry, or
    ``None`` if there is no such entry."""
    row = await tx.fetchone(
        f"UPDATE services SET status = ?, rejection_reason = ?, updated_at = ? WHERE id = ?{_RETURNING}",
        (status, rejection_reason, at, service_id))
    return None if row is None else _service(row)


async def update_fields(tx: Transaction, service_id: int, values: Mapping[str, object], *, at: str
                        ) -> Service | None:
    """Set these columns of the entry, mark it confirmed (``confirmed = 1``, ``updated_at = at``); the
    updated entry (its ``cost_set``/``provider_set`` count edit events written before), or ``None``.

    Raises:
        ValueError: no values, or a key that is not an editable column of ``services``.
    """
    unknown = set(values) - _UPDATABLE
    if unknown or not values:
        raise ValueError(f"not editable columns of services: {sorted(unknown)}")
    assignments = ", ".join(f"{key} = ?" for key in values)
    row = await tx.fetchone(
        f"UPDATE services SET {assignments}, confirmed = 1, updated_at = ? WHERE id = ?{_RETURNING}",
        (*values.values(), at, service_id))
    return None if row is None else _service(row)


# -- history ------------------------------------------------------------------------------


async def insert_event(
    tx: Transaction, service_id: int, *, kind: str, actor_role: str, at: str, from_status: str | None = None,
    to_status: str | None = None, actor_id: int | None = None, comment: str = "",
) -> None:
    """Append one line to the entry's history (``kind`` created|status|edited, ``actor_role``
    resident|officer|system)."""
    await tx.execute(
        "INSERT INTO service_events (service_id, kind, from_status, to_status, actor_id, actor_role, comment, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (service_id, kind, from_status, to_status, actor_id, actor_role, comment, at))


async def events_of(db: Reader, service_id: int, *, limit: int) -> list[Event]:
    """The entry's latest ``limit`` events, oldest first."""
    rows = await db.fetchall(
        "SELECT kind, from_status, to_status, actor_id, actor_role, comment, at FROM service_events"
        " WHERE service_id = ? ORDER BY id DESC LIMIT ?", (service_id, limit))
    return [Event(**dict(r)) for r in reversed(rows)]


# -- followers and supports -----------------------------------------------------------------


async def add_follower(tx: Transaction, service_id: int, resident_id: int, *, at: str) -> bool:
    """Make the resident a follower of the entry; ``False`` if they were one already."""
    return bool(await tx.execute(
        "INSERT INTO service_followers (service_id, resident_id, created_at) VALUES (?, ?, ?)"
        " ON CONFLICT (service_id, resident_id) DO NOTHING", (service_id, resident_id, at)))


async def remove_follower(tx: Transaction, service_id: int, resident_id: int) -> bool:
    """Stop the resident following the entry; ``False`` if they were not following it."""
    return bool(await tx.execute(
        "DELETE FROM service_followers WHERE service_id = ? AND resident_id = ?", (service_id, resident_id)))


async def is_follower(db: Reader, service_id: int, resident_id: int) -> bool:
    """Whether the resident follows the entry."""
    return bool(await db.fetchval(
        "SELECT 1 FROM service_followers WHERE service_id = ? AND resident_id = ?", (service_id, resident_id)))


async def count_followers(db: Reader, service_id: int) -> int:
    """Residents following the entry."""
    return int(await db.fetchval("SELECT count(*) FROM service_followers WHERE service_id = ?", (service_id,)))


async def follower_ids(db: Reader, service_id: int) -> list[int]:
    """Telegram ids of the entry's followers, ascending."""
    rows = await db.fetchall(
        "SELECT resident_id FROM service_followers WHERE service_id = ? ORDER BY resident_id", (service_id,))
    return [int(r[0]) for r in rows]


async def add_support(tx: Transaction, service_id: int, resident_id: int, *, at: str) -> bool:
    """Record the resident's support of the proposal; ``False`` if they supported it before."""
    return bool(await tx.execute(
        "INSERT INTO service_supports (service_id, resident_id, created_at) VALUES (?, ?, ?)"
        " ON CONFLICT (service_id, resident_id) DO NOTHING", (service_id, resident_id, at)))


async def has_support(db: Reader, service_id: int, resident_id: int) -> bool:
    """Whether the resident supported the proposal."""
    return bool(await db.fetchval(
        "SELECT 1 FROM service_supports WHERE service_id = ? AND resident_id = ?", (service_id, resident_id)))


async def count_supports(db: Reader, service_id: int) -> int:
    """Residents who supported the proposal."""
    return int(await db.fetchval("SELECT count(*) FROM service_supports WHERE service_id = ?", (service_id,)))


# -- ratings --------------------------------------------------------------------------------


async def add_rating(
    tx: Transaction, service_id: int, resident_id: int, *, quarter: str, score: int, comment: str, at: str,
) -> bool:
    """Record the resident's rating for ``quarter``; ``False`` if they rated the service in it already."""
    return bool(await tx.execute(
        "INSERT INTO service_ratings (service_id, resident_id, quarter, score, comment, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (service_id, resident_id, quarter) DO NOTHING",
        (service_id, resident_id, quarter, score, comment, at)))


async def has_rating(db: Reader, service_id: int, resident_id: int, quarter: str) -> bool:
    """Whether the resident rated the service in ``quarter`` (``2026Q4``)."""
    return bool(await db.fetchval(
        "SELECT 1 FROM service_ratings WHERE service_id = ? AND resident_id = ? AND quarter = ?",
        (service_id, resident_id, quarter)))


async def ratings_of(db: Reader, service_id: int, *, comments: int) -> RatingSummary:
    """Average (``None`` without ratings), count and the latest ``comments`` non-empty comments
    ``(text, quarter)`` of the service's ratings, newest first; never who gave them."""
    row = await db.fetchone(
        "SELECT avg(score) AS a, count(*) AS n FROM service_ratings WHERE service_id = ?", (service_id,))
    assert row is not None  # an aggregate always returns one row
    texts = await db.fetchall(
        "SELECT comment, quarter FROM service_ratings WHERE service_id = ? AND comment != ''"
        " ORDER BY created_at DESC, id DESC LIMIT ?", (service_id, comments))
    return RatingSummary(row["a"], int(row["n"]), [(r["comment"], r["quarter"]) for r in texts])


# -- linked problems ------------------------------------------------------------------------


async def linked_problems(
    db: Reader, service_id: int, *, closed: Sequence[str], limit: int,
) -> tuple[list[LinkedProblem], int]:
    """The visible problems linked to the entry whose status is not in ``closed``, most supported
    first (then newest), at most ``limit``; and how many there are."""
    where = f"l.service_id = ? AND p.hidden = 0 AND p.status NOT IN ({_marks(closed)})"
    joined = f"FROM service_problem_links l JOIN problems p ON p.id = l.problem_id WHERE {where}"
    params = (service_id, *closed)
    total = await db.fetchval(f"SELECT count(*) {joined}", params)
    rows = await db.fetchall(
        f"SELECT p.id, p.text, p.supports, p.status {joined} ORDER BY p.supports DESC, p.id DESC LIMIT ?",
        (*params, limit))
    return [LinkedProblem(r["id"], r["text"], r["supports"], r["status"]) for r in rows], int(total)


async def visible_problem_exists(db: Reader, problem_id: int, municipality_code: str) -> bool:
    """Whether a problem with this id, not hidden, belongs to the municipality."""
    return bool(await db.fetchval(
        "SELECT 1 FROM problems WHERE id = ? AND municipality_code = ? AND hidden = 0",
        (problem_id, municipality_code)))


async def add_problem_link(tx: Transaction, service_id: int, problem_id: int, *, linked_by: int, at: str) -> bool:
    """Link the problem to the entry; ``False`` if it was linked already."""
    return bool(await tx.execute(
        "INSERT INTO service_problem_links (service_id, problem_id, linked_by, linked_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (service_id, problem_id) DO NOTHING", (service_id, problem_id, linked_by, at)))


async def remove_problem_link(tx: Transaction, service_id: int, problem_id: int) -> bool:
    """Remove the link; ``False`` if there was none."""
    return bool(await tx.execute(
        "DELETE FROM service_problem_links WHERE service_id = ? AND problem_id = ?", (service_id, problem_id)))


# -- seeding ------------------------------------------------------------------------------


async def is_seeded(db: Reader, municipality_code: str) -> bool:
    """Whether the starter catalogue was copied into the municipality."""
    return bool(await db.fetchval(
        "SELECT 1 FROM registry_seeded WHERE municipality_code = ?", (municipality_code,)))


async def mark_seeded(tx: Transaction, municipality_code: str, *, at: str) -> bool:
    """Record that the municipality is seeded; ``False`` if it was recorded before (by anyone)."""
    return bool(await tx.execute(
        "INSERT INTO registry_seeded (municipality_code, seeded_at) VALUES (?, ?)"
        " ON CONFLICT (municipality_code) DO NOTHING", (municipality_code, at)))


# -- other features' rows the registry reads ---------------------------------------------------


async def municipality_exists(db: Reader, municipality_code: str) -> bool:
    """Whether there is a municipality with this code."""
    return bool(await db.fetchval("SELECT 1 FROM municipalities WHERE code = ?", (municipality_code,)))


async def resident_municipality(db: Reader, resident_id: int) -> str | None:
    """The resident's municipality code; ``None`` for an unknown resident or one without a municipality."""
    code = await db.fetchval("SELECT municipality_code FROM residents WHERE telegram_id = ?", (resident_id,))
    return None if code is None else str(code)


async def officer_ids_in(db: Reader, municipality_code: str) -> list[int]:
    """Telegram ids of the municipality's officers (no order promised)."""
    rows = await db.fetchall("SELECT telegram_id FROM officers WHERE municipality_code = ?", (municipality_code,))
    return [int(r[0]) for r in rows]


async def broadcast_total(db: Reader, broadcast_id: int) -> int:
    """Recipients queued for the broadcast (0 for none or no such broadcast)."""
    return int(await db.fetchval("SELECT total FROM broadcasts WHERE id = ?", (broadcast_id,)) or 0)
