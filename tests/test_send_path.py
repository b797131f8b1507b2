"""One send path: direct replies through the application's Bot and the outbox worker share one
budget under the emulator's flood control; a 429 holds only what Telegram asked for."""

from __future__ import annotations

import asyncio
import logging
import random
import time

import pytest
from aiogram.exceptions import TelegramRetryAfter

from bot.app import build_bot
from bot.config import Settings
from bot.db import Database
from bot.delivery.worker import DeliveryWorker
from bot.sandbox.emulator import BotAPIEmulator
from bot.send.middleware import SendPathMiddleware, budget_of, send_path_of
from tests.conftest import close_bot
from tests.delivery_helpers import AK_DEBE, add_residents, drop_updates, open_chats
from tests.test_outbox_fairness import _queue, record_sends

TOKEN = "123456:TEST"


@pytest.fixture
async def limited_emulator():
    """Flood control on: 250 messages/s overall (scaled up from Telegram's 30 so the test is quick),
    one message per second per chat (strict: no bursts)."""
    emu = BotAPIEmulator(token=TOKEN, global_rate=250, per_chat_rate=1.0, rate_limits_enabled=True)
    await emu.start()
    yield emu
    await emu.stop()


def _settings(emu: BotAPIEmulator, **kw) -> Settings:
    return Settings(_env_file=None, bot_token=TOKEN, telegram_api_url=emu.base_url, **kw)


async def test_residents_mid_flow_get_every_reply_while_a_broadcast_runs(
    db: Database, limited_emulator: BotAPIEmulator
) -> None:
    """20 residents go through a four-step flow (each step answered with 1–3 messages, as a preview
    is) through the application's Bot while the outbox sends to all 300, and Telegram refuses three
    requests with 429 on top: every reply arrives, in order, and the replies' 429s were waited out."""
    emu = limited_emulator
    ids = list(range(70_001, 70_301))
    await add_residents(db, ids)
    open_chats(emu, ids)
    await drop_updates(emu.base_url, TOKEN)
    settings = _settings(emu, delivery_rate=100)
    bot = build_bot(settings)
    worker = DeliveryWorker(db, bot, settings)
    assert worker.budget is budget_of(bot)  # one budget for replies and the outbox
    await _queue(db, AK_DEBE, "Announcement")
    people = ids[5::15]
    expected: dict[int, list[str]] = {rid: [] for rid in people}

    async def flow(rid: int) -> None:
        rng = random.Random(rid)
        for step in range(4):
            await asyncio.sleep(rng.uniform(0.05, 0.6))  # the person reads and taps
            for part in range(rng.choice([1, 2, 3])):
                text = f"step {step} part {part}"
                await bot.send_message(rid, text)  # raises if a reply is dropped
                expected[rid].append(text)

    await worker.start()
    try:
        await asyncio.sleep(0.3)
        emu.inject_error("sendMessage", 429, "", retry_after=1, count=3)
        await asyncio.gather(*(flow(rid) for rid in people))
        await worker.wait_idle(timeout=30)
    finally:
        await worker.stop()
        await close_bot(bot)
    for rid in people:
        got = [m["text"] for m in emu.bot_messages(rid) if m["text"].startswith("step")]
        assert got == expected[rid], rid
    for rid in ids:  # and everyone got the announcement once
        assert sum(1 for m in emu.bot_messages(rid) if m["text"].startswith("Announcement")) == 1, rid
    send_path = send_path_of(bot)
    assert send_path is not None and send_path.retried >= 1 and send_path.gave_up == 0


async def test_a_429_on_one_chat_holds_that_chat_only(db: Database, limited_emulator: BotAPIEmulator) -> None:
    """A reply burst floods one chat (Telegram answers 429 with retry_after 3): that chat waits
    3 s, the outbox keeps sending to the others meanwhile and is never paused."""
    emu = limited_emulator
    ids = list(range(71_001, 71_301))
    await add_residents(db, ids)
    open_chats(emu, ids + [71_999])
    await drop_updates(emu.base_url, TOKEN)
    settings = _settings(emu, delivery_rate=50)
    bot = build_bot(settings)
    worker = DeliveryWorker(db, bot, settings)
    sends = record_sends(emu)
    await _queue(db, AK_DEBE, "Announcement")
    await worker.start()
    try:
        while len(sends) < 20:
            await asyncio.sleep(0.02)
        chat = 71_999  # a person using the bot, not among the recipients
        await bot.send_message(chat, "preview 1")
        emu.inject_error("sendMessage", 429, "", retry_after=3, chat_id=chat)
        flooded_at = time.monotonic()
        await bot.send_message(chat, "preview 2")  # refused once, sent after the hold
        answered_at = time.monotonic()
        await worker.wait_idle(timeout=30)
    finally:
        await worker.stop()
        await close_bot(bot)
    assert [m["text"] for m in emu.bot_messages(chat)][-2:] == ["preview 1", "preview 2"]
    assert answered_at - flooded_at >= 3.0
    others = [t for t, c in sends if c != chat and flooded_at <= t <= flooded_at + 3.0]
    assert len(others) >= 50, len(others)  # ~50/s went on to the other chats (at least a third of it)
    assert worker.budget.stats.bulk_pauses == 0 and worker.budget.stats.chat_floods >= 1


async def test_a_global_429_pauses_the_outbox_for_retry_after_only(
    db: Database, limited_emulator: BotAPIEmulator
) -> None:
    emu = limited_emulator
    ids = list(range(72_001, 72_201))
    await add_residents(db, ids)
    open_chats(emu, ids)
    await drop_updates(emu.base_url, TOKEN)
    settings = _settings(emu, delivery_rate=50)
    bot = build_bot(settings)
    worker = DeliveryWorker(db, bot, settings)
    sends = record_sends(emu)
    await _queue(db, AK_DEBE, "Announcement")
    await worker.start()
    try:
        while len(sends) < 20:
            await asyncio.sleep(0.02)
        emu.inject_error("sendMessage", 429, "", retry_after=2, count=1)
        await worker.wait_idle(timeout=30)
    finally:
        await worker.stop()
        await close_bot(bot)
    assert len({c for _, c in sends}) == 200 and len(sends) == 200
    gaps = [b - a for (a, _), (b, _) in zip(sends, sends[1:], strict=False)]
    assert 1.8 <= max(gaps) < 3.5, max(gaps)  # paused for the 2 s asked, not longer
    assert worker.budget.stats.bulk_pauses == 1


async def test_a_reply_gives_up_at_the_deadline_and_logs_the_chat(
    limited_emulator: BotAPIEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    emu = limited_emulator
    open_chats(emu, [73_001])
    bot = build_bot(_settings(emu))
    send_path = send_path_of(bot)
    assert isinstance(send_path, SendPathMiddleware)
    send_path.deadline = 2.0
    emu.inject_error("sendMessage", 429, "", retry_after=1, count=1)
    emu.inject_error("sendMessage", 429, "", retry_after=30, count=1)
    try:
        with caplog.at_level(logging.INFO, logger="bot.send.middleware"), pytest.raises(TelegramRetryAfter):
            await bot.send_message(73_001, "hello")
    finally:
        await close_bot(bot)
    assert send_path.retried == 1 and send_path.gave_up == 1
    assert any("gave up on sendMessage to chat 73001" in r.getMessage() for r in caplog.records)
