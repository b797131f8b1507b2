"""SQL of the SOATE places (``oblasts``, ``districts``, ``municipalities``) and of the ``meta`` key/value
table (the imported list's SHA-256).

Places come back as :class:`~bot.domain.municipalities.model.Place` (``kind`` set for municipalities only).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from bot.db import Transaction
from bot.domain.municipalities.model import Location, Place
from bot.store import Reader


def _place(r: sqlite3.Row) -> Place:
    return Place(r["code"], r["name_ru"], r["name_ky"], r["kind"] if "kind" in r.keys() else None)


# -- reads ------------------------------------------------------------------------------------


async def active_oblasts(db: Reader) -> list[Place]:
    """Active oblasts (and cities of republican significance), unsorted."""
    return [_place(r) for r in await db.fetchall("SELECT code, name_ru, name_ky FROM oblasts WHERE active = 1")]


async def active_districts_of(db: Reader, oblast_code: str) -> list[Place]:
    """Active districts of an oblast, unsorted."""
    rows = await db.fetchall(
        "SELECT code, name_ru, name_ky FROM districts WHERE oblast_code = ? AND active = 1", (oblast_code,)
    )
    return [_place(r) for r in rows]


async def active_municipalities_of(db: Reader, district_code: str) -> list[Place]:
    """Active municipalities of a district (with ``kind``), unsorted."""
    rows = await db.fetchall(
        "SELECT code, name_ru, name_ky, kind FROM municipalities WHERE district_code = ? AND active = 1",
        (district_code,),
    )
    return [_place(r) for r in rows]


async def oblast_by_code(db: Reader, code: str) -> Place | None:
    """The oblast with this 5-digit code (active or not), or ``None``."""
    r = await db.fetchone("SELECT code, name_ru, name_ky FROM oblasts WHERE code = ?", (code,))
    return None if r is None else _place(r)


async def district_by_code(db: Reader, code: str) -> Place | None:
    """The district with this 8-digit code (active or not), or ``None``."""
    r = await db.fetchone("SELECT code, name_ru, name_ky FROM districts WHERE code = ?", (code,))
    return None if r is None else _place(r)


async def municipality_by_code(db: Reader, code: str, *, active_only: bool = False) -> Place | None:
    """The municipality with this 14-digit code (with ``kind``), or ``None`` (also when inactive and
    ``active_only``)."""
    sql = "SELECT code, name_ru, name_ky, kind FROM municipalities WHERE code = ?"
    if active_only:
        sql += " AND active = 1"
    r = await db.fetchone(sql, (code,))
    return None if r is None else _place(r)


async def is_active(db: Reader, code: str) -> bool:
    """Whether an active municipality has this code."""
    return bool(await db.fetchval("SELECT 1 FROM municipalities WHERE code = ? AND active = 1", (code,)))


async def names_of(db: Reader, code: str) -> tuple[str, str | None] | None:
    """``(name_ru, name_ky)`` of the municipality (``name_ky`` ``None`` when not attested), or ``None``."""
    r = await db.fetchone("SELECT name_ru, name_ky FROM municipalities WHERE code = ?", (code,))
    return None if r is None else (r["name_ru"], r["name_ky"])


async def location_of(db: Reader, code: str) -> Location | None:
    """The municipality with its district and oblast, or ``None`` for an unknown code."""
    r = await db.fetchone(
        "SELECT m.code, m.name_ru, m.name_ky, m.kind, d.code AS d_code, d.name_ru AS d_ru, d.name_ky AS d_ky,"
        " o.code AS o_code, o.name_ru AS o_ru, o.name_ky AS o_ky FROM municipalities m"
        " JOIN districts d ON d.code = m.district_code JOIN oblasts o ON o.code = d.oblast_code WHERE m.code = ?",
        (code,),
    )
    if r is None:
        return None
    return Location(
        Place(r["code"], r["name_ru"], r["name_ky"], r["kind"]),
        Place(r["d_code"], r["d_ru"], r["d_ky"]),
        Place(r["o_code"], r["o_ru"], r["o_ky"]),
    )


async def search_active(db: Reader, words: Sequence[str]) -> list[tuple[Place, str]]:
    """Active municipalities whose ``search_key`` contains every one of ``words`` (at least one),
    as ``(place, search_key)``, unsorted."""
    where = " AND ".join("instr(search_key, ?) > 0" for _ in words)
    rows = await db.fetchall(
        f"SELECT code, name_ru, name_ky, kind, search_key FROM municipalities WHERE active = 1 AND {where}",
        list(words),
    )
    return [(_place(r), r["search_key"]) for r in rows]


async def search_index(db: Reader) -> tuple[list[tuple[Place, str]], list[Place]]:
    """What the typed search matches against: active municipalities as ``(place, district_code)`` and
    active districts, unsorted."""
    rows = await db.fetchall(
        "SELECT code, name_ru, name_ky, kind, district_code FROM municipalities WHERE active = 1")
    districts = await db.fetchall("SELECT code, name_ru, name_ky FROM districts WHERE active = 1")
    return [(_place(r), r["district_code"]) for r in rows], [_place(r) for r in districts]


async def count_active(db: Reader) -> int:
    """Number of active municipalities."""
    return int(await db.fetchval("SELECT count(*) FROM municipalities WHERE active = 1"))


async def all_municipalities(db: Reader) -> dict[str, sqlite3.Row]:
    """Every municipality row (all columns, active or not), by code."""
    return {r["code"]: r for r in await db.fetchall("SELECT * FROM municipalities")}


async def meta_value(db: Reader, key: str) -> str | None:
    """The ``meta`` value stored under ``key``, or ``None``."""
    value = await db.fetchval("SELECT value FROM meta WHERE key = ?", (key,))
    return None if value is None else str(value)


# -- writes -----------------------------------------------------------------------------------


async def _many(tx: Transaction, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """One ``executemany`` round trip; none for no rows."""
    if rows:
        await tx.executemany(sql, rows)


async def upsert_oblasts(tx: Transaction, oblasts: Iterable[tuple[str, str, str | None]]) -> None:
    """Insert or refresh ``(code, name_ru, name_ky)`` oblasts, in order, as active; a ``None`` Kyrgyz
    name keeps the stored one."""
    await _many(
        tx,
        "INSERT INTO oblasts (code, name_ru, name_ky, active) VALUES (?, ?, ?, 1)"
        " ON CONFLICT (code) DO UPDATE SET name_ru = excluded.name_ru,"
        " name_ky = coalesce(excluded.name_ky, oblasts.name_ky), active = 1",
        list(oblasts),
    )


async def upsert_districts(tx: Transaction, districts: Iterable[tuple[str, str, str, str | None]]) -> None:
    """Insert or refresh ``(code, oblast_code, name_ru, name_ky)`` districts, in order, as active; a
    ``None`` Kyrgyz name keeps the stored one."""
    await _many(
        tx,
        "INSERT INTO districts (code, oblast_code, name_ru, name_ky, active) VALUES (?, ?, ?, ?, 1)"
        " ON CONFLICT (code) DO UPDATE SET oblast_code = excluded.oblast_code, name_ru = excluded.name_ru,"
        " name_ky = coalesce(excluded.name_ky, districts.name_ky), active = 1",
        list(districts),
    )


async def insert_municipalities(
    tx: Transaction, rows: Iterable[tuple[str, str, str, str, str | None, str | None, str, str]]
) -> None:
    """Insert active municipalities: ``(code, district_code, kind, name_ru, name_ky, name_ky_source,
    search_key, updated_at)`` each."""
    await _many(
        tx,
        "INSERT INTO municipalities (code, district_code, kind, name_ru, name_ky, name_ky_source,"
        " search_key, active, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)",
        list(rows),
    )


async def update_municipalities(
    tx: Transaction, rows: Iterable[tuple[str, str, str, str | None, str | None, str, str, str]]
) -> None:
    """Rewrite municipalities and make them active: ``(district_code, kind, name_ru, name_ky,
    name_ky_source, search_key, updated_at, code)`` each."""
    await _many(
        tx,
        "UPDATE municipalities SET district_code = ?, kind = ?, name_ru = ?, name_ky = ?, name_ky_source = ?,"
        " search_key = ?, active = 1, updated_at = ? WHERE code = ?",
        list(rows),
    )


async def deactivate_municipalities(tx: Transaction, codes: Iterable[str], at: str) -> None:
    """Mark these municipalities inactive (hidden from the picker, never deleted)."""
    await _many(tx, "UPDATE municipalities SET active = 0, updated_at = ? WHERE code = ?",
                [(at, code) for code in codes])


async def refresh_active_districts_and_oblasts(tx: Transaction) -> None:
    """A district is active when it has an active municipality, an oblast when it has an active district."""
    await tx.execute(
        "UPDATE districts SET active = EXISTS (SELECT 1 FROM municipalities m"
        " WHERE m.district_code = districts.code AND m.active = 1)"
    )
    await tx.execute(
        "UPDATE oblasts SET active = EXISTS (SELECT 1 FROM districts d"
        " WHERE d.oblast_code = oblasts.code AND d.active = 1)"
    )


async def set_meta_value(tx: Transaction, key: str, value: str) -> None:
    """Store ``value`` under ``key`` in ``meta`` (replacing any)."""
    await tx.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


async def set_officer_name_ky(tx: Transaction, code: str, *, name_ky: str, officer_id: int, search_key: str,
                              at: str) -> int:
    """Store an officer's Kyrgyz name of a municipality (``name_ky_source = 'officer'``, kept across
    imports) with its new ``search_key``; returns the rows changed (0: no such municipality)."""
    return await tx.execute(
        "UPDATE municipalities SET name_ky = ?, name_ky_source = 'officer', name_ky_set_by = ?,"
        " search_key = ?, updated_at = ? WHERE code = ?",
        (name_ky, officer_id, search_key, at, code),
    )
