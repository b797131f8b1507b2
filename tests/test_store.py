"""The SQLite store: migrations, refusal of a newer database, serialized transactions, FSM state."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from aiogram.fsm.storage.base import StorageKey

from bot.db import Database, DatabaseTooNewError, Migration, discover_migrations
from bot.storage import SQLiteStorage


async def test_fresh_database_is_migrated_to_the_newest_version(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "new.sqlite3")
    applied = await db.migrate()
    newest = discover_migrations()[-1].version
    assert applied == [m.version for m in discover_migrations()] and applied[0] == 1
    assert await db.user_version() == newest
    assert await db.fetchval("PRAGMA journal_mode") == "wal"
    assert await db.fetchval("PRAGMA foreign_keys") == 1
    assert await db.migrate() == []  # idempotent
    await db.close()


async def test_database_newer_than_the_code_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    db = await Database.open(path)
    await db.migrate()
    newest = await db.user_version()
    async with db.transaction() as tx:
        await tx.execute(f"PRAGMA user_version = {newest + 1}")
    with pytest.raises(DatabaseTooNewError, match="newer|knows migrations only"):
        await db.migrate()
    assert await db.user_version() == newest + 1
    await db.close()


async def test_a_failing_migration_leaves_no_trace(tmp_path: Path) -> None:
    bad = tmp_path / "0001_bad.sql"
    bad.write_text("CREATE TABLE a (x INTEGER);\nINSERT INTO missing VALUES (1);\n", encoding="utf-8")
    db = await Database.open(tmp_path / "bad.sqlite3")
    with pytest.raises(sqlite3.OperationalError, match="missing"):
        await db.migrate([Migration(1, bad)])
    assert await db.user_version() == 0
    assert await db.fetchval("SELECT count(*) FROM sqlite_master WHERE name = 'a'") == 0
    await db.close()


async def test_concurrent_transactions_do_not_interleave(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.execute("CREATE TABLE counter (n INTEGER)")
        await tx.execute("INSERT INTO counter VALUES (0)")

    async def bump() -> None:
        async with db.transaction() as tx:
            n = await tx.fetchval("SELECT n FROM counter")
            await asyncio.sleep(0)  # give another coroutine the chance to interleave
            await tx.execute("UPDATE counter SET n = ?", (n + 1,))

    await asyncio.gather(*(bump() for _ in range(50)))
    assert await db.fetchval("SELECT n FROM counter") == 50


async def test_conversation_state_survives_reopening_the_database(db_path: Path) -> None:
    key = StorageKey(bot_id=1, chat_id=42, user_id=42)
    db = await Database.open(db_path)
    storage = SQLiteStorage(db)
    await storage.set_state(key, "Onboarding:municipality")
    await storage.update_data(key, {"draft": "Суу жок, көчөдө жарык жок <b>"})
    await db.close()

    db = await Database.open(db_path)
    storage = SQLiteStorage(db)
    assert await storage.get_state(key) == "Onboarding:municipality"
    assert await storage.get_data(key) == {"draft": "Суу жок, көчөдө жарык жок <b>"}
    await storage.set_state(key, None)
    assert await storage.get_data(key) == {"draft": "Суу жок, көчөдө жарык жок <b>"}
    await storage.set_data(key, {})
    assert await db.fetchval("SELECT count(*) FROM fsm_state") == 0
    await db.close()


async def test_a_cancelled_writer_never_leaves_the_connection_in_a_transaction(db: Database) -> None:
    """A worker stopped at any moment (even inside BEGIN or COMMIT) must leave the shared connection usable."""
    import contextlib

    async with db.transaction() as tx:
        await tx.execute("CREATE TABLE marks (n INTEGER)")

    async def writer(n: int) -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO marks VALUES (?)", (n,))
            await asyncio.sleep(0.05)

    for n, delay in enumerate((0, 0, 0.0001, 0.0005, 0.001, 0.002, 0.01, 0.06)):
        task = asyncio.create_task(writer(n))
        await asyncio.sleep(delay)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        assert not db.in_transaction, delay
        async with db.transaction() as tx:  # the next writer is not refused with "within a transaction"
            await tx.execute("SELECT 1")
    # a cancelled writer either committed completely or left nothing
    assert await db.fetchval("SELECT count(*) FROM marks") <= 8
