"""The officer role's commands through the real dispatcher: invites, grants, refusals, the /kyname
wizard (and its step ending on navigation), arguments that are too big, long lists, hostile names."""

from __future__ import annotations

from bot.db import Database
from bot.domain import municipalities as geo
from bot.domain.officers import get_officer, grant_officer, officer_history
from bot.domain.residents import touch_resident
from tests.harness import Harness, Person, plain
from tests.support import AK_DEBE, SUPERADMIN_ID, outside_any_form

ADMINS = frozenset({SUPERADMIN_ID})


async def _onboard(person: Person, language: str, place: str, button: str | None = None) -> None:
    await person.send("/start")
    await person.press(language)
    await person.send(place)
    await person.press(button or place)


async def test_invite_code_makes_an_officer_and_is_single_use(harness: Harness, db: Database) -> None:
    admin = harness.person(SUPERADMIN_ID, "Админ", language_code="ru")
    await _onboard(admin, "Русский", "г. Бишкек")
    [ambiguous] = await admin.send("/invite Ак-Дебе")
    # issue 12: a full sentence that names the command to repeat (not "several match (2)")
    assert "/invite" in plain(ambiguous) and AK_DEBE in plain(ambiguous) and "(2)" not in plain(ambiguous)
    [invite] = await admin.send(f"/invite {AK_DEBE}")
    text = plain(invite)
    assert "Приглашение для специалиста муниципалитета Ак-Дебенский айылный аймак" in text
    code = next(line for line in text.splitlines() if len(line) == 9 and line[4] == "-")
    assert f"https://t.me/jamaat_test_bot?start=join-{code.replace('-', '')}" in text

    officer = harness.person(201, "Бакыт", language_code="ky")
    await _onboard(officer, "Кыргызча", "Ак-Дебенский", "Ак-Дебенский · Аламүдүн р-ну")
    [welcome] = await officer.send(f"/join {code.lower()}")
    assert "Эми сиз адиссиз (Ак-Дебенский айылный аймак)" in plain(welcome)
    assert (await get_officer(db, 201)).municipality_code == AK_DEBE
    [panel] = await officer.send("/officer")
    assert "Адис" in plain(panel) and "ботту 1 тургун колдонот" in plain(panel)

    other = harness.person(202, "Саша", language_code="ru")
    await _onboard(other, "Русский", "г. Бишкек")
    [used] = await other.send(f"/join {code}")
    assert "уже использован" in plain(used)
    assert await get_officer(db, 202) is None
    [history] = [await officer_history(db, 201)]
    assert [(e["action"], e["via"], e["actor_id"]) for e in history] == [("grant", "invite", SUPERADMIN_ID)]


async def test_invite_by_deep_link(harness: Harness, db: Database) -> None:
    admin = harness.person(SUPERADMIN_ID, "Админ", language_code="ru")
    await _onboard(admin, "Русский", "г. Бишкек")
    [invite] = await admin.send(f"/invite {AK_DEBE}")
    code = next(line for line in plain(invite).splitlines() if len(line) == 9 and line[4] == "-")
    newcomer = harness.person(203, "Нургүл", language_code="ky")
    replies = await newcomer.send(f"/start join-{code.replace('-', '')}")
    assert any("Эми сиз адиссиз" in plain(m) for m in replies)
    assert any("Тилди тандаңыз." in plain(m) for m in replies)  # onboarding continues
    assert (await get_officer(db, 203)).municipality_code == AK_DEBE


async def test_officer_commands_are_refused_to_residents(harness: Harness, db: Database) -> None:
    resident = harness.person(204, "Айбек", language_code="ru")
    await _onboard(resident, "Русский", "г. Бишкек")
    [refusal] = await resident.send("/officer")
    assert "Эта команда только для специалистов муниципалитета" in plain(refusal)
    [refusal] = await resident.send("/kyname")
    assert "только для специалистов" in plain(refusal)
    for command in ("/invite Ак-Дебе", f"/grant 204 {AK_DEBE}", "/revoke 204", f"/officers {AK_DEBE}", "/find Ак"):
        [answer] = await resident.send(command)
        assert plain(answer) == "Эта команда только для администраторов программы.", command
    assert await get_officer(db, 204) is None

    ky = harness.person(205, "Айгүл", language_code="ky")
    await _onboard(ky, "Кыргызча", "Бишкек шаары")
    [refusal] = await ky.send("/officer")
    assert "Бул буйрук муниципалитеттин адистери үчүн гана" in plain(refusal)


