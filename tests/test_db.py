"""The store's guarantees: committed reads only, one unit per transaction, few round trips, and the
FSM storage's write-through cache."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiosqlite
import pytest
from aiogram.fsm.storage.base import StorageKey

from bot.db import Database
from bot.storage import SQLiteStorage

KEY = StorageKey(bot_id=1, chat_id=42, user_id=42)


async def _rows(db: Database) -> int:
    return int(await db.fetchval("SELECT count(*) FROM fsm_state"))


async def _insert(tx, key: str) -> None:
    await tx.execute("INSERT INTO fsm_state (storage_key, state, data, updated_at) VALUES (?, 's', '{}', 't')", (key,))


async def test_a_read_during_another_open_transaction_sees_only_committed_data(db: Database) -> None:
    inside = asyncio.Event()
    release = asyncio.Event()

    async def writer() -> None:
        with pytest.raises(RuntimeError):
            async with db.transaction() as tx:
                await _insert(tx, "dirty")
                inside.set()
                await release.wait()
                raise RuntimeError("rolled back")

    task = asyncio.create_task(writer())
    await inside.wait()
    assert await _rows(db) == 0, "a read saw a row of a transaction still open"
    release.set()
    await task
    assert await _rows(db) == 0


async def test_a_transaction_sees_its_own_writes_and_commits_them_as_one(db: Database) -> None:
    async with db.transaction() as tx:
        await _insert(tx, "a")
        await _insert(tx, "b")
        assert await tx.fetchval("SELECT count(*) FROM fsm_state") == 2
        assert await _rows(db) == 0
    assert await _rows(db) == 2


async def test_two_transactions_never_interleave(db: Database) -> None:
    order: list[str] = []

    async def work(name: str) -> None:
        async with db.transaction() as tx:
            order.append(f"{name} begins")
            await _insert(tx, name)
            await asyncio.sleep(0.01)
            await tx.execute("UPDATE fsm_state SET state = ? WHERE storage_key = ?", (name, name))
            order.append(f"{name} ends")

    await asyncio.gather(work("x"), work("y"))
    assert order in (["x begins", "x ends", "y begins", "y ends"], ["y begins", "y ends", "x begins", "x ends"])


async def test_a_cancelled_transaction_leaves_the_writer_usable(db: Database) -> None:
    started = asyncio.Event()

    async def slow() -> None:
        async with db.transaction() as tx:
            await _insert(tx, "cancelled")
            started.set()
            await asyncio.sleep(10)

    task = asyncio.create_task(slow())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not db.in_transaction
    async with db.transaction() as tx:
        await _insert(tx, "after")
    assert await db.fetchval("SELECT group_concat(storage_key) FROM fsm_state") == "after"


async def test_a_statement_is_one_round_trip_and_an_empty_transaction_none(db: Database, monkeypatch) -> None:
    trips = {"n": 0}
    original = aiosqlite.Connection._execute

    async def counted(self, fn, *args, **kwargs):
        trips["n"] += 1
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    await db.fetchone("SELECT 1")
    assert trips["n"] == 1
    trips["n"] = 0
    async with db.transaction():
        pass
    assert trips["n"] == 0
    async with db.transaction() as tx:
        await _insert(tx, "a")
        await tx.fetchval("SELECT count(*) FROM fsm_state")
        await _insert(tx, "b")
    assert trips["n"] == 4  # three statements (BEGIN rides with the first) + COMMIT


async def test_the_reader_connection_cannot_write(db: Database) -> None:
    with pytest.raises(Exception, match="readonly|read-only|query_only|attempt to write"):
        await db.fetchone("INSERT INTO fsm_state (storage_key, state, data, updated_at) VALUES ('k', 's', '{}', 't')")


# -- FSM storage ------------------------------------------------------------------------------------


async def test_storage_skips_writes_that_change_nothing(db: Database) -> None:
    storage = SQLiteStorage(db)
    await storage.set_state(KEY, None)  # aiogram's state.clear() for someone who has no state
    await storage.set_data(KEY, {})
    assert storage.writes == 0 and await _rows(db) == 0
    await storage.set_state(KEY, "flow:step")
    await storage.set_data(KEY, {"draft": "x"})
    await storage.set_data(KEY, {"draft": "x"})  # the same again
    assert storage.writes == 2
    reads = db.statements
    assert await storage.get_state(KEY) == "flow:step"
    assert await storage.get_data(KEY) == {"draft": "x"}
    assert db.statements == reads, "cached reads must not touch the database"


async def test_storage_writes_through_so_a_new_process_finds_the_step(db_path: Path) -> None:
    first = await Database.open(db_path)
    storage = SQLiteStorage(first)
    await storage.set_state(KEY, "flow:step")
    await storage.set_data(KEY, {"draft": "кулактандыруу"})
    # no close, no flush: as if the process were killed here
    second = await Database.open(db_path)
    try:
        again = SQLiteStorage(second)
        assert await again.get_state(KEY) == "flow:step"
        assert await again.get_data(KEY) == {"draft": "кулактандыруу"}
        await again.set_state(KEY, None)
        await again.set_data(KEY, {})
        assert await second.fetchval("SELECT count(*) FROM fsm_state") == 0
    finally:
        await second.close()
        await first.close()


async def test_storage_cache_is_bounded(db: Database) -> None:
    storage = SQLiteStorage(db, cache_size=3)
    for chat in range(10):
        await storage.set_state(StorageKey(bot_id=1, chat_id=chat, user_id=chat), "flow:step")
    assert len(storage._cache) == 3
    assert await storage.get_state(StorageKey(bot_id=1, chat_id=0, user_id=0)) == "flow:step"  # read back from disk


async def test_a_unit_is_one_round_trip_commits_on_return_and_rolls_back_on_error(db: Database, monkeypatch) -> None:
    trips = {"n": 0}
    original = aiosqlite.Connection._execute

    async def counted(self, fn, *args, **kwargs):
        trips["n"] += 1
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    committed: list[str] = []

    async def body(tx) -> int:
        await _insert(tx, "a")
        await _insert(tx, "b")
        tx.after_commit.append(lambda: committed.append("yes"))
        return int(await tx.fetchval("SELECT count(*) FROM fsm_state"))

    assert await db.unit(body) == 2
    assert trips["n"] == 1 and committed == ["yes"]
    assert await _rows(db) == 2

    async def refused(tx) -> None:
        await _insert(tx, "c")
        raise ValueError("a rule refused it")

    with pytest.raises(ValueError):
        await db.unit(refused)
    assert await _rows(db) == 2


async def test_a_unit_that_waits_for_anything_else_writes_nothing(db: Database) -> None:
    async def waits(tx) -> None:
        await _insert(tx, "x")
        await asyncio.sleep(0)

    with pytest.raises(RuntimeError, match="only its own statements"):
        await db.unit(waits)
    assert await _rows(db) == 0
    async with db.transaction() as tx:  # the writer is usable afterwards
        await _insert(tx, "after")
    assert await _rows(db) == 1
