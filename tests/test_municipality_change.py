"""A resident's municipality never changes without their confirmation (issue 12): an old picker, search
result or district button, a deep link of another municipality's post — every path asks the same
question ("Change your municipality? Now: A, new: B"), warns in plain words what the move changes
(supports stay on the old municipality's problems; a residence code counts there only), and stale or
double taps of the question are harmless. During onboarding (no municipality yet) a tap picks at once."""

from __future__ import annotations

from bot.db import Database
from bot.domain import problems as pr
from bot.domain import verification as vf
from bot.domain.reach import posts
from bot.domain.residents import get_resident
from bot.i18n import _
from bot.ui.callbacks import MunicipalityCallback
from tests.harness import Harness, Person, labels, plain
from tests.support import AK_DEBE, ALAMUDUN, BISHKEK, grant, make_resident, onboard


def _yes(locale: str) -> str:
    """The start of "Yes, change to B" (the name is cut to fit a phone)."""
    return _("Yes, change to {name}", locale=locale).split("{")[0]


def _no(locale: str) -> str:
    return _("No, keep {name}", locale=locale).split("{")[0]


async def _code_of(db: Database, person: Person) -> str:
    return (await get_resident(db, person.user_id)).municipality_code


async def _fresh_picker(person: Person) -> dict:
    """A new picker message ("My municipality" → "Change municipality")."""
    [current] = await person.send("/municipality")
    [picker] = await person.press(_("Change municipality", locale="ru"), current)
    return picker


async def test_old_search_results_ask_before_moving_and_no_keeps_everything(harness: Harness, db: Database) -> None:
    person = harness.person(8101, "Айбек", language_code="ru")
    await person.send("/start")
    await person.press("Русский")
    [bishkek_results] = await person.send("бишкек")  # an earlier search, its buttons stay on screen
    [results] = await person.send("аламудун")
    await person.press("Аламудунский · Аламудунский", results)  # the first choice: at once, no question
    assert await _code_of(db, person) == ALAMUDUN
    homes = sum("Главное меню" in plain(m) for m in harness.emulator.bot_messages(8101))

    [question] = await person.press("г. Бишкек", bishkek_results)  # days later, the old result
    assert await _code_of(db, person) == ALAMUDUN  # not moved: asked
    assert "Сменить ваш муниципалитет?" in plain(question)
    assert "Сейчас: Аламудунский айылный аймак (Аламудунский район, Чуйская область)" in plain(question)
    assert "Новый: г. Бишкек" in plain(question)
    # the short name, whole (the question above names both in full): it was cut to "Аламудунский…"
    assert labels(question) == ["Да, сменить на г. Бишкек", "Нет, оставить Аламудунский"]

    [kept] = await person.press(_no("ru"), question)
    assert plain(kept) == "Ничего не изменилось: ваш муниципалитет прежний."
    assert labels(kept) == ["« Главное меню"]  # the way on
    assert await _code_of(db, person) == ALAMUDUN

    picker = await _fresh_picker(person)  # the current picker asks too
    [question] = await person.press("г. Бишкек", picker)
    assert "Новый: г. Бишкек" in plain(question) and await _code_of(db, person) == ALAMUDUN
    replies = await person.press(_yes("ru"), question)
    assert plain(replies[0]) == "✅ Ваш муниципалитет: г. Бишкек." and "Главное меню" in plain(replies[-1])
    assert await _code_of(db, person) == BISHKEK

    # a double tap of "Yes": said in a toast, nothing sent, no second main menu
    assert await person.press_data(question["message_id"], person.find_button(_yes("ru"), question)[1]) == []
    assert person.alerts()[-1]["text"] == "Это уже ваш муниципалитет: г. Бишкек."
    assert sum("Главное меню" in plain(m) for m in harness.emulator.bot_messages(8101)) == homes + 1
    # an old button of the municipality one is in already: said so, nothing asked
    assert await person.press_data(bishkek_results["message_id"], MunicipalityCallback(code=BISHKEK).pack()) == []
    assert person.alerts()[-1]["text"] == "Это уже ваш муниципалитет: г. Бишкек."


async def test_a_question_asked_before_another_move_is_asked_again(harness: Harness, db: Database) -> None:
    person = await onboard(harness, db, 8102, "ru", BISHKEK)
    first, second = await _fresh_picker(person), await _fresh_picker(person)
    [to_alamudun] = await person.press_data(first["message_id"], MunicipalityCallback(code=ALAMUDUN).pack())
    [to_ak_debe] = await person.press_data(second["message_id"], MunicipalityCallback(code=AK_DEBE).pack())
    await person.press(_yes("ru"), to_ak_debe)
    assert await _code_of(db, person) == AK_DEBE
    # "Yes" under the question that said "now: Bishkek": not applied, asked again from where they are now
    [again] = await person.press(_yes("ru"), to_alamudun)
    assert await _code_of(db, person) == AK_DEBE
    assert person.alerts()[-1]["text"] == _("Your municipality has changed since this question. Please look at "
                                            "it again.", locale="ru")
    assert "Сейчас: Ак-Дебенский айылный аймак" in plain(again) and "Новый: Аламудунский" in plain(again)
    await person.press(_yes("ru"), again)
    assert await _code_of(db, person) == ALAMUDUN
    # crafted: an unknown municipality is refused, nothing changes
    await person.press_data(again["message_id"], "mymun:to:41700000000000:" + ALAMUDUN)
    assert "больше нет в списке" in person.alerts()[-1]["text"]
    assert await _code_of(db, person) == ALAMUDUN


