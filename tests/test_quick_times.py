"""Dates an officer would otherwise type come as quick choices too (issue 12): a survey's closing time
and a hearing's start offer whole evenings on the first days allowed, checked like typed times; the
earliest allowed start is a time a person would choose."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.db import Database
from bot.domain import hearings as hr
from tests.harness import labels, plain
from tests.hearings_support import fsm, to_the_start_step
from tests.hearings_support import make_officer as hearing_officer
from tests.survey_helpers import make_officer

pytestmark = pytest.mark.usefixtures("frozen_clock")
START = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # Tuesday 1 December 2026, 12:00 in Bishkek


def test_the_earliest_start_is_rounded_up_to_a_whole_hour() -> None:
    now = datetime(2026, 12, 1, 9, 37, 12, tzinfo=UTC)
    assert hr.earliest_start(10, now) == datetime(2026, 12, 11, 10, 0, tzinfo=UTC)
    assert hr.earliest_start(10, datetime(2026, 12, 1, 9, 0, tzinfo=UTC)) == datetime(2026, 12, 11, 9, 0, tzinfo=UTC)


async def test_a_survey_closing_time_in_one_tap(db: Database, harness) -> None:
    officer = await make_officer(db, harness)
    await officer.send("/newsurvey")
    await officer.send("Суроо?")
    await officer.send("Вопрос?")
    await officer.send("А\nБ")
    await officer.press("Готово")
    await officer.send("A\nB")
    await officer.press("Готово")
    await officer.press("Один ответ")
    prompt = (await officer.press("Сейчас"))[-1]
    quick = [label for label in labels(prompt) if label.startswith("📅")]
    assert quick == ["📅 ср, 2 дек., 18:00", "📅 пт, 4 дек., 18:00", "📅 вт, 8 дек., 18:00"]  # tomorrow, +3, a week
    asked = (await officer.press("пт, 4 дек.", prompt))[-1]
    assert "Шаг 7" in plain(asked)  # the next step: who may vote
    _state, data = await fsm(officer)
    assert data["draft"]["closes_at"].startswith("2026-12-04T12:00")  # 18:00 in Bishkek


async def test_a_hearing_start_in_one_tap_respects_the_notice_period(db: Database, harness) -> None:
    officer = await hearing_officer(db, harness)
    prompt = await to_the_start_step(officer)
    quick = [label for label in labels(prompt) if label.startswith("📅")]
    # 10 days of notice from Tuesday 1 December 12:00: the earliest is Friday 11 December, 12:00
    assert quick == ["📅 пт, 11 дек., 18:00", "📅 вс, 13 дек., 18:00", "📅 пт, 18 дек., 18:00"]
    saved = (await officer.press("вс, 13 дек.", prompt))[-1]
    assert "воскресенье" in plain(saved) and "18:00" in plain(saved)
    _state, data = await fsm(officer)
    assert "2026-12-13T12:00" in str(data)


async def test_a_start_that_passed_while_the_preview_was_open_is_asked_again_keeping_the_rest(
        db: Database, harness, frozen_clock) -> None:
    from datetime import timedelta

    officer = await hearing_officer(db, harness)
    await to_the_start_step(officer)
    await officer.send("15.12.2026 18:00")
    await officer.send("Айыл өкмөтүнүн чоң залы")
    await officer.press("Пропустить")  # no location
    preview = (await officer.press("Пропустить"))[-1]  # no document
    assert "Предпросмотр" in plain(preview)
    frozen_clock.advance(timedelta(days=15))  # the officer comes back to the preview after the date
    replies = await officer.press("Опубликовать", preview)
    said = "\n".join(plain(m) for m in replies)
    assert "Отправьте дату и время слушаний" in said  # asked for the time again
    assert await db.fetchval("SELECT count(*) FROM hearings") == 0
    [*_parts, again] = await officer.send("28.12.2026 18:00")
    assert "Предпросмотр" in plain(again) and "Айыл өкмөтүнүн чоң залы" in plain(again)  # nothing else asked
    assert "Проект бюджета на 2027 год" in plain(again)
    published = (await officer.press("Опубликовать", again))[-1]
    assert "Опубликовано" in plain(published)
    assert await db.fetchval("SELECT count(*) FROM hearings") == 1
