"""Problems through the real dispatcher and the Bot API emulator, in both languages."""

from __future__ import annotations

import asyncio
import json
import logging
import re

from bot.db import Database
from bot.domain import problems as pb
from bot.domain.officers import grant_officer
from bot.domain.outbox import Content
from bot.domain.residents import set_locale, set_municipality, touch_resident
from tests.conftest import SUPERADMIN_ID
from tests.harness import labels, plain

AK_DEBE = "41708203803000"
BISHKEK = "41711000000000"


async def _onboard(harness, db: Database, user_id: int, locale: str, code: str = AK_DEBE, name: str = "Айгүл"):
    person = harness.person(user_id, name, language_code=locale)
    await touch_resident(db, user_id, first_name=name, last_name=None, username=None, language_code=locale)
    await set_locale(db, user_id, locale)
    await set_municipality(db, user_id, code)
    return person


async def _officer(harness, db: Database, user_id: int, code: str = AK_DEBE, locale: str = "ru"):
    person = await _onboard(harness, db, user_id, locale, code, name="Адис")
    await grant_officer(db, actor_id=SUPERADMIN_ID, superadmins=frozenset({SUPERADMIN_ID}), telegram_id=user_id,
                        municipality_code=code)
    return person


async def _raise(person, text: str, category_label: str) -> int:
    """Raise a problem through the buttons; returns its id."""
    await person.send("/newproblem")
    await person.press(category_label)
    await person.send(text)
    await person.press("»")  # skip photos
    await person.press("»")  # skip location
    replies = await person.press("✅")
    return int(re.search(r"[#№](\d+)", plain(replies[-1])).group(1))


async def _deliveries(db: Database, kind: str) -> list[tuple[int, Content]]:
    rows = await db.fetchall(
        "SELECT d.resident_id, b.content FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id"
        " WHERE b.kind = ? ORDER BY d.resident_id", (kind,))
    return [(r[0], Content.from_json(r[1])) for r in rows]


async def test_raise_support_status_notification_in_both_languages(harness, db: Database) -> None:
    aigul = await _onboard(harness, db, 101, "ky")
    ivan = await _onboard(harness, db, 102, "ru", name="Иван")
    officer = await _officer(harness, db, 103)

    [menu] = await aigul.send("/problems")
    assert "Ак-Дебе" in plain(menu) or "Ак Дебе" in plain(menu)
    problem_id = await _raise(aigul, "Көчөдө суу жок, үч күндөн бери кран кургак", "Суу менен камсыздоо")

    # Ivan (ru) sees it in the ranked list and supports it with one tap
    await ivan.send("/problems")
    [page] = await ivan.press("Приоритетные")
    assert f"#{problem_id}" in plain(page) and "Поддерживает 1 житель" in plain(page)
    [card] = await ivan.press(f"#{problem_id}")
    assert "Көчөдө суу жок" in plain(card)
    [card] = await ivan.press("Поддержать", card)
    assert "Поддерживают 2 жителя" in plain(card)
    assert "Отозвать" in " ".join(labels(card))

    # the officer moves it on with a comment
    [queue] = await officer.send("/problems_queue")
    assert f"#{problem_id}" in plain(queue)
    await officer.press(f"#{problem_id}", queue)
    await officer.press("→")
    await officer.send("Рассмотрим на сессии кенеша")
    row = await db.fetchone("SELECT status FROM problems WHERE id = ?", (problem_id,))
    assert row["status"] == "under_review"

    notices = await _deliveries(db, "problem_status")
    assert [rid for rid, _c in notices] == [101, 102]
    content = notices[0][1]
    assert "Каралууда" in content.for_locale("ky").text
    assert "На рассмотрении" in content.for_locale("ru").text
    assert "Рассмотрим на сессии кенеша" in content.for_locale("ru").text
    history = await pb.history(db, problem_id)
    assert [(e.action, e.new_status, e.actor_id) for e in history] == [
        ("created", "new", 101), ("status", "under_review", 103)]
    assert history[1].comment == "Рассмотрим на сессии кенеша"


    # the reader's own language on the card
    [card] = await _open_card(aigul, problem_id)
    assert "Абалы: Каралууда" in plain(card) and "Рассмотрим на сессии кенеша" in plain(card)


