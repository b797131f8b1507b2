"""Finding a municipality by what a villager really types.

A query and every name are reduced to a *skeleton* (:func:`skeleton`): folded (ө/ү/ң/ё typed as
о/у/н/е, case, hyphens), with о, ө and е as one vowel (the list writes Kyrgyz ө as е: "Таш-Дөбө" is
"Таш-Дебе"), written in a rough Latin (Kyrgyz and Russian Cyrillic and the Latin people
type — "bishkek", "jalal-abad", "dzhalal-abad", "kyzyl" — land on the same letters), doubled letters
collapsed ("таласс" = "талас"), and spaces dropped ("карабалта" = "Кара-Балта"). Generic words
("айылный аймак", "району", "г.") and the Russian adjective ending ("Аламудунский") are left out of
the names matched against.

Matching, in order (the first tier that finds anything wins):

1. *exact*: every word of the query starts a word of the name, or the whole query (4 letters or
   more, spaces dropped) is part of it;
2. *close*: the query is within one wrong, missing, extra or swapped letter (queries of 4–5
   letters) or two (6 letters and more) of the start of a name or of one of its words (restricted
   Damerau–Levenshtein, :mod:`rapidfuzz`), so "аламедин" finds Аламүдүн and "alamedin" too;
3. nothing: :attr:`SearchResult.suggestions` holds the closest names.

Districts (with more than one municipality) are matched the same way, so typing a district's name
offers the district to browse. The index (484 municipalities, 40 districts) is built once per
database and kept in memory (dropped by an import and by an officer's Kyrgyz name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz.distance import OSA
from rapidfuzz.process import cdist

from bot.db import Database
from bot.domain.municipalities.model import (
    SEARCH_QUERY_MAX,
    SEARCH_QUERY_MIN,
    Place,
    SearchQueryTooLong,
    SearchQueryTooShort,
)
from bot.domain.text import clean_user_text, fold
from bot.store import municipalities as store

SEARCH_CACHE = "municipality_search"
"""Key of the per-database cache of the search index (dropped by an import and by a Kyrgyz name set)."""

SUGGESTIONS = 5
"""How many closest names are offered when nothing matches."""

_CYRILLIC_TO_LATIN = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "j", "з": "z", "и": "i", "й": "i",
    "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "", "ы": "i", "ь": "", "э": "e",
    "ю": "iu", "я": "ia", "ө": "o", "ү": "u", "ң": "n", "ё": "e",
    # letters of Latin spellings people type
    "y": "i", "w": "v", "q": "k", "x": "h", "ü": "u", "ö": "o", "ñ": "n", "ı": "i",
})
# One vowel for о, ө and е (and ё, э; Latin o, ö, e): Kyrgyz ө is written е in the Russian forms of the
# list ("Таш-Дөбө" is filed as "Таш-Дебе") and о by people typing without Kyrgyz letters ("Таш-Добо").
# ү/у and ң/н are one letter already (``fold`` and the table above).
_MERGED_VOWELS = str.maketrans({"e": "o"})
# Latin letter groups written differently for one sound, all reduced to one spelling (order matters).
_LATIN_GROUPS = (("dzh", "j"), ("dj", "j"), ("zh", "j"), ("kh", "h"), ("ng", "n"), ("c(?!h)", "ts"))
_GROUPS = re.compile("|".join(f"({pattern})" for pattern, _ in _LATIN_GROUPS))
_DOUBLES = re.compile(r"(.)\1+")


def _single(match: re.Match[str]) -> str:
    """A doubled letter becomes one ("сс" → "с"); a longer run ("zzzz") is kept, it is no spelling."""
    run = match.group(0)
    return run[0] if len(run) == 2 else run
_GENERIC = frozenset({
    "г", "с", "айылный", "аймак", "айыл", "аймагы", "шаары", "район", "району", "область", "облусу", "поселок",
})
_ADJECTIVE = re.compile(r"(ск(ий|ой|ая|ое))$")


def _latin(folded: str) -> str:
    text = folded.translate(_CYRILLIC_TO_LATIN)
    text = _GROUPS.sub(lambda m: _LATIN_GROUPS[m.lastindex - 1][1] if m.lastindex else "", text)
    return _DOUBLES.sub(_single, text.translate(_MERGED_VOWELS))


_GENERIC_LATIN = frozenset(_latin(word) for word in _GENERIC)


def skeleton(text: str) -> str:
    """The rough-Latin form searches compare, words separated by one space.

    ``skeleton("Көк-Жаңгак") == skeleton("kok-jangak") == skeleton("кок жангак") == "kok janak"``;
    ``skeleton("Таласс") == skeleton("Talas") == "talas"``; о, ө and е are one vowel:
    ``skeleton("Таш-Дөбө") == skeleton("Таш-Дебе") == skeleton("tash-dobo") == "tash dobo"``.
    """
    return " ".join(w for w in (_latin(word) for word in fold(text).split(" ")) if w)


def _stems(word: str) -> list[str]:
    """A Russian adjective's possible base names, for search only ("арчинский" → "арчин", "арча";
    "васильевский" → "васильев", "васильевка"); any other word as it is."""
    match = _ADJECTIVE.search(word)
    if not match or match.start() == 0:
        return [word]
    stem = word[:match.start()].rstrip("ь")
    stems = [stem]
    if stem.endswith(("ин", "ын")) and len(stem) > 3:
        stems.append(stem[:-2] + "а")
    if stem.endswith(("ев", "ов")):
        stems.append(stem + "ка")
    if stem.endswith("й") and len(stem) > 2:
        stems.append(stem[:-1])
    return stems


def _word_lists(text: str) -> list[list[str]]:
    """Skeletons of the words of a name (or query) without generic words, one list per base name of
    a Russian adjective at its end; the words as they are when all are generic ("район")."""
    folded = [w for w in fold(text).split(" ") if w]
    words = [w for w in folded if _latin(w) not in _GENERIC_LATIN] or folded  # "шаары" and "shaary" alike
    if not words:
        return []
    lists = [[*words[:-1], stem] for stem in _stems(words[-1])]
    return [latin for latin in ([w for w in (_latin(x) for x in words) if w] for words in lists) if latin]


def _cores(words: list[str]) -> list[str]:
    """The skeletons a name is matched by: its words from each word on, spaces dropped (longest first)."""
    return ["".join(words[i:]) for i in range(len(words))]


@dataclass(frozen=True)
class _Entry:
    place: Place
    district_code: str  # the district of a municipality; a district's own code for a district
    words: tuple[str, ...]  # skeletons of the words of both names
    cores: tuple[str, ...]
    sort: str
    word_text: str = ""  # " " before every word: a word starts with ``w`` when " " + w is in it
    core_text: str = ""  # the cores, "|" between them: the query (no "|") is in a core when it is in this

    def __post_init__(self) -> None:
        object.__setattr__(self, "word_text", "".join(" " + w for w in self.words))
        object.__setattr__(self, "core_text", "|".join(self.cores))


def _entry(place: Place, district_code: str) -> _Entry:
    names = [n for n in (place.name_ru, place.name_ky) if n]
    cores: list[str] = []
    words: list[str] = []
    for name in names:
        for name_words in _word_lists(name):
            words.extend(w for w in name_words if w not in words)
            cores.extend(c for c in _cores(name_words) if c not in cores)
    return _Entry(place, district_code, tuple(words), tuple(cores), fold(place.name_ru))


@dataclass
class _Tier:
    """Entries with their cores laid out flat, for one vectorized distance call per query."""

    entries: list[_Entry]
    cores: list[str] = field(default_factory=list)
    owner: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))  # core → entry
    starts: dict[int, list[str]] = field(default_factory=dict)  # length → every core's start of it

    def starts_of(self, length: int) -> list[str]:
        """Every core cut to ``length`` letters (kept: at most :data:`SEARCH_QUERY_MAX` + 2 lists)."""
        if length not in self.starts:
            self.starts[length] = [core[:length] for core in self.cores]
        return self.starts[length]

    def __post_init__(self) -> None:
        owners = []
        for i, entry in enumerate(self.entries):
            self.cores.extend(entry.cores)
            owners.extend([i] * len(entry.cores))
        self.owner = np.array(owners, dtype=np.int32)

    def best_per_entry(self, per_core: np.ndarray, worst: float) -> np.ndarray:
        """The smallest of each entry's core values (``worst`` for an entry without cores)."""
        best = np.full(len(self.entries), worst, dtype=np.float64)
        np.minimum.at(best, self.owner, per_core)
        return best


