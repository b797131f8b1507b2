"""The terminal sandbox (``python -m bot sandbox``): what a person sees, and what happens while they
have blocked the bot."""

from __future__ import annotations

import io

import pytest


async def test_sandbox_survives_writing_while_blocked(emulator) -> None:
    from bot.sandbox.chat import SandboxChat

    out = io.StringIO()
    chat = SandboxChat(emulator, out, color=False)
    assert chat.handle_line(":block")
    assert chat.handle_line("салам")  # refused by the emulator, reported, no crash
    assert ":unblock first" in out.getvalue()
    assert chat.handle_line(":unblock") and chat.handle_line("/start")
    assert not chat.handle_line(":quit")


async def test_sandbox_shows_text_as_telegram_does_and_keeps_messages_for_absent_users(emulator) -> None:
    from bot.sandbox.chat import USERS, SandboxChat

    out = io.StringIO()
    chat = SandboxChat(emulator, out, color=False)
    ivan = USERS[1].user_id
    emulator.send_text(ivan, "/start")  # opens the chat, so the bot may write to Иван
    message = {"chat_id": ivan, "text": "<b>Угуу</b> &lt;b&gt;саат 10&lt;/b&gt; &amp;amp;", "parse_mode": "HTML"}
    import aiohttp

    async with aiohttp.ClientSession() as session:
        for text in (message, {**message, "text": "экинчи"}):
            async with session.post(f"{emulator.base_url}/bot{emulator.token}/sendMessage", json=text) as response:
                assert response.status == 200
    chat.flush_bot_output()
    assert "new message for Иван" in out.getvalue()
    chat.handle_line(":as 2")
    shown = out.getvalue()
    assert "Угуу <b>саат 10</b> &amp;" in shown  # literal text stays literal
    assert shown.index("Угуу") < shown.index("экинчи")  # both messages, in order


# -- what Telegram would show (issue 12) -------------------------------------------------------------


async def _api(emulator, method: str, **params):
    import aiohttp

    async with aiohttp.ClientSession() as session:
        async with session.post(f"{emulator.base_url}/bot{emulator.token}/{method}", json=params) as response:
            body = await response.json()
            assert body["ok"], body
            return body["result"]


async def test_sandbox_shows_toasts_alerts_media_and_presses_any_visible_message(emulator) -> None:
    from bot.sandbox.chat import USERS, SandboxChat

    out = io.StringIO()
    chat = SandboxChat(emulator, out, color=False)
    aigul, ivan = USERS[0].user_id, USERS[1].user_id
    emulator.send_text(aigul, "/start")
    emulator.send_text(ivan, "/start")
    buttons = {"inline_keyboard": [[{"text": "Биринчи", "callback_data": "one"}, {"text": "Экинчи", "callback_data": "two"}]]}
    older = await _api(emulator, "sendMessage", chat_id=aigul, text="эски билдирүү", reply_markup=buttons)
    await _api(emulator, "sendMessage", chat_id=aigul, text="жаңы", reply_markup={"inline_keyboard": [[{"text": "Үчүнчү", "callback_data": "three"}]]})
    await _api(emulator, "sendLocation", chat_id=aigul, latitude=42.8746, longitude=74.5698)
    await _api(emulator, "sendMessage", chat_id=aigul, text="Телефонуңузду жөнөтүңүз",
               reply_markup={"keyboard": [[{"text": "📱 Номеримди жөнөтүү", "request_contact": True}]], "resize_keyboard": True})
    chat.flush_bot_output()
    shown = out.getvalue()
    assert f"#{older['message_id']} bot" in shown and "[1] Биринчи   [2] Экинчи" in shown
    assert "[📍 location 42.87460, 74.56980" in shown  # a location is not a blank message
    assert "[k1] 📱 Номеримди жөнөтүү (shares your phone number)" in shown
    # a button of the older message (not the newest) is pressed, as it is now
    chat.handle_line(f"{older['message_id']}.2")
    assert emulator.callback_answers == []  # nothing answered yet
    press = [q for q in emulator._callback_queries.values() if q["message_id"] == older["message_id"]]
    assert press and press[-1]["chat_id"] == aigul
    query_id = max(emulator._callback_queries, key=int)
    await _api(emulator, "answerCallbackQuery", callback_query_id=query_id, text="Добушуңуз эсептелди")
    chat.flush_bot_output()
    assert "ⓘ Добушуңуз эсептелди" in out.getvalue()
    chat.handle_line("1")  # the newest message with buttons ("жаңы")
    await _api(emulator, "answerCallbackQuery", callback_query_id=max(emulator._callback_queries, key=int),
               text="Бул баскыч эскирди", show_alert=True)
    chat.flush_bot_output()
    assert "│ Бул баскыч эскирди │" in out.getvalue() and "[ OK ]" in out.getvalue()
    # another user's toast is not shown to the current one (it faded on their phone)
    other = await _api(emulator, "sendMessage", chat_id=ivan, text="x", reply_markup=buttons)
    emulator.press_button(ivan, other["message_id"], "one")
    await _api(emulator, "answerCallbackQuery", callback_query_id=max(emulator._callback_queries, key=int), text="Иванга")
    chat.flush_bot_output()
    assert "Иванга" not in out.getvalue()
    # the reply keyboard's button shares the user's own contact
    before = len(emulator.messages(aigul))
    chat.handle_line("k1")
    contact = emulator.messages(aigul)[before]
    assert contact["contact"]["user_id"] == aigul and contact["contact"]["phone_number"].startswith("+99670")
    await _api(emulator, "sendMessage", chat_id=aigul, text="✅", reply_markup={"remove_keyboard": True})
    chat.flush_bot_output()
    assert "the keyboard under the input field is gone" in out.getvalue()