async def _open_card(person, problem_id: int):
    """Open a card by its button data (from a fresh /problems screen)."""
    [home] = await person.send("/problems")
    return await person.press_data(home["message_id"], f"pb:open:{problem_id}:0:r")


async def test_notice_arrives_through_the_delivery_worker(harness, db: Database, settings) -> None:
    from bot.delivery.worker import DeliveryWorker

    aigul = await _onboard(harness, db, 111, "ky")
    ivan = await _onboard(harness, db, 112, "ru", name="Иван")
    problem_id = await _raise(aigul, "Мектептин чатыры агып жатат, балдар суук класста окушат", "Мектептер")
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
    problem_id = await _raise(aigul, "Көчө жарыгы күйбөйт, кечинде караңгы", "Көчө жарык")
    [card] = await _open_card(ivan, problem_id)
    _msg, data = ivan.find_button("Поддержать", card)
    await asyncio.gather(ivan.press_data(card["message_id"], data), ivan.press_data(card["message_id"], data))
    assert await db.fetchval("SELECT supports FROM problems WHERE id = ?", (problem_id,)) == 2
    assert await db.fetchval("SELECT count(*) FROM problem_supports WHERE problem_id = ?", (problem_id,)) == 2
    # and through the domain directly, many at once
    results = await asyncio.gather(*(pb.support(db, problem_id=problem_id, resident_id=122) for _ in range(5)))
    assert not any(r.changed for r in results)
    assert (await pb.get_problem(db, problem_id)).supports == 2


async def test_stale_card_after_merge_and_hide(harness, db: Database) -> None:
    aigul = await _onboard(harness, db, 131, "ky")
    ivan = await _onboard(harness, db, 132, "ru", name="Иван")
    await _officer(harness, db, 133)
    first = await _raise(aigul, "Жол бузулган, машиналар өтө албайт", "Жолдор")
    second = await _raise(aigul, "Жолдо чоң чуңкурлар бар, жол бузулган", "Жолдор")
    [stale] = await _open_card(ivan, first)
    _msg, support_data = ivan.find_button("Поддержать", stale)
    await pb.support(db, problem_id=second, resident_id=132)
    await pb.mark_duplicate(db, officer_id=133, problem_id=first, target_id=second)

    replies = await ivan.press_data(stale["message_id"], support_data)
    assert f"объединена с проблемой №{second}" in ivan.alerts()[-1]["text"]
    assert replies and f"#{second}" in plain(replies[-1])  # the card now shows the target
    target = await pb.get_problem(db, second)
    assert target.supports == 2  # Aigul (author of both) and Ivan, each once

    await pb.hide_problem(db, officer_id=133, problem_id=second, reason="Оскорбления")
    await ivan.press_data(stale["message_id"], f"pb:open:{second}:0:r")
    assert "скрыта" in ivan.alerts()[-1]["text"]
    await ivan.press_data(stale["message_id"], f"pb:sup:{second}:0:r")
    assert "скрыта" in ivan.alerts()[-1]["text"]
    page, total = await pb.ranked_page(db, AK_DEBE)
    assert total == 0 and page == []
    # the author is told why, in their language
    [(rid, content)] = await _deliveries(db, "problem_hidden")
    assert rid == 131 and "Оскорбления" in content.for_locale("ky").text and "жашырылды" in content.for_locale("ky").text


