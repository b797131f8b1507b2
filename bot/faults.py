"""Faults of the machine, told apart from everything else: the disk full, a read-only file, an I/O error.

:func:`storage_fault` classifies an exception from SQLite (by its primary result code, any extended
code) or from writing a file (``OSError`` by errno); :class:`bot.db.Database` raises what it finds
as :class:`StorageUnavailable` from its writer path, after rolling the transaction back, and the
dispatcher's error handlers (:mod:`bot.handlers.errors`) tell the person to try again in a few minutes.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
import time

log = logging.getLogger("bot.db")


class StorageUnavailable(RuntimeError):
    """A write was refused by the machine, not by a rule: the disk is full, the database file (or its
    folder) is read-only, or the disk reported an I/O error. The transaction was rolled back, nothing
    of it was written; the same action may succeed once the condition clears (no restart needed).

    Attributes:
        cause: a short English description for logs ("the disk is full", ...).
        read_only: the connection itself is read-only (SQLITE_READONLY): reopening it may help.
    """

    def __init__(self, cause: str, detail: str = "", *, read_only: bool = False) -> None:
        super().__init__(f"{cause}: {detail}" if detail else cause)
        self.cause = cause
        self.read_only = read_only


_SQLITE_FAULTS = {
    sqlite3.SQLITE_FULL: "the disk is full",
    sqlite3.SQLITE_READONLY: "the database file is read-only",
    sqlite3.SQLITE_IOERR: "the disk reported an I/O error",
    sqlite3.SQLITE_CANTOPEN: "a database file cannot be opened (read-only folder?)",
}
_OS_FAULTS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exhausted",
    errno.EROFS: "the file system is read-only",
    errno.EIO: "the disk reported an I/O error",
}


def storage_fault(error: BaseException) -> StorageUnavailable | None:
    """Classify ``error``: a :class:`StorageUnavailable` for a fault of the machine (SQLite's
    SQLITE_FULL, SQLITE_READONLY, SQLITE_IOERR, SQLITE_CANTOPEN with any extended code, or an
    :class:`OSError` ENOSPC/EDQUOT/EROFS/EIO from writing a file), ``None`` for anything else
    (a constraint, a bug, a busy database)."""
    if isinstance(error, StorageUnavailable):
        return error
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        primary = code & 0xFF if isinstance(code, int) else None
        text = str(error).lower()
        if primary is None:
            primary = (sqlite3.SQLITE_FULL if "disk is full" in text
                       else sqlite3.SQLITE_READONLY if "readonly database" in text
                       else sqlite3.SQLITE_IOERR if "disk i/o error" in text else None)
        if primary in _SQLITE_FAULTS:
            name = getattr(error, "sqlite_errorname", None) or "SQLite error"
            return StorageUnavailable(_SQLITE_FAULTS[primary], f"{name}: {error}",
                                      read_only=primary == sqlite3.SQLITE_READONLY)
        return None
    if isinstance(error, OSError) and error.errno in _OS_FAULTS:
        return StorageUnavailable(_OS_FAULTS[error.errno], f"{type(error).__name__}: {error}")
    return None


def classified(error: BaseException) -> BaseException:
    """``error`` as :class:`StorageUnavailable` when it is a fault of the machine, else itself."""
    fault = storage_fault(error)
    if fault is None or fault is error:
        return error
    fault.__cause__ = error
    return fault


RECOVERED_AFTER = 5.0
"""Seconds without a refused write after which a successful write ends an outage. A disk that is nearly
full refuses only the writes that need new space, so writes fail and succeed by turns: that is one
outage, logged once, not two lines per update."""


class Outage:
    """The state of a storage outage, logged once when it starts and once when it ends.

    Attributes:
        cause: the current outage's :attr:`StorageUnavailable.cause`, ``None`` while writes succeed.
        since: ``time.time()`` of its first refused write.
    """

    def __init__(self) -> None:
        self.cause: str | None = None
        self.since: float | None = None
        self._last_fault = 0.0

    def fault(self, fault: StorageUnavailable) -> None:
        """A write was refused: log it if this starts an outage (or changes its cause), else stay quiet."""
        if self.cause != fault.cause:
            log.error("database not writable: %s (%s); residents are asked to try again in a few minutes",
                      fault.cause, fault)
        self.cause = fault.cause
        self.since = self.since or time.time()
        self._last_fault = time.monotonic()

    def healthy(self) -> bool:
        """A write committed: end the outage with one log line once no write was refused for
        :data:`RECOVERED_AFTER` seconds. Returns whether an outage ended."""
        if self.cause is None or time.monotonic() - self._last_fault < RECOVERED_AFTER:
            return False
        log.warning("database writable again (after %.0f s of: %s)", time.time() - (self.since or time.time()),
                    self.cause)
        self.cause = self.since = None
        return True
