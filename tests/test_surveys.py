"""Surveys before hearings, through the real dispatcher and emulator, in Kyrgyz and Russian.

Time is moved with ``clock.set``; the server works in UTC while people type and read Bishkek time (UTC+6).
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.db import Database
from bot.domain import officers as roles
from bot.domain import surveys as sv
from bot.domain.clock import clock, to_db
from bot.domain.residents import set_locale, set_municipality, touch_resident
from bot.i18n import DISPLAY_TZ
from bot.scheduler import Scheduler
from bot.ui.surveys import SurveyCallback, results_csv
from tests.conftest import SUPERADMIN_ID
from tests.harness import labels, plain

AK_DEBE = "41708203803000"
BISHKEK = "41711000000000"
START = datetime(2026, 12, 10, 6, 0, tzinfo=UTC)  # 12:00 in Bishkek
CLOSE_UTC = datetime(2026, 12, 15, 12, 0, tzinfo=UTC)  # "15.12.2026 18:00" Bishkek
OFFICER = 700


@pytest.fixture(autouse=True)
def fixed_clock():
    now = {"t": START}
    clock.set(lambda: now["t"])
    yield now
    clock.set(None)


async def make_resident(db: Database, uid: int, locale: str, code: str, *, joined: datetime | None = None) -> None:
    await touch_resident(db, uid, first_name=f"R{uid}", last_name=None, username=None, language_code=locale)
    await set_locale(db, uid, locale)
    await set_municipality(db, uid, code)
    async with db.transaction() as tx:  # joined long ago unless told otherwise (the burst flag looks at it)
        await tx.execute("UPDATE residents SET joined_at = ? WHERE telegram_id = ?",
                         (to_db(joined or START - timedelta(days=30)), uid))


async def make_officer(db: Database, harness, uid: int = OFFICER, locale: str = "ru", code: str = AK_DEBE):
    person = harness.person(uid, "Адис", language_code=locale)
    await make_resident(db, uid, locale, code)
    await roles.grant_officer(db, actor_id=SUPERADMIN_ID, superadmins=frozenset({SUPERADMIN_ID}),
                              telegram_id=uid, municipality_code=code)
    return person


def draft(**kw) -> sv.Draft:
    base = dict(question_ky="Кайсы жолду оңдойбуз?", question_ru="Какую дорогу ремонтировать?",
                options=[["Мектеп көчөсү", "Школьная улица", None], ["Базар көчөсү", "Рыночная улица", None],
                         ["Көпүрө", "Мост", None]],
                max_choices=1, opens_at=to_db(START), closes_at=to_db(CLOSE_UTC))
    base.update(kw)
    return sv.Draft(**base)


async def anchor(person) -> int:
    """A bot message in the person's chat to hang a crafted button press on (the announcement stands in)."""
    await person.send("/surveys")
    return person.last()["message_id"]


def last_alert(person) -> str:
    return person.alerts()[-1]["text"] or ""


async def broadcasts(db: Database, kind: str) -> list:
    return await db.fetchall("SELECT * FROM broadcasts WHERE kind = ? ORDER BY id", (kind,))


# -- the whole story ------------------------------------------------------------------------------


