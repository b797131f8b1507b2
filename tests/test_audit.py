"""The audit log (issue 13 item 5): one entry per officer or superadmin action, written in the action's
own transaction, readable per municipality, impossible to edit from the bot."""

from __future__ import annotations

import sqlite3

import pytest

from bot.store import audit as audit_store
from tests.support import AK_DEBE, ALAMUDUN


async def _append(db, code: str | None, action: str = "problem.status", target_id: int = 1) -> int:
    async with db.transaction() as tx:
        return await audit_store.insert_entry(
            tx, at="2026-12-02T04:00:00Z", actor_resident_id=5001, actor_role="officer", municipality_code=code,
            action=action, target_kind="problem", target_id=target_id, details='{"to": "solved"}')


async def test_entries_are_listed_newest_first_per_municipality_with_paging(db) -> None:
    ids = [await _append(db, AK_DEBE, target_id=n) for n in range(5)]
    other = await _append(db, ALAMUDUN)
    page = await audit_store.list_entries(db, AK_DEBE, 3, None)
    assert [e.id for e in page] == ids[::-1][:3]
    assert page[0].facts() == {"to": "solved"} and page[0].actor_role == "officer"
    rest = await audit_store.list_entries(db, AK_DEBE, 3, page[-1].id)
    assert [e.id for e in rest] == ids[1::-1]
    everything = await audit_store.list_entries(db, None, 50, None)
    assert everything[0].id == other and len(everything) == 6


async def test_the_log_refuses_updates_and_deletes(db) -> None:
    entry = await _append(db, AK_DEBE)
    for statement in ("UPDATE audit_log SET action = 'x' WHERE id = ?", "DELETE FROM audit_log WHERE id = ?",
                      "UPDATE audit_log SET actor_resident_id = -1 WHERE id = ?"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            async with db.transaction() as tx:
                await tx.execute(statement, (entry,))
    (kept,) = await audit_store.list_entries(db, AK_DEBE, 5, None)
    assert kept.action == "problem.status" and kept.actor_resident_id == 5001
