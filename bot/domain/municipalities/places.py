"""Browsing and searching municipalities: oblast → district → municipality lists, lookups, typed search."""

from __future__ import annotations

from collections.abc import Callable

from bot.db import Database
from bot.domain.municipalities.model import (
    Location,
    Place,
)
from bot.domain.text import fold
from bot.store import municipalities as store


def _sort_key(locale: str) -> Callable[[Place], str]:
    return lambda p: fold(p.name(locale))


async def list_oblasts(db: Database, locale: str) -> list[Place]:
    """Active oblasts (and the two cities of republican significance), sorted by name in ``locale``."""
    return sorted(await store.active_oblasts(db), key=_sort_key(locale))


async def list_districts(db: Database, oblast_code: str, locale: str) -> list[Place]:
    """Active districts (and cities filed as districts) of an oblast, sorted by name."""
    return sorted(await store.active_districts_of(db, oblast_code), key=_sort_key(locale))


async def list_municipalities(db: Database, district_code: str, locale: str) -> list[Place]:
    """Active municipalities of a district, sorted by name."""
    return sorted(await store.active_municipalities_of(db, district_code), key=_sort_key(locale))


async def get_oblast(db: Database, code: str) -> Place | None:
    """The oblast with this 5-digit code, or ``None``."""
    return await store.oblast_by_code(db, code)


async def get_district(db: Database, code: str) -> Place | None:
    """The district with this 8-digit code, or ``None``."""
    return await store.district_by_code(db, code)


async def get_municipality(db: Database, code: str, *, active_only: bool = False) -> Place | None:
    """The municipality with this 14-digit SOATE code, or ``None``."""
    return await store.municipality_by_code(db, code, active_only=active_only)


LOCATIONS_CACHE = "locations"
"""Key of the per-database cache of :func:`locate` (dropped by an import and by a Kyrgyz name set)."""


async def locate(db: Database, code: str) -> Location | None:
    """The municipality with its district and oblast, or ``None`` for an unknown code (from memory
    after the first read: 484 municipalities, changed only by an import or an officer's Kyrgyz name)."""
    cache: dict[str, Location | None] = db.cache.setdefault(LOCATIONS_CACHE, {})
    if code not in cache:
        if len(cache) > 10_000:  # crafted codes must not grow it without bound
            cache.clear()
        cache[code] = await store.location_of(db, code)
    return cache[code]


async def search_municipalities(db: Database, query: str, *, limit: int = 8) -> tuple[list[Place], int]:
    """Active municipalities named like ``query``, best first (:func:`.search.find_places`: tolerant
    of a few wrong letters, hyphens and spaces, Latin letters and Russian spellings).

    Returns:
        (up to ``limit`` places, total number of matches).
    Raises:
        SearchQueryTooShort: under :data:`SEARCH_QUERY_MIN` letters once folded.
        SearchQueryTooLong: over :data:`SEARCH_QUERY_MAX` characters.
    """
    from bot.domain.municipalities.search import find_places  # it imports this package's model only

    result = await find_places(db, query)
    return result.municipalities[:limit], result.total
