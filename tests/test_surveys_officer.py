"""Officers and surveys through the real dispatcher: /newsurvey step by step (in parts, from the top
problems), publishing and the announcement, the card (turnout, then results, chart, CSV), closing
early, extending, deleting — and every prompt left by navigation ignores the text typed after it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.db import Database
from bot.domain import surveys as sv
from bot.domain.clock import to_db
from bot.i18n import numbered
from bot.scheduler import Scheduler
from bot.ui.surveys import survey_open_data
from tests.harness import labels, plain
from tests.support import AK_DEBE, BISHKEK
from tests.survey_helpers import (
    CLOSE_UTC,
    OFFICER,
    START,
    anchor,
    broadcasts,
    draft,
    last_alert,
    make_officer,
    make_resident,
    rendered,
)

pytestmark = pytest.mark.usefixtures("frozen_clock")
__all__ = ["START"]


async def _to_opening_step(officer) -> None:
    await officer.send("/newsurvey")
    await officer.send("Суроо?")
    await officer.send("Вопрос?")
    await officer.send("А\nБ")
    await officer.press("Готово")
    await officer.send("A\nB")
    await officer.press("Готово")
    await officer.press("Один ответ")


async def test_create_announce_vote_change_close_results_in_both_languages(harness, db: Database,
                                                                           frozen_clock) -> None:
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
    [published] = await officer.press("Опубликовать")
    assert "опубликован" in plain(published) and "« Главное меню" in labels(published)  # issue 12: a way on
    survey_id = await db.fetchval("SELECT max(id) FROM surveys")
    survey = await sv.get_survey(db, survey_id)
    assert survey.closes_at == CLOSE_UTC and survey.status == "open" and len(survey.options) == 3

    # Announced through the outbox to the municipality's residents, in both languages.
    [announcement] = await broadcasts(db, "survey_announcement")
    recipients = {r[0] for r in await db.fetchall(
        "SELECT resident_id FROM deliveries WHERE broadcast_id = ?", (announcement["id"],))}
    assert recipients == {OFFICER, *range(801, 807)}
    assert "Мектеп көчөсү" in rendered(announcement, "ky").text
    assert "Школьная улица" in rendered(announcement, "ru").text
    assert rendered(announcement, "ru").rows[0][0].callback_data == survey_open_data(survey_id, fresh=True)

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
    for uid, position in zip(range(803, 807), (1, 1, 3, 2), strict=True):
        await sv.cast_vote(db, resident_id=uid, survey_id=survey_id, positions=[position])

    # While open: the officer sees turnout only; residents see no results.
    await officer.send("/survey_admin")
    reply = await officer.press(numbered(survey_id))
    card = plain(reply[-1])
    assert "6 жителей проголосовали" in card and "%" not in card
    await ivan.press_data(ivan.last()["message_id"], f"sv:results:{survey_id}:0")
    assert "после закрытия" in last_alert(ivan)

    # Fourteen more residents vote, so that every option has at least 5 votes (smaller groups stay hidden).
    for uid, position in zip(range(807, 821), [1] * 7 + [2] * 4 + [3] * 3, strict=True):
        await make_resident(db, uid, "ky", AK_DEBE)
        await sv.cast_vote(db, resident_id=uid, survey_id=survey_id, positions=[position])

    # 18:00:05 Bishkek time = 12:00:05 UTC: the survey has closed even before the scheduler ran.
    frozen_clock["t"] = CLOSE_UTC + timedelta(seconds=5)
    await aigul.press("Базар көчөсү")
    assert "жабылды" in last_alert(aigul)
    assert await sv.my_choice(db, 801, survey_id) == {3}

    # The scheduler closes it and queues the results for the municipality.
    handled = await Scheduler(db, sv.SCHEDULER_JOBS).run_once(frozen_clock["t"])
    assert handled["close_due_surveys"] == 1
    assert (await Scheduler(db, sv.SCHEDULER_JOBS).run_once(frozen_clock["t"]))["close_due_surveys"] == 0
    [results] = await broadcasts(db, "survey_results")
    assert "Школьная улица: 10 голосов (50\xa0%)" in rendered(results, "ru").text
    assert "Көпүрө: 5 добуш (25%)" in rendered(results, "ky").text
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
    stored = harness.emulator._files[reply[-1]["document"]["file_id"]]
    assert stored.file_name == f"survey-{survey_id}-results-2026-12-15.csv"  # the closing day in Bishkek
    table = stored.data.decode("utf-8-sig")
    assert "Голосов" in table or "Голоса" in table  # headers in the officer's Russian
    assert "15 декабря 2026" in table and "18:00" in table and "50\xa0%" in table
    assert "closes_at_utc" not in table and "0.5000" not in table


async def test_options_from_the_top_problems_and_limits_of_a_message(harness, db: Database) -> None:
    officer = await make_officer(db, harness)
    async with db.transaction() as tx:
        for i, supports in enumerate((3, 9)):
            await tx.execute(
                "INSERT INTO problems (municipality_code, author_id, category, text, supports, created_at, updated_at)"
                " VALUES (?, ?, 'roads', ?, ?, ?, ?)",
                (AK_DEBE, OFFICER, f"Көйгөй {i}", supports, to_db(START), to_db(START)))
    await officer.send("/newsurvey")
    await officer.press("Пропустить")  # Russian only
    reply = await officer.send("Что чинить?")
    assert "на русском" in plain(reply[-1])
    [refused] = await officer.send("Вода\n" + "ж" * (sv.OPTION_MAX + 1))
    assert str(sv.OPTION_MAX) in plain(refused) and "Готово" not in labels(refused)
    [refused] = await officer.send("\n".join(f"Вариант {i}" for i in range(11)))
    assert "11" in plain(refused)
    reply = await officer.press("Взять главные")
    assert "Көйгөй 1" in plain(reply[-1])  # the titles in Russian, to keep or change
    reply = await officer.press("Оставить")
    assert "Шаг 4" in plain(reply[-1])
    draft_data = await harness.dispatcher.storage.get_data(
        key=_key(harness, OFFICER))
    assert [o[2] for o in draft_data["draft"]["options"]] != [None, None]


async def test_options_from_problems_get_short_titles_the_officer_can_change_per_language(
        harness, db: Database) -> None:
    officer = await make_officer(db, harness)
    long_text = ("Мектепке баруучу жол жаз сайын суу алып кетет, балдар өтө албай калат, көпүрө керек "
                 "жана арыкты тазалоо керек")
    async with db.transaction() as tx:
        for text, supports in ((long_text, 9), ("Көчөдө жарык жок", 3)):
            await tx.execute(
                "INSERT INTO problems (municipality_code, author_id, category, text, supports, created_at, updated_at)"
                " VALUES (?, ?, 'roads', ?, ?, ?, ?)", (AK_DEBE, OFFICER, text, supports, to_db(START), to_db(START)))
    await officer.send("/newsurvey")
    await officer.send("Эмнени оңдойбуз?")
    await officer.send("Что чинить?")
    reply = await officer.press("Взять главные")
    titles = await harness.dispatcher.storage.get_data(key=_key(harness, OFFICER))
    first = titles["draft"]["options"][0]
    assert len(first[0]) <= sv.OPTION_TITLE_MAX and first[0].endswith("…") and first[0] == first[1]
    assert "Мектепке баруучу жол" in plain(reply[-1])
    await officer.send("Мектепке жол жана көпүрө\nКөчө жарыгы")  # Kyrgyz titles
    [refused] = await officer.send("Одна строка")  # Russian: one line for two options
    assert "2" in plain(refused)
    await officer.send("Дорога к школе и мост\nОсвещение улицы")
    data = (await harness.dispatcher.storage.get_data(key=_key(harness, OFFICER)))["draft"]
    assert [o[:2] for o in data["options"]] == [["Мектепке жол жана көпүрө", "Дорога к школе и мост"],
                                                ["Көчө жарыгы", "Освещение улицы"]]
    assert all(o[2] for o in data["options"])  # still linked to their problems


def _key(harness, uid: int):
    from aiogram.fsm.storage.base import StorageKey

    return StorageKey(bot_id=harness.bot.id, chat_id=uid, user_id=uid)


async def test_officer_typing_year_0001_gets_the_range_hint(db: Database, harness) -> None:
    officer = await make_officer(db, harness)
    await _to_opening_step(officer)
    for typed in ("01.01.0001 00:00", "01.01.0999 10:00"):
        [reply] = await officer.send(typed)
        assert "Год должен быть от 2000 до 2100" in plain(reply), plain(reply)
    [reply] = await officer.send("01.01.2029 10:00")
    assert "больше чем через год" in plain(reply)


async def test_publishing_after_the_closing_time_passed_asks_for_a_new_one(db: Database, harness,
                                                                         frozen_clock) -> None:
    officer = await make_officer(db, harness)
    await _to_opening_step(officer)
    await officer.press("Сейчас")
    await officer.send("10.12.2026 18:00")
    await officer.press("Все жители")
    frozen_clock.advance(timedelta(hours=7))  # the draft waited past its closing time
    reply = await officer.press("Опубликовать")
    assert "уже прошло" in last_alert(officer) and "Шаг 6" in plain(reply[-1])
    await officer.send("11.12.2026 18:00")
    await officer.press("Все жители")
    await officer.press("Опубликовать")
    assert await db.fetchval("SELECT count(*) FROM surveys") == 1


async def test_closing_an_unopened_survey_cancels_it_quietly(db: Database, harness) -> None:
    officer = await make_officer(db, harness)
    for uid in (801, 802):
        await make_resident(db, uid, "ky", AK_DEBE)
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft(opens_at=to_db(START + timedelta(days=1))))
    await officer.send("/survey_admin")
    await officer.press(numbered(survey.id))
    [confirm] = await officer.press("Закрыть")
    assert "ещё не открылся" in plain(confirm)
    [done] = await officer.press("Да")
    assert "отменён" in plain(done) and "ничего не отправлено" in plain(done)
    assert not await broadcasts(db, "survey_results")
    assert (await sv.get_survey(db, survey.id)).status == "deleted"
    assert await sv.open_due_surveys(db, START + timedelta(days=2)) == 0
    assert not await broadcasts(db, "survey_announcement")


async def test_close_early_extend_and_delete_from_the_card(db: Database, harness) -> None:
    officer = await make_officer(db, harness)
    await make_resident(db, 801, "ky", AK_DEBE)
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft())
    await sv.cast_vote(db, resident_id=801, survey_id=survey.id, positions=[1])
    await officer.send("/survey_admin")
    await officer.press(numbered(survey.id))
    await officer.press("Продлить")
    [refused] = await officer.send("14.12.2026 18:00")
    assert "позже текущего" in plain(refused)
    [done] = await officer.send("20.12.2026 18:00")
    assert "20 декабря 2026" in plain(done) and len(await broadcasts(db, "survey_extended")) == 1
    await officer.send("/survey_admin")
    await officer.press(numbered(survey.id))
    await officer.press("Закрыть")
    [card] = await officer.press("Нет")  # back to the card; nothing closed
    assert "⏹ Закрыть сейчас" in labels(card) and (await sv.get_survey(db, survey.id)).status == "open"
    await officer.press("Закрыть")
    [card] = await officer.press("Да")
    assert "Результаты отправляются" in last_alert(officer)
    # one voter: every count is hidden, so the card offers no chart or file, only the way back
    assert labels(card) == ["🛠 Управление опросами", "« Главное меню"]
    [alert_source] = [card]
    await officer.press_data(alert_source["message_id"], f"sa:chart:{survey.id}:0")  # an old card's button
    assert "тайна" in last_alert(officer) or "не показываются" in last_alert(officer)
    assert (await sv.get_survey(db, survey.id)).status == "closed"
    await officer.press_data(card["message_id"], f"sa:extend:{survey.id}:0")
    assert "уже закрыт" in last_alert(officer)
    other = await sv.create_survey(db, officer_id=OFFICER, draft=draft())
    await officer.send("/survey_admin")
    await officer.press(numbered(other.id))
    await officer.press("Удалить")
    [gone] = await officer.press("Да")
    assert numbered(other.id) in plain(gone) and (await sv.get_survey(db, other.id)).status == "deleted"


async def test_crafted_officer_buttons(db: Database, harness) -> None:
    await make_officer(db, harness)
    other = await make_officer(db, harness, uid=701, code=BISHKEK)
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft())
    anchor_id = await anchor(other)
    for action in ("close", "delete", "extend", "show"):
        await other.press_data(anchor_id, f"sa:{action}:{survey.id}:0")
        assert "другому муниципалитету" in last_alert(other)
    await other.press_data(anchor_id, "sa:close:99999999999999999999:0")
    assert "не существует" in last_alert(other)
    assert (await sv.get_survey(db, survey.id)).status == "open"
    resident = harness.person(801, language_code="ru")
    await make_resident(db, 801, "ru", AK_DEBE)
    await resident.press_data(await anchor(resident), f"sa:close:{survey.id}:0")
    assert "только для специалистов" in last_alert(resident)


async def test_codes_command_bounds(db: Database, harness) -> None:
    officer = await make_officer(db, harness)
    [reply] = await officer.send("/codes 0")
    assert "от 1 до 200" in plain(reply)
    [reply] = await officer.send("/codes 2")
    assert "2 кода жителя" in plain(reply)


# -- a step left by navigation ignores later text ---------------------------------------------------


async def test_new_survey_step_left_by_navigation_ignores_later_text(db: Database, harness) -> None:
    officer = await make_officer(db, harness)
    await officer.send("/newsurvey")
    await officer.send("Суроо?")
    await officer.press_data(officer.last()["message_id"], "menu:home")  # the main menu instead of step 2
    [reply] = await officer.send("Какую дорогу ремонтировать?")
    assert "Шаг 3" not in plain(reply)
    await officer.send("/help")
    await _to_opening_step(officer)
    await officer.send("/survey_admin")  # a command instead of the opening time
    await officer.send("15.12.2026 18:00")
    assert "Шаг 6" not in plain(officer.last())
    assert await db.fetchval("SELECT count(*) FROM surveys") == 0


async def test_extend_prompt_left_by_navigation_ignores_later_text(db: Database, harness) -> None:
    officer = await make_officer(db, harness)
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft())
    await officer.send("/survey_admin")
    await officer.press(numbered(survey.id))
    await officer.press("Продлить")
    await officer.send("/survey_admin")
    [reply] = await officer.send("20.12.2026 18:00")
    assert "20 декабря" not in plain(reply)
    assert (await sv.get_survey(db, survey.id)).closes_at == CLOSE_UTC
    assert not await broadcasts(db, "survey_extended")


async def test_close_prompt_left_by_navigation_ignores_later_text_and_taps(db: Database, harness) -> None:
    officer = await make_officer(db, harness)
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft())
    await officer.send("/survey_admin")
    await officer.press(numbered(survey.id))
    [prompt] = await officer.press("Закрыть")
    await officer.press("Явка")  # the card's button instead of an answer: the prompt is left
    await officer.send("Да")
    await officer.press("Да", prompt)  # its old button too
    assert "уже пройден" in last_alert(officer)
    assert (await sv.get_survey(db, survey.id)).status == "open" and not await broadcasts(db, "survey_results")


async def test_delete_prompt_left_by_navigation_ignores_later_text(db: Database, harness) -> None:
    officer = await make_officer(db, harness)
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft())
    await officer.send("/survey_admin")
    await officer.press(numbered(survey.id))
    await officer.press("Удалить")
    await officer.send("/surveys")
    [reply] = await officer.send("Да")
    assert "удалён" not in plain(reply)
    assert (await sv.get_survey(db, survey.id)).status == "open"


async def test_the_hearing_choice_shows_short_buttons_and_whole_titles(harness, db: Database) -> None:
    """Step 8 (issue 12: hearing buttons of 40 characters and a long date did not fit a phone)."""
    from datetime import UTC, datetime

    from bot.domain import hearings as hr
    from bot.ui.keyboards import ROW_WIDTH, text_width
    from tests.hearings_support import draft as hearing_draft

    officer = await make_officer(db, harness)
    title = "Проект местного бюджета айылного аймака на 2027 год и план на 2028–2029 годы"
    hearing = await hr.create_hearing(db, officer_id=OFFICER, draft=hearing_draft(
        title_ru=title, starts_at=to_db(datetime(2026, 12, 28, 12, 0, tzinfo=UTC))))
    await _to_opening_step(officer)
    await officer.press("Сейчас")
    await officer.send("15.12.2026 18:00")
    ask = (await officer.press("Все жители"))[-1]
    assert title in plain(ask) and numbered(hearing.id) in plain(ask)  # the whole title, above the buttons
    assert all(text_width(label) <= ROW_WIDTH for label in labels(ask))
    chosen = next(label for label in labels(ask) if label.endswith(numbered(hearing.id)))
    await officer.press(chosen)
    await officer.press("Опубликовать")
    survey = await sv.get_survey(db, await db.fetchval("SELECT max(id) FROM surveys"))
    assert survey.hearing_id == hearing.id


@pytest.mark.parametrize("locale", ["ky", "ru"])
async def test_the_published_message_points_to_the_admin_card_not_the_ballots(db: Database, harness,
                                                                              locale: str) -> None:
    """Issue 12: /surveys is the residents' ballot list; the officer is sent to /survey_admin, and a button
    opens the new survey's card (turnout) directly."""
    officer = await make_officer(db, harness, locale=locale)
    await make_resident(db, 801, "ky", AK_DEBE)
    await officer.send("/newsurvey")
    await officer.send("Суроо?")
    await officer.send("Вопрос?")
    await officer.send("А\nБ")
    await officer.press("Даяр" if locale == "ky" else "Готово")
    await officer.send("A\nB")
    await officer.press("Даяр" if locale == "ky" else "Готово")
    await officer.press("Бир жооп" if locale == "ky" else "Один ответ")
    await officer.press("Азыр" if locale == "ky" else "Сейчас")
    await officer.send("15.12.2026 18:00")
    await officer.press("Бардык тургундар" if locale == "ky" else "Все жители")
    [published] = await officer.press("Жарыялоо" if locale == "ky" else "Опубликовать")
    survey_id = await db.fetchval("SELECT max(id) FROM surveys")
    text = plain(published)
    assert "/survey_admin" in text and "/surveys" not in text.replace("/survey_admin", "")
    open_label = "📋 Сурамжылоону ачуу" if locale == "ky" else "📋 Открыть опрос"
    menu = "« Башкы меню" if locale == "ky" else "« Главное меню"
    assert labels(published) == [open_label, menu]
    [card] = await officer.press(open_label, published)
    assert card["message_id"] == published["message_id"]  # the card replaces the message
    assert numbered(survey_id) in plain(card)
    assert ("🔄 Катышуу" if locale == "ky" else "🔄 Явка") in labels(card)


@pytest.mark.parametrize("locale", ["ky", "ru"])
async def test_the_officer_list_starts_a_new_survey(db: Database, harness, locale: str) -> None:
    """Issue 12: the officer's surveys screen has "➕ New survey", like the hearings list: it starts the
    /newsurvey wizard, empty or not."""
    officer = await make_officer(db, harness, locale=locale)
    new_label = "➕ Жаңы сурамжылоо" if locale == "ky" else "➕ Новый опрос"
    [empty] = await officer.send("/survey_admin")
    assert labels(empty)[0] == new_label
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft())
    [listing] = await officer.send("/survey_admin")
    assert labels(listing)[0] == new_label and any(numbered(survey.id) in b for b in labels(listing))
    replies = await officer.press(new_label, listing)
    assert ("1-кадам" if locale == "ky" else "Шаг 1") in plain(replies[-1])
    await officer.send("Жаңы суроо?")
    reply = await officer.send("Новый вопрос?")
    assert ("3-кадам" if locale == "ky" else "Шаг 3") in plain(reply[-1])
