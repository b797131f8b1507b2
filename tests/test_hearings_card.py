"""A hearing's card and lists as residents use them (issue 12, the tester's findings), through the
real dispatcher: every RSVP button is idempotent (a double tap or a late tap on an old card never
turns a reminder off by itself), every linked survey has a button, a voice-only problem is named in
an outcome, and list buttons fit a 360-px phone.
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
from bot.store.hearings import reminded_residents
from bot.ui.hearings import HearingCallback
from bot.ui.keyboards import ROW_WIDTH, text_width
from tests.harness import labels, plain
from tests.hearings_support import HEARING_AT, KY_RES, OFFICER, RU_RES, START, broadcasts, make_hearing, make_officer
from tests.hearings_support import resident_at_card, text_of
from tests.support import make_resident

pytestmark = pytest.mark.usefixtures("frozen_clock")
__all__ = ["START"]  # the frozen clock's start


def resident(action: str, hearing_id: int) -> str:
    return HearingCallback(action=action, hearing_id=hearing_id).pack()


async def counts(db: Database, hearing_id: int) -> tuple[int, int, int]:
    """What the officer reads: coming, can't come, will be reminded."""
    _hearing, att = await hr.attendance(db, officer_id=OFFICER, hearing_id=hearing_id)
    return att.going, att.not_going, att.remind


def toast(person) -> str:
    return person.alerts()[-1]["text"]


# -- the reminder is never a toggle ---------------------------------------------------------------


async def test_remind_and_dont_remind_are_idempotent_also_on_an_old_card(harness, db: Database) -> None:
    ru, hearing, card = await resident_at_card(harness, db, "ru")
    old = card["message_id"]  # the card as first sent: "⏰ Напомнить мне" on it stays on the screen
    assert "⏰ Напомнить мне" in labels(card) and "🔕 Не напоминать" not in labels(card)
    [edited] = await ru.press("Напомнить мне", card)
    assert "напомним" in toast(ru)
    assert "🔕 Не напоминать" in labels(edited) and "⏰ Напомнить мне" not in labels(edited)
    await ru.press_data(old, resident("rem", hearing.id))  # a double tap, or the old card tapped later
    assert "напомним" in toast(ru)
    assert await hr.my_rsvp(db, RU_RES, hearing.id) == ("remind", False, True)
    assert await counts(db, hearing.id) == (0, 0, 1)
    assert await reminded_residents(db, hearing.id) == [RU_RES]
    for _tap in range(2):  # "Don't remind me" twice: off, and off again
        await ru.press_data(old, resident("mute", hearing.id))
        assert toast(ru) == "Напоминание отключено."  # no answer to keep: only the reminder was asked for
        assert await hr.my_rsvp(db, RU_RES, hearing.id) == ("remind", False, False)
    assert await counts(db, hearing.id) == (0, 0, 0) and await reminded_residents(db, hearing.id) == []
    [now] = [m for m in harness.emulator.bot_messages(RU_RES) if m["message_id"] == old]
    assert "⏰ Напомнить мне" in labels(now) and "🔕 Не напоминать" not in labels(now)


async def test_coming_brings_a_reminder_that_a_repeated_answer_does_not_undo(harness, db: Database) -> None:
    """"I will come" and "Remind me" are not exclusive; "Don't remind me" keeps the answer; a second
    "I will come" (a double tap, an old card) keeps the reminder off; "Can't come" drops it."""
    ru, hearing, card = await resident_at_card(harness, db, "ru")
    [edited] = await ru.press("Приду", card)
    assert "✔️ Приду" in labels(edited) and "🔕 Не напоминать" in labels(edited)
    assert "Мы напомним" in toast(ru)
    assert await counts(db, hearing.id) == (1, 0, 1)
    await ru.press_data(card["message_id"], resident("rem", hearing.id))  # "Remind me" of the old card: still on
    assert await counts(db, hearing.id) == (1, 0, 1)
    [edited] = await ru.press("Не напоминать", edited)
    assert "Напоминание отключено" in toast(ru)
    assert "✔️ Приду" in labels(edited) and "⏰ Напомнить мне" in labels(edited)
    assert await counts(db, hearing.id) == (1, 0, 0) and await reminded_residents(db, hearing.id) == []
    await ru.press_data(card["message_id"], resident("go", hearing.id))  # "I will come" once more
    assert "Напоминания не будет" in toast(ru)
    assert await hr.my_rsvp(db, RU_RES, hearing.id) == ("going", False, False)
    assert await counts(db, hearing.id) == (1, 0, 0)
    await ru.press_data(card["message_id"], resident("rem", hearing.id))
    assert await counts(db, hearing.id) == (1, 0, 1)
    [edited] = await ru.press("Не приду", edited)
    assert "✔️ Не приду" in labels(edited) and "⏰ Напомнить мне" in labels(edited)
    assert await counts(db, hearing.id) == (0, 1, 0) and await reminded_residents(db, hearing.id) == []


async def test_dont_remind_me_in_kyrgyz_and_a_mute_without_any_answer(harness, db: Database) -> None:
    ky, hearing, card = await resident_at_card(harness, db, "ky")
    await ky.press_data(card["message_id"], resident("mute", hearing.id))  # crafted: nothing to turn off
    assert await db.fetchval("SELECT count(*) FROM hearing_rsvps") == 0
    [edited] = await ky.press("Барам", card)
    assert "🔕 Эскертпеңиз" in labels(edited)
    [edited] = await ky.press("Эскертпеңиз", edited)
    assert "Эскертүү өчүрүлдү" in toast(ky) and "⏰ Эскертип коюңуз" in labels(edited)


