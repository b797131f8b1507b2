"""Officers and public hearings through the real dispatcher and emulator, in Kyrgyz and Russian, with
a frozen clock: the whole story (announce, answers, reminders, outcome), changes and cancellation,
the long agenda, the notice period, another municipality's officer, and — for every wizard — that a
step left by navigation ignores a later text.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar

from bot.db import Database
from bot.domain import hearings as hr
from bot.domain import problems as pb
from bot.domain import surveys as sv
from bot.domain.clock import to_db
from bot.i18n import numbered
from bot.scheduler import Scheduler, default_jobs
from bot.ui.hearings import HearingAdminCallback, HearingCallback
from tests.harness import labels, plain
from tests.hearings_support import (
    HEARING_AT,
    KY_RES,
    OFFICER,
    OTHER,
    RU_RES,
    START,
    broadcasts,
    buttons_of,
    draft,
    fsm,
    make_hearing,
    make_officer,
    open_card,
    recipients,
    send_later,
    text_of,
)
from tests.support import AK_DEBE, BISHKEK, SUPERADMIN_ID, grant, make_resident, outside_any_form

pytestmark = pytest.mark.usefixtures("frozen_clock")
__all__ = ["START"]  # the frozen clock's start

"""The fallback's answer to a text outside any step (ru)."""


def admin(action: str, hearing_id: int = 0) -> str:
    return HearingAdminCallback(action=action, hearing_id=hearing_id).pack()


# -- the whole story ------------------------------------------------------------------------------


async def test_announce_rsvp_question_reminders_outcome_in_both_languages(harness, db: Database, frozen_clock) -> None:
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
    [saved] = await send_later(officer, "15.12.2026 18:00")
    assert "вторник" in plain(saved) and "18:00" in plain(saved)
    await officer.send("Айыл өкмөтүнүн чоң залы")
    await officer._act(officer.emulator.send_location(OFFICER, 42.87, 74.59))
    preview = (await officer.press("Пропустить"))[-1]  # no document
    assert "Предпросмотр" in plain(preview) and "Проект бюджета на 2027 год" in plain(preview)
    published = (await officer.press("Опубликовать"))[-1]
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
    await ky.press("Атымды тизмеге")
    card = await open_card(ru, hearing.title_ru)
    await ru.press("Напомнить мне")
    await ru.press("Задать вопрос")
    long_q = "Почему <b>дорога</b> не в бюджете?" + "!" * 600
    [too_long] = await ru.send(long_q)
    assert "600" not in plain(too_long) and "не больше 500" in plain(too_long)
    [thanks] = await send_later(ru, "Почему <b>дорога</b> не в бюджете?")
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
    frozen_clock.set(HEARING_AT - timedelta(hours=23, minutes=59))
    scheduler = Scheduler(db, default_jobs())
    assert (await scheduler.run_once())["send_due_reminders"] == 1
    assert (await scheduler.run_once())["send_due_reminders"] == 0
    assert (await Scheduler(db, default_jobs()).run_once())["send_due_reminders"] == 0
    [r24] = await broadcasts(db, "hearing_reminder_24h")
    assert await recipients(db, r24["id"]) == {KY_RES, RU_RES}
    assert "эртең" in text_of(r24, "ky") and "завтра" in text_of(r24, "ru")
    frozen_clock.set(HEARING_AT - timedelta(minutes=30))
    assert (await Scheduler(db, default_jobs()).run_once())["send_due_reminders"] == 1
    assert (await Scheduler(db, default_jobs()).run_once())["send_due_reminders"] == 0
    [r1] = await broadcasts(db, "hearing_reminder_1h")
    assert "через час" in text_of(r1, "ru") and "бир сааттан кийин" in text_of(r1, "ky")

    # -- outcome after the hearing: decisions, participants, accepted problem, minutes
    frozen_clock.set(HEARING_AT + timedelta(hours=3))
    await officer.send("/hearing")
    await officer.press("Проект бюджета")
    await officer.press("Опубликовать итоги")
    await officer.send("Бюджеттин долбоору колдоого алынды.")
    await officer.send("Проект бюджета одобрен.")
    await officer.send("57")
    await officer.send(f"#{problem.id}")
    [out_preview] = await officer.send_document("protokol.pdf", b"%PDF-1.4")
    assert "57 участников" in plain(out_preview)
    done = (await officer.press("Опубликовать"))[-1]
    assert numbered(problem.id) in plain(done) and "В местном бюджете" in plain(done)
    [outcome] = await broadcasts(db, "hearing_outcome")
    assert "57 катышуучу" in text_of(outcome, "ky") and "Проект бюджета одобрен." in text_of(outcome, "ru")
    assert (await pb.get_problem(db, problem.id)).status == "in_budget"
    [status_note] = await broadcasts(db, "problem_status")
    assert KY_RES in await recipients(db, status_note["id"])
    # the past list shows the outcome with the minutes button
    await ky.send("/hearings")
    past = await ky.press("Өткөн")
    assert "Бюджеттин долбоору колдоого алынды." in plain(past[-1]) and "Протокол" in " ".join(labels(past[-1]))


