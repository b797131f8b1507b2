"""Residents and surveys through the real dispatcher: the list, the ballot (one tap or ticks and
"Submit"), crafted and stale buttons, racing taps, and results that keep small groups secret."""

from __future__ import annotations

import asyncio

import pytest

from bot.db import Database
from bot.domain import surveys as sv
from tests.harness import plain
from tests.support import AK_DEBE, BISHKEK, onboard
from tests.survey_helpers import OFFICER, START, anchor, draft, last_alert, make_officer, make_resident

pytestmark = pytest.mark.usefixtures("frozen_clock")
__all__ = ["START"]


async def test_racing_taps_count_once(harness, db: Database) -> None:
    await make_officer(db, harness)
    person = harness.person(801, "Айгүл", language_code="ky")
    await make_resident(db, 801, "ky", AK_DEBE)
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft())
    await person.send("/surveys")
    await person.press("Кайсы жолду")
    message, data = person.find_button("Базар")
    _, other = person.find_button("Көпүрө")
    await asyncio.gather(*(person.press_data(message["message_id"], d) for d in [data] * 8 + [other] * 2))
    counts = await sv.tally(db, survey.id)
    assert counts.ballots == 1 and sum(counts.votes.values()) == 1
    assert await sv.recount(db, survey.id) == counts


async def test_crafted_callbacks_change_nothing(harness, db: Database) -> None:
    await make_officer(db, harness)
    outsider = harness.person(850, "Бишкекчанин", language_code="ru")
    await make_resident(db, 850, "ru", BISHKEK)
    local = harness.person(801, "Айгүл", language_code="ru")
    await make_resident(db, 801, "ru", AK_DEBE)
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft())
    anchor_id = await anchor(outsider)
    await outsider.press_data(anchor_id, f"sv:vote:{survey.id}:1")
    assert "другого муниципалитета" in last_alert(outsider)
    await outsider.press_data(anchor_id, f"sv:open:{survey.id}:0")
    assert "другого муниципалитета" in last_alert(outsider)
    anchor_id = await anchor(local)
    await local.press_data(anchor_id, f"sv:vote:{survey.id}:9")
    assert "нет в опросе" in last_alert(local)
    await local.press_data(anchor_id, f"sv:submit:{survey.id}:7")  # three options on a single-choice survey
    assert "от 1 до 1" in last_alert(local)
    await local.press_data(anchor_id, "sv:vote:999999:1")
    assert "не существует" in last_alert(local)
    for huge in ("sv:vote:99999999999999999999:1", "sv:open:1:99999999999", "sv:nonsense"):
        await local.press_data(anchor_id, huge)  # out of bounds: "no such survey", never a server error
        assert "не существует" in last_alert(local)
    await sv.delete_survey(db, officer_id=OFFICER, survey_id=survey.id)
    await local.press_data(anchor_id, f"sv:vote:{survey.id}:1")
    assert "отозван" in last_alert(local)
    assert (await sv.tally(db, survey.id)).ballots == 0


async def test_multi_choice_ticks_and_submit(harness, db: Database) -> None:
    await make_officer(db, harness)
    person = harness.person(801, "Иван", language_code="ru")
    await make_resident(db, 801, "ru", AK_DEBE)
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft(max_choices=2))
    await person.send("/surveys")
    reply = await person.press("Какую дорогу")
    assert "до 2 вариантов" in plain(reply[-1])
    await person.press("☐ Школьная")
    await person.press("☐ Мост")
    await person.press("☐ Рыночная")
    assert "не больше 2" in last_alert(person)
    assert (await sv.tally(db, survey.id)).ballots == 0  # ticks write nothing
    await person.press("Отправить")
    assert "учтён" in last_alert(person)
    assert await sv.my_choice(db, 801, survey.id) == {1, 3}


async def test_results_wait_for_the_close_and_hide_the_small_option(db: Database, harness) -> None:
    await make_officer(db, harness)
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft())
    ivan = harness.person(801, "Иван", language_code="ru")
    for uid, position in zip(range(801, 819), [1] * 10 + [2] * 6 + [3] * 2, strict=True):
        await make_resident(db, uid, "ru", AK_DEBE)
        await sv.cast_vote(db, resident_id=uid, survey_id=survey.id, positions=[position])
    anchor_id = await anchor(ivan)
    await ivan.press_data(anchor_id, f"sv:results:{survey.id}:0")
    assert "после закрытия" in last_alert(ivan)
    await sv.close_survey(db, officer_id=OFFICER, survey_id=survey.id)
    reply = await ivan.press_data(anchor_id, f"sv:results:{survey.id}:0")
    text = plain(reply[-1])
    assert "Школьная улица" not in text and "10 голосов" not in text and "2 голоса" not in text
    assert "меньше 5 человек" in text  # 18 − 10 − 6 would give «Мост» = 2: no breakdown at all
    reply = await ivan.press_data(anchor_id, f"sv:open:{survey.id}:0")  # a closed survey's ballot shows results
    assert "18 жителей проголосовали" in plain(reply[-1])


@pytest.mark.parametrize(("locale", "expected", "wrong"), [
    ("ru", "Когда муниципалитет начнёт опрос", "айыл окмоту"),
    ("ky", "Муниципалитет жаңы сурамжылоо баштаганда", "Айыл өкмөтү"),
])
async def test_no_surveys_message_in_a_city_does_not_mention_the_ayil_okmotu(harness, db: Database, locale,
                                                                             expected, wrong) -> None:
    person = await onboard(harness, db, 406, locale, code=BISHKEK)
    [answer] = await person.send("/surveys")
    assert expected in plain(answer) and wrong.lower() not in plain(answer).lower()


async def test_a_resident_not_yet_registered_is_led_to_finish(harness, db: Database) -> None:
    person = harness.person(407, language_code="ru")
    await person.send("/start")
    await person.press_data(person.last()["message_id"], "sv:list:0:0")
    assert "/start" in last_alert(person)
