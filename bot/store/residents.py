"""SQL of residents (``residents``) and of answered one-shot prompts (``answered_prompts``).

Rows come back as :class:`sqlite3.Row` with every ``residents`` column; :mod:`bot.domain.residents`
turns them into :class:`~bot.domain.residents.Resident` and keeps the cache.
"""

from __future__ import annotations

import sqlite3

from bot.db import Transaction
from bot.store import Reader


async def resident_by_id(db: Reader, telegram_id: int) -> sqlite3.Row | None:
    """The ``residents`` row (all columns) of this Telegram id, or ``None``."""
    return await db.fetchone("SELECT * FROM residents WHERE telegram_id = ?", (telegram_id,))


async def resident_exists(db: Reader, telegram_id: int) -> bool:
    """Whether a resident with this Telegram id is stored (active or not)."""
    return await db.fetchval("SELECT 1 FROM residents WHERE telegram_id = ?", (telegram_id,)) is not None


async def upsert_resident(
    tx: Transaction, telegram_id: int, *, first_name: str, last_name: str | None, username: str | None,
    language_code: str | None, at: str,
) -> sqlite3.Row:
    """Insert the resident, or refresh their Telegram profile fields and make them active again
    (``inactive_since`` cleared); ``at`` is the UTC ISO time (``joined_at`` of a new row, ``updated_at``).
    Returns the row as stored afterwards (all columns), in the same statement."""
    row = await tx.fetchone(
        "INSERT INTO residents (telegram_id, first_name, last_name, username, language_code, joined_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (telegram_id) DO UPDATE SET first_name = excluded.first_name, last_name = excluded.last_name,"
        " username = excluded.username, language_code = excluded.language_code, updated_at = excluded.updated_at,"
        " active = 1, inactive_since = NULL"
        " RETURNING *",
        (telegram_id, first_name, last_name, username, language_code, at, at),
    )
    assert row is not None  # an upsert always returns its row
    return row


async def set_locale(tx: Transaction, telegram_id: int, locale: str, at: str) -> int:
    """Set the resident's chosen language; returns the rows changed (0: no such resident)."""
    return await tx.execute(
        "UPDATE residents SET locale = ?, updated_at = ? WHERE telegram_id = ?", (locale, at, telegram_id)
    )


async def set_municipality(tx: Transaction, telegram_id: int, municipality_code: str, at: str) -> int:
    """Set the resident's municipality; returns the rows changed (0: no such resident)."""
    return await tx.execute(
        "UPDATE residents SET municipality_code = ?, updated_at = ? WHERE telegram_id = ?",
        (municipality_code, at, telegram_id),
    )


async def set_inactive(tx: Transaction, telegram_id: int, at: str) -> int:
    """Mark an active resident inactive since ``at``; returns 1 if they were active, else 0."""
    return await tx.execute(
        "UPDATE residents SET active = 0, inactive_since = ?, updated_at = ? WHERE telegram_id = ? AND active = 1",
        (at, at, telegram_id),
    )


async def count_in_municipality(db: Reader, municipality_code: str, *, active_only: bool = True) -> int:
    """Number of residents registered in a municipality (active ones only when ``active_only``)."""
    sql = "SELECT count(*) FROM residents WHERE municipality_code = ?"
    if active_only:
        sql += " AND active = 1"
    return int(await db.fetchval(sql, (municipality_code,)))


async def claim_prompt(tx: Transaction, chat_id: int, message_id: int, at: str) -> bool:
    """Record the prompt message as answered at ``at``; ``False`` when it already was (primary key)."""
    claimed = await tx.execute(
        "INSERT INTO answered_prompts (chat_id, message_id, at) VALUES (?, ?, ?)"
        " ON CONFLICT (chat_id, message_id) DO NOTHING",
        (chat_id, message_id, at),
    )
    return bool(claimed)


async def prune_prompts(tx: Transaction, before: str) -> int:
    """Delete answered prompts recorded before ``before`` (UTC ISO text); returns how many."""
    return await tx.execute("DELETE FROM answered_prompts WHERE at < ?", (before,))
