"""Onboarding through the real dispatcher: language, municipality picker, search, menu, bad input,
double taps, and the picker's step ending when the person goes elsewhere."""

from __future__ import annotations

import asyncio

import pytest

from bot.db import Database
from bot.domain.residents import get_resident
from bot.i18n import _
from tests.harness import Harness, Person, labels, plain
from tests.support import ALAMUDUN, BISHKEK


async def _onboard_ru(person: Person) -> None:
    await person.send("/start")
    await person.press("Русский")
    await person.press("г. Бишкек")


async def test_kyrgyz_speaker_onboards_through_the_picker(harness: Harness, db: Database) -> None:
    aigul = harness.person(101, "Айгүл", language_code=None)
    [prompt] = await aigul.send("/start")
    assert "Тилди тандаңыз." in plain(prompt) and "Выберите язык." in plain(prompt)
    assert labels(prompt) == ["Кыргызча", "Русский"]

    replies = await aigul.press("Кыргызча")
    assert any(plain(m) == "Тил: Кыргызча" for m in replies)
    picker = replies[-1]
    assert "Кайсы жерде жашайсыз?" in plain(picker)
    assert "Чүй облусу" in labels(picker)

    [districts] = await aigul.press("Чүй облусу")
    assert "Районуңузду же шаарыңызды тандаңыз" in plain(districts)
    [municipalities] = await aigul.press("Аламүдүн району")
    # names without an attested Kyrgyz form are shown in Russian
    # short names on the buttons (the type words dropped), the full ones listed above them
    assert "Аламүдүн" in labels(municipalities) or "›" in labels(municipalities)
    while "Аламүдүн" not in labels(municipalities):
        [municipalities] = await aigul.press("›", municipalities)
    assert "• Аламүдүн айыл аймагы" in plain(municipalities)
    replies = await aigul.press("Аламүдүн", municipalities)
    assert "✅" in plain(replies[0]) and "Аламүдүн айыл аймагы (Аламүдүн району, Чүй облусу)." in plain(replies[0])
    assert "Башкы меню" in plain(replies[-1])

    stored = await get_resident(db, 101)
    assert (stored.locale, stored.municipality_code, stored.first_name, stored.active) == ("ky", ALAMUDUN, "Айгүл", True)


async def test_russian_speaker_finds_municipality_typed_on_a_russian_keyboard(harness: Harness, db: Database) -> None:
    ivan = harness.person(102, "Иван", last_name="Петров", language_code="ru")
    await ivan.send("/start")
    await ivan.press("Русский")
    [results] = await ivan.send("аламудун")
    assert "Аламудунский · Аламудунский" in labels(results)  # the short name · the district
    assert "Аламудунский айылный аймак (Аламудунский район, Чуйская область)" in plain(results)
    replies = await ivan.press("Аламудунский · Аламудунский")
    assert "✅ Ваш муниципалитет: Аламудунский айылный аймак" in plain(replies[0])
    assert (await get_resident(db, 102)).municipality_code == ALAMUDUN


async def test_cities_with_a_single_choice_are_picked_in_one_tap(harness: Harness, db: Database) -> None:
    user = harness.person(103, "Нурлан", language_code="ru")
    await user.send("/start")
    await user.press("Русский")
    replies = await user.press("г. Бишкек")
    assert plain(replies[0]) == "✅ Ваш муниципалитет: г. Бишкек."  # the city is not named three times
    assert (await get_resident(db, 103)).municipality_code == BISHKEK


async def test_language_switch_changes_every_later_text(harness: Harness) -> None:
    user = harness.person(104, "Бермет", language_code="ky")
    await user.send("/start")
    await user.press("Кыргызча")
    await user.press("Ош шаары")
    [prompt] = await user.send("/language")
    replies = await user.press("Русский", prompt)
    assert plain(replies[0]) == "Язык: Русский"
    assert "Главное меню" in plain(replies[-1])
    [help_message] = await user.send("/help")
    assert "/municipality — сменить муниципалитет" in plain(help_message)


async def test_telegram_language_code_picks_the_first_texts_and_unknown_codes_fall_back(harness: Harness) -> None:
    for user_id, code in ((105, "uz"), (106, "kk"), (107, "en"), (108, None)):
        user = harness.person(user_id, "Test", language_code=code)
        [answer] = await user.send("/help")
        assert "/menu — башкы меню" in plain(answer), code  # DEFAULT_LOCALE=ky in the test settings
    ru = harness.person(109, "Test", language_code="ru")
    [answer] = await ru.send("/help")
    assert "/menu — главное меню" in plain(answer)


