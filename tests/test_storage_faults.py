"""Faults of the machine through the real dispatcher: the database file read-only, the disk full.

A resident is told, in their language, that the bot is temporarily unavailable (a button press is
answered too); the cause is logged once per outage and once when it clears; nothing is half-written;
and the bot recovers by itself (no restart) once the condition clears. The delivery worker and the
scheduler wait and resume instead of dying or flooding the log.

"Read-only" is real: the file and its WAL are made immutable (``chattr +i``; root, which the tests
run as, ignores ``chmod``), which the kernel enforces on open files too (SQLite then reports
SQLITE_IOERR_WRITE). Where ``chattr`` is not available the writer connection is reopened read-only
instead (SQLITE_READONLY). The full disk is SQLite's own ``PRAGMA max_page_count`` set to the
current size: a write that needs a new page fails with SQLITE_FULL, "database or disk is full".
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import aiosqlite
import pytest

import bot.db as dbmod
from bot.config import Settings
from bot.db import Database, StorageUnavailable, storage_fault
from tests.harness import Harness, plain
from tests.problems_support import SKIP
from tests.support import AK_DEBE, onboard

KY = "Кечиресиз, бот убактылуу иштебей турат. Бир нече мүнөттөн кийин кайра аракет кылып көрүңүз."
RU = "Извините, бот временно недоступен. Попробуйте ещё раз через несколько минут."
EN = "Sorry, the bot is temporarily unavailable. Please try again in a few minutes."


def notice(locale: str) -> str:
    """The outage notice a reader of ``locale`` gets: :data:`KY` or :data:`RU` once the catalogs have the
    text (the lead merges them at the end of the session), the English msgid until then."""
    from bot.i18n import _

    return {"ky": KY, "ru": RU}[locale] if _(EN, locale=locale) != EN else EN


def said_unavailable(message: dict, locale: str | None = None) -> bool:
    """The message is the outage notice (in ``locale`` when given)."""
    return plain(message) in ([notice(locale)] if locale else [notice("ky"), notice("ru")])


def outage_logs(caplog: pytest.LogCaptureFixture) -> tuple[int, int]:
    """(lines "database not writable", lines "database writable again") logged so far."""
    messages = [r.getMessage() for r in caplog.records if r.name == "bot.db"]
    return (sum("database not writable" in m for m in messages),
            sum("database writable again" in m for m in messages))


class ReadOnly:
    """Makes the database file read-only and writable again, for real where the kernel allows it."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.files = [Path(str(db.path)), Path(f"{db.path}-wal")]
        self.real = (shutil.which("chattr") is not None and not os.environ.get("FAULT_TEST_NO_CHATTR")
                     and self._chattr("+i") and self._chattr("-i"))
        self._old: aiosqlite.Connection | None = None

    def _chattr(self, flag: str) -> bool:
        result = subprocess.run(["chattr", flag, *map(str, self.files)], capture_output=True)
        return result.returncode == 0

    async def on(self) -> None:
        if self.real:
            assert self._chattr("+i")
            return
        self._old = self.db._conn  # the writer as SQLite opens it when the file is not writable
        self.db._conn = await aiosqlite.connect(f"file:{self.db.path}?mode=ro", uri=True, isolation_level=None)
        self.db._conn.row_factory = sqlite3.Row

    async def off(self) -> None:
        if self.real:
            assert self._chattr("-i")
            return
        if self._old is not None:
            await self._old.close()
            self._old = None
            dbmod_reopen_now(self.db)


def dbmod_reopen_now(db: Database) -> None:
    """The file is writable again: let the writer's next transaction reopen it at once."""
    import time

    db._reopen_at = time.monotonic()


@pytest.fixture(autouse=True)
def quick_recovery(monkeypatch: pytest.MonkeyPatch) -> None:
    """An outage ends at the first write 0.3 s after the last refused one (5 s in production)."""
    import bot.faults

    monkeypatch.setattr(bot.faults, "RECOVERED_AFTER", 0.3)


async def cleared() -> None:
    """The condition cleared: wait out RECOVERED_AFTER, so the next write ends the outage."""
    import asyncio

    await asyncio.sleep(0.35)