@dataclass
class _Index:
    municipalities: _Tier
    districts: _Tier


async def _index(db: Database) -> _Index:
    cached = db.cache.get(SEARCH_CACHE)
    if isinstance(cached, _Index):
        return cached
    municipalities, districts = await store.search_index(db)
    sizes: dict[str, int] = {}
    for _place, district_code in municipalities:
        sizes[district_code] = sizes.get(district_code, 0) + 1
    index = _Index(
        _Tier([_entry(place, district_code) for place, district_code in municipalities]),
        _Tier([_entry(d, d.code) for d in districts if sizes.get(d.code, 0) > 1]),
    )
    db.cache[SEARCH_CACHE] = index
    return index


def tolerance(query_skeleton: str) -> int:
    """Wrong letters allowed for a query (its skeleton without spaces): 0 under 4 letters, 1 for 4–5, 2 above."""
    n = len(query_skeleton)
    return 0 if n < 4 else 1 if n <= 5 else 2


def _prefix_distances(query: str, tier: _Tier, limit: int) -> np.ndarray:
    """Per core, the fewest edits (restricted Damerau–Levenshtein) from ``query`` to a start of the
    core (``limit + 1`` when more than ``limit``): every start of ``len(query) ± limit`` letters in
    one call into rapidfuzz."""
    n = len(query)
    best = np.full(len(tier.cores), limit + 1, dtype=np.float64)
    if not tier.cores:
        return best
    for length in range(max(1, n - limit), n + limit + 1):
        row = cdist([query], tier.starts_of(length), scorer=OSA.distance, score_cutoff=limit, dtype=np.int32,
                    workers=1)[0]
        np.minimum(best, row, out=best)
    return best


