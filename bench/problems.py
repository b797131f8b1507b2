"""Benchmark: the ranked first page and a problem card on a national-scale database.

Generates (by default) 1,000,000 residents, 100,000 problems and 2,000,000 supports into a
temporary SQLite file migrated with the real migrations and the real 484 municipalities, then
times, through the real domain functions on the bot's own aiosqlite connection:

* ``ranked_page`` (first page, 5 cards + total) of the busiest municipality and of a typical one;
* a problem card: ``get_problem`` + ``history`` + ``is_supporting`` (what the card handler reads);
* ``similar_problems`` and ``supported_problems`` for context.

Prints the median and 95th percentile of many runs in milliseconds, and the database size.
Goal (issue #4): under 10 ms each on this machine.

Usage: python -m bench.problems [--residents N] [--problems N] [--supports N] [--runs N] [--keep PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from bot.db import Database
from bot.domain import problems as pb
from bot.domain.municipalities import import_municipalities
from bot.store.problems import OPEN_WHERE

CATEGORIES = list(pb.CATEGORIES)
WORDS = ("суу жок кран түтүк жол чуңкур мектеп бала бакча жарык таштанды сугат арык көпүрө клуб оорукана "
         "дорога вода свет мусор школа мост канал автобус остановка площадка").split()
STATUS_WEIGHTS = [("new", 30), ("under_review", 15), ("prioritized", 10), ("in_action_plan", 5), ("at_hearing", 5),
                  ("in_budget", 5), ("in_progress", 5), ("solved", 15), ("rejected", 8), ("duplicate", 2)]


def _weights(n: int, rng: random.Random) -> list[float]:
    """Zipf-like shares: a few big towns, many small ayil aimaks."""
    raw = [1 / (rank + 1) ** 0.9 for rank in range(n)]
    rng.shuffle(raw)
    total = sum(raw)
    return [w / total for w in raw]


def generate(path: Path, residents: int, problems: int, supports: int, seed: int = 7) -> dict:
    """Bulk-load the data with plain sqlite3 (triggers off during the load, counts set after)."""
    rng = random.Random(seed)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-400000")
    codes = [r[0] for r in conn.execute("SELECT code FROM municipalities ORDER BY code")]
    shares = _weights(len(codes), rng)
    # residents: a contiguous id range per municipality
    ranges: dict[str, tuple[int, int]] = {}
    start = 1_000_000
    counts = [max(1, int(residents * s)) for s in shares]
    counts[0] += residents - sum(counts)
    now = "2026-01-01T00:00:00Z"
    conn.execute("BEGIN")
    for code, count in zip(codes, counts, strict=True):
        ranges[code] = (start, start + count)
        conn.executemany(
            "INSERT INTO residents (telegram_id, first_name, locale, municipality_code, joined_at, updated_at)"
            " VALUES (?, 'Бакыт', ?, ?, ?, ?)",
            ((i, "ky" if i % 3 else "ru", code, now, now) for i in range(start, start + count)))
        start += count
    conn.execute("COMMIT")

    # problems: by municipality share; supports: ~supports/problems each, skewed
    triggers = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'problem_supports'").fetchall()
    for (sql,) in triggers:
        name = sql.split()[2]
        conn.execute(f"DROP TRIGGER {name}")
    statuses, status_w = zip(*STATUS_WEIGHTS, strict=True)
    per_problem = supports / problems
    problem_codes = rng.choices(codes, weights=shares, k=problems)
    conn.execute("BEGIN")
    base = 1_700_000_000
    support_rows = 0
    for pid, code in enumerate(problem_codes, start=1):
        low, high = ranges[code]
        author = rng.randrange(low, high)
        status = rng.choices(statuses, weights=status_w)[0]
        if status == "duplicate" and pid == 1:
            status = "new"
        words = rng.sample(WORDS, 6)
        text = " ".join(words).capitalize() + ", " + " ".join(rng.sample(WORDS, 8)) + "."
        created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(base + pid * 300))
        conn.execute(
            "INSERT INTO problems (id, municipality_code, author_id, category, text, search_key, photos, status,"
            " duplicate_of, hidden, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (pid, code, author, rng.choice(CATEGORIES), text, " ".join(pb.search_stems(text)),
             json.dumps(["AgACAgIAAxkBAAI" + str(pid)] if pid % 4 == 0 else []), status,
             pid - 1 if status == "duplicate" else None,
             1 if pid % 100 == 0 else 0, created, created))
        wanted = min(high - low, int(rng.paretovariate(1.6) * per_problem * 0.4))
        supporters = {author, *rng.sample(range(low, high), max(0, wanted - 1))} if wanted > 1 else {author}
        conn.executemany("INSERT OR IGNORE INTO problem_supports (problem_id, resident_id, created_at) VALUES (?, ?, ?)",
                         ((pid, r, created) for r in supporters))
        support_rows += len(supporters)
        events = [(pid, author, "created", None, "new", created)]
        if status != "new":
            events.append((pid, 1, "status", "new", status, created))
        conn.executemany("INSERT INTO problem_events (problem_id, actor_id, action, old_status, new_status, at)"
                         " VALUES (?, ?, ?, ?, ?, ?)", events)
        if pid % 20_000 == 0:
            conn.execute("COMMIT")
            conn.execute("BEGIN")
    conn.execute("COMMIT")
    # top up to the wanted number of supports with random residents of the problem's municipality
    conn.execute("BEGIN")
    missing = supports - support_rows
    rows = conn.execute("SELECT id, municipality_code FROM problems").fetchall()
    batch = []
    while missing > 0:
        pid, code = rows[rng.randrange(len(rows))]
        low, high = ranges[code]
        batch.append((pid, rng.randrange(low, high), "2026-01-01T00:00:00Z"))
        missing -= 1
        if len(batch) >= 100_000:
            conn.executemany("INSERT OR IGNORE INTO problem_supports VALUES (?, ?, ?)", batch)
            batch.clear()
    conn.executemany("INSERT OR IGNORE INTO problem_supports VALUES (?, ?, ?)", batch)
    conn.execute("UPDATE problems SET supports = (SELECT count(*) FROM problem_supports s WHERE s.problem_id = problems.id)")
    conn.execute("COMMIT")
    for (sql,) in triggers:
        conn.execute(sql)
    conn.execute("ANALYZE")
    totals = {
        "residents": conn.execute("SELECT count(*) FROM residents").fetchone()[0],
        "problems": conn.execute("SELECT count(*) FROM problems").fetchone()[0],
        "supports": conn.execute("SELECT count(*) FROM problem_supports").fetchone()[0],
        "events": conn.execute("SELECT count(*) FROM problem_events").fetchone()[0],
    }
    conn.close()
    return totals


async def timed(label: str, runs: int, make) -> None:
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        await make()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    p95 = samples[int(len(samples) * 0.95) - 1]
    print(f"  {label:<52} median {statistics.median(samples):7.3f} ms   p95 {p95:7.3f} ms   ({runs} runs)")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--problems", type=int, default=100_000)
    parser.add_argument("--supports", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--keep", type=Path, help="write the database here and keep it")
    args = parser.parse_args()

    tmp = None
    if args.keep:
        path = args.keep
        if path.exists():
            path.unlink()
    else:
        tmp = tempfile.TemporaryDirectory(prefix="jamaat-bench-")
        path = Path(tmp.name) / "bench.sqlite3"
    db = await Database.open(path)
    await db.migrate()
    await import_municipalities(db)
    await db.close()

    t0 = time.perf_counter()
    totals = generate(path, args.residents, args.problems, args.supports)
    print(f"generated {totals} in {time.perf_counter() - t0:.1f} s")

    db = await Database.open(path)
    busiest = await db.fetchone(
        f"SELECT municipality_code, count(*) AS n FROM problems WHERE {OPEN_WHERE}"
        " GROUP BY municipality_code ORDER BY n DESC LIMIT 1")
    typical = await db.fetchone(
        f"SELECT municipality_code, n FROM (SELECT municipality_code, count(*) AS n FROM problems WHERE {OPEN_WHERE}"
        " GROUP BY municipality_code ORDER BY n) LIMIT 1 OFFSET 240")
    top = await db.fetchone(
        "SELECT id, author_id FROM problems WHERE municipality_code = ? ORDER BY supports DESC LIMIT 1",
        (busiest["municipality_code"],))
    rng = random.Random(1)
    ids = [r[0] for r in await db.fetchall("SELECT id FROM problems ORDER BY random() LIMIT 500")]
    heavy_supporter = await db.fetchval(
        "SELECT resident_id FROM problem_supports GROUP BY resident_id ORDER BY count(*) DESC LIMIT 1")

    print(f"busiest municipality {busiest['municipality_code']}: {busiest['n']} open problems; "
          f"typical {typical['municipality_code']}: {typical['n']}")
    await timed("ranked first page, busiest municipality", args.runs,
                lambda: pb.ranked_page(db, busiest["municipality_code"], page=0, size=5))
    await timed("ranked first page, typical municipality", args.runs,
                lambda: pb.ranked_page(db, typical["municipality_code"], page=0, size=5))
    await timed("ranked page 20, busiest municipality", args.runs,
                lambda: pb.ranked_page(db, busiest["municipality_code"], page=20, size=5))

    async def card(problem_id: int, viewer: int) -> None:
        problem = await pb.get_problem(db, problem_id)
        await pb.history(db, problem.id)
        await pb.is_supporting(db, problem.id, viewer)

    await timed("card of the most supported problem (3 queries)", args.runs, lambda: card(top["id"], top["author_id"]))
    await timed("card of a random problem (3 queries)", args.runs, lambda: card(rng.choice(ids), 1_000_001))
    await timed("similar problems (same category, busiest municipality)", max(20, args.runs // 5),
                lambda: pb.similar_problems(db, busiest["municipality_code"], "water", "суу жок кран түтүк жарылды"))
    await timed("problems I support (heaviest supporter)", args.runs,
                lambda: pb.supported_problems(db, heavy_supporter))
    await db.close()
    size = os.path.getsize(path)
    print(f"database size: {size / 1024 / 1024:.1f} MiB ({size:,} bytes)")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