@pytest.fixture
async def read_only(db: Database, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(dbmod, "REOPEN_EVERY", 3600.0)  # the reopen below is the test's, not the timer's
    fault = ReadOnly(db)
    yield fault
    await fault.off()


async def _support_button_card(harness: Harness, db: Database):
    """Айгүл (ky) raises a problem; Иван (ru) opens its card. Returns (Иван, card, problem id)."""
    from tests.problems_support import open_card, raise_problem

    aigul = await onboard(harness, db, 301, "ky")
    ivan = await onboard(harness, db, 302, "ru", name="Иван")
    problem_id = await raise_problem(aigul, "Көчөдө суу жок, үч күндөн бери кран кургак", "Суу менен камсыздоо")
    [card] = await open_card(ivan, problem_id)
    return ivan, card, problem_id


async def _supports(db: Database, problem_id: int) -> int:
    return int(await db.fetchval("SELECT count(*) FROM problem_supports WHERE problem_id = ?", (problem_id,)))


async def test_read_only_file_residents_are_told_logged_once_and_it_recovers(
        harness: Harness, db: Database, read_only: ReadOnly, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    ivan, card, problem_id = await _support_button_card(harness, db)
    before = await _supports(db, problem_id)
    await read_only.on()

    # a button whose handler writes: the button is answered (by the middleware), the message says why
    replies = await ivan.press("Поддержать", card)
    assert said_unavailable(replies[-1], "ru")
    card, _data = ivan.find_button("Поддержать")  # the card keeps its buttons: the same tap can be made again
    assert harness.emulator.callback_answers[-1]["show_alert"] is False
    # a newcomer's first message (their row cannot be written, in an outer middleware): told in Kyrgyz
    newcomer = harness.person(303, "Бакыт", language_code="ky")
    [told] = await newcomer.send("/start")
    assert said_unavailable(told, "ky")
    # a newcomer's button press (raised before the button middleware ran): answered with the words
    stranger = harness.person(304, "Нурлан", language_code="ru")
    [told_ru] = await stranger.send("/start")
    replies = await stranger.press_data(told_ru["message_id"], f"pb:open:{problem_id}:0:r")
    answer = harness.emulator.callback_answers[-1]
    assert answer["show_alert"] is True and answer["text"] == notice("ru")
    assert said_unavailable(replies[-1], "ru")

    assert await _supports(db, problem_id) == before  # nothing half-written
    assert await db.fetchval("SELECT count(*) FROM residents WHERE telegram_id IN (303, 304)") == 0
    assert outage_logs(caplog) == (1, 0)  # three refused updates, one line
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR and r.name != "bot.db"]
    assert db.unavailable is not None

    await read_only.off()
    await cleared()
    [card] = await ivan.press("Поддержать", card)  # the same tap again works, no restart
    assert "Отозвать" in " ".join(b["text"] for row in card["reply_markup"]["inline_keyboard"] for b in row)
    assert await _supports(db, problem_id) == before + 1
    [welcome] = await newcomer.send("/start")
    assert not said_unavailable(welcome)
    assert outage_logs(caplog) == (1, 1) and db.unavailable is None
    assert await db.fetchval("PRAGMA integrity_check") == "ok"


async def test_full_disk_rolls_back_the_publish_and_the_same_tap_works_later(
        harness: Harness, db: Database, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot")
    aigul = await onboard(harness, db, 311, "ky")
    await aigul.send("/newproblem")
    await aigul.press("Суу менен камсыздоо")
    await aigul.send("Суу жок 💧💧💧💧💧💧💧💧💧💧 " * 100)  # 1 900 characters, 5.5 kB: pages of its own
    await aigul.press(SKIP)
    await aigul.press(SKIP)
    preview, _data = aigul.find_button("✅")
    counts = {t: await db.fetchval(f"SELECT count(*) FROM {t}")  # noqa: S608 - fixed table names
              for t in ("problems", "problem_events", "problem_supports", "broadcasts", "deliveries")}
    await db._conn.execute("VACUUM")  # no free page left anywhere ...
    pages = await db.fetchval("PRAGMA page_count")
    await db._conn.execute(f"PRAGMA max_page_count = {int(pages)}")  # ... and no new one: the disk is full

    for _ in range(2):
        replies = await aigul.press("✅", preview)
        assert said_unavailable(replies[-1], "ky") and not any("№" in plain(m) for m in replies)
        preview, _data = aigul.find_button("✅")  # the preview keeps its buttons: the resident can tap again
    assert {t: await db.fetchval(f"SELECT count(*) FROM {t}") for t in counts} == counts  # noqa: S608
    assert outage_logs(caplog) == (1, 0)
    assert "disk is full" in (db.unavailable or "")

    await db._conn.execute("PRAGMA max_page_count = 1073741823")  # space freed
    await cleared()
    replies = await aigul.press("✅", preview)  # the draft survived: the same button publishes it, once
    assert any("№" in plain(m) for m in replies)
    assert await db.fetchval("SELECT count(*) FROM problems") == counts["problems"] + 1
    assert outage_logs(caplog) == (1, 1)
    assert await db.fetchval("PRAGMA integrity_check") == "ok"


async def test_a_writer_opened_read_only_is_reopened_by_itself(db: Database, monkeypatch) -> None:
    """Started while the file was not writable: SQLite opened the writer read-only; once the file is
    writable the store reopens it (every REOPEN_EVERY s) and writes succeed without a restart."""
    monkeypatch.setattr(dbmod, "REOPEN_EVERY", 0.2)
    old = db._conn
    db._conn = await aiosqlite.connect(f"file:{db.path}?mode=ro", uri=True, isolation_level=None)
    await old.close()

    async def write(tx) -> None:
        await tx.execute("INSERT INTO fsm_state (storage_key, state, updated_at) VALUES ('k', 's', 'now')")

    with pytest.raises(StorageUnavailable) as raised:
        await db.unit(write)
    assert raised.value.read_only and "read-only" in raised.value.cause
    import asyncio

    await asyncio.sleep(0.3)
    await db.unit(write)
    assert await db.fetchval("SELECT state FROM fsm_state WHERE storage_key = 'k'") == "s"
    assert db.unavailable is None


def test_storage_faults_are_told_apart_from_bugs() -> None:
    assert storage_fault(sqlite3.OperationalError("database or disk is full")).cause == "the disk is full"
    assert storage_fault(sqlite3.OperationalError("attempt to write a readonly database")).read_only
    assert storage_fault(OSError(errno.ENOSPC, "No space left on device")).cause == "the disk is full"
    assert storage_fault(OSError(errno.EROFS, "Read-only file system")) is not None
    assert storage_fault(sqlite3.IntegrityError("UNIQUE constraint failed: residents.telegram_id")) is None
    assert storage_fault(sqlite3.OperationalError("no such table: x")) is None
    assert storage_fault(sqlite3.OperationalError("database is locked")) is None
    assert storage_fault(FileNotFoundError(errno.ENOENT, "x")) is None
    assert storage_fault(ValueError("x")) is None


async def test_the_delivery_worker_waits_out_the_outage_and_sends_each_once(
        db: Database, emulator, read_only: ReadOnly, caplog: pytest.LogCaptureFixture) -> None:
    import asyncio
    from collections import Counter

    from aiogram import Bot
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer

    from bot.delivery.worker import DeliveryWorker
    from bot.domain.outbox import Audience, Content, LocalizedMessage, enqueue
    from tests.delivery_helpers import add_residents, open_chats

    caplog.set_level(logging.INFO, logger="bot")
    ids = list(range(20_001, 20_041))
    await add_residents(db, ids)
    open_chats(emulator, ids)
    settings = Settings(_env_file=None, bot_token="123456:TEST", default_locale="ky", delivery_rate=200)
    bot = Bot("123456:TEST", session=AiohttpSession(api=TelegramAPIServer.from_base(emulator.base_url)))
    worker = DeliveryWorker(db, bot, settings)
    await worker.start()
    try:
        async with db.transaction() as tx:  # queued just before the outage
            await enqueue(tx, kind="announcement", audience=Audience(municipality_code=AK_DEBE),
                          content=Content({"ky": LocalizedMessage("Кабар"), "ru": LocalizedMessage("Весть")}))
        await read_only.on()
        worker.wake()
        await asyncio.sleep(1.5)
        sent = [p for m, p in emulator.requests if m == "sendMessage"]
        assert sent == []  # no request before its "sending" mark is durable
        assert worker.journal._task is not None and not worker.journal._task.done()
        await read_only.off()
        await worker.wait_idle(timeout=60)
    finally:
        await worker.stop()
        await bot.session.close()
    chats = Counter(int(p["chat_id"]) for m, p in emulator.requests if m == "sendMessage")
    assert sorted(chats) == ids and set(chats.values()) == {1}  # everyone once
    statuses = await db.fetchall("SELECT status, count(*) AS n FROM deliveries GROUP BY status")
    assert {r["status"]: r["n"] for r in statuses} == {"sent": len(ids)}
    assert not [r for r in caplog.records if "journal commit failed" in r.getMessage()
                or "failed unexpectedly" in r.getMessage()]
    assert outage_logs(caplog) == (1, 1)


async def test_the_scheduler_keeps_running_and_does_the_job_when_writes_succeed(
        db: Database, read_only: ReadOnly, caplog: pytest.LogCaptureFixture) -> None:
    from bot.scheduler import Scheduler

    caplog.set_level(logging.INFO, logger="bot")
    done: list[str] = []

    async def job(database: Database, now) -> int:
        async with database.transaction() as tx:
            await tx.execute("INSERT INTO fsm_state (storage_key, state, updated_at) VALUES (?, 'due', ?)",
                             (f"job:{len(done)}", now.isoformat()))
        done.append("ok")
        return 1

    scheduler = Scheduler(db, [job], interval_s=0.1)
    await read_only.on()
    for _ in range(3):
        assert list((await scheduler.run_once()).values()) == [-1]
    assert not [r for r in caplog.records if "scheduled job" in r.getMessage()]  # not logged per tick
    assert outage_logs(caplog) == (1, 0)
    await read_only.off()
    await cleared()
    assert list((await scheduler.run_once()).values()) == [1]
    assert await db.fetchval("SELECT count(*) FROM fsm_state WHERE storage_key LIKE 'job:%'") == 1


async def test_a_full_disk_when_writing_a_file_is_told_the_same_way(harness: Harness, db: Database,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """An OSError ENOSPC from writing a file (an export, a chart, a backup) is an outage too, not a bug."""
    import bot.middlewares

    person = await onboard(harness, db, 321, "ru")

    async def disk_full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(bot.middlewares, "touch_resident", disk_full)
    [told] = await person.send("/menu")
    assert said_unavailable(told, "ru")
