"""Fair outbox, against the Bot API emulator with flood control on: broadcasts share the rate
(per municipality, then per broadcast), a small one never waits behind a big one, and the
sender's estimate counts the messages of other broadcasts ahead of theirs."""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode

from bot.config import Settings
from bot.db import Database
from bot.delivery.lanes import Backlog, Lanes, ahead_of, is_urgent
from bot.delivery.progress import broadcast_state
from bot.delivery.worker import DeliveryWorker
from bot.domain.outbox import Audience, Content, LocalizedMessage, enqueue
from bot.sandbox.emulator import BotAPIEmulator
from tests.delivery_helpers import AK_DEBE, add_residents, drop_updates, open_chats

TOKEN = "123456:TEST"


@pytest.fixture
async def limited_emulator():
    """Flood control on: 250 messages/s overall (scaled up from Telegram's 30 so the test is quick),
    one per second per chat."""
    emu = BotAPIEmulator(token=TOKEN, global_rate=250, per_chat_rate=1.0, rate_limits_enabled=True)
    await emu.start()
    yield emu
    await emu.stop()


def record_sends(emu: BotAPIEmulator) -> list[tuple[float, int]]:
    """``(time.monotonic(), chat_id)`` of every sendMessage the emulator accepted, appended as they come."""
    sends: list[tuple[float, int]] = []
    method = emu._methods["sendmessage"]
    handler = method.handler

    def recording(params: dict[str, Any], uploads: dict[str, Any]) -> Any:
        result = handler(params, uploads)
        sends.append((time.monotonic(), int(result["chat"]["id"])))
        return result

    method.handler = recording
    return sends


def _bot(emu: BotAPIEmulator) -> Bot:
    return Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(emu.base_url)),
               default=DefaultBotProperties(parse_mode=ParseMode.HTML))


def _content(word: str) -> Content:
    return Content({"ky": LocalizedMessage(f"<b>{word}</b>: ky"), "ru": LocalizedMessage(f"<b>{word}</b>: ru")})


async def _other_municipalities(db: Database, n: int) -> list[str]:
    rows = await db.fetchall("SELECT code FROM municipalities WHERE code != ? ORDER BY code LIMIT ?", (AK_DEBE, n))
    return [r[0] for r in rows]


async def _queue(db: Database, code: str, word: str, sender: int | None = None) -> int:
    async with db.transaction() as tx:
        return await enqueue(tx, kind="announcement", audience=Audience.municipality(code), content=_content(word),
                             sender_id=sender)


def test_the_order_of_lanes_is_urgent_first_then_fair_by_municipality_and_broadcast() -> None:
    lanes = Lanes()
    lanes.sync([(1, "announcement", "A", 1000), (2, "announcement", "A", 800), (3, "announcement", "B", 900)])
    taken = []
    for _ in range(8):
        lane = lanes.order()[0]
        lanes.served(lane)
        taken.append(lane.broadcast_id)
    # municipality A and B alternate; inside A, broadcasts 1 and 2 alternate
    assert taken.count(3) == 4 and taken.count(1) == 2 and taken.count(2) == 2
    assert all(taken[i] == 3 or taken[i + 1] == 3 for i in range(0, 8, 2))
    lanes.sync([(1, "announcement", "A", 1000), (2, "announcement", "A", 800), (3, "announcement", "B", 900),
                (4, "problem.status", "A", 3)])
    assert lanes.order()[0].broadcast_id == 4  # urgent goes first
    assert is_urgent("announcement", 50) and not is_urgent("announcement", 51)
    assert is_urgent("hearing_reminder_1h", 10_000)


def test_ahead_of_counts_what_goes_before_the_last_message() -> None:
    backlogs = [Backlog(1, False, "A", 1000), Backlog(2, False, "A", 100), Backlog(3, False, "B", 500),
                Backlog(4, True, "C", 20)]
    # broadcast 2: urgent 20 first; in A, 100 of broadcast 1 alongside its own 100; B gets as much as A: 200
    assert ahead_of(backlogs, 2) == 20 + 100 + 200
    assert ahead_of(backlogs, 4) == 0  # nothing is before an urgent broadcast of its own class
    assert ahead_of(backlogs, 99) == 0


