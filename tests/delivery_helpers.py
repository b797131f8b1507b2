"""Helpers for the delivery tests and the benchmark: residents in bulk, chats opened in the emulator."""

from __future__ import annotations

from typing import Any

from bot.db import Database
from bot.sandbox.emulator import BotAPIEmulator
from tests.support import AK_DEBE


def locale_of(i: int) -> tuple[str | None, str | None]:
    """(saved locale, Telegram language_code) for the i-th test resident: ky, ru, none+ru, none+en."""
    return [("ky", None), ("ru", "ru"), (None, "ru"), (None, "en")][i % 4]


async def add_residents(db: Database, ids: list[int], municipality: str = AK_DEBE) -> None:
    """Onboarded residents with mixed languages (see :func:`locale_of`), written in one transaction."""
    rows = []
    for n, rid in enumerate(ids):
        locale, code = locale_of(n)
        rows.append((rid, f"R{rid}", code, locale, municipality))
    async with db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO residents (telegram_id, first_name, language_code, locale, municipality_code, joined_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
            rows,
        )


def open_chats(emu: BotAPIEmulator, ids: list[int]) -> None:
    """Each user writes to the bot once, so the bot may write to them (Telegram's rule); the
    updates are then dropped as if a poller had confirmed them."""
    for rid in ids:
        emu.send_text(rid, "/start")


async def drop_updates(base_url: str, token: str) -> None:
    """Confirm every pending update through getUpdates offsets (the public protocol)."""
    import aiohttp

    offset = 0
    async with aiohttp.ClientSession() as session:
        while True:
            async with session.post(f"{base_url}/bot{token}/getUpdates",
                                    json={"offset": offset, "limit": 100, "timeout": 0}) as resp:
                result: list[dict[str, Any]] = (await resp.json())["result"]
            if not result:
                return
            offset = result[-1]["update_id"] + 1
