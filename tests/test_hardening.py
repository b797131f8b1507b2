"""Defects found by attacking the foundation, each pinned by a test."""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys
from pathlib import Path

from bot.db import Database
from bot.domain import municipalities as geo
from bot.domain.municipalities import bundled_csv, import_municipalities
from bot.domain.officers import grant_officer
from bot.domain.residents import touch_resident
from tests.conftest import SUPERADMIN_ID
from tests.harness import Harness, Person, plain

ROOT = Path(__file__).resolve().parent.parent
AK_DEBE = "41708203803000"
ADMINS = frozenset({SUPERADMIN_ID})


async def _onboard_ru(person: Person) -> None:
    await person.send("/start")
    await person.press("Русский")
    await person.press("г. Бишкек")


async def test_an_explicit_import_survives_the_next_start(db: Database) -> None:
    renamed = bundled_csv().decode("utf-8").replace("Аламудунский айылный аймак", "Аламудинский айылный аймак")
    await import_municipalities(db, renamed.encode("utf-8"), force=True)
    report = await import_municipalities(db)  # what every start does with the bundled file
    assert report.skipped_unchanged_file
    assert (await geo.get_municipality(db, "41708203807000")).name_ru == "Аламудинский айылный аймак"


def test_a_quoted_token_exits_with_a_clear_message(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "BOT_TOKEN": '"123:abc"',
             "DATABASE_PATH": str(tmp_path / "x.sqlite3")},
    )
    assert result.returncode == 2
    assert "BOT_TOKEN is not a valid bot token" in result.stderr


async def test_a_command_ends_the_current_step(harness: Harness, db: Database) -> None:
    officer = harness.person(501, "Бакыт", language_code="ru")
    await _onboard_ru(officer)
    await grant_officer(db, actor_id=SUPERADMIN_ID, superadmins=ADMINS, telegram_id=501, municipality_code=AK_DEBE)
    await officer.send("/kyname")
    await officer.send("/menu")
    [answer] = await officer.send("спасибо")
    assert "Я вас не понял" in plain(answer)
    assert (await geo.get_municipality(db, AK_DEBE)).name_ky is None
    # /help only informs: the step is still open afterwards
    await officer.send("/kyname")
    await officer.send("/HELP")  # commands ignore case
    [saved] = await officer.send("Ак-Дөбө айыл аймагы")
    assert "Сохранено" in plain(saved)


async def test_huge_arguments_get_short_answers(harness: Harness, db: Database) -> None:
    admin = harness.person(SUPERADMIN_ID, "Админ", language_code="ru")
    await _onboard_ru(admin)
    [answer] = await admin.send("/invite " + "1" * 5000)
    assert plain(answer) == "Нет муниципалитета с кодом СОАТЕ 11111111111111111111."
    [answer] = await admin.send("/grant ３２０ " + AK_DEBE)  # full-width digits are not an id
    assert "Формат: /grant" in plain(answer)


async def test_a_long_officer_list_is_split_across_messages(harness: Harness, db: Database) -> None:
    admin = harness.person(SUPERADMIN_ID, "Админ", language_code="ru")
    await _onboard_ru(admin)
    for n in range(40):
        await touch_resident(db, 600 + n, first_name="Я" * 64, last_name="Ж" * 64, username=None, language_code="ru")
        await grant_officer(db, actor_id=SUPERADMIN_ID, superadmins=ADMINS, telegram_id=600 + n,
                            municipality_code=AK_DEBE)
    replies = await admin.send(f"/officers {AK_DEBE}")
    assert len(replies) >= 2
    assert sum(plain(m).count("(id 6") for m in replies) == 40


async def test_bidi_controls_in_a_name_cannot_reorder_an_admins_screen(harness: Harness, db: Database) -> None:
    admin = harness.person(SUPERADMIN_ID, "Админ", language_code="ru")
    await _onboard_ru(admin)
    trickster = harness.person(502, "Ivan\u202e", language_code="ru")
    await trickster.send("/start")
    [done] = await admin.send(f"/grant 502 {AK_DEBE}")
    assert "\u202e" not in plain(done) and "Ivan (id 502)" in plain(done)


async def test_a_double_tap_on_a_prompt_sends_the_next_step_once(harness: Harness) -> None:
    user = harness.person(503, "Айдай", language_code="ru")
    [prompt] = await user.send("/start")
    await user.press("Русский", prompt)
    await user.press("Русский", prompt)
    pickers = [m for m in harness.emulator.bot_messages(503) if "Где вы живёте?" in plain(m)]
    assert len(pickers) == 1
    picker = pickers[0]
    _, data = user.find_button("г. Бишкек", picker)
    updates = [harness.emulator.press_button(503, picker["message_id"], data) for _ in range(5)]
    await asyncio.gather(*(harness.feed(u) for u in updates))
    menus = [m for m in harness.emulator.bot_messages(503) if "Главное меню" in plain(m)]
    assert len(menus) == 1


async def test_id_command_tells_the_sender_their_id(harness: Harness) -> None:
    user = harness.person(504, "Нуржан", language_code="ky")
    [answer] = await user.send("/id")
    assert plain(answer) == "Сиздин Telegram id: 504"


async def test_sandbox_survives_writing_while_blocked(emulator) -> None:
    from bot.sandbox.chat import SandboxChat

    out = io.StringIO()
    chat = SandboxChat(emulator, out, color=False)
    assert chat.handle_line(":block")
    assert chat.handle_line("салам")  # refused by the emulator, reported, no crash
    assert ":unblock first" in out.getvalue()
    assert chat.handle_line(":unblock") and chat.handle_line("/start")
    assert not chat.handle_line(":quit")


def test_cleaning_keeps_emoji_sequences_but_drops_reordering_characters() -> None:
    from bot.domain.text import clean_user_text

    family, farmer, scotland = "👨\u200d👩\u200d👧", "👩\u200d🌾", "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
    assert clean_user_text(f"Үй-бүлө {family} фермер {farmer} {scotland}") == f"Үй-бүлө {family} фермер {farmer} {scotland}"
    assert clean_user_text("Ivan\u202e\u200b\u2066 Петров\ufeff") == "Ivan Петров"


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
