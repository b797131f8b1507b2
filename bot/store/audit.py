"""SQL of the audit log (``audit_log``, migration 0011): append one entry, list entries newest first.

There is no update or delete here on purpose: the log cannot be edited from the bot (a trigger refuses
both; the only change it lets through is the privacy erasure's replacement of a deleted person's id by
their anonymous stub's, see :mod:`bot.store.privacy`).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from bot.db import Transaction
from bot.store import Reader

_COLUMNS = ("id, at, actor_resident_id, actor_role, municipality_code, action, target_kind, target_id,"
            " details")


@dataclass(frozen=True)
class AuditEntry:
    """One ``audit_log`` row.

    ``at`` is UTC ISO text (``2026-12-02T04:10:00Z``); ``actor_resident_id`` the actor's
    ``residents.telegram_id`` (negative: a person since deleted, see migration 0008); ``actor_role``
    ``'officer'`` or ``'superadmin'``; ``municipality_code`` the SOATE code concerned (``None``: a national
    action); ``action`` a code of :class:`bot.domain.audit.Action` (``'problem.status'``…);
    ``target_kind``/``target_id`` what was acted on (``'problem'``, 42); ``details`` a JSON object as text
    (never residents' personal data) — :meth:`facts` parses it.
    """

    id: int
    at: str
    actor_resident_id: int | None
    actor_role: str
    municipality_code: str | None
    action: str
    target_kind: str | None
    target_id: int | None
    details: str

    def facts(self) -> dict[str, Any]:
        """``details`` parsed (an empty dict when it is not a JSON object)."""
        try:
            value = json.loads(self.details or "{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}


def _entry(row: sqlite3.Row) -> AuditEntry:
    return AuditEntry(
        id=int(row["id"]), at=str(row["at"]), actor_resident_id=row["actor_resident_id"],
        actor_role=str(row["actor_role"]), municipality_code=row["municipality_code"], action=str(row["action"]),
        target_kind=row["target_kind"], target_id=row["target_id"], details=str(row["details"] or "{}"),
    )


async def insert_entry(tx: Transaction, *, at: str, actor_resident_id: int | None, actor_role: str,
                       municipality_code: str | None, action: str, target_kind: str | None,
                       target_id: int | None, details: str) -> int:
    """Append one entry (``details`` a JSON object as text); returns its id."""
    return await tx.insert(
        "INSERT INTO audit_log (at, actor_resident_id, actor_role, municipality_code, action, target_kind,"
        " target_id, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (at, actor_resident_id, actor_role, municipality_code, action, target_kind, target_id, details),
    )


async def list_entries(reader: Reader, municipality_code: str | None, limit: int,
                       before_id: int | None) -> list[AuditEntry]:
    """Entries newest first (by id), at most ``limit`` (1…500 is sensible), older than ``before_id`` when
    given (paging: pass the last id of the previous page).

    ``municipality_code`` ``None`` lists every municipality's entries and the national ones (a superadmin's
    view); a code lists that municipality's only (an officer's view — the caller checks the role).
    """
    where: list[str] = []
    params: list[Any] = []
    if municipality_code is not None:
        where.append("municipality_code = ?")
        params.append(municipality_code)
    if before_id is not None:
        where.append("id < ?")
        params.append(before_id)
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    rows = await reader.fetchall(
        f"SELECT {_COLUMNS} FROM audit_log{clause} ORDER BY id DESC LIMIT ?", (*params, max(0, int(limit)))
    )
    return [_entry(row) for row in rows]


async def count_entries(reader: Reader, municipality_code: str | None) -> int:
    """How many entries :func:`list_entries` could page through for this scope."""
    if municipality_code is None:
        return int(await reader.fetchval("SELECT COUNT(*) FROM audit_log"))
    return int(await reader.fetchval("SELECT COUNT(*) FROM audit_log WHERE municipality_code = ?",
                                     (municipality_code,)))


async def replace_person(tx: Transaction, old_id: int, stub_id: int) -> None:
    """Privacy erasure only: a deleted person's id, as actor or as a ``'resident'`` target, becomes their
    anonymous stub's (the trigger of migration 0011 lets exactly this change through)."""
    await tx.execute("UPDATE audit_log SET actor_resident_id = ? WHERE actor_resident_id = ?", (stub_id, old_id))
    await tx.execute("UPDATE audit_log SET target_id = ? WHERE target_kind = 'resident' AND target_id = ?",
                     (stub_id, old_id))
