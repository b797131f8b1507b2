"""The delivery worker: sends queued deliveries of the outbox under Telegram's limits.

Life of a delivery row (``deliveries``, migration 0002)::

    queued ──▶ sending ──▶ sent (message_id)
                  │  └───▶ failed (reason: blocked, chat not found, bad request, gave up after retries)
                  └──────▶ queued again with next_attempt_at (network error / 5xx, backoff)

Crash safety: a row is committed as ``sending`` before its request and gets its result after. After a crash, rows
still ``sending`` are queued again at start (:func:`~bot.delivery.journal.recover`) and flagged
``possible_duplicate`` (the process may have died after Telegram accepted the message but before the answer was
recorded), so a recipient gets a second copy only in that case, and it is counted. A long text goes out in parts;
``parts_sent`` is recorded after each: a resumed delivery continues with the next part.

Writes are group-committed by :class:`~bot.delivery.journal.Journal`: SQLite has one writer, and one transaction per
send would cost more than the send at high rates; instead the marks and results that arrived while the previous
commit ran are written together. A request waits only for its own ``sending`` mark to be committed. The statements
are the outbox store's (:mod:`bot.store.outbox`).

One send path: the worker takes the same :class:`~bot.send.budget.SendBudget` as the application's Bot (found on its
session, :func:`bot.send.middleware.budget_of`), so direct replies go first and the outbox takes what is left of
Telegram's ~30 messages/s, at most ``DELIVERY_RATE``, and never writes to a chat within ``DELIVERY_PER_CHAT_INTERVAL``
of the last message there, a reply's or its own. The worker has a Bot of its own (:func:`delivery_bot`): a separate
connection pool, and no 429 retry inside the request, because the worker must see every 429: it holds that chat for
exactly ``retry_after`` and, when the flood was not the chat's own, pauses the outbox as long (``SendBudget.flood``).

Fair order: every unfinished broadcast is a lane (:mod:`bot.delivery.lanes`); urgent ones (few recipients, time-bound
kinds) go first, the others share the rate per municipality, then per broadcast. Rows are read per lane in id order,
ahead of need (``LANE_BATCH``). A storage outage: the journal waits (:mod:`bot.delivery.journal`).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.types import Message

from bot.config import Settings
from bot.db import Database, storage_fault
from bot.delivery import progress
from bot.delivery.journal import Journal, recover
from bot.delivery.lanes import Backlog, Lane, Lanes, ahead_of
from bot.delivery.render import Step, plan
from bot.domain.clock import clock, now_db, to_db
from bot.domain.residents import mark_inactive
from bot.i18n import choose_locale
from bot.send.budget import SendBudget
from bot.send.middleware import PinnedResponseModels, budget_of
from bot.store import outbox as store

log = logging.getLogger(__name__)

REQUEST_TIMEOUT = 30
"""Seconds one send request may take before it counts as a network error."""
BACKOFF_BASE = 1.0
"""Seconds before the first retry after a network error or 5xx; doubles each attempt (max 5 min)."""
IDLE_POLL = 0.5
"""Seconds between looks at the outbox when nothing is due (enqueuers may also call :meth:`wake`)."""
LANE_BATCH = 200
"""Due rows of one broadcast read per query."""
LANES_EVERY = 0.5
"""Seconds between reads of the unfinished broadcasts while sending (and at once after :meth:`wake`)."""
PARK = 0.25
"""Seconds a row waits aside when its chat is busy (another message in flight there)."""
RATE_WINDOW = 10.0
"""Seconds over which the outbox's recent rate is measured for time estimates."""


def delivery_bot(bot: Bot, *, connections: int = 100) -> Bot:
    """A Bot with the same token, server and defaults as ``bot`` on a session of its own, without
    the application's send-path middleware (the worker takes the budget itself and handles 429)."""
    session = AiohttpSession(api=bot.session.api, limit=connections)
    session.middleware(PinnedResponseModels())
    return Bot(token=bot.token, session=session, default=bot.default)


@dataclass
class _Due:
    id: int
    broadcast_id: int
    chat_id: int
    attempts: int
    parts_sent: int
    locale: str
    active: bool


