"""aiogram FSM storage in the bot's SQLite database.

aiogram ships memory, Redis and Mongo storages only. Conversation state must survive a restart
in the middle of any multi-step flow (a resident halfway through a form on a weak connection),
and it belongs in the same database as everything else, so this small adapter writes it through
:class:`bot.db.Database`. Rows live in the ``fsm_state`` table (migration 0001).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StateType, StorageKey

from bot.db import Database, Transaction
from bot.domain.clock import now_db
from bot.store import fsm


CACHE_SIZE = 100_000
"""Conversations kept in memory (least recently used dropped first); a row is ~200 bytes, so the
cache stays under ~40 MB even for a national programme's busiest hour."""


class SQLiteStorage(BaseStorage):
    """FSM storage keyed by aiogram's :class:`DefaultKeyBuilder` (bot id, chat, user, destiny).

    Write-through cache: every change is written to SQLite before the call returns (so a restart,
    even ``kill -9``, loses no step), and reads are served from memory after the first. A write that
    changes nothing (aiogram's ``state.clear()`` for someone who has no state, the same data again) is
    skipped, so an update that only reads writes nothing. The cache assumes this process is the only
    writer of ``fsm_state`` (one bot process per database, as deployed).

    Data must be JSON-serializable (a ``TypeError`` is raised otherwise, before anything is written).
    A key with no state and empty data is deleted, so finished conversations leave no rows.
    """

    def __init__(self, db: Database, key_builder: KeyBuilder | None = None, *, cache_size: int = CACHE_SIZE) -> None:
        self.db = db
        self.key_builder = key_builder or DefaultKeyBuilder(with_bot_id=True, with_destiny=True)
        self.cache_size = cache_size
        self._cache: OrderedDict[str, tuple[str | None, str]] = OrderedDict()
        self.writes = 0
        """Rows written or deleted since start (for benchmarks)."""

    async def _row(self, storage_key: str) -> tuple[str | None, str]:
        cached = self._cache.get(storage_key)
        if cached is not None:
            self._cache.move_to_end(storage_key)
            return cached
        value = await fsm.state_row(self.db, storage_key) or (None, "{}")
        self._remember(storage_key, value)
        return value

    def _remember(self, storage_key: str, value: tuple[str | None, str]) -> None:
        self._cache[storage_key] = value
        self._cache.move_to_end(storage_key)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        storage_key = self.key_builder.build(key)
        _old_state, data = await self._row(storage_key)
        await self._write(storage_key, value, data)

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._row(self.key_builder.build(key)))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        encoded = json.dumps(dict(data), ensure_ascii=False)
        storage_key = self.key_builder.build(key)
        state, _old_data = await self._row(storage_key)
        await self._write(storage_key, state, encoded)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        raw = (await self._row(self.key_builder.build(key)))[1]
        return json.loads(raw) if raw else {}

    async def _write(self, storage_key: str, state: str | None, data: str) -> None:
        if self._cache.get(storage_key) == (state, data):
            return  # nothing changes: no write
        async def unit(tx: Transaction) -> None:
            if state is None and data in ("{}", ""):
                await fsm.delete_state(tx, storage_key)
            else:
                await fsm.save_state(tx, storage_key, state, data, now_db())

        await self.db.unit(unit)  # one round trip: every step of every wizard writes here
        self.writes += 1
        self._remember(storage_key, (state, data))

    async def close(self) -> None:
        """Nothing to close: the database belongs to the application."""