async def test_voters_make_a_surveys_results_visible(emulator, db) -> None:
    from datetime import timedelta

    from bot.domain import surveys as sv
    from bot.domain.clock import clock, to_db
    from bot.sandbox.chat import SandboxChat
    from tests.survey_helpers import OFFICER, draft, make_resident
    from tests.support import AK_DEBE, grant

    await make_resident(db, OFFICER, "ru", AK_DEBE)
    await grant(db, OFFICER, AK_DEBE)
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft(
        opens_at=to_db(clock.now() - timedelta(hours=1)), closes_at=to_db(clock.now() + timedelta(days=3))))
    out = io.StringIO()
    chat = SandboxChat(emulator, out, color=False)
    chat.db = db
    assert await chat.handle(":voters 0")
    assert "from 1 to 500" in out.getvalue()
    assert await chat.handle(":voters 5")  # Айгүл has no municipality yet: a survey id is needed
    assert "give a survey id" in out.getvalue()
    assert await chat.handle(f":voters 15 {survey.id}")
    assert f"15 simulated residents voted in survey {survey.id}" in out.getvalue()
    after = await sv.get_survey(db, survey.id)
    assert after.ballots == 15 and all(o.votes >= 5 for o in after.options)  # every option over the threshold
    assert await chat.handle(f":voters 2 {survey.id}")  # more later: new residents, not the same ones again
    assert (await sv.get_survey(db, survey.id)).ballots == 17


@pytest.mark.slow
async def test_the_real_sandbox_process_shows_what_telegram_would(tmp_path) -> None:
    """``python -m bot sandbox`` as a person uses it: buttons of an older message, a toast, the reply
    keyboard's "share my phone number", and :voters when no survey is open."""
    import asyncio
    import re
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "sandbox", "--fresh", "--database", str(tmp_path / "sandbox.sqlite3"),
        cwd=root, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    assert process.stdin is not None and process.stdout is not None
    seen: list[str] = []

    async def until(pattern: str) -> re.Match[str]:
        while True:
            try:
                line = await asyncio.wait_for(process.stdout.readline(), timeout=90)
            except TimeoutError:
                raise AssertionError(f"no {pattern!r} in:\n" + "".join(seen[-40:])) from None
            if not line:
                raise AssertionError("sandbox ended:\n" + "".join(seen))
            seen.append(line.decode(errors="replace"))
            if match := re.search(pattern, seen[-1]):
                return match

    async def say(text: str) -> None:
        process.stdin.write((text + "\n").encode())
        await process.stdin.drain()

    def message_with(label: str) -> tuple[int, int]:
        """(message number, button number) of the last shown message with a button ``label``."""
        header = re.compile(r"── #(\d+) bot")
        message_id = 0
        found = None
        for line in seen:
            if match := header.search(line):
                message_id = int(match.group(1))
            for number, text in re.findall(r"\[(\d+)\] ([^\[]+?)(?=\s{3}\[|\s*$)", line):
                if label in text:
                    found = (message_id, int(number))
        assert found, f"no button {label!r} in:\n" + "".join(seen[-30:])
        return found

    try:
        await until(r"Type /start to begin")
        await say(":as 2")
        await say("/start")
        await until(r"\(press 1–2 now")
        await say("2")  # Русский
        await until(r"Где вы живёте")
        await say("kara-balta")  # Latin letters
        await until(r"\[\d+\] Кара-Балта")
        results, pick = message_with("Кара-Балта")
        await say(f"{results}.{pick}")
        await until(r"✅")
        await say("/municipality")
        await until(r"\(press 1–2 now")
        await say("1")  # change: the picker, with Cancel
        await until(r"Отмена")
        picker, cancel = message_with("Отмена")
        await say("/menu")  # the picker's step ends
        await until(r"\[\d+\] 🗳")
        await say(f"{picker}.{cancel}")  # a button of an older message, pressed after the step ended
        toast = await until(r"ⓘ (.+)")
        assert toast.group(1).strip()
        await say("/verify")
        await until(r"\[k1\] .*\(shares your phone number\)")
        await say("k1")
        await until(r"you shared your contact: Иван \+996700001002")
        await until(r"✅")
        await say(":voters 3")
        await until(r":voters: no open survey in your municipality")
        await say(":quit")
        await asyncio.wait_for(process.wait(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