async def test_sticker_and_too_long_text_keep_the_draft(harness, db: Database) -> None:
    ivan = await _onboard(harness, db, 141, "ru", name="Иван")
    aigul = await _onboard(harness, db, 142, "ky")
    for person, category, sticker_hint, limit_words in (
        (ivan, "Водоснабжение", "текстовым сообщением", ("не длиннее", "черновик сохранён")),
        (aigul, "Суу менен камсыздоо", "текст менен", ("эң көп", "долбооруңуз сакталды")),
    ):
        await person.send("/newproblem")
        prompt = (await person.press(category))[-1]
        assert "2" in plain(prompt) and "000" in plain(prompt)  # the bounds are stated
        [answer] = await person.send_sticker()
        assert sticker_hint in plain(answer)
        [answer] = await person.send("ңөү" * 1667)  # 5,001 characters
        digits = re.sub(r"\s", "", plain(answer))
        assert "2000" in digits and "5001" in digits
        assert all(w in plain(answer) for w in limit_words)
        [short] = await person.send("суу")
        assert "10" in plain(short)
        [next_step] = await person.send("Суу түтүгү жарылып, көчөнү суу каптады")
        assert "3" in plain(next_step) and labels(next_step)  # the photos step: the category was kept
    state = await db.fetchone("SELECT data FROM fsm_state WHERE storage_key LIKE ?", ("%141%",))
    assert json.loads(state["data"])["category"] == "water"


async def test_html_text_is_shown_exactly_as_typed(harness, db: Database) -> None:
    aigul = await _onboard(harness, db, 151, "ky")
    ivan = await _onboard(harness, db, 152, "ru", name="Иван")
    typed = "Көчөдө <b>жарык</b> жок & балдар коркушат <3 \u202eтест"
    shown = typed.replace("\u202e", "")
    await aigul.send("/newproblem")
    await aigul.press("Көчө жарык")
    await aigul.send(typed)
    await aigul.press("»")
    preview = (await aigul.press("»"))[-1]
    assert shown in plain(preview)
    problem_id = int(re.search(r"[#№](\d+)", plain((await aigul.press("✅"))[-1])).group(1))
    [card] = await _open_card(ivan, problem_id)
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
    for _i in range(4):  # an album of 4: three are taken, the fourth is refused once
        await aigul._act(emu.send_photo(161, media_group_id="album-1"))
    assert any("не больше 3 фото" in plain(m) for m in emu.bot_messages(161))
    [preview] = await aigul._act(emu.send_location(161, 42.8746, 74.5698))
    assert "Фото: 3" in plain(preview) and "прикреплено" in plain(preview)
    await aigul.press("✅")
    problem = (await pb.my_problems(db, 161))[0][0]
    assert len(problem.photos) == 3 and problem.latitude == 42.8746
    [card] = await _open_card(aigul, problem.id)
    assert "🖼 Фото (3)" in labels(card)
    before = len(emu.bot_messages(161))
    await aigul.press("🖼 Фото", card)
    assert len(emu.bot_messages(161)) - before == 3  # one album of 3
    await aigul.press("📍 Карта", card)
    assert "location" in emu.bot_messages(161)[-1]

    # a voice message instead of text
    await aigul.send("/newproblem")
    await aigul.press("Другое")
    await aigul._act(emu.send_voice(161, duration=7))
    await aigul.press("»")
    preview = (await aigul.press("»"))[-1]
    assert "Голосовое сообщение: 7 с" in plain(preview)
    await aigul.press("✅")
    voice = (await pb.my_problems(db, 161))[0][0]
    assert voice.text is None and voice.voice_file_id
    [card] = await _open_card(aigul, voice.id)
    assert "голосовым сообщением (7 с)" in plain(card)
    await aigul.press("🎤", card)
    assert "voice" in emu.bot_messages(161)[-1]


async def test_similar_problems_offered_and_supported_instead(harness, db: Database) -> None:
    aigul = await _onboard(harness, db, 171, "ky")
    ivan = await _onboard(harness, db, 172, "ru", name="Иван")
    existing = await _raise(aigul, "Таштанды үч жумадан бери чыгарылбай жатат", "Таштанды")
    await ivan.send("/newproblem")
    await ivan.press("Мусор")
    await ivan.send("Мусор не вывозят, таштанды копится у школы")  # overlaps after folding: таштанды
    await ivan.press("»")
    preview = (await ivan.press("»"))[-1]
    assert f"👍 Вместо этого поддержать №{existing}" in labels(preview)
    await ivan.press("Вместо этого")
    assert await pb.is_supporting(db, existing, 172)
    assert await db.fetchval("SELECT count(*) FROM problems") == 1
    await ivan.press_data(preview["message_id"], "pd:publish:")  # the stale Publish button
    assert "уже опубликован или отменён" in ivan.alerts()[-1]["text"]
    assert await db.fetchval("SELECT count(*) FROM problems") == 1


