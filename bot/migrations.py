"""The numbered migration files ``migrations/NNNN_name.sql`` (applied by :meth:`bot.db.Database.migrate`)."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
"""Where the numbered ``.sql`` files live (the repository's top-level ``migrations/``)."""

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


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