async def test_a_city_in_the_district_list_asks_too(harness: Harness, db: Database) -> None:
    """Bishkek (one district, one municipality) was picked in one tap on the oblast list."""
    person = await onboard(harness, db, 8103, "ky", AK_DEBE)
    [current] = await person.send("/municipality")
    [picker] = await person.press(_("Change municipality", locale="ky"), current)
    [question] = await person.press("Бишкек шаары", picker)
    assert await _code_of(db, person) == AK_DEBE
    assert "Муниципалитетиңизди алмаштырасызбы?" in plain(question)
    assert "Жаңысы: Бишкек шаары" in plain(question)
    assert labels(question)[0] == "Ооба, Бишкек шаары болсун"
    [kept] = await person.press(_no("ky"), question)
    assert plain(kept) == "Эч нерсе өзгөргөн жок: муниципалитетиңиз ошол бойдон калды."
    assert await _code_of(db, person) == AK_DEBE
    # a district's list of municipalities, browsed from the search ("Аламүдүн району →")
    [current] = await person.send("/municipality")
    await person.press(_("Change municipality", locale="ky"), current)
    [results] = await person.send("аламедин")
    [district] = await person.press("Аламүдүн району →", results)
    [question] = await person.press("Арашан", district)
    assert "Жаңысы: Арашан айыл аймагы" in plain(question) and await _code_of(db, person) == AK_DEBE


async def test_the_question_says_what_the_move_changes(harness: Harness, db: Database) -> None:
    officer_id, author_id = 8110, 8111
    await make_resident(db, officer_id, "ru", AK_DEBE)
    await grant(db, officer_id, AK_DEBE)
    await make_resident(db, author_id, "ru", AK_DEBE)
    person = await onboard(harness, db, 8104, "ru", AK_DEBE)
    for text in ("Нет воды на улице Ленина третий день", "Яма на дороге у школы, машины ломаются"):
        problem = await pr.raise_problem(db, author_id=author_id, category="water", text=text)
        await pr.support(db, problem_id=problem.id, resident_id=person.user_id)
    [code] = await vf.generate_codes(db, officer_id=officer_id, count=1)
    await vf.redeem_code(db, resident_id=person.user_id, code=code)

    [question] = await person.press_data((await _fresh_picker(person))["message_id"],
                                         MunicipalityCallback(code=BISHKEK).pack())
    text = plain(question)
    assert "Вы поддерживаете 2 проблемы вашего нынешнего муниципалитета: ваша поддержка останется там" in text
    assert "подтверждено кодом вашего нынешнего муниципалитета" in text and "/verify" in text
    await person.press(_yes("ru"), question)
    assert await _code_of(db, person) == BISHKEK
    assert (await pr.get_problem(db, problem.id)).supports == 2  # the author's and this resident's: kept
    assert not await vf.is_verified(db, person.user_id, BISHKEK)  # what the question said
    assert await vf.is_verified(db, person.user_id, AK_DEBE)

    # a phone verification counts everywhere, and nothing supported in Bishkek: only the question
    await vf.verify_by_contact(db, sender_id=person.user_id, contact_user_id=person.user_id,
                               phone_number="+996700123456")
    [question] = await person.press_data((await _fresh_picker(person))["message_id"],
                                         MunicipalityCallback(code=ALAMUDUN).pack())
    assert "поддерживаете" not in plain(question) and "/verify" not in plain(question)
    assert "Сменить ваш муниципалитет?" in plain(question)


async def test_a_deep_link_of_another_municipality_asks_before_moving(harness: Harness, db: Database) -> None:
    person = await onboard(harness, db, 8105, "ru", BISHKEK)
    payload = posts.make_payload(AK_DEBE, "s999", 1)
    [question] = await person.send(f"/start {payload}")
    assert await _code_of(db, person) == BISHKEK
    assert "Сменить ваш муниципалитет?" in plain(question) and "Новый: Ак-Дебенский" in plain(question)
    [kept] = await person.press(_no("ru"), question)
    assert "Ничего не изменилось" in plain(kept) and await _code_of(db, person) == BISHKEK
    assert await posts.pending_link(db, person.user_id) is None  # the link is dropped

    [question] = await person.send(f"/start {payload}")
    replies = await person.press(_yes("ru"), question)
    assert await _code_of(db, person) == AK_DEBE
    assert plain(replies[0]).startswith("✅ Ваш муниципалитет: Ак-Дебенский")
    assert "Главное меню" in plain(replies[-1])  # the post's survey is gone: the main menu
    assert await person.press(_yes("ru"), question) == []  # a double tap
    assert person.alerts()[-1]["text"].startswith("Это уже ваш муниципалитет")


async def test_an_old_yes_i_live_here_after_registering_elsewhere_asks(harness: Harness, db: Database) -> None:
    person = harness.person(8106, "Бакыт", language_code="ru")
    await person.send(f"/start {posts.make_payload(AK_DEBE, 's999', 1)}")
    [question] = (await person.press("Русский"))[-1:]
    assert "rj:yes" in str(question["reply_markup"])  # a newcomer: "is this your municipality?"
    await person.send("/start")  # went the ordinary way instead and registered in Bishkek
    await person.press("г. Бишкек")
    assert await _code_of(db, person) == BISHKEK
    [change] = await person.press("✅", question)  # the old "Yes, I live here"
    assert await _code_of(db, person) == BISHKEK
    assert "Сейчас: г. Бишкек" in plain(change) and "Новый: Ак-Дебенский" in plain(change)
    await person.press(_yes("ru"), change)
    assert await _code_of(db, person) == AK_DEBE
