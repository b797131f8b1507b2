"""The registry of services through the real dispatcher and the Bot API emulator, in both languages:
propose → support → consider → approve → include with notifications queued for followers, crafted
buttons for another municipality, bounds, stickers, HTML in a proposal, blocked followers, ratings
per quarter, officer tools (add, export)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.db import Database
from bot.domain import registry as reg
from bot.domain.clock import clock
from bot.domain.officers import grant_officer
from bot.domain.outbox import Content
from bot.i18n import format_number
from tests.conftest import SUPERADMIN_ID
from tests.harness import Harness, Person, labels, plain

BISHKEK = "41711000000000"
AK_DEBE = "41708203803000"
MENU_BUTTON = {"ky": "🏛 Муниципалдык кызмат көрсөтүүлөр", "ru": "🏛 Муниципальные услуги"}


async def _resident(harness: Harness, user_id: int, name: str, locale: str) -> Person:
    person = harness.person(user_id, name, language_code=locale)
    await person.send("/start")
    await person.press("Русский" if locale == "ru" else "Кыргызча")
    replies = await person.press("г. Бишкек" if locale == "ru" else "Бишкек шаары")
    assert MENU_BUTTON[locale] in labels(replies[-1])
    return person


async def _officer(harness: Harness, db: Database, user_id: int, locale: str) -> Person:
    person = await _resident(harness, user_id, "Нурлан", locale)
    await grant_officer(db, actor_id=SUPERADMIN_ID, superadmins=frozenset({SUPERADMIN_ID}), telegram_id=user_id,
                        municipality_code=BISHKEK)
    return person


def _alert(person: Person) -> str:
    return person.alerts()[-1].get("text", "")


async def _notifications(db: Database) -> list[tuple[int, list[int], Content]]:
    rows = await db.fetchall("SELECT id, content FROM broadcasts WHERE kind = 'service_status' ORDER BY id")
    result = []
    for row in rows:
        ids = [r[0] for r in await db.fetchall(
            "SELECT resident_id FROM deliveries WHERE broadcast_id = ? ORDER BY resident_id", (row["id"],))]
        result.append((row["id"], ids, Content.from_json(row["content"])))
    return result


async def test_propose_support_consider_approve_include_notifies_followers_in_their_language(
    harness: Harness, db: Database
) -> None:
    aigul = await _resident(harness, 301, "Айгүл", "ky")
    ivan = await _resident(harness, 302, "Иван", "ru")
    bermet = await _resident(harness, 303, "Бермет", "ky")
    officer = await _officer(harness, db, 304, "ru")

    # Aigul (Kyrgyz) proposes a service, with HTML-like text that must be shown exactly
    [home] = await aigul.press(MENU_BUTTON["ky"])
    assert "Муниципалдык кызмат көрсөтүүлөр" in plain(home) and "Таза суу (1)" in labels(home)
    [step1] = await aigul.press("➕ Жаңы кызматты сунуштоо")
    assert "кадам 1/5" in plain(step1) and "3 белгиден 150 белгиге чейин" in plain(step1)
    [sticker] = await aigul.send_sticker()
    assert "текст менен жазыңыз" in plain(sticker)
    name = "<b>&<3 Пандус для колясок"
    [step2] = await aigul.send(name)
    assert "Кадам 2/5" in plain(step2)
    [too_long] = await aigul.send("ы" * 5000)
    assert (f"эң көп {format_number(1000, 'ky')} белги, сиздикинде {format_number(5000, 'ky')} белги"
            in plain(too_long))
    [step3] = await aigul.send("Ооруканага жана айыл өкмөтүнө кирүүчү жерлерге пандус керек.")
    assert "Кадам 3/5" in plain(step3)
    [step4] = await aigul.press("Бул кадамды өткөрүп жиберүү")
    assert "Кадам 4/5" in plain(step4)
    [step4_answered, step5] = await aigul.press("Ден соолугунун мүмкүнчүлүктөрү чектелген адамдар")
    # the step-4 question now records the choice, without buttons; step 5 comes as a new message
    assert plain(step4_answered) == "Кадам 4/5. Кимдин атынан: Ден соолугунун мүмкүнчүлүктөрү чектелген адамдар"
    assert not labels(step4_answered) and "Кадам 5/5" in plain(step5)
    [preview] = await aigul.press("Социалдык колдоо")
    assert f"Кызмат: {name}" in plain(preview) and "Тармак: Социалдык колдоо" in plain(preview)
    [card] = await aigul.press("✅ Сунушту жөнөтүү")
    assert plain(card).startswith(f"💡 {name}\n")
    assert "Тургун сунуштаган, кимдин атынан: Ден соолугунун мүмкүнчүлүктөрү чектелген адамдар" in plain(card)
    assert "🔕 Жазылууну токтотуу" in labels(card)  # the proposer follows it
    service_id = await db.fetchval("SELECT id FROM services WHERE origin = 'resident'")
    assert await db.fetchval("SELECT name_ky FROM services WHERE id = ?", (service_id,)) == name

    # Ivan (Russian) supports it; Bermet (Kyrgyz) follows it
    await ivan.press(MENU_BUTTON["ru"])
    [proposals] = await ivan.press("💡 Предложения жителей (1)")
    [card] = await ivan.press(name[:20], proposals)
    assert plain(card).startswith(f"💡 {name}\n") and "Статус: 💡 предложена" in plain(card)
    [card] = await ivan.press("👍 Поддержать предложение")
    assert "Это предложение поддерживает 1 житель." in plain(card)
    assert "👍 Поддержать предложение" not in labels(card)
    await bermet.press(MENU_BUTTON["ky"])
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
    [prompt] = await officer.press("Перевести: 🔎 на рассмотрении")
    assert "Напишите комментарий" in plain(prompt)
    [done] = await officer.send("Рассмотрим на сессии кенеша")
    assert "Уведомление получат жители, следящие за услугой: 3." in plain(done)
    await officer.press("Открыть услугу")
    await officer.press("Перевести: ✅ утверждена кенешем")
    [done] = await officer.press("Без комментария")
    assert "✅ утверждена кенешем" in plain(done)
    await officer.press("Открыть услугу")
    await officer.press("Перевести: 📗 включена в реестр")
    await officer.send("Постановление № 7")

    notes = await _notifications(db)
    assert [ids for _, ids, _ in notes] == [[301, 302, 303]] * 3
    expected = {"ky": ["🔎 каралууда", "✅ кеңеш бекитти", "📗 реестрге киргизилди"],
                "ru": ["🔎 на рассмотрении", "✅ утверждена кенешем", "📗 включена в реестр"]}
    for (_, _, content), ky_status, ru_status in zip(notes, expected["ky"], expected["ru"]):
        ky, ru = content.for_locale("ky"), content.for_locale("ru")  # Aigul and Bermet get ky, Ivan ru
        assert f"«{ky_status}»" in ky.text and f"«{ru_status}»" in ru.text
        assert "&lt;b&gt;&amp;&lt;3 Пандус" in ky.text  # escaped for the HTML message
        assert ky.buttons[0][0].text == "Кызматты ачуу" and ru.buttons[0][0].text == "Открыть услугу"
    assert "Комментарий: Рассмотрим на сессии кенеша" in notes[0][2].for_locale("ru").text
    assert "Түшүндүрмө: Постановление № 7" in notes[2][2].for_locale("ky").text

    # the card shows the history; the overview the residents' initiative measure
    [card] = await aigul.press_data(aigul.last()["message_id"], f"rg:card:{service_id}:0:")
    assert "Абалы: 📗 реестрге киргизилди" in plain(card) and "Түшүндүрмө: Рассмотрим на сессии кенеша" in plain(card)
    assert "⭐ Кызматка баа берүү" in labels(card)
    [overview] = await officer.send("/registry")
    assert "Жители предложили 1 услугу; утверждено кенешем: 1; включено в реестр: 1." in plain(overview)


async def test_crafted_buttons_for_another_municipality_change_nothing(harness: Harness, db: Database) -> None:
    await reg.ensure_seeded(db, AK_DEBE)
    foreign = (await reg.list_services(db, AK_DEBE, area="water"))[0][0]
    ivan = await _resident(harness, 311, "Иван", "ru")
    officer = await _officer(harness, db, 312, "ky")
    message_id = ivan.last()["message_id"]
    for action in ("card", "fol", "sup", "rate", "score"):
        replies = await ivan.press_data(message_id, f"rg:{action}:{foreign.id}:0:4")
        assert replies == [] and _alert(ivan) == "Этой услуги нет в реестре вашего муниципалитета."
    await ivan.press_data(message_id, "rg:area:0:0:nonsense")
    assert _alert(ivan) == "Эта кнопка устарела. Отправьте /menu, чтобы начать заново."
    for data in (f"rg:oc:{foreign.id}:0:", f"rg:mv:{foreign.id}:0:excluded"):
        await officer.press_data(officer.last()["message_id"], data)
        assert _alert(officer) == "Бул кызмат сиздин муниципалитеттин реестринде жок."
    # a resident who is not an officer presses an officer button
    await ivan.press_data(message_id, f"rg:mv:{foreign.id}:0:excluded")
    assert "только для специалистов" in _alert(ivan)
    assert await reg.get_service(db, foreign.id) == foreign
    assert await db.fetchval("SELECT count(*) FROM service_followers") == 0
    assert await db.fetchval("SELECT count(*) FROM service_events WHERE service_id = ?", (foreign.id,)) == 1
    assert await db.fetchval("SELECT count(*) FROM service_ratings") == 0


async def test_bounds_and_stickers_in_russian_keep_the_draft(harness: Harness, db: Database) -> None:
    ivan = await _resident(harness, 321, "Иван", "ru")
    await ivan.press(MENU_BUTTON["ru"])
    await ivan.press("➕ Предложить новую услугу")
    [short] = await ivan.send("Да")
    assert "не меньше 3 символов, а у вас 2 символа" in plain(short)
    [step2] = await ivan.send("Вечерний автобус до райцентра")
    [sticker] = await ivan.send_sticker()
    assert "Напишите ответ текстом" in plain(sticker)
    [too_long] = await ivan.send("д" * 5000)
    assert (f"не больше {format_number(1000, 'ru')} символов, а у вас {format_number(5000, 'ru')} символов"
            in plain(too_long))
    [step3] = await ivan.send("Последний автобус уходит в 17:00, люди не успевают с работы.")
    assert "Шаг 3 из 5" in plain(step3)
    [typed] = await ivan.send("Работающие жители")
    [typed] = await ivan.send("текст вместо кнопки")
    assert "Выберите одну из кнопок выше" in plain(typed)
    await ivan.press("Нет, не от имени группы")
    [preview] = await ivan.press("Местный транспорт")
    assert "Услуга: Вечерний автобус до райцентра" in plain(preview)
    assert "Что нужно: Последний автобус уходит в 17:00" in plain(preview)  # the draft survived the bad inputs
    assert "Для кого: Работающие жители" in plain(preview)
    await ivan.press("✖️ Отмена")
    assert await db.fetchval("SELECT count(*) FROM services WHERE origin = 'resident'") == 0


async def test_a_follower_who_blocked_the_bot_is_not_queued(harness: Harness, db: Database) -> None:
    aigul = await _resident(harness, 331, "Айгүл", "ky")
    bermet = await _resident(harness, 332, "Бермет", "ru")
    officer = await _officer(harness, db, 333, "ky")
    service = await reg.propose(db, resident_id=331, proposal=reg.Proposal(
        name="Кечки автобус", description="", recipients="", on_behalf_of=None, area="transport", locale="ky"))
    await reg.follow(db, resident_id=332, service_id=service.id)
    harness.emulator.block_bot(332)
    pending = [u for u in harness.emulator._updates if "my_chat_member" in u]
    await harness.feed(pending[-1])
    await officer.press_data(officer.last()["message_id"], f"rg:oc:{service.id}:0:")
    await officer.press("Жаңы абал: ❌ четке кагылды")
    [short] = await officer.send("Жк")
    assert "жок дегенде 3 белги керек, сиздикинде 2 белги" in plain(short)
    [done] = await officer.send("Бюджетте каражат жок")
    assert "Кабар 1 жазылуучуга жөнөтүлөт." in plain(done)
    [(_, ids, content)] = await _notifications(db)
    assert ids == [331]
    assert "«❌ четке кагылды»" in content.for_locale("ky").text
    assert (await reg.get_service(db, service.id)).rejection_reason == "Бюджетте каражат жок"
    [card] = await aigul.press_data(aigul.last()["message_id"], f"rg:card:{service.id}:0:")
    assert "Четке кагуунун себеби: Бюджетте каражат жок" in plain(card)
    assert bermet.user_id == 332


async def test_rating_once_per_quarter_officer_sees_no_names(harness: Harness, db: Database) -> None:
    clock.set(lambda: datetime(2026, 11, 29, 12, 0, tzinfo=UTC))
    try:
        aigul = await _resident(harness, 341, "Айгүл", "ky")
        officer = await _officer(harness, db, 342, "ru")
        await aigul.press(MENU_BUTTON["ky"])
        await aigul.press("Таза суу (1)")
        [card] = await aigul.press("Таза суу менен камсыздоо")
        [ask] = await aigul.press("⭐ Кызматка баа берүү")
        assert labels(ask) == ["1 ⭐", "2 ⭐", "3 ⭐", "4 ⭐", "5 ⭐"]
        [comment] = await aigul.press("2 ⭐")
        assert "Сиздин баа: 2 / 5" in plain(comment)
        [thanks] = await aigul.send("Суу <жумасына> бир эле жолу келет")
        assert "2027-ж., 1-январь" in plain(thanks)
        await aigul.press("⭐ Кызматка баа берүү", card)
        assert _alert(aigul).startswith("Сиз бул чейректе бул кызматка баа бергенсиз.")
        clock.set(lambda: datetime(2027, 1, 2, 6, 0, tzinfo=UTC))
        await aigul.press("⭐ Кызматка баа берүү", card)
        await aigul.press("5 ⭐")
        [thanks] = await aigul.press("Түшүндүрмөсүз")
        assert "Рахмат!" in plain(thanks)
        service_id = await db.fetchval("SELECT service_id FROM service_ratings LIMIT 1")
        [ocard] = await officer.press_data(officer.last()["message_id"], f"rg:oc:{service_id}:0:")
        assert "Оценка: 3,5 из 5 по 2 оценкам." in plain(ocard)
        assert "• Суу <жумасына> бир эле жолу келет (2026Q4)" in plain(ocard)
        assert "Айгүл" not in plain(ocard) and "341" not in plain(ocard)
    finally:
        clock.set(None)


async def test_officer_adds_a_paid_service_and_exports_csv(harness: Harness, db: Database) -> None:
    outsider = await _resident(harness, 351, "Асан", "ru")
    [refused] = await outsider.send("/registry")
    assert "только для специалистов" in plain(refused)
    officer = await _officer(harness, db, 352, "ru")
    [overview] = await officer.send("/registry")
    assert "📗 включена в реестр: 14" in plain(overview)
    await officer.press("➕ Добавить услугу")
    await officer.send("Маршрутка до райцентра")
    await officer.press("Местный транспорт")
    await officer.press("Дополнительный перечень")
    await officer.press("муниципальное предприятие")
    [tariff] = await officer.press("Платно")
    assert "Отправьте тариф" in plain(tariff)
    [added] = await officer.send("20 сомов за поездку")
    assert "✅ Добавлено в реестр: Маршрутка до райцентра" in plain(added)
    [card] = await officer.press("Открыть услугу")
    assert "Стоимость: платно, тариф: 20 сомов за поездку" in plain(card)
    assert "Кто оказывает: муниципальное предприятие" in plain(card)
    assert "Сфера: Местный транспорт · Дополнительный перечень" in plain(card)
    await officer.send("/registry")
    [document] = await officer.press("⬇️ Выгрузить в CSV")
    stored = harness.emulator._files[document["document"]["file_id"]]
    assert stored.data.startswith("\ufeff".encode()) and document["document"]["file_name"].endswith(".csv")
    text = stored.data.decode("utf-8-sig")
    assert "Маршрутка до райцентра" in text and "Обеспечение питьевой водой" in text


async def _problem(db: Database, author_id: int, code: str, text: str, supporters: list[int]) -> int:
    """A priority problem written straight into the problems feature's tables (migrations/0003)."""
    from bot.domain.clock import now_db

    async with db.transaction() as tx:
        problem_id = await tx.insert(
            "INSERT INTO problems (municipality_code, author_id, category, text, status, created_at, updated_at)"
            " VALUES (?, ?, 'water', ?, 'prioritized', ?, ?)", (code, author_id, text, now_db(), now_db()))
        for resident_id in supporters:
            await tx.execute("INSERT INTO problem_supports (problem_id, resident_id, created_at) VALUES (?, ?, ?)",
                             (problem_id, resident_id, now_db()))
    return problem_id


