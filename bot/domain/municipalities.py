"""Municipalities of Kyrgyzstan from the SOATE classifier: import, browse, search, naming.

The list is data, not code (../shared/data/SOURCES.md): it ships as
``bot/resources/kg_municipalities.csv`` and is re-imported whenever the file changes, or from any
file with ``python -m bot municipalities import FILE``. The 14-digit SOATE code is the key, so a
renamed municipality keeps its residents; a municipality missing from a newer file is marked
inactive (hidden from the picker) but never deleted. Oblast = first 5 digits of the code,
district = first 8 (SOATE's hierarchy).
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from importlib import resources

from bot.db import Database, Transaction
from bot.domain import InvalidInput, NotFound, PermissionDenied
from bot.domain.clock import now_db
from bot.domain.text import clean_user_text, fold

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


def bundled_csv() -> bytes:
    """The municipality list shipped with the package (484 rows, SOATE 2019–2020 baseline)."""
    return resources.files("bot.resources").joinpath("kg_municipalities.csv").read_bytes()


def _parse(data: bytes) -> list[dict[str, str]]:
    text = data.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput(f"municipality file lacks columns: {', '.join(missing)}")
    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    for line, row in enumerate(reader, start=2):
        row = {k: (v or "").strip() for k, v in row.items() if k}
        code = row["code"]
        if not (code.isdigit() and len(code) == 14):
            raise InvalidInput(f"line {line}: code {code!r} is not a 14-digit SOATE code")
        if code in seen:
            raise InvalidInput(f"line {line}: code {code} appears twice")
        if row["kind"] not in KINDS:
            raise InvalidInput(f"line {line}: kind {row['kind']!r} is not one of {', '.join(KINDS)}")
        if not row["municipality_ru"] or not row["district_ru"] or not row["oblast_ru"]:
            raise InvalidInput(f"line {line}: Russian names are required")
        seen.add(code)
        rows.append(row)
    if not rows:
        raise InvalidInput("municipality file has no rows")
    return rows


async def import_municipalities(db: Database, data: bytes | None = None, *, force: bool = False) -> ImportReport:
    """Import (or re-import) the municipality list in one transaction.

    Args:
        data: CSV bytes with the columns of ``kg_municipalities.csv``; ``None`` means the bundled file,
            which is imported only when its SHA-256 differs from the bundled file seen last time (so a
            restart never undoes an explicit import of another file).
        force: import even when the file's SHA-256 equals the one imported last time.
    Returns:
        counts of added, updated and deactivated municipalities.
    Raises:
        InvalidInput: a column is missing, a code is not 14 digits or is repeated, a kind is unknown.

    A Kyrgyz name set by an officer is kept, whatever the file says; an empty Kyrgyz cell never
    erases a name (empty means "no source found", not "no name").
    """
    bundled = data is None
    data = bundled_csv() if data is None else data
    digest = hashlib.sha256(data).hexdigest()
    # The bundled file is tracked apart from explicit imports: a start re-imports it only when a new
    # release ships a changed file, never undoing a list an administrator imported since.
    meta_key = "bundled_municipalities_sha256" if bundled else "imported_municipalities_sha256"
    if not force and await db.fetchval("SELECT value FROM meta WHERE key = ?", (meta_key,)) == digest:
        total = await db.fetchval("SELECT count(*) FROM municipalities WHERE active = 1")
        return ImportReport(total=total, added=0, updated=0, deactivated=0, skipped_unchanged_file=True)
    rows = _parse(data)
    now = now_db()
    added = updated = 0
    async with db.transaction() as tx:
        existing = {r["code"]: r for r in await tx.fetchall("SELECT * FROM municipalities")}
        for row in rows:
            code = row["code"]
            await _upsert_oblast(tx, code[:5], row["oblast_ru"], row["oblast_ky"] or None)
            await _upsert_district(tx, code[:8], code[:5], row["district_ru"], row["district_ky"] or None)
            old = existing.get(code)
            name_ky_file = row["municipality_ky"] or None
            if old is None:
                await tx.execute(
                    "INSERT INTO municipalities (code, district_code, kind, name_ru, name_ky, name_ky_source,"
                    " search_key, active, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)",
                    (code, code[:8], row["kind"], row["municipality_ru"], name_ky_file,
                     "data" if name_ky_file else None,
                     _search_key(row["municipality_ru"], name_ky_file), now),
                )
                added += 1
                continue
            if old["name_ky_source"] == "officer":
                name_ky, source = old["name_ky"], "officer"
            elif name_ky_file:
                name_ky, source = name_ky_file, "data"
            else:
                name_ky, source = old["name_ky"], old["name_ky_source"]
            changed = (
                old["district_code"] != code[:8] or old["kind"] != row["kind"] or old["name_ru"] != row["municipality_ru"]
                or old["name_ky"] != name_ky or not old["active"]
            )
            if changed:
                await tx.execute(
                    "UPDATE municipalities SET district_code = ?, kind = ?, name_ru = ?, name_ky = ?, name_ky_source = ?,"
                    " search_key = ?, active = 1, updated_at = ? WHERE code = ?",
                    (code[:8], row["kind"], row["municipality_ru"], name_ky, source,
                     _search_key(row["municipality_ru"], name_ky), now, code),
                )
                updated += 1
        codes = {row["code"] for row in rows}
        gone = [code for code, old in existing.items() if code not in codes and old["active"]]
        for code in gone:
            await tx.execute("UPDATE municipalities SET active = 0, updated_at = ? WHERE code = ?", (now, code))
        # Oblasts and districts with no active municipality left are hidden from the picker.
        await tx.execute(
            "UPDATE districts SET active = EXISTS (SELECT 1 FROM municipalities m"
            " WHERE m.district_code = districts.code AND m.active = 1)"
        )
        await tx.execute(
            "UPDATE oblasts SET active = EXISTS (SELECT 1 FROM districts d"
            " WHERE d.oblast_code = oblasts.code AND d.active = 1)"
        )
        await tx.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (meta_key, digest),
        )
    return ImportReport(total=len(rows), added=added, updated=updated, deactivated=len(gone))


async def _upsert_oblast(tx: Transaction, code: str, name_ru: str, name_ky: str | None) -> None:
    await tx.execute(
        "INSERT INTO oblasts (code, name_ru, name_ky, active) VALUES (?, ?, ?, 1)"
        " ON CONFLICT (code) DO UPDATE SET name_ru = excluded.name_ru,"
        " name_ky = coalesce(excluded.name_ky, oblasts.name_ky), active = 1",
        (code, name_ru, name_ky),
    )


async def _upsert_district(tx: Transaction, code: str, oblast_code: str, name_ru: str, name_ky: str | None) -> None:
    await tx.execute(
        "INSERT INTO districts (code, oblast_code, name_ru, name_ky, active) VALUES (?, ?, ?, ?, 1)"
        " ON CONFLICT (code) DO UPDATE SET oblast_code = excluded.oblast_code, name_ru = excluded.name_ru,"
        " name_ky = coalesce(excluded.name_ky, districts.name_ky), active = 1",
        (code, oblast_code, name_ru, name_ky),
    )


def _search_key(name_ru: str, name_ky: str | None) -> str:
    return fold(" | ".join(n for n in (name_ru, name_ky) if n))


def _sort_key(locale: str):
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


SEARCH_QUERY_MAX = 60
"""Longest search query accepted, in characters: longer text cannot be a municipality name."""
SEARCH_QUERY_MIN = 2


async def search_municipalities(db: Database, query: str, *, limit: int = 8) -> tuple[list[Place], int]:
    """Active municipalities whose Russian or Kyrgyz name contains every word of ``query``.

    Matching is on :func:`bot.domain.text.fold`ed text, so "кок жангак" finds "Көк-Жаңгак" and
    "Кок-Жангак". Results whose name starts with the query come first, then alphabetical.

    Returns:
        (up to ``limit`` places, total number of matches).
    Raises:
        InvalidInput: the query is shorter than 2 or longer than :data:`SEARCH_QUERY_MAX` characters.
    """
    query = clean_user_text(query)
    folded = fold(query)
    if len(folded) < SEARCH_QUERY_MIN:
        raise InvalidInput("query too short", limit=SEARCH_QUERY_MIN, actual=len(folded))
    if len(query) > SEARCH_QUERY_MAX:
        raise InvalidInput("query too long", limit=SEARCH_QUERY_MAX, actual=len(query))
    words = folded.split(" ")
    where = " AND ".join("instr(search_key, ?) > 0" for _ in words)
    rows = await db.fetchall(
        f"SELECT code, name_ru, name_ky, kind, search_key FROM municipalities WHERE active = 1 AND {where}",
        words,
    )

    def rank(r) -> tuple[int, str]:
        names = r["search_key"].split(" | ")
        starts = any(n.startswith(folded) or n.startswith("г " + folded) for n in names)
        return (0 if starts else 1, r["search_key"])

    rows.sort(key=rank)
    return [Place(r["code"], r["name_ru"], r["name_ky"], r["kind"]) for r in rows[:limit]], len(rows)


async def set_name_ky(db: Database, *, officer_id: int, municipality_code: str, name_ky: str) -> Place:
    """An officer sets the Kyrgyz name of their own municipality.

    Raises:
        PermissionDenied: the actor is not an officer of ``municipality_code``.
        InvalidInput: the name is empty or longer than :data:`NAME_MAX_LENGTH` characters, or has a line break.
        NotFound: no such municipality.
    """
    name = clean_user_text(name_ky)
    if not name or "\n" in name:
        raise InvalidInput("name must be one non-empty line", limit=NAME_MAX_LENGTH, actual=len(name))
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidInput("name too long", limit=NAME_MAX_LENGTH, actual=len(name))
    async with db.transaction() as tx:
        own = await tx.fetchval("SELECT municipality_code FROM officers WHERE telegram_id = ?", (officer_id,))
        if own is None or own != municipality_code:
            raise PermissionDenied("not an officer of this municipality")
        row = await tx.fetchone("SELECT name_ru FROM municipalities WHERE code = ?", (municipality_code,))
        if row is None:
            raise NotFound("municipality")
        await tx.execute(
            "UPDATE municipalities SET name_ky = ?, name_ky_source = 'officer', name_ky_set_by = ?,"
            " search_key = ?, updated_at = ? WHERE code = ?",
            (name, officer_id, _search_key(row["name_ru"], name), now_db(), municipality_code),
        )
    place = await get_municipality(db, municipality_code)
    assert place is not None
    return place