async def test_search_bad_input_gets_clear_answers_and_keeps_the_step(harness: Harness) -> None:
    user = harness.person(110, "Асель", language_code="ru")
    await user.send("/start")
    await user.press("Русский")
    [sticker] = await user.send_sticker()
    assert "текстом" in plain(sticker)  # the kit's one answer to a non-text where text is asked
    [voice] = await user.send_voice()
    assert "текстом" in plain(voice)
    [photo] = await user.send_photo()
    assert "текстом" in plain(photo)
    [nothing] = await user.send("<b>Атлантида</b> & <3")
    assert "«<b>Атлантида</b> & <3»" in plain(nothing)  # shown back as typed, escaped
    assert "alamudun" in plain(nothing)  # Latin letters work too, and the answer says so
    [hidden] = await user.send("\u200bала\u00adмудун\u202e")  # invisible characters from copied text
    assert "Аламудунский · Аламудунский" in labels(hidden)
    [short] = await user.send("а")
    assert "хотя бы 2 буквы" in plain(short)
    [results] = await user.send("кара")
    assert "›" in labels(results)  # many hits: pages
    # still in the picker: a good name still works afterwards
    [results] = await user.send("Кара-Балта")
    assert any("Кара-Балта" in label for label in labels(results))
    # last, since a text right after a refused long one is taken for its split-off tail (the kit's rule)
    [long_answer] = await user.send("ңөү" * 1700)
    assert "Слишком длинно: не больше 60 символов, у вас 5\xa0100 символов." in plain(long_answer)


async def test_stale_and_double_taps_do_not_break_anything(harness: Harness, db: Database) -> None:
    user = harness.person(111, "Данияр", language_code="ru")
    [prompt] = await user.send("/start")
    await user.press("Русский", prompt)
    # a second tap on the same old language button: nothing breaks, the language stays
    await user.press("Русский", prompt)
    picker = next(m for m in reversed(harness.emulator.bot_messages(111)) if "Где вы живёте?" in plain(m))
    await user.press("Чуйская область", picker)
    await user.press("Чуйская область", picker)  # double tap: the same screen again, no error
    # a button from a version that no longer exists
    before = len(user.alerts())
    await user.press_data(picker["message_id"], "obsolete:42")
    assert user.alerts()[before]["text"] == "Эта кнопка устарела. Отправьте /menu, чтобы начать заново."
    # a municipality code that is not in the list (crafted or removed)
    await user.press_data(picker["message_id"], "mun:41700000000000")
    assert "больше нет в списке" in user.alerts()[-1]["text"]
    assert (await get_resident(db, 111)).municipality_code is None
    # a page number far out of range is clamped, not an error
    replies = await user.press_data(picker["message_id"], "geo:oblast:41708:999")
    assert replies and "›" not in labels(replies[-1])


async def test_unknown_commands_and_stray_messages_after_onboarding(harness: Harness) -> None:
    user = harness.person(112, "Гульнара", language_code="ru")
    await user.send("/start")
    await user.press("Русский")
    await user.press("г. Ош")
    [unknown] = await user.send("/foo")
    assert plain(unknown) == "Я не знаю такой команды. Отправьте /help, чтобы увидеть список команд."
    [stray] = await user.send_sticker()
    assert "Я вас не понял" in plain(stray)
    [document] = await user.send_document()
    assert "Я вас не понял" in plain(document)


async def test_messages_before_onboarding_lead_back_to_the_missing_step(harness: Harness) -> None:
    user = harness.person(113, "Эрмек")
    [prompt] = await user.send("салам")
    assert labels(prompt) == ["Кыргызча", "Русский"]


async def test_group_chats_are_ignored(harness: Harness, db: Database) -> None:
    harness.person(114, "Группадагы")
    update = harness.emulator.send_text(114, "/start", chat_id=-100500, chat_type="supergroup")
    await harness.feed(update)
    assert harness.emulator.bot_messages(-100500) == []
    assert await get_resident(db, 114) is None


async def test_no_username_and_no_last_name_never_show_none(harness: Harness, db: Database) -> None:
    user = harness.person(115, "Ай")
    await user.send("/start")
    stored = await get_resident(db, 115)
    assert stored.display_name == "Ай" and stored.last_name is None and stored.username is None


