"""SQL of resident verification (migration 0004): ``resident_verifications``, the one-time
``residence_codes`` and the failed ``code_attempts`` (who and when, never the code typed).

The rules (which contact counts, what a code verifies, the throttle) are in :mod:`bot.domain.verification`.
Times are UTC ISO text from the domain clock.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from bot.db import Transaction
from bot.store import Reader


async def verification_of(db: Reader, resident_id: int) -> sqlite3.Row | None:
    """``method`` (``phone``/``code``) and ``municipality_code`` (``NULL`` for phone) of the resident's
    verification, or ``None`` when they are not verified."""
    return await db.fetchone("SELECT method, municipality_code FROM resident_verifications WHERE resident_id = ?",
                             (resident_id,))


async def set_phone_verified(tx: Transaction, resident_id: int, at: str) -> None:
    """Record (or replace) the resident's verification as ``phone``, valid in any municipality, at ``at``."""
    await tx.execute(
        "INSERT INTO resident_verifications (resident_id, method, municipality_code, verified_at)"
        " VALUES (?, 'phone', NULL, ?) ON CONFLICT (resident_id) DO UPDATE SET method = 'phone',"
        " municipality_code = NULL, verified_at = excluded.verified_at",
        (resident_id, at))


async def set_code_verified(tx: Transaction, resident_id: int, municipality_code: str, at: str) -> None:
    """Record (or replace) the resident's verification as ``code`` for ``municipality_code``, at ``at``."""
    await tx.execute(
        "INSERT INTO resident_verifications (resident_id, method, municipality_code, verified_at)"
        " VALUES (?, 'code', ?, ?) ON CONFLICT (resident_id) DO UPDATE SET method = 'code',"
        " municipality_code = excluded.municipality_code, verified_at = excluded.verified_at",
        (resident_id, municipality_code, at))


async def resident_exists(db: Reader, resident_id: int) -> bool:
    """Whether the person has a ``residents`` row (has written to the bot)."""
    return bool(await db.fetchval("SELECT 1 FROM residents WHERE telegram_id = ?", (resident_id,)))


async def resident_municipality(db: Reader, resident_id: int) -> str | None:
    """The resident's current municipality code, ``None`` when they have none or are unknown."""
    code: Any = await db.fetchval("SELECT municipality_code FROM residents WHERE telegram_id = ?", (resident_id,))
    return None if code is None else str(code)


# -- residence codes -------------------------------------------------------------------------------


async def insert_codes(tx: Transaction, codes: Sequence[str], *, municipality_code: str, created_by: int,
                       created_at: str) -> set[str]:
    """Insert unused residence codes in one statement, skipping any that exist already (or repeat in
    ``codes``); returns the codes inserted."""
    if not codes:
        return set()
    values = ", ".join(["(?, ?, ?, ?)"] * len(codes))
    params: list[Any] = []
    for code in codes:
        params += [code, municipality_code, created_by, created_at]
    rows = await tx.fetchall(
        f"INSERT INTO residence_codes (code, municipality_code, created_by, created_at) VALUES {values}"
        " ON CONFLICT (code) DO NOTHING RETURNING code", params)
    return {r[0] for r in rows}


async def code_row(db: Reader, code: str) -> sqlite3.Row | None:
    """``municipality_code, used_by`` of the residence code, or ``None`` for an unknown code."""
    return await db.fetchone("SELECT municipality_code, used_by FROM residence_codes WHERE code = ?", (code,))


async def use_code(tx: Transaction, code: str, resident_id: int, at: str) -> bool:
    """Mark an unused code used by ``resident_id`` at ``at``; ``False`` when it was used already (unchanged)."""
    return bool(await tx.execute(
        "UPDATE residence_codes SET used_by = ?, used_at = ? WHERE code = ? AND used_by IS NULL",
        (resident_id, at, code)))


async def count_unused(db: Reader, municipality_code: str) -> int:
    """How many codes of the municipality are still unused."""
    return int(await db.fetchval(
        "SELECT count(*) FROM residence_codes WHERE municipality_code = ? AND used_by IS NULL",
        (municipality_code,)))


# -- failed attempts -------------------------------------------------------------------------------


async def recent_failures(db: Reader, resident_id: int, since: str, limit: int) -> list[str]:
    """Times (UTC ISO, newest first) of at most ``limit`` failed codes of the resident after ``since``."""
    rows = await db.fetchall(
        "SELECT attempted_at FROM code_attempts WHERE resident_id = ? AND attempted_at > ?"
        " ORDER BY attempted_at DESC LIMIT ?", (resident_id, since, limit))
    return [r[0] for r in rows]


async def record_failure(tx: Transaction, resident_id: int, at: str, *, forget_until: str) -> None:
    """Record a failed code of the resident at ``at`` and drop everyone's failures at or before ``forget_until``."""
    await tx.execute("INSERT INTO code_attempts (resident_id, attempted_at) VALUES (?, ?)", (resident_id, at))
    await tx.execute("DELETE FROM code_attempts WHERE attempted_at <= ?", (forget_until,))
