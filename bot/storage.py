"""aiogram FSM storage in the bot's SQLite database.

aiogram ships memory, Redis and Mongo storages only. Conversation state must survive a restart
in the middle of any multi-step flow (a resident halfway through a form on a weak connection),
and it belongs in the same database as everything else, so this small adapter writes it through
:class:`bot.db.Database`. Rows live in the ``fsm_state`` table (migration 0001).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StateType, StorageKey

from bot.db import Database
from bot.domain.clock import now_db


class SQLiteStorage(BaseStorage):
    """FSM storage keyed by aiogram's :class:`DefaultKeyBuilder` (bot id, chat, user, destiny).

    Data must be JSON-serializable (a ``TypeError`` is raised otherwise, before anything is written).
    A key with no state and empty data is deleted, so finished conversations leave no rows.
    """

    def __init__(self, db: Database, key_builder: KeyBuilder | None = None) -> None:
        self.db = db
        self.key_builder = key_builder or DefaultKeyBuilder(with_bot_id=True, with_destiny=True)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self._write(key, state=value, data=None)

    async def get_state(self, key: StorageKey) -> str | None:
        return await self.db.fetchval(
            "SELECT state FROM fsm_state WHERE storage_key = ?", (self.key_builder.build(key),)
        )

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._write(key, state=None, data=json.dumps(dict(data), ensure_ascii=False))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        raw = await self.db.fetchval("SELECT data FROM fsm_state WHERE storage_key = ?", (self.key_builder.build(key),))
        return json.loads(raw) if raw else {}

    async def _write(self, key: StorageKey, *, state: str | None, data: str | None) -> None:
        storage_key = self.key_builder.build(key)
        async with self.db.transaction() as tx:
            row = await tx.fetchone("SELECT state, data FROM fsm_state WHERE storage_key = ?", (storage_key,))
            new_state = state if data is None else (row["state"] if row else None)
            new_data = data if data is not None else (row["data"] if row else "{}")
            if new_state is None and new_data in ("{}", ""):
                await tx.execute("DELETE FROM fsm_state WHERE storage_key = ?", (storage_key,))
                return
            await tx.execute(
                "INSERT INTO fsm_state (storage_key, state, data, updated_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (storage_key) DO UPDATE SET state = excluded.state, data = excluded.data,"
                " updated_at = excluded.updated_at",
                (storage_key, new_state, new_data, now_db()),
            )

    async def close(self) -> None:
        """Nothing to close: the database belongs to the application."""