async def test_draft_survives_a_restart(harness, db: Database, settings) -> None:
    from bot.app import build_application

    ivan = await _onboard(harness, db, 181, "ru", name="Иван")
    await ivan.send("/newproblem")
    await ivan.press("Здравоохранение")
    await ivan.send("В ФАПе нет фельдшера уже два месяца")
    # a new process: a new dispatcher on the same database file
    app = await build_application(settings.model_copy(update={"telegram_api_url": harness.emulator.base_url}), db)
    harness.dispatcher = app.dispatcher
    await ivan.press("»")
    preview = (await ivan.press("»"))[-1]
    assert "В ФАПе нет фельдшера уже два месяца" in plain(preview)


async def test_officer_of_another_municipality_is_refused(harness, db: Database, caplog) -> None:
    aigul = await _onboard(harness, db, 191, "ky")
    problem_id = await _raise(aigul, "Бала бакчада орун жетишсиз, кезек чоң", "Бала бакчалар")
    stranger = await _officer(harness, db, 192, code=BISHKEK)
    [queue] = await stranger.send("/problems_queue")
    assert f"#{problem_id}" not in plain(queue)
    caplog.set_level(logging.WARNING)
    for data in (f"po:go:{problem_id}:solved:new", f"po:open:{problem_id}::", f"po:reject:{problem_id}::",
                 f"po:hide:{problem_id}::", f"po:status:{problem_id}:prioritized:new"):
        await stranger.press_data(queue["message_id"], data)
        assert "другому муниципалитету" in stranger.alerts()[-1]["text"]
    assert sum("refused" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING) == 5
    problem = await pb.get_problem(db, problem_id)
    assert problem.status == "new" and not problem.hidden
    assert await db.fetchval("SELECT count(*) FROM problem_events WHERE problem_id = ?", (problem_id,)) == 1
    assert await db.fetchval("SELECT count(*) FROM broadcasts") == 0
    # a resident of Bishkek cannot support it either
    bishkek = await _onboard(harness, db, 193, "ru", code=BISHKEK)
    await bishkek.send("/problems")
    await bishkek.press_data(bishkek.last()["message_id"], f"pb:sup:{problem_id}:0:r")
    assert "своего муниципалитета" in bishkek.alerts()[-1]["text"]


async def test_officer_reject_duplicate_hide_and_export(harness, db: Database) -> None:
    aigul = await _onboard(harness, db, 201, "ky")
    officer = await _officer(harness, db, 202, locale="ky")
    first = await _raise(aigul, "Сугат суу жетпей жатат, эгин куурап калды", "Сугат")
    second = await _raise(aigul, "Арыкка суу келбей жатат, сугат суу жетпейт", "Сугат")
    third = await _raise(aigul, "Бул жерде кимдир бирөө жөнүндө жаман сөздөр", "Башка")
    open_target = await _raise(aigul, "Жогорку көчөдө суу түтүгү жарылып, суу агып жатат", "Суу менен камсыздоо")

    [queue] = await officer.send("/problems_queue")
    assert all(f"#{i}" in plain(queue) for i in (first, second, third))
    # reject: a reason is required
    await officer.press_data(queue["message_id"], f"po:reject:{first}::")
    [answer] = await officer.send_sticker()
    assert "текст" in plain(answer).lower()
    await officer.send("Бул маселе райондун карамагында")
    assert (await pb.get_problem(db, first)).status == "rejected"
    [(rid, content)] = await _deliveries(db, "problem_status")
    assert rid == 201 and "Бул маселе райондун карамагында" in content.for_locale("ky").text
    assert "отклонена" in content.for_locale("ru").text
    # duplicate of #N
    await officer.press_data(queue["message_id"], f"po:dup:{second}::")
    [answer] = await officer.send(f"#{second}")
    assert "өзүн өзү" in plain(answer)
    [answer] = await officer.send(str(first))  # rejected: only an open problem takes in a duplicate
    assert "чечилген же четке кагылган" in plain(answer)
    assert (await pb.get_problem(db, second)).status == "new"
    await officer.send(str(open_target))
    assert (await pb.get_problem(db, second)).duplicate_of == open_target
    # hide with a reason
    await officer.press_data(queue["message_id"], f"po:hide:{third}::")
    await officer.send("Кемсинткен сөздөр")
    assert (await pb.get_problem(db, third)).hidden
    history = [(e.action, e.actor_id) for e in await pb.history(db, third)]
    assert history == [("created", 201), ("hidden", 202)]

    # export for the hearing: CSV and chart
    fourth = await _raise(aigul, "Клубдун чатыры агып жатат, жыйындар өтпөй калды", "Маданият жана спорт")
    emu = harness.emulator
    before = len(emu.bot_messages(202))
    await officer.send("/problems_export")
    sent = emu.bot_messages(202)[before:]
    assert [("document" in m, "photo" in m) for m in sent] == [(True, False), (False, True)]
    assert sent[0]["document"]["file_name"].endswith(".csv")
    assert f"#{fourth}" not in plain(sent[0])


