"""Benchmark: the typed municipality search over the real 484 municipalities and 40 districts.

Builds a temporary SQLite file with the real migrations and the bundled list, then times
:func:`bot.domain.municipalities.find_places` (the index is built on the first query and kept in
memory; its first build is timed apart) on queries of every tier:

* exact: "аламудун", "ак-суу", "bishkek", "кара балта";
* close (a few wrong letters, Russian spellings): "аламедин", "бшикек", "сакулук", "alamedin";
* nothing (closest names computed over every name): "Атлантида", "zzzz".

Prints per tier the median, 95th percentile and maximum wall-clock milliseconds, and the CPU time
per query (which does not grow when other processes share the cores). Goal: under 10 ms per query
at the 95th percentile on one core of a cheap server (the picker answers in one message round trip).

Usage: python -m bench.municipality_search [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bot.db import Database
from bot.domain.municipalities import find_places, import_municipalities
from bot.domain.municipalities.search import SEARCH_CACHE

QUERIES = {
    "exact": ["аламудун", "ак-суу", "bishkek", "кара балта", "ош", "Көк-Жаңгак"],
    "close": ["аламедин", "бшикек", "сакулук", "alamedin", "таласский раен", "балыкчи"],
    "nothing": ["Атлантида", "zzzz", "Бишкекъъъ Сити"],
}


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"median {statistics.median(ordered):.2f} ms, p95 {p95:.2f} ms, max {ordered[-1]:.2f} ms"


async def main(runs: int) -> None:
    """Time the search; ``runs`` repetitions of each query."""
    with tempfile.TemporaryDirectory() as folder:
        db = await Database.open(Path(folder) / "bench.sqlite3")
        try:
            await db.migrate()
            await import_municipalities(db)
            builds = []
            for _ in range(5):
                db.cache.pop(SEARCH_CACHE, None)
                start = time.perf_counter()
                await find_places(db, "аламудун")
                builds.append((time.perf_counter() - start) * 1000)
            print(f"index build (first query after a start or an import): {_ms(builds)}")
            for tier, queries in QUERIES.items():
                samples = []
                cpu = time.process_time()
                for _ in range(runs):
                    for query in queries:
                        start = time.perf_counter()
                        await find_places(db, query)
                        samples.append((time.perf_counter() - start) * 1000)
                cpu_ms = (time.process_time() - cpu) * 1000 / len(samples)
                print(f"{tier:8} ({len(queries)} queries × {runs}): {_ms(samples)}; CPU {cpu_ms:.2f} ms per query")
        finally:
            await db.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=50)
    asyncio.run(main(parser.parse_args().runs))
