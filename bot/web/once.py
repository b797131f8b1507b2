"""The same update once: an ``update_id`` is handled at most once, across restarts.

Telegram delivers an update again when it was not confirmed: with long polling, the updates of
the last ``getUpdates`` batch after a crash (the offset that confirms them goes with the *next*
call); with a webhook, whenever the answer was not a 2xx in time (a crash, a restart, a timeout).

:class:`UpdateOnceMiddleware`, an outer ``update`` middleware, records the id in
``processed_updates`` (migration 0007, :mod:`bot.store.updates`) in a write transaction of its own
**before** the handler runs, and skips an id recorded before. Choice: *at most once*. A crash
between the record and the end of the handler loses that one update: the resident saw no
confirmation (confirmations are sent after the change is committed) and taps or sends again.
The other order (record after handling, *at least once*) would, after a crash at the wrong moment,
repeat the reply and, for steps that are not idempotent (the last step of a new problem), the
change itself. Supports and votes are idempotent in the domain anyway; a second problem, a second
reply or a second support request to a person are what this prevents.

If the record cannot be written (the database is read-only, the disk is full) the update is handled
anyway, so that the resident gets the "temporarily unavailable" answer of the error handler
instead of silence; the failure is logged once a minute.

Ids are kept :data:`KEEP` (7 days; Telegram re-delivers within hours and picks ids at random after
a week without updates); :func:`prune` removes older ones (a scheduler job, ``bot.app``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import TelegramObject, Update

from bot.db import Database, Transaction
from bot.domain.clock import now_db, to_db
from bot.store import updates as store

log = logging.getLogger(__name__)

KEEP = timedelta(days=7)
"""How long an update id is remembered."""
_WARN_EVERY = 60.0


class UpdateOnceMiddleware(BaseMiddleware):
    """Outer ``update`` middleware: handle an update only if its id was not taken before.

    The database is the dispatcher's ``db`` (workflow data). ``skipped`` counts re-deliveries
    dropped since start (logs, tests).
    """

    def __init__(self) -> None:
        self.skipped = 0
        self._warned_at = 0.0

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        db: Database | None = data.get("db")
        if not isinstance(event, Update) or db is None:
            return await handler(event, data)
        update_id = event.update_id
        at = now_db()

        async def take(tx: Transaction) -> bool:
            return await store.claim(tx, update_id, at)

        try:
            fresh = await db.unit(take)
        except Exception:  # noqa: BLE001 - a refused record (StorageUnavailable, sqlite3.Error) must not drop the update
            now = time.monotonic()
            if now - self._warned_at > _WARN_EVERY:
                self._warned_at = now
                log.warning("cannot record update %s as processed (handling it anyway)", update_id, exc_info=True)
            fresh = True
        if not fresh:
            self.skipped += 1
            log.info("update %s was delivered again: already handled, skipped", update_id)
            return UNHANDLED
        return await handler(event, data)


async def prune(db: Database, now: datetime) -> int:
    """Scheduler job: forget update ids taken more than :data:`KEEP` before ``now``; returns how many."""
    before = to_db(now - KEEP)

    async def body(tx: Transaction) -> int:
        return await store.prune(tx, before)

    return await db.unit(body)


async def forget_all(db: Database) -> int:
    """Forget every recorded update id; for the sandbox, whose new emulator numbers updates from 1 at each
    start (Telegram never reuses an id within the week they are kept). Returns how many were forgotten."""

    async def body(tx: Transaction) -> int:
        return await store.forget_all(tx)

    return await db.unit(body)
