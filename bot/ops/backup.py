"""Online backups of the live database: ``python -m bot backup FILE [--keep N]``.

SQLite's online backup API (:meth:`sqlite3.Connection.backup`) copies a consistent snapshot of the
database while the bot keeps running: in WAL mode readers never block the writer, and the copy is
one committed state (https://www.sqlite.org/backup.html). The copy is written next to its target
as ``<name>.partial``, checked with ``PRAGMA integrity_check`` and only then renamed into place, so a
half-written file (a full disk, a killed process) never looks like a backup.

With ``--keep N`` the copy's name carries the UTC time of the backup
(``jamaat.sqlite3`` → ``jamaat-20261202T031500Z.sqlite3``) and only the newest N copies of that
name are kept; without it FILE is written (or replaced) as given.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
"""UTC time in a backup's name: sortable, no characters a file system or a shell minds."""

_PAGES_PER_STEP = 1024
"""Pages copied per step of the online backup (4 MiB with 4 KiB pages): the bot's writer waits at
most one step's time (milliseconds), the backup restarts no step when the bot writes meanwhile."""


class BackupError(RuntimeError):
    """The backup could not be made or did not pass its check; the message says why."""


@dataclass(frozen=True)
class BackupReport:
    """One finished backup: where it is, its size in bytes, how long it took (seconds), which old
    copies were removed by rotation."""

    path: Path
    size: int
    seconds: float
    removed: tuple[Path, ...]


def stamped(target: Path, moment: datetime) -> Path:
    """``target`` with the UTC time inserted before its suffix: ``a/jamaat.sqlite3`` →
    ``a/jamaat-20261202T031500Z.sqlite3``."""
    return target.with_name(f"{target.stem}-{moment.astimezone(UTC).strftime(STAMP_FORMAT)}{target.suffix}")


def rotation_set(target: Path) -> list[Path]:
    """The stamped copies of ``target`` that exist, oldest first."""
    pattern = re.compile(re.escape(target.stem) + r"-\d{8}T\d{6}Z" + re.escape(target.suffix) + "$")
    if not target.parent.is_dir():
        return []
    return sorted(p for p in target.parent.iterdir() if pattern.match(p.name) and p.is_file())


def backup(source: Path, target: Path, *, keep: int | None = None, now: datetime | None = None) -> BackupReport:
    """Copy the live database ``source`` to ``target`` (stamped and rotated when ``keep`` is given).

    Blocking (run it in a thread from async code). The source is opened read-only; the bot may write
    to it meanwhile.

    Raises:
        BackupError: the source is missing or not a database, the target folder cannot be written
            (the disk is full, no permission), or the copy fails ``integrity_check``. A failed backup
            leaves no file behind and removes no older copy.
    """
    if keep is not None and keep < 1:
        raise BackupError("--keep must be at least 1")
    if not source.is_file():
        raise BackupError(f"{source}: no database file (check DATABASE_PATH)")
    started = time.monotonic()
    final = stamped(target, now or datetime.now(UTC)) if keep is not None else target
    if final.resolve() == source.resolve():
        raise BackupError("the backup file must not be the live database")
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"{final.parent}: cannot create the folder ({exc.strerror or exc})") from exc
    partial = final.with_name(final.name + ".partial")
    try:
        _copy(source, partial)
        _check(partial)
        os.replace(partial, final)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
    removed: list[Path] = []
    if keep is not None:
        for old in rotation_set(target)[:-keep]:
            with contextlib.suppress(FileNotFoundError):
                old.unlink()
                removed.append(old)
    return BackupReport(final, final.stat().st_size, time.monotonic() - started, tuple(removed))


def _copy(source: Path, partial: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        partial.unlink()
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    except sqlite3.Error as exc:
        raise BackupError(f"{source}: cannot open the database ({exc})") from exc
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst, pages=_PAGES_PER_STEP, sleep=0.005)
            # a backup is one self-contained file: no -wal beside it to lose when copied elsewhere
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"backup failed: {exc} (is the disk full, or {source} not a database?)") from exc
    except OSError as exc:
        raise BackupError(f"{partial}: cannot write ({exc.strerror or exc})") from exc
    finally:
        src.close()


def _check(path: Path) -> None:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"the copy cannot be read back: {exc}") from exc
    finally:
        conn.close()
    if rows != ["ok"]:
        raise BackupError("the copy failed integrity_check: " + "; ".join(rows[:5]))
    if version < 1:
        raise BackupError("the copy has no schema (was the source an empty file?)")