async def test_create_announce_vote_change_close_results_in_both_languages(harness, db: Database, fixed_clock) -> None:
    officer = await make_officer(db, harness)
    aigul = harness.person(801, "Айгүл", language_code="ky")
    await make_resident(db, 801, "ky", AK_DEBE)
    ivan = harness.person(802, "Иван", language_code="ru")
    await make_resident(db, 802, "ru", AK_DEBE)
    for uid in range(803, 807):
        await make_resident(db, uid, "ky", AK_DEBE)
    await make_resident(db, 850, "ru", BISHKEK)  # another municipality: not announced to

    # The officer creates the survey step by step (Russian interface).
    reply = await officer.send("/newsurvey")
    assert "Шаг 1" in plain(reply[-1])
    await officer.send_sticker()
    assert "текст" in plain(officer.last())
    await officer.send("Кайсы жолду <b>оңдойбуз</b>?")
    reply = await officer.send("Какую дорогу ремонтировать?")
    assert "Шаг 3" in plain(reply[-1])
    reply = await officer.send("1. Мектеп көчөсү\n2. Базар көчөсү")
    assert "2" in plain(reply[-1]) and "Готово" in labels(reply[-1])
    await officer.send("Көпүрө")
    await officer.press("Готово")
    reply = await officer.send("Школьная улица\nРыночная улица\nМост")
    await officer.press("Готово")
    reply = await officer.press("Один ответ")
    assert "Шаг 5" in plain(reply[-1])
    await officer.press("Сейчас")
    reply = await officer.send("15.12.2026 25:00")
    assert "нет такой" in plain(reply[-1]).lower()
    reply = await officer.send("завтра вечером")
    assert "ДД.ММ.ГГГГ ЧЧ:ММ" in plain(reply[-1])
    await officer.send("15.12.2026 18:00")
    reply = await officer.press("Все жители")
    preview = plain(reply[-1])
    assert "Кайсы жолду <b>оңдойбуз</b>?" in preview  # shown exactly as typed (escaped)
    assert "15 декабря 2026" in preview and "18:00" in preview
    await officer.press("Опубликовать")
    survey_id = await db.fetchval("SELECT max(id) FROM surveys")
    survey = await sv.get_survey(db, survey_id)
    assert survey.closes_at == CLOSE_UTC and survey.status == "open" and len(survey.options) == 3

    # Announced through the outbox to the municipality's residents, in both languages.
    [announcement] = await broadcasts(db, "survey_announcement")
    recipients = {r[0] for r in await db.fetchall(
        "SELECT resident_id FROM deliveries WHERE broadcast_id = ?", (announcement["id"],))}
    assert recipients == {OFFICER, *range(801, 807)}
    content = json.loads(announcement["content"])
    assert "Мектеп көчөсү" in content["versions"]["ky"]["text"]
    assert "Школьная улица" in content["versions"]["ru"]["text"]
    assert content["versions"]["ru"]["buttons"][0][0]["callback_data"] == SurveyCallback(
        action="open", survey_id=survey_id).pack()

    # Residents vote from the announcement's button.
    reply = await aigul.press_data(await anchor(aigul), f"sv:open:{survey_id}:0")
    assert "Кайсы жолду" in plain(reply[-1])
    await aigul.press("Мектеп көчөсү")
    assert "эсептелди" in last_alert(aigul)
    await aigul.press("Көпүрө")  # change the vote
    assert "өзгөртүлдү" in last_alert(aigul)
    assert await sv.my_choice(db, 801, survey_id) == {3}
    await ivan.send("/surveys")
    await ivan.press("Какую дорогу")
    await ivan.press("Школьная улица")
    assert "учтён" in last_alert(ivan)
    for uid, position in zip(range(803, 807), (1, 1, 3, 2)):
        await sv.cast_vote(db, resident_id=uid, survey_id=survey_id, positions=[position])

    # While open: the officer sees turnout only; residents see no results.
    await officer.send("/survey_admin")
    reply = await officer.press(f"#{survey_id}")
    card = plain(reply[-1])
    assert "6 жителей проголосовали" in card and "%" not in card
    reply = await ivan.press_data(ivan.last()["message_id"], f"sv:results:{survey_id}:0")
    assert "после закрытия" in last_alert(ivan)

    # Fourteen more residents vote, so that every option has at least 5 votes (smaller groups stay hidden).
    for uid, position in zip(range(807, 821), [1] * 7 + [2] * 4 + [3] * 3):
        await make_resident(db, uid, "ky", AK_DEBE)
        await sv.cast_vote(db, resident_id=uid, survey_id=survey_id, positions=[position])

    # 18:00:05 Bishkek time = 12:00:05 UTC: the survey has closed even before the scheduler ran.
    fixed_clock["t"] = CLOSE_UTC + timedelta(seconds=5)
    await aigul.press("Базар көчөсү")
    assert "жабылды" in last_alert(aigul)
    assert await sv.my_choice(db, 801, survey_id) == {3}

    # The scheduler closes it and queues the results for the municipality.
    handled = await Scheduler(db, sv.SCHEDULER_JOBS).run_once(fixed_clock["t"])
    assert handled["close_due_surveys"] == 1
    assert (await Scheduler(db, sv.SCHEDULER_JOBS).run_once(fixed_clock["t"]))["close_due_surveys"] == 0
    [results] = await broadcasts(db, "survey_results")
    texts = json.loads(results["content"])["versions"]
    assert "Школьная улица: 10 голосов (50\xa0%)" in texts["ru"]["text"]
    assert "Көпүрө: 5 добуш (25%)" in texts["ky"]["text"]
    assert await db.fetchval("SELECT count(*) FROM deliveries WHERE broadcast_id = ?", (results["id"],)) == 21

    # Results for residents and the officer; chart and CSV for the officer.
    reply = await aigul.press_data(aigul.last()["message_id"], f"sv:results:{survey_id}:0")
    assert "Мектеп көчөсү: 10 добуш (50%)" in plain(reply[-1])
    reply = await officer.press("Явка")  # the card refreshed after the close shows the results
    assert "Школьная улица: 10 голосов (50\xa0%)" in plain(reply[-1])
    reply = await officer.press("Диаграмма")
    assert reply and "photo" in reply[-1]
    reply = await officer.press("CSV")
    assert reply and "document" in reply[-1]


