"""Importing the SOATE municipality list (../shared/data/SOURCES.md).

The list is data, not code: it ships as ``bot/resources/kg_municipalities.csv`` and is re-imported
whenever the file changes, or from any file with ``python -m bot municipalities import FILE``. The
14-digit SOATE code is the key, so a renamed municipality keeps its residents; a municipality missing
from a newer file is marked inactive (hidden from the picker) but never deleted.
"""

from __future__ import annotations

import csv
import hashlib
import io
from importlib import resources

from bot.db import Database
from bot.domain.clock import now_db
from bot.domain.errors import InvalidInput
from bot.domain.municipalities.model import KINDS, REQUIRED_COLUMNS, ImportReport, search_key
from bot.store import municipalities as store


def bundled_csv() -> bytes:
    """The municipality list shipped with the package (484 rows, SOATE 2019–2020 baseline), with the
    attested Kyrgyz names of ``ky_names_sources.csv`` filled in (:func:`with_attested_names`)."""
    files = resources.files("bot.resources")
    return with_attested_names(files.joinpath("kg_municipalities.csv").read_bytes(),
                               files.joinpath("ky_names_sources.csv").read_bytes())


def with_attested_names(data: bytes, sources: bytes) -> bytes:
    """``data`` (a municipality list) with empty Kyrgyz cells filled from ``sources``
    (``code, level, name_ky, attested_as, confidence, source_url``: one attested name per row).

    Only attested names are used, never guessed ones (bot/resources/SOURCES.md): a ``municipality``
    row fills ``municipality_ky``, a ``district`` row ``district_ky`` (by the first 8 digits), and a
    city that SOATE files as its own district (``district_ru`` = ``municipality_ru``, as г. Нарын)
    takes its municipality's attested name as the district's. A name already in ``data`` is kept.
    """
    names: dict[tuple[str, str], str] = {}
    for row in csv.DictReader(io.StringIO(sources.decode("utf-8-sig"))):
        code, level, name = (row.get(k) or "" for k in ("code", "level", "name_ky"))
        if code.strip() and name.strip() and level.strip() in ("municipality", "district"):
            key = code.strip() if level.strip() == "municipality" else code.strip()[:8]
            names[(level.strip(), key)] = name.strip()
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    fields = list(reader.fieldnames or [])
    if not {"code", "municipality_ky", "district_ky", "district_ru", "municipality_ru"} <= set(fields):
        return data  # _parse says what is missing
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in reader:
        code = (row.get("code") or "").strip()
        if not (row.get("municipality_ky") or "").strip():
            row["municipality_ky"] = names.get(("municipality", code), "")
        if not (row.get("district_ky") or "").strip():
            own_district = (row.get("district_ru") or "").strip() == (row.get("municipality_ru") or "").strip()
            row["district_ky"] = names.get(("district", code[:8]), "") or (
                row["municipality_ky"] if own_district else "")
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


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
    if not force and await store.meta_value(db, meta_key) == digest:
        total = await store.count_active(db)
        return ImportReport(total=total, added=0, updated=0, deactivated=0, skipped_unchanged_file=True)
    rows = _parse(data)
    now = now_db()
    inserts: list[tuple[str, str, str, str, str | None, str | None, str, str]] = []
    updates: list[tuple[str, str, str, str | None, str | None, str, str, str]] = []
    async with db.transaction() as tx:
        tx.after_commit.append(lambda: tx.cache.pop("locations", None))  # places.LOCATIONS_CACHE
        tx.after_commit.append(lambda: tx.cache.pop("municipality_search", None))  # search.SEARCH_CACHE
        existing = await store.all_municipalities(tx)
        # every row's oblast and district, in file order (the last row naming one decides, as before)
        await store.upsert_oblasts(tx, [(r["code"][:5], r["oblast_ru"], r["oblast_ky"] or None) for r in rows])
        await store.upsert_districts(
            tx, [(r["code"][:8], r["code"][:5], r["district_ru"], r["district_ky"] or None) for r in rows])
        for row in rows:
            code = row["code"]
            old = existing.get(code)
            name_ky_file = row["municipality_ky"] or None
            if old is None:
                inserts.append((code, code[:8], row["kind"], row["municipality_ru"], name_ky_file,
                                "data" if name_ky_file else None,
                                search_key(row["municipality_ru"], name_ky_file), now))
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
                updates.append((code[:8], row["kind"], row["municipality_ru"], name_ky, source,
                                search_key(row["municipality_ru"], name_ky), now, code))
        await store.insert_municipalities(tx, inserts)
        await store.update_municipalities(tx, updates)
        codes = {row["code"] for row in rows}
        gone = [code for code, old in existing.items() if code not in codes and old["active"]]
        await store.deactivate_municipalities(tx, gone, now)
        # Oblasts and districts with no active municipality left are hidden from the picker.
        await store.refresh_active_districts_and_oblasts(tx)
        await store.set_meta_value(tx, meta_key, digest)
    return ImportReport(total=len(rows), added=len(inserts), updated=len(updates), deactivated=len(gone))

