"""The SQLite store: one aiosqlite connection, serialized write transactions, migrations.

Why one connection: SQLite allows one writer at a time. All writes go through
:meth:`Database.transaction`, which takes an :class:`asyncio.Lock` and opens ``BEGIN IMMEDIATE``,
so two coroutines never interleave their statements inside one transaction (a known trap of a
shared aiosqlite connection). Reads outside a transaction run on the same connection.

Migrations are the numbered files ``migrations/NNNN_name.sql``; each runs in its own transaction
and sets ``PRAGMA user_version`` to its number, so a failed migration leaves the database as it was.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
"""Where the numbered ``.sql`` files live (the repository's top-level ``migrations/``)."""

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class DatabaseTooNewError(RuntimeError):
    """The database was migrated by a newer version of the bot than this one."""


@dataclass(frozen=True)
class Migration:
    """One numbered migration file: ``version`` is its 4-digit prefix as an int."""

    version: int
    path: Path

    def statements(self) -> list[str]:
        """Split the file into complete SQL statements (triggers with ``;`` inside stay whole)."""
        statements: list[str] = []
        buffer = ""
        for line in self.path.read_text(encoding="utf-8").splitlines(keepends=True):
            buffer += line
            if sqlite3.complete_statement(buffer):
                if buffer.strip():
                    statements.append(buffer.strip())
                buffer = ""
        if buffer.strip() and not all(
            part.strip().startswith("--") or not part.strip() for part in buffer.splitlines()
        ):
            raise ValueError(f"{self.path.name}: incomplete SQL statement at the end of the file")
        return statements


def discover_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Return the migrations in ``directory`` ordered by version.

    Raises:
        ValueError: two files share a number, or a name is not ``NNNN_name.sql``.
    """
    found: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise ValueError(f"migration file name {path.name!r} is not NNNN_name.sql")
        version = int(match.group(1))
        if version in found:
            raise ValueError(f"two migrations numbered {version}")
        found[version] = Migration(version, path)
    return [found[v] for v in sorted(found)]


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


class _Reader:
    """Queries on ``self._conn``, shared by :class:`Database` and :class:`Transaction` (inside a
    transaction they see its own uncommitted writes)."""

    _conn: aiosqlite.Connection

    async def fetchone(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Row | None:
        """Run a query and return its first row, or ``None``."""
        async with self._conn.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def fetchall(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        """Run a query and return all rows."""
        async with self._conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def fetchval(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        """Run a query and return the first column of the first row, or ``None``."""
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]


class Database(_Reader):
    """One aiosqlite connection with WAL, foreign keys and a busy timeout.

    Use :meth:`open` (or ``async with Database.open(path)``), then :meth:`migrate`.
    Rows come back as :class:`sqlite3.Row` (index by column name).
    """

    def __init__(self, conn: aiosqlite.Connection, path: Path | str) -> None:
        self._conn = conn
        self.path = path
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path | str, *, busy_timeout_ms: int = 5000) -> Database:
        """Open (and create) the database file; ``":memory:"`` is accepted for tests.

        Sets ``journal_mode=WAL`` (readers never block the writer), ``foreign_keys=ON``,
        ``busy_timeout`` (ms another process may hold the write lock before we fail) and
        ``synchronous=NORMAL`` (safe with WAL; loses at most the last commits on power loss).
        """
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(str(path), isolation_level=None)
        conn.row_factory = sqlite3.Row
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        await conn.execute("PRAGMA synchronous=NORMAL")
        return cls(conn, path)

    @property
    def in_transaction(self) -> bool:
        """Whether the connection is inside an open transaction (never true between two transactions)."""
        return self._conn.in_transaction

    async def close(self) -> None:
        """Close the connection (waits for a running transaction to finish)."""
        async with self._write_lock:
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
            # BEGIN, COMMIT and ROLLBACK run in aiosqlite's thread whether or not the awaiting task is
            # cancelled, so they are shielded and always awaited to the end: a task cancelled at the
            # wrong moment (a worker being stopped) must never leave the shared connection inside a
            # transaction.
            await _finish(self._conn.execute("BEGIN IMMEDIATE"), on_cancel=self._conn)
            try:
                yield Transaction(self._conn)
            except BaseException:
                await _finish(self._conn.execute("ROLLBACK"))
                raise
            else:
                await _finish(self._conn.execute("COMMIT"))

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


class Transaction(_Reader):
    """Handle for statements inside :meth:`Database.transaction`."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> int:
        """Run one statement; returns ``cursor.rowcount`` (rows changed by DML)."""
        async with self._conn.execute(sql, params) as cursor:
            return cursor.rowcount

    async def insert(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> int:
        """Run an ``INSERT`` and return ``lastrowid``."""
        async with self._conn.execute(sql, params) as cursor:
            return int(cursor.lastrowid or 0)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any] | dict[str, Any]]) -> None:
        """Run one statement for many parameter rows."""
        await self._conn.executemany(sql, rows)
