"""The SQLite store: a writer and a reader connection, serialized write transactions, migrations.

SQLite allows one writer at a time. All writes go through :meth:`Database.transaction` on the
writer connection, under an :class:`asyncio.Lock`, so two coroutines never interleave their
statements inside one transaction (a known trap of a shared aiosqlite connection). Reads outside a
transaction go to a second connection: in WAL mode it sees only committed data, so a read made
while another coroutine's transaction is open never returns rows that may still be rolled back
(a dirty read on a shared connection), and reads do not queue behind writes in the writer's thread.
Inside a transaction, :class:`Transaction` reads on the writer and sees its own writes.

Round trips: aiosqlite runs each connection in a thread of its own, and every call is a trip to it
and back. A statement here is one trip (execute, fetch and close together); ``BEGIN IMMEDIATE`` goes
with a transaction's first statement and a transaction with no statement costs none, so a
transaction of N statements is N + 1 trips (it was 3N + 2).

Faults of the machine: a write refused because the disk is full, the file is read-only or the disk
reports an I/O error is raised as :class:`StorageUnavailable` (after the transaction was rolled
back, so nothing of it is written), logged once when the outage starts and once when a write
succeeds again ("database writable again"); :attr:`Database.unavailable` says whether one is going
on. A writer connection that SQLite opened read-only (the file was not writable when the bot started)
is reopened by itself, at most every :data:`REOPEN_EVERY` seconds, until the file is writable again.

Migrations are the numbered files ``migrations/NNNN_name.sql``; each runs in its own transaction
and sets ``PRAGMA user_version`` to its number, so a failed migration leaves the database as it was.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.faults import Outage, StorageUnavailable, storage_fault
from bot.faults import classified as _classified
from bot.migrations import MIGRATIONS_DIR, Migration, discover_migrations

__all__ = ["MIGRATIONS_DIR", "Database", "DatabaseTooNewError", "Migration", "StorageUnavailable", "Transaction",
           "discover_migrations", "storage_fault"]

log = logging.getLogger(__name__)


class DatabaseTooNewError(RuntimeError):
    """The database was migrated by a newer version of the bot than this one."""


REOPEN_EVERY = 5.0
"""Seconds between two attempts to reopen a writer connection that SQLite opened read-only."""


async def _finish(statement: Awaitable[Any], *, on_cancel: aiosqlite.Connection | None = None) -> None:
    """Await ``statement`` to its end even if the current task is cancelled meanwhile, then re-raise
    the cancellation. With ``on_cancel`` (used for ``BEGIN``), a transaction that began although the
    task was cancelled is rolled back before the cancellation propagates."""
    task = asyncio.ensure_future(statement)
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await task
        if on_cancel is not None and on_cancel.in_transaction:
            with contextlib.suppress(Exception):
                await on_cancel.execute("ROLLBACK")
        raise


Params = Sequence[Any] | dict[str, Any]
T = TypeVar("T")


def _one(conn: sqlite3.Connection, sql: str, params: Params) -> sqlite3.Row | None:
    cursor = conn.execute(sql, params)
    try:
        return cursor.fetchone()  # type: ignore[no-any-return]
    finally:
        cursor.close()


def _all(conn: sqlite3.Connection, sql: str, params: Params) -> list[sqlite3.Row]:
    cursor = conn.execute(sql, params)
    try:
        return cursor.fetchall()
    finally:
        cursor.close()


def _change(conn: sqlite3.Connection, sql: str, params: Params) -> tuple[int, int]:
    cursor = conn.execute(sql, params)
    try:
        return cursor.rowcount, int(cursor.lastrowid or 0)
    finally:
        cursor.close()


async def _call(conn: aiosqlite.Connection, fn: Any, *args: Any) -> Any:
    """Run ``fn(sqlite3_connection, *args)`` in the connection's thread: one round trip.

    Uses aiosqlite's ``Connection._execute`` (the function every public aiosqlite call goes
    through) with the underlying :mod:`sqlite3` connection.
    """
    return await conn._execute(fn, conn._conn, *args)  # type: ignore[no-untyped-call]  # aiosqlite has no public one-trip call


async def _finish_value(statement: Awaitable[Any], *, on_cancel: aiosqlite.Connection | None = None) -> Any:
    """:func:`_finish` for a statement whose result is needed."""
    task = asyncio.ensure_future(statement)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await task
        if on_cancel is not None and on_cancel.in_transaction:
            with contextlib.suppress(Exception):
                await on_cancel.execute("ROLLBACK")
        raise


class _Reader:
    """Queries on ``self._read_conn``, shared by :class:`Database` (the reader connection: committed
    data only) and :class:`Transaction` (the writer: sees its own uncommitted writes)."""

    _read_conn: aiosqlite.Connection

    statements: int

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        """Run a query and return its first row, or ``None``."""
        self.statements += 1
        return await _call(self._read_conn, _one, sql, params)  # type: ignore[no-any-return]

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """Run a query and return all rows."""
        self.statements += 1
        return await _call(self._read_conn, _all, sql, params)  # type: ignore[no-any-return]

    async def fetchval(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        """Run a query and return the first column of the first row, or ``None``."""
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]


class Database(_Reader):
    """One aiosqlite connection with WAL, foreign keys and a busy timeout.

    Use :meth:`open` (or ``async with Database.open(path)``), then :meth:`migrate`.
    Rows come back as :class:`sqlite3.Row` (index by column name).
    """

    def __init__(self, conn: aiosqlite.Connection, path: Path | str,
                 reader: aiosqlite.Connection | None = None, *, busy_timeout_ms: int = 5000) -> None:
        self._conn = conn
        self._busy_timeout_ms = busy_timeout_ms
        self._read_conn = reader or conn
        self.path = path
        self._write_lock = asyncio.Lock()
        self.statements = 0
        """Statements run since open (reads and writes; for benchmarks)."""
        self._units: list[Any] = []
        self._pump: asyncio.Task[None] | None = None
        self.cache: dict[str, Any] = {}
        """Per-database caches of the domain (e.g. residents by id), keyed by their owner's name: they live
        and die with this connection, so two databases (tests, a restart) never share cached rows."""
        self.outage = Outage()
        """Whether writes are refused by the machine now, since when and why (for logs and health)."""
        self._reopen_at: float | None = None

    @classmethod
    async def open(cls, path: Path | str, *, busy_timeout_ms: int = 5000) -> Database:
        """Open (and create) the database file; ``":memory:"`` is accepted for tests.

        Sets ``journal_mode=WAL`` (readers never block the writer), ``foreign_keys=ON``,
        ``busy_timeout`` (ms another process may hold the write lock before we fail) and
        ``synchronous=NORMAL`` (safe with WAL; loses at most the last commits on power loss).
        """
        memory = str(path) == ":memory:"
        if not memory:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        writer = await _connect(path, busy_timeout_ms, query_only=False)
        # an in-memory database is private to its connection: there, reads share the writer
        reader = None if memory else await _connect(path, busy_timeout_ms, query_only=True)
        return cls(writer, path, reader, busy_timeout_ms=busy_timeout_ms)

    @property
    def in_transaction(self) -> bool:
        """Whether the connection is inside an open transaction (never true between two transactions)."""
        return self._conn.in_transaction

    # -- faults of the machine --------------------------------------------------------------

    @property
    def unavailable(self) -> str | None:
        """The cause of the current outage (:attr:`StorageUnavailable.cause`), ``None`` while writes succeed."""
        return self.outage.cause

    def _fault(self, fault: StorageUnavailable) -> None:
        self.outage.fault(fault)
        if fault.read_only and self._reopen_at is None and str(self.path) != ":memory:":
            self._reopen_at = time.monotonic() + REOPEN_EVERY

    def _healthy(self) -> None:
        if self.outage.healthy():
            self._reopen_at = None

    async def _prepare_writer(self) -> None:
        """Under the write lock, before a transaction: end a transaction a failed ``ROLLBACK`` left open
        (after an I/O error), and reopen a read-only writer connection when it is due."""
        if self._conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                await _finish(self._conn.execute("ROLLBACK"))
        if self._reopen_at is None or time.monotonic() < self._reopen_at:
            return
        self._reopen_at = time.monotonic() + REOPEN_EVERY  # and again later if it is still read-only
        try:
            fresh = await _connect(self.path, self._busy_timeout_ms, query_only=False)
        except sqlite3.Error as error:
            log.debug("reopening the database writer failed: %s", error)
            return
        old, self._conn = self._conn, fresh
        with contextlib.suppress(sqlite3.Error):
            await old.close()
        log.info("database writer reopened (it was read-only)")

    async def close(self) -> None:
        """Close both connections (waits for a running transaction and queued units to finish)."""
        if self._pump is not None and not self._pump.done():
            await self._pump
        async with self._write_lock:
            if self._read_conn is not self._conn:
                await self._read_conn.close()
            await self._conn.close()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- writes -------------------------------------------------------------------------

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """Serialized write transaction: ``BEGIN IMMEDIATE`` … ``COMMIT``, ``ROLLBACK`` on error.

        Not re-entrant: a domain function opens exactly one transaction and passes the
        :class:`Transaction` to helpers that must write inside it.
        """
        async with self._write_lock:
            # BEGIN (with the first statement), COMMIT and ROLLBACK run in aiosqlite's thread whether
            # or not the awaiting task is cancelled, so they are shielded and always awaited to the end:
            # a task cancelled at the wrong moment (a worker being stopped) must never leave the writer
            # connection inside a transaction.
            await self._prepare_writer()
            tx = Transaction(self._conn, self)
            try:
                yield tx
                if tx.begun:
                    try:
                        await _finish(self._conn.execute("COMMIT"))
                    except sqlite3.Error as error:
                        raise _classified(error) from error
            except BaseException as error:
                # not when the first statement's own cancellation handling rolled back already
                if self._conn.in_transaction:
                    try:
                        await _finish(self._conn.execute("ROLLBACK"))
                    except sqlite3.Error:
                        if storage_fault(error) is None:
                            raise
                        # an I/O error can refuse the rollback too; SQLite rolls back when next used
                if isinstance(error, StorageUnavailable):
                    self._fault(error)
                raise
            if tx.begun:
                self._healthy()
            for callback in tx.after_commit:
                callback()

    async def unit(self, body: Callable[[Transaction], Awaitable[T]]) -> T:
        """Run ``body(tx)`` as one write transaction in the writer connection's own thread.

        Under load the event loop is busy, and a transaction that awaits each statement holds the write
        lock across as many loop turns as it has statements, while every other writer queues behind it
        (and each hand-over of an asyncio lock costs a loop turn too). Here units are queued and run back
        to back in aiosqlite's thread, each ``BEGIN IMMEDIATE`` … ``COMMIT`` of its own, as many as
        arrived meanwhile in one round trip: the lock is held only for their own work. ``body`` is an
        ordinary async function of the domain, but it may await only the transaction's statements (and
        functions that do nothing else, such as the store's): they complete at once there. Its
        ``after_commit`` hooks run in the event loop after the commit; an exception it raises rolls its
        own transaction back and propagates to its caller only.

        Raises:
            RuntimeError: ``body`` waited for something else (a read on the database, a sleep): that
                is a programming error; nothing was written.
        """
        loop = asyncio.get_running_loop()
        tx = Transaction(self._conn, self)
        future: asyncio.Future[Any] = loop.create_future()
        self._units.append((body, tx, future))
        if self._pump is None or self._pump.done():
            self._pump = loop.create_task(self._run_units(), name="db-units")
        result: T = await asyncio.shield(future)
        for callback in tx.after_commit:
            callback()
        return result

    async def _run_units(self) -> None:
        """Run queued units in the writer's thread, a batch per round trip, until none is left."""
        while self._units:
            batch, self._units = self._units, []
            async with self._write_lock:
                await self._prepare_writer()
                try:
                    outcomes = await _finish_value(_call(self._conn, _run_batch, batch))
                except Exception as error:  # noqa: BLE001 - the connection failed: each unit gets the error
                    outcomes = [(False, _classified(error))] * len(batch)
            for (_body, _tx, future), (ok, value) in zip(batch, outcomes, strict=True):
                if isinstance(value, StorageUnavailable):
                    self._fault(value)
                elif ok:
                    self._healthy()
                if future.done():
                    continue
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)

    # -- migrations ---------------------------------------------------------------------

    async def user_version(self) -> int:
        """The schema version recorded in the file (``PRAGMA user_version``)."""
        return int(await self.fetchval("PRAGMA user_version"))

    async def migrate(self, migrations: Iterable[Migration] | None = None) -> list[int]:
        """Apply pending migrations in order, each in one transaction.

        Returns:
            the versions applied (empty when the schema was current).
        Raises:
            DatabaseTooNewError: the file's ``user_version`` is above the newest migration
                this code knows, i.e. it was written by a newer release; we refuse to touch it.
        """
        known = list(migrations) if migrations is not None else discover_migrations()
        newest = known[-1].version if known else 0
        current = await self.user_version()
        if current > newest:
            raise DatabaseTooNewError(
                f"The database {self.path} has schema version {current}, but this version of the bot "
                f"knows migrations only up to {newest}. Upgrade the bot, or restore a backup made for "
                f"this version; the database was not changed."
            )
        applied: list[int] = []
        for migration in known:
            if migration.version <= current:
                continue
            async with self.transaction() as tx:
                for statement in migration.statements():
                    await tx.execute(statement)
                # user_version lives in the file header and is part of this transaction.
                await tx.execute(f"PRAGMA user_version = {migration.version}")
            log.info("applied migration %s", migration.path.name)
            applied.append(migration.version)
        return applied


