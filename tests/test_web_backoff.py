"""The Bot API unreachable (issue 11, item 7): at start and later the bot waits with growing pauses (a
log line per attempt, capped at 60 s) and goes on by itself once the API answers; it never exits in a
loop. A rejected token still ends the run with exit code 2 and a clear message."""

from __future__ import annotations

import re
import signal
from pathlib import Path

import pytest

from bot.sandbox.emulator import BotAPIEmulator
from bot.web.runner import BACKOFF_CAP, Backoff
from tests.web_helpers import TOKEN, BotProcess, free_port, wait_until


def test_the_pauses_double_up_to_a_minute_and_start_again_after_a_success() -> None:
    backoff = Backoff()
    delays = [backoff.failed() for _ in range(9)]
    assert delays == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert max(delays) == BACKOFF_CAP
    backoff.reset()
    assert backoff.failed() == 1


@pytest.mark.slow
async def test_an_api_that_comes_up_late_and_goes_away_for_a_while_is_waited_for(
        db_path: Path, tmp_path: Path) -> None:
    port = free_port()
    emu = BotAPIEmulator(token=TOKEN)
    bot = BotProcess(db_path, f"http://127.0.0.1:{port}", tmp_path / "bot.log")
    try:
        bot.start()
        await wait_until(lambda: "(attempt 2)" in bot.tail(20_000), 90, "two failed attempts", step=0.2)
        status, health = await bot.health()
        assert status == 503 and health["state"] == "starting" and "bot_api_ok" in health["failing"]
        log = bot.tail(20_000)
        assert re.search(r"cannot reach the Bot API at http://127\.0\.0\.1:\d+ \(attempt 1\): .*retrying in 1 s", log)
        assert "retrying in 2 s" in log
        assert TOKEN.split(":")[1] not in log, "the token is not logged"

        await emu.start(port=port)  # the API comes up: the bot goes on by itself
        emu.add_user(6001, "Айгүл", language_code="ky")
        await bot.wait_healthy()
        emu.send_text(6001, "/start")
        await emu.wait_for_bot_message(6001, timeout=30)
        assert "answered after" in bot.tail(20_000)

        await emu.stop()  # and goes away while the bot runs
        await wait_until(lambda: "getUpdates failed (attempt 2)" in bot.tail(20_000), 60, "polling to retry")
        assert bot.process is not None and bot.process.poll() is None, "still running"
        await emu.start(port=port)
        after = emu.last_message_id(6001)
        emu.send_text(6001, "/help")
        await emu.wait_for_bot_message(6001, after=after, timeout=60)
        assert "getUpdates works again" in bot.tail(20_000)
        assert await bot.stop(signal.SIGTERM) == 0
    finally:
        bot.kill()
        await emu.stop()


@pytest.mark.slow
async def test_sigterm_while_waiting_for_the_api_exits_0(db_path: Path, tmp_path: Path) -> None:
    bot = BotProcess(db_path, f"http://127.0.0.1:{free_port()}", tmp_path / "bot.log")
    try:
        bot.start()
        await wait_until(lambda: "(attempt 1)" in bot.tail(), 90, "a failed attempt", step=0.2)
        assert await bot.stop(signal.SIGTERM) == 0, bot.tail()
    finally:
        bot.kill()


@pytest.mark.slow
async def test_a_rejected_token_exits_2_with_a_clear_message(db_path: Path, tmp_path: Path) -> None:
    emu = BotAPIEmulator(token="999:OTHER")  # any other token gets 401 Unauthorized
    await emu.start()
    bot = BotProcess(db_path, emu.base_url, tmp_path / "bot.log")
    try:
        bot.start()
        await wait_until(lambda: bot.process is not None and bot.process.poll() is not None, 90, "the exit")
        assert bot.process is not None and bot.process.returncode == 2
        assert "Telegram rejected BOT_TOKEN (401 Unauthorized)" in bot.tail()
    finally:
        bot.kill()
        await emu.stop()
