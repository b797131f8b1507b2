"""``GET /healthz``: is the bot well? 200 with a small JSON object when every check passes, 503 when one fails.

Checks (thresholds are the constants below)::

    database_writable      a write probe (one row in app_state) committed within PROBE_TIMEOUT s
    delivery_worker_alive  the outbox worker's loops are running
    scheduler_alive        the due-work loop runs and its last tick began at most 3 x SCHEDULER_INTERVAL_S ago
    bot_api_ok             the last successful Bot API call is at most BOT_API_STALE s old (polling calls
                           getUpdates at least every POLLING_TIMEOUT s; in webhook mode bot.web.webhook
                           calls getWebhookInfo every WEBHOOK_CHECK_EVERY s)

and, for information, ``queued_deliveries`` (outbox messages still to send), ``mode`` (``polling`` or
``webhook``), the ages in seconds, and ``failing`` (names of the failed checks). While the bot starts
(before the worker and the scheduler run) and while it stops, the answer is 503 with ``state``
``starting`` / ``stopping``.

The Docker image's HEALTHCHECK runs :data:`HEALTHCHECK_COMMAND`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiohttp import web

from bot.config import Settings
from bot.db import Database, Transaction
from bot.domain.clock import now_db
from bot.store import runtime

PROBE_TIMEOUT = 3.0
"""Seconds the database write probe may take before the database counts as not writable."""
PROBE_CACHE = 2.0
"""Seconds a probe's result is reused (a health check hammered by a monitor writes at most this often)."""
BOT_API_STALE = 180.0
"""Seconds after the last successful Bot API call when the Bot API counts as unreachable."""
SCHEDULER_STALE_TICKS = 3
"""Intervals after the scheduler's last tick when it counts as stuck."""

HEALTHCHECK_COMMAND = (
    'python -c "import os,sys,urllib.request as u; h,p=os.environ.get(\'WEB_LISTEN\',\'127.0.0.1:8080\')'
    '.rsplit(\':\',1); h=\'127.0.0.1\' if h in (\'0.0.0.0\',\'\') else h; '
    'sys.exit(0 if u.urlopen(f\'http://{h}:{p}/healthz\',timeout=5).status==200 else 1)"'
)
"""What a Docker HEALTHCHECK runs (urlopen raises on 503, which exits non-zero)."""


class ApiHeartbeat(BaseRequestMiddleware):
    """Session middleware of the application's Bot: remembers when a Bot API call last succeeded."""

    def __init__(self) -> None:
        self.last_success: float | None = None
        """``time.monotonic()`` of the last call answered without an error, ``None`` before the first."""

    async def __call__(
        self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot, method: TelegramMethod[TelegramType]
    ) -> Response[TelegramType]:
        response = await make_request(bot, method)
        self.last_success = time.monotonic()
        return response

    def age(self) -> float | None:
        """Seconds since the last successful call, ``None`` before the first."""
        return None if self.last_success is None else time.monotonic() - self.last_success


def heartbeat_of(bot: Bot) -> ApiHeartbeat | None:
    """The :class:`ApiHeartbeat` on ``bot``'s session (``bot.app.build_bot`` adds one), else ``None``."""
    for middleware in bot.session.middleware:
        if isinstance(middleware, ApiHeartbeat):
            return middleware
    return None


class SchedulerWatch:
    """Wraps the scheduler's jobs: records when a tick ran (:attr:`last_tick`) and, once
    :attr:`stopping` is set, skips the remaining jobs of the running tick (a stop between two jobs)."""

    def __init__(self) -> None:
        self.stopping = False
        self.last_tick: float | None = None
        """``time.monotonic()`` when the last tick began, ``None`` before the first."""

    def guard(self, job: Callable[[Database, Any], Awaitable[int]]) -> Callable[[Database, Any], Awaitable[int]]:
        """``job`` that does nothing once the scheduler is stopping."""

        async def run(db: Database, now: Any) -> int:
            if self.stopping:
                return 0
            return await job(db, now)

        run.__qualname__ = getattr(job, "__qualname__", repr(job))
        return run

    async def tick(self, db: Database, now: Any) -> int:
        """The first job of every tick: marks the tick's start."""
        self.last_tick = time.monotonic()
        return 0


