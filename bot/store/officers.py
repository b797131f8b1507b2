"""SQL of the officer role: ``officers``, their history ``officer_events`` and ``officer_invites``.

Officers come back as :class:`sqlite3.Row` with ``telegram_id``, ``municipality_code`` and
``granted_at``; :mod:`bot.domain.officers` builds its :class:`~bot.domain.officers.Officer` and keeps
the role cache.
"""

from __future__ import annotations

import sqlite3

from bot.db import Transaction
from bot.store import Reader

_OFFICER = "telegram_id, municipality_code, granted_at"


async def officer_by_id(db: Reader, telegram_id: int) -> sqlite3.Row | None:
    """The officer row (``telegram_id, municipality_code, granted_at``) of this person, or ``None``."""
    return await db.fetchone(f"SELECT {_OFFICER} FROM officers WHERE telegram_id = ?", (telegram_id,))


async def municipality_of(db: Reader, telegram_id: int) -> str | None:
    """The SOATE code of the municipality this person is an officer of, or ``None`` (not an officer)."""
    code = await db.fetchval("SELECT municipality_code FROM officers WHERE telegram_id = ?", (telegram_id,))
    return None if code is None else str(code)


async def officers_of(db: Reader, municipality_code: str) -> list[sqlite3.Row]:
    """Officer rows (``telegram_id, municipality_code, granted_at``) of one municipality, oldest grant first."""
    return await db.fetchall(
        f"SELECT {_OFFICER} FROM officers WHERE municipality_code = ? ORDER BY granted_at", (municipality_code,)
    )


async def upsert_officer(tx: Transaction, telegram_id: int, municipality_code: str, *, granted_by: int,
                         at: str) -> None:
    """Make the person an officer of ``municipality_code`` (moving them if they were one elsewhere)."""
    await tx.execute(
        "INSERT INTO officers (telegram_id, municipality_code, granted_by, granted_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (telegram_id) DO UPDATE SET municipality_code = excluded.municipality_code,"
        " granted_by = excluded.granted_by, granted_at = excluded.granted_at",
        (telegram_id, municipality_code, granted_by, at),
    )


async def delete_officer(tx: Transaction, telegram_id: int) -> sqlite3.Row | None:
    """Remove the officer role; returns the removed row (``telegram_id, municipality_code,
    granted_at``), or ``None`` when the person was not an officer."""
    return await tx.fetchone(f"DELETE FROM officers WHERE telegram_id = ? RETURNING {_OFFICER}", (telegram_id,))


async def insert_event(tx: Transaction, *, telegram_id: int, municipality_code: str, action: str, via: str,
                       actor_id: int, invite_code: str | None, at: str) -> None:
    """Record a grant or revocation (``action`` ``'grant'``/``'revoke'``, ``via`` ``'command'``/``'invite'``)."""
    await tx.execute(
        "INSERT INTO officer_events (telegram_id, municipality_code, action, via, actor_id, invite_code, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (telegram_id, municipality_code, action, via, actor_id, invite_code, at),
    )


async def events_of(db: Reader, telegram_id: int) -> list[sqlite3.Row]:
    """All ``officer_events`` rows (every column) of one person, oldest first."""
    return await db.fetchall("SELECT * FROM officer_events WHERE telegram_id = ? ORDER BY id", (telegram_id,))


async def invite_code_taken(db: Reader, code: str) -> bool:
    """Whether an invite (used or not) already has this code."""
    return await db.fetchval("SELECT 1 FROM officer_invites WHERE code = ?", (code,)) is not None


async def insert_invite(tx: Transaction, code: str, municipality_code: str, *, created_by: int, at: str,
                        expires_at: str) -> None:
    """Store a new, unused invite."""
    await tx.execute(
        "INSERT INTO officer_invites (code, municipality_code, created_by, created_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (code, municipality_code, created_by, at, expires_at),
    )


async def invite_by_code(db: Reader, code: str) -> sqlite3.Row | None:
    """The ``officer_invites`` row (every column) with this code, or ``None``."""
    return await db.fetchone("SELECT * FROM officer_invites WHERE code = ?", (code,))


async def use_invite(tx: Transaction, code: str, telegram_id: int, at: str) -> int:
    """Mark the invite used by ``telegram_id`` if it is still unused; returns the rows changed (0 or 1)."""
    return await tx.execute(
        "UPDATE officer_invites SET used_by = ?, used_at = ? WHERE code = ? AND used_by IS NULL",
        (telegram_id, at, code),
    )