async def test_officer_links_priority_problems_and_the_card_shows_the_open_ones(harness: Harness, db: Database) -> None:
    aigul = await _resident(harness, 361, "Айгүл", "ky")
    ivan = await _resident(harness, 362, "Иван", "ru")
    officer = await _officer(harness, db, 363, "ru")
    outsider = harness.person(364, "Асан")
    await outsider.send("/start")
    from bot.domain.residents import set_locale, set_municipality
    await set_locale(db, 364, "ru")
    await set_municipality(db, 364, AK_DEBE)
    water_problem = await _problem(db, 361, BISHKEK, "Суу <күнүнө> 2 саат гана берилет", [362, 363])
    foreign_problem = await _problem(db, 364, AK_DEBE, "Ак-Дебеде суу жок", [])
    await reg.ensure_seeded(db, BISHKEK)
    water = (await reg.list_services(db, BISHKEK, area="water"))[0][0]

    await officer.press_data(officer.last()["message_id"], f"rg:oc:{water.id}:0:")
    [ask] = await officer.press("🔗 Связать с приоритетной проблемой")
    assert "Отправьте её номер" in plain(ask)
    [wrong] = await officer.send(f"#{foreign_problem}")  # a problem of another municipality
    assert f"В вашем муниципалитете нет проблемы №{foreign_problem}." in plain(wrong)
    [done] = await officer.send(f"#{water_problem}")
    assert f"✅ Проблема №{water_problem} связана с этой услугой" in plain(done)
    assert await db.fetchval("SELECT count(*) FROM service_problem_links") == 1

    await aigul.press(MENU_BUTTON["ky"])
    await aigul.press("Таза суу (1)")
    [card] = await aigul.press("Таза суу менен камсыздоо")
    assert "Бул кызматка тиешелүү ачык артыкчылыктуу көйгөйлөр: 1" in plain(card)
    assert f"№{water_problem} «Суу <күнүнө> 2 саат гана берилет» — колдоо: 2" in plain(card)
    assert f"📢 #{water_problem}" in labels(card)
    opened = await aigul.press(f"📢 #{water_problem}", card)  # handled by the problems feature
    assert opened and "Бул баскыч эскирип калган" not in " ".join(a.get("text") or "" for a in aigul.alerts())
    [card] = await ivan.press_data(ivan.last()["message_id"], f"rg:card:{water.id}:0:")
    assert f"№{water_problem} «Суу <күнүнө> 2 саат гана берилет» — 2 голоса поддержки" in plain(card)

    # an officer can unlink it; a solved problem is no longer shown
    [ocard] = await officer.press("Открыть услугу")
    await officer.press(f"✖ Отвязать проблему №{water_problem}", ocard)
    assert _alert(officer) == f"Проблема №{water_problem} больше не связана с этой услугой."
    assert await db.fetchval("SELECT count(*) FROM service_problem_links") == 0
    assert await reg.link_problem(db, officer_id=363, service_id=water.id, problem_id=water_problem)
    async with db.transaction() as tx:
        await tx.execute("UPDATE problems SET status = 'solved' WHERE id = ?", (water_problem,))
    [card] = await ivan.press_data(ivan.last()["message_id"], f"rg:card:{water.id}:0:")
    assert "проблем" not in plain(card) and f"📢 #{water_problem}" not in labels(card)


