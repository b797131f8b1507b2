"""Residents and problems through the real dispatcher and the Bot API emulator, in both languages:
raising a problem (the wizard), lists and cards, supports, media, "still a problem?", stale and
crafted buttons."""

from __future__ import annotations

import asyncio
import json
import logging
import re

import pytest

from bot.db import Database
from bot.domain import problems as pb
from bot.i18n import numbered
from tests.harness import labels, plain
from tests.problems_support import SKIP, deliveries, open_card, raise_problem, send_later, text_of
from tests.support import AK_DEBE, BISHKEK
from tests.support import officer_person as _officer
from tests.support import onboard as _onboard

WATER_RU = "Водоснабжение"
TEXT = "Вода не идет третий день по улице Ленина"
STALE_RU = "Эта кнопка устарела"
STEP_DONE_RU = "Этот шаг уже пройден"


def _errors(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def _state(db: Database, user_id: int):
    return await db.fetchone("SELECT state, data FROM fsm_state WHERE storage_key LIKE ?", (f"%{user_id}%",))


async def _to_preview(person, text: str = TEXT) -> None:
    await person.send("/newproblem")
    await person.press(WATER_RU)
    await person.send(text)
    await person.press(SKIP)
    await person.press(SKIP)


async def test_raise_support_status_notification_in_both_languages(harness, db: Database) -> None:
    aigul = await _onboard(harness, db, 101, "ky")
    ivan = await _onboard(harness, db, 102, "ru", name="Иван")
    officer = await _officer(harness, db, 103)

    [menu] = await aigul.send("/problems")
    assert "Ак-Дебе" in plain(menu) or "Ак Дебе" in plain(menu)
    problem_id = await raise_problem(aigul, "Көчөдө суу жок, үч күндөн бери кран кургак", "Суу менен камсыздоо")

    # Ivan (ru) sees it in the ranked list and supports it with one tap
    await ivan.send("/problems")
    [page] = await ivan.press("Приоритетные")
    assert numbered(problem_id) in plain(page) and "Поддерживает 1 житель" in plain(page)
    [card] = await ivan.press(numbered(problem_id))
    assert "Көчөдө суу жок" in plain(card)
    [card] = await ivan.press("Поддержать", card)
    assert "Поддерживают 2 жителя" in plain(card)
    assert "Отозвать" in " ".join(labels(card))

    # the officer moves it on with a comment
    [queue] = await officer.send("/problems_queue")
    assert numbered(problem_id) in plain(queue)
    await officer.press(numbered(problem_id), queue)
    await officer.press("→")
    await officer.send("Рассмотрим на сессии кенеша")
    row = await db.fetchone("SELECT status FROM problems WHERE id = ?", (problem_id,))
    assert row["status"] == "under_review"

    notices = await deliveries(db, "problem_status")
    assert [rid for rid, _c in notices] == [101, 102]
    content = notices[0][1]
    assert "Каралууда" in text_of(content, "ky")
    assert "На рассмотрении" in text_of(content, "ru")
    assert "Рассмотрим на сессии кенеша" in text_of(content, "ru")
    history = await pb.history(db, problem_id)
    assert [(e.action, e.new_status, e.actor_id) for e in history] == [
        ("created", "new", 101), ("status", "under_review", 103)]
    assert history[1].comment == "Рассмотрим на сессии кенеша"

    # the reader's own language on the card
    [card] = await open_card(aigul, problem_id)
    assert "Абалы: Каралууда" in plain(card) and "Рассмотрим на сессии кенеша" in plain(card)


async def test_notice_arrives_through_the_delivery_worker(harness, db: Database, settings) -> None:
    from bot.delivery.worker import DeliveryWorker

    aigul = await _onboard(harness, db, 111, "ky")
    ivan = await _onboard(harness, db, 112, "ru", name="Иван")
    problem_id = await raise_problem(aigul, "Мектептин чатыры агып жатат, балдар суук класста окушат", "Мектептер")
    await ivan.send("/problems")  # Telegram delivers only to people who have started the bot
    await pb.support(db, problem_id=problem_id, resident_id=112)
    await _officer(harness, db, 113)
    await pb.change_status(db, officer_id=113, problem_id=problem_id, status="solved", comment="Чатыр жаңыланды")
    worker = DeliveryWorker(db, harness.bot, settings.model_copy(update={"telegram_api_url": harness.emulator.base_url}),
                            own_session=False)
    await worker.start()
    try:
        worker.wake()
        await worker.wait_idle(timeout=20)
    finally:
        await worker.stop()
    ky_notice = plain(aigul.last())
    ru_notice = plain(ivan.last())
    assert "Чечилди" in ky_notice and "Чатыр жаңыланды" in ky_notice
    assert "Решена" in ru_notice and "Проблема осталась" in labels(ivan.last())
    # the "still a problem?" button of the delivered message works
    await ivan.press("Проблема осталась")
    assert "Спасибо" in ivan.alerts()[-1]["text"]


async def test_concurrent_double_support_counts_once(harness, db: Database) -> None:
    aigul = await _onboard(harness, db, 121, "ky")
    ivan = await _onboard(harness, db, 122, "ru", name="Иван")
    problem_id = await raise_problem(aigul, "Көчө жарыгы күйбөйт, кечинде караңгы", "Көчө жарык")
    [card] = await open_card(ivan, problem_id)
    _msg, data = ivan.find_button("Поддержать", card)
    await asyncio.gather(ivan.press_data(card["message_id"], data), ivan.press_data(card["message_id"], data))
    assert await db.fetchval("SELECT supports FROM problems WHERE id = ?", (problem_id,)) == 2
    assert await db.fetchval("SELECT count(*) FROM problem_supports WHERE problem_id = ?", (problem_id,)) == 2
    results = await asyncio.gather(*(pb.support(db, problem_id=problem_id, resident_id=122) for _ in range(5)))
    assert not any(r.changed for r in results)
    assert (await pb.get_problem(db, problem_id)).supports == 2


async def test_stale_card_after_merge_and_hide(harness, db: Database) -> None:
    aigul = await _onboard(harness, db, 131, "ky")
    ivan = await _onboard(harness, db, 132, "ru", name="Иван")
    await _officer(harness, db, 133)
    first = await raise_problem(aigul, "Жол бузулган, машиналар өтө албайт", "Жолдор")
    second = await raise_problem(aigul, "Жолдо чоң чуңкурлар бар, жол бузулган", "Жолдор")
    [stale] = await open_card(ivan, first)
    _msg, support_data = ivan.find_button("Поддержать", stale)
    await pb.support(db, problem_id=second, resident_id=132)
    await pb.mark_duplicate(db, officer_id=133, problem_id=first, target_id=second)

    replies = await ivan.press_data(stale["message_id"], support_data)
    assert f"объединена с проблемой {numbered(second)}" in ivan.alerts()[-1]["text"]
    assert replies and numbered(second) in plain(replies[-1])  # the card now shows the target
    assert (await pb.get_problem(db, second)).supports == 2  # Aigul (author of both) and Ivan, each once

    await pb.hide_problem(db, officer_id=133, problem_id=second, reason="Оскорбления")
    await ivan.press_data(stale["message_id"], f"pb:open:{second}:0:r")
    assert "скрыта" in ivan.alerts()[-1]["text"]
    await ivan.press_data(stale["message_id"], f"pb:sup:{second}:0:r")
    assert "скрыта" in ivan.alerts()[-1]["text"]
    page, total = await pb.ranked_page(db, AK_DEBE)
    assert total == 0 and page == []
    [(rid, content)] = await deliveries(db, "problem_hidden")
    assert rid == 131 and "Оскорбления" in text_of(content, "ky") and "жашырылды" in text_of(content, "ky")


async def test_sticker_and_too_long_text_keep_the_draft(harness, db: Database) -> None:
    ivan = await _onboard(harness, db, 141, "ru", name="Иван")
    aigul = await _onboard(harness, db, 142, "ky")
    for person, category, sticker_hint, too_long in (
        (ivan, "Водоснабжение", "текстовым сообщением", "Слишком длинно"),
        (aigul, "Суу менен камсыздоо", "текст менен", "Өтө узун"),
    ):
        await person.send("/newproblem")
        prompt = (await person.press(category))[-1]
        assert "2" in plain(prompt) and "000" in plain(prompt)  # the bounds are stated
        [answer] = await person.send_sticker()
        assert sticker_hint in plain(answer)
        assert labels(answer) == labels(prompt)  # a refusal carries the step's own buttons: never a dead end
        [answer] = await person.send("ңөү" * 1667)  # 5,001 characters
        digits = re.sub(r"\s", "", plain(answer))
        assert "2000" in digits and "5001" in digits and too_long in plain(answer)
        assert labels(answer) == labels(prompt)
        # the rest of a pasted text that Telegram split arrives at once: not taken as the problem (still
        # this step's buttons, not the photos step's "Skip")
        [tail] = await person.send("суу түтүгү жарылды, көчөнү суу каптады")
        assert labels(tail) == labels(prompt)
        [short] = await send_later(person, "суу")
        assert "10" in plain(short)
        [next_step] = await send_later(person, "Суу түтүгү жарылып, көчөнү суу каптады")
        assert "3" in plain(next_step) and labels(next_step)  # the photos step: the category was kept
    state = await _state(db, 141)
    assert json.loads(state["data"])["category"] == "water" and state["state"] == "problem:photos"


async def test_blank_fillers_are_an_empty_text(harness, db: Database) -> None:
    aigul = await _onboard(harness, db, 143, "ru")
    await aigul.send("/newproblem")
    await aigul.press(WATER_RU)
    [answer] = await aigul.send("\u3164" * 12 + "\uffa0\u115f")
    assert "Текст пустой" in plain(answer)
    assert (await _state(db, 143))["state"] == "problem:text"


async def test_html_text_is_shown_exactly_as_typed(harness, db: Database) -> None:
    aigul = await _onboard(harness, db, 151, "ky")
    ivan = await _onboard(harness, db, 152, "ru", name="Иван")
    typed = "Көчөдө <b>жарык</b> жок & балдар коркушат <3 \u202eтест"
    shown = typed.replace("\u202e", "")
    await aigul.send("/newproblem")
    await aigul.press("Көчө жарык")
    await aigul.send(typed)
    await aigul.press(SKIP)
    preview = (await aigul.press(SKIP))[-1]
    assert shown in plain(preview)
    problem_id = int(re.search(r"[#№](\d+)", plain((await aigul.press("✅"))[-1])).group(1))
    [card] = await open_card(ivan, problem_id)
    assert shown in plain(card)
    await ivan.send("/problems")
    [page] = await ivan.press("Приоритетные")
    assert shown in plain(page)


async def test_photos_album_file_voice_and_location(harness, db: Database) -> None:
    aigul = await _onboard(harness, db, 161, "ru")
    emu = harness.emulator
    await aigul.send("/newproblem")
    await aigul.press("Дороги")
    await aigul.send("Разбитый мост через арык на улице Ленина")
    [answer] = await aigul.send_document("photo.jpg")
    assert "как файл" in plain(answer) and "Черновик сохранён" in plain(answer)
    await aigul.send_album(4, group="album-1")  # an album of 4: three are taken, the fourth is refused once
    assert any("не больше 3 фото" in plain(m) for m in emu.bot_messages(161))
    [preview] = await aigul._act(emu.send_location(161, 42.8746, 74.5698))
    assert "Фото: 3" in plain(preview) and "прикреплено" in plain(preview)
    await aigul.press("✅")
    problem = (await pb.my_problems(db, 161))[0][0]
    assert len(problem.photos) == 3 and problem.latitude == 42.8746
    [card] = await open_card(aigul, problem.id)
    assert "🖼 Фото (3)" in labels(card)
    before = len(emu.bot_messages(161))
    await aigul.press("🖼 Фото", card)
    sent = emu.bot_messages(161)[before:]
    assert [("photo" in m) for m in sent] == [True, True, True, False]  # one album of 3, then a line under it
    assert "3 фото" in plain(sent[-1]) and labels(sent[-1]) == ["« Главное меню"]  # an album has no buttons
    await aigul.press("📍 Карта", card)
    assert "location" in emu.bot_messages(161)[-1] and labels(emu.bot_messages(161)[-1]) == ["« Главное меню"]

    # a voice message instead of text
    await aigul.send("/newproblem")
    await aigul.press("Другое")
    await aigul._act(emu.send_voice(161, duration=7))
    await aigul.press(SKIP)
    preview = (await aigul.press(SKIP))[-1]
    assert "Голосовое сообщение: 7 с" in plain(preview)
    await aigul.press("✅")
    voice = (await pb.my_problems(db, 161))[0][0]
    assert voice.text is None and voice.voice_file_id
    [card] = await open_card(aigul, voice.id)
    assert "голосовым сообщением (7 с)" in plain(card)
    await aigul.press("🎤", card)
    assert "voice" in emu.bot_messages(161)[-1]


async def test_photo_with_caption_at_the_text_step_keeps_both(harness, db: Database) -> None:
    aigul = await _onboard(harness, db, 101, "ru")
    await aigul.send("/newproblem")
    await aigul.press(WATER_RU)
    [answer] = await aigul.send_photo(caption=TEXT)
    state = await _state(db, 101)
    data = json.loads(state["data"])
    assert data["text"] == TEXT and len(data["photos"]) == 1 and state["state"] == "problem:photos"
    assert "Подпись к фото стала текстом" in plain(answer)
    [answer] = await aigul.send_photo()
    assert "2" in plain(answer) and len(json.loads((await _state(db, 101))["data"])["photos"]) == 2


async def test_photo_without_caption_at_the_text_step_asks_for_text(harness, db: Database) -> None:
    aigul = await _onboard(harness, db, 101, "ru")
    await aigul.send("/newproblem")
    await aigul.press(WATER_RU)
    [answer] = await aigul.send_photo()
    assert "Сначала опишите проблему текстом" in plain(answer)


async def test_voice_files_and_stickers_at_the_category_step_point_to_the_buttons(harness, db: Database) -> None:
    aigul = await _onboard(harness, db, 101, "ru")
    await aigul.send("/newproblem")
    for send in (aigul.send_document, aigul.send_sticker):
        [answer] = await send()
        assert "Воспользуйтесь кнопками" in plain(answer)
    [answer] = await aigul.send_voice()  # the problem said before the category: kept for the next steps
    assert "Сохранено" in plain(answer) and "🚰 Водоснабжение" in labels(answer)
    assert (await _state(db, 101))["state"] == "problem:category"


@pytest.mark.parametrize(("locale", "button", "shown", "question"), [
    ("ru", "Водоснабжение", "Категория: 🚰 Водоснабжение", "Выберите"),
    ("ky", "Суу менен камсыздоо", "Категория: 🚰 Суу менен камсыздоо", "тандаңыз"),
])
async def test_the_chosen_problem_category_replaces_the_question(harness, db: Database, locale, button, shown,
                                                                question) -> None:
    person = await _onboard(harness, db, 401, locale)
    [prompt] = await person.send("/newproblem")
    assert question in plain(prompt)
    edited, text_prompt = await person.press(button)
    assert edited["message_id"] == prompt["message_id"]
    assert shown in plain(edited) and question not in plain(edited)
    assert not labels(edited)  # the buttons are gone
    assert text_prompt["message_id"] != prompt["message_id"]


async def test_kyrgyz_wording_of_photo_count_and_raised(harness, db: Database) -> None:
    aigul = await _onboard(harness, db, 101, "ky")
    await aigul.send("/newproblem")
    await aigul.press("Суу менен камсыздоо")
    await aigul.send("Көчөдө үч күндөн бери суу жок, эл кыйналып жатат")
    [answer] = await aigul.send_photo()
    assert "3 сүрөттүн" not in plain(answer) and re.search(r"\(1 ?/ ?3\)", plain(answer))
    problem = await pb.raise_problem(db, author_id=101, category="water", text=TEXT)
    [card] = await open_card(aigul, problem.id)
    assert "— катталды (тургун)" in plain(card) and "жазылды" not in plain(card).lower()


async def test_similar_problems_offered_and_supported_instead(harness, db: Database) -> None:
    aigul = await _onboard(harness, db, 171, "ky")
    ivan = await _onboard(harness, db, 172, "ru", name="Иван")
    existing = await raise_problem(aigul, "Таштанды үч жумадан бери чыгарылбай жатат", "Таштанды")
    await ivan.send("/newproblem")
    await ivan.press("Мусор")
    await ivan.send("Мусор не вывозят, таштанды копится у школы")  # overlaps after folding: таштанды
    await ivan.press(SKIP)
    preview = (await ivan.press(SKIP))[-1]
    assert f"👍 Вместо этого поддержать {numbered(existing)}" in labels(preview)
    _msg, publish = ivan.find_button("Опубликовать", preview)
    await ivan.press("Вместо этого")
    assert await pb.is_supporting(db, existing, 172)
    assert await db.fetchval("SELECT count(*) FROM problems") == 1
    await ivan.press_data(preview["message_id"], publish)  # the stale Publish button
    assert STEP_DONE_RU in ivan.alerts()[-1]["text"]
    assert await db.fetchval("SELECT count(*) FROM problems") == 1


async def test_supporting_a_similar_problem_twice_says_so(harness, db: Database) -> None:
    aigul = await _onboard(harness, db, 173, "ky")
    ivan = await _onboard(harness, db, 174, "ru", name="Иван")
    existing = await raise_problem(aigul, "Таштанды үч жумадан бери чыгарылбай жатат", "Таштанды")
    for _ in range(2):  # the same villager writes the same problem again a week later
        await ivan.send("/newproblem")
        await ivan.press("Мусор")
        await ivan.send("Мусор не вывозят, таштанды копится у школы")
        await ivan.press(SKIP)
        await ivan.press(SKIP)
        await ivan.press("Вместо этого")
    assert [a["text"] for a in ivan.alerts() if a.get("text")][-2:] == ["Ваша поддержка учтена", "Вы уже поддерживаете её"]
    assert (await pb.get_problem(db, existing)).supports == 2


async def test_two_racing_publish_taps_create_one_problem(harness, db: Database) -> None:
    aigul = await _onboard(harness, db, 101, "ru")
    await _to_preview(aigul)
    message, data = aigul.find_button("✅")
    taps = [harness.emulator.press_button(101, message["message_id"], data) for _ in range(2)]
    await asyncio.gather(*(harness.feed(t) for t in taps))
    assert await db.fetchval("SELECT count(*) FROM problems WHERE author_id = 101") == 1
    assert any(STEP_DONE_RU in (a.get("text") or "") for a in aigul.alerts())


async def test_preview_step_is_stored_before_the_preview_is_sent(harness, db: Database, monkeypatch) -> None:
    """A quick tap on "Publish" always finds its step: the state is stored first (the kit's rule)."""
    from bot.handlers.problems import draft

    aigul = await _onboard(harness, db, 101, "ru")
    await aigul.send("/newproblem")
    await aigul.press(WATER_RU)
    await aigul.send(TEXT)
    await aigul.press(SKIP)
    seen: list[str] = []
    real = draft.preview_text

    def spy(data, similar):
        seen.append(data.get("token") or "")
        return real(data, similar)

    monkeypatch.setattr(draft, "preview_text", spy)
    await aigul.press(SKIP)
    state = await _state(db, 101)
    assert state["state"] == "problem:preview" and seen and json.loads(state["data"])["token"] == seen[0]


async def test_draft_survives_a_restart(harness, db: Database, settings) -> None:
    from bot.app import build_application

    ivan = await _onboard(harness, db, 181, "ru", name="Иван")
    await ivan.send("/newproblem")
    await ivan.press("Здравоохранение")
    await ivan.send("В ФАПе нет фельдшера уже два месяца")
    app = await build_application(settings.model_copy(update={"telegram_api_url": harness.emulator.base_url}), db)
    harness.dispatcher = app.dispatcher  # a new process: a new dispatcher on the same database file
    await ivan.press(SKIP)
    preview = (await ivan.press(SKIP))[-1]
    assert "В ФАПе нет фельдшера уже два месяца" in plain(preview)


async def test_a_draft_step_left_by_navigation_ignores_later_text(harness, db: Database) -> None:
    aigul = await _onboard(harness, db, 191, "ru")
    for leave in ("command", "menu button"):
        await aigul.send("/newproblem")
        await aigul.press(WATER_RU)  # the text step
        if leave == "command":
            await aigul.send("/problems")
        else:
            home = (await aigul.send("/help"))[0]  # /help leaves the step too (its draft kept), then a menu button
            await aigul.press_data(home["message_id"], "pb:home:0:0:r")
        replies = await aigul.send("Вода не идет третий день по улице Ленина")
        assert not any("фото" in plain(m).lower() for m in replies)  # not taken as the problem's text
        assert (await _state(db, 191))["state"] is None
    assert await db.fetchval("SELECT count(*) FROM problems") == 0


async def test_stale_category_button_does_not_take_over_another_flow(harness, db: Database) -> None:
    aigul = await _onboard(harness, db, 101, "ru", code=BISHKEK)
    [categories] = await aigul.send("/newproblem")
    await aigul.send("/services")
    await aigul.press("Предложить новую услугу")
    before = await _state(db, 101)
    _msg, data = aigul.find_button(WATER_RU, categories)
    await aigul.press_data(categories["message_id"], data)
    assert STEP_DONE_RU in aigul.alerts()[-1]["text"]
    assert (await _state(db, 101))["state"] == before["state"] and before["state"]


async def test_crafted_huge_ids_are_stale_buttons_not_crashes(harness, db: Database, caplog) -> None:
    aigul = await _onboard(harness, db, 101, "ru")
    [home] = await aigul.send("/problems")
    for data in ("pb:open:99999999999999999999:0:r", "pb:still:99999999999999999999:1:r",
                 "pb:list:0:99999999999999999999:r", "pb:sup:-1:0:r"):
        caplog.clear()
        await aigul.press_data(home["message_id"], data)
        assert not _errors(caplog), (data, _errors(caplog))
        assert STALE_RU in aigul.alerts()[-1]["text"], data
    await _to_preview(aigul)
    caplog.clear()
    await aigul.press_data(aigul.last()["message_id"], "st:problem:preview:i²")  # a crafted "support instead"
    assert "нельзя поддержать" in aigul.alerts()[-1]["text"]
    assert not _errors(caplog), _errors(caplog)


async def test_emoji_text_within_limit_fits_preview_card_and_full_text(harness, db: Database, caplog) -> None:
    aigul = await _onboard(harness, db, 101, "ru")
    officer = await _officer(harness, db, 103)
    caplog.clear()
    await aigul.send("/newproblem")
    await aigul.press(WATER_RU)
    await aigul.send("😀" * 2000)  # 2,000 characters = 4,000 UTF-16 units
    await aigul.press(SKIP)
    preview = (await aigul.press(SKIP))[-1]
    assert "✅ Опубликовать" in labels(preview)
    replies = await aigul.press("✅")
    problem_id = int(plain(replies[-1]).split("№")[1].split()[0])
    [card] = await open_card(aigul, problem_id)
    assert "📄 Полный текст" in labels(card) and "😀" in plain(card)
    replies = await aigul.press("📄 Полный текст", card)
    assert plain(replies[-1]).count("😀") == 2000 and labels(replies[-1]) == ["« Главное меню"]  # issue 12
    [queue] = await officer.send("/problems_queue")
    [officer_card] = await officer.press_data(queue["message_id"], f"po:open:{problem_id}::")
    assert "📄 Полный текст" in labels(officer_card)
    assert not _errors(caplog), _errors(caplog)


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
    await stranger.press_data(home["message_id"], f"pb:sup:{problem.id}:0:r")
    assert "своего муниципалитета" in stranger.alerts()[-1]["text"]
    neighbour = await _onboard(harness, db, 102, "ru", code=AK_DEBE)
    [card] = await open_card(neighbour, problem.id)
    assert "Вода не идет" in plain(card)


async def test_history_says_who_by_role_never_by_name(harness, db: Database) -> None:
    aigul = await _onboard(harness, db, 101, "ru", name="Айгүл")
    await _officer(harness, db, 103)
    problem = await pb.raise_problem(db, author_id=101, category="water", text=TEXT)
    await pb.change_status(db, officer_id=103, problem_id=problem.id, status="under_review", comment="Смотрим")
    [card] = await open_card(aigul, problem.id)
    history = plain(card).split("История")[1]
    assert "(житель)" in history and "(специалист муниципалитета)" in history
    assert "Айгүл" not in history and "Адис" not in history


async def test_still_a_problem_reopens_at_the_threshold(harness, db: Database) -> None:
    aigul = await _onboard(harness, db, 211, "ky")
    supporters = [await _onboard(harness, db, 212 + i, "ru", name=f"Житель {i}") for i in range(3)]
    await _officer(harness, db, 220)
    problem_id = await raise_problem(aigul, "Ооруканада дары-дармек жок, кезек узун", "Саламаттык сактоо")
    for person in supporters:
        await pb.support(db, problem_id=problem_id, resident_id=person.user_id)
    await pb.change_status(db, officer_id=220, problem_id=problem_id, status="solved")
    still = f"pb:still:{problem_id}:1:r"
    for index, person in enumerate(supporters):
        await person.send("/problems")
        await person.press_data(person.last()["message_id"], still)
        first_answer = person.alerts()[-1]["text"]
        await person.press_data(person.last()["message_id"], still)  # a double tap counts once
        status = (await pb.get_problem(db, problem_id)).status
        assert status == ("under_review" if index == 2 else "solved")
    assert "снова на рассмотрении" in first_answer
    reopened = await deliveries(db, "problem_reopened")
    [(_officer_id, notice)] = [(rid, c) for rid, c in reopened if rid == 220]
    assert "3 жителя" in text_of(notice, "ru")
    told = {rid: c for rid, c in reopened if rid != 220}
    assert sorted(told) == [211, 212, 213, 214]
    assert "снова на рассмотрении" in text_of(told[212], "ru")
    assert "кайра каралууда" in text_of(told[211], "ky")
    # a solved problem reopened: "still a problem?" now says it is no longer marked solved
    await supporters[0].press_data(supporters[0].last()["message_id"], still)
    assert "больше не отмечена" in supporters[0].alerts()[-1]["text"] or "Спасибо" in supporters[0].alerts()[-1]["text"]
    events = await pb.history(db, problem_id)
    assert (events[-1].action, events[-1].actor_id) == ("reopened", None)


async def test_longest_card_fits_one_message(harness, db: Database) -> None:
    ivan = await _onboard(harness, db, 231, "ru", name="Иван")
    officer = await _officer(harness, db, 232)
    problem = await pb.raise_problem(db, author_id=231, category="other", text="<&>" * 666 + "ab")  # 2,000 characters
    for status in ("under_review", "prioritized", "in_action_plan", "at_hearing", "in_budget", "in_progress"):
        await pb.change_status(db, officer_id=232, problem_id=problem.id, status=status, comment="<ю>" * 166)
    [card] = await open_card(ivan, problem.id)
    assert "<&>" * 666 in plain(card) and len(plain(card)) <= 4096
    # the officer applies the last step without a comment, from the card's buttons
    [home] = await officer.send("/problems_queue")
    [officer_card] = await officer.press_data(home["message_id"], f"po:more:{problem.id}::")
    await officer.press("Решена", officer_card)
    replies = await officer.press("Применить без комментария")
    assert "«Решена»" in plain(replies[-1])
    assert (await pb.get_problem(db, problem.id)).status == "solved"
