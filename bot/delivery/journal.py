"""Group commit of the delivery worker's state changes.

SQLite has one writer, and one transaction per send would cost more than the send at high rates:
instead the writes (:class:`bot.store.outbox.Write`: ``sending`` marks, parts sent, results) that
arrived while the previous commit ran are written together, in one transaction, in the order they
came (:func:`bot.store.outbox.apply_writes`). A caller that must know its write is durable (a
``sending`` mark before its request, a result before its chat is free) waits for that commit only;
the others are fire and forget. :func:`recover` undoes, at start, the ``sending`` marks a previous
process left behind.

A storage outage (the disk full, the file read-only: :class:`bot.db.StorageUnavailable`) loses no write:
the batch is kept, in order, and committed again after a backoff (:data:`OUTAGE_BACKOFF` doubling to
:data:`OUTAGE_BACKOFF_MAX`), while the callers waiting for it keep waiting. So no request goes out
before its ``sending`` mark is durable, and a chat stays busy until its result is recorded: the worker
slows down to nothing by itself and resumes when a write succeeds again. The outage is logged by the
database, once.
"""

from __future__ import annotations

import asyncio
import logging

from bot.db import Database, StorageUnavailable
from bot.domain.clock import now_db
from bot.store import outbox as store

log = logging.getLogger(__name__)

OUTAGE_BACKOFF = 0.5
"""Seconds before the first new try of a commit the storage refused; doubles each time."""
OUTAGE_BACKOFF_MAX = 30.0
"""Longest wait between two tries during a storage outage."""


class Journal:
    """Group commit of delivery state changes: :meth:`start`, :meth:`add` / :meth:`add_and_wait`, :meth:`stop`."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._ops: list[store.Write] = []
        self._waiters: list[asyncio.Future[None]] = []
        self._event = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.commits = 0
        """Transactions committed (for benchmarks)."""
        self.backoff = 0.0
        """Seconds the next try waits after a refused commit (0 while the storage works)."""

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="delivery-journal")

    async def stop(self) -> None:
        """Write what is pending and stop (during a storage outage what is pending is dropped: the rows
        it would have marked ``sending`` or sent are queued again by :func:`recover` at the next start)."""
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        try:
            await self._flush()
        except StorageUnavailable:
            log.warning("delivery: %s state changes not written at shutdown (storage unavailable)", len(self._ops))

    def add(self, write: store.Write) -> None:
        """Queue a write for the next commit (fire and forget)."""
        self._ops.append(write)
        self._event.set()

    async def add_and_wait(self, write: store.Write) -> None:
        """Queue a write and wait until it is committed."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._ops.append(write)
        self._waiters.append(future)
        self._event.set()
        await future

    async def _run(self) -> None:
        while True:
            await self._event.wait()
            self._event.clear()
            try:
                await self._flush()
                self.backoff = 0.0
            except StorageUnavailable:  # the writes are back in the queue; try again later
                self.backoff = min(OUTAGE_BACKOFF_MAX, self.backoff * 2 or OUTAGE_BACKOFF)
                await asyncio.sleep(self.backoff)
                self._event.set()
            except Exception:  # noqa: BLE001 - keep the worker alive; the waiters got the error
                log.exception("delivery journal commit failed")
                await asyncio.sleep(0.5)

    async def _flush(self) -> None:
        if not self._ops:
            return
        ops, waiters = self._ops, self._waiters
        self._ops, self._waiters = [], []
        try:
            async with self.db.transaction() as tx:
                await store.apply_writes(tx, ops)
        except (asyncio.CancelledError, StorageUnavailable):
            # Stopped in the middle of a commit, or refused by the storage (rolled back): put the writes
            # back so the next flush makes them. Every write sets values (no increments), so applying one
            # twice is harmless.
            self._ops[:0], self._waiters[:0] = ops, waiters
            raise
        except BaseException as exc:
            for w in waiters:
                if not w.done():
                    w.set_exception(exc if isinstance(exc, Exception) else RuntimeError("journal stopped"))
            raise
        self.commits += 1
        for w in waiters:
            if not w.done():
                w.set_result(None)


async def recover(db: Database) -> int:
    """Queue again the deliveries a previous process left ``sending`` and flag them as possible
    duplicates. Returns how many there were (0 when the storage refuses the write: they are queued
    again at a later start)."""
    try:
        async with db.transaction() as tx:
            return await store.requeue_cut_off(tx, now_db())
    except StorageUnavailable:
        log.warning("delivery: cut-off deliveries not recovered (storage unavailable); they are at the next start")
        return 0
