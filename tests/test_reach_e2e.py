"""Reach end to end: the real bot process (`python -m bot run`) against the Bot API emulator.

The officer links the municipality's channel (the code posted there) and a village group (``/link
CODE``); the group becomes a supergroup without the bot being told; an announcement reaches both
chats through the delivery worker (the group's under its new id); a newcomer follows the channel
post's deep link and is onboarded into the municipality with a confirmation; the bot is removed
from the channel and the officer is told in private. Chats are told apart by ids and titles, not by
the wording of the new texts (their translations are merged later)."""

from __future__ import annotations

import asyncio
import re
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from bot.sandbox.emulator import BotAPIEmulator
from tests.test_e2e_features import DELIVERY_WAIT, ROOT, TOKEN, WAIT, Person, _env, community, text_of
from tests.support import SUPERADMIN_ID as ADMIN

pytestmark = pytest.mark.slow
CHANNEL, VILLAGE = -1004242, -4243
STARTUP_WAIT = 120.0  # seconds until the process polls


@pytest.fixture
async def bot_process(tmp_path: Path) -> AsyncIterator[BotAPIEmulator]:
    """The real bot process against a fresh emulator (as tests/test_e2e_features.py's, with its web
    server on a free port, so it runs beside other bot processes)."""
    emulator = BotAPIEmulator(token=TOKEN)
    emulator.idle_quiet_period = 0.2
    await emulator.start()
    log_path = tmp_path / "bot.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        env=_env(BOT_TOKEN=TOKEN, TELEGRAM_API_URL=emulator.base_url, DATABASE_PATH=str(tmp_path / "e2e.sqlite3"),
                 SUPERADMIN_IDS=str(ADMIN), POLLING_TIMEOUT="2", SCHEDULER_INTERVAL_S="1", DELIVERY_RATE="100",
                 WEB_LISTEN="127.0.0.1:0"))
    try:
        try:  # start-up is slow on a busy machine: wait for the first poll
            await emulator.wait_polling(STARTUP_WAIT, alive=lambda: process.poll() is None)
        except (TimeoutError, RuntimeError) as error:
            raise AssertionError(f"{error}: {log_path.read_text()[-2000:]}") from error
        yield emulator
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(process.wait, 20)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()
        await emulator.stop()
        output = log_path.read_text()
        print(output[-4000:])
        assert "Traceback" not in output, "the bot process logged an exception (see the output above)"


async def _code(officer: Person, choice: int) -> str:
    intro = await officer.send("/link", lambda m: "rc:code" in str(m.get("reply_markup")))
    label = intro["reply_markup"]["inline_keyboard"][choice][0]["text"]
    shown = await officer.press(label, lambda m: "/link" in text_of(m), intro)
    return re.search(r"\b([A-Z0-9]{6})\b", text_of(shown)).group(1)


async def test_channel_and_village_group_linked_announced_migrated_joined_and_removed(
        bot_process: BotAPIEmulator) -> None:
    emu = bot_process
    _aigul, _ivan, officer = await community(emu)

    emu.add_channel(CHANNEL, "Аламүдүн айыл өкмөтү")
    emu.add_bot_to_chat(CHANNEL, officer.user_id, admin=True)
    after = officer.mark()
    emu.post_in_channel(CHANNEL, await _code(officer, 1))
    await officer.wait(lambda m: "Аламүдүн айыл өкмөтү" in text_of(m), after=after, timeout=DELIVERY_WAIT)

    emu.add_group(VILLAGE, "Аламүдүн айылы")
    emu.add_bot_to_chat(VILLAGE, officer.user_id)
    emu.send_text(officer.user_id, f"/link {await _code(officer, 1)}", chat_id=VILLAGE)
    await emu.wait_for_bot_message(VILLAGE, predicate=lambda m: "✅" in text_of(m), timeout=WAIT)
    supergroup = emu.migrate_to_supergroup(VILLAGE, officer.user_id, announce=False)

    await officer.send("/announce", lambda m: True)
    await officer.send("Эртең саат 10до жыйын болот", lambda m: True)
    confirm = await officer.send("Завтра в 10 часов собрание", lambda m: "Отправить" in str(m.get("reply_markup")))
    await officer.press("Отправить", lambda m: True, confirm)
    post = await emu.wait_for_bot_message(CHANNEL, predicate=lambda m: "Завтра в 10 часов" in text_of(m),
                                          timeout=DELIVERY_WAIT)
    assert "Эртең саат 10до" in text_of(post)  # both languages in the channel
    await emu.wait_for_bot_message(supergroup, predicate=lambda m: "Завтра в 10 часов" in text_of(m),
                                   timeout=DELIVERY_WAIT)  # the group's post went to its new id

    url = post["reply_markup"]["inline_keyboard"][0][0]["url"]
    payload = parse_qs(urlparse(url).query)["start"][0]
    newcomer = Person(emu, 4300, "Бакыт", "ru")
    await newcomer.send(f"/start {payload}", "Выберите язык.")
    question = await newcomer.press("Русский", lambda m: "rj:yes" in str(m.get("reply_markup")))
    assert "Аламудун" in text_of(question) or "Аламүдүн" in text_of(question)
    home = await newcomer.press("✅", "Главное меню", question)
    assert "Аламудун" in text_of(home)

    after = officer.mark()
    emu.remove_bot_from_chat(CHANNEL, officer.user_id)
    await officer.wait(lambda m: "Аламүдүн айыл өкмөтү" in text_of(m) and "/link" in text_of(m), after=after,
                       timeout=DELIVERY_WAIT)
    figures = await officer.send("/reach", lambda m: "Аламүдүн айылы" in text_of(m))
    assert "Аламүдүн айыл өкмөтү" in text_of(figures)