def _run_batch(conn: sqlite3.Connection, batch: list[Any]) -> list[tuple[bool, Any]]:
    """Run each unit of ``batch`` (``(body, tx, future)``) as its own transaction; ``(ok, result or error)``."""
    outcomes: list[tuple[bool, Any]] = []
    for body, tx, _future in batch:
        tx._unit_conn = conn
        try:
            if conn.in_transaction:  # a ROLLBACK refused after an I/O error left it open
                conn.execute("ROLLBACK")
            conn.execute("BEGIN IMMEDIATE")
            coroutine = body(tx)
            try:
                coroutine.send(None)
            except StopIteration as done:
                conn.execute("COMMIT")
                outcomes.append((True, done.value))
                continue
            coroutine.close()
            raise RuntimeError("a transaction unit may await only its own statements")
        except BaseException as error:  # noqa: BLE001 - the unit's own error goes back to its caller
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):  # an I/O error can refuse the rollback too
                    conn.execute("ROLLBACK")
            outcomes.append((False, _classified(error)))
    return outcomes


async def _connect(path: Path | str, busy_timeout_ms: int, *, query_only: bool) -> aiosqlite.Connection:
    """One connection with the store's pragmas (WAL on the writer; ``query_only`` on the reader)."""
    conn = await aiosqlite.connect(str(path), isolation_level=None)
    conn.row_factory = sqlite3.Row
    if not query_only:
        await conn.execute("PRAGMA journal_mode=WAL")
    await conn.execute("PRAGMA foreign_keys=ON")
    await conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    await conn.execute("PRAGMA synchronous=NORMAL")
    if query_only:
        await conn.execute("PRAGMA query_only=ON")
    return conn