async def test_results_csv_has_no_voters_and_small_groups_are_hidden(db: Database, harness) -> None:
    await make_officer(db, harness)
    for uid in (801, 802):
        await make_resident(db, uid, "ru", AK_DEBE)
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft())
    await sv.cast_vote(db, resident_id=801, survey_id=survey.id, positions=[1])
    await sv.cast_vote(db, resident_id=802, survey_id=survey.id, positions=[2])
    closed = await sv.close_survey(db, officer_id=OFFICER, survey_id=survey.id)
    counts = await sv.tally(db, survey.id)
    text = sv.results_text(closed, counts, "ru")
    assert "2 жителя проголосовали" in text and "Школьная улица" not in text and "меньше 5" in text
    rows = list(csv.reader(io.StringIO(results_csv(closed, counts).decode("utf-8-sig"))))
    assert not any("801" in cell or "802" in cell for row in rows for cell in row)


# -- integrity -----------------------------------------------------------------------------------


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
    # Direct domain race too: one ballot row.
    await make_resident(db, 802, "ru", AK_DEBE)
    await asyncio.gather(*(sv.cast_vote(db, resident_id=802, survey_id=survey.id, positions=[1]) for _ in range(20)))
    assert (await sv.tally(db, survey.id)).ballots == 2


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
    anchor_id = await anchor(local)
    await local.press_data(anchor_id, f"sv:vote:{survey.id}:9")
    assert "нет в опросе" in last_alert(local)
    await local.press_data(anchor_id, f"sv:submit:{survey.id}:7")  # three options on a single-choice survey
    assert "от 1 до 1" in last_alert(local)
    await local.press_data(anchor_id, "sv:vote:999999:1")
    assert "не существует" in last_alert(local)
    await sv.delete_survey(db, officer_id=OFFICER, survey_id=survey.id)
    await local.press_data(anchor_id, f"sv:vote:{survey.id}:1")
    assert "отозван" in last_alert(local)
    assert (await sv.tally(db, survey.id)).ballots == 0
    # An officer of another municipality cannot manage it.
    await make_officer(db, harness, uid=701, code=BISHKEK)
    other = harness.people[701]
    anchor_id = await anchor(other)
    survey2 = await sv.create_survey(db, officer_id=OFFICER, draft=draft())
    await other.press_data(anchor_id, f"sa:close_yes:{survey2.id}:0")
    assert "другому муниципалитету" in last_alert(other)
    assert (await sv.get_survey(db, survey2.id)).status == "open"


async def test_moving_resident_does_not_vote_twice(db: Database, harness) -> None:
    await make_officer(db, harness)
    await make_resident(db, 801, "ky", AK_DEBE)
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft())
    await sv.cast_vote(db, resident_id=801, survey_id=survey.id, positions=[1])
    await set_municipality(db, 801, BISHKEK)
    with pytest.raises(sv.WrongMunicipality):
        await sv.cast_vote(db, resident_id=801, survey_id=survey.id, positions=[2])
    await set_municipality(db, 801, AK_DEBE)
    await sv.cast_vote(db, resident_id=801, survey_id=survey.id, positions=[2])
    assert (await sv.tally(db, survey.id)).ballots == 1


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


