"""Processed Telegram updates (migration 0007): which ``update_id`` values were taken for handling.

Used by :class:`bot.web.once.UpdateOnceMiddleware` so that an update delivered again by Telegram is
handled at most once, across restarts.
"""

from __future__ import annotations

from bot.db import Transaction


async def claim(tx: Transaction, update_id: int, at: str) -> bool:
    """Record ``update_id`` as taken at ``at`` (UTC ISO text).

    Returns:
        ``True`` when this call recorded it (handle the update), ``False`` when it was recorded
        before (a re-delivery: skip it).
    """
    row = await tx.fetchone(
        "INSERT INTO processed_updates (update_id, processed_at) VALUES (?, ?)"
        " ON CONFLICT (update_id) DO NOTHING RETURNING update_id",
        (update_id, at),
    )
    return row is not None


async def prune(tx: Transaction, before: str) -> int:
    """Forget updates taken before ``before`` (UTC ISO text); returns how many were removed."""
    return await tx.execute("DELETE FROM processed_updates WHERE processed_at < ?", (before,))


async def forget_all(tx: Transaction) -> int:
    """Forget every recorded update (a new Bot API emulator numbers updates from 1 again)."""
    return await tx.execute("DELETE FROM processed_updates")
