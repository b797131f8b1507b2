"""Kill -9 of the real bot process in the middle of a multi-step flow, then a restart: the step and
its draft survive (the FSM storage writes through its cache before the prompt is sent)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.sandbox.emulator import BotAPIEmulator
from tests.support import AK_DEBE, make_resident
from tests.web_helpers import STARTUP

pytestmark = pytest.mark.slow  # starts `python -m bot` as a process of its own

TOKEN = "123456:TEST"
ROOT = Path(__file__).resolve().parent.parent
RESIDENT = 77_001


def _start(db_path: Path, base_url: str, log: Path) -> subprocess.Popen:
    env = {**os.environ, "BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": base_url, "DATABASE_PATH": str(db_path),
           "SUPERADMIN_IDS": "", "POLLING_TIMEOUT": "2"}
    return subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT)


async def _says(emu: BotAPIEmulator, after: int, text: str) -> dict:
    return await emu.wait_for_bot_message(RESIDENT, after=after,
                                          predicate=lambda m: text in (m.get("text") or ""), timeout=30)


def _press(emu: BotAPIEmulator, label: str) -> int:
    after = emu.last_message_id(RESIDENT)
    for message in reversed(emu.bot_messages(RESIDENT)):
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if label in button["text"]:
                    emu.press_button(RESIDENT, message["message_id"], button["callback_data"])
                    return after
    raise AssertionError(f"no button {label!r}")


async def test_sigkill_in_the_middle_of_raising_a_problem_keeps_the_step_and_the_draft(db, db_path: Path,
                                                                                    tmp_path: Path) -> None:
    await make_resident(db, RESIDENT, "ru", AK_DEBE)
    emu = BotAPIEmulator(token=TOKEN)
    await emu.start()
    emu.add_user(RESIDENT, "Айбек", language_code="ru")
    log = tmp_path / "bot.log"
    proc = _start(db_path, emu.base_url, log)
    try:
        await emu.wait_polling(STARTUP, alive=lambda: proc.poll() is None)
        after = emu.last_message_id(RESIDENT)
        emu.send_text(RESIDENT, "/newproblem")
        await _says(emu, after, "категорию")
        after = _press(emu, "Водоснабжение")
        await _says(emu, after, "своими словами")
        after = emu.last_message_id(RESIDENT)
        emu.send_text(RESIDENT, "Нет воды на улице Ленина уже три дня")
        await _says(emu, after, "фото")  # now at the photos step, the text is in the draft
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)

        restarted = len(emu.requests)
        proc = _start(db_path, emu.base_url, log)
        await emu.wait_polling(STARTUP, alive=lambda: proc.poll() is None, since=restarted)
        after = _press(emu, "Пропустить")  # the photos step's button, pressed after the restart
        await _says(emu, after, "место")
        after = _press(emu, "Пропустить")
        preview = await _says(emu, after, "Нет воды на улице Ленина уже три дня")
        assert preview["message_id"] > after
        await emu.wait_idle(timeout=15)  # the preview's last request is answered before we stop the bot
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        await emu.stop()
    output = log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in output, output[-6000:]
