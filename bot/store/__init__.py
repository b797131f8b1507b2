"""SQL only: one module per feature, the domain's sole way to the database.

Conventions (issue 10, "Data layer"):

- A store function takes the reader or transaction first — ``db: Reader`` (a :class:`~bot.db.Database`
  or a :class:`~bot.db.Transaction`) for a read that may run inside or outside a transaction,
  ``tx: Transaction`` for a write — runs its statement(s) and returns plain values, ``sqlite3.Row``
  objects or the feature's model dataclasses. It holds no rule: what may change, and when, is the
  domain's; which rows and columns, the store's.
- Reads outside a transaction see committed data only (the reader connection); inside one they see
  its own writes.
- SQL is written in the form SQLite and PostgreSQL both accept where one exists: ``ON CONFLICT …
  DO NOTHING`` / ``DO UPDATE SET … = excluded.…`` (never ``INSERT OR IGNORE``/``OR REPLACE``),
  ``RETURNING``, ``COALESCE``; times are UTC ISO text from the domain clock, never ``CURRENT_TIMESTAMP``.
  Placeholders are ``?``; a PostgreSQL backend behind the same functions translates them.
"""

from __future__ import annotations

from bot.db import Database, Transaction

Reader = Database | Transaction
"""Either side: a read that may run inside or outside a transaction."""

__all__ = ["Reader"]