async def test_burst_of_new_accounts_is_flagged_to_the_officer(db: Database, harness, fixed_clock) -> None:
    await make_officer(db, harness)
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft())
    for uid in range(900, 906):
        await make_resident(db, uid, "ru", AK_DEBE, joined=START - timedelta(minutes=10))
        await sv.cast_vote(db, resident_id=uid, survey_id=survey.id, positions=[1])
    for uid in range(910, 920):
        await make_resident(db, uid, "ru", AK_DEBE)
        await sv.cast_vote(db, resident_id=uid, survey_id=survey.id, positions=[2])
    _survey, counts = await sv.officer_tally(db, officer_id=OFFICER, survey_id=survey.id)
    assert counts.recent == 6 and counts.burst
    fixed_clock["t"] = CLOSE_UTC
    await sv.close_due_surveys(db, CLOSE_UTC)
    closed = await sv.get_survey(db, survey.id)
    text = sv.results_text(closed, counts, "ru", officer=True)
    assert "6 голосов пришли с аккаунтов" in text
    assert "6 голосов пришли" not in sv.results_text(closed, counts, "ru")  # not in what residents get


async def test_extend_tells_voters_and_close_early(db: Database, harness, fixed_clock) -> None:
    await make_officer(db, harness)
    await make_resident(db, 801, "ky", AK_DEBE)
    await make_resident(db, 802, "ky", AK_DEBE)
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft())
    await sv.cast_vote(db, resident_id=801, survey_id=survey.id, positions=[1])
    with pytest.raises(Exception):
        await sv.extend_survey(db, officer_id=OFFICER, survey_id=survey.id, closes_at=CLOSE_UTC - timedelta(hours=1))
    later = CLOSE_UTC + timedelta(days=2)
    await sv.extend_survey(db, officer_id=OFFICER, survey_id=survey.id, closes_at=later)
    [ext] = await broadcasts(db, "survey_extended")
    recipients = [r[0] for r in await db.fetchall("SELECT resident_id FROM deliveries WHERE broadcast_id = ?",
                                                  (ext["id"],))]
    assert recipients == [801]
    assert "17-декабрь" in json.loads(ext["content"])["versions"]["ky"]["text"]
    fixed_clock["t"] = CLOSE_UTC + timedelta(hours=1)  # after the old closing time, before the new one
    await sv.cast_vote(db, resident_id=802, survey_id=survey.id, positions=[2])
    await sv.close_survey(db, officer_id=OFFICER, survey_id=survey.id)
    with pytest.raises(sv.SurveyUnavailable):
        await sv.cast_vote(db, resident_id=802, survey_id=survey.id, positions=[1])
    assert len(await broadcasts(db, "survey_results")) == 1


async def test_scheduled_survey_opens_and_is_announced_once(db: Database, harness, fixed_clock) -> None:
    await make_officer(db, harness)
    await make_resident(db, 801, "ky", AK_DEBE)
    opens = START + timedelta(days=1)
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft(opens_at=to_db(opens)))
    assert survey.status == "scheduled" and not await broadcasts(db, "survey_announcement")
    with pytest.raises(sv.SurveyUnavailable):
        await sv.cast_vote(db, resident_id=801, survey_id=survey.id, positions=[1])
    scheduler = Scheduler(db, sv.SCHEDULER_JOBS)
    assert (await scheduler.run_once(opens))["open_due_surveys"] == 1
    assert (await scheduler.run_once(opens))["open_due_surveys"] == 0
    assert len(await broadcasts(db, "survey_announcement")) == 1


# -- input and texts -----------------------------------------------------------------------------


