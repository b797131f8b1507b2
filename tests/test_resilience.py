"""Telegram's everyday failures through the real dispatcher: errors, flood control, blocked users."""

from __future__ import annotations

from bot.db import Database
from bot.domain.residents import get_resident
from tests.harness import Harness, plain


async def test_an_unexpected_telegram_error_gets_an_apology_not_a_crash(harness: Harness) -> None:
    user = harness.person(401, "Азамат", language_code="ru")
    await user.send("/start")
    harness.emulator.inject_error("sendMessage", 400, "Bad Request: something unexpected", count=1, chat_id=401)
    replies = await user.send("/help")
    assert [plain(m) for m in replies] == [
        "Извините, у нас что-то пошло не так. Попробуйте ещё раз или отправьте /menu."]
    # the next message works normally
    [help_message] = await user.send("/help")
    assert "/menu — главное меню" in plain(help_message)


async def test_an_unexpected_error_on_a_button_press_still_gets_the_apology(harness: Harness, db: Database) -> None:
    from tests.support import AK_DEBE, make_resident

    await make_resident(db, 404, "ru", AK_DEBE)
    user = harness.person(404, "Эрмек", language_code="ru")
    await user.send("/menu")
    # the button's own edit or message fails with an error no handler expects
    for method in ("editMessageText", "sendMessage"):
        harness.emulator.inject_error(method, 400, "Bad Request: something unexpected", count=1, chat_id=404)
    await user.press("Помощь")
    assert plain(user.last()) == "Извините, у нас что-то пошло не так. Попробуйте ещё раз или отправьте /menu."
    assert user.alerts()[-1]["show_alert"] is False  # the button was answered once (by the middleware), not twice


async def test_flood_control_waits_retry_after_and_delivers(harness: Harness) -> None:
    user = harness.person(402, "Асан", language_code="ky")
    harness.emulator.inject_error("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1, count=1,
                                  chat_id=402)
    [prompt] = await user.send("/start")
    assert "Тилди тандаңыз." in plain(prompt)
    sends = [m for m, p in harness.emulator.requests if m == "sendMessage" and str(p.get("chat_id")) == "402"]
    assert len(sends) == 2  # refused once with 429, sent after retry_after


async def test_a_reply_to_someone_who_blocked_the_bot_marks_them_inactive(harness: Harness, db: Database) -> None:
    user = harness.person(403, "Айпери", language_code="ru")
    await user.send("/start")
    update = harness.emulator.send_text(403, "/help")  # written just before blocking
    harness.emulator.block_bot(403)
    await harness.feed(update)  # the reply fails with 403
    assert (await get_resident(db, 403)).active is False
    assert not any("Помощь" in plain(m) or "/menu —" in plain(m) for m in harness.emulator.bot_messages(403))
