"""Clean shutdown (issue 11): SIGTERM in the middle of a broadcast while a reply is still being sent:
the reply arrives, the process exits 0, and the next start finishes the broadcast with exactly one
copy per recipient (no "possible duplicate" at all: nothing was cut off mid-request)."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest

from bot.db import Database
from bot.domain.outbox import Audience, Content, LocalizedMessage, enqueue
from bot.sandbox.emulator import BotAPIEmulator
from tests.delivery_helpers import add_residents, drop_updates, open_chats
from tests.support import AK_DEBE
from tests.web_helpers import TOKEN, BotProcess, wait_until

pytestmark = pytest.mark.slow  # starts `python -m bot` as a process of its own

N = 400
RESIDENT = 79_001  # not a recipient: writes to the bot during the broadcast


def _copies(emu: BotAPIEmulator, rid: int) -> int:
    return sum(1 for m in emu.bot_messages(rid) if m.get("text", "").startswith(("Кулак", "Объяв")))


async def test_sigterm_mid_broadcast_lets_the_reply_finish_exits_0_and_the_restart_sends_each_copy_once(
        db_path: Path, tmp_path: Path) -> None:
    emu = BotAPIEmulator(token=TOKEN, rate_limits_enabled=True)  # Telegram's 30/s and 1/s per chat
    await emu.start()
    ids = list(range(70_001, 70_001 + N))
    db = await Database.open(db_path)
    try:
        await add_residents(db, ids)
        content = Content({"ky": LocalizedMessage("Кулактандыруу: суу өчүрүлөт."),
                           "ru": LocalizedMessage("Объявление: отключат воду.")})
        async with db.transaction() as tx:
            bid = await enqueue(tx, kind="announcement", audience=Audience.municipality(AK_DEBE), content=content)
    finally:
        await db.close()
    open_chats(emu, [*ids, RESIDENT])
    await drop_updates(emu.base_url, TOKEN)
    bot = BotProcess(db_path, emu.base_url, tmp_path / "bot.log")
    try:
        bot.start()

        def delivered() -> int:
            return sum(1 for method, params in emu.requests
                       if method == "sendMessage" and int(params.get("chat_id", 0)) in set(ids))

        await wait_until(lambda: delivered() >= N // 4, 90, "a quarter of the broadcast", step=0.05)
        # a reply held by a 429 for 5 s is in flight when SIGTERM comes (SHUTDOWN_TIMEOUT is 10 s)
        emu.inject_error("sendMessage", 429, "", retry_after=5, chat_id=RESIDENT)
        emu.send_text(RESIDENT, "/help")

        def reply_tried() -> bool:
            return any(method == "sendMessage" and int(params.get("chat_id", 0)) == RESIDENT
                       for method, params in emu.requests)

        await wait_until(reply_tried, 30, "the reply's first attempt", step=0.02)
        assert await bot.stop(signal.SIGTERM) == 0, bot.tail()
        stopped_at = delivered()
        assert emu.bot_messages(RESIDENT), "the handler in flight finished before the exit"
        assert stopped_at < N, "stopped too late to test anything"
        assert "waiting for 1 update(s)" in bot.tail() and "stopped" in bot.tail()
        wal = Path(f"{db_path}-wal")
        assert not wal.exists() or wal.stat().st_size == 0, "the write-ahead log was checkpointed into the file"

        bot.start()
        await wait_until(lambda: delivered() >= N, 90, "a request for every recipient")
        await bot.wait_healthy()
        db = await Database.open(db_path)
        try:
            for _ in range(300):
                if await db.fetchval("SELECT finished_at FROM broadcasts WHERE id = ?", (bid,)) is not None:
                    break
                await asyncio.sleep(0.1)
            statuses = [tuple(r) for r in await db.fetchall(
                "SELECT status, count(*) FROM deliveries WHERE broadcast_id = ? GROUP BY 1", (bid,))]
            flagged = await db.fetchval(
                "SELECT count(*) FROM deliveries WHERE broadcast_id = ? AND possible_duplicate = 1", (bid,))
        finally:
            await db.close()
        assert await bot.stop(signal.SIGINT) == 0
    finally:
        bot.kill()
        await emu.stop()
    assert statuses == [("sent", N)], bot.tail()
    copies = {rid: _copies(emu, rid) for rid in ids}
    print(f"SIGTERM after {stopped_at} of {N} deliveries; after the restart every recipient has "
          f"{set(copies.values())} copy; possible duplicates {flagged}")
    assert set(copies.values()) == {1}, {rid: n for rid, n in copies.items() if n != 1}
    assert flagged == 0
