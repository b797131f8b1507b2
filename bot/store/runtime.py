"""The running bot's own small state (``app_state``, migration 0007) and the figures the health
endpoint reports (:mod:`bot.web.health`)."""

from __future__ import annotations

from bot.db import Transaction
from bot.store import Reader


async def get_state(db: Reader, key: str) -> str | None:
    """The value stored under ``key``, ``None`` when there is none."""
    value = await db.fetchval("SELECT value FROM app_state WHERE key = ?", (key,))
    return None if value is None else str(value)


async def put_state(tx: Transaction, key: str, value: str, at: str) -> None:
    """Store ``value`` under ``key`` (replacing an older one); ``at`` is UTC ISO text."""
    await tx.execute(
        "INSERT INTO app_state (key, value, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        (key, value, at),
    )


async def put_state_once(tx: Transaction, key: str, value: str, at: str) -> str:
    """Store ``value`` under ``key`` unless a value is there already; returns the stored value
    (two processes starting together agree on one)."""
    await tx.execute(
        "INSERT INTO app_state (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING",
        (key, value, at),
    )
    return str(await tx.fetchval("SELECT value FROM app_state WHERE key = ?", (key,)))


async def queued_deliveries(db: Reader) -> int:
    """Outbox deliveries of unfinished broadcasts still to send (``queued`` or ``sending``)."""
    return int(await db.fetchval(
        "SELECT count(*) FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id"
        " WHERE b.finished_at IS NULL AND d.status IN ('queued', 'sending')"
    ))
