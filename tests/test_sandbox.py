"""The terminal sandbox (``python -m bot sandbox``): what a person sees, and what happens while they
have blocked the bot."""

from __future__ import annotations

import io


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