def test_time_is_parsed_strictly_in_bishkek_time() -> None:
    assert sv.parse_local_datetime("15.12.2026 18:00", DISPLAY_TZ) == CLOSE_UTC
    assert sv.parse_local_datetime(" 5.1.2027 9:05 ", DISPLAY_TZ) == datetime(2027, 1, 5, 3, 5, tzinfo=UTC)
    for bad, reason in (("2026-12-15 18:00", "format"), ("15.12.2026", "format"), ("31.02.2027 10:00", "date"),
                        ("15.12.2026 24:00", "date"), ("", "format")):
        with pytest.raises(sv.InvalidInput) as exc:
            sv.parse_local_datetime(bad, DISPLAY_TZ)
        assert str(exc.value) == reason


@pytest.mark.parametrize("n, ru, ky", [
    (0, "0 голосов", "0 добуш"), (1, "1 голос", "1 добуш"), (2, "2 голоса", "2 добуш"), (5, "5 голосов", "5 добуш"),
    (11, "11 голосов", "11 добуш"), (21, "21 голос", "21 добуш"), (22, "22 голоса", "22 добуш"),
    (111, "111 голосов", "111 добуш"),
])
def test_vote_count_plurals(n: int, ru: str, ky: str) -> None:
    assert sv.votes_text(n, "ru") == ru
    assert sv.votes_text(n, "ky") == ky


def test_split_options_and_callback_data_fit() -> None:
    assert sv.split_options("1. Суу\n- Жол\n\n  • Мектеп  ") == ["Суу", "Жол", "Мектеп"]
    assert sv.vote_data("open", 5) == SurveyCallback(action="open", survey_id=5).pack()
    assert len(SurveyCallback(action="submit", survey_id=10**9, value=1023).pack().encode()) <= 64


async def test_options_from_the_top_open_priority_problems(db: Database, harness) -> None:
    await make_officer(db, harness)
    assert await sv.priority_problem_options(db, AK_DEBE) == []
    async with db.transaction() as tx:
        for i, supports in enumerate((3, 9, 1)):
            await tx.execute(
                "INSERT INTO problems (municipality_code, author_id, category, text, supports, created_at, updated_at)"
                " VALUES (?, ?, 'roads', ?, ?, ?, ?)",
                (AK_DEBE, OFFICER, f"Көйгөй {i}", supports, to_db(START), to_db(START)))
    options = await sv.priority_problem_options(db, AK_DEBE)
    assert [o[0] for o in options][:3] == ["Көйгөй 1", "Көйгөй 0", "Көйгөй 2"]


async def test_linked_hearing_is_named_in_the_announcement(db: Database, harness) -> None:
    await make_officer(db, harness)
    assert await sv.upcoming_hearings(db, AK_DEBE) == []
    hearing_start = START + timedelta(days=10)
    async with db.transaction() as tx:
        hearing_id = await tx.insert(
            "INSERT INTO hearings (municipality_code, topic, title_ky, title_ru, starts_at, place, created_by,"
            " created_at, updated_at, agenda_ru) VALUES (?, 'budget_draft', 'Бюджет 2027', 'Бюджет 2027', ?, 'Айыл өкмөтү', ?, ?, ?, 'Проект')",
            (AK_DEBE, to_db(hearing_start), OFFICER, to_db(START), to_db(START)))
        other = await tx.insert(
            "INSERT INTO hearings (municipality_code, topic, title_ky, title_ru, starts_at, place, created_by,"
            " created_at, updated_at, agenda_ru) VALUES (?, 'other', 'Башка', 'Другое', ?, 'Мэрия', ?, ?, ?, 'Повестка')",
            (BISHKEK, to_db(hearing_start), OFFICER, to_db(START), to_db(START)))
    assert [h.id for h in await sv.upcoming_hearings(db, AK_DEBE)] == [hearing_id]
    with pytest.raises(sv.InvalidInput):  # another municipality's hearing
        await sv.create_survey(db, officer_id=OFFICER, draft=draft(hearing_id=other))
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft(hearing_id=hearing_id))
    assert survey.hearing_id == hearing_id
    [announcement] = await broadcasts(db, "survey_announcement")
    text = json.loads(announcement["content"])["versions"]["ru"]["text"]
    assert "публичных слушаниях «Бюджет 2027» 20 декабря 2026" in text
