"""A generic loop for due work: every ``interval_s`` seconds, run each registered job once.

A job is ``async def job(db, now) -> int``: it reads what is due at ``now`` from the database,
does it, and marks it done in the same transaction, returning how many items it handled. Because
the state lives in the database (not in timers in memory), the loop is restart-safe: work that
fell due while the bot was down is done on the first run after the start, and a run interrupted
halfway leaves the rest for the next one. A job must therefore be idempotent per item (test the
"not done yet" condition inside the transaction that marks it done).

Jobs registered today: :data:`bot.domain.surveys.SCHEDULER_JOBS` (open scheduled surveys,
close surveys whose closing time passed and queue their results). Add more (hearing reminders…)
with :meth:`Scheduler.add` or in :func:`default_jobs`.

Tests call :meth:`Scheduler.run_once` with an injected ``now`` instead of starting the loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime

from bot.db import Database, storage_fault
from bot.domain.clock import Clock
from bot.domain.clock import clock as default_clock

log = logging.getLogger(__name__)

Job = Callable[[Database, datetime], Awaitable[int]]
"""``async def job(db, now) -> int`` — ``now`` is aware UTC; returns items handled."""


def default_jobs() -> list[Job]:
    """The jobs the running bot schedules (imported lazily so the scheduler has no feature imports)."""
    from bot.domain.surveys import SCHEDULER_JOBS

    from bot.domain.hearings import SCHEDULER_JOBS as HEARING_JOBS
    from bot.domain.reach import SCHEDULER_JOBS as REACH_JOBS  # alerts held by quiet hours, daily digests

    return list(SCHEDULER_JOBS) + list(HEARING_JOBS) + list(REACH_JOBS)


class Scheduler:
    """Runs jobs every ``interval_s`` seconds until :meth:`stop`.

    Args:
        db: the database handed to each job.
        jobs: the jobs, run in order each tick; a job that raises is logged and the others still run.
            A job the storage refused (:class:`bot.db.StorageUnavailable`: the transaction rolled back)
            is not logged each tick, and runs again at the next one: a due item is done once writes succeed.
        interval_s: seconds between the end of one tick and the start of the next.
        clock: source of ``now`` (``bot.domain.clock.clock`` by default).
    """

    def __init__(self, db: Database, jobs: Iterable[Job] = (), interval_s: float = 30.0,
                 clock: Clock | None = None) -> None:
        if interval_s <= 0:
            raise ValueError("interval_s must be positive")
        self.db = db
        self.jobs: list[Job] = list(jobs)
        self.interval_s = interval_s
        self.clock = clock or default_clock
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    def add(self, job: Job) -> None:
        """Register one more job (run after the existing ones)."""
        self.jobs.append(job)

    async def run_once(self, now: datetime | None = None) -> dict[str, int]:
        """Run every job once at ``now`` (default: the clock's now).

        Returns:
            items handled per job name (``-1`` for a job that raised; the error is logged).
        """
        now = now or self.clock.now()
        handled: dict[str, int] = {}
        for job in self.jobs:
            name = getattr(job, "__qualname__", repr(job))
            try:
                handled[name] = int(await job(self.db, now))
            except Exception as error:  # noqa: BLE001 - one job must not stop the others
                if storage_fault(error) is None:  # an outage is logged by the database, once; the job
                    log.exception("scheduled job %s failed", name)  # runs again at the next tick
                handled[name] = -1
        return handled

    def start(self) -> None:
        """Start the loop in a background task (idempotent)."""
        if self._task is None or self._task.done():
            self._stopping = asyncio.Event()
            self._task = asyncio.create_task(self._loop(), name="scheduler")

    async def stop(self) -> None:
        """Ask the loop to stop after the running tick and wait for it."""
        if self._task is None:
            return
        self._stopping.set()
        try:
            await asyncio.wait_for(self._task, timeout=self.interval_s + 30)
        except asyncio.TimeoutError:
            self._task.cancel()
        self._task = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _loop(self) -> None:
        while not self._stopping.is_set():
            handled = await self.run_once()
            if any(n > 0 for n in handled.values()):
                log.info("scheduler: %s", handled)
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=self.interval_s)
            except asyncio.TimeoutError:
                pass
