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
from bot.store import registry as store


@lru_cache(maxsize=1)
def load_catalogue(path: Path = CATALOGUE_PATH) -> tuple[tuple[str, str, str], ...]:
    """Rows ``(name_ru, name_ky, area)`` of the starter catalogue. ``name_ky`` is attested or, where no
    Kyrgyz wording was found, a translation (the file's ``name_ky_source`` says which); an empty one is
    still allowed (the Russian name is shown then).

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
    if await store.is_seeded(db, municipality_code):
        return 0
    catalogue = load_catalogue()
    async with db.transaction() as tx:
        if not await store.municipality_exists(tx, municipality_code):
            raise NotFound("municipality")
        now = now_db()
        if not await store.mark_seeded(tx, municipality_code, at=now):
            return 0
        await store.insert_catalogue(tx, municipality_code, catalogue, at=now)
    return len(catalogue)