# -- changes and cancellation -------------------------------------------------------------------------


async def test_moved_hearing_reminders_follow_and_residents_are_told(harness, db: Database, frozen_clock) -> None:
    officer = await make_officer(db, harness, locale="ky")
    await make_resident(db, KY_RES, "ky")
    await make_resident(db, RU_RES, "ru")
    hearing = await make_hearing(db)
    await hr.rsvp(db, resident_id=KY_RES, hearing_id=hearing.id, answer="going")
    # the 24 h reminder goes out, then the hearing is postponed by two days
    frozen_clock.set(HEARING_AT - timedelta(hours=20))
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
    frozen_clock.set(HEARING_AT - timedelta(minutes=30))
    assert (await Scheduler(db, default_jobs()).run_once())["send_due_reminders"] == 0
    new_time = HEARING_AT + timedelta(days=2)
    frozen_clock.set(new_time - timedelta(hours=24))
    assert (await Scheduler(db, default_jobs()).run_once())["send_due_reminders"] == 1
    frozen_clock.set(new_time - timedelta(hours=1))
    assert (await Scheduler(db, default_jobs()).run_once())["send_due_reminders"] == 1
    assert len(await broadcasts(db, "hearing_reminder_24h")) == 2
    [one_hour] = await broadcasts(db, "hearing_reminder_1h")
    assert "18:00" in text_of(one_hour, "ky")
    # moving it EARLIER than the notice period allows is refused with the reason
    frozen_clock.set(START + timedelta(days=1))
    with pytest.raises(hr.NoticeTooShort):
        await hr.edit_hearing(db, officer_id=OFFICER, hearing_id=hearing.id, starts_at=START + timedelta(days=3))


async def test_time_refusals_keep_the_step(harness, db: Database) -> None:
    officer = await make_officer(db, harness)
    hearing = await make_hearing(db)
    await officer.send("/hearing")
    await officer.press("Проект бюджета")
    await officer.press("Изменить время")
    [same] = await officer.send("15.12.2026 18:00")  # the same time: nothing to tell anyone
    assert "Ничего не изменилось" in plain(same)
    [early] = await officer.send("03.12.2026 18:00")  # earlier, inside the notice period
    assert "10 дней" in plain(early)
    [bad] = await officer.send("32.12.2026 18:00")
    assert "такого дня в календаре нет" in plain(bad).lower()
    assert (await hr.get_hearing(db, hearing.id)).starts_at == to_db(HEARING_AT)
    [saved] = await send_later(officer, "16.12.2026 18:00")
    assert "Сохранено" in plain(saved)
    assert (await hr.get_hearing(db, hearing.id)).starts_at == to_db(HEARING_AT + timedelta(days=1))