async def test_a_small_announcement_queued_behind_a_big_one_is_not_held_behind_it(
    db: Database, limited_emulator: BotAPIEmulator
) -> None:
    emu = limited_emulator
    (other,) = await _other_municipalities(db, 1)
    big_ids = list(range(60_001, 60_401))
    small_ids = list(range(61_001, 61_031))
    await add_residents(db, big_ids)
    await add_residents(db, small_ids, municipality=other)
    open_chats(emu, big_ids + small_ids)
    await drop_updates(emu.base_url, TOKEN)
    sends = record_sends(emu)
    big = await _queue(db, AK_DEBE, "Big")
    bot = _bot(emu)
    worker = DeliveryWorker(db, bot, Settings(_env_file=None, bot_token=TOKEN, delivery_rate=60))
    await worker.start()
    try:
        while len(sends) < 60:  # the big one is well under way
            await asyncio.sleep(0.02)
        queued_at = time.monotonic()
        small = await _queue(db, other, "Small")
        worker.wake()
        await worker.wait_idle(timeout=30)
    finally:
        await worker.stop()
        await bot.session.close()
    small_set = set(small_ids)
    small_times = [t for t, chat in sends if chat in small_set]
    big_times = [t for t, chat in sends if chat not in small_set]
    assert len(small_times) == 30 and len(big_times) == 400
    # the big one was still sending when the small one was done, and the small one did not wait for it
    big_sent_meanwhile = sum(1 for t in big_times if queued_at <= t <= small_times[-1])
    assert big_times[-1] > small_times[-1]
    assert big_sent_meanwhile <= worker.concurrency, big_sent_meanwhile  # at most those already on their way
    for bid, total in ((big, 400), (small, 30)):
        state = await broadcast_state(db, bid)
        assert state is not None and (state.sent, state.possible_duplicates) == (total, 0)


async def test_two_big_broadcasts_in_different_municipalities_share_the_rate(
    db: Database, limited_emulator: BotAPIEmulator
) -> None:
    emu = limited_emulator
    (other,) = await _other_municipalities(db, 1)
    a_ids = list(range(62_001, 62_301))
    b_ids = list(range(63_001, 63_101))
    await add_residents(db, a_ids)
    await add_residents(db, b_ids, municipality=other)
    open_chats(emu, a_ids + b_ids)
    await drop_updates(emu.base_url, TOKEN)
    sends = record_sends(emu)
    await _queue(db, AK_DEBE, "A")  # queued first, three times as big
    await _queue(db, other, "B")
    bot = _bot(emu)
    worker = DeliveryWorker(db, bot, Settings(_env_file=None, bot_token=TOKEN, delivery_rate=80))
    await worker.start()
    try:
        await worker.wait_idle(timeout=30)
    finally:
        await worker.stop()
        await bot.session.close()
    order = ["B" if chat >= 63_001 else "A" for _, chat in sends]
    assert order.count("A") == 300 and order.count("B") == 100
    b_done = max(i for i, who in enumerate(order) if who == "B")
    # sharing equally, B's last copy goes out about when 200 copies were sent in all, not after A's 300
    assert b_done < 230, b_done
    assert order[:200].count("B") >= 85


async def test_the_senders_estimate_counts_the_queue_ahead(db: Database, limited_emulator: BotAPIEmulator) -> None:
    emu = limited_emulator
    (other,) = await _other_municipalities(db, 1)
    a_ids = list(range(64_001, 64_301))
    b_ids = list(range(65_001, 65_101))
    officer = b_ids[1]  # reads Russian (tests.delivery_helpers.locale_of)
    await add_residents(db, a_ids)
    await add_residents(db, b_ids, municipality=other)
    open_chats(emu, a_ids + b_ids)
    await drop_updates(emu.base_url, TOKEN)
    await _queue(db, AK_DEBE, "A")
    await _queue(db, other, "B", sender=officer)
    bot = _bot(emu)
    rate = 20
    worker = DeliveryWorker(db, bot, Settings(_env_file=None, bot_token=TOKEN, delivery_rate=rate,
                                              delivery_progress_interval=3))
    await worker.start()
    try:
        progress = await emu.wait_for_bot_message(officer, predicate=lambda m: "Осталось" in m["text"], timeout=10)
    finally:
        await worker.stop()
        await bot.session.close()
    text = progress["text"]
    left = int(re.search(r"Осталось: (\d+)", text).group(1))
    eta = re.search(r"Осталось: \d+, примерно (\d+) (\w+)", text)
    assert eta is not None, text
    seconds = int(eta.group(1)) * (60 if eta.group(2).startswith("мин") else 1)
    # alone it would be left/rate; sharing with A's 300, about twice that
    assert seconds >= 1.6 * left / rate, text
    ahead = int(re.search(r"(\d+)$", text.splitlines()[-1]).group(1))
    assert ahead >= 0.8 * left, text
