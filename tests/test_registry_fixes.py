"""Regression tests for defects found by an attack on the registry of services (each failed before its fix)."""

from __future__ import annotations

import asyncio
import csv
import io
import logging

import pytest

from bot.db import Database
from bot.domain import InvalidInput
from bot.domain import registry as reg
from bot.ui.registry import visible_length
from tests.harness import plain
from tests.test_problems_flow import BISHKEK, _officer, _onboard


def _errors(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def _first_water_service(db: Database) -> reg.Service:
    await reg.ensure_seeded(db, BISHKEK)
    return (await reg.list_services(db, BISHKEK, area="water"))[0][0]


# 1 -------------------------------------------------------------------------------------------------

async def test_two_racing_send_taps_register_one_proposal(harness, db: Database) -> None:
    aigul = await _onboard(harness, db, 201, "ru", code=BISHKEK)
    await aigul.send("/services")
    await aigul.press("Предложить новую услугу")
    await aigul.send("Вечерний автобус до райцентра")
    await aigul.press("Пропустить шаг")
    await aigul.press("Пропустить шаг")
    await aigul.press("Нет, не от имени группы")
    await aigul.press("Местный транспорт")
    message, data = aigul.find_button("Отправить предложение")
    taps = [harness.emulator.press_button(201, message["message_id"], data) for _ in range(2)]
    await asyncio.gather(*(harness.feed(t) for t in taps))
    assert await db.fetchval("SELECT count(*) FROM services WHERE origin = 'resident'") == 1
    assert any("уже отправлено" in (a.get("text") or "") for a in aigul.alerts())


# 2 -------------------------------------------------------------------------------------------------

async def test_crafted_huge_ids_are_stale_buttons_not_crashes(harness, db: Database, caplog) -> None:
    aigul = await _onboard(harness, db, 201, "ru", code=BISHKEK)
    officer = await _officer(harness, db, 202, code=BISHKEK)
    [home] = await aigul.send("/services")
    [overview] = await officer.send("/registry")
    big = "99999999999999999999"
    for person, message, data in [
        (aigul, home, f"rg:card:{big}:0:"), (aigul, home, f"rg:fol:{big}:0:"), (aigul, home, f"rg:unf:{big}:0:"),
        (aigul, home, f"rg:score:{big}:0:5"), (aigul, home, f"rg:area:0:{big}:water"),
        (officer, overview, f"rg:oc:{big}:0:"), (officer, overview, f"rg:mv:{big}:0:excluded"),
        (officer, overview, f"rg:unl:1:{big}:"), (officer, overview, f"rg:ed:{big}:0:"),
        (officer, overview, f"rg:lnk:{big}:0:"),
    ]:
        caplog.clear()
        await person.press_data(message["message_id"], data)
        assert not _errors(caplog), (data, _errors(caplog))
        assert "устарела" in person.alerts()[-1]["text"], data


# 3 -------------------------------------------------------------------------------------------------

async def test_superscript_problem_number_is_asked_again(harness, db: Database, caplog) -> None:
    officer = await _officer(harness, db, 202, code=BISHKEK)
    service = await _first_water_service(db)
    [overview] = await officer.send("/registry")
    await officer.press_data(overview["message_id"], f"rg:lnk:{service.id}:0:")
    caplog.clear()
    [answer] = await officer.send("²")
    assert "номер приоритетной проблемы" in plain(answer)
    assert not _errors(caplog), _errors(caplog)


# 4 -------------------------------------------------------------------------------------------------

async def test_cards_of_emoji_fields_and_ratings_fit_one_message(harness, db: Database, caplog) -> None:
    aigul = await _onboard(harness, db, 201, "ru", code=BISHKEK)
    officer = await _officer(harness, db, 202, code=BISHKEK)
    service = await _first_water_service(db)
    await reg.edit_service(db, officer_id=202, service_id=service.id, name_ru="😀" * 150, description_ru="😀" * 1000,
                           recipients="😀" * 300, provider_name="😀" * 150, tariff="😀" * 200, standard="😀" * 600,
                           resolution_number="😀" * 30, paid=True)
    for i in range(5):
        await _onboard(harness, db, 300 + i, "ru", code=BISHKEK)
        await reg.rate(db, resident_id=300 + i, service_id=service.id, score=3, comment="😀" * 500)
    caplog.clear()
    [home] = await aigul.send("/services")
    [card] = await aigul.press_data(home["message_id"], f"rg:card:{service.id}:0:")
    [overview] = await officer.send("/registry")
    [officer_card] = await officer.press_data(overview["message_id"], f"rg:oc:{service.id}:0:")
    assert not _errors(caplog), _errors(caplog)
    assert "Рейтинг" in plain(officer_card) or "3 из 5" in plain(officer_card)
    for message in (card, officer_card):
        assert visible_length(message["text"]) <= 4096


# 6 -------------------------------------------------------------------------------------------------

async def test_export_is_localized_semicolon_separated_and_formula_safe(harness, db: Database) -> None:
    await _onboard(harness, db, 201, "ru", code=BISHKEK)
    officer = await _officer(harness, db, 202, code=BISHKEK, locale="ky")
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
    cells = [c for row in body for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    proposal = next(row for row in body if "HYPERLINK" in "".join(row))
    assert "сунушталды" in proposal and "Жергиликтүү транспорт" in proposal and "Акысыз" in proposal
    assert "тургун сунуштаган" in proposal and "Улгайган адамдар" in proposal


async def test_machine_export_is_formula_safe_too(harness, db: Database) -> None:
    await _onboard(harness, db, 201, "ru", code=BISHKEK)
    await _officer(harness, db, 202, code=BISHKEK)
    await reg.propose(db, resident_id=201, proposal=reg.Proposal(
        name="-2+3 автобус", description="", recipients="", on_behalf_of=None, area="transport", locale="ru"))
    raw = await reg.export_csv(db, officer_id=202)
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert "'-2+3 автобус" in [r["name_ru"] for r in rows]


# 10 ------------------------------------------------------------------------------------------------

async def test_the_only_name_cannot_be_cleared_or_shortened(harness, db: Database) -> None:
    officer = await _officer(harness, db, 202, code=BISHKEK)
    service = await reg.add_service(db, officer_id=202, name="Маршрутка", locale="ru", area="transport",
                                    registry="additional")
    with pytest.raises(reg.NameRequired):
        await reg.edit_service(db, officer_id=202, service_id=service.id, name_ru="")
    with pytest.raises(InvalidInput):
        await reg.edit_service(db, officer_id=202, service_id=service.id, name_ru="М")
    [overview] = await officer.send("/registry")
    await officer.press_data(overview["message_id"], f"rg:ef:{service.id}:0:name_ru")
    [answer] = await officer.send("-")
    assert "единственное название" in plain(answer)
    [answer] = await officer.send("Ы")
    assert "слишком коротко" in plain(answer).lower()
    assert (await reg.get_service(db, service.id)).name_ru == "Маршрутка"
    # with a Kyrgyz name added, the Russian one may be cleared
    await reg.edit_service(db, officer_id=202, service_id=service.id, name_ky="Маршрутка такси")
    cleared = await reg.edit_service(db, officer_id=202, service_id=service.id, name_ru="")
    assert cleared.name("ru") == "Маршрутка такси"
