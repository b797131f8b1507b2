"""The command menu follows the language the resident chose in the bot, not the Telegram client's
(issue 12): a phone set to English or Uzbek still shows Kyrgyz commands to a Kyrgyz reader."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from bot.db import Database
from bot.ui.commands import command_in
from tests.support import make_resident


def test_the_command_is_read_as_telegram_reads_it() -> None:
    assert command_in("/Link@JamaatBot ABC123") == "link"
    assert command_in("/menu") == "menu"
    for not_a_command in (None, "", " ", "/", "/ ", " /menu", "menu"):
        assert command_in(not_a_command) == "", not_a_command
    assert command_in("/@bot") == ""


@given(st.text())
def test_no_text_makes_the_command_reader_raise(text: str) -> None:
    command = command_in(text)
    assert command == command.lower() and " " not in command and "@" not in command


def _chat_commands(emulator, chat_id: int) -> list[str] | None:
    key = (json.dumps({"chat_id": chat_id, "type": "chat"}, sort_keys=True), "")
    commands = emulator._commands.get(key)
    return None if commands is None else [c["description"] for c in commands]


async def test_choosing_a_language_sets_the_chats_command_menu(harness, db: Database) -> None:
    person = harness.person(7301, "Nurlan", language_code="en")  # Telegram in English
    await person.send("/start")
    await person.press("Кыргызча")
    assert "Башкы меню" in _chat_commands(harness.emulator, 7301)
    await person.send("/language")
    await person.press("Русский")
    menu = _chat_commands(harness.emulator, 7301)
    assert "Главное меню" in menu and "Башкы меню" not in menu


async def test_an_update_that_changes_no_language_sets_nothing(harness, db: Database) -> None:
    await make_resident(db, 7302, "ky")
    person = harness.person(7302, "Айгүл", language_code="ky")
    await person.send("/menu")
    assert _chat_commands(harness.emulator, 7302) is None  # no request per update