async def test_officer_edits_names_resolution_and_bounds(harness: Harness, db: Database) -> None:
    aigul = await _resident(harness, 371, "Айгүл", "ky")
    officer = await _officer(harness, db, 372, "ru")
    await reg.ensure_seeded(db, BISHKEK)
    lighting = (await reg.list_services(db, BISHKEK, area="lighting"))[0][0]
    await officer.press_data(officer.last()["message_id"], f"rg:oc:{lighting.id}:0:")
    await officer.press("✏️ Изменить сведения")
    [ask] = await officer.press("Название на кыргызском")
    assert "до 150 символов" in plain(ask)
    [saved] = await officer.send("Көчөлөрдү жарыктандыруу")
    assert "✅ Сохранено: «Название на кыргызском»." in plain(saved)
    await officer.press("Открыть услугу")
    await officer.press("✏️ Изменить сведения")
    await officer.press("Описание на русском")
    [too_long] = await officer.send("о" * 5000)
    assert f"не больше {format_number(1000, 'ru')} символов, а у вас {format_number(5000, 'ru')} символов" in plain(too_long)
    await officer.send("Фонари на главных улицах горят с 19:00 до 06:00.")
    await officer.press("Открыть услугу")
    await officer.press("✏️ Изменить сведения")
    await officer.press("Номер постановления кенеша")
    await officer.send("7")
    await officer.press("Открыть услугу")
    await officer.press("✏️ Изменить сведения")
    await officer.press("Дата постановления кенеша")
    [wrong] = await officer.send("3 марта")
    assert "Не удалось прочитать дату" in plain(wrong)
    await officer.send("03.03.2025")
    [ocard] = await officer.press("Открыть услугу")
    assert "Постановление кенеша: № 7 от 3 марта 2025" in plain(ocard)
    assert "Фонари на главных улицах" in plain(ocard)  # the Russian description for a Russian reader
    assert "ещё не подтвердил" not in plain(ocard)  # edited: no longer an unconfirmed catalogue copy

    [card] = await aigul.press_data(aigul.last()["message_id"], f"rg:card:{lighting.id}:0:")
    assert plain(card).startswith("📗 Көчөлөрдү жарыктандыруу\nФонари на главных улицах")  # ky name, ru text as fallback
    assert "Кеңештин токтому: № 7, 2025-ж., 3-март" in plain(card)
    assert "маалыматтар жаңыртылды (муниципалитет)" in plain(card)