@dataclass
class Health:
    """What ``/healthz`` looks at; :meth:`report` runs the checks, :meth:`handle` serves them."""

    settings: Settings
    db: Database
    bot: Bot
    dispatcher: Dispatcher
    mode: str = "polling"
    state: str = "starting"
    """``starting`` until the bot takes updates, ``running``, then ``stopping``."""
    _probe: tuple[float, bool, str | None] | None = field(default=None, repr=False)

    async def _write_probe(self) -> tuple[bool, str | None]:
        now = time.monotonic()
        if self._probe is not None and now - self._probe[0] < PROBE_CACHE:
            return self._probe[1], self._probe[2]
        at = now_db()

        async def body(tx: Transaction) -> None:
            await runtime.put_state(tx, "health_probe", at, at)

        try:
            await asyncio.wait_for(asyncio.shield(self.db.unit(body)), PROBE_TIMEOUT)
            result: tuple[bool, str | None] = (True, None)
        except TimeoutError:
            result = (False, f"no commit within {PROBE_TIMEOUT:.0f} s")
        except Exception as exc:  # noqa: BLE001 - any refusal means "not writable"; the reason is reported
            result = (False, f"{type(exc).__name__}: {exc}"[:200])
        self._probe = (time.monotonic(), *result)
        return result

    async def report(self) -> tuple[bool, dict[str, Any]]:
        """Run the checks. Returns ``(healthy, body)``; ``body`` is the JSON object described above."""
        body: dict[str, Any] = {"state": self.state, "mode": self.mode}
        writable, why = await self._write_probe()
        body["database_writable"] = writable
        if why:
            body["database_error"] = why
        worker = self.dispatcher.workflow_data.get("delivery_worker")
        loops = getattr(worker, "_loops", None) or []
        body["delivery_worker_alive"] = bool(loops) and not any(task.done() for task in loops)
        scheduler = self.dispatcher.workflow_data.get("scheduler")
        watch: SchedulerWatch | None = self.dispatcher.workflow_data.get("scheduler_watch")
        tick_age = None if watch is None or watch.last_tick is None else time.monotonic() - watch.last_tick
        body["scheduler_last_tick_age_s"] = None if tick_age is None else round(tick_age, 1)
        body["scheduler_alive"] = bool(scheduler is not None and scheduler.running and tick_age is not None
                                       and tick_age <= SCHEDULER_STALE_TICKS * self.settings.scheduler_interval_s)
        heartbeat = heartbeat_of(self.bot)
        api_age = heartbeat.age() if heartbeat else None
        body["bot_api_last_success_age_s"] = None if api_age is None else round(api_age, 1)
        body["bot_api_ok"] = api_age is not None and api_age <= BOT_API_STALE
        try:
            body["queued_deliveries"] = await runtime.queued_deliveries(self.db)
        except Exception as exc:  # noqa: BLE001 - reported, not raised: the endpoint must answer
            body["queued_deliveries"] = None
            body["database_read_error"] = f"{type(exc).__name__}: {exc}"[:200]
        checks = ("database_writable", "delivery_worker_alive", "scheduler_alive", "bot_api_ok")
        body["failing"] = [name for name in checks if not body[name]]
        healthy = self.state == "running" and not body["failing"] and body["queued_deliveries"] is not None
        body["status"] = "ok" if healthy else "unhealthy"
        return healthy, body

    async def handle(self, request: web.Request) -> web.Response:
        """``GET /healthz``: 200 or 503 with the report."""
        healthy, body = await self.report()
        return web.json_response(body, status=200 if healthy else 503)
