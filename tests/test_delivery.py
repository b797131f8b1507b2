"""The delivery worker against the Bot API emulator: one copy each, in their language, under
Telegram's limits; blocked residents marked inactive; retries; resuming after a crash."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode

from bot.config import Settings
from bot.db import Database
from bot.delivery.progress import broadcast_state
from bot.delivery.worker import DeliveryWorker
from bot.domain.outbox import Audience, Button, Content, LocalizedMessage, enqueue
from bot.domain.residents import get_resident
from bot.i18n import choose_locale
from bot.sandbox.emulator import BotAPIEmulator, parse_html
from tests.delivery_helpers import AK_DEBE, add_residents, drop_updates, locale_of, open_chats

TOKEN = "123456:TEST"
KY = "<b>Кулактандыруу</b>: эртең саат 10:00до коомдук угуу болот."
RU = "<b>Объявление</b>: завтра в 10:00 публичные слушания."


@pytest.fixture
async def limited_emulator():
    """An emulator enforcing flood control: 250 messages/s overall (scaled up from Telegram's 30 so the
    test is quick), one per second per chat."""
    emu = BotAPIEmulator(token=TOKEN, global_rate=250, per_chat_rate=1.0, rate_limits_enabled=True)
    await emu.start()
    yield emu
    await emu.stop()


def _bot(emu: BotAPIEmulator) -> Bot:
    return Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(emu.base_url)),
               default=DefaultBotProperties(parse_mode=ParseMode.HTML))


def _settings(**kw) -> Settings:
    base = dict(_env_file=None, bot_token=TOKEN, default_locale="ky", delivery_rate=200,
                delivery_progress_interval=3)
    base.update(kw)
    return Settings(**base)


def _content() -> Content:
    return Content({"ky": LocalizedMessage(KY, [[Button("Барам", callback_data="h:1")]]),
                    "ru": LocalizedMessage(RU, [[Button("Приду", callback_data="h:1")]])})


async def test_500_recipients_each_get_one_copy_in_their_language(db: Database, limited_emulator) -> None:
    emu = limited_emulator
    ids = list(range(10_001, 10_501))
    officer = ids[1]  # reads Russian; also a resident of the municipality, so also a recipient
    await add_residents(db, ids)
    open_chats(emu, ids)
    await drop_updates(emu.base_url, TOKEN)
    blocked = set(ids[::20])  # 25 residents, 5 %
    for rid in blocked:
        emu.block_bot(rid)
    late_blocker = ids[333]  # blocks the bot while the broadcast runs
    emu.inject_error("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=late_blocker)
    emu.inject_error("sendMessage", 429, "", retry_after=1, count=2)  # flood control twice
    flaky = ids[250]
    emu.inject_error("sendMessage", 502, "Bad Gateway", chat_id=flaky)  # retried with backoff
    async with db.transaction() as tx:
        bid = await enqueue(tx, kind="announcement", audience=Audience.municipality(AK_DEBE), content=_content(),
                            sender_id=officer)
    bot = _bot(emu)
    worker = DeliveryWorker(db, bot, _settings())
    await worker.start()
    try:
        await worker.wait_idle(timeout=25)
    finally:
        await worker.stop()
        await bot.session.close()

    failed = blocked | {late_blocker}
    for n, rid in enumerate(ids):
        copies = [m for m in emu.bot_messages(rid) if m.get("text", "").startswith(("Кулактандыруу", "Объявление"))]
        if rid in failed:
            assert copies == [], rid
            resident = await get_resident(db, rid)
            assert resident is not None and not resident.active, f"{rid} should be marked inactive"
            continue
        assert len(copies) == 1, (rid, len(copies))
        locale = choose_locale(*locale_of(n), "ky")
        expected = parse_html(KY if locale == "ky" else RU)[0]
        assert copies[0]["text"] == expected, (rid, locale)
        assert copies[0]["reply_markup"]["inline_keyboard"][0][0]["text"] == ("Барам" if locale == "ky" else "Приду")
    assert worker.stats.rate_limited >= 2  # the injected ones (a loaded machine may add a real one)
    state = await broadcast_state(db, bid)
    assert state is not None and state.finished_at is not None
    assert (state.total, state.sent, state.failed, state.blocked, state.queued) == (500, 474, 26, 26, 0)
    assert state.possible_duplicates == 0
    reasons = Counter(r[0].split(":")[0] for r in await db.fetchall(
        "SELECT error FROM deliveries WHERE broadcast_id = ? AND status = 'failed'", (bid,)))
    assert reasons == {"blocked": 26}
    # the officer (Russian) got progress and the summary, in Russian
    summary = emu.bot_messages(officer)[-1]["text"]
    assert summary.startswith("✅ Рассылка завершена.")
    assert "Доставлено: 474 из 500" in summary and "заблокировали бота или удалили Telegram: 26" in summary
    progress_edits = [p for m, p in emu.requests if m == "editMessageText" and p.get("chat_id") == officer]
    assert progress_edits and "Доставлено: 474 из 500" in progress_edits[-1]["text"]


async def test_pace_stays_under_telegram_limits_and_long_texts_arrive_in_parts(db: Database) -> None:
    """A long text goes out as several messages to each chat, at least a second apart: the emulator
    enforces Telegram's 1 message/s per chat and never answers 429. (Its global 30/s limit is off
    here: with the emulator in this process, a busy machine bunches requests on the server side;
    the global pace is measured by bench/broadcast.py against an emulator in its own process.)"""
    emu = BotAPIEmulator(token=TOKEN, global_rate=None, per_chat_rate=1.0, rate_limits_enabled=True)
    await emu.start()
    ids = list(range(20_001, 20_041))
    await add_residents(db, ids)
    open_chats(emu, ids)
    await drop_updates(emu.base_url, TOKEN)
    long_ky = "\n\n".join(f"{i}. " + "Жергиликтүү бюджет боюнча коомдук угуу. " * 20 for i in range(12))
    content = Content({"ky": LocalizedMessage(long_ky), "ru": LocalizedMessage(RU)})
    async with db.transaction() as tx:
        await enqueue(tx, kind="announcement", audience=Audience.municipality(AK_DEBE), content=content)
    bot = _bot(emu)
    worker = DeliveryWorker(db, bot, _settings(delivery_rate=25))
    await worker.start()
    try:
        await worker.wait_idle(timeout=25)
    finally:
        await worker.stop()
        await bot.session.close()
    assert worker.stats.rate_limited == 0
    for n, rid in enumerate(ids):
        texts = [m["text"] for m in emu.bot_messages(rid) if m["text"] != "/start"]
        if choose_locale(*locale_of(n), "ky") == "ky":
            assert len(texts) == 3 and all(re.match(r"^\d+\. ", t) for t in texts)
            assert "\n\n".join(texts).split() == long_ky.split()
        else:
            assert texts == [parse_html(RU)[0]]


async def test_restart_resends_cut_off_deliveries_and_counts_them(db: Database, emulator: BotAPIEmulator) -> None:
    ids = [30_001, 30_002, 30_003]
    await add_residents(db, ids)
    open_chats(emulator, ids)
    await drop_updates(emulator.base_url, TOKEN)
    async with db.transaction() as tx:
        bid = await enqueue(tx, kind="announcement", audience=Audience.municipality(AK_DEBE), content=_content())
        # as a process killed during the request for 30 002 leaves it
        await tx.execute("UPDATE deliveries SET status = 'sending' WHERE resident_id = 30002")
    bot = _bot(emulator)
    worker = DeliveryWorker(db, bot, _settings())
    await worker.start()
    try:
        await worker.wait_idle(timeout=10)
    finally:
        await worker.stop()
        await bot.session.close()
    state = await broadcast_state(db, bid)
    assert state is not None and (state.sent, state.possible_duplicates) == (3, 1)
    flagged = await db.fetchall("SELECT resident_id FROM deliveries WHERE possible_duplicate = 1")
    assert [r[0] for r in flagged] == [30_002]


async def test_network_errors_give_up_after_the_configured_attempts(db: Database, emulator: BotAPIEmulator) -> None:
    ids = [40_001]
    await add_residents(db, ids)
    open_chats(emulator, ids)
    await drop_updates(emulator.base_url, TOKEN)
    emulator.inject_error("sendMessage", 500, "Internal Server Error", count=10)
    async with db.transaction() as tx:
        bid = await enqueue(tx, kind="announcement", audience=Audience.residents(ids), content=_content())
    bot = _bot(emulator)
    worker = DeliveryWorker(db, bot, _settings(delivery_max_attempts=2))
    await worker.start()
    try:
        await worker.wait_idle(timeout=10)
    finally:
        await worker.stop()
        await bot.session.close()
    row = await db.fetchone("SELECT status, attempts, error FROM deliveries WHERE broadcast_id = ?", (bid,))
    assert row["status"] == "failed" and row["attempts"] == 1
    assert row["error"].startswith("gave up after 2 attempts")
    resident = await get_resident(db, 40_001)
    assert resident is not None and resident.active, "a server error is not the resident's fault"


async def test_paid_broadcast_sends_allow_paid_broadcast(db: Database, emulator: BotAPIEmulator) -> None:
    ids = [50_001, 50_002]
    await add_residents(db, ids)
    open_chats(emulator, ids)
    await drop_updates(emulator.base_url, TOKEN)
    async with db.transaction() as tx:
        bid = await enqueue(tx, kind="announcement", audience=Audience.residents(ids), content=_content())
    bot = _bot(emulator)
    worker = DeliveryWorker(db, bot, _settings(paid_broadcast=True))
    assert worker.rate == 1000
    await worker.start()
    try:
        await worker.wait_idle(timeout=10)
    finally:
        await worker.stop()
        await bot.session.close()
    sends = [p for m, p in emulator.requests if m == "sendMessage"]
    assert len(sends) == 2 and all(p.get("allow_paid_broadcast") is True for p in sends)
    assert (await broadcast_state(db, bid)).paid


async def test_stopping_during_a_flood_pause_loses_nothing_and_counts_no_false_duplicates(
    db: Database, emulator: BotAPIEmulator
) -> None:
    """The bot is stopped while all sending waits out a long 429: the connection is left usable, rows
    that were never requested go back to the queue, and the next start sends each copy once."""
    import asyncio

    ids = list(range(40_001, 40_021))
    await add_residents(db, ids)
    open_chats(emulator, ids)
    await drop_updates(emulator.base_url, TOKEN)
    async with db.transaction() as tx:
        bid = await enqueue(tx, kind="announcement", audience=Audience.municipality(AK_DEBE), content=_content())
    emulator.inject_error("sendMessage", 429, "Too Many Requests: retry after 20", retry_after=20, count=1)
    bot = _bot(emulator)
    worker = DeliveryWorker(db, bot, _settings(delivery_rate=10))
    await worker.start()
    await asyncio.sleep(1.5)
    await worker.stop(timeout=1.0)
    assert not db.in_transaction
    worker = DeliveryWorker(db, bot, _settings())
    await worker.start()  # recovery must not fail with "cannot start a transaction within a transaction"
    try:
        await worker.wait_idle(timeout=20)
    finally:
        await worker.stop()
        await bot.session.close()
    state = await broadcast_state(db, bid)
    assert state is not None and state.sent == 20
    copies = Counter(int(m["chat"]["id"]) for rid in ids for m in emulator.bot_messages(rid) if m.get("text") != "/start")
    assert set(copies.values()) == {1}
    assert state.possible_duplicates == 0  # nothing was requested when the stop came: no copy can be doubled