def _begin_then(conn: sqlite3.Connection, fn: Any, *args: Any) -> Any:
    conn.execute("BEGIN IMMEDIATE")
    return fn(conn, *args)


def _many(conn: sqlite3.Connection, sql: str, rows: list[Params]) -> None:
    conn.executemany(sql, rows)


class Transaction(_Reader):
    """Handle for statements inside :meth:`Database.transaction` (on the writer connection).

    ``BEGIN IMMEDIATE`` is sent with the first statement, in the same round trip.
    """

    def __init__(self, conn: aiosqlite.Connection, db: Database | None = None) -> None:
        self._conn = conn
        self._read_conn = conn
        self._db = db
        self.begun = False
        self.statements = 0
        self.after_commit: list[Callable[[], None]] = []
        """Called in order once the transaction has committed (e.g. to drop a cached row it changed)."""
        self._unit_conn: sqlite3.Connection | None = None

    @property
    def cache(self) -> dict[str, Any]:
        """The database's :attr:`Database.cache` (empty and private for a bare transaction)."""
        if self._db is None:
            self._db_cache: dict[str, Any] = getattr(self, "_db_cache", {})
            return self._db_cache
        return self._db.cache

    async def _run(self, fn: Any, *args: Any) -> Any:
        self.statements += 1
        if self._db is not None:
            self._db.statements += 1
        try:
            if self._unit_conn is not None:  # inside Database.unit: already in the writer's thread
                return fn(self._unit_conn, *args)
            if self.begun:
                return await _call(self._conn, fn, *args)
            self.begun = True
            return await _finish_value(_call(self._conn, _begin_then, fn, *args), on_cancel=self._conn)
        except sqlite3.Error as error:
            fault = storage_fault(error)
            if fault is None:
                raise
            raise fault from error

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        """Run a query inside the transaction and return its first row, or ``None``."""
        return await self._run(_one, sql, params)  # type: ignore[no-any-return]

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """Run a query inside the transaction and return all rows."""
        return await self._run(_all, sql, params)  # type: ignore[no-any-return]

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns ``cursor.rowcount`` (rows changed by DML)."""
        rowcount, _ = await self._run(_change, sql, params)
        return int(rowcount)

    async def insert(self, sql: str, params: Params = ()) -> int:
        """Run an ``INSERT`` and return ``lastrowid``."""
        _, rowid = await self._run(_change, sql, params)
        return int(rowid)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement for many parameter rows (one round trip)."""
        await self._run(_many, sql, list(rows))
