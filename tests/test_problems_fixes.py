"""Regression tests for defects found by an attack on the problems feature (each failed before its fix)."""

from __future__ import annotations

import asyncio
import json
import logging
import re

import pytest

from bot.db import Database
from bot.domain import InvalidInput
from bot.domain import problems as pb
from tests.harness import labels, plain
from tests.test_problems_flow import AK_DEBE, BISHKEK, _deliveries, _officer, _onboard, _raise

WATER_RU = "Водоснабжение"
TEXT = "Вода не идет третий день по улице Ленина"
STALE_RU = "Эта кнопка устарела"


def _errors(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def _to_preview(person, text: str = TEXT) -> None:
    await person.send("/newproblem")
    await person.press(WATER_RU)
    await person.send(text)
    await person.press("»")
    await person.press("»")


async def _state(db: Database, user_id: int):
    return await db.fetchone("SELECT state, data FROM fsm_state WHERE storage_key LIKE ?", (f"%{user_id}%",))


# 1 -------------------------------------------------------------------------------------------------

async def test_two_racing_publish_taps_create_one_problem(harness, db: Database) -> None:
    aigul = await _onboard(harness, db, 101, "ru")
    await _to_preview(aigul)
    message, data = aigul.find_button("✅")
    taps = [harness.emulator.press_button(101, message["message_id"], data) for _ in range(2)]
    await asyncio.gather(*(harness.feed(t) for t in taps))
    assert await db.fetchval("SELECT count(*) FROM problems WHERE author_id = 101") == 1
    assert any("уже опубликован" in (a.get("text") or "") for a in aigul.alerts())


async def test_same_draft_token_publishes_once_in_the_domain(db: Database, harness) -> None:
    await _onboard(harness, db, 101, "ru")
    first = await pb.raise_problem(db, author_id=101, category="water", text=TEXT, draft_token="t1")
    with pytest.raises(pb.AlreadyPublished) as caught:
        await pb.raise_problem(db, author_id=101, category="water", text=TEXT, draft_token="t1")
    assert caught.value.problem_id == first.id


# 2 -------------------------------------------------------------------------------------------------

async def test_crafted_huge_ids_are_stale_buttons_not_crashes(harness, db: Database, caplog) -> None:
    aigul = await _onboard(harness, db, 101, "ru")
    officer = await _officer(harness, db, 103)
    [home] = await aigul.send("/problems")
    [queue] = await officer.send("/problems_queue")
    for person, message, data in [
        (aigul, home, "pb:open:99999999999999999999:0:r"), (aigul, home, "pb:still:99999999999999999999:1:r"),
        (aigul, home, "pb:list:0:99999999999999999999:r"), (aigul, home, "pb:sup:-1:0:r"),
        (officer, queue, "po:open:99999999999999999999::"), (officer, queue, "po:go:99999999999999999999:solved:new"),
    ]:
        caplog.clear()
        await person.press_data(message["message_id"], data)
        assert not _errors(caplog), (data, _errors(caplog))
        assert STALE_RU in person.alerts()[-1]["text"], data


# 3 -------------------------------------------------------------------------------------------------

async def test_unicode_digits_are_asked_again_not_crashes(harness, db: Database, caplog) -> None:
    aigul = await _onboard(harness, db, 101, "ru")
    officer = await _officer(harness, db, 103)
    problem_id = await _raise(aigul, TEXT, WATER_RU)
    caplog.clear()
    [answer] = await officer.send("/reopen_threshold ²")
    assert "от 1 до 1000" in plain(answer)
    [queue] = await officer.send("/problems_queue")
    await officer.press_data(queue["message_id"], f"po:dup:{problem_id}::")
    [answer] = await officer.send("¹²")
    assert "номер проблемы" in plain(answer)
    await _to_preview(aigul, "Вода не идет по улице Ленина уже неделю")
    await aigul.press_data(aigul.last()["message_id"], "pd:instead:²")
    assert "уже опубликован" in aigul.alerts()[-1]["text"]
    assert not _errors(caplog), _errors(caplog)


# 4 -------------------------------------------------------------------------------------------------

async def test_emoji_text_within_limit_fits_preview_card_and_full_text(harness, db: Database, caplog) -> None:
    aigul = await _onboard(harness, db, 101, "ru")
    officer = await _officer(harness, db, 103)
    caplog.clear()
    await aigul.send("/newproblem")
    await aigul.press(WATER_RU)
    await aigul.send("😀" * 2000)  # 2,000 characters = 4,000 UTF-16 units
    await aigul.press("»")
    preview = (await aigul.press("»"))[-1]
    assert "✅ Опубликовать" in labels(preview)
    replies = await aigul.press("✅")
    problem_id = int(plain(replies[-1]).split("№")[1].split()[0])
    [home] = await aigul.send("/problems")
    [card] = await aigul.press_data(home["message_id"], f"pb:open:{problem_id}:0:r")
    assert "📄 Полный текст" in labels(card) and "😀" in plain(card)
    replies = await aigul.press("📄 Полный текст", card)
    print([plain(m)[:80] for m in replies])
    assert plain(replies[-1]).count("😀") == 2000
    [queue] = await officer.send("/problems_queue")
    [officer_card] = await officer.press_data(queue["message_id"], f"po:open:{problem_id}::")
    assert "📄 Полный текст" in labels(officer_card)
    assert not _errors(caplog), _errors(caplog)


async def test_preview_is_sent_before_the_step_changes(harness, db: Database, monkeypatch) -> None:
    from bot.handlers import problems as handlers

    aigul = await _onboard(harness, db, 101, "ru")
    await aigul.send("/newproblem")
    await aigul.press(WATER_RU)
    await aigul.send(TEXT)
    await aigul.press("»")

    def broken(*args, **kwargs):
        raise RuntimeError("render failed")

    monkeypatch.setattr(handlers, "render_preview", broken)
    await aigul.press("»")
    assert (await _state(db, 101))["state"] == "RaiseProblem:location"


# 5 -------------------------------------------------------------------------------------------------

async def test_dollar_signs_do_not_break_the_export(harness, db: Database, caplog) -> None:
    await _onboard(harness, db, 101, "ru")
    officer = await _officer(harness, db, 103)
    for text in (r"Формула $\frac{1}{$ сломана совсем", "Цена воды 5$ а было 3$ в прошлом году"):
        await pb.raise_problem(db, author_id=101, category="water", text=text)
    caplog.clear()
    before = len(harness.emulator.bot_messages(103))
    await officer.send("/problems_export")
    sent = harness.emulator.bot_messages(103)[before:]
    assert [("document" in m, "photo" in m) for m in sent] == [(True, False), (False, True)]
    assert not _errors(caplog), _errors(caplog)


async def test_a_failing_chart_still_sends_the_table(harness, db: Database, monkeypatch) -> None:
    from bot.ui import problems_export

    await _onboard(harness, db, 101, "ky")
    officer = await _officer(harness, db, 103, locale="ky")
    await pb.raise_problem(db, author_id=101, category="water", text=TEXT)

    def broken(*args, **kwargs):
        raise ValueError("chart failed")

    monkeypatch.setattr(problems_export, "top_chart_png", broken)
    before = len(harness.emulator.bot_messages(103))
    await officer.send("/problems_export")
    sent = harness.emulator.bot_messages(103)[before:]
    assert "document" in sent[0] and "диаграмма" in plain(sent[1]).lower()


def test_csv_cells_starting_like_formulas_are_neutralized() -> None:
    from bot.ui.problems_export import _neutralize

    assert [_neutralize(t) for t in ("=1+1", "\tx", "\rx", "@a", "ok")] == ["'=1+1", "'\tx", "'\rx", "'@a", "ok"]


# 7 -------------------------------------------------------------------------------------------------

async def test_stale_category_button_does_not_take_over_a_registry_proposal(harness, db: Database) -> None:
    aigul = await _onboard(harness, db, 101, "ru", code=BISHKEK)
    [categories] = await aigul.send("/newproblem")
    await aigul.send("/services")
    await aigul.press("Предложить новую услугу")
    await aigul.press_data(categories["message_id"], "pd:cat:water")
    assert "устарела" in aigul.alerts()[-1]["text"]
    assert (await _state(db, 101))["state"] == "Propose:name"


# 8 -------------------------------------------------------------------------------------------------

async def test_status_button_of_an_old_card_is_refused(harness, db: Database) -> None:
    await _onboard(harness, db, 101, "ru")
    officer = await _officer(harness, db, 103)
    await _officer(harness, db, 104)
    problem = await pb.raise_problem(db, author_id=101, category="water", text=TEXT)
    [queue] = await officer.send("/problems_queue")
    [card] = await officer.press_data(queue["message_id"], f"po:open:{problem.id}::")
    await pb.change_status(db, officer_id=104, problem_id=problem.id, status="in_budget", comment="В бюджете")
    _message, data = officer.find_button("→", card)
    assert data.endswith(":new")  # the button carries the status the officer saw
    replies = await officer.press_data(card["message_id"], data)
    assert "изменился" in officer.alerts()[-1]["text"]
    assert "В местном бюджете" in plain(replies[-1])
    replies = await officer.press_data(card["message_id"], f"po:go:{problem.id}:under_review:new")
    assert (await pb.get_problem(db, problem.id)).status == "in_budget"
    with pytest.raises(pb.StatusChanged):
        await pb.change_status(db, officer_id=103, problem_id=problem.id, status="solved", expected_status="new")


# 11 ------------------------------------------------------------------------------------------------

async def test_invisible_characters_are_removed_and_blank_text_is_too_short(harness, db: Database) -> None:
    aigul = await _onboard(harness, db, 101, "ru")
    problem = await pb.raise_problem(
        db, author_id=101, category="water", text="Вода\u061c не идет\u180e третий\u034f день\U000e0041 по улице\u2028Ленина")
    assert problem.text == "Вода не идет третий день по улице\nЛенина"
    with pytest.raises(InvalidInput):
        await pb.raise_problem(db, author_id=101, category="water", text="\u3164" * 12)
    await aigul.send("/newproblem")
    await aigul.press(WATER_RU)
    [answer] = await aigul.send("\u3164" * 12 + "\uffa0\u115f")
    assert "слишком коротко: 0 символов" in plain(answer).lower()


# 12 ------------------------------------------------------------------------------------------------

async def test_photo_with_caption_at_the_text_step_keeps_both(harness, db: Database) -> None:
    aigul = await _onboard(harness, db, 101, "ru")
    await aigul.send("/newproblem")
    await aigul.press(WATER_RU)
    [answer] = await aigul.send_photo(caption=TEXT)
    state = await _state(db, 101)
    data = json.loads(state["data"])
    assert data["text"] == TEXT and len(data["photos"]) == 1 and state["state"] == "RaiseProblem:photos"
    assert "Подпись к фото стала текстом" in plain(answer)
    [answer] = await aigul.send_photo()
    assert "(2/3)" in plain(answer) or "2" in plain(answer)


async def test_photo_without_caption_at_the_text_step_asks_for_text(harness, db: Database) -> None:
    aigul = await _onboard(harness, db, 101, "ru")
    await aigul.send("/newproblem")
    await aigul.press(WATER_RU)
    [answer] = await aigul.send_photo()
    assert "Сначала опишите проблему текстом" in plain(answer)


async def test_voice_and_files_at_the_category_step_get_the_category_hint(harness, db: Database) -> None:
    aigul = await _onboard(harness, db, 101, "ru")
    await aigul.send("/newproblem")
    for send in (aigul.send_voice, aigul.send_document, aigul.send_sticker):
        [answer] = await send()
        assert "категори" in plain(answer).lower()


# 13 ------------------------------------------------------------------------------------------------

async def test_non_officer_gets_the_officers_only_refusal(harness, db: Database) -> None:
    aigul = await _onboard(harness, db, 101, "ru")
    problem = await pb.raise_problem(db, author_id=101, category="water", text=TEXT)
    [home] = await aigul.send("/problems")
    await aigul.press_data(home["message_id"], f"po:go:{problem.id}:solved:new")
    text = aigul.alerts()[-1]["text"]
    assert "другому муниципалитету" not in text and "специалист" in text.lower()
    assert (await pb.get_problem(db, problem.id)).status == "new"


async def test_queue_page_that_is_not_a_number_is_a_stale_button(harness, db: Database) -> None:
    officer = await _officer(harness, db, 103)
    [queue] = await officer.send("/problems_queue")
    for data in ("po:queue:0:abc:", "po:queue:0:²:", "po:queue:0:99999999999999999999:"):
        await officer.press_data(queue["message_id"], data)
        assert "устарела" in officer.alerts()[-1]["text"], data


# 14 ------------------------------------------------------------------------------------------------

async def test_problem_of_another_municipality_is_not_shown(harness, db: Database) -> None:
    await _onboard(harness, db, 101, "ru")
    stranger = await _onboard(harness, db, 201, "ru", code=BISHKEK)
    problem = await pb.raise_problem(db, author_id=101, category="water", text=TEXT, photos=["AgADphoto1"],
                                     latitude=42.8, longitude=74.6)
    [home] = await stranger.send("/problems")
    for action in ("open", "photos", "map", "full"):
        replies = await stranger.press_data(home["message_id"], f"pb:{action}:{problem.id}:0:r")
        assert not any("Вода не идет" in plain(m) or "photo" in m or "location" in m for m in replies), action
        assert "другому муниципалитету" in stranger.alerts()[-1]["text"], action
    # a resident of the municipality still opens it
    neighbour = await _onboard(harness, db, 102, "ru", code=AK_DEBE)
    [home] = await neighbour.send("/problems")
    [card] = await neighbour.press_data(home["message_id"], f"pb:open:{problem.id}:0:r")
    assert "Вода не идет" in plain(card)


# 15 ------------------------------------------------------------------------------------------------

async def test_closed_problem_cannot_take_in_a_duplicate(harness, db: Database) -> None:
    await _onboard(harness, db, 101, "ru")
    await _officer(harness, db, 103)
    one = await pb.raise_problem(db, author_id=101, category="water", text=TEXT)
    two = await pb.raise_problem(db, author_id=101, category="water", text="Воды нет на улице Ленина неделю")
    await pb.change_status(db, officer_id=103, problem_id=two.id, status="rejected", comment="нет денег")
    with pytest.raises(InvalidInput, match="target closed"):
        await pb.mark_duplicate(db, officer_id=103, problem_id=one.id, target_id=two.id)
    assert (await pb.get_problem(db, one.id)).status == "new"


# 16 ------------------------------------------------------------------------------------------------

async def test_history_says_who_by_role_never_by_name(harness, db: Database) -> None:
    aigul = await _onboard(harness, db, 101, "ru", name="Айгүл")
    await _officer(harness, db, 103)
    problem = await pb.raise_problem(db, author_id=101, category="water", text=TEXT)
    await pb.change_status(db, officer_id=103, problem_id=problem.id, status="under_review", comment="Смотрим")
    [home] = await aigul.send("/problems")
    [card] = await aigul.press_data(home["message_id"], f"pb:open:{problem.id}:0:r")
    history = plain(card).split("История")[1]
    assert "(житель)" in history and "(специалист муниципалитета)" in history
    assert "Айгүл" not in history and "Адис" not in history


# 17 ------------------------------------------------------------------------------------------------

async def test_kyrgyz_wording_of_photo_count_and_raised(harness, db: Database) -> None:
    aigul = await _onboard(harness, db, 101, "ky")
    await aigul.send("/newproblem")
    await aigul.press("Суу менен камсыздоо")
    await aigul.send("Көчөдө үч күндөн бери суу жок, эл кыйналып жатат")
    [answer] = await aigul.send_photo()
    assert "3 сүрөттүн" not in plain(answer) and re.search(r"\(1 ?/ ?3\)", plain(answer))
    problem = await pb.raise_problem(db, author_id=101, category="water", text=TEXT)
    [home] = await aigul.send("/problems")
    [card] = await aigul.press_data(home["message_id"], f"pb:open:{problem.id}:0:r")
    assert "— катталды (тургун)" in plain(card) and "жазылды" not in plain(card).lower()


async def test_reopening_is_told_to_the_author_and_supporters(harness, db: Database) -> None:
    await _onboard(harness, db, 101, "ru")
    for i in range(3):
        await _onboard(harness, db, 110 + i, "ru")
    await _officer(harness, db, 103)
    problem = await pb.raise_problem(db, author_id=101, category="water", text=TEXT)
    for i in range(3):
        await pb.support(db, problem_id=problem.id, resident_id=110 + i)
    await pb.change_status(db, officer_id=103, problem_id=problem.id, status="solved")
    for i in range(3):
        result = await pb.answer_still(db, problem_id=problem.id, resident_id=110 + i, still=True, default_threshold=3)
    assert result.reopened
    told = {rid for rid, _c in await _deliveries(db, "problem_reopened")}
    assert told == {101, 110, 111, 112, 103}
