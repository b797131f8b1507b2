"""A villager who just writes the problem (or says it in a voice message) without opening any menu
(issue 12: "I didn't understand" was the answer): through the real dispatcher, the message is kept
and offered as a priority problem; the form starts with it and skips the text step; nothing is
published without the form's own confirmation; short chatter still gets the menu."""

from __future__ import annotations

from bot.db import Database
from bot.domain import problems as pb
from tests.harness import labels, plain
from tests.problems_support import SKIP
from tests.support import onboard

TEXT_KY = "Биздин көчөдө эки жумадан бери суу жок, балдар мектепке суусуз барып жатат"


async def test_a_text_sent_outside_any_form_is_offered_and_raised_as_written(harness, db: Database) -> None:
    aigul = await onboard(harness, db, 901, "ky")
    [offer] = await aigul.send(TEXT_KY)
    assert "артыкчылыктуу көйгөй" in plain(offer) and labels(offer) == ["📝 Көйгөй катары көтөрүү", "« Башкы меню"]
    assert await db.fetchval("SELECT count(*) FROM problems") == 0  # nothing published by just writing
    [ask] = await aigul.press("📝 Көйгөй катары көтөрүү")
    assert "Биздин көчөдө эки жумадан бери суу жок" in plain(ask)  # the text is kept, shown above the choice
    replies = await aigul.press("Суу менен камсыздоо")
    assert "сүрөт" in plain(replies[-1]).lower()  # straight to the photos: the text is not asked again
    await aigul.press(SKIP)
    preview = (await aigul.press(SKIP))[-1]
    assert "Биздин көчөдө" in plain(preview)
    await aigul.press("✅")
    [[problem], _total] = await pb.my_problems(db, 901)
    assert problem.text == TEXT_KY and problem.category == "water"


async def test_a_voice_message_outside_any_form_becomes_a_voice_problem(harness, db: Database) -> None:
    ivan = await onboard(harness, db, 902, "ru", name="Иван")
    [offer] = await ivan._act(harness.emulator.send_voice(902, duration=9))
    assert "📝 Поднять как проблему" in labels(offer)
    [ask] = await ivan.press("📝 Поднять как проблему")
    assert "голосовое сообщение сохранено" in plain(ask).lower()
    await ivan.press("Дороги")
    await ivan.press(SKIP)
    preview = (await ivan.press(SKIP))[-1]
    assert "9 с" in plain(preview)
    await ivan.press("✅")
    [[problem], _total] = await pb.my_problems(db, 902)
    assert problem.text is None and problem.voice_file_id


async def test_short_chatter_gets_the_menu_and_a_stale_offer_says_so(harness, db: Database) -> None:
    ivan = await onboard(harness, db, 903, "ru", name="Иван")
    [reply] = await ivan.send("привет")
    assert plain(reply).startswith("Я вас не понял") and labels(reply) == ["« Главное меню"]
    [offer] = await ivan.send("На нашей улице третий месяц не горят фонари, вечером страшно ходить")
    await ivan.send("/newproblem")  # another form opened: the kept message is gone with the old data
    await ivan.press_data(offer["message_id"], offer["reply_markup"]["inline_keyboard"][0][0]["callback_data"])
    assert "больше не сохранено" in ivan.alerts()[-1]["text"]
    assert await db.fetchval("SELECT count(*) FROM problems") == 0


async def test_an_album_with_a_caption_outside_any_form_becomes_a_problem_with_its_photos(
        harness, db: Database) -> None:
    aigul = await onboard(harness, db, 904, "ky")
    replies = await aigul.send_album(2, captions={1: TEXT_KY}, group="offer-album")
    [_offer] = [m for m in replies if "📝 Көйгөй катары көтөрүү" in labels(m)]  # one answer for the album
    await aigul.press("📝 Көйгөй катары көтөрүү")
    replies = await aigul.press("Суу менен камсыздоо")
    assert "2/3" in plain(replies[-1])  # both photos are in the draft already
    await aigul.press("Даяр »")
    preview = (await aigul.press(SKIP))[-1]
    assert TEXT_KY[:20] in plain(preview)
    await aigul.press("✅")
    [[problem], _total] = await pb.my_problems(db, 904)
    assert problem.text == TEXT_KY and len(problem.photos) == 2


async def test_a_photo_alone_is_offered_and_the_text_is_asked(harness, db: Database) -> None:
    ivan = await onboard(harness, db, 905, "ru", name="Иван")
    [offer] = await ivan.send_photo()
    assert "📝 Поднять как проблему" in labels(offer)
    await ivan.press("📝 Поднять как проблему")
    replies = await ivan.press("Дороги")
    assert "Опишите" in plain(replies[-1]) or "опишите" in plain(replies[-1])  # the text step
    replies = await ivan.send("Яма посреди дороги у школы, машины объезжают по тротуару")
    assert "1 из 3" in plain(replies[-1])  # the photo sent first is in the draft


async def test_a_text_too_long_for_a_problem_says_how_long_it_may_be(harness, db: Database) -> None:
    ivan = await onboard(harness, db, 906, "ru", name="Иван")
    [reply] = await ivan.send("Дорога разбита. " * 150)
    assert "не больше 2\xa0000" in plain(reply) or "2 000" in plain(reply).replace("\xa0", " ")
    assert labels(reply) == ["➕ Сообщить о проблеме", "« Главное меню"]


async def test_the_problem_typed_at_the_category_step_is_kept(harness, db: Database) -> None:
    aigul = await onboard(harness, db, 907, "ky")
    await aigul.send("/newproblem")
    [long] = await aigul.send("Жол бузулган. " * 200)  # too long: said so, with the buttons
    assert "2\xa0000" in plain(long) and "🚰 Суу менен камсыздоо" in labels(long)
    [kept] = await aigul.send(TEXT_KY)  # written before choosing a category
    assert "🚰 Суу менен камсыздоо" in labels(kept) and "Сакталды" in plain(kept)  # the buttons again, under the note
    replies = await aigul.press("Суу менен камсыздоо")
    assert "сүрөт" in plain(replies[-1]).lower()  # the text is not asked again
    await aigul.press(SKIP)
    await aigul.press(SKIP)
    await aigul.press("✅")
    [[problem], _total] = await pb.my_problems(db, 907)
    assert problem.text == TEXT_KY