@dataclass
class WorkerStats:
    """Counters since the worker started (for logs and benchmarks)."""

    sent: int = 0
    failed: int = 0
    retried: int = 0
    rate_limited: int = 0
    requests: int = 0
    started: float = field(default_factory=time.monotonic)
    first_request: float | None = None
    """``time.monotonic()`` of the first send request, and of the last answered one."""
    last_answer: float | None = None


class DeliveryWorker:
    """Sends the outbox. ``await start()`` with the bot, ``await stop()`` on shutdown.

    Args:
        db: the application's database.
        bot: a Bot for the worker's requests; pass the application's Bot with ``own_session=True``
            (the default) and the worker makes its own session without the send-path middleware.
        settings: ``DELIVERY_*`` and ``PAID_BROADCAST*`` settings.
        budget: the send budget to share; by default the one of ``bot``'s send path
            (:func:`bot.send.middleware.budget_of`), else a new one. The worker sets its outbox rate.
    """

    def __init__(self, db: Database, bot: Bot, settings: Settings, *, own_session: bool = True,
                 budget: SendBudget | None = None) -> None:
        self.db = db
        self.settings = settings
        self.rate = settings.effective_delivery_rate
        self.paid = settings.paid_broadcast
        self.concurrency = settings.delivery_concurrency or max(8, min(256, math.ceil(self.rate)))
        self.bot = delivery_bot(bot, connections=self.concurrency + 4) if own_session else bot
        self._own_session = own_session
        self.budget = budget or budget_of(bot) or SendBudget(self.rate, settings.delivery_per_chat_interval)
        self.budget.configure_bulk(self.rate, paid=self.paid, total_rate=settings.send_rate)
        self.budget.per_chat_interval = settings.delivery_per_chat_interval
        self.lanes = Lanes()
        self.journal = Journal(db)
        self.stats = WorkerStats()
        self._slots = asyncio.Semaphore(self.concurrency)
        self._inflight_chats: set[int] = set()
        self._inflight_rows: set[int] = set()
        self._done_times: deque[float] = deque()
        self._lanes_read = 0.0
        self._tasks: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()  # read the unfinished broadcasts again
        self._kick = asyncio.Event()  # look for a row again (woken, or a chat became free)
        self._stopping = False
        self._loops: list[asyncio.Task[None]] = []
        self._contents: OrderedDict[int, str] = OrderedDict()
        self._plans: OrderedDict[tuple[int, str], list[Step]] = OrderedDict()
        self._started_broadcasts: set[int] = set()
        self.progress = progress.ProgressReporter(self)

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Recover rows a previous process left ``sending``, then start sending."""
        recovered = await recover(self.db)
        if recovered:
            log.warning("delivery: %s deliveries were cut off by a restart; re-sending (counted as possible duplicates)",
                        recovered)
        self.journal.start()
        self._loops = [
            asyncio.create_task(self._schedule_loop(), name="delivery-scheduler"),
            asyncio.create_task(self.progress.run(), name="delivery-progress"),
        ]
        log.info("delivery worker started: %.0f msg/s%s, %s concurrent", self.rate,
                 " (paid broadcast)" if self.paid else "", self.concurrency)

    async def stop(self, timeout: float = 5.0) -> None:
        """Stop taking rows, let requests in flight finish (up to ``timeout`` s), record results."""
        self._stopping = True
        self._wake.set()
        self._kick.set()
        for task in self._loops:
            task.cancel()
        for task in self._loops:
            try:
                await task
            except asyncio.CancelledError:
                pass
            except Exception:  # noqa: BLE001
                log.exception("delivery loop failed")
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=timeout)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending, timeout=1.0)
        await self.journal.stop()
        if self._own_session:
            await self.bot.session.close()

    def wake(self) -> None:
        """Look at the outbox now (call after enqueuing; otherwise it is read every ``LANES_EVERY`` s)."""
        self._wake.set()
        self._kick.set()

    async def wait_idle(self, timeout: float = 30.0) -> None:
        """Wait until nothing is due, in flight or unfinished (tests and benchmarks).

        Raises:
            TimeoutError: still busy after ``timeout`` s.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self._tasks and not await store.count_unfinished(self.db):
                return
            await asyncio.sleep(0.05)
        raise TimeoutError("delivery still busy")

    # -- scheduling -----------------------------------------------------------------------

    async def _schedule_loop(self) -> None:
        while not self._stopping:
            await self._slots.acquire()
            if self._stopping:
                self._slots.release()
                return
            try:
                if self._wake.is_set() or time.monotonic() - self._lanes_read >= LANES_EVERY:
                    self._wake.clear()
                    await self._read_lanes()
                self._kick.clear()  # set again by whatever frees a chat or wakes us from here on
                picked = await self._pick()
            except Exception:  # noqa: BLE001 - a locked/busy database must not kill the worker
                self._slots.release()
                log.exception("delivery: reading the outbox failed")
                await asyncio.sleep(1.0)
                continue
            if picked is None:
                self._slots.release()
                await self._idle()
                continue
            lane, row = picked
            self.lanes.served(lane)
            if not lane.started:
                lane.started = True
                if row.broadcast_id not in self._started_broadcasts:
                    self._started_broadcasts.add(row.broadcast_id)
                    self.journal.add(store.mark_started(row.broadcast_id, now_db(), paid=self.paid))
            lane.inflight += 1
            self._inflight_chats.add(row.chat_id)
            self._inflight_rows.add(row.id)
            task = asyncio.create_task(self._deliver(row, lane))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _idle(self) -> None:
        """Wait for a wake-up, a chat freed, a parked row or a dormant lane coming due (at most ``IDLE_POLL``)."""
        times = [lane.dormant_until for lane in self.lanes.lanes.values() if lane.dormant_until]
        times += [t for lane in self.lanes.lanes.values() for t, _ in lane.parked]
        timeout = IDLE_POLL
        if times:
            timeout = max(0.01, min(timeout, min(times) - time.monotonic()))
        try:
            await asyncio.wait_for(self._kick.wait(), timeout)
        except TimeoutError:
            pass

    async def _read_lanes(self) -> None:
        """Make the lanes those of the unfinished broadcasts (new ones are served from now on)."""
        self._lanes_read = time.monotonic()
        rows = await store.unfinished_broadcasts(self.db)
        for lane in self.lanes.sync((r["id"], r["kind"], r["municipality_code"], r["total"]) for r in rows):
            row = next(r for r in rows if r["id"] == lane.broadcast_id)
            if row["started_at"] is not None:
                self._started_broadcasts.add(lane.broadcast_id)
            elif row["sender_id"] is not None:
                self.budget.answered(row["sender_id"])  # the sender was just answered directly (/announce confirm)

    async def _pick(self) -> tuple[Lane, _Due] | None:
        """The next row to send, from the first lane in fair order that has one ready."""
        now = time.monotonic()
        for lane in self.lanes.order():
            row = await self._take(lane, now)
            if row is not None:
                return lane, row
        return None

    async def _take(self, lane: Lane, now: float) -> _Due | None:
        """A row of ``lane`` whose chat is free now; rows whose chat is busy wait aside (``parked``)."""
        if lane.parked:
            ready = [(t, r) for t, r in lane.parked if t <= now]
            if ready:
                lane.parked = [(t, r) for t, r in lane.parked if t > now]
                lane.buffer.extendleft(r for _, r in reversed(ready))
        while True:
            if not lane.buffer and not await self._fill(lane, now):
                return None
            row: _Due = lane.buffer.popleft()
            if row.id in self._inflight_rows:
                continue  # read again while its request is on the way; its result decides
            if not row.active:
                self.journal.add(store.mark_skipped(row.id, "inactive", now_db()))
                continue
            if row.chat_id in self._inflight_chats:
                lane.parked.append((now + PARK, row))  # one message at a time per chat
                continue
            ready_at = self.budget.bulk_ready_at(row.chat_id)
            if ready_at > now + 0.05:
                lane.parked.append((ready_at, row))  # a reply just went there, or Telegram holds the chat
                continue
            return row

    async def _fill(self, lane: Lane, now: float) -> bool:
        """Read the lane's next due rows after its cursor; at the end, once nothing of the lane is in
        flight or aside, from the start again (rows retried with backoff). ``False``: nothing due."""
        if lane.dormant_until > now:
            return False
        rows = await self._fetch_due(lane.broadcast_id, lane.cursor)
        if not rows and lane.cursor and lane.inflight == 0 and not lane.parked:
            lane.cursor = 0
            rows = await self._fetch_due(lane.broadcast_id, 0)
        if not rows:
            lane.dormant_until = now + IDLE_POLL
            return False
        lane.dormant_until = 0.0
        lane.cursor = rows[-1].id
        lane.buffer.extend(rows)
        return True

    async def _fetch_due(self, broadcast_id: int, after: int) -> list[_Due]:
        rows = await store.due_deliveries(self.db, broadcast_id, after=after, now=now_db(), limit=LANE_BATCH)
        default = self.settings.default_locale
        return [_Due(r["id"], r["broadcast_id"], r["resident_id"], r["attempts"], r["parts_sent"],
                     choose_locale(r["locale"], r["language_code"], default), bool(r["active"])) for r in rows]

    # -- figures for the progress reporter ------------------------------------------------

    def recent_rate(self) -> float | None:
        """Deliveries finished per second over the last :data:`RATE_WINDOW` s, ``None`` before
        2 s of sending or 5 deliveries (then the configured rate is the better guess)."""
        now = time.monotonic()
        done = self._done_times
        while done and done[0] < now - RATE_WINDOW:
            done.popleft()
        if len(done) < 5 or now - done[0] < 2.0:
            return None
        return len(done) / (now - done[0])

    def queue_ahead(self, backlogs: list[Backlog], broadcast_id: int) -> int:
        """Messages of other broadcasts expected before ``broadcast_id``'s last (see :func:`ahead_of`)."""
        return ahead_of(backlogs, broadcast_id)

    async def _content(self, broadcast_id: int) -> str:
        content = self._contents.get(broadcast_id)
        if content is None:
            content = await store.broadcast_content(self.db, broadcast_id)
            self._contents[broadcast_id] = content
            if len(self._contents) > 64:
                self._contents.popitem(last=False)
        return content

    async def _steps(self, broadcast_id: int, locale: str) -> list[Step]:
        key = (broadcast_id, locale)
        steps = self._plans.get(key)
        if steps is None:
            steps = plan(await self._content(broadcast_id), locale)
            self._plans[key] = steps
            if len(self._plans) > 128:
                self._plans.popitem(last=False)
        return steps

    # -- one delivery ---------------------------------------------------------------------

    async def _deliver(self, row: _Due, lane: Lane) -> None:
        try:
            try:
                result = await self._deliver_inner(row)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - one bad row must not stop the others
                if storage_fault(exc) is None:  # else a write was refused (marking a blocked chat): queued again
                    log.exception("delivery %s failed unexpectedly", row.id)
                result = self._fail(row, f"error: {exc!r}") if storage_fault(exc) is None else \
                    store.mark_requeued(row.id, row.parts_sent, now_db())
            # the result is committed before the chat is free again, so the row is never picked twice
            await self.journal.add_and_wait(result)
        finally:
            self._inflight_chats.discard(row.chat_id)
            self._inflight_rows.discard(row.id)
            lane.inflight -= 1
            self._done_times.append(time.monotonic())
            self._slots.release()
            self._kick.set()

    async def _deliver_inner(self, row: _Due) -> store.Write:
        """Send the remaining parts for one recipient; returns the write that records the result."""
        steps = await self._steps(row.broadcast_id, row.locale)
        part = min(row.parts_sent, len(steps))
        first_id: int | None = None
        marked = False

        async def mark() -> None:
            nonlocal marked
            await self.journal.add_and_wait(store.mark_sending(row.id, now_db()))
            marked = True

        while part < len(steps):
            step = steps[part]
            try:
                ticket = await self.budget.acquire_bulk(row.chat_id, None if marked else mark)  # mark: just before
            except asyncio.CancelledError:  # stopped before the request: no copy can have gone out
                if marked:
                    self.journal.add(store.mark_requeued(row.id, part, now_db()))
                raise
            self.stats.requests += 1
            if self.stats.first_request is None:
                self.stats.first_request = time.monotonic()
            answered = True
            try:
                message = await self._send(row.chat_id, step)
            except TelegramRetryAfter as exc:
                answered = False
                self.stats.rate_limited += 1
                seen = self.budget.flood(row.chat_id, exc.retry_after, ticket)
                log.warning("delivery: flood control (%s) on chat %s: holding %s for %s s", seen, row.chat_id,
                            "the outbox" if seen == "global" else "that chat", exc.retry_after)
                continue  # the same recipient, the same part
            except TelegramForbiddenError as exc:
                await mark_inactive(self.db, row.chat_id)
                return self._fail(row, f"blocked: {exc.message}")
            except TelegramBadRequest as exc:
                description = exc.message.lower()
                if "chat not found" in description or "peer_id_invalid" in description or "user is deactivated" in description:
                    await mark_inactive(self.db, row.chat_id)
                    return self._fail(row, f"chat not found: {exc.message}")
                return self._fail(row, f"bad request: {exc.message}")
            except (TelegramUnauthorizedError, TelegramNotFound, TelegramEntityTooLarge) as exc:
                # the token was revoked, the Bot API URL is wrong, the file is too big: retrying each
                # recipient would only repeat the same answer; recorded as failed with the reason
                return self._fail(row, f"{type(exc).__name__}: {exc.message}")
            except TelegramAPIError as exc:  # network, 5xx, 409: retry later
                return self._retry(row, exc, part)
            finally:
                if answered:
                    self.budget.answered(row.chat_id)
                self.stats.last_answer = time.monotonic()
            part += 1
            if first_id is None:
                first_id = message.message_id
            if part < len(steps):
                self.journal.add(store.mark_part_sent(row.id, part, first_id, now_db()))
        self.stats.sent += 1
        return store.mark_sent(row.id, part, first_id, now_db())

    async def _send(self, chat_id: int, step: Step) -> Message:
        extra: dict[str, Any] = {"allow_paid_broadcast": True} if self.paid else {}
        if step.photo is not None:
            return await self.bot.send_photo(chat_id, step.photo, caption=step.text or None,
                                             reply_markup=step.markup, request_timeout=REQUEST_TIMEOUT, **extra)
        return await self.bot.send_message(chat_id, step.text, reply_markup=step.markup,
                                           request_timeout=REQUEST_TIMEOUT, **extra)

    def _fail(self, row: _Due, reason: str) -> store.Write:
        self.stats.failed += 1
        return store.mark_failed(row.id, reason[:500], now_db())

    def _retry(self, row: _Due, exc: Exception, part: int) -> store.Write:
        attempts = row.attempts + 1
        reason = f"{type(exc).__name__}: {exc}"[:500]
        # a timed-out request may have reached Telegram: a retry may give a second copy
        maybe_sent = isinstance(exc, TelegramNetworkError) and "timeout" in str(exc).lower()
        if part:
            self.journal.add(store.mark_part_sent(row.id, part, None, now_db()))
        if attempts >= self.settings.delivery_max_attempts:
            return self._fail(row, f"gave up after {attempts} attempts: {reason}")
        self.stats.retried += 1
        delay = min(300.0, BACKOFF_BASE * 2 ** (attempts - 1))
        when = to_db(clock.now() + timedelta(seconds=delay))
        return store.mark_retry(row.id, attempts=attempts, next_attempt_at=when, reason=reason,
                                possible_duplicate=maybe_sent, at=now_db())

    # -- used by the progress reporter ----------------------------------------------------

    async def send_control(self, chat_id: int, make: Any) -> Any:
        """Send or edit a message for the sender (progress) under the same budget; ``make`` is a
        coroutine function taking the Bot. A 429 is handled as for deliveries (the chat, or the
        outbox, held for ``retry_after``); other errors propagate."""
        while True:
            ticket = await self.budget.acquire_bulk(chat_id)
            try:
                result = await make(self.bot)
            except TelegramRetryAfter as exc:
                self.budget.flood(chat_id, exc.retry_after, ticket)
                continue
            self.budget.answered(chat_id)
            return result

