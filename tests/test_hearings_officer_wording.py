"""What officers read in the hearing wizards (issue 12, the tester's findings), through the real
dispatcher: the cancellation wizard's stop button and answer say the hearing is NOT cancelled (the
kit's per-wizard ``stop``/``cancelled``), topic and survey buttons fit a 360-px phone, and a
voice-only problem in the outcome's preview is named, not a bare "№2".
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.db import Database
from bot.domain import hearings as hr
from bot.domain import problems as pb
from bot.domain import surveys as sv
from bot.domain.clock import to_db
from bot.i18n import numbered
from bot.ui.keyboards import ROW_WIDTH, text_width
from tests.harness import labels, plain
from tests.hearings_support import HEARING_AT, KY_RES, START, broadcasts, fsm, make_hearing, make_officer
from tests.support import make_resident

pytestmark = pytest.mark.usefixtures("frozen_clock")
__all__ = ["START"]  # the frozen clock's start


# -- stopping the cancellation keeps the hearing ----------------------------------------------------


@pytest.mark.parametrize(("locale", "cancel", "stop", "kept", "time"), [
    ("ru", "Отменить слушания", "✖ Не отменять слушания", "Слушания не отменены", "Изменить время"),
    ("ky", "Угууну жокко чыгаруу", "✖ Угууну жокко чыгарбоо", "Угуу жокко чыгарылган жок", "Убакытты өзгөртүү"),
])
async def test_stopping_the_cancellation_says_the_hearing_is_not_cancelled(
        harness, db: Database, locale: str, cancel: str, stop: str, kept: str, time: str) -> None:
    officer = await make_officer(db, harness, locale=locale)
    hearing = await make_hearing(db)
    await officer.send("/hearing")
    await officer.press(hearing.title(locale)[:15])
    prompt = (await officer.press(cancel))[-1]
    assert stop in labels(prompt), labels(prompt)
    assert not any(b in ("✖ Отмена", "✖ Жокко чыгаруу") for b in labels(prompt))  # not the generic "Cancel"
    assert all(text_width(b) <= ROW_WIDTH for b in labels(prompt))
    said = (await officer.press(stop, prompt))[-1]
    assert kept in plain(said) and labels(said)  # with a way on
    assert (await hr.get_hearing(db, hearing.id)).status == "scheduled"
    assert not await broadcasts(db, "hearing_cancelled") and (await fsm(officer))[0] is None
    # /cancel typed instead of the button says the same
    await officer.send("/hearing")
    await officer.press(hearing.title(locale)[:15])
    await officer.press(cancel)
    said = (await officer.send("/cancel"))[0]
    assert kept in plain(said)
    assert (await hr.get_hearing(db, hearing.id)).status == "scheduled"
    # the other wizards keep the kit's own "Cancel" and its answer
    await officer.send("/hearing")
    await officer.press(hearing.title(locale)[:15])
    prompt = (await officer.press(time))[-1]
    generic = "✖ Отмена" if locale == "ru" else "✖ Жокко чыгаруу"
    assert generic in labels(prompt)
    said = (await officer.press(generic, prompt))[-1]
    assert ("Отменено. Ничего не сохранено." if locale == "ru" else "Жокко чыгарылды") in plain(said)


# -- buttons that fit a phone -----------------------------------------------------------------------


async def test_topic_and_survey_buttons_of_a_new_hearing_fit_a_phone(harness, db: Database) -> None:
    officer = await make_officer(db, harness, locale="ky")
    question = "Айылдын борборундагы мектептин жанына жаңы бала бакча куруу керекпи, же эски имаратты оңдойлубу?"
    survey = await sv.create_survey(db, officer_id=officer.user_id, draft=sv.Draft(
        question_ky=question, question_ru="", options=[["Ооба", "", None], ["Жок", "", None]], max_choices=1,
        opens_at=to_db(START), closes_at=to_db(START + timedelta(days=5))))
    await officer.send("/hearing")
    prompt = (await officer.press("Жаңы"))[-1]
    topics = labels(prompt)
    assert all(text_width(b) <= ROW_WIDTH for b in topics), topics
    registry = "Муниципалдык кызмат көрсөтүүлөрдүн реестри"  # 42 letters: cut on its button, whole above
    assert registry not in topics and registry in plain(prompt)
    [cut] = [b for b in topics if b.startswith("Муниципалдык") and b.endswith("…")]
    await officer.press(cut, prompt)
    assert (await fsm(officer))[1]["draft"]["topic"] == "services_registry"
    await officer.send("Кызмат көрсөтүүлөр")
    await officer.press("Өткөрүп жиберүү")  # no Russian title
    await officer.send("Күн тартиби")
    await officer.press("Даяр")
    await officer.press("Өткөрүп жиберүү")
    await officer.send("15.12.2026 18:00")
    await officer.send("Клуб")
    [choices] = (await officer.press("Өткөрүп жиберүү"))[-1:]  # no location → the surveys to link
    assert question in plain(choices)
    [button] = [b for b in labels(choices) if b.startswith("🗳")]
    assert text_width(button) <= ROW_WIDTH and button.endswith(numbered(survey.id)), button
    assert button.startswith("🗳 Айылдын борборундагы")


# -- a voice-only problem in the outcome preview ----------------------------------------------------


async def test_outcome_preview_names_a_voice_problem(harness, db: Database, frozen_clock) -> None:
    officer = await make_officer(db, harness)
    await make_resident(db, KY_RES, "ky")
    voiced = await pb.raise_problem(db, author_id=KY_RES, category="roads", voice_file_id="voice-1",
                                    voice_duration=9)
    await make_hearing(db)
    frozen_clock.set(HEARING_AT + timedelta(hours=2))
    await officer.send("/hearing")
    await officer.press("Проект бюджета")
    await officer.press("Опубликовать итоги")
    await officer.press("Пропустить")  # no Kyrgyz decisions
    await officer.send("Решение принято.")
    await officer.press("Пропустить")  # no number of participants
    await officer.send(f"#{voiced.id}")
    preview = await officer.press("Пропустить")  # no minutes → the preview
    shown = "\n".join(plain(m) for m in preview)
    assert f"{numbered(voiced.id)} 🎤 голосовое сообщение" in shown, shown