async def test_blocking_the_bot_marks_the_resident_inactive_until_they_return(harness: Harness, db: Database) -> None:
    user = harness.person(116, "Жылдыз", language_code="ru")
    await user.send("/start")
    harness.emulator.block_bot(116)
    # the emulator emits my_chat_member(kicked) as Telegram does; feed the pending one
    pending = [u for u in harness.emulator._updates if "my_chat_member" in u]
    assert pending
    await harness.feed(pending[-1])
    assert (await get_resident(db, 116)).active is False
    harness.emulator.unblock_bot(116)
    await user.send("/start")
    assert (await get_resident(db, 116)).active is True


async def test_a_double_tap_on_a_prompt_sends_the_next_step_once(harness: Harness) -> None:
    user = harness.person(503, "Айдай", language_code="ru")
    [prompt] = await user.send("/start")
    await user.press("Русский", prompt)
    await user.press("Русский", prompt)
    pickers = [m for m in harness.emulator.bot_messages(503) if "Где вы живёте?" in plain(m)]
    assert len(pickers) == 1
    picker = pickers[0]
    _, data = user.find_button("г. Бишкек", picker)
    updates = [harness.emulator.press_button(503, picker["message_id"], data) for _ in range(5)]
    await asyncio.gather(*(harness.feed(u) for u in updates))
    menus = [m for m in harness.emulator.bot_messages(503) if "Главное меню" in plain(m)]
    assert len(menus) == 1


async def test_identical_updates_at_once_register_one_resident(harness: Harness, db: Database) -> None:
    user = harness.person(404, "Эркин", language_code="ru")
    await user.send("/start")
    await user.press("Русский")
    msg, data = user.find_button("г. Бишкек")
    updates = [harness.emulator.press_button(404, msg["message_id"], data) for _ in range(3)]
    await asyncio.gather(*(harness.feed(u) for u in updates))
    assert (await get_resident(db, 404)).municipality_code == BISHKEK
    assert await db.fetchval("SELECT count(*) FROM residents WHERE telegram_id = 404") == 1


async def test_picker_paging_keeps_the_search_open(harness: Harness, db: Database) -> None:
    user = harness.person(117, "Алмаз", language_code="ru")
    await user.send("/start")
    await user.press("Русский")
    await user.press("Чуйская область")  # a picker button: the picker's own, so typing still searches
    [results] = await user.send("аламудун")
    assert "Аламудунский · Аламудунский" in labels(results)


async def test_the_picker_left_by_a_command_ignores_later_text(harness: Harness, db: Database) -> None:
    user = harness.person(118, "Бурул", language_code="ru")
    await _onboard_ru(user)
    [current] = await user.send("/municipality")  # the current one first, then the picker
    await user.press(_("Change municipality", locale="ru"), current)  # open: a typed text would be a search
    await user.send("/menu")
    [answer] = await user.send("аламудун")
    assert "Я вас не понял" in plain(answer)
    assert not any("Аламудун" in label for label in labels(answer))  # not taken for a search
    assert (await get_resident(db, 118)).municipality_code == BISHKEK


async def test_the_picker_left_by_a_menu_button_ignores_later_text(harness: Harness, db: Database) -> None:
    user = harness.person(119, "Канат", language_code="ru")
    await _onboard_ru(user)
    home = user.last()
    [current] = await user.press("Мой муниципалитет", home)  # the current one first, then the picker
    await user.press(_("Change municipality", locale="ru"), current)
    await user.press(_("Help", locale="ru"), home)  # another button of the menu: the picker's step ends
    [answer] = await user.send("аламудун")
    assert "Я вас не понял" in plain(answer)
    assert (await get_resident(db, 119)).municipality_code == BISHKEK
    # an old picker button opens the search again
    picker = next(m for m in reversed(harness.emulator.bot_messages(119)) if "Где вы живёте?" in plain(m))
    await user.press("Чуйская область", picker)
    [results] = await user.send("аламудун")
    assert "Аламудунский · Аламудунский" in labels(results)


async def test_a_restart_in_the_middle_of_onboarding_loses_nothing(harness: Harness, settings, db_path) -> None:
    from bot.app import build_application, build_bot
    from tests.conftest import close_bot

    user = harness.person(405, "Мирлан", language_code="ru")
    await user.send("/start")
    await user.press("Русский")  # the picker is open: a typed text is now a search

    # a new process: new database connection, new dispatcher, new bot client
    db2 = await Database.open(db_path)
    settings2 = settings.model_copy(update={"telegram_api_url": harness.emulator.base_url})
    app2 = await build_application(settings2, db2)
    bot2 = build_bot(settings2)
    original = harness.dispatcher, harness.bot
    try:
        harness.dispatcher, harness.bot = app2.dispatcher, bot2
        [results] = await user.send("токмок")
        assert "Выберите свой муниципалитет" in plain(results)
    finally:
        harness.dispatcher, harness.bot = original
        await close_bot(bot2)
        await db2.close()