async def test_grant_revoke_by_command_and_the_person_is_told(harness: Harness, db: Database) -> None:
    admin = harness.person(SUPERADMIN_ID, "Админ", language_code="ru")
    await _onboard(admin, "Русский", "г. Бишкек")
    [not_yet] = await admin.send(f"/grant 206 {AK_DEBE}")
    assert "ещё не запускал бота" in plain(not_yet)
    person = harness.person(206, "Чолпон", language_code="ky")
    await _onboard(person, "Кыргызча", "Бишкек шаары")
    [done] = await admin.send(f"/grant 206 {AK_DEBE}")
    assert "✅ Чолпон (id 206) теперь специалист муниципалитета Ак-Дебенский айылный аймак." == plain(done)
    assert "Эми сиз адиссиз" in plain(person.last())
    [listing] = await admin.send(f"/officers {AK_DEBE}")
    assert "Чолпон (id 206), назначение:" in plain(listing)
    [revoked] = await admin.send("/revoke 206")
    assert "больше не специалист" in plain(revoked)
    assert "Сиз мындан ары адис эмессиз" in plain(person.last())
    assert await get_officer(db, 206) is None
    [bad] = await admin.send("/grant abc")
    assert "Формат: /grant" in plain(bad)


async def _send_later(person: Person, text: str) -> list[dict]:
    """Send ``text`` dated past the kit's split-paste window (a text right after a refused long one is
    taken for its tail)."""
    from bot.flows import SPLIT_TAIL_SECONDS

    update = person.emulator.send_text(person.user_id, text)
    update["message"]["date"] += SPLIT_TAIL_SECONDS + 1
    return await person._act(update)


async def _onboard_ru(person: Person) -> None:
    await person.send("/start")
    await person.press("Русский")
    await person.press("г. Бишкек")


async def test_officer_sets_the_kyrgyz_name_of_their_own_municipality(harness: Harness, db: Database) -> None:
    officer = harness.person(207, "Бакыт", language_code="ru")
    await _onboard(officer, "Русский", "г. Бишкек")
    await grant_officer(db, actor_id=SUPERADMIN_ID, superadmins=frozenset({SUPERADMIN_ID}), telegram_id=207,
                        municipality_code=AK_DEBE)
    [ask] = await officer.send("/kyname")
    assert "Название на кыргызском сейчас: не указано" in plain(ask)
    [sticker] = await officer.send_sticker()
    assert "Отправьте это текстом" in plain(sticker)
    [two_lines] = await officer.send("Ак-Дөбө\nайыл аймагы")
    assert "одну строку" in plain(two_lines)
    [too_long] = await officer.send("ы" * 150)
    assert "не больше 100 символов, у вас 150 символов" in plain(too_long)
    [saved] = await _send_later(officer, "Ак-Дөбө <айыл> аймагы")  # not the tail of the long one
    assert "Ак-Дөбө <айыл> аймагы" in plain(saved)
    assert (await geo.get_municipality(db, AK_DEBE)).name("ky") == "Ак-Дөбө <айыл> аймагы"
    # a resident who types on a Russian keyboard now finds it by the Kyrgyz name
    places, _ = await geo.search_municipalities(db, "ак добо")
    assert AK_DEBE in [p.code for p in places]


async def test_a_command_ends_the_current_step(harness: Harness, db: Database) -> None:
    officer = harness.person(501, "Бакыт", language_code="ru")
    await _onboard_ru(officer)
    await grant_officer(db, actor_id=SUPERADMIN_ID, superadmins=ADMINS, telegram_id=501, municipality_code=AK_DEBE)
    await officer.send("/kyname")
    await officer.send("/menu")
    [answer] = await officer.send("спасибо")
    assert "Я вас не понял" in plain(answer)
    assert (await geo.get_municipality(db, AK_DEBE)).name_ky is None
    # /help ends it too (commands ignore case): text typed after reading the help is not the answer
    await officer.send("/kyname")
    await officer.send("/HELP")
    [answer] = await officer.send("Ак-Дөбө айыл аймагы")
    assert outside_any_form(answer) and (await geo.get_municipality(db, AK_DEBE)).name_ky is None
    await officer.send("/kyname")
    [saved] = await officer.send("Ак-Дөбө айыл аймагы")
    assert "Сохранено" in plain(saved)


