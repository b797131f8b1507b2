"""Browsing and searching municipalities: oblast → district → municipality lists, lookups, typed search."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from bot.db import Database
from bot.domain.municipalities.model import (
    SEARCH_QUERY_MAX,
    SEARCH_QUERY_MIN,
    Location,
    Place,
    SearchQueryTooLong,
    SearchQueryTooShort,
)
from bot.domain.text import clean_user_text, fold


def _sort_key(locale: str) -> Callable[[Place], str]:
    return lambda p: fold(p.name(locale))


async def list_oblasts(db: Database, locale: str) -> list[Place]:
    """Active oblasts (and the two cities of republican significance), sorted by name in ``locale``."""
    rows = await db.fetchall("SELECT code, name_ru, name_ky FROM oblasts WHERE active = 1")
    return sorted((Place(r["code"], r["name_ru"], r["name_ky"]) for r in rows), key=_sort_key(locale))


async def list_districts(db: Database, oblast_code: str, locale: str) -> list[Place]:
    """Active districts (and cities filed as districts) of an oblast, sorted by name."""
    rows = await db.fetchall(
        "SELECT code, name_ru, name_ky FROM districts WHERE oblast_code = ? AND active = 1", (oblast_code,)
    )
    return sorted((Place(r["code"], r["name_ru"], r["name_ky"]) for r in rows), key=_sort_key(locale))


async def list_municipalities(db: Database, district_code: str, locale: str) -> list[Place]:
    """Active municipalities of a district, sorted by name."""
    rows = await db.fetchall(
        "SELECT code, name_ru, name_ky, kind FROM municipalities WHERE district_code = ? AND active = 1",
        (district_code,),
    )
    return sorted((Place(r["code"], r["name_ru"], r["name_ky"], r["kind"]) for r in rows), key=_sort_key(locale))


async def get_oblast(db: Database, code: str) -> Place | None:
    """The oblast with this 5-digit code, or ``None``."""
    r = await db.fetchone("SELECT code, name_ru, name_ky FROM oblasts WHERE code = ?", (code,))
    return None if r is None else Place(r["code"], r["name_ru"], r["name_ky"])


async def get_district(db: Database, code: str) -> Place | None:
    """The district with this 8-digit code, or ``None``."""
    r = await db.fetchone("SELECT code, name_ru, name_ky FROM districts WHERE code = ?", (code,))
    return None if r is None else Place(r["code"], r["name_ru"], r["name_ky"])


async def get_municipality(db: Database, code: str, *, active_only: bool = False) -> Place | None:
    """The municipality with this 14-digit SOATE code, or ``None``."""
    sql = "SELECT code, name_ru, name_ky, kind FROM municipalities WHERE code = ?"
    if active_only:
        sql += " AND active = 1"
    r = await db.fetchone(sql, (code,))
    return None if r is None else Place(r["code"], r["name_ru"], r["name_ky"], r["kind"])


async def locate(db: Database, code: str) -> Location | None:
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


async def search_municipalities(db: Database, query: str, *, limit: int = 8) -> tuple[list[Place], int]:
    """Active municipalities whose Russian or Kyrgyz name contains every word of ``query``.

    Matching is on :func:`bot.domain.text.fold`ed text, so "кок жангак" finds "Көк-Жаңгак" and
    "Кок-Жангак". Results whose name starts with the query come first, then alphabetical.

    Returns:
        (up to ``limit`` places, total number of matches).
    Raises:
        SearchQueryTooShort: under :data:`SEARCH_QUERY_MIN` letters once folded.
        SearchQueryTooLong: over :data:`SEARCH_QUERY_MAX` characters.
    """
    query = clean_user_text(query)
    folded = fold(query)
    if len(folded) < SEARCH_QUERY_MIN:
        raise SearchQueryTooShort(limit=SEARCH_QUERY_MIN, actual=len(folded))
    if len(query) > SEARCH_QUERY_MAX:
        raise SearchQueryTooLong(limit=SEARCH_QUERY_MAX, actual=len(query))
    words = folded.split(" ")
    where = " AND ".join("instr(search_key, ?) > 0" for _ in words)
    rows = await db.fetchall(
        f"SELECT code, name_ru, name_ky, kind, search_key FROM municipalities WHERE active = 1 AND {where}",
        words,
    )

    def rank(r: sqlite3.Row) -> tuple[int, str]:
        names = r["search_key"].split(" | ")
        starts = any(n.startswith(folded) or n.startswith("г " + folded) for n in names)
        return (0 if starts else 1, r["search_key"])

    rows.sort(key=rank)
    return [Place(r["code"], r["name_ru"], r["name_ky"], r["kind"]) for r in rows[:limit]], len(rows)