# -- the language typed instead of tapped (issue 12) ----------------------------------------------------

HINT_KY = "Төмөнкү баскычты басыңыз же тилдин атын жазыңыз: кыргызча же орусча."
HINT_RU = "Нажмите кнопку ниже или напишите название языка: русский или кыргызский."


@pytest.mark.parametrize(("typed", "locale"), [
    ("кыргызча", "ky"), ("Кыргыз тили", "ky"), ("KYRGYZ", "ky"), ("кыргызча!", "ky"),
    ("русский", "ru"), ("Орусча", "ru"), ("рус", "ru"), ("Russian", "ru"), ("на русском языке", "ru"),
])
async def test_a_language_typed_at_the_first_start_is_taken_as_its_button(harness: Harness, db: Database,
                                                                         typed: str, locale: str) -> None:
    user = harness.person(120, "Нургүл", language_code=None)
    await user.send("/start")
    replies = await user.send(typed)
    confirmation, picker = replies[0], replies[-1]
    assert plain(confirmation) == {"ky": "Тил: Кыргызча", "ru": "Язык: Русский"}[locale]
    assert {"ky": "Кайсы жерде жашайсыз?", "ru": "Где вы живёте?"}[locale] in plain(picker)
    assert (await get_resident(db, 120)).locale == locale
    [results] = await user.send("аламудун")  # the picker's search is open, as after a tap
    assert any(label.startswith(("Аламудунский", "Аламүдүн")) for label in labels(results))


async def test_anything_else_at_the_language_step_gets_the_buttons_again_with_a_hint(harness: Harness,
                                                                                    db: Database) -> None:
    user = harness.person(121, "Азамат", language_code="ru")
    await user.send("/start")
    [again] = await user.send("english please")
    assert plain(again) == f"{HINT_KY}\n{HINT_RU}" and labels(again) == ["Кыргызча", "Русский"]
    [sticker] = await user.send_sticker()
    assert HINT_RU in plain(sticker) and labels(sticker) == ["Кыргызча", "Русский"]
    assert (await get_resident(db, 121)).locale is None
    replies = await user.send("орусча")  # and then the name works
    assert plain(replies[0]) == "Язык: Русский" and (await get_resident(db, 121)).locale == "ru"


async def test_language_typed_after_the_language_command_switches_it(harness: Harness, db: Database) -> None:
    user = harness.person(122, "Бермет", language_code="ky")
    await _onboard_ru(user)
    await user.send("/language")
    [hint] = await user.send("немецкий")
    assert HINT_KY in plain(hint) and labels(hint) == ["Кыргызча", "Русский"]
    replies = await user.send("КЫРГЫЗЧА")
    assert plain(replies[0]) == "Тил: Кыргызча" and "Башкы меню" in plain(replies[-1])
    assert (await get_resident(db, 122)).locale == "ky"
    [stray] = await user.send("русский")  # the step is over: an ordinary message again
    assert "Түшүнгөн жокмун" in plain(stray)
    assert (await get_resident(db, 122)).locale == "ky"
    # the menu's "Language" button asks the same way; a command ends the step
    home = next(m for m in reversed(harness.emulator.bot_messages(122)) if "Башкы меню" in plain(m))
    [prompt] = await user.press(_("Language", locale="ky"), home)
    assert labels(prompt) == ["Кыргызча", "Русский"]
    await user.send("/menu")
    [stray] = await user.send("русский")
    assert "Түшүнгөн жокмун" in plain(stray) and (await get_resident(db, 122)).locale == "ky"
    await user.press(_("Language", locale="ky"), home)
    replies = await user.send("русский")
    assert plain(replies[0]) == "Язык: Русский" and (await get_resident(db, 122)).locale == "ru"


async def test_a_language_typed_after_a_deep_link_leads_to_its_municipality(harness: Harness, db: Database) -> None:
    from bot.domain.reach import posts
    from tests.support import AK_DEBE

    user = harness.person(123, "Бакыт", language_code="ru")
    await user.send(f"/start {posts.make_payload(AK_DEBE, 's999', 1)}")
    replies = await user.send("русский")
    assert plain(replies[0]) == "Язык: Русский"
    assert "rj:yes" in str(replies[-1]["reply_markup"]) and "Ак-Дебенский" in plain(replies[-1])  # no search
