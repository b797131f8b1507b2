"""Residents and the registry through the real dispatcher and the Bot API emulator, in both languages:
propose (the wizard: bounds, stickers, skips, the chosen group, preview, send once) → support →
an officer considers, approves, includes with notices queued for followers; crafted buttons for
another municipality; ratings once per quarter; a proposal's card without invented cost or
provider; every wizard's step ends when the resident navigates away."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.db import Database
from bot.domain import registry as reg
from bot.i18n import format_number
from bot.notices import render_stored
from bot.ui.registry import card_text
from tests.harness import Harness, Person, labels, plain
from tests.support import AK_DEBE, BISHKEK, grant, make_resident

START = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
MENU_BUTTON = {"ky": "🏛 Муниципалдык кызматтар", "ru": "🏛 Муниципальные услуги"}
SKIP = {"ky": "Өткөрүп жиберүү", "ru": "Пропустить"}


async def _resident(harness: Harness, db: Database, user_id: int, name: str, locale: str,
                    code: str = BISHKEK) -> Person:
    """A resident who chose ``locale`` and ``code`` (registered in the database)."""
    person = harness.person(user_id, name, language_code=locale)
    await make_resident(db, user_id, locale, code, name=name)
    return person


async def _officer(harness: Harness, db: Database, user_id: int, locale: str, code: str = BISHKEK) -> Person:
    person = await _resident(harness, db, user_id, "Нурлан", locale, code)
    await grant(db, user_id, code)
    return person


def _alert(person: Person) -> str:
    return person.alerts()[-1].get("text", "")


async def _notifications(db: Database, kind: str = "service_status") -> list[tuple[int, list[int], str]]:
    """Broadcasts of ``kind``: id, the residents queued, and the stored notice."""
    rows = await db.fetchall("SELECT id, content FROM broadcasts WHERE kind = ? ORDER BY id", (kind,))
    result = []
    for row in rows:
        ids = [r[0] for r in await db.fetchall(
            "SELECT resident_id FROM deliveries WHERE broadcast_id = ? ORDER BY resident_id", (row["id"],))]
        result.append((row["id"], ids, row["content"]))
    return result


async def _propose(person: Person, locale: str = "ru") -> list:
    await person.send("/services")
    await person.press("➕")
    await person.send("Вечерний автобус до райцентра")
    await person.press(SKIP[locale])
    await person.press(SKIP[locale])
    await person.press("Нет, не от имени группы" if locale == "ru" else "Жок, топтун атынан эмес")
    await person.press("Местный транспорт" if locale == "ru" else "Жергиликтүү транспорт")
    return await person.press("Отправить предложение" if locale == "ru" else "Сунушту жөнөтүү")


async def test_propose_support_consider_approve_include_notifies_followers_in_their_language(
    harness: Harness, db: Database
) -> None:
    aigul = await _resident(harness, db, 301, "Айгүл", "ky")
    ivan = await _resident(harness, db, 302, "Иван", "ru")
    bermet = await _resident(harness, db, 303, "Бермет", "ky")
    officer = await _officer(harness, db, 304, "ru")

    # Aigul (Kyrgyz) proposes a service from the main menu, with HTML-like text that must be shown exactly
    await aigul.send("/menu")
    [home] = await aigul.press(MENU_BUTTON["ky"])
    assert "Муниципалдык кызмат көрсөтүүлөр" in plain(home) and "Таза суу (1)" in labels(home)
    [step1] = await aigul.press("➕ Жаңы кызматты сунуштоо")
    assert "кадам 1/5" in plain(step1) and "3 белгиден 150 белгиге чейин" in plain(step1)
    [sticker] = await aigul.send_sticker()
    assert plain(sticker) == "Текст менен жибериңиз же /cancel."
    name = "<b>&<3 Пандус для колясок"
    [step2] = await aigul.send(name)
    assert "Кадам 2/5" in plain(step2)
    [too_long] = await aigul.send("ы" * 5000)
    assert (f"текст {format_number(1000, 'ky')} белгиден ашпашы керек, сиздикинде {format_number(5000, 'ky')} белги"
            in plain(too_long))
    await asyncio.sleep(0)
    later = harness.emulator.send_text(301, "Ооруканага жана айыл өкмөтүнө кирүүчү жерлерге пандус керек.")
    later["message"]["date"] += 30  # not the tail of the split paste: a person needs time to shorten it
    await harness.feed(later)
    step3 = aigul.last()
    assert "Кадам 3/5" in plain(step3)
    *_, step4 = await aigul.press(SKIP["ky"])
    assert "Кадам 4/5" in plain(step4)
    [step4_answered, step5] = await aigul.press("Мүмкүнчүлүгү чектелген адамдар")
    # the step-4 question now records the choice, without buttons; step 5 comes as a new message
    assert plain(step4_answered) == "Кадам 4/5. Кимдин атынан: Мүмкүнчүлүгү чектелген адамдар"
    assert not labels(step4_answered) and "Кадам 5/5" in plain(step5)
    *_, preview = await aigul.press("Социалдык колдоо")
    assert f"Кызмат: {name}" in plain(preview) and "Тармак: Социалдык колдоо" in plain(preview)
    [card] = await aigul.press("✅ Сунушту жөнөтүү")
    assert card["message_id"] == preview["message_id"]  # the preview became the card
    assert plain(card).startswith(f"💡 {name}\n")
    assert "Тургун топтун атынан сунуштаган: Мүмкүнчүлүгү чектелген адамдар" in plain(card)
    assert "🔕 Жазылууну токтотуу" in labels(card)  # the proposer follows it
    assert _alert(aigul).startswith("✅")
    service_id = await db.fetchval("SELECT id FROM services WHERE origin = 'resident'")
    assert await db.fetchval("SELECT name_ky FROM services WHERE id = ?", (service_id,)) == name
    [(_, queued, raw)] = await _notifications(db, "service_proposed")  # the officer is told
    assert queued == [304] and "Пандус" in render_stored(raw, "ru").text

    # Ivan (Russian) supports it; Bermet (Kyrgyz) follows it
    await ivan.send("/services")
    [proposals] = await ivan.press("💡 Предложения жителей (1)")
    [card] = await ivan.press(name[:20], proposals)
    assert plain(card).startswith(f"💡 {name}\n") and "Статус: 💡 предложена" in plain(card)
    [card] = await ivan.press("👍 Поддержать предложение")
    assert "Это предложение поддерживает 1 житель." in plain(card)
    assert "👍 Поддержать предложение" not in labels(card)
    assert "1 житель" in _alert(ivan)
    await bermet.send("/services")
    await bermet.press("💡 Тургундардын сунуштары (1)")
    [card] = await bermet.press(name[:20])
    [card] = await bermet.press("🔔 Жазылуу")
    assert "🔕 Жазылууну токтотуу" in labels(card)

    # the officer considers, approves and includes it
    [overview] = await officer.send("/registry")
    assert "💡 предложена: 1" in plain(overview)
    await officer.press("💡 предложена (1)")
    [ocard] = await officer.press(name[:20])
    assert "За этой услугой следят 3 человека." in plain(ocard)
    [prompt] = await officer.press("→ 🔎 на рассмотрении")
    # the comment prompt names the move and the bound (its wording is a new msgid, see the report)
    assert f"{name} → 🔎 на рассмотрении" in plain(prompt) and "500" in plain(prompt)
    assert labels(prompt) == ["⏭ Пропустить", "✖ Отмена"]
    [done] = await officer.send("Рассмотрим на сессии кенеша")
    assert "Уведомление получат жители, следящие за услугой: 3." in plain(done)
    await officer.press("Открыть услугу")
    await officer.press("→ ✅ утверждена кенешем")
    *_, done = await officer.press(SKIP["ru"])
    assert "✅ утверждена кенешем" in plain(done)
    await officer.press("Открыть услугу")
    await officer.press("→ 📗 включена в реестр")
    await officer.send("Постановление № 7")

    notes = await _notifications(db)
    assert [ids for _, ids, _ in notes] == [[301, 302, 303]] * 3
    expected = {"ky": ["🔎 каралууда", "✅ кеңеш бекитти", "📗 реестрге киргизилди"],
                "ru": ["🔎 на рассмотрении", "✅ утверждена кенешем", "📗 включена в реестр"]}
    for (_, _, raw), ky_status, ru_status in zip(notes, expected["ky"], expected["ru"], strict=True):
        ky, ru = render_stored(raw, "ky"), render_stored(raw, "ru")  # Aigul and Bermet get ky, Ivan ru
        assert f"«{ky_status}»" in ky.text and f"«{ru_status}»" in ru.text
        assert "&lt;b&gt;&amp;&lt;3 Пандус" in ky.text  # escaped for the HTML message
        assert ky.rows[0][0].text == "Кызматты ачуу" and ru.rows[0][0].text == "Открыть услугу"
    assert "Комментарий: Рассмотрим на сессии кенеша" in render_stored(notes[0][2], "ru").text
    assert "Түшүндүрмө: Постановление № 7" in render_stored(notes[2][2], "ky").text

    # the card shows the history; the overview the residents' initiative measure
    [card] = await aigul.press_data(aigul.last()["message_id"], f"rg:card:{service_id}:0:")
    assert "Абалы: 📗 реестрге киргизилди" in plain(card) and "Түшүндүрмө: Рассмотрим на сессии кенеша" in plain(card)
    assert "⭐ Кызматка баа берүү" in labels(card)
    [overview] = await officer.send("/registry")
    assert "Жители предложили 1 услугу; утверждено кенешем: 1; включено в реестр: 1." in plain(overview)


async def test_crafted_buttons_for_another_municipality_change_nothing(harness: Harness, db: Database) -> None:
    await reg.ensure_seeded(db, AK_DEBE)
    foreign = (await reg.list_services(db, AK_DEBE, area="water"))[0][0]
    ivan = await _resident(harness, db, 311, "Иван", "ru")
    officer = await _officer(harness, db, 312, "ky")
    [home] = await ivan.send("/services")
    message_id = home["message_id"]
    for action in ("card", "fol", "sup", "rate"):
        replies = await ivan.press_data(message_id, f"rg:{action}:{foreign.id}:0:4")
        assert replies == [] and _alert(ivan) == "Этой услуги нет в реестре вашего муниципалитета."
    # a rating step's button with no rating under way (the score step is the kit's)
    assert await ivan.press_data(message_id, "st:rgrate:score:4") == []
    assert _alert(ivan).startswith("Этот шаг уже пройден")
    await ivan.press_data(message_id, "rg:area:0:0:nonsense")
    assert _alert(ivan) == "Эта кнопка устарела. Отправьте /menu, чтобы начать заново."
    [overview] = await officer.send("/registry")
    for data in (f"rg:oc:{foreign.id}:0:", f"rg:mv:{foreign.id}:0:excluded"):
        await officer.press_data(overview["message_id"], data)
        assert _alert(officer) == "Бул кызмат муниципалитетиңиздин реестринде жок."
    # a resident who is not an officer presses an officer button
    await ivan.press_data(message_id, f"rg:mv:{foreign.id}:0:excluded")
    assert "только для специалистов" in _alert(ivan)
    assert await reg.get_service(db, foreign.id) == foreign
    assert await db.fetchval("SELECT count(*) FROM service_followers") == 0
    assert await db.fetchval("SELECT count(*) FROM service_events WHERE service_id = ?", (foreign.id,)) == 1
    assert await db.fetchval("SELECT count(*) FROM service_ratings") == 0


async def test_a_resident_without_a_municipality_is_sent_to_start(harness: Harness, db: Database) -> None:
    from bot.domain.residents import touch_resident

    await touch_resident(db, 315, first_name="Асан", last_name=None, username=None, language_code="ru")
    person = harness.person(315, "Асан", language_code="ru")
    [prompt] = await person.send("/start")
    assert await person.press_data(prompt["message_id"], "rg:home:0:0:") == []
    assert "/start" in _alert(person)


async def test_bounds_and_stickers_in_russian_keep_the_draft(harness: Harness, db: Database) -> None:
    ivan = await _resident(harness, db, 321, "Иван", "ru")
    await ivan.send("/services")
    await ivan.press("➕ Предложить новую услугу")
    [short] = await ivan.send("Да")
    assert "не меньше 3 символов, у вас 2 символа" in plain(short)
    [step2] = await ivan.send("Вечерний автобус до райцентра")
    assert "Шаг 2 из 5" in plain(step2)
    [sticker] = await ivan.send_sticker()
    assert plain(sticker) == "Отправьте это текстом или /cancel."
    [too_long] = await ivan.send("д" * 5000)
    assert (f"не больше {format_number(1000, 'ru')} символов, у вас {format_number(5000, 'ru')} символов"
            in plain(too_long))
    later = harness.emulator.send_text(321, "Последний автобус уходит в 17:00, люди не успевают с работы.")
    later["message"]["date"] += 30
    await harness.feed(later)
    assert "Шаг 3 из 5" in plain(ivan.last())
    await ivan.send("Работающие жители")
    [typed] = await ivan.send("текст вместо кнопки")
    assert plain(typed).startswith("Воспользуйтесь кнопками под последним сообщением")
    await ivan.press("Нет, не от имени группы")
    *_, preview = await ivan.press("Местный транспорт")
    assert "Услуга: Вечерний автобус до райцентра" in plain(preview)
    assert "Что нужно: Последний автобус уходит в 17:00" in plain(preview)  # the draft survived the bad inputs
    assert "Для кого: Работающие жители" in plain(preview)
    *_, back = await ivan.press("« Назад")  # back to the area, then forward again
    assert "Шаг 5 из 5" in plain(back)
    await ivan.press("Местный транспорт")
    *_, cancelled = await ivan.press("Отмена")
    assert plain(cancelled) == "Отменено."
    assert await db.fetchval("SELECT count(*) FROM services WHERE origin = 'resident'") == 0


async def test_two_racing_send_taps_register_one_proposal(harness: Harness, db: Database) -> None:
    aigul = await _resident(harness, db, 201, "Айгүл", "ru")
    await aigul.send("/services")
    await aigul.press("Предложить новую услугу")
    await aigul.send("Вечерний автобус до райцентра")
    await aigul.press(SKIP["ru"])
    await aigul.press(SKIP["ru"])
    await aigul.press("Нет, не от имени группы")
    await aigul.press("Местный транспорт")
    message, data = aigul.find_button("Отправить предложение")
    taps = [harness.emulator.press_button(201, message["message_id"], data) for _ in range(2)]
    await asyncio.gather(*(harness.feed(t) for t in taps))
    assert await db.fetchval("SELECT count(*) FROM services WHERE origin = 'resident'") == 1
    assert any("шаг уже пройден" in (a.get("text") or "") for a in aigul.alerts())


@pytest.mark.parametrize(("locale", "button", "shown"), [
    ("ru", "Нет, не от имени группы", "Шаг 4 из 5. От имени группы: нет."),
    ("ru", "Пожилые люди", "Шаг 4 из 5. От имени: Пожилые люди"),
    ("ky", "Жок, топтун атынан эмес", "Кадам 4/5. Топтун атынан: жок."),
    ("ky", "Улгайган адамдар", "Кадам 4/5. Кимдин атынан: Улгайган адамдар"),
])
async def test_the_chosen_group_of_a_proposal_is_recorded_in_step_4(harness, db: Database, locale, button,
                                                                   shown) -> None:
    person = await _resident(harness, db, 402, "Айгүл", locale)
    await person.send("/services")
    await person.press("➕")
    await person.send("Вечерний автобус до райцентра")
    await person.press(SKIP[locale])
    *_, step4 = await person.press(SKIP[locale])
    _message, data = person.find_button(button, step4)
    edited, step5 = await person.press(button)
    assert edited["message_id"] == step4["message_id"]
    assert plain(edited) == shown and not labels(edited)
    assert ("Шаг 5 из 5" if locale == "ru" else "Кадам 5/5") in plain(step5) and labels(step5)
    # pressing the step-4 button again (a double tap) is stale: no second answer, step 5 stays
    assert await person.press_data(step4["message_id"], data) == []
    assert person.alerts()[-1].get("text")


async def test_a_residents_proposal_card_shows_cost_and_provider_only_once_an_officer_sets_them(
    harness, db: Database
) -> None:
    aigul = await _resident(harness, db, 403, "Айгүл", "ru")
    officer = await _officer(harness, db, 404, "ru")
    [card] = await _propose(aigul)
    text = plain(card)
    assert "Стоимость" not in text and "бесплатно" not in text
    assert "Кто оказывает:" not in text and "мэрия" not in text
    assert "Кто оказывает и стоимость: пока не решено." in text
    service_id = await db.fetchval("SELECT id FROM services WHERE origin = 'resident'")
    ky = card_text(await reg.get_service(db, service_id), "ky")  # the Kyrgyz card says the same
    assert "Баасы" not in ky and "акысыз" not in ky and "азырынча чечиле элек" in ky

    # the officer names the provider: it is shown; the cost is still not invented
    await reg.edit_service(db, officer_id=404, service_id=service_id, provider_name="МП «Бишкек-Транс»")
    [card] = await aigul.press_data(card["message_id"], f"rg:card:{service_id}:0:")
    text = plain(card)
    assert "Кто оказывает: айыл окмоту или мэрия — МП «Бишкек-Транс»" in text
    assert "Стоимость" not in text and "пока не решено" not in text

    # and the cost
    await reg.edit_service(db, officer_id=404, service_id=service_id, paid=True, tariff="20 сомов")
    [card] = await aigul.press_data(card["message_id"], f"rg:card:{service_id}:0:")
    assert "Стоимость: платно, тариф: 20 сомов" in plain(card)

    # a rejected proposal whose details were never set does not show them either
    await reg.edit_service(db, officer_id=404, service_id=service_id, name_ru="Автобус")  # not cost/provider
    other = await reg.get_service(db, service_id)
    rejected = reg.Service(**{**other.__dict__, "status": "rejected", "cost_set": False, "provider_set": False})
    for locale in ("ru", "ky"):
        shown = card_text(rejected, locale)
        assert ("бесплатно" not in shown and "мэрия" not in shown) if locale == "ru" else "акысыз" not in shown
    # approved: the registry entry shows its cost and provider as before
    approved = reg.Service(**{**rejected.__dict__, "status": "approved"})
    assert "Стоимость: платно" in card_text(approved, "ru") and "Кто оказывает:" in card_text(approved, "ru")
    assert officer is not None


async def test_rating_once_per_quarter_officer_sees_no_names(harness: Harness, db: Database, frozen_clock) -> None:
    aigul = await _resident(harness, db, 341, "Айгүл", "ky")
    officer = await _officer(harness, db, 342, "ru")
    await aigul.send("/services")
    await aigul.press("Таза суу (1)")
    [card] = await aigul.press("Таза суу менен камсыздоо")
    *_, ask = await aigul.press("⭐ Кызматка баа берүү")
    assert labels(ask) == ["1 ⭐", "2 ⭐", "3 ⭐", "4 ⭐", "5 ⭐", "✖ Жокко чыгаруу"]
    [_asked, comment] = await aigul.press("2 ⭐")
    assert "2" in plain(comment) and "500" in plain(comment)  # a new msgid (see the report)
    assert labels(comment) == ["⏭ Өткөрүп жиберүү", "« Артка", "✖ Жокко чыгаруу"]
    [too_long] = await aigul.send("ы" * (reg.COMMENT_MAX + 1))
    assert "500 белгиден ашпашы керек" in plain(too_long)
    later = harness.emulator.send_text(341, "Суу <жумасына> бир эле жолу келет")
    later["message"]["date"] += 30
    await harness.feed(later)
    assert "2027-ж., 1-январь" in plain(aigul.last())
    await aigul.press("⭐ Кызматка баа берүү", card)
    assert _alert(aigul).startswith("Сиз бул чейректе бул кызматка баа бергенсиз.")
    frozen_clock.set(datetime(2027, 1, 2, 6, 0, tzinfo=UTC))
    await aigul.press("⭐ Кызматка баа берүү", card)
    await aigul.press("5 ⭐")
    *_, thanks = await aigul.press(SKIP["ky"])
    assert "Рахмат!" in plain(thanks)
    service_id = await db.fetchval("SELECT service_id FROM service_ratings LIMIT 1")
    [overview] = await officer.send("/registry")
    [ocard] = await officer.press_data(overview["message_id"], f"rg:oc:{service_id}:0:")
    assert "Оценка: 3,5 из 5 по 2 оценкам." in plain(ocard)
    assert "• Суу <жумасына> бир эле жолу келет (4-й квартал 2026 г.)" in plain(ocard)
    assert "Айгүл" not in plain(ocard) and "341" not in plain(ocard)


# -- a step left by navigation ignores later text --------------------------------------------------

async def test_the_proposal_step_left_by_a_menu_button_ignores_later_text(harness: Harness, db: Database) -> None:
    ivan = await _resident(harness, db, 381, "Иван", "ru")
    [home] = await ivan.send("/services")
    await ivan.press("➕ Предложить новую услугу")
    await ivan.press_data(home["message_id"], "rg:mine:0:0:")  # "Services I follow" on an earlier message
    [reply] = await ivan.send("Вечерний автобус до райцентра")
    assert "Шаг 2 из 5" not in plain(reply)  # not taken as the proposal's name
    await ivan.send("/services")
    [reply] = await ivan.send("Ещё один текст")
    assert "Шаг" not in plain(reply)
    assert await db.fetchval("SELECT count(*) FROM services WHERE origin = 'resident'") == 0


async def test_the_rating_comment_left_by_a_command_ignores_later_text(harness: Harness, db: Database) -> None:
    aigul = await _resident(harness, db, 382, "Айгүл", "ru")
    await aigul.send("/services")
    await aigul.press("Питьевая вода (1)")
    await aigul.press("Обеспечение питьевой водой")
    await aigul.press("⭐ Оценить услугу")
    await aigul.press("4 ⭐")
    await aigul.send("/services")
    [reply] = await aigul.send("Вода бывает только ночью")
    assert "Спасибо" not in plain(reply)
    assert await db.fetchval("SELECT count(*) FROM service_ratings") == 0


async def _services_screens(person: Person, db: Database) -> list[str]:
    """Everything a resident reads on /services: the home screen, each area's list (text and
    buttons) and each entry's card."""
    [home] = await person.send("/services")
    screens = [plain(home), *labels(home)]
    areas = [label for label in labels(home) if label.endswith(")")]
    assert len(areas) >= 10, areas  # the catalogue's areas, with their counts
    for area in areas:
        [home] = await person.send("/services")
        [listing] = await person.press(area, home)
        screens += [plain(listing), *labels(listing)]
    for (service_id,) in await db.fetchall("SELECT id FROM services ORDER BY id"):
        [card] = await person.press_data(person.last()["message_id"], f"rg:card:{service_id}:0:")
        screens.append(plain(card))
    return screens


