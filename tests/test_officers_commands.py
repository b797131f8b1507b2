"""Officer role through the real dispatcher: invites, grants, refusals, the Kyrgyz name."""

from __future__ import annotations

from bot.db import Database
from bot.domain import municipalities as geo
from bot.domain.officers import get_officer, officer_history
from tests.conftest import SUPERADMIN_ID
from tests.harness import Harness, Person, plain

AK_DEBE = "41708203803000"


async def _onboard(person: Person, language: str, place: str, button: str | None = None) -> None:
    await person.send("/start")
    await person.press(language)
    await person.send(place)
    await person.press(button or place)


async def test_invite_code_makes_an_officer_and_is_single_use(harness: Harness, db: Database) -> None:
    admin = harness.person(SUPERADMIN_ID, "Админ", language_code="ru")
    await _onboard(admin, "Русский", "г. Бишкек")
    [ambiguous] = await admin.send("/invite Ак-Дебе")
    assert "Подходят несколько муниципалитетов" in plain(ambiguous) and AK_DEBE in plain(ambiguous)
    [invite] = await admin.send(f"/invite {AK_DEBE}")
    text = plain(invite)
    assert "Приглашение для специалиста муниципалитета Ак-Дебенский айылный аймак" in text
    code = next(line for line in text.splitlines() if len(line) == 9 and line[4] == "-")
    assert f"https://t.me/jamaat_test_bot?start=join-{code.replace('-', '')}" in text

    officer = harness.person(201, "Бакыт", language_code="ky")
    await _onboard(officer, "Кыргызча", "Ак-Дебенский", "Ак-Дебенский айылный аймак (Аламүдүн району)")
    [welcome] = await officer.send(f"/join {code.lower()}")
    assert "Эми сиз адиссиз. Муниципалитет: Ак-Дебенский айылный аймак" in plain(welcome)
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


async def test_officer_sets_the_kyrgyz_name_of_their_own_municipality(harness: Harness, db: Database) -> None:
    from bot.domain.officers import grant_officer

    officer = harness.person(207, "Бакыт", language_code="ru")
    await _onboard(officer, "Русский", "г. Бишкек")
    await grant_officer(db, actor_id=SUPERADMIN_ID, superadmins=frozenset({SUPERADMIN_ID}), telegram_id=207,
                        municipality_code=AK_DEBE)
    [ask] = await officer.send("/kyname")
    assert "Название на кыргызском сейчас: не указано" in plain(ask)
    [sticker] = await officer.send_sticker()
    assert "Отправьте название текстом" in plain(sticker)
    [too_long] = await officer.send("ы" * 150)
    assert "не длиннее 100 символов. В вашем тексте 150 символов." in plain(too_long)
    [saved] = await officer.send("Ак-Дөбө <айыл> аймагы")
    assert "Ак-Дөбө <айыл> аймагы" in plain(saved)
    assert (await geo.get_municipality(db, AK_DEBE)).name("ky") == "Ак-Дөбө <айыл> аймагы"
    # a resident who types on a Russian keyboard now finds it by the Kyrgyz name
    places, _ = await geo.search_municipalities(db, "ак добо")
    assert AK_DEBE in [p.code for p in places]