async def test_the_kyrgyz_name_step_left_by_a_button_ignores_later_text(harness: Harness, db: Database) -> None:
    officer = harness.person(505, "Бакыт", language_code="ru")
    await _onboard_ru(officer)
    home = officer.last()
    await grant_officer(db, actor_id=SUPERADMIN_ID, superadmins=ADMINS, telegram_id=505, municipality_code=AK_DEBE)
    await officer.send("/kyname")
    await officer.press("Помощь", home)  # a menu button: the step ends
    [answer] = await officer.send("спасибо")
    assert "Я вас не понял" in plain(answer)
    assert (await geo.get_municipality(db, AK_DEBE)).name_ky is None
    # the prompt's own Cancel ends it too, and says so
    [ask] = await officer.send("/kyname")
    replies = await officer.press("Отмена", ask)
    assert "Отменено." in plain(replies[-1])
    [answer] = await officer.send("Ак-Дөбө айыл аймагы")
    assert outside_any_form(answer)
    assert (await geo.get_municipality(db, AK_DEBE)).name_ky is None


async def test_a_revoked_officer_cannot_finish_the_kyrgyz_name(harness: Harness, db: Database) -> None:
    from bot.domain.officers import revoke_officer

    officer = harness.person(506, "Бакыт", language_code="ru")
    await _onboard_ru(officer)
    await grant_officer(db, actor_id=SUPERADMIN_ID, superadmins=ADMINS, telegram_id=506, municipality_code=AK_DEBE)
    await officer.send("/kyname")
    await revoke_officer(db, actor_id=SUPERADMIN_ID, superadmins=ADMINS, telegram_id=506)
    [refusal] = await officer.send("Ак-Дөбө айыл аймагы")
    assert "только для специалистов" in plain(refusal)
    assert (await geo.get_municipality(db, AK_DEBE)).name_ky is None


async def test_huge_arguments_get_short_answers(harness: Harness, db: Database) -> None:
    admin = harness.person(SUPERADMIN_ID, "Админ", language_code="ru")
    await _onboard_ru(admin)
    [answer] = await admin.send("/invite " + "1" * 5000)
    assert plain(answer) == "Нет муниципалитета с кодом СОАТЕ 11111111111111111111."
    [answer] = await admin.send("/grant ３２０ " + AK_DEBE)  # full-width digits are not an id
    assert "Формат: /grant" in plain(answer)
    [answer] = await admin.send("/find " + "ы" * 61)
    assert "от 2 до 60 символов" in plain(answer)
    [answer] = await admin.send("/revoke 123456789")
    assert plain(answer) == "Пользователь с id 123456789 не является специалистом."


async def test_a_bad_invite_deep_link_is_explained_and_onboarding_goes_on(harness: Harness, db: Database) -> None:
    newcomer = harness.person(507, "Нургүл", language_code="ru")
    replies = await newcomer.send("/start join-AAAABBBB")
    assert any("недействителен" in plain(m) for m in replies)
    assert any("Выберите язык." in plain(m) for m in replies)
    assert await get_officer(db, 507) is None


async def test_a_long_officer_list_is_split_across_messages(harness: Harness, db: Database) -> None:
    admin = harness.person(SUPERADMIN_ID, "Админ", language_code="ru")
    await _onboard_ru(admin)
    for n in range(40):
        await touch_resident(db, 600 + n, first_name="Я" * 64, last_name="Ж" * 64, username=None, language_code="ru")
        await grant_officer(db, actor_id=SUPERADMIN_ID, superadmins=ADMINS, telegram_id=600 + n,
                            municipality_code=AK_DEBE)
    replies = await admin.send(f"/officers {AK_DEBE}")
    assert len(replies) >= 2
    assert sum(plain(m).count("(id 6") for m in replies) == 40


async def test_bidi_controls_in_a_name_cannot_reorder_an_admins_screen(harness: Harness, db: Database) -> None:
    admin = harness.person(SUPERADMIN_ID, "Админ", language_code="ru")
    await _onboard_ru(admin)
    trickster = harness.person(502, "Ivan\u202e", language_code="ru")
    await trickster.send("/start")
    [done] = await admin.send(f"/grant 502 {AK_DEBE}")
    assert "\u202e" not in plain(done) and "Ivan (id 502)" in plain(done)


async def test_id_command_tells_the_sender_their_id(harness: Harness) -> None:
    user = harness.person(504, "Нуржан", language_code="ky")
    [answer] = await user.send("/id")
    assert plain(answer) == "Telegram ID номериңиз: 504"
