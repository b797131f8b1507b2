"""A button pressed long before the bot could answer it (after a restart Telegram says "query is too
old"): the action is applied once, the person still sees its result, and it is no error (issue 12)."""

from __future__ import annotations

import logging

import pytest

from bot.db import Database
from tests.harness import labels, plain
from tests.hearings_support import START, make_hearing, make_officer
from tests.problems_support import open_card, raise_problem
from tests.support import make_resident
from tests.support import onboard

pytestmark = pytest.mark.usefixtures("frozen_clock")
__all__ = ["START"]

TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


async def test_a_late_support_is_counted_once_and_the_card_shows_it(harness, db: Database, caplog) -> None:
    aigul = await onboard(harness, db, 7201, "ky")
    ivan = await onboard(harness, db, 7202, "ru", name="Иван")
    problem_id = await raise_problem(aigul, "Көчөдө суу жок, үч күндөн бери кран кургак", "Суу менен камсыздоо")
    [card] = await open_card(ivan, problem_id)
    harness.emulator.inject_error("answerCallbackQuery", 400, TOO_OLD)
    with caplog.at_level(logging.INFO):
        replies = await ivan.press("Поддержать", card)
    [edited] = [m for m in replies if m["message_id"] == card["message_id"]]  # the card itself, updated
    assert "Поддерживают 2 жителя" in plain(edited) and "Отозвать" in " ".join(labels(edited))
    assert await db.fetchval("SELECT supports FROM problems WHERE id = ?", (problem_id,)) == 2
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not any("Извините" in plain(m) for m in harness.emulator.bot_messages(7202))


async def test_a_late_tap_whose_result_was_a_popup_gets_it_as_a_message(harness, db: Database) -> None:
    await make_officer(db, harness)
    await make_resident(db, 7203, "ru")
    ru = harness.person(7203, "Иван", language_code="ru")
    hearing = await make_hearing(db)
    await ru.send("/hearings")
    card = (await ru.press("Проект бюджета"))[-1]
    harness.emulator.inject_error("answerCallbackQuery", 400, TOO_OLD)
    replies = await ru.press("Приду", card)
    said = [plain(m) for m in replies]
    assert any("Сохранено: вы придёте" in text for text in said), said  # the pop-up's words
    assert await db.fetchval("SELECT count(*) FROM hearing_rsvps WHERE hearing_id = ? AND resident_id = 7203",
                             (hearing.id,)) == 1
