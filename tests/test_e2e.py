"""End to end: the real bot process (`python -m bot run`) against the Bot API emulator.

The bot runs as a separate process exactly as in production, only with TELEGRAM_API_URL pointed
at the emulator on 127.0.0.1 (the setting real deployments use for a self-hosted Bot API server).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.emulator import BotAPIEmulator
from tests.support import ALAMUDUN
from tests.web_helpers import STARTUP
from tests.support import SUPERADMIN_ID as ADMIN

pytestmark = pytest.mark.slow  # starts `python -m bot` as a process of its own

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "5550001:E2E"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "TELEGRAM_API_URL", "DATABASE_PATH")}
    env.update({"PYTHONUNBUFFERED": "1", "DEFAULT_LOCALE": "ky"}, **extra)
    return env


class Client:
    """One simulated person talking to the bot process through the emulator."""

    def __init__(self, emulator: BotAPIEmulator, user_id: int, first_name: str, language_code: str | None) -> None:
        self.emulator = emulator
        self.user_id = user_id
        emulator.add_user(user_id, first_name, language_code=language_code)

    async def send(self, text: str, expect: str) -> dict[str, Any]:
        """Send ``text``; wait for a bot message containing ``expect``."""
        after = self.emulator.last_message_id(self.user_id)
        self.emulator.send_text(self.user_id, text)
        return await self.emulator.wait_for_bot_message(
            self.user_id, after=after, predicate=lambda m: expect in (m.get("text") or ""), timeout=15)

    async def press(self, label: str, expect: str) -> dict[str, Any]:
        """Press the newest button whose label contains ``label``; wait for a message containing ``expect``."""
        after = self.emulator.last_message_id(self.user_id)
        for message in reversed(self.emulator.bot_messages(self.user_id)):
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if label in button["text"]:
                        self.emulator.press_button(self.user_id, message["message_id"], button["callback_data"])
                        return await self.emulator.wait_for_bot_message(
                            self.user_id, after=after, predicate=lambda m: expect in (m.get("text") or ""),
                            timeout=15)
        raise AssertionError(f"no button {label!r}")


@pytest.fixture
async def bot_process(tmp_path: Path) -> AsyncIterator[tuple[BotAPIEmulator, Path, subprocess.Popen]]:
    emulator = BotAPIEmulator(token=TOKEN)
    await emulator.start()
    database = tmp_path / "e2e.sqlite3"
    log = (tmp_path / "bot.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=ROOT,
        env=_env(BOT_TOKEN=TOKEN, TELEGRAM_API_URL=emulator.base_url, DATABASE_PATH=str(database),
                 SUPERADMIN_IDS=str(ADMIN), POLLING_TIMEOUT="2"),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        await emulator.wait_polling(STARTUP, alive=lambda: process.poll() is None)
        yield emulator, database, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(process.wait, 20)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()
        await emulator.stop()
        print((tmp_path / "bot.log").read_text()[-3000:])


async def test_real_process_onboards_two_languages_grants_an_officer_and_refuses_a_resident(bot_process) -> None:
    emulator, database, process = bot_process

    aigul = Client(emulator, 3001, "Айгүл", None)  # Telegram reports no language
    await aigul.send("/start", "Тилди тандаңыз.")
    await aigul.press("Кыргызча", "Кайсы жерде жашайсыз?")
    await aigul.send("аламудун", "Муниципалитетиңизди тандаңыз")  # typed with о/у for ө/ү
    await aigul.press("Аламүдүн · Аламүдүн р-ну", "Башкы меню")

    ivan = Client(emulator, 3002, "Иван", "ru")
    await ivan.send("/start", "Выберите язык.")
    await ivan.press("Русский", "Где вы живёте?")
    await ivan.press("Джалал-Абадская область", "Выберите район или город")
    await ivan.send("кок жангак", "Выберите свой муниципалитет")  # Көк-Жаңгак on a Russian keyboard
    await ivan.press("Кок-Жангак", "Главное меню")

    # a language switch changes later texts
    await ivan.send("/language", "Тилди тандаңыз.")
    await ivan.press("Кыргызча", "Башкы меню")
    await ivan.send("/help", "/menu — башкы меню")

    # an officer by invite code
    admin = Client(emulator, ADMIN, "Админ", "ru")
    await admin.send("/start", "Выберите язык.")
    await admin.press("Русский", "Где вы живёте?")
    await admin.press("г. Бишкек", "Главное меню")
    invite = await admin.send(f"/invite {ALAMUDUN}", "Приглашение для специалиста")
    code = next(line for line in invite["text"].splitlines() if len(line) == 9 and line[4] == "-")
    await aigul.send(f"/join {code}", "Эми сиз адиссиз")
    await aigul.send("/officer", "Адис")

    # a plain resident is refused politely, in their language
    await ivan.send("/officer", "Бул буйрук муниципалитеттин адистери үчүн гана")

    # what the process stored
    await emulator.wait_idle(timeout=10)
    with sqlite3.connect(database) as conn:
        rows = dict((r[0], r[1:]) for r in conn.execute(
            "SELECT telegram_id, locale, municipality_code FROM residents ORDER BY telegram_id"))
        officers = conn.execute("SELECT telegram_id, municipality_code FROM officers").fetchall()
    assert rows[3001] == ("ky", ALAMUDUN)
    assert rows[3002][0] == "ky" and rows[3002][1].startswith("41703")
    assert officers == [(3001, ALAMUDUN)]

    # a clean stop on SIGTERM
    process.send_signal(signal.SIGTERM)
    assert await asyncio.to_thread(process.wait, 20) == 0
