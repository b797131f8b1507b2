"""The due-work loop: jobs run with an injected clock, restart-safe, one failing job does not stop others."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.db import Database
from bot.domain.clock import Clock
from bot.scheduler import Scheduler, default_jobs

NOW = datetime(2026, 12, 15, 12, 0, tzinfo=UTC)


async def test_run_once_passes_now_and_counts(db: Database) -> None:
    seen = []

    async def job(database, now):
        seen.append((database, now))
        return 3

    async def broken(database, now):
        raise RuntimeError("boom")

    scheduler = Scheduler(db, [broken, job], interval_s=5)
    handled = await scheduler.run_once(NOW)
    assert handled == {"test_run_once_passes_now_and_counts.<locals>.broken": -1,
                       "test_run_once_passes_now_and_counts.<locals>.job": 3}
    assert seen == [(db, NOW)]


async def test_loop_uses_the_clock_and_stops(db: Database) -> None:
    ticks = []
    fake = Clock(lambda: NOW + timedelta(minutes=len(ticks)))

    async def job(database, now):
        ticks.append(now)
        return 0

    scheduler = Scheduler(db, [job], interval_s=0.01, clock=fake)
    scheduler.start()
    for _ in range(200):
        if len(ticks) >= 3:
            break
        await asyncio.sleep(0.01)
    await scheduler.stop()
    assert not scheduler.running and len(ticks) >= 3 and ticks[0] == NOW and ticks[1] > ticks[0]


def test_default_jobs_include_survey_closing() -> None:
    names = {job.__name__ for job in default_jobs()}
    assert {"open_due_surveys", "close_due_surveys"} <= names
