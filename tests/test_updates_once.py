"""The same update once (issue 11): Telegram delivers an update again after a crash (getUpdates) or a
failed webhook answer; the bot handles an ``update_id`` at most once, also after a restart — no
second reply, problem, support or answer."""

from __future__ import annotations

import copy
import signal
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import build_application
from bot.db import Database
from bot.domain.clock import now_db, to_db
from bot.i18n import numbered
from bot.sandbox.emulator import BotAPIEmulator
from bot.store import updates as store
from bot.web.once import KEEP, prune
from tests.harness import Harness, plain
from tests.problems_support import SKIP
from tests.support import onboard
from tests.web_helpers import TOKEN, BotProcess, wait_until

WATER_RU = "Водоснабжение"
TEXT = "Вода не идет третий день по улице Ленина"


async def test_a_message_delivered_twice_gets_one_reply(harness, db: Database) -> None:
    ivan = await onboard(harness, db, 201, "ru", name="Иван")
    update = harness.emulator.send_text(201, "/help")
    first = await ivan._act(update)
    assert first, "the first delivery is answered"
    again = await ivan._act(copy.deepcopy(update))
    assert again == []


async def test_the_last_step_of_a_new_problem_delivered_twice_makes_one_problem_and_one_reply(
        harness, db: Database) -> None:
    ivan = await onboard(harness, db, 202, "ru", name="Иван")
    await ivan.send("/newproblem")
    await ivan.press(WATER_RU)
    await ivan.send(TEXT)
    await ivan.press(SKIP)
    await ivan.press(SKIP)
    preview, data = ivan.find_button("✅")
    confirm = harness.emulator.press_button(202, preview["message_id"], data)
    done = await ivan._act(confirm)
    assert any("№" in plain(m) for m in done)
    answers = len(harness.emulator.callback_answers)
    again = await ivan._act(copy.deepcopy(confirm))
    assert again == [], "no second reply (without the check: 'this step is already done')"
    assert len(harness.emulator.callback_answers) == answers
    assert await db.fetchval("SELECT count(*) FROM problems WHERE author_id = ?", (202,)) == 1


async def test_a_support_delivered_twice_counts_once(harness, db: Database) -> None:
    author = await onboard(harness, db, 203, "ru", name="Автор")
    await author.send("/newproblem")
    await author.press(WATER_RU)
    await author.send(TEXT)
    await author.press(SKIP)
    await author.press(SKIP)
    await author.press("✅")
    problem_id = await db.fetchval("SELECT id FROM problems WHERE author_id = ?", (203,))
    ivan = await onboard(harness, db, 204, "ru", name="Иван")
    await ivan.send("/problems")
    await ivan.press("Приоритетные")
    [card] = await ivan.press(numbered(problem_id))
    _, data = ivan.find_button("Поддержать", card)
    tap = harness.emulator.press_button(204, card["message_id"], data)
    await ivan._act(tap)
    requests = len(harness.emulator.requests)
    assert await ivan._act(copy.deepcopy(tap)) == []
    assert len(harness.emulator.requests) == requests, "nothing at all is sent for the re-delivery"
    assert await db.fetchval("SELECT count(*) FROM problem_supports WHERE problem_id = ?", (problem_id,)) == 2


async def test_an_update_handled_before_a_restart_is_skipped_after_it(harness, db: Database, settings, db_path: Path) -> None:
    ivan = await onboard(harness, db, 205, "ru", name="Иван")
    update = harness.emulator.send_text(205, "/help")
    assert await ivan._act(update)
    # a new process: a new connection and a new dispatcher on the same file
    db2 = await Database.open(db_path)
    try:
        settings2 = settings.model_copy(update={"telegram_api_url": harness.emulator.base_url})
        app2 = await build_application(settings2, db2)
        restarted = Harness(harness.emulator, harness.bot, app2.dispatcher)
        before = len(harness.emulator.bot_messages(205))
        await restarted.feed(copy.deepcopy(update))
        assert len(harness.emulator.bot_messages(205)) == before
        fresh = harness.emulator.send_text(205, "/help")
        await restarted.feed(fresh)
        assert len(harness.emulator.bot_messages(205)) > before, "a new update is still answered"
    finally:
        await db2.close()


async def test_ids_older_than_a_week_are_forgotten(db: Database, frozen_clock) -> None:
    now = frozen_clock.now
    async with db.transaction() as tx:
        await store.claim(tx, 1, to_db(now - KEEP - timedelta(hours=1)))
        await store.claim(tx, 2, to_db(now - KEEP + timedelta(hours=1)))
        await store.claim(tx, 3, now_db())
    assert await prune(db, now) == 1
    assert [r[0] for r in await db.fetchall("SELECT update_id FROM processed_updates ORDER BY 1")] == [2, 3]
    async with db.transaction() as tx:
        assert await store.claim(tx, 3, now_db()) is False
        assert await store.claim(tx, 4, now_db()) is True


@pytest.mark.slow
async def test_the_real_process_skips_an_update_telegram_delivers_again_after_a_restart(
        db_path: Path, tmp_path: Path) -> None:
    emu = BotAPIEmulator(token=TOKEN)
    await emu.start()
    emu.add_user(206, "Иван", language_code="ru")
    bot = BotProcess(db_path, emu.base_url, tmp_path / "bot.log")
    try:
        bot.start()
        await bot.wait_healthy()
        update = emu.send_text(206, "/start")
        await emu.wait_for_bot_message(206, timeout=30)
        await emu.wait_idle(timeout=30)
        replies = len(emu.bot_messages(206))
        assert await bot.stop() == 0
        emu._updates.append(copy.deepcopy(update))  # Telegram hands the same update out again
        bot.start()
        await bot.wait_healthy()
        await wait_until(lambda: emu.updates_pending() == 0, 30, "the re-delivered update to be fetched")
        await emu.wait_idle(timeout=30)
        assert len(emu.bot_messages(206)) == replies, bot.tail()
        assert "already handled, skipped" in bot.tail()
        assert await bot.stop(signal.SIGINT) == 0
    finally:
        bot.kill()
        await emu.stop()


@pytest.mark.slow
def test_the_sandbox_answers_again_in_its_next_session(tmp_path: Path) -> None:
    """The sandbox's new emulator numbers updates from 1 at every start: ids recorded in the last
    session must not make the bot ignore the new one."""
    import subprocess
    import sys

    from tests.web_helpers import ROOT

    database = tmp_path / "sandbox.sqlite3"
    for session in (1, 2):
        result = subprocess.run([sys.executable, "-m", "bot", "sandbox", "--database", str(database)], cwd=ROOT,
                                input="/start\n:quit\n", capture_output=True, text=True, timeout=240)
        assert "Тилди тандаңыз" in result.stdout, f"session {session}:\n{result.stdout[-2000:]}"