async def test_place_and_agenda_changes_are_told(harness, db: Database) -> None:
    officer = await make_officer(db, harness)
    await make_resident(db, RU_RES, "ru")
    hearing = await make_hearing(db)
    await officer.send("/hearing")
    await officer.press("Проект бюджета")
    await officer.press("Изменить место")
    await officer.send("Клуб «Ак-Дебе»")
    saved = (await officer.press("Пропустить"))[-1]  # no new pin: the old one is removed
    assert "Сохранено" in plain(saved)
    changed = await hr.get_hearing(db, hearing.id)
    assert changed.place == "Клуб «Ак-Дебе»" and changed.latitude is None
    [told] = await broadcasts(db, "hearing_changed")
    assert "Изменилось место: Клуб «Ак-Дебе»" in text_of(told, "ru")
    await officer.send("/hearing")
    await officer.press("Проект бюджета")
    await officer.press("Изменить повестку")
    await officer.press("Пропустить")  # the Kyrgyz agenda stays
    await officer.send("1. Новый пункт")
    saved = (await officer.press("Готово"))[-1]
    assert "Сохранено" in plain(saved)
    changed = await hr.get_hearing(db, hearing.id)
    assert changed.agenda_ru == "1. Новый пункт" and changed.agenda_ky == hearing.agenda_ky
    assert len(await broadcasts(db, "hearing_changed")) == 2
    # the same agenda again changes nothing and says so
    await officer.send("/hearing")
    await officer.press("Проект бюджета")
    await officer.press("Изменить повестку")
    await officer.press("Пропустить")
    said = (await officer.press("Пропустить"))[-1]
    assert "Ничего не изменилось" in plain(said)
    assert len(await broadcasts(db, "hearing_changed")) == 2 and (await fsm(officer))[0] is None


async def test_cancelled_hearing_sends_no_reminders_and_residents_are_told(harness, db: Database, frozen_clock) -> None:
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
        frozen_clock.set(HEARING_AT - timedelta(hours=hours) + timedelta(minutes=1))
        assert (await Scheduler(db, default_jobs()).run_once())["send_due_reminders"] == 0
    assert not await broadcasts(db, "hearing_reminder%")
    # the resident's old buttons now say so
    ky = harness.person(KY_RES, "Айгүл", language_code="ky")
    await ky.send("/hearings")
    await ky.press_data(ky.last()["message_id"], HearingCallback(action="go", hearing_id=hearing.id).pack())
    assert "жокко чыгарылган" in ky.alerts()[-1]["text"]


async def test_cancel_without_a_reason(harness, db: Database) -> None:
    officer = await make_officer(db, harness)
    hearing = await make_hearing(db)
    await officer.send("/hearing")
    await officer.press("Проект бюджета")
    await officer.press("Отменить слушания")
    done = (await officer.press("без причины"))[-1]
    assert "отменены" in plain(done)
    assert (await hr.get_hearing(db, hearing.id)).status == "cancelled"
    assert (await hr.get_hearing(db, hearing.id)).cancel_reason is None


# -- the long agenda ----------------------------------------------------------------------------------


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
    parts = [paragraph[:999] + "."] * 5 + [paragraph[:989] + "."]  # 5 × 1000 + 990 + 5 paragraph breaks = 6,000
    for part in parts:
        [ack] = await send_later(officer, part)
    assert "6 000 белгинин 6 000" in plain(ack).replace("\xa0", " ")
    [refused] = await send_later(officer, "ещё")  # over the limit: told the limit and the length, nothing lost
    assert "6 005 белги" in plain(refused).replace("\xa0", " ") and "6 000" in plain(refused).replace("\xa0", " ")
    await officer.press("Даяр")
    assert len((await fsm(officer))[1]["draft"]["agenda_ru"]) == 6000
    await officer.send("15.12.2026 18:00")
    await officer.send("Клуб")
    await officer.press("Өткөрүп жиберүү")  # no location
    preview = await officer.press("Өткөрүп жиберүү")  # no document: the preview shows the whole agenda
    assert sum(plain(m).count("Пункт повестки") for m in preview) == "\n\n".join(parts).count("Пункт повестки")
    assert "Жарыялоо" in " ".join(labels(preview[-1]))
    await officer.press("Жарыялоо")
    [announcement] = await broadcasts(db, "hearing_announcement")
    from bot.delivery.render import plan
    from bot.delivery.split import TEXT_LIMIT, visible_length

    steps = plan(announcement["content"], "ru")
    assert len(steps) in (2, 3) and all(visible_length(s.text) <= TEXT_LIMIT for s in steps)
    joined = "".join(s.text for s in steps)
    assert joined.count("Пункт повестки") == text_of(announcement, "ru").count("Пункт повестки")  # nothing lost
    assert steps[-1].markup is not None  # the buttons come with the last part
    assert "Приоритетные проблемы" in text_of(announcement, "ky")  # the Kyrgyz reader sees the Russian title


