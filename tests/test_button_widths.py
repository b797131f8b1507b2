"""Buttons a person can read (issue 12): list buttons say what they open (an icon and the first
words, not a bare "№12"), and every button fits a 360-px phone — about 30 characters alone in a row,
14 each in a row of two (:func:`bot.ui.keyboards.row_limit`).

The check runs over every keyboard the bot sent in the chats of the sweep below (residents in both
languages and an officer: every command, every main-menu button, the problem lists and cards, the
officer's queue), read back from the emulator, so a new keyboard is checked without being listed.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from aiogram.types import InlineKeyboardButton

from bot.db import Database
from bot.ui.keyboards import fit_rows, item_label, label, row_limit, text_width
from tests.harness import Harness, labels
from tests.problems_support import raise_problem
from tests.support import officer_person, onboard
from tests.test_dead_ends import _sweep

PENDING: dict[str, str] = {}
"""Labels known to be too wide, with what is done about each; everything else must fit."""

LONG = "Вода не идет третий день по улице Ленина, соседи носят воду из арыка"


def test_label_cuts_at_a_word_and_keeps_short_text() -> None:
    assert label("Суу жок") == "Суу жок"
    cut = label(LONG)
    assert cut.endswith("…") and text_width(cut) <= 30 and LONG.startswith(cut[:-1])
    assert not cut[:-1].endswith(" ")
    assert item_label("💧", "Суу жок үч күндөн бери, көчөдө") .startswith("💧 Суу жок")


def test_long_labels_get_a_row_of_their_own() -> None:
    buttons = [InlineKeyboardButton(text=t, callback_data="x") for t in ("Тил", "Жардам", "Менин муниципалитетим", "Ok")]
    assert [[b.text for b in row] for row in fit_rows(buttons)] == [["Тил", "Жардам"], ["Менин муниципалитетим"], ["Ok"]]


def too_wide(message: dict[str, Any]) -> list[str]:
    """Buttons of ``message`` wider than their row allows, as "label (n in row)"."""
    found = []
    for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
        for button in row:
            if button["text"] in PENDING:
                continue
            if text_width(button["text"]) > row_limit(len(row)):
                found.append(f"{button['text']!r} ({len(row)} in row)")
    return found


async def test_problem_lists_name_what_each_button_opens(harness: Harness, db: Database) -> None:
    author = await onboard(harness, db, 7101, "ru", name="Иван")
    await raise_problem(author, LONG, "Водоснабжение")
    officer = await officer_person(harness, db, 7102)
    [home] = await author.send("/problems")
    lists = await author.press("Приоритет", home) if any("Приоритет" in b for b in labels(home)) else [home]
    buttons = labels(lists[-1])
    assert not any(re.fullmatch(r"[#№]\d+", b) for b in buttons), buttons
    assert any(b.startswith("🚰 Вода не идет") for b in buttons), buttons
    [queue] = await officer.send("/problems_queue")
    assert any("Вода не идет" in b for b in labels(queue)), labels(queue)
    assert not any(re.fullmatch(r"[#№]\d+", b) for b in labels(queue))


@pytest.mark.parametrize("locale", ["ky", "ru"])
async def test_every_button_fits_a_small_phone(harness: Harness, db: Database, locale: str) -> None:
    resident = await onboard(harness, db, 7201, locale)
    await raise_problem(resident, LONG, "Суу" if locale == "ky" else "Водоснабжение")
    officer = await officer_person(harness, db, 7202, locale=locale)
    await _sweep(harness, resident)
    await _sweep(harness, officer)
    for person in (resident, officer):
        [home] = await person.send("/problems")
        for text in labels(home)[:3]:
            await person.press(text, home)
    await officer.send("/problems_queue")
    wide = [w for uid in (7201, 7202) for m in harness.emulator.bot_messages(uid) for w in too_wide(m)]
    assert sorted(set(wide)) == [], "\n".join(sorted(set(wide)))


@pytest.mark.parametrize("locale", ["ky", "ru"])
@pytest.mark.parametrize("mode", ["now", "digest", "off"])
def test_every_alert_mode_button_fits(locale: str, mode: str) -> None:
    """The /alerts screen shows one mode per kind, so the sweep sees only the default ("at once"):
    every kind in every mode must fit too."""
    from bot.domain.reach import alerts
    from bot.i18n import use_locale
    from bot.ui.reach import alerts_keyboard
    from bot.ui.reflow import reflow

    prefs = alerts.AlertPrefs(officer_id=1, modes={kind: (mode, False) for kind in alerts.KINDS})
    with use_locale(locale):
        markup = reflow(alerts_keyboard(prefs))
    message = {"reply_markup": markup.model_dump(exclude_none=True)}
    assert too_wide(message) == []
    modes = [b for row in markup.inline_keyboard for b in row if str(b.callback_data).startswith("al:mode")]
    assert len(modes) == len(alerts.KINDS)
