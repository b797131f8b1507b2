"""Public hearings through the real dispatcher and emulator, in Kyrgyz and Russian, with a fake clock.

The server works in UTC; officers type and residents read Bishkek time (UTC+6). The scheduler is
driven with ``run_once``; a "restart" is a new :class:`Scheduler` on the same database.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from bot.db import Database
from bot.domain import hearings as hr
from bot.domain import officers as roles
from bot.domain import problems as pb
from bot.domain.clock import clock, to_db
from bot.domain.outbox import Content
from bot.domain.residents import set_locale, set_municipality, touch_resident
from bot.scheduler import Scheduler, default_jobs
from tests.conftest import SUPERADMIN_ID
from tests.harness import labels, plain

AK_DEBE = "41708203803000"
BISHKEK = "41711000000000"
START = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # Tuesday 1 December, 12:00 in Bishkek
HEARING_AT = datetime(2026, 12, 15, 12, 0, tzinfo=UTC)  # "15.12.2026 18:00" Bishkek, a Tuesday
OFFICER = 700
KY_RES, RU_RES, OTHER = 801, 802, 803


@pytest.fixture(autouse=True)
def fixed_clock():
    now = {"t": START}
    clock.set(lambda: now["t"])
    yield now
    clock.set(None)


async def make_resident(db: Database, uid: int, locale: str, code: str = AK_DEBE, name: str | None = None) -> None:
    await touch_resident(db, uid, first_name=name or f"R{uid}", last_name=None, username=None, language_code=locale)
    await set_locale(db, uid, locale)
    await set_municipality(db, uid, code)


async def make_officer(db: Database, harness, uid: int = OFFICER, locale: str = "ru", code: str = AK_DEBE):
    person = harness.person(uid, "Адис", language_code=locale)
    await make_resident(db, uid, locale, code)
    await roles.grant_officer(db, actor_id=SUPERADMIN_ID, superadmins=frozenset({SUPERADMIN_ID}),
                              telegram_id=uid, municipality_code=code)
    return person


async def broadcasts(db: Database, kind: str) -> list:
    return await db.fetchall("SELECT * FROM broadcasts WHERE kind LIKE ? ORDER BY id", (kind,))


async def recipients(db: Database, broadcast_id: int) -> set[int]:
    return {r[0] for r in await db.fetchall("SELECT resident_id FROM deliveries WHERE broadcast_id = ?",
                                            (broadcast_id,))}


def text_of(row, locale: str) -> str:
    return Content.from_json(row["content"]).for_locale(locale).text


def draft(**kw) -> hr.Draft:
    base = dict(topic="budget_draft", title_ky="2027-жылдын бюджетинин долбоору",
                title_ru="Проект бюджета на 2027 год", agenda_ky="1. Бюджеттин долбоору\n2. Сунуштар",
                agenda_ru="1. Проект бюджета\n2. Предложения", starts_at=to_db(HEARING_AT),
                place="Айыл өкмөтүнүн чоң залы", latitude=42.87, longitude=74.59)
    base.update(kw)
    return hr.Draft(**base)


async def open_card(person, hearing_title: str) -> list:
    await person.send("/hearings")
    return await person.press(hearing_title[:30])


# -- the whole story ------------------------------------------------------------------------------


async def test_announce_rsvp_question_reminders_outcome_in_both_languages(harness, db: Database, fixed_clock) -> None:
    officer = await make_officer(db, harness)
    ky = harness.person(KY_RES, "Айгүл", language_code="ky")
    ru = harness.person(RU_RES, "Иван", language_code="ru")
    await make_resident(db, KY_RES, "ky", name="Айгүл")
    await make_resident(db, RU_RES, "ru", name="Иван")
    problem = await pb.raise_problem(db, author_id=KY_RES, category="roads", text="Мектепке баруучу жол бузулган")

    # -- the officer announces, step by step (Russian UI)
    await officer.send("/hearing")
    await officer.press("Новые слушания")
    await officer.press("Проект местного бюджета")
    await officer.send("2027-жылдын бюджетинин долбоору")
    await officer.send("Проект бюджета на 2027 год")
    await officer.send("1. Бюджеттин долбоору")
    await officer.press("Готово")
    await officer.send("1. Проект бюджета")
    await officer.press("Готово")
    # earlier than the 10-day notice period: refused with the reason and the earliest date
    [refused] = await officer.send("05.12.2026 18:00")
    assert "10 дней" in plain(refused) and "11 декабря 2026" in plain(refused) and "пятница" in plain(refused)
    [saved] = await officer.send("15.12.2026 18:00")
    assert "вторник" in plain(saved) and "18:00" in plain(saved)
    await officer.send("Айыл өкмөтүнүн чоң залы")
    await officer._act(officer.emulator.send_location(OFFICER, 42.87, 74.59))
    [preview] = await officer.press("Пропустить")  # no document
    assert "Предпросмотр" in plain(preview) and "Проект бюджета на 2027 год" in plain(preview)
    [published] = await officer.press("Опубликовать")
    assert "3 жителям" in plain(published)

    [announcement] = await broadcasts(db, "hearing_announcement")
    assert await recipients(db, announcement["id"]) == {OFFICER, KY_RES, RU_RES}
    ky_text, ru_text = text_of(announcement, "ky"), text_of(announcement, "ru")
    assert "2027-жылдын бюджетинин долбоору" in ky_text and "шейшемби" in ky_text and "18:00" in ky_text
    assert "Проект бюджета на 2027 год" in ru_text and "вторник" in ru_text and "15 декабря 2026" in ru_text
    [hearing] = await hr.officer_hearings(db, OFFICER)
    assert hearing.latitude == pytest.approx(42.87)
    reminders = await db.fetchall("SELECT kind, due_at FROM hearing_reminders WHERE hearing_id = ? ORDER BY kind",
                                  (hearing.id,))
    assert {r["kind"]: r["due_at"] for r in reminders} == {"1h": "2026-12-15T11:00:00Z", "24h": "2026-12-14T12:00:00Z"}

    # -- residents: the card, RSVP, consent, a question, the calendar, the map
    card = await open_card(ky, hearing.title_ky)
    assert "шейшемби" in plain(card[-1]) and "Барам" in " ".join(labels(card[-1]))
    await ky.press("Барам")
    assert "сактадык" in ky.alerts()[-1]["text"].lower() or "сакталды" in ky.alerts()[-1]["text"].lower()
    await ky.press("Атымды залдагы тизмеге")
    card = await open_card(ru, hearing.title_ru)
    await ru.press("Напомнить мне")
    await ru.press("Задать вопрос")
    long_q = "Почему <b>дорога</b> не в бюджете?" + "!" * 600
    [too_long] = await ru.send(long_q)
    assert "600" not in plain(too_long) and "не больше 500" in plain(too_long)
    [thanks] = await ru.send("Почему <b>дорога</b> не в бюджете?")
    assert "Спасибо" in plain(thanks)
    ics = await ru.press("Календарь")
    document = ics[-1]["document"]
    assert document["file_name"].endswith(".ics")
    cal = Calendar.from_ical(harness.emulator._files[document["file_id"]].data)
    [event] = [c for c in cal.walk("VEVENT")]
    assert str(event["SUMMARY"]) == "Проект бюджета на 2027 год"
    assert event.decoded("DTSTART") == HEARING_AT and "Айыл" in str(event["LOCATION"])
    pin = await ru.press("Карта")
    assert pin[-1]["location"]["latitude"] == pytest.approx(42.87)

    # -- the officer sees counts, the consenting name only, and the escaped question
    await officer.send("/hearing")
    await officer.press("Проект бюджета")
    [att] = await officer.press("Кто придёт")
    assert "Придут: 1" in plain(att) and "Айгүл" in plain(att) and "Иван" not in plain(att)
    [qs] = await officer.press("Вопросы")
    assert "Почему <b>дорога</b> не в бюджете?" in plain(qs)  # shown literally: escaped

    # -- reminders: 24 h, then 1 h, each once, even twice run and after a "restart"
    fixed_clock["t"] = HEARING_AT - timedelta(hours=23, minutes=59)
    scheduler = Scheduler(db, default_jobs())
    assert (await scheduler.run_once())["send_due_reminders"] == 1
    assert (await scheduler.run_once())["send_due_reminders"] == 0
    assert (await Scheduler(db, default_jobs()).run_once())["send_due_reminders"] == 0
    [r24] = await broadcasts(db, "hearing_reminder_24h")
    assert await recipients(db, r24["id"]) == {KY_RES, RU_RES}
    assert "эртең" in text_of(r24, "ky") and "завтра" in text_of(r24, "ru")
    fixed_clock["t"] = HEARING_AT - timedelta(minutes=30)
    assert (await Scheduler(db, default_jobs()).run_once())["send_due_reminders"] == 1
    assert (await Scheduler(db, default_jobs()).run_once())["send_due_reminders"] == 0
    [r1] = await broadcasts(db, "hearing_reminder_1h")
    assert "через час" in text_of(r1, "ru") and "бир сааттан кийин" in text_of(r1, "ky")

    # -- outcome after the hearing: decisions, participants, accepted problem, minutes
    fixed_clock["t"] = HEARING_AT + timedelta(hours=3)
    await officer.send("/hearing")
    await officer.press("Проект бюджета")
    await officer.press("Опубликовать итоги")
    await officer.send("Бюджеттин долбоору колдоого алынды.")
    await officer.send("Проект бюджета одобрен.")
    await officer.send("57")
    await officer.send(f"#{problem.id}")
    [out_preview] = await officer.send_document("protokol.pdf", b"%PDF-1.4")
    assert "57 участников" in plain(out_preview)
    [done] = await officer.press("Опубликовать")
    assert f"#{problem.id}" in plain(done) and "В местном бюджете" in plain(done)
    [outcome] = await broadcasts(db, "hearing_outcome")
    assert "57 катышуучу" in text_of(outcome, "ky") and "Проект бюджета одобрен." in text_of(outcome, "ru")
    assert (await pb.get_problem(db, problem.id)).status == "in_budget"
    [status_note] = await broadcasts(db, "problem_status")
    assert KY_RES in await recipients(db, status_note["id"])
    # the past list shows the outcome with the minutes button
    past = await ky.send("/hearings")
    past = await ky.press("Өткөн")
    assert "Бюджеттин долбоору колдоого алынды." in plain(past[-1]) and "Протокол" in " ".join(labels(past[-1]))


async def make_hearing(db: Database, **kw) -> hr.Hearing:
    return await hr.create_hearing(db, officer_id=OFFICER, draft=draft(**kw))


async def test_moved_hearing_reminders_follow_and_residents_are_told(harness, db: Database, fixed_clock) -> None:
    officer = await make_officer(db, harness, locale="ky")
    await make_resident(db, KY_RES, "ky")
    await make_resident(db, RU_RES, "ru")
    hearing = await make_hearing(db)
    await hr.rsvp(db, resident_id=KY_RES, hearing_id=hearing.id, answer="going")
    # the 24 h reminder goes out, then the hearing is postponed by two days
    fixed_clock["t"] = HEARING_AT - timedelta(hours=20)
    assert (await Scheduler(db, default_jobs()).run_once())["send_due_reminders"] == 1
    await officer.send("/hearing")
    await officer.press("2027-жылдын")
    await officer.press("Убакытты өзгөртүү")
    [saved] = await officer.send("17.12.2026 18:00")
    assert "3" in plain(saved)  # three residents got the announcement and are told
    [changed] = await broadcasts(db, "hearing_changed")
    assert await recipients(db, changed["id"]) == {OFFICER, KY_RES, RU_RES}
    assert "17-декабрь" in text_of(changed, "ky") and "бейшемби" in text_of(changed, "ky")
    assert "четверг, 17 декабря 2026" in text_of(changed, "ru")
    # nothing at the old times; the 24 h and 1 h reminders come again for the new time
    fixed_clock["t"] = HEARING_AT - timedelta(minutes=30)
    assert (await Scheduler(db, default_jobs()).run_once())["send_due_reminders"] == 0
    new_time = HEARING_AT + timedelta(days=2)
    fixed_clock["t"] = new_time - timedelta(hours=24)
    assert (await Scheduler(db, default_jobs()).run_once())["send_due_reminders"] == 1
    fixed_clock["t"] = new_time - timedelta(hours=1)
    assert (await Scheduler(db, default_jobs()).run_once())["send_due_reminders"] == 1
    assert len(await broadcasts(db, "hearing_reminder_24h")) == 2
    [one_hour] = await broadcasts(db, "hearing_reminder_1h")
    assert "18:00" in text_of(one_hour, "ky")
    # moving it EARLIER than the notice period allows is refused with the reason
    fixed_clock["t"] = START + timedelta(days=1)
    with pytest.raises(hr.NoticeTooShort):
        await hr.edit_hearing(db, officer_id=OFFICER, hearing_id=hearing.id, starts_at=START + timedelta(days=3))


async def test_cancelled_hearing_sends_no_reminders_and_residents_are_told(harness, db: Database, fixed_clock) -> None:
    officer = await make_officer(db, harness, locale="ru")
    await make_resident(db, KY_RES, "ky")
    hearing = await make_hearing(db)
    await hr.rsvp(db, resident_id=KY_RES, hearing_id=hearing.id, answer="remind")
    await officer.send("/hearing")
    await officer.press("Проект бюджета")
    await officer.press("Отменить слушания")
    [done] = await officer.send("Зал на ремонте")
    assert "отменены" in plain(done)
    [cancelled] = await broadcasts(db, "hearing_cancelled")
    assert KY_RES in await recipients(db, cancelled["id"])
    assert "жокко чыгарылды" in text_of(cancelled, "ky") and "Зал на ремонте" in text_of(cancelled, "ky")
    for hours in (24, 1):
        fixed_clock["t"] = HEARING_AT - timedelta(hours=hours) + timedelta(minutes=1)
        assert (await Scheduler(db, default_jobs()).run_once())["send_due_reminders"] == 0
    assert not await broadcasts(db, "hearing_reminder%")
    # the resident's old buttons now say so
    ky = harness.person(KY_RES, "Айгүл", language_code="ky")
    await ky.send("/hearings")
    await ky.press_data(ky.last()["message_id"], hr.resident_data("go", hearing.id))
    assert "жокко чыгарылган" in ky.alerts()[-1]["text"]


async def test_agenda_of_6000_characters(harness, db: Database) -> None:
    officer = await make_officer(db, harness, locale="ky")
    await make_resident(db, RU_RES, "ru")
    await officer.send("/hearing")
    await officer.press("Жаңы угуу")
    await officer.press("Артыкчылыктуу көйгөйлөр")
    await officer.press("Өткөрүп жиберүү")  # no Kyrgyz title
    await officer.send("Приоритетные проблемы")
    await officer.press("Өткөрүп жиберүү")  # no Kyrgyz agenda
    paragraph = "Пункт повестки: обсуждение ремонта дорог и водоснабжения. " * 20
    parts = [paragraph[:999] + "."] * 5 + [paragraph[:994] + "."]  # 5 × 1000 + 995 + 5 line breaks = 6,000
    for part in parts:
        [ack] = await officer.send(part)
    assert "6 000 белгинин 6 000" in plain(ack).replace("\xa0", " ")
    [refused] = await officer.send("ещё")  # over the limit: told the limit and the length, nothing lost
    assert "6 004 белги" in plain(refused).replace("\xa0", " ") and "6 000" in plain(refused).replace("\xa0", " ")
    draft = (await officer.harness.dispatcher.storage.get_data(
        __import__("aiogram").fsm.storage.base.StorageKey(officer.harness.bot.id, OFFICER, OFFICER)))["draft"]
    assert len(draft["agenda_ru"]) == 6000
    await officer.press("Даяр")
    await officer.send("15.12.2026 18:00")
    await officer.send("Клуб")
    await officer.press("Өткөрүп жиберүү")  # no location
    preview = await officer.press("Өткөрүп жиберүү")  # no document: the preview shows the whole agenda
    assert sum(plain(m).count("Пункт повестки") for m in preview) == "\n".join(parts).count("Пункт повестки")
    assert "Жарыялоо" in " ".join(labels(preview[-1]))
    await officer.press("Жарыялоо")
    [announcement] = await broadcasts(db, "hearing_announcement")
    content = Content.from_json(announcement["content"])
    from bot.delivery.render import plan
    from bot.delivery.split import TEXT_LIMIT, visible_length

    steps = plan(content, "ru")
    assert len(steps) in (2, 3) and all(visible_length(s.text) <= TEXT_LIMIT for s in steps)
    joined = "".join(s.text for s in steps)
    assert joined.count("Пункт повестки") == content.for_locale("ru").text.count("Пункт повестки")  # nothing lost
    assert steps[-1].markup is not None  # the buttons come with the last part
    assert "Приоритетные проблемы" in content.for_locale("ky").text  # the Kyrgyz reader sees the Russian title


async def test_hearing_at_half_past_midnight_bishkek_shows_that_day(harness, db: Database) -> None:
    await make_officer(db, harness)
    await make_resident(db, RU_RES, "ru")
    # 00:30 on Wednesday 16 December in Bishkek = 18:30 UTC on Tuesday 15 December
    from zoneinfo import ZoneInfo

    from bot.domain.surveys import parse_local_datetime

    starts = parse_local_datetime("16.12.2026 00:30", ZoneInfo("Asia/Bishkek"))
    assert starts == datetime(2026, 12, 15, 18, 30, tzinfo=UTC)
    hearing = await make_hearing(db, starts_at=to_db(starts))
    [announcement] = await broadcasts(db, "hearing_announcement")
    assert "среда, 16 декабря 2026" in text_of(announcement, "ru") and "00:30" in text_of(announcement, "ru")
    assert "шаршемби" in text_of(announcement, "ky") and "16-декабрь" in text_of(announcement, "ky")
    assert hearing.starts_at == "2026-12-15T18:30:00Z"


async def test_crafted_callbacks_for_another_municipality_are_refused(harness, db: Database) -> None:
    await make_officer(db, harness)
    await make_resident(db, OTHER, "ru", code=BISHKEK)
    other_officer = harness.person(OTHER + 1, "Чужой", language_code="ru")
    await make_resident(db, OTHER + 1, "ru", code=BISHKEK)
    await roles.grant_officer(db, actor_id=SUPERADMIN_ID, superadmins=frozenset({SUPERADMIN_ID}),
                              telegram_id=OTHER + 1, municipality_code=BISHKEK)
    hearing = await make_hearing(db)
    stranger = harness.person(OTHER, "Чужой", language_code="ru")
    await stranger.send("/hearings")
    anchor = stranger.last()["message_id"]
    for action in ("go", "rem", "ask", "ics", "map"):
        await stranger.press_data(anchor, hr.resident_data(action, hearing.id))
        assert "другому муниципалитету" in stranger.alerts()[-1]["text"]
    assert await db.fetchval("SELECT count(*) FROM hearing_rsvps") == 0
    await other_officer.send("/hearing")
    anchor = other_officer.last()["message_id"]
    for action in ("att", "qs", "cancel", "time"):
        await other_officer.press_data(anchor, f"ha:{action}:{hearing.id}:0")
        assert "другому муниципалитету" in other_officer.alerts()[-1]["text"]
    with pytest.raises(roles.PermissionDenied):
        await hr.cancel_hearing(db, officer_id=OTHER + 1, hearing_id=hearing.id)
    assert (await hr.get_hearing(db, hearing.id)).status == "scheduled"
    # a problem of another municipality cannot be accepted at this hearing
    await make_resident(db, OTHER + 2, "ru", code=BISHKEK)
    foreign = await pb.raise_problem(db, author_id=OTHER + 2, category="roads", text="Яма на проспекте Чуй")
    assert await hr.check_outcome_problems(db, officer_id=OFFICER, hearing_id=hearing.id, ids=[foreign.id]) == [foreign.id]


async def test_restart_between_due_and_sent_sends_once(db: Database, harness, fixed_clock) -> None:
    await make_officer(db, harness)
    await make_resident(db, KY_RES, "ky")
    hearing = await make_hearing(db)
    await hr.rsvp(db, resident_id=KY_RES, hearing_id=hearing.id, answer="going")
    # the bot was down from before the 24 h reminder until after the 1 h one was due: only the latest goes
    fixed_clock["t"] = HEARING_AT - timedelta(minutes=20)
    assert (await Scheduler(db, default_jobs()).run_once())["send_due_reminders"] == 1
    assert (await Scheduler(db, default_jobs()).run_once())["send_due_reminders"] == 0
    assert len(await broadcasts(db, "hearing_reminder_1h")) == 1 and not await broadcasts(db, "hearing_reminder_24h")
    # after the start nothing more goes out
    fixed_clock["t"] = HEARING_AT + timedelta(minutes=5)
    assert (await Scheduler(db, default_jobs()).run_once())["send_due_reminders"] == 0


def test_callback_data_matches_the_ui_factory() -> None:
    from bot.ui.hearings import HearingCallback

    assert hr.resident_data("share", 1234567, 1) == HearingCallback(action="share", hearing_id=1234567, value=1).pack()
    assert len(hr.resident_data("share", 10**9, 1).encode()) <= 64


async def test_notice_period_setting_and_survey_link(harness, db: Database, fixed_clock) -> None:
    from bot.domain import surveys as sv

    officer = await make_officer(db, harness, locale="ky")
    await make_resident(db, RU_RES, "ru")
    [answer] = await officer.send("/hearing_notice 3")
    assert "3 күн" in plain(answer)
    assert await hr.notice_days(db, AK_DEBE) == 3
    assert await hr.notice_days(db, BISHKEK) == hr.DEFAULT_NOTICE_DAYS  # per municipality
    [bad] = await officer.send("/hearing_notice 500")
    assert "90" in plain(bad) and await hr.notice_days(db, AK_DEBE) == 3
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=sv.Draft(
        question_ky="Кайсы жолду оңдойбуз?", question_ru="Какую дорогу ремонтировать?",
        options=[["Мектеп көчөсү", "Школьная", None], ["Базар көчөсү", "Рыночная", None]],
        max_choices=1, opens_at=to_db(START), closes_at=to_db(START + timedelta(days=5))))
    hearing = await make_hearing(db, starts_at=to_db(START + timedelta(days=4)), survey_id=survey.id)
    [announcement] = await broadcasts(db, "hearing_announcement")
    assert "Какую дорогу ремонтировать?" in text_of(announcement, "ru")
    buttons = Content.from_json(announcement["content"]).for_locale("ky").buttons
    assert any(b.callback_data == f"sv:open:{survey.id}:0" for row in buttons for b in row)
    assert hearing.survey_id == survey.id
    # a survey of another municipality cannot be linked
    await make_resident(db, OTHER, "ru", code=BISHKEK)
    await roles.grant_officer(db, actor_id=SUPERADMIN_ID, superadmins=frozenset({SUPERADMIN_ID}),
                              telegram_id=OTHER, municipality_code=BISHKEK)
    with pytest.raises(hr.InvalidInput):
        await hr.create_hearing(db, officer_id=OTHER, draft=draft(survey_id=survey.id))
