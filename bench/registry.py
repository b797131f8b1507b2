"""Benchmark: the registry of services at national scale.

Builds a temporary SQLite file with the real migrations and the 484 municipalities, then times the
real domain functions on the bot's own aiosqlite connection:

* ``ensure_seeded`` — the lazy copy of the starter catalogue when a municipality first opens its registry;
* the registry's first screen (``area_counts`` + proposals count) and an area page;
* a card (``get_service``/``service_in`` + ``history`` + ``support_count`` + ``is_following`` +
  ``linked_open_problems``), with every municipality seeded and ``--proposals`` resident proposals;
* ``move_status`` of an entry with ``--followers`` followers: the change plus one outbox row per
  follower (the status notice's facts, worded per recipient later by ``bot.notices.registry``), in
  one transaction (what an officer waits for after pressing the button).

Prints medians and 95th percentiles in milliseconds. Goal: reads under 10 ms; a status change with
50,000 followers under 2 s.

Usage: python -m bench.registry [--followers N] [--proposals N] [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bot.db import Database
from bot.domain import registry as reg
from bot.domain.clock import now_db
from bot.domain.municipalities import import_municipalities

OFFICER = 1


def _ms(samples: list[float]) -> str:
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    return f"median {statistics.median(samples) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms"


async def main(followers: int, proposals: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = await Database.open(Path(tmp) / "bench.sqlite3")
        await db.migrate()
        await import_municipalities(db)
        codes = [r[0] for r in await db.fetchall("SELECT code FROM municipalities ORDER BY code")]
        busy = codes[0]

        seed_times = []
        for code in codes:
            start = time.perf_counter()
            await reg.ensure_seeded(db, code)
            seed_times.append(time.perf_counter() - start)
        print(f"ensure_seeded, first opening of each of {len(codes)} municipalities: {_ms(seed_times)}")
        start = time.perf_counter()
        for code in codes:
            await reg.ensure_seeded(db, code)
        print(f"ensure_seeded, already seeded: {(time.perf_counter() - start) / len(codes) * 1000:.3f} ms each")

        now = now_db()
        async with db.transaction() as tx:
            await tx.executemany(
                "INSERT INTO residents (telegram_id, first_name, locale, municipality_code, joined_at, updated_at)"
                " VALUES (?, 'R', ?, ?, ?, ?)",
                [(10 + i, "ky" if i % 2 else "ru", busy, now, now) for i in range(followers)])
            await tx.execute(
                "INSERT INTO officers (telegram_id, municipality_code, granted_by, granted_at) VALUES (?, ?, 0, ?)",
                (10, busy, now))
            await tx.executemany(
                "INSERT INTO services (municipality_code, name_ru, area, registry, status, origin, proposed_by,"
                " created_at, updated_at) VALUES (?, ?, 'social', 'additional', 'proposed', 'resident', 11, ?, ?)",
                [(codes[i % len(codes)], f"Предложение {i}", now, now) for i in range(proposals)])
        target = int(await db.fetchval(
            "SELECT id FROM services WHERE municipality_code = ? AND origin = 'resident' ORDER BY id LIMIT 1", (busy,)))
        async with db.transaction() as tx:
            await tx.executemany(
                "INSERT INTO service_followers (service_id, resident_id, created_at) VALUES (?, ?, ?)",
                [(target, 10 + i, now) for i in range(followers)])
            await tx.executemany(
                "INSERT INTO service_supports (service_id, resident_id, created_at) VALUES (?, ?, ?)",
                [(target, 10 + i, now) for i in range(1, followers)])
        total = await db.fetchval("SELECT count(*) FROM services")
        print(f"database: {total:,} entries, {followers:,} followers of one entry")

        home, area, card = [], [], []
        for _ in range(runs):
            start = time.perf_counter()
            await reg.area_counts(db, busy)
            await reg.list_services(db, busy, statuses=reg.SUPPORTABLE, limit=0)
            home.append(time.perf_counter() - start)
            start = time.perf_counter()
            await reg.list_services(db, busy, area="social", limit=0)
            await reg.list_services(db, busy, area="social", offset=0, limit=8)
            area.append(time.perf_counter() - start)
            start = time.perf_counter()
            service = await reg.service_in(db, target, busy)
            await reg.history(db, service.id)
            await reg.support_count(db, service.id)
            await reg.is_following(db, 12, service.id)
            await reg.linked_open_problems(db, service.id)
            card.append(time.perf_counter() - start)
        print(f"registry first screen: {_ms(home)}")
        print(f"area page: {_ms(area)}")
        print(f"card: {_ms(card)}")

        start = time.perf_counter()
        moved = await reg.move_status(db, officer_id=10, service_id=target, to_status="under_consideration",
                                      comment="Кеңештин сессиясында каралат")
        elapsed = time.perf_counter() - start
        queued = await db.fetchval("SELECT total FROM broadcasts WHERE id = ?", (moved.broadcast_id,))
        assert queued == moved.notified
        print(f"move_status with {followers:,} followers: {elapsed * 1000:.0f} ms, {queued:,} deliveries queued")
        await db.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--followers", type=int, default=50_000)
    parser.add_argument("--proposals", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main(args.followers, args.proposals, args.runs))