@dataclass(frozen=True)
class SearchResult:
    """What a typed name found.

    ``municipalities``: every match, best first; ``districts``: districts whose name matches (each
    with more than one municipality, to browse); ``close``: matched within a few wrong letters rather
    than exactly; ``suggestions``: when nothing matched, the closest municipality and district names
    (a district has an 8-digit code); ``district_of``: municipality code → its district's code.
    """

    municipalities: list[Place]
    districts: list[Place]
    close: bool = False
    suggestions: list[Place] = field(default_factory=list)
    district_of: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Number of municipalities found."""
        return len(self.municipalities)


def _exact(tier: _Tier, words: list[str], compact: str) -> list[_Entry]:
    entries = tier.entries
    spaced = [" " + w for w in words]
    anywhere = len(compact) > 3
    hits = [e for e in entries
            if all(w in e.word_text for w in spaced) or (anywhere and compact in e.core_text)]
    hits.sort(key=lambda e: (0 if any(core.startswith(compact) for core in e.cores) else 1, e.sort))
    return hits


def _close(tier: _Tier, compact: str, limit: int) -> list[_Entry]:
    best = tier.best_per_entry(_prefix_distances(compact, tier, limit), limit + 1)
    scored = [(best[i], entry.sort, entry) for i, entry in enumerate(tier.entries) if best[i] <= limit]
    scored.sort(key=lambda t: (t[0], t[1]))
    return [entry for _, _, entry in scored]


def _suggestions(index: _Index, compact: str) -> list[Place]:
    scored: list[tuple[float, str, Place]] = []
    for tier in (index.municipalities, index.districts):
        starts = tier.starts_of(len(compact))
        if not starts:
            continue
        distances = cdist([compact], starts, scorer=OSA.normalized_distance, workers=1)[0]
        best = tier.best_per_entry(distances, 1.0)
        scored.extend((best[i], entry.sort, entry.place) for i, entry in enumerate(tier.entries))
    scored.sort(key=lambda t: (t[0], t[1]))
    return [place for _, _, place in scored[:SUGGESTIONS]]


def parse_query(query: str) -> str:
    """The query as cleaned for showing back.

    Raises:
        SearchQueryTooShort: under :data:`SEARCH_QUERY_MIN` letters once folded.
        SearchQueryTooLong: over :data:`SEARCH_QUERY_MAX` characters.
    """
    cleaned = clean_user_text(query)
    if len(cleaned) > SEARCH_QUERY_MAX:
        raise SearchQueryTooLong(limit=SEARCH_QUERY_MAX, actual=len(cleaned))
    folded = fold(cleaned)
    if len(folded) < SEARCH_QUERY_MIN:
        raise SearchQueryTooShort(limit=SEARCH_QUERY_MIN, actual=len(folded))
    return cleaned


async def find_places(db: Database, query: str) -> SearchResult:
    """Municipalities and districts named like ``query`` (exact tier, else close tier, else suggestions;
    see the module's docstring). Over 484 municipalities this takes about a millisecond
    (``bench/municipality_search.py``).

    Raises:
        SearchQueryTooShort: under :data:`SEARCH_QUERY_MIN` letters once folded.
        SearchQueryTooLong: over :data:`SEARCH_QUERY_MAX` characters.
    """
    cleaned = parse_query(query)
    index = await _index(db)
    lists = _word_lists(cleaned)  # "кеминский район" is looked for as "кемин"
    if not lists:  # only signs: nothing can match, and nothing is close
        return SearchResult([], [])
    words = lists[0]
    compact = "".join(words)
    municipalities = _exact(index.municipalities, words, compact)
    districts = _exact(index.districts, words, compact)
    close = False
    if not municipalities and not districts:
        limit = tolerance(compact)
        if limit:
            municipalities = _close(index.municipalities, compact, limit)
            districts = _close(index.districts, compact, limit)
            close = True
    suggestions = [] if municipalities or districts else _suggestions(index, compact)
    return SearchResult(
        [e.place for e in municipalities], [e.place for e in districts], close, suggestions,
        {e.place.code: e.district_code for e in municipalities},
    )