# -- several linked surveys -------------------------------------------------------------------------


async def _survey(db: Database, question_ru: str, hearing_id: int | None = None) -> sv.Survey:
    return await sv.create_survey(db, officer_id=OFFICER, draft=sv.Draft(
        question_ky="", question_ru=question_ru, options=[["", "Да", None], ["", "Нет", None]], max_choices=1,
        opens_at=to_db(START), closes_at=to_db(START + timedelta(days=5)), hearing_id=hearing_id))


async def test_a_card_shows_every_linked_survey_each_with_a_short_button(harness, db: Database) -> None:
    officer = await make_officer(db, harness)
    ru = harness.person(RU_RES, "Иван", language_code="ru")
    await make_resident(db, RU_RES, "ru")
    chosen = await _survey(db, "Какую дорогу ремонтировать в первую очередь этим летом?")
    hearing = await make_hearing(db, survey_id=chosen.id)
    later = await _survey(db, "Нужен ли новый детский сад в центре айыла рядом со школой?", hearing.id)
    withdrawn = await _survey(db, "Снятый опрос", hearing.id)
    await sv.delete_survey(db, officer_id=OFFICER, survey_id=withdrawn.id)
    await _survey(db, "Опрос без слушаний")

    await ru.send("/hearings")
    card = (await ru.press("Проект бюджета"))[-1]
    shown = plain(card)
    assert "Какую дорогу ремонтировать в первую очередь этим летом?" in shown
    assert "Нужен ли новый детский сад в центре айыла рядом со школой?" in shown
    assert "Снятый опрос" not in shown and "Опрос без слушаний" not in shown
    rows = card["reply_markup"]["inline_keyboard"]
    surveys = [row for row in rows if row[0]["callback_data"].startswith("sv:")]
    assert [row[0]["callback_data"] for row in surveys] == [f"sv:open:{chosen.id}:1", f"sv:open:{later.id}:1"]
    for [button] in surveys:  # one to a row, the category icon and the first words, fits a phone
        assert button["text"].startswith("🗳 ") and text_width(button["text"]) <= ROW_WIDTH, button["text"]
    assert surveys[1][0]["text"].startswith("🗳 Нужен ли новый")
    ballot = await ru.press("Нужен ли новый", card)
    assert "Нужен ли новый детский сад" in plain(ballot[-1]) and ballot[-1]["message_id"] != card["message_id"]
    # the officer's card lists them too
    await officer.send("/hearing")
    [officer_card] = await officer.press("Проект бюджета")
    assert "Какую дорогу" in plain(officer_card) and "Нужен ли новый детский сад" in plain(officer_card)


# -- a voice-only problem in an outcome -------------------------------------------------------------


async def test_a_voice_problem_in_an_outcome_reads_voice_message(harness, db: Database, frozen_clock) -> None:
    await make_officer(db, harness)
    ru = harness.person(RU_RES, "Иван", language_code="ru")
    await make_resident(db, RU_RES, "ru")
    await make_resident(db, KY_RES, "ky")
    voiced = await pb.raise_problem(db, author_id=KY_RES, category="roads", voice_file_id="voice-1",
                                    voice_duration=12)
    written = await pb.raise_problem(db, author_id=KY_RES, category="roads", text="Мектепке баруучу жол бузулган")
    hearing = await make_hearing(db)
    frozen_clock.set(HEARING_AT + timedelta(hours=2))
    await hr.publish_outcome(db, officer_id=OFFICER, hearing_id=hearing.id, outcome=hr.Outcome(
        decisions_ru="Принято.", problem_ids=[voiced.id, written.id]))
    [row] = await broadcasts(db, "hearing_outcome")
    assert f"{numbered(voiced.id)} 🎤 голосовое сообщение" in text_of(row, "ru")
    assert f"{numbered(voiced.id)} 🎤 үн билдирүү" in text_of(row, "ky")
    await ru.send("/hearings")
    [past] = await ru.press("Прошедшие")
    assert f"{numbered(voiced.id)} 🎤 голосовое сообщение" in plain(past)
    assert f"{numbered(written.id)} Мектепке баруучу жол бузулган" in plain(past)


# -- list buttons fit a phone -----------------------------------------------------------------------


async def test_hearing_list_buttons_fit_a_phone_and_say_what_they_open(harness, db: Database) -> None:
    officer = await make_officer(db, harness)
    ru = harness.person(RU_RES, "Иван", language_code="ru")
    await make_resident(db, RU_RES, "ru")
    title = "Обсуждение проекта местного бюджета айылного аймака на 2027 год и плана на три года"
    await make_hearing(db, title_ru=title)
    [listed] = await ru.send("/hearings")
    assert title in plain(listed)  # the message shows it whole
    [button] = [b for b in labels(listed) if "Обсуждение" in b]
    assert text_width(button) <= ROW_WIDTH and button.startswith("🗓 Обсуждение проекта") and button.endswith("…")
    card = await ru.press("Обсуждение проекта", listed)
    assert title in plain(card[-1])
    [mine] = await officer.send("/hearing")
    [button] = [b for b in labels(mine) if "Обсуждение" in b]
    assert text_width(button) <= ROW_WIDTH and button.startswith("🗓 Обсуждение проекта")