async def test_officer_card_with_a_long_html_like_agenda(harness, db: Database) -> None:
    officer = await make_officer(db, harness)
    h = await make_hearing(db, agenda_ru=("<b>&amp; x</b> " * 500)[:5990], agenda_ky="")
    await officer.send("/hearing")
    parts = await officer.press(h.title_ru[:20])
    assert len(parts) >= 2 and "Изменить время" in " ".join(labels(parts[-1]))
    assert "Придут:" in plain(parts[-1]) or "придут" in plain(parts[-1]).lower()


# -- the notice period, a linked survey ---------------------------------------------------------------


async def test_notice_period_setting_and_survey_link(harness, db: Database) -> None:
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
    from bot.ui.surveys.callbacks import survey_open_data

    # the ballot comes as a new message: the card and its other buttons stay
    assert survey_open_data(survey.id, fresh=True) in buttons_of(announcement, "ky")
    assert hearing.survey_id == survey.id
    # a survey of another municipality cannot be linked
    await make_resident(db, OTHER, "ru", code=BISHKEK)
    await grant(db, OTHER, BISHKEK)
    with pytest.raises(hr.SurveyNotLinkable):
        await hr.create_hearing(db, officer_id=OTHER, draft=draft(survey_id=survey.id))


async def test_officer_cannot_lower_the_notice_below_the_floor(harness, db: Database) -> None:
    officer = await make_officer(db, harness)
    [refused] = await officer.send("/hearing_notice 0")
    assert "короче 3 дней" in plain(refused)
    assert await hr.notice_days(db, AK_DEBE) == hr.DEFAULT_NOTICE_DAYS
    [ok] = await officer.send("/hearing_notice 3")
    assert "3 дня" in plain(ok) and await hr.notice_days(db, AK_DEBE) == 3
    # a superadmin who is an officer here may go below the floor
    admin_person = await make_officer(db, harness, uid=SUPERADMIN_ID)
    await admin_person.send("/hearing_notice 1")
    assert await hr.notice_days(db, AK_DEBE) == 1
    rows = await db.fetchall("SELECT changed_by, old_days, new_days, as_superadmin, changed_at"
                             " FROM hearing_notice_changes ORDER BY id")
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [(OFFICER, 10, 3, 0), (SUPERADMIN_ID, 3, 1, 1)]
    assert all(r[4] for r in rows)


