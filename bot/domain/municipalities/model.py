"""Municipalities as the domain sees them: places, their names, the bounds of names and searches.

Oblast = first 5 digits of the 14-digit SOATE code, district = first 8 (SOATE's hierarchy).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.errors import InvalidInput, TextTooLong, TextTooShort
from bot.domain.text import fold

REQUIRED_COLUMNS = ("oblast_ru", "oblast_ky", "district_ru", "district_ky", "municipality_ru", "municipality_ky", "kind", "code")
KINDS = ("city", "town", "ayil_aimak")
NAME_MAX_LENGTH = 100
"""Longest Kyrgyz name an officer may set, in characters (the longest attested name is ~60)."""


@dataclass(frozen=True)
class Place:
    """An oblast, district or municipality as shown in a picker.

    ``name_ky`` is ``None`` when no Kyrgyz name is attested; :meth:`name` then falls back to Russian.
    """

    code: str
    name_ru: str
    name_ky: str | None
    kind: str | None = None

    def name(self, locale: str) -> str:
        """The name in ``locale`` (``ky`` or ``ru``); Russian where the Kyrgyz one is missing."""
        if locale == "ky" and self.name_ky:
            return self.name_ky
        return self.name_ru


@dataclass(frozen=True)
class ImportReport:
    """What :func:`import_municipalities` did: counts of rows, and whether anything changed."""

    total: int
    added: int
    updated: int
    deactivated: int
    skipped_unchanged_file: bool = False


@dataclass(frozen=True)
class Location:
    """A municipality with its district and oblast, for "you live in …" texts."""

    municipality: Place
    district: Place
    oblast: Place

    def context(self, locale: str) -> list[str]:
        """District and oblast names for "Municipality (District, Oblast)", without repeats: a city that
        SOATE files as its own district (г. Токмок) or its own oblast (Bishkek, Osh) is not named twice."""
        parts = []
        if self.district.name_ru != self.municipality.name_ru:
            parts.append(self.district.name(locale))
        if self.oblast.name_ru not in (self.municipality.name_ru, self.district.name_ru):
            parts.append(self.oblast.name(locale))
        return parts


SEARCH_QUERY_MAX = 60
"""Longest search query accepted, in characters: longer text cannot be a municipality name."""
SEARCH_QUERY_MIN = 2



class SearchQueryTooShort(TextTooShort):
    """A search query under :data:`SEARCH_QUERY_MIN` letters once folded (``limit``, ``actual``)."""


class SearchQueryTooLong(TextTooLong):
    """A search query over :data:`SEARCH_QUERY_MAX` characters: it cannot be a municipality name."""


class NameNotOneLine(InvalidInput):
    """A Kyrgyz name with a line break: a name is one line."""


def search_key(name_ru: str, name_ky: str | None) -> str:
    """The folded text a search matches against: both names, ``" | "`` between them."""
    return fold(" | ".join(n for n in (name_ru, name_ky) if n))
