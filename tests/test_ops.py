"""Operating the bot: online backups (``python -m bot backup``), the restore drill, and logs that
never show a secret, a phone number or a resident's words (issue 11, items 5 and 6)."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import Settings
from bot.ops.backup import BackupError, backup, rotation_set
from bot.ops.logs import REDACTED, configure_logging, redact
from bot.sandbox.emulator import BotAPIEmulator
from tests.support import AK_DEBE, make_resident

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "7012345678:AAHfake-token-for-the-log-drill_0123456"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "TELEGRAM_API_URL", "DATABASE_PATH")}
    env.update({"PYTHONUNBUFFERED": "1", "DEFAULT_LOCALE": "ky", "WEB_LISTEN": "127.0.0.1:0"}, **extra)
    return env


def _live_database(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE votes (id INTEGER PRIMARY KEY, body TEXT)")
        conn.execute("PRAGMA user_version = 7")


# -- backups ----------------------------------------------------------------------------------------

def test_a_backup_taken_while_the_database_is_written_is_consistent_and_complete(tmp_path: Path) -> None:
    live = tmp_path / "live.sqlite3"
    _live_database(live)
    stop = threading.Event()
    written = [0]

    def writer() -> None:  # another process's worth of writes: one committed row at a time
        conn = sqlite3.connect(live, timeout=30)
        while not stop.is_set():
            conn.execute("INSERT INTO votes (body) VALUES (?)", ("x" * 500,))
            conn.commit()
            written[0] += 1
        conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while written[0] < 2000:
            threading.Event().wait(0.01)
        report = backup(live, tmp_path / "copy.sqlite3")
        at_backup = written[0]
    finally:
        stop.set()
        thread.join()
    with sqlite3.connect(report.path) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = copy.execute("SELECT count(*) FROM votes").fetchone()[0]
        assert copy.execute("PRAGMA user_version").fetchone()[0] == 7
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    assert 2000 <= rows <= at_backup + 1  # a committed state from the time of the backup
    assert not list(tmp_path.glob("*.partial"))


def test_rotation_keeps_the_newest_copies(tmp_path: Path) -> None:
    live = tmp_path / "live.sqlite3"
    _live_database(live)
    target = tmp_path / "backups" / "jamaat.sqlite3"
    for hour in range(5):
        backup(live, target, keep=3, now=datetime(2026, 12, 2, hour, 0, tzinfo=UTC))
    names = [p.name for p in rotation_set(target)]
    assert names == ["jamaat-20261202T020000Z.sqlite3", "jamaat-20261202T030000Z.sqlite3",
                     "jamaat-20261202T040000Z.sqlite3"]


def test_a_failed_backup_leaves_nothing_and_removes_no_older_copy(tmp_path: Path) -> None:
    live = tmp_path / "live.sqlite3"
    _live_database(live)
    target = tmp_path / "backups" / "jamaat.sqlite3"
    backup(live, target, keep=1, now=datetime(2026, 12, 2, 1, 0, tzinfo=UTC))
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"this is not a database" * 100)
    with pytest.raises(BackupError, match="not a database"):
        backup(garbage, target, keep=1, now=datetime(2026, 12, 2, 2, 0, tzinfo=UTC))
    assert [p.name for p in target.parent.iterdir()] == ["jamaat-20261202T010000Z.sqlite3"]
    with pytest.raises(BackupError, match="no database file"):
        backup(tmp_path / "missing.sqlite3", target)
    with pytest.raises(BackupError, match="must not be the live database"):
        backup(live, live)


# -- logs -------------------------------------------------------------------------------------------

@pytest.fixture
def captured_log():
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level, logging.getLogger("aiogram.event").level)
    yield stream
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved[0]:
        root.addHandler(handler)
    root.setLevel(saved[1])
    logging.getLogger("aiogram.event").setLevel(saved[2])


def test_json_logs_are_one_object_per_line_and_hide_secrets(captured_log: io.StringIO) -> None:
    configure_logging("INFO", "json", secrets=["s3cret-webhook-token"], stream=captured_log)
    log = logging.getLogger("bot.test")
    log.info("calling https://api.telegram.org/bot%s/sendMessage", TOKEN)
    log.warning("webhook secret is s3cret-webhook-token, phone +996 555 123 456")
    try:
        raise RuntimeError(f"POST https://api.telegram.org/bot{TOKEN}/getMe failed for 0555123456")
    except RuntimeError:
        log.exception("request failed")
    lines = captured_log.getvalue().splitlines()
    assert len(lines) == 3
    records = [json.loads(line) for line in lines]
    assert {"time", "level", "logger", "message", "update_id", "chat_id"} <= set(records[0])
    assert records[0]["level"] == "INFO" and records[0]["logger"] == "bot.test"
    assert records[0]["message"] == f"calling https://api.telegram.org/bot{REDACTED}/sendMessage"
    assert "exc_info" in records[2] and "RuntimeError" in records[2]["exc_info"]
    text = captured_log.getvalue()
    for leak in (TOKEN, TOKEN.split(":")[1], "s3cret-webhook-token", "555 123 456", "0555123456"):
        assert leak not in text


def test_text_logs_are_redacted_too(captured_log: io.StringIO) -> None:
    configure_logging("INFO", "text", secrets=[TOKEN], stream=captured_log)
    logging.getLogger("aiohttp.client").error("ClientResponseError: url=https://x/bot%s/getUpdates", TOKEN)
    assert TOKEN not in captured_log.getvalue() and REDACTED in captured_log.getvalue()


def test_redact_keeps_ids_codes_and_times() -> None:
    line = "update 812345678 chat 123456789 code 41708203803000 at 2026-12-02 03:04:05,123"
    assert redact(line) == line


async def test_log_lines_inside_a_handler_carry_the_update_and_chat(harness, db, captured_log) -> None:
    configure_logging("INFO", "json", stream=captured_log)
    person = harness.person(5101, "Айбек", language_code="ky")
    await make_resident(db, 5101, "ky", AK_DEBE, "Айбек")
    handler_log = logging.getLogger("bot.handlers.probe")
    from aiogram import F

    router = harness.dispatcher.sub_routers[0]

    @router.message(F.text == "probe-log")
    async def probe(message) -> None:
        handler_log.info("handled a probe")

    await person.send("probe-log")
    records = [json.loads(line) for line in captured_log.getvalue().splitlines()]
    probe_lines = [r for r in records if r["message"] == "handled a probe"]
    assert probe_lines and probe_lines[0]["chat_id"] == 5101 and isinstance(probe_lines[0]["update_id"], int)


# -- the drill: a backup of the running bot, restored, and the bot started on it ----------------------

@pytest.mark.slow
async def test_backup_of_the_running_bot_restores_and_the_bot_runs_on_it_logging_no_personal_data(
        tmp_path: Path) -> None:
    from bot.app import prepare_database

    live = tmp_path / "live.sqlite3"
    db = await prepare_database(Settings(database_path=live))
    await make_resident(db, 4001, "ru", AK_DEBE, "Гүлнара")
    await db.close()

    emulator = BotAPIEmulator(token=TOKEN)
    await emulator.start()
    emulator.add_user(4001, "Гүлнара", language_code="ru")
    log_path = tmp_path / "bot.log"

    async def start(database: Path) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=ROOT,
            env=_env(BOT_TOKEN=TOKEN, TELEGRAM_API_URL=emulator.base_url, DATABASE_PATH=str(database),
                     POLLING_TIMEOUT="2", LOG_FORMAT="json"),
            stdout=log_file, stderr=subprocess.STDOUT)

    async def say(text: str | None = None, phone: str | None = None) -> None:
        after = emulator.last_message_id(4001)
        if phone:
            emulator.send_contact(4001, phone, contact_user_id=4001)
        else:
            emulator.send_text(4001, text)
        await emulator.wait_for_bot_message(4001, after=after, timeout=20)

    async def stop(process: subprocess.Popen) -> int:
        process.send_signal(signal.SIGTERM)
        return await asyncio.to_thread(process.wait, 30)

    secret_words = "Көпүрө кулады, жашыруун сөз"
    log_file = log_path.open("w")
    try:
        process = await start(live)
        await say("/menu")
        await say(secret_words)
        await say(phone="+996555123456")
        made = await asyncio.to_thread(
            subprocess.run, [sys.executable, "-m", "bot", "backup", str(tmp_path / "backups" / "jamaat.sqlite3"),
                             "--keep", "3"],
            cwd=ROOT, env=_env(DATABASE_PATH=str(live)), capture_output=True, text=True, timeout=60)
        assert made.returncode == 0, made.stderr
        assert "integrity ok" in made.stdout
        assert await stop(process) == 0

        # restore: the bot stopped, the copy put where DATABASE_PATH points, the bot started on it
        (copy,) = (tmp_path / "backups").glob("jamaat-*.sqlite3")
        restored = tmp_path / "restored" / "jamaat.sqlite3"
        restored.parent.mkdir()
        shutil.copyfile(copy, restored)
        process = await start(restored)
        await say("/menu")
        reply = emulator.last_bot_message(4001)
        assert "Главное меню" in (reply.get("text") or "")  # a known resident, in her language: no onboarding
        assert await stop(process) == 0
    finally:
        log_file.close()
        await emulator.stop()
    with sqlite3.connect(live) as a, sqlite3.connect(restored) as b:
        assert b.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        query = "SELECT telegram_id, locale, municipality_code FROM residents ORDER BY telegram_id"
        assert a.execute(query).fetchall() == b.execute(query).fetchall()

    text = log_path.read_text()
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines, "the bot logged nothing"
    for line in lines:
        record = json.loads(line)  # every line is a JSON object
        assert {"time", "level", "logger", "message"} <= set(record)
    for leak in (TOKEN, TOKEN.split(":")[1], "555123456", secret_words, "жашыруун"):
        assert leak not in text
