"""Residents and public hearings through the real dispatcher: the long card in parts, buttons of
another municipality's hearing, bounded callback ids, the question wizard (bounds, split pastes,
the limit per resident, navigation), the hall-list consent.
"""

from __future__ import annotations

import pytest

from bot.db import Database
from bot.domain import hearings as hr
from bot.ui.hearings import HearingCallback
from tests.harness import labels, plain
from tests.hearings_support import (
    OFFICER,
    OTHER,
    RU_RES,
    START,
    fsm,
    make_hearing,
    make_officer,
    resident_at_card,
    send_later,
)
from tests.support import BISHKEK, make_resident

pytestmark = pytest.mark.usefixtures("frozen_clock")
__all__ = ["START"]  # the frozen clock's start


def resident(action: str, hearing_id: int = 0, value: int = 0) -> str:
    return HearingCallback(action=action, hearing_id=hearing_id, value=value).pack()


async def test_resident_reads_a_6000_character_agenda_in_parts(harness, db: Database) -> None:
    await make_officer(db, harness)
    ru = harness.person(RU_RES, "Иван", language_code="ru")
    await make_resident(db, RU_RES, "ru")
    agenda = "".join(f"Пункт {i}: ремонт дороги & <водопровода>. " for i in range(150))[:5999]
    h = await make_hearing(db, agenda_ru=agenda, agenda_ky="")
    await ru.send("/hearings")
    parts = await ru.press(h.title_ru[:20])
    assert len(parts) >= 2
    shown = "".join(plain(m) for m in parts)
    assert "Пункт 0:" in shown and agenda[-30:].strip() in shown
    assert all(len(plain(m)) <= 4096 for m in parts)
    assert labels(parts[-1]) and not any(labels(m) for m in parts[:-1])  # buttons under the last part
    assert "<водопровода>" in shown
    # the reminder's «Open the announcement» button opens the same card
    again = await ru.press_data(parts[-1]["message_id"], resident("show", h.id))
    assert len(again) >= 2 and labels(again[-1])


async def test_crafted_callbacks_for_another_municipality_are_refused(harness, db: Database) -> None:
    await make_officer(db, harness)
    await make_resident(db, OTHER, "ru", code=BISHKEK)
    hearing = await make_hearing(db)
    stranger = harness.person(OTHER, "Чужой", language_code="ru")
    await stranger.send("/hearings")
    anchor = stranger.last()["message_id"]
    for action in ("go", "no", "rem", "ask", "ics", "map", "doc", "min", "show"):
        sent = await stranger.press_data(anchor, resident(action, hearing.id))
        assert "другому муниципалитету" in stranger.alerts()[-1]["text"], action
        assert not sent, action
    await stranger.press_data(anchor, resident("share", hearing.id, 1))
    assert "другому муниципалитету" in stranger.alerts()[-1]["text"]
    assert await db.fetchval("SELECT count(*) FROM hearing_rsvps") == 0
    assert (await fsm(stranger))[0] is None


async def test_crafted_huge_ids_are_stale_buttons(harness, db: Database) -> None:
    await make_resident(db, RU_RES, "ru")
    ru = harness.person(RU_RES, "Иван", language_code="ru")
    await ru.send("/hearings")
    anchor = ru.last()["message_id"]
    for data in (f"hr:go:{10**30}:0", f"hr:share:1:{10**30}", "hr:share:1:7", f"hr:show:{2**63}:0"):
        await ru.press_data(anchor, data)
        assert "устарела" in ru.alerts()[-1]["text"], data
    await ru.press_data(anchor, resident("show", 2**53 - 1))  # in range, but no such hearing
    assert "больше не существуют" in ru.alerts()[-1]["text"]
    assert len(resident("share", 2**53 - 1, 1).encode()) <= 64


