"""The starter catalogue (``bot/resources/municipal_services_examples.csv``), copied into a
municipality on first use (:func:`ensure_seeded`), not at migration: 484 × 14 rows nobody may open."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from bot.db import Database
from bot.domain.errors import NotFound
from bot.domain.clock import now_db
from bot.domain.registry.model import AREAS, CATALOGUE_PATH


@lru_cache(maxsize=1)
def load_catalogue(path: Path = CATALOGUE_PATH) -> tuple[tuple[str, str, str], ...]:
    """Rows ``(name_ru, name_ky, area)`` of the starter catalogue (``name_ky`` empty when not attested).

    Raises:
        ValueError: a row names an area not in :data:`~.model.AREAS`.
    """
    rows = []
    with path.open(encoding="utf-8-sig", newline="") as fp:
        for row in csv.DictReader(fp):
            area = row["area"].strip()
            if area not in AREAS:
                raise ValueError(f"{path.name}: unknown area {area!r}")
            rows.append((row["name_ru"].strip(), (row.get("name_ky") or "").strip(), area))
    return tuple(rows)


async def ensure_seeded(db: Database, municipality_code: str) -> int:
    """Copy the starter catalogue into the municipality's registry the first time it is opened.

    Entries enter the basic registry as ``included``, provided by the ayil okmotu, marked
    unconfirmed until an officer edits them. Idempotent and safe under concurrency (one row in
    ``registry_seeded`` per municipality). Returns the number of entries created (0 if seeded before).

    Raises:
        NotFound: no such municipality.
    """
    if await db.fetchval("SELECT 1 FROM registry_seeded WHERE municipality_code = ?", (municipality_code,)):
        return 0
    catalogue = load_catalogue()
    async with db.transaction() as tx:
        if not await tx.fetchval("SELECT 1 FROM municipalities WHERE code = ?", (municipality_code,)):
            raise NotFound("municipality")
        now = now_db()
        inserted = await tx.execute(
            "INSERT OR IGNORE INTO registry_seeded (municipality_code, seeded_at) VALUES (?, ?)",
            (municipality_code, now),
        )
        if not inserted:
            return 0
        for name_ru, name_ky, area in catalogue:
            service_id = await tx.insert(
                "INSERT INTO services (municipality_code, name_ky, name_ru, area, registry, status, origin, confirmed,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, 'basic', 'included', 'catalogue', 0, ?, ?)",
                (municipality_code, name_ky, name_ru, area, now, now),
            )
            await tx.execute(
                "INSERT INTO service_events (service_id, kind, to_status, actor_role, at)"
                " VALUES (?, 'created', 'included', 'system', ?)",
                (service_id, now),
            )
    return len(catalogue)