async def test_publishing_with_a_survey_that_closed_meanwhile(harness, db: Database) -> None:
    officer = await make_officer(db, harness)
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=sv.Draft(
        question_ky="Кайсы жолду оңдойбуз?", question_ru="Какую дорогу ремонтировать?",
        options=[["Мектеп", "Школьная", None], ["Базар", "Рыночная", None]],
        max_choices=1, opens_at=to_db(START), closes_at=to_db(START + timedelta(days=2))))
    await officer.send("/hearing")
    await officer.press("Новые слушания")
    await officer.press("Проект местного бюджета")
    await officer.send("Заголовок")
    await officer.send("Заголовок")
    await officer.send("Повестка")
    await officer.press("Готово")
    await officer.press("Пропустить")
    await officer.send("15.12.2026 18:00")
    await officer.send("Клуб")
    await officer.press("Пропустить")  # no location → the survey list
    await officer.press("Какую дорогу")
    await sv.close_survey(db, officer_id=OFFICER, survey_id=survey.id)  # closes meanwhile
    await officer.press("Пропустить")  # no attachment → preview
    out = await officer.press("Опубликовать")
    assert "больше не открыт" in " ".join(plain(m) for m in out)
    assert "Опубликовать" in " ".join(labels(out[-1]))
    assert not await db.fetchval("SELECT count(*) FROM hearings")
    await officer.press("Опубликовать")
    assert await db.fetchval("SELECT count(*) FROM hearings WHERE survey_id IS NULL") == 1


# -- another municipality ------------------------------------------------------------------------------


async def test_officer_of_another_municipality_is_told_why(harness, db: Database) -> None:
    await make_officer(db, harness)
    other = await make_officer(db, harness, uid=701, code=BISHKEK)
    h = await make_hearing(db)
    await other.send("/hearing")
    anchor = other.last()["message_id"]
    sent = await other.press_data(anchor, admin("show", h.id))
    assert not sent  # nothing of the other municipality is shown
    assert "другому муниципалитету" in (other.alerts()[-1].get("text") or "")
    for action in ("att", "qs", "cancel", "time", "place", "agenda", "outcome"):
        await other.press_data(anchor, admin(action, h.id))
        assert "другому муниципалитету" in other.alerts()[-1]["text"], action
    assert (await fsm(other))[0] is None
    assert (await hr.get_hearing(db, h.id)).status == "scheduled"
    # a problem of another municipality cannot be accepted at this hearing
    await make_resident(db, OTHER + 2, "ru", code=BISHKEK)
    foreign = await pb.raise_problem(db, author_id=OTHER + 2, category="roads", text="Яма на проспекте Чуй")
    assert await hr.check_outcome_problems(db, officer_id=OFFICER, hearing_id=h.id, ids=[foreign.id]) == [foreign.id]


async def test_a_resident_gets_the_officers_only_answer(harness, db: Database) -> None:
    person = harness.person(KY_RES, "Айгүл", language_code="ru")
    await make_resident(db, KY_RES, "ru")
    [answer] = await person.send("/hearing")
    assert plain(answer).startswith("Эта команда только для специалистов муниципалитета")
    await person.press_data(answer["message_id"], admin("new"))
    assert "только для специалистов" in person.alerts()[-1]["text"]
    assert (await fsm(person))[0] is None


async def test_a_crafted_huge_id_is_a_stale_button(harness, db: Database) -> None:
    officer = await make_officer(db, harness)
    await officer.send("/hearing")
    await officer.press_data(officer.last()["message_id"], f"ha:show:{10**30}")
    assert "устарела" in officer.alerts()[-1]["text"]


# -- the wizard's first step (moved here from the UX regression tests) ---------------------------------


@pytest.mark.parametrize(("locale", "new", "expected"), [
    ("ru", "Новые слушания", ("Сначала выберите тему", "название будет запрошено следующим")),
    ("ky", "Жаңы угуу", ("Адегенде", "темасын тандаңыз", "аталышы андан кийин суралат")),
])
async def test_typing_the_title_before_choosing_the_topic_says_topic_first_title_next(
    harness, db: Database, locale, new, expected
) -> None:
    officer = await make_officer(db, harness, 405, locale=locale)
    await officer.send("/hearing")
    await officer.press(new)
    [answer] = await officer.send("Бюджет 2027")
    for part in expected:
        assert part in plain(answer)
    [sticker] = await officer.send_sticker()
    assert expected[0] in plain(sticker)


# -- every wizard: a step left by navigation ignores a later text --------------------------------------