async def test_still_a_problem_reopens_at_the_threshold(harness, db: Database, settings) -> None:
    aigul = await _onboard(harness, db, 211, "ky")
    supporters = [await _onboard(harness, db, 212 + i, "ru", name=f"Житель {i}") for i in range(3)]
    await _officer(harness, db, 220)
    problem_id = await _raise(aigul, "Ооруканада дары-дармек жок, кезек узун", "Саламаттык сактоо")
    for person in supporters:
        await pb.support(db, problem_id=problem_id, resident_id=person.user_id)
    await pb.change_status(db, officer_id=220, problem_id=problem_id, status="solved")
    [(_rid, content), *_rest] = await _deliveries(db, "problem_status")
    still = content.for_locale("ru").buttons[0][0].callback_data
    assert still == pb.still_data(problem_id, True)
    for index, person in enumerate(supporters):
        await person.send("/problems")
        await person.press_data(person.last()["message_id"], still)
        first_answer = person.alerts()[-1]["text"]
        await person.press_data(person.last()["message_id"], still)  # a double tap counts once
        status = (await pb.get_problem(db, problem_id)).status
        assert status == ("under_review" if index == 2 else "solved")
    assert "снова на рассмотрении" in first_answer
    reopened = await _deliveries(db, "problem_reopened")
    [(officer_id, notice)] = [(rid, c) for rid, c in reopened if rid == 220]
    assert "3 жителя" in notice.for_locale("ru").text
    # the author and the supporters are told too, with their own text (issue #4, item 3)
    told = {rid: c for rid, c in reopened if rid != 220}
    assert sorted(told) == [211, 212, 213, 214]
    assert "снова на рассмотрении" in told[212].for_locale("ru").text
    assert "кайра каралууда" in told[211].for_locale("ky").text
    events = await pb.history(db, problem_id)
    assert (events[-1].action, events[-1].actor_id) == ("reopened", None)


async def test_longest_card_fits_one_message(harness, db: Database) -> None:
    ivan = await _onboard(harness, db, 231, "ru", name="Иван")
    officer = await _officer(harness, db, 232)
    problem = await pb.raise_problem(db, author_id=231, category="other", text="<&>" * 666 + "ab")  # 2,000 characters
    for status in ("under_review", "prioritized", "in_action_plan", "at_hearing", "in_budget", "in_progress"):
        await pb.change_status(db, officer_id=232, problem_id=problem.id, status=status, comment="<ю>" * 166)
    [card] = await _open_card(ivan, problem.id)
    assert "<&>" * 666 in plain(card) and len(plain(card)) <= 4096
    # the officer applies the last step without a comment, from the card's buttons
    [home] = await officer.send("/problems_queue")
    [officer_card] = await officer.press_data(home["message_id"], f"po:more:{problem.id}::")
    await officer.press("Решена", officer_card)
    replies = await officer.press("Применить без комментария")
    assert "«Решена»" in plain(replies[-1])
    assert (await pb.get_problem(db, problem.id)).status == "solved"
