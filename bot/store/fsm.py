"""Conversation state (aiogram FSM) rows: ``fsm_state`` (migration 0001), keyed by aiogram's storage key."""

from __future__ import annotations

from bot.db import Transaction
from bot.store import Reader


async def state_row(db: Reader, storage_key: str) -> tuple[str | None, str] | None:
    """``(state, data JSON)`` of a conversation, or ``None`` when nothing is stored."""
    row = await db.fetchone("SELECT state, data FROM fsm_state WHERE storage_key = ?", (storage_key,))
    return None if row is None else (row["state"], row["data"] or "{}")


async def save_state(tx: Transaction, storage_key: str, state: str | None, data: str, now: str) -> None:
    """Write a conversation's state and data (JSON text), creating or replacing its row."""
    await tx.execute(
        "INSERT INTO fsm_state (storage_key, state, data, updated_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (storage_key) DO UPDATE SET state = excluded.state, data = excluded.data,"
        " updated_at = excluded.updated_at",
        (storage_key, state, data, now),
    )


async def delete_state(tx: Transaction, storage_key: str) -> None:
    """Forget a finished conversation."""
    await tx.execute("DELETE FROM fsm_state WHERE storage_key = ?", (storage_key,))