async def _left_then_typed(officer, leave: str, text: str) -> list:
    """Leave the current step with ``leave`` (a command, or a button label), then type ``text`` later."""
    if leave.startswith("/"):
        await officer.send(leave)
    else:
        await officer.press(leave)
    assert (await fsm(officer))[0] is None
    return await send_later(officer, text)


async def test_new_hearing_step_left_by_a_list_button_ignores_later_text(harness, db: Database) -> None:
    officer = await make_officer(db, harness)
    await make_hearing(db)
    await officer.send("/hearing")
    await officer.press("Новые слушания")
    await officer.press("Проект местного бюджета")  # now the Kyrgyz title is asked
    await officer.send("/hearing")
    await officer.press("Проект бюджета")  # another hearing's card from the list: the wizard is left
    reply = await send_later(officer, "Заголовок")
    assert outside_any_form(reply[-1]) and "Шаг 3" not in plain(reply[-1])
    state, data = await fsm(officer)
    assert state is None and data.get("draft", {}).get("title_ky", "") == ""


async def test_time_step_left_by_a_command_ignores_later_text(harness, db: Database) -> None:
    officer = await make_officer(db, harness)
    hearing = await make_hearing(db)
    await officer.send("/hearing")
    await officer.press("Проект бюджета")
    await officer.press("Изменить время")
    reply = await _left_then_typed(officer, "/hearings", "17.12.2026 18:00")
    assert outside_any_form(reply[-1])
    assert (await hr.get_hearing(db, hearing.id)).starts_at == to_db(HEARING_AT)
    assert not await broadcasts(db, "hearing_changed")


async def test_place_step_left_by_a_button_ignores_later_text(harness, db: Database) -> None:
    officer = await make_officer(db, harness)
    hearing = await make_hearing(db)
    await officer.send("/hearing")
    await officer.press("Проект бюджета")
    await officer.press("Изменить место")
    reply = await _left_then_typed(officer, "Кто придёт", "Новый клуб")
    assert outside_any_form(reply[-1])
    assert (await hr.get_hearing(db, hearing.id)).place == hearing.place


async def test_agenda_step_left_by_a_command_ignores_later_text(harness, db: Database) -> None:
    officer = await make_officer(db, harness)
    hearing = await make_hearing(db)
    await officer.send("/hearing")
    await officer.press("Проект бюджета")
    await officer.press("Изменить повестку")
    reply = await _left_then_typed(officer, "/menu", "1. Совсем другая повестка")
    assert outside_any_form(reply[-1]) and "Добавлено" not in plain(reply[-1])
    assert (await hr.get_hearing(db, hearing.id)).agenda_ky == hearing.agenda_ky


async def test_cancel_reason_step_left_by_a_button_ignores_later_text(harness, db: Database) -> None:
    officer = await make_officer(db, harness)
    hearing = await make_hearing(db)
    await officer.send("/hearing")
    await officer.press("Проект бюджета")
    await officer.press("Отменить слушания")
    reply = await _left_then_typed(officer, "Вопросы", "спасибо")
    assert outside_any_form(reply[-1])
    assert (await hr.get_hearing(db, hearing.id)).status == "scheduled"
    assert not await broadcasts(db, "hearing_cancelled")


async def test_outcome_step_left_by_a_command_ignores_later_text(harness, db: Database, frozen_clock) -> None:
    officer = await make_officer(db, harness)
    hearing = await make_hearing(db)
    frozen_clock.set(HEARING_AT + timedelta(hours=2))
    await officer.send("/hearing")
    await officer.press("Проект бюджета")
    await officer.press("Опубликовать итоги")
    await officer.send("Чечим кабыл алынды.")  # the Kyrgyz decisions; now the Russian ones are asked
    reply = await _left_then_typed(officer, "/hearing", "Решение принято.")
    assert outside_any_form(reply[-1])
    assert (await hr.get_hearing(db, hearing.id)).status == "scheduled"
    assert not await broadcasts(db, "hearing_outcome")
