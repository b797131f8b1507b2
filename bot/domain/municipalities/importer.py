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

from bot.db import Database, Transaction
from bot.domain.clock import now_db
from bot.domain.errors import InvalidInput
from bot.domain.municipalities.model import KINDS, REQUIRED_COLUMNS, ImportReport, search_key


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
                     search_key(row["municipality_ru"], name_ky_file), now),
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
                     search_key(row["municipality_ru"], name_ky), now, code),
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