def _russian_only(screens: list[str]) -> list[str]:
    """Screens that show a catalogue entry's Russian name (or its first word, as a cut button does)."""
    russian = [name_ru for name_ru, _ky, _area in reg.load_catalogue()]
    return [screen for screen in screens
            if any(name in screen or name.split()[0] in screen for name in russian)]


async def test_kyrgyz_residents_see_the_catalogue_in_kyrgyz(harness: Harness, db: Database) -> None:
    """Issue 12: 11 of the 14 starter entries had only a Russian name, so the Kyrgyz interface showed
    «Предоставление информации…», «Уличное освещение»: every entry now has a Kyrgyz name."""
    aigul = await _resident(harness, db, 361, "Айгүл", "ky")
    screens = await _services_screens(aigul, db)
    assert not _russian_only(screens)
    joined = "\n".join(screens)
    assert "Предоставление" not in joined and "Уличное" not in joined
    assert "Көчө жарыгы" in joined and "Маданият үйүнүн кызматтары" in joined
    assert all(name_ky for _ru, name_ky, _area in reg.load_catalogue())
    # Russian readers still see the Russian names
    ivan = await _resident(harness, db, 362, "Иван", "ru")
    screens = await _services_screens(ivan, db)
    assert any(s.endswith(" Уличное освещение") for s in screens) and "Көчө жарыгы" not in "\n".join(screens)


