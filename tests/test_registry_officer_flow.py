"""Officers and the registry through the real dispatcher: rejecting with a reason (a blocked follower
not queued), adding a paid service, linking problems, editing with bounds, export (localized and
formula-safe), crafted huge ids, cards that fit one message; every officer wizard's step ends when
the officer navigates away."""

from __future__ import annotations

import csv
import io
import logging

from bot.db import Database
from bot.domain import registry as reg
from bot.domain.clock import now_db
from bot.i18n import format_number, numbered
from bot.notices import render_stored
from bot.ui.registry import visible_length
from tests.harness import Harness, labels, plain
from tests.support import AK_DEBE, BISHKEK
from tests.test_registry_resident_flow import _alert, _notifications, _officer, _resident


def _errors(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def _first_water_service(db: Database) -> reg.Service:
    await reg.ensure_seeded(db, BISHKEK)
    return (await reg.list_services(db, BISHKEK, area="water"))[0][0]


async def _problem(db: Database, author_id: int, code: str, text: str, supporters: list[int]) -> int:
    """A priority problem written straight into the problems feature's tables (migrations/0003)."""
    async with db.transaction() as tx:
        problem_id = await tx.insert(
            "INSERT INTO problems (municipality_code, author_id, category, text, status, created_at, updated_at)"
            " VALUES (?, ?, 'water', ?, 'prioritized', ?, ?)", (code, author_id, text, now_db(), now_db()))
        for resident_id in supporters:
            await tx.execute("INSERT INTO problem_supports (problem_id, resident_id, created_at) VALUES (?, ?, ?)",
                             (problem_id, resident_id, now_db()))
    return problem_id


async def test_a_follower_who_blocked_the_bot_is_not_queued(harness: Harness, db: Database) -> None:
    aigul = await _resident(harness, db, 331, "Айгүл", "ky")
    bermet = await _resident(harness, db, 332, "Бермет", "ru")
    await bermet.send("/services")  # the chat exists, then Bermet blocks the bot
    officer = await _officer(harness, db, 333, "ky")
    service = await reg.propose(db, resident_id=331, proposal=reg.Proposal(
        name="Кечки автобус", description="", recipients="", on_behalf_of=None, area="transport", locale="ky"))
    await reg.follow(db, resident_id=332, service_id=service.id)
    harness.emulator.block_bot(332)
    pending = [u for u in harness.emulator._updates if "my_chat_member" in u]
    await harness.feed(pending[-1])
    [overview] = await officer.send("/registry")
    await officer.press_data(overview["message_id"], f"rg:oc:{service.id}:0:")
    [ask] = await officer.press("→ ❌ четке кагылды")
    assert "Skip" not in " ".join(labels(ask)) and "Өткөрүп" not in " ".join(labels(ask))  # a reason is required
    [short] = await officer.send("Жк")
    assert "жок дегенде 3 белги керек, сиздикинде 2 белги" in plain(short)
    [done] = await officer.send("Бюджетте каражат жок")
    assert "Кабар 1 жазылуучуга жөнөтүлөт." in plain(done)
    [(_, ids, raw)] = await _notifications(db)
    assert ids == [331]
    assert "«❌ четке кагылды»" in render_stored(raw, "ky").text
    assert (await reg.get_service(db, service.id)).rejection_reason == "Бюджетте каражат жок"
    [home] = await aigul.send("/services")
    [card] = await aigul.press_data(home["message_id"], f"rg:card:{service.id}:0:")
    assert "Четке кагуунун себеби: Бюджетте каражат жок" in plain(card)
    # a move button of the card as it was (the status changed since): refused, nothing changes
    await officer.press_data(overview["message_id"], f"rg:mv:{service.id}:0:approved")
    assert _alert(officer) == "Бул кызматтын абалы ушул убакта өзгөрүп калды. Аны кайра ачыңыз."


async def test_officer_adds_a_paid_service_and_exports_csv(harness: Harness, db: Database) -> None:
    outsider = await _resident(harness, db, 351, "Асан", "ru")
    [refused] = await outsider.send("/registry")
    assert "только для специалистов" in plain(refused)
    officer = await _officer(harness, db, 352, "ru")
    [overview] = await officer.send("/registry")
    assert "📗 включена в реестр: 14" in plain(overview)
    await officer.press("➕ Добавить услугу")
    [short] = await officer.send("М")
    assert "не меньше 3 символов" in plain(short)
    await officer.send("Маршрутка до райцентра")
    await officer.press("Местный транспорт")
    await officer.press("Дополнительный перечень")
    await officer.press("муниципальное предприятие")
    *_, tariff = await officer.press("Платно")
    assert "Отправьте тариф" in plain(tariff)
    [too_long] = await officer.send("т" * 201)
    assert "не больше 200 символов" in plain(too_long)
    later = harness.emulator.send_text(352, "20 сомов за поездку")
    later["message"]["date"] += 30
    await harness.feed(later)
    added = officer.last()
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


async def test_officer_links_priority_problems_and_the_card_shows_the_open_ones(harness: Harness, db: Database) -> None:
    aigul = await _resident(harness, db, 361, "Айгүл", "ky")
    ivan = await _resident(harness, db, 362, "Иван", "ru")
    officer = await _officer(harness, db, 363, "ru")
    await _resident(harness, db, 364, "Асан", "ru", code=AK_DEBE)
    water_problem = await _problem(db, 361, BISHKEK, "Суу <күнүнө> 2 саат гана берилет", [362, 363])
    foreign_problem = await _problem(db, 364, AK_DEBE, "Ак-Дебеде суу жок", [])
    water = await _first_water_service(db)

    [overview] = await officer.send("/registry")
    await officer.press_data(overview["message_id"], f"rg:oc:{water.id}:0:")
    *_, ask = await officer.press("🔗 Связать с приоритетной проблемой")
    assert "Отправьте её номер" in plain(ask)
    [wrong] = await officer.send(f"#{foreign_problem}")  # a problem of another municipality
    assert f"В вашем муниципалитете нет проблемы {numbered(foreign_problem)}." in plain(wrong)
    [done] = await officer.send(f"#{water_problem}")
    assert f"✅ Проблема {numbered(water_problem)} связана с этой услугой" in plain(done)
    assert await db.fetchval("SELECT count(*) FROM service_problem_links") == 1

    await aigul.send("/services")
    await aigul.press("Таза суу (1)")
    [card] = await aigul.press("Таза суу менен камсыздоо")
    assert "Бул кызматка тиешелүү ачык артыкчылыктуу көйгөйлөр: 1" in plain(card)
    assert f"{numbered(water_problem)} «Суу <күнүнө> 2 саат гана берилет» — колдоо: 2" in plain(card)
    # the button says what it opens (issue 12): "📢 Суу <күнүнө> 2 саат… #N"
    assert any(b.startswith("📢 Суу") and b.endswith(f" {numbered(water_problem)}") for b in labels(card)), labels(card)
    opened = await aigul.press(f" {numbered(water_problem)}", card)  # handled by the problems feature
    assert opened and "Бул баскыч эскирип калган" not in " ".join(a.get("text") or "" for a in aigul.alerts())
    [home] = await ivan.send("/services")
    [card] = await ivan.press_data(home["message_id"], f"rg:card:{water.id}:0:")
    assert f"{numbered(water_problem)} «Суу <күнүнө> 2 саат гана берилет» — 2 голоса поддержки" in plain(card)

    # an officer can unlink it; a solved problem is no longer shown
    [ocard] = await officer.press("Открыть услугу")
    await officer.press(f"✖ Отвязать проблему {numbered(water_problem)}", ocard)
    assert _alert(officer) == f"Проблема {numbered(water_problem)} больше не связана с этой услугой."
    assert await db.fetchval("SELECT count(*) FROM service_problem_links") == 0
    assert await reg.link_problem(db, officer_id=363, service_id=water.id, problem_id=water_problem)
    async with db.transaction() as tx:
        await tx.execute("UPDATE problems SET status = 'solved' WHERE id = ?", (water_problem,))
    [card] = await ivan.press_data(home["message_id"], f"rg:card:{water.id}:0:")
    assert "проблем" not in plain(card) and f"📢 {numbered(water_problem)}" not in labels(card)


async def test_officer_edits_names_resolution_and_bounds(harness: Harness, db: Database) -> None:
    aigul = await _resident(harness, db, 371, "Айгүл", "ky")
    officer = await _officer(harness, db, 372, "ru")
    await reg.ensure_seeded(db, BISHKEK)
    lighting = (await reg.list_services(db, BISHKEK, area="lighting"))[0][0]
    [overview] = await officer.send("/registry")
    await officer.press_data(overview["message_id"], f"rg:oc:{lighting.id}:0:")
    await officer.press("✏️ Изменить сведения")
    *_, ask = await officer.press("Название на кыргызском")
    assert "до 150 символов" in plain(ask)
    [too_long] = await officer.send("ж" * 151)  # each field has its own bound
    assert "не больше 150 символов, у вас 151 символ" in plain(too_long)
    later = harness.emulator.send_text(372, "Көчөлөрдү жарыктандыруу")
    later["message"]["date"] += 30
    await harness.feed(later)
    assert "✅ Сохранено: «Название на кыргызском»." in plain(officer.last())
    await officer.press("Открыть услугу")
    await officer.press("✏️ Изменить сведения")
    await officer.press("Описание на русском")
    [too_long] = await officer.send("о" * 5000)
    assert f"не больше {format_number(1000, 'ru')} символов, у вас {format_number(5000, 'ru')} символов" in plain(too_long)
    later = harness.emulator.send_text(372, "Фонари на главных улицах горят с 19:00 до 06:00.")
    later["message"]["date"] += 30
    await harness.feed(later)
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

    [home] = await aigul.send("/services")
    [card] = await aigul.press_data(home["message_id"], f"rg:card:{lighting.id}:0:")
    assert plain(card).startswith("📗 Көчөлөрдү жарыктандыруу\nФонари на главных улицах")  # ky name, ru text as fallback
    assert "Кеңештин токтому: № 7, 2025-ж., 3-март" in plain(card)
    assert "маалыматтар жаңыртылды (муниципалитет)" in plain(card)


async def test_the_only_name_cannot_be_cleared_or_shortened(harness: Harness, db: Database) -> None:
    officer = await _officer(harness, db, 202, "ru")
    service = await reg.add_service(db, officer_id=202, name="Маршрутка", locale="ru", area="transport",
                                    registry="additional")
    [overview] = await officer.send("/registry")
    await officer.press_data(overview["message_id"], f"rg:ef:{service.id}:0:name_ru")
    [answer] = await officer.send("-")
    assert "единственное название" in plain(answer)
    [answer] = await officer.send("Ы")
    assert "слишком коротко" in plain(answer).lower()
    assert (await reg.get_service(db, service.id)).name_ru == "Маршрутка"


async def test_crafted_huge_ids_are_stale_buttons_not_crashes(harness, db: Database, caplog) -> None:
    aigul = await _resident(harness, db, 201, "Айгүл", "ru")
    officer = await _officer(harness, db, 202, "ru")
    [home] = await aigul.send("/services")
    [overview] = await officer.send("/registry")
    big = "99999999999999999999"
    for person, message, data in [
        (aigul, home, f"rg:card:{big}:0:"), (aigul, home, f"rg:fol:{big}:0:"), (aigul, home, f"rg:unf:{big}:0:"),
        (aigul, home, f"rg:rate:{big}:0:"), (aigul, home, f"rg:area:0:{big}:water"),
        (aigul, home, f"rg:sup:{big}:0:"),
        (officer, overview, f"rg:oc:{big}:0:"), (officer, overview, f"rg:mv:{big}:0:excluded"),
        (officer, overview, f"rg:unl:1:{big}:"), (officer, overview, f"rg:ed:{big}:0:"),
        (officer, overview, f"rg:ef:{big}:0:tariff"), (officer, overview, f"rg:lnk:{big}:0:"),
    ]:
        caplog.clear()
        await person.press_data(message["message_id"], data)
        assert not _errors(caplog), (data, _errors(caplog))
        assert "устарела" in person.alerts()[-1]["text"], data


async def test_superscript_problem_number_is_asked_again(harness, db: Database, caplog) -> None:
    officer = await _officer(harness, db, 202, "ru")
    service = await _first_water_service(db)
    [overview] = await officer.send("/registry")
    await officer.press_data(overview["message_id"], f"rg:lnk:{service.id}:0:")
    caplog.clear()
    [answer] = await officer.send("²")
    assert "номер приоритетной проблемы" in plain(answer)
    assert not _errors(caplog), _errors(caplog)


async def test_cards_of_emoji_fields_and_ratings_fit_one_message(harness, db: Database, caplog) -> None:
    aigul = await _resident(harness, db, 201, "Айгүл", "ru")
    officer = await _officer(harness, db, 202, "ru")
    service = await _first_water_service(db)
    await reg.edit_service(db, officer_id=202, service_id=service.id, name_ru="😀" * 150, description_ru="😀" * 1000,
                           recipients="😀" * 300, provider_name="😀" * 150, tariff="😀" * 200, standard="😀" * 600,
                           resolution_number="😀" * 30, paid=True)
    for i in range(5):
        await _resident(harness, db, 300 + i, "Асан", "ru")
        await reg.rate(db, resident_id=300 + i, service_id=service.id, score=3, comment="😀" * 500)
    caplog.clear()
    [home] = await aigul.send("/services")
    [card] = await aigul.press_data(home["message_id"], f"rg:card:{service.id}:0:")
    [overview] = await officer.send("/registry")
    [officer_card] = await officer.press_data(overview["message_id"], f"rg:oc:{service.id}:0:")
    assert not _errors(caplog), _errors(caplog)
    assert "Оценка: 3 из 5 по 5 оценкам." in plain(officer_card)
    for message in (card, officer_card):
        assert visible_length(message["text"]) <= 4096


async def test_export_is_localized_semicolon_separated_and_formula_safe(harness, db: Database) -> None:
    await _resident(harness, db, 201, "Айгүл", "ru")
    officer = await _officer(harness, db, 202, "ky")
    await reg.propose(db, resident_id=201, proposal=reg.Proposal(
        name='=HYPERLINK("http://evil","x")', description="+1+cmd|' /C calc'!A0", recipients="@SUM(1)",
        on_behalf_of="elderly", area="transport", locale="ru"))
    [overview] = await officer.send("/registry")
    before = len(harness.emulator.bot_messages(202))
    await officer.press_data(overview["message_id"], "rg:exp:0:0:")
    [document] = [m for m in harness.emulator.bot_messages(202)[before:] if "document" in m]
    raw = harness.emulator._files[document["document"]["file_id"]].data  # the file the officer received
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    header, *body = table
    assert header[0] == "Номер" and "Абалы" in header and "Тармак" in header
    assert len(header) == 25 and [h for h in header if h.isascii()] == []  # every column named in Kyrgyz
    assert header[-2:] == ["Түзүлгөн күнү", "Өзгөртүлгөн күнү"]
    assert "баштапкы каталог" in [c for row in body for c in row]  # a starter service's origin
    cells = [c for row in body for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    proposal = next(row for row in body if "HYPERLINK" in "".join(row))
    assert "сунушталды" in proposal and "Жергиликтүү транспорт" in proposal and "Акысыз" in proposal
    assert "тургун сунуштаган" in proposal and "Улгайган адамдар" in proposal


# -- a step left by navigation ignores later text --------------------------------------------------

async def _card(officer, service_id: int) -> dict:
    [overview] = await officer.send("/registry")
    [card] = await officer.press_data(overview["message_id"], f"rg:oc:{service_id}:0:")
    return card


async def test_the_status_comment_left_by_back_ignores_later_text(harness: Harness, db: Database) -> None:
    await _resident(harness, db, 391, "Айгүл", "ru")
    officer = await _officer(harness, db, 392, "ru")
    service = await reg.propose(db, resident_id=391, proposal=reg.Proposal(
        name="Кечки автобус", description="", recipients="", on_behalf_of=None, area="transport", locale="ky"))
    card = await _card(officer, service.id)
    await officer.press("→ 🔎 на рассмотрении", card)
    await officer.press("« Назад", card)  # back to the list, on the card's message
    [reply] = await officer.send("спасибо")
    assert "Уведомление" not in plain(reply)
    card = await _card(officer, service.id)
    await officer.press("→ ❌ отклонена", card)
    await officer.send("/menu")
    await officer.send("Нет бюджета на автобус")
    assert (await reg.get_service(db, service.id)).status == "proposed"
    assert await db.fetchval("SELECT count(*) FROM broadcasts WHERE kind = 'service_status'") == 0
    assert await db.fetchval("SELECT count(*) FROM service_events WHERE kind = 'status'") == 0


async def test_the_edit_value_left_by_a_command_ignores_later_text(harness: Harness, db: Database) -> None:
    officer = await _officer(harness, db, 393, "ru")
    service = await _first_water_service(db)
    card = await _card(officer, service.id)
    await officer.press("✏️ Изменить сведения", card)
    await officer.press("Тариф")
    await officer.send("/registry")
    [reply] = await officer.send("100 сомов")
    assert "Сохранено" not in plain(reply)
    assert (await reg.get_service(db, service.id)).tariff == ""


async def test_the_problem_number_left_by_a_menu_button_ignores_later_text(harness: Harness, db: Database) -> None:
    officer = await _officer(harness, db, 394, "ru")
    service = await _first_water_service(db)
    problem = await _problem(db, 394, BISHKEK, "Суу жок", [])
    card = await _card(officer, service.id)
    await officer.press("🔗 Связать с приоритетной проблемой", card)
    await officer.press("✏️ Изменить сведения", card)  # another button of the card
    [reply] = await officer.send(str(problem))
    assert "связана" not in plain(reply)
    assert await db.fetchval("SELECT count(*) FROM service_problem_links") == 0


async def test_a_new_entry_left_by_a_command_ignores_later_text(harness: Harness, db: Database) -> None:
    officer = await _officer(harness, db, 395, "ru")
    [overview] = await officer.send("/registry")
    await officer.press("➕ Добавить услугу", overview)
    await officer.send("/services")
    [reply] = await officer.send("Маршрутка до райцентра")
    assert "Шаг 2 из 5" not in plain(reply)
    await officer.press_data(overview["message_id"], "rg:add:0:0:")
    await officer.send("Маршрутка до райцентра")
    await officer.press("Местный транспорт")
    await officer.press_data(overview["message_id"], "rg:ov:0:0:")  # the overview, while asked for the registry
    [reply] = await officer.send("Дополнительный перечень")
    assert "Шаг 4 из 5" not in plain(reply)
    assert await db.fetchval("SELECT count(*) FROM services WHERE origin = 'officer'") == 0
