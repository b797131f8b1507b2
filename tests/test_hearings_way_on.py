"""Hearing screens the tester walked (issue 12), through the real dispatcher: every hearing screen
ends with a way on (the resident's card from /hearings and under the announcement, the officer's
card, an empty question list, a past hearing with minutes), the chosen answer shows one mark, and the
wizard never offers or names a late-night start as the earliest one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.db import Database
from bot.domain import hearings as hr
from bot.ui.keyboards import ROW_WIDTH, row_limit, text_width
from tests.harness import labels, plain
from tests.hearings_support import HEARING_AT, KY_RES, OFFICER, RU_RES, broadcasts, make_hearing, make_officer
from tests.hearings_support import buttons_of, fsm, to_the_start_step
from tests.support import make_resident
from tests.test_dead_ends import has_way_on

START = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # Tuesday 1 December, 12:00 in Bishkek
pytestmark = pytest.mark.usefixtures("frozen_clock")

MARKS = ("✔", "✅", "🚫")


def fits(message: dict) -> None:
    """Every row of ``message`` fits a 360-px phone."""
    for row in message["reply_markup"]["inline_keyboard"]:
        for button in row:
            assert text_width(button["text"]) <= row_limit(len(row)), button["text"]
        assert sum(text_width(b["text"]) for b in row) <= ROW_WIDTH + 4, [b["text"] for b in row]


# -- the resident's card ----------------------------------------------------------------------------


@pytest.mark.parametrize(("locale", "title", "going", "cannot", "back", "listed"), [
    ("ky", "2027-жылдын", "Барам", "Бара албайм", "« Угуулар", "коомдук угуулар"),
    ("ru", "Проект бюджета", "Приду", "Не приду", "« Слушания", "публичные слушания"),
])
async def test_the_card_leads_back_to_the_list_and_marks_an_answer_once(
        harness, db: Database, locale: str, title: str, going: str, cannot: str, back: str, listed: str) -> None:
    await make_officer(db, harness)
    person = harness.person(KY_RES if locale == "ky" else RU_RES, "Жашоочу", language_code=locale)
    await make_resident(db, person.user_id, locale)
    await make_hearing(db)
    await person.send("/hearings")
    card = (await person.press(title))[-1]
    assert has_way_on(card), labels(card)
    assert back in labels(card)
    assert f"✅ {going}" in labels(card) and f"🚫 {cannot}" in labels(card)
    fits(card)
    [edited] = await person.press(going, card)
    assert f"✔️ {going}" in labels(edited) and f"🚫 {cannot}" in labels(edited)
    for text in labels(edited):  # one mark on a button, never "✔️ ✅ …"
        assert sum(text.count(mark) for mark in MARKS) <= 1, text
    assert has_way_on(edited) and back in labels(edited)
    [edited] = await person.press(cannot, edited)
    assert f"✔️ {cannot}" in labels(edited) and f"✅ {going}" in labels(edited)
    assert not any(text.startswith("✔️ ✅") or text.startswith("✔️ 🚫") for text in labels(edited))
    [again] = await person.press(back, edited)
    assert listed in plain(again) and has_way_on(again)


async def test_the_announcement_itself_has_a_way_on(harness, db: Database) -> None:
    await make_officer(db, harness)
    await make_hearing(db)
    [row] = await broadcasts(db, "hearing_announcement")
    for locale in ("ky", "ru"):
        data = buttons_of(row, locale)
        assert "hr:list:0:0" in data, data


async def test_a_reminder_leads_back_to_the_hearings(harness, db: Database, frozen_clock) -> None:
    from bot.scheduler import Scheduler, default_jobs

    await make_officer(db, harness)
    await make_resident(db, RU_RES, "ru")
    hearing = await make_hearing(db)
    await hr.rsvp(db, resident_id=RU_RES, hearing_id=hearing.id, answer="going")
    frozen_clock.set(HEARING_AT - timedelta(minutes=20))
    await Scheduler(db, default_jobs()).run_once()
    [row] = await broadcasts(db, "hearing_reminder_1h")
    for locale in ("ky", "ru"):
        assert "hr:list:0:0" in buttons_of(row, locale)


async def test_a_past_hearing_with_minutes_ends_with_a_way_on(harness, db: Database, frozen_clock) -> None:
    await make_officer(db, harness)
    ru = harness.person(RU_RES, "Иван", language_code="ru")
    await make_resident(db, RU_RES, "ru")
    hearing = await make_hearing(db)
    frozen_clock.set(HEARING_AT + timedelta(hours=2))
    await hr.publish_outcome(db, officer_id=OFFICER, hearing_id=hearing.id, outcome=hr.Outcome(
        decisions_ru="Принято.", minutes_file_id="minutes-1"))
    await ru.send("/hearings")
    [past] = await ru.press("Прошедшие")
    assert "📄 Протокол" in labels(past) and "« Слушания" in labels(past) and has_way_on(past), labels(past)
    fits(past)


# -- the officer's card -----------------------------------------------------------------------------


async def test_the_officer_card_and_its_screens_lead_back_to_the_hearing_list(harness, db: Database) -> None:
    officer = await make_officer(db, harness)
    await make_hearing(db)
    await officer.send("/hearing")
    [card] = await officer.press("Проект бюджета")
    assert "« Слушания" in labels(card) and has_way_on(card), labels(card)
    fits(card)
    [questions] = await officer.press("Вопросы", card)
    assert "нет вопросов" in plain(questions) and "« Слушания" in labels(questions) and has_way_on(questions)
    [attendance] = await officer.press("Кто придёт", card)
    assert has_way_on(attendance)
    [listed] = await officer.press("« Слушания", card)
    assert "Новые слушания" in " ".join(labels(listed)) and has_way_on(listed)


# -- the earliest start is a daytime hour -----------------------------------------------------------


def test_the_earliest_start_is_never_late_night_and_keeps_the_notice() -> None:
    late = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)  # 23:00 in Bishkek
    assert hr.earliest_start(10, late) == datetime(2026, 12, 12, 3, 0, tzinfo=UTC)  # 09:00 the next morning
    dawn = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)  # 05:30 on 2 December in Bishkek
    assert hr.earliest_start(10, dawn) == datetime(2026, 12, 12, 3, 0, tzinfo=UTC)  # 09:00 that morning
    day = datetime(2026, 12, 1, 9, 37, tzinfo=UTC)  # 15:37
    assert hr.earliest_start(10, day) == datetime(2026, 12, 11, 10, 0, tzinfo=UTC)  # 16:00, as before
    for now in (late, dawn, day):
        assert hr.earliest_start(10, now) >= now + timedelta(days=10)


async def test_at_night_the_wizard_names_and_offers_daytime_starts_only(harness, db: Database, frozen_clock) -> None:
    frozen_clock.set(datetime(2026, 12, 1, 17, 0, tzinfo=UTC))  # the officer works at 23:00 Bishkek time
    officer = await make_officer(db, harness)
    prompt = await to_the_start_step(officer)
    shown = plain(prompt)
    assert "23:00" not in shown
    assert "12 декабря" in shown, shown
    assert "09:00" in shown
    quick = [label for label in labels(prompt) if label.startswith("📅")]
    assert quick and all(9 <= int(label[-5:-3]) <= 19 for label in quick), quick
    refused = (await officer.send("11.12.2026 23:00"))[-1]  # ten days from now to the minute, but late night
    assert "09:00" in plain(refused) and "23:00" not in plain(refused), plain(refused)
    state, _data = await fsm(officer)
    assert state is not None and "starts" in state
    saved = (await officer.send("12.12.2026 10:00"))[-1]
    assert "10:00" in plain(saved) and "суббота" in plain(saved)