async def test_rsvp_ticks_and_the_hall_list_consent(harness, db: Database) -> None:
    ru, hearing, card = await resident_at_card(harness, db, "ru")
    await ru.press_data(card["message_id"], resident("share", hearing.id, 1))  # before "I will come"
    assert "Приду" in ru.alerts()[-1]["text"]
    [edited] = await ru.press("Приду", card)
    assert "✔️ Приду" in labels(edited) and any("список присутствующих" in b for b in labels(edited))
    assert await hr.my_rsvp(db, RU_RES, hearing.id) == ("going", False, True)
    await ru.press("список присутствующих", edited)
    assert await hr.my_rsvp(db, RU_RES, hearing.id) == ("going", True, True)
    [edited] = await ru.press("Не приду", card)
    assert "✔️ Не приду" in labels(edited)
    assert await hr.my_rsvp(db, RU_RES, hearing.id) == ("not_going", True, False)


async def test_question_bounds_split_paste_and_the_limit(harness, db: Database) -> None:
    await make_officer(db, harness)
    ru = harness.person(RU_RES, "Иван", language_code="ru")
    await make_resident(db, RU_RES, "ru")
    hearing = await make_hearing(db)
    await ru.send("/hearings")
    await ru.press("Проект бюджета")
    [prompt] = (await ru.press("Задать вопрос"))[-1:]
    assert "500" in plain(prompt) and "Проект бюджета на 2027 год" in plain(prompt)
    [too_long] = await ru.send("?" * 501)
    assert "501" in plain(too_long) and "500" in plain(too_long)
    await ru.send("?" * 4096)  # a paste Telegram split: its first part (4,096)…
    [tail] = await ru.send("хвост длинного текста")  # …and the rest, at once: not a question
    assert "конец длинного текста" in plain(tail)
    [sticker] = await ru.send_sticker()
    assert plain(sticker) == "Отправьте это текстом или /cancel."
    assert await db.fetchval("SELECT count(*) FROM hearing_questions") == 0
    for i in range(hr.QUESTIONS_PER_RESIDENT):
        if i:
            await ru.press("Задать вопрос")
        [thanks] = await send_later(ru, f"Вопрос {i}")
        assert "Спасибо" in plain(thanks)
    await ru.press("Задать вопрос")  # a sixth: refused at once
    assert "5" in ru.alerts()[-1]["text"] and (await fsm(ru))[0] is None
    assert await db.fetchval("SELECT count(*) FROM hearing_questions WHERE hearing_id = ?", (hearing.id,)) == 5


async def test_question_step_left_by_a_menu_button_ignores_later_text(harness, db: Database) -> None:
    await make_officer(db, harness)
    ru = harness.person(RU_RES, "Иван", language_code="ru")
    await make_resident(db, RU_RES, "ru")
    await make_hearing(db)
    await ru.send("/hearings")
    await ru.press("Проект бюджета")
    await ru.press("Задать вопрос")
    await ru.send("/hearings")
    await ru.press("Прошедшие")  # another of the feature's buttons: the step is over
    assert (await fsm(ru))[0] is None
    reply = await send_later(ru, "спасибо")
    assert "Я вас не понял" in plain(reply[-1])
    assert await db.fetchval("SELECT count(*) FROM hearing_questions") == 0


async def test_what_a_hearing_button_sends_last_has_a_way_on(harness, db: Database) -> None:
    """Issue 12: the calendar file, the place, "no past hearings" and the card of a cancelled hearing
    are the last word in the chat, so each carries "« Main menu"."""
    from bot.domain.hearings.officer import cancel_hearing

    await make_officer(db, harness)
    ru = harness.person(RU_RES, "Иван", language_code="ru")
    await make_resident(db, RU_RES, "ru")
    [home] = await ru.send("/hearings")
    [none] = await ru.press("Прошедшие слушания", home)
    assert "ещё не было" in plain(none) and labels(none) == ["« Главное меню"]
    hearing = await make_hearing(db)
    anchor = ru.last()["message_id"]
    for action in ("ics", "map"):
        [sent] = await ru.press_data(anchor, resident(action, hearing.id))
        assert labels(sent) == ["« Главное меню"], action
    await cancel_hearing(db, officer_id=OFFICER, hearing_id=hearing.id, reason="Жаан")
    parts = await ru.press_data(anchor, resident("show", hearing.id))
    assert "отменены" in plain(parts[-1]).lower() or "отменено" in plain(parts[-1]).lower()
    assert labels(parts[-1]) == ["« Главное меню"]  # nothing to answer any more, but a way on
