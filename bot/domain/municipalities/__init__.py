"""Municipalities of Kyrgyzstan from the SOATE classifier: import, browse, search, naming.

- :mod:`.model` — :class:`Place`, :class:`Location`, bounds of names and searches, their errors;
- :mod:`.importer` — the bundled list and :func:`import_municipalities` (re-import keeps residents);
- :mod:`.places` — oblast → district → municipality lists, lookups, :func:`search_municipalities`;
- :mod:`.search` — :func:`find_places`: typed names with wrong letters, Latin, Russian spellings;
- :mod:`.naming` — :func:`set_name_ky`, an officer's Kyrgyz name for their own municipality.

The 14-digit SOATE code is the key; oblast = first 5 digits, district = first 8.
"""

from __future__ import annotations

from bot.domain.municipalities.importer import bundled_csv, import_municipalities
from bot.domain.municipalities.model import (
    KINDS,
    NAME_MAX_LENGTH,
    REQUIRED_COLUMNS,
    SEARCH_QUERY_MAX,
    SEARCH_QUERY_MIN,
    ImportReport,
    Location,
    NameNotOneLine,
    Place,
    SearchQueryTooLong,
    SearchQueryTooShort,
    search_key,
)
from bot.domain.municipalities.naming import set_name_ky
from bot.domain.municipalities.search import SearchResult, find_places, skeleton
from bot.domain.municipalities.places import (
    get_district,
    get_municipality,
    get_oblast,
    list_districts,
    list_municipalities,
    list_oblasts,
    locate,
    search_municipalities,
)

__all__ = [
    "KINDS", "NAME_MAX_LENGTH", "REQUIRED_COLUMNS", "SEARCH_QUERY_MAX", "SEARCH_QUERY_MIN", "ImportReport",
    "Location", "NameNotOneLine", "Place", "SearchQueryTooLong", "SearchResult", "find_places", "skeleton", "SearchQueryTooShort", "bundled_csv",
    "get_district", "get_municipality", "get_oblast", "import_municipalities", "list_districts",
    "list_municipalities", "list_oblasts", "locate", "search_key", "search_municipalities", "set_name_ky",
]