async def test_municipalities_seeded_before_get_the_kyrgyz_names_from_the_migration(
    harness: Harness, db: Database
) -> None:
    """Issue 12: a database seeded with the old catalogue (no Kyrgyz names) gets them from migration 0013,
    except on entries an officer has edited (their own wording stays)."""
    await reg.ensure_seeded(db, BISHKEK)
    translated = {name_ru: name_ky for name_ru, name_ky, _area in reg.load_catalogue()}
    old = ("Предоставление информации из ведения органа местного самоуправления по запросу физических и "
           "юридических лиц", "Уличное освещение", "Организация досуга (парк отдыха)", "Услуги дома культуры",
           "Спортивные секции и сооружения", "Обучение и адаптация детей с особыми потребностями",
           "Досуг детей и молодежи", "Содержание общественных зданий и территорий",
           "Местный пассажирский транспорт", "Коммунальные услуги", "Содержание школьных зданий")
    async with db.transaction() as tx:  # as the old catalogue left them, at schema version 12
        await tx.executemany("UPDATE services SET name_ky = '' WHERE name_ru = ?", [(name,) for name in old])
        await tx.execute("UPDATE services SET confirmed = 1, tariff = '5 сом' WHERE name_ru = 'Коммунальные услуги'")
        await tx.execute("PRAGMA user_version = 12")
    assert 13 in await db.migrate()
    rows = {r["name_ru"]: r["name_ky"] for r in await db.fetchall("SELECT name_ru, name_ky FROM services")}
    assert rows["Коммунальные услуги"] == ""  # edited by an officer: left as they left it
    assert {name: rows[name] for name in old if name != "Коммунальные услуги"} == {
        name: translated[name] for name in old if name != "Коммунальные услуги"}  # the same words as the CSV
    aigul = await _resident(harness, db, 363, "Айгүл", "ky")
    shown = "\n".join(await _services_screens(aigul, db))
    assert "Предоставление" not in shown and "Уличное" not in shown and "Көчө жарыгы" in shown
