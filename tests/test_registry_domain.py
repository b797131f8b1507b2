"""The registry of services in the domain: seeding, statuses and history, permissions, ratings per
quarter, the residents' initiative measure, CSV export, notices queued for followers and officers,
linked problems, and cards that fit one Telegram message."""

from __future__ import annotations

import asyncio
import csv
import io
import sys
from datetime import UTC, date, datetime

import pytest

from bot.db import Database
from bot.domain import InvalidInput, NotFound, PermissionDenied, TextTooLong, TextTooShort
from bot.domain import registry as reg
from bot.domain.residents import mark_inactive
from bot.notices import render_stored
from tests.support import AK_DEBE, ALAMUDUN, grant, make_resident

OFFICER, OTHER_OFFICER = 10, 11


async def _resident(db: Database, telegram_id: int, code: str = AK_DEBE, locale: str = "ky") -> None:
    await make_resident(db, telegram_id, locale, code, name="Асан")


async def _officers(db: Database) -> None:
    await _resident(db, OFFICER, AK_DEBE)
    await _resident(db, OTHER_OFFICER, ALAMUDUN)
    await grant(db, OFFICER, AK_DEBE)
    await grant(db, OTHER_OFFICER, ALAMUDUN)


def _proposal(name: str = "Подвоз пожилых в больницу", **kw) -> reg.Proposal:
    base = dict(name=name, description="", recipients="", on_behalf_of="elderly", area="social", locale="ru")
    base.update(kw)
    return reg.Proposal(**base)


async def _stored(db: Database, broadcast_id: int) -> str:
    return await db.fetchval("SELECT content FROM broadcasts WHERE id = ?", (broadcast_id,))


def test_the_domain_loads_no_aiogram() -> None:
    import subprocess

    code = ("import sys, bot.domain.registry; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'aiogram' or m.startswith(('bot.ui', "
            "'bot.handlers', 'bot.notices'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


async def test_catalogue_is_seeded_lazily_once_even_when_opened_twice_at_once(db: Database) -> None:
    assert await db.fetchval("SELECT count(*) FROM services") == 0  # nothing pre-created by the migration
    results = await asyncio.gather(reg.ensure_seeded(db, AK_DEBE), reg.ensure_seeded(db, AK_DEBE))
    catalogue = len(reg.load_catalogue())
    assert sorted(results) == [0, catalogue] and catalogue == 14
    assert await db.fetchval("SELECT count(*) FROM services WHERE municipality_code = ?", (AK_DEBE,)) == catalogue
    assert await db.fetchval("SELECT count(*) FROM services WHERE municipality_code = ?", (ALAMUDUN,)) == 0
    water = (await reg.list_services(db, AK_DEBE, area="water"))[0][0]
    # every entry has both names (issue 12: the Kyrgyz ones translated where none was attested)
    assert water.name("ky") == "Таза суу менен камсыздоо" and water.name("ru") == "Обеспечение питьевой водой"
    lighting = (await reg.list_services(db, AK_DEBE, area="lighting"))[0][0]
    assert lighting.name("ky") == "Көчө жарыгы" and lighting.name("ru") == "Уличное освещение"  # issue 12
    assert not water.confirmed and water.registry == "basic" and water.status == "included"
    with pytest.raises(NotFound):
        await reg.ensure_seeded(db, "41700000000000")


async def test_statuses_move_in_order_with_history_and_a_reason_to_reject(db: Database) -> None:
    await _officers(db)
    await _resident(db, 20)
    service = await reg.propose(db, resident_id=20, proposal=_proposal())
    assert (service.status, service.registry, service.origin, service.name_ru) == (
        "proposed", "additional", "resident", "Подвоз пожилых в больницу")
    with pytest.raises(reg.InvalidTransition):  # nothing skips the council's approval
        await reg.move_status(db, officer_id=OFFICER, service_id=service.id, to_status="included")
    with pytest.raises(reg.ReasonRequired) as short:
        await reg.move_status(db, officer_id=OFFICER, service_id=service.id, to_status="rejected", comment="  ")
    assert isinstance(short.value, TextTooShort) and (short.value.limit, short.value.actual) == (reg.REASON_MIN, 0)
    for target in ("under_consideration", "approved", "included", "suspended", "included"):
        service, *_ = await reg.move_status(db, officer_id=OFFICER, service_id=service.id, to_status=target,
                                           comment=f"→ {target}")
    assert service.status == "included"
    with pytest.raises(reg.InvalidTransition):  # a stale button: the officer saw another status
        await reg.move_status(db, officer_id=OFFICER, service_id=service.id, to_status="excluded",
                              expected_status="approved")
    events = await reg.history(db, service.id, limit=20)
    assert [(e.kind, e.from_status, e.to_status, e.actor_role) for e in events] == [
        ("created", None, "proposed", "resident"),
        ("status", "proposed", "under_consideration", "officer"),
        ("status", "under_consideration", "approved", "officer"),
        ("status", "approved", "included", "officer"),
        ("status", "included", "suspended", "officer"),
        ("status", "suspended", "included", "officer"),
    ]
    assert events[1].actor_id == OFFICER and events[1].comment == "→ under_consideration"

    other = await reg.propose(db, resident_id=20, proposal=_proposal("Ремонт моста"))
    rejected, *_ = await reg.move_status(db, officer_id=OFFICER, service_id=other.id, to_status="rejected",
                                        comment="Нет средств в бюджете 2026 года")
    assert rejected.rejection_reason == "Нет средств в бюджете 2026 года"


async def test_officers_act_only_on_their_own_municipality(db: Database) -> None:
    await _officers(db)
    await _resident(db, 20)
    await _resident(db, 21, ALAMUDUN)
    service = await reg.propose(db, resident_id=20, proposal=_proposal())
    with pytest.raises(PermissionDenied):
        await reg.move_status(db, officer_id=OTHER_OFFICER, service_id=service.id, to_status="under_consideration")
    with pytest.raises(PermissionDenied):
        await reg.edit_service(db, officer_id=OTHER_OFFICER, service_id=service.id, tariff="100 сом")
    with pytest.raises(PermissionDenied):
        await reg.move_status(db, officer_id=20, service_id=service.id, to_status="under_consideration")
    with pytest.raises(PermissionDenied):
        await reg.rating_summary(db, officer_id=OTHER_OFFICER, service_id=service.id)
    unchanged = await reg.get_service(db, service.id)
    assert unchanged == service
    assert await db.fetchval("SELECT count(*) FROM service_events WHERE service_id = ?", (service.id,)) == 1
    assert await db.fetchval("SELECT count(*) FROM broadcasts WHERE kind = 'service_status'") == 0
    # residents of another municipality can neither follow nor support it
    with pytest.raises(reg.ServiceNotFound):
        await reg.follow(db, resident_id=21, service_id=service.id)
    with pytest.raises(NotFound):
        await reg.support(db, resident_id=21, service_id=service.id)
    assert await reg.support_count(db, service.id) == 0


async def test_officer_adds_and_edits_an_entry(db: Database) -> None:
    await _officers(db)
    added = await reg.add_service(db, officer_id=OFFICER, name="Вывоз мусора из кварталов", locale="ru",
                                  area="waste", registry="additional", provider_kind="municipal_enterprise",
                                  paid=True, tariff="50 сомов в месяц")
    assert (added.municipality_code, added.status, added.paid, added.name("ky")) == (
        AK_DEBE, "included", True, "Вывоз мусора из кварталов")
    edited = await reg.edit_service(db, officer_id=OFFICER, service_id=added.id, name_ky="Таштанды чыгаруу",
                                    resolution_number="12", resolution_date=date(2025, 3, 3), provider_name="МП «Тазалык»")
    assert edited.name("ky") == "Таштанды чыгаруу" and edited.resolution_date == "2025-03-03"
    with pytest.raises(TextTooLong) as too_long:
        await reg.edit_service(db, officer_id=OFFICER, service_id=added.id, description_ru="д" * 5000)
    assert (too_long.value.limit, too_long.value.actual) == (reg.DESCRIPTION_MAX, 5000)
    with pytest.raises(InvalidInput):
        await reg.edit_service(db, officer_id=OFFICER, service_id=added.id, status="included")  # not a field
    events = await reg.history(db, added.id)
    assert [e.kind for e in events] == ["created", "edited"]


async def test_description_of_5000_characters_is_refused_with_limit_and_length(db: Database) -> None:
    await _resident(db, 20)
    with pytest.raises(TextTooLong) as exc:
        await reg.propose(db, resident_id=20, proposal=_proposal(description="ы" * 5000))
    assert (exc.value.limit, exc.value.actual) == (1000, 5000)
    assert await db.fetchval("SELECT count(*) FROM services") == 0


async def test_support_once_not_own_and_supporters_follow(db: Database) -> None:
    await _resident(db, 20)
    await _resident(db, 21)
    service = await reg.propose(db, resident_id=20, proposal=_proposal())
    assert await reg.is_following(db, 20, service.id)
    with pytest.raises(reg.OwnProposal):
        await reg.support(db, resident_id=20, service_id=service.id)
    assert await reg.support(db, resident_id=21, service_id=service.id) == 1
    with pytest.raises(reg.AlreadySupported):
        await reg.support(db, resident_id=21, service_id=service.id)
    assert await reg.is_following(db, 21, service.id)
    assert await reg.unfollow(db, resident_id=21, service_id=service.id)
    assert not await reg.unfollow(db, resident_id=21, service_id=service.id)
    assert await reg.follow(db, resident_id=21, service_id=service.id)
    assert not await reg.follow(db, resident_id=21, service_id=service.id)  # UNIQUE: once
    assert await reg.follower_count(db, service.id) == 2


async def test_followers_are_queued_in_their_language_but_not_those_who_blocked_the_bot(db: Database) -> None:
    await _officers(db)
    await _resident(db, 20, locale="ky")
    await _resident(db, 21, locale="ru")
    await _resident(db, 22, locale="ru")
    service = await reg.propose(db, resident_id=20, proposal=_proposal())
    officer_rows = await db.fetchall(
        "SELECT d.resident_id FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id WHERE b.kind = 'service_proposed'")
    assert [r[0] for r in officer_rows] == [OFFICER]  # only the officer of this municipality
    await reg.support(db, resident_id=21, service_id=service.id)
    await reg.follow(db, resident_id=22, service_id=service.id)
    await mark_inactive(db, 22)  # blocked the bot
    moved = await reg.move_status(db, officer_id=OFFICER, service_id=service.id,
                                  to_status="under_consideration", comment="Кеңештин сессиясында")
    broadcast_id = moved.broadcast_id
    assert moved.notified == 2
    queued = [r[0] for r in await db.fetchall(
        "SELECT resident_id FROM deliveries WHERE broadcast_id = ? ORDER BY resident_id", (broadcast_id,))]
    assert queued == [20, 21]
    raw = await _stored(db, broadcast_id)
    ky, ru = render_stored(raw, "ky"), render_stored(raw, "ru")
    assert "«💡 сунушталды» → «🔎 каралууда»" in ky.text
    assert "«💡 предложена» → «🔎 на рассмотрении»" in ru.text
    assert "Кеңештин сессиясында" in ru.text
    assert ru.rows[0][0].callback_data == f"rg:card:{service.id}:0:n"  # the follower's card, as a new message
    officer_notice = await db.fetchval("SELECT content FROM broadcasts WHERE kind = 'service_proposed'")
    rendered = render_stored(officer_notice, "ru")
    assert "Подвоз пожилых в больницу" in rendered.text and rendered.rows[0][0].callback_data == f"rg:oc:{service.id}:0:n"


async def test_rating_once_per_bishkek_quarter(db: Database, frozen_clock) -> None:
    await _resident(db, 20)
    await reg.ensure_seeded(db, AK_DEBE)
    water = (await reg.list_services(db, AK_DEBE, area="water"))[0][0]
    proposal = await reg.propose(db, resident_id=20, proposal=_proposal())
    frozen_clock.set(datetime(2026, 12, 31, 17, 0, tzinfo=UTC))  # 23:00 on 31 December in Bishkek
    with pytest.raises(reg.NotRateable):
        await reg.rate(db, resident_id=20, service_id=proposal.id, score=5)
    with pytest.raises(reg.NotRateable):
        await reg.check_can_rate(db, resident_id=20, service_id=proposal.id)
    assert (await reg.check_can_rate(db, resident_id=20, service_id=water.id)).id == water.id
    assert await reg.rate(db, resident_id=20, service_id=water.id, score=2, comment="Суу түнкүсүн гана келет") == "2026Q4"
    with pytest.raises(reg.AlreadyRated) as again:
        await reg.rate(db, resident_id=20, service_id=water.id, score=4)
    assert again.value.again_from == date(2027, 1, 1) and isinstance(again.value, reg.AlreadyDone)
    with pytest.raises(reg.AlreadyRated):
        await reg.check_can_rate(db, resident_id=20, service_id=water.id)
    with pytest.raises(InvalidInput):
        await reg.rate(db, resident_id=20, service_id=water.id, score=6)
    with pytest.raises(TextTooLong):
        await reg.rate(db, resident_id=20, service_id=water.id, score=3, comment="ы" * (reg.COMMENT_MAX + 1))
    frozen_clock.set(datetime(2026, 12, 31, 18, 30, tzinfo=UTC))  # 00:30 on 1 January in Bishkek
    assert await reg.rate(db, resident_id=20, service_id=water.id, score=4) == "2027Q1"
    assert reg.next_quarter_start(frozen_clock.now) == date(2027, 4, 1)
    await _officers(db)
    summary = await reg.rating_summary(db, officer_id=OFFICER, service_id=water.id)
    assert (summary.average, summary.count, summary.comments) == (3.0, 2, [("Суу түнкүсүн гана келет", "2026Q4")])


async def test_overview_counts_the_residents_initiative_and_export_has_a_bom(db: Database) -> None:
    await _officers(db)
    await _resident(db, 20)
    ids = [(await reg.propose(db, resident_id=20, proposal=_proposal(f"Услуга номер {n}"))).id for n in range(4)]
    for target in ("under_consideration", "approved", "included"):
        await reg.move_status(db, officer_id=OFFICER, service_id=ids[0], to_status=target)
    for target in ("under_consideration", "approved"):
        await reg.move_status(db, officer_id=OFFICER, service_id=ids[1], to_status=target)
    await reg.move_status(db, officer_id=OFFICER, service_id=ids[2], to_status="rejected", comment="Дублирует")
    data = await reg.overview(db, officer_id=OFFICER)
    assert (data.initiated, data.approved, data.included) == (4, 2, 1)
    assert data.by_status["included"] == 14 + 1 and data.by_status["proposed"] == 1 and data.by_status["rejected"] == 1
    raw = await reg.export_csv(db, officer_id=OFFICER)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 14 + 4 and sum(r["origin"] == "catalogue" for r in rows) == 14
    assert {r["name_ru"]: r["status"] for r in rows}["Услуга номер 2"] == "rejected"
    assert list(rows[0]) == list(reg.EXPORT_COLUMNS) and "proposed_by" not in rows[0]  # no resident ids
    with pytest.raises(PermissionDenied):
        await reg.export_csv(db, officer_id=20)


async def test_only_an_officer_of_the_municipality_links_problems(db: Database) -> None:
    await _officers(db)
    await _resident(db, 20)
    await reg.ensure_seeded(db, AK_DEBE)
    water = (await reg.list_services(db, AK_DEBE, area="water"))[0][0]
    async with db.transaction() as tx:
        problem_id = await tx.insert(
            "INSERT INTO problems (municipality_code, author_id, category, text, created_at, updated_at)"
            " VALUES (?, 20, 'water', 'Суу жок', '2026-11-29T00:00:00Z', '2026-11-29T00:00:00Z')", (AK_DEBE,))
    with pytest.raises(PermissionDenied):
        await reg.link_problem(db, officer_id=OTHER_OFFICER, service_id=water.id, problem_id=problem_id)
    with pytest.raises(reg.ProblemNotFound) as missing:
        await reg.link_problem(db, officer_id=OFFICER, service_id=water.id, problem_id=problem_id + 1)
    assert missing.value.id == problem_id + 1 and isinstance(missing.value, NotFound)
    assert await reg.link_problem(db, officer_id=OFFICER, service_id=water.id, problem_id=problem_id)
    assert not await reg.link_problem(db, officer_id=OFFICER, service_id=water.id, problem_id=problem_id)
    linked, total = await reg.linked_open_problems(db, water.id)
    assert total == 1 and linked[0].text == "Суу жок" and linked[0].supports == 0


def test_a_card_with_every_field_at_its_limit_fits_one_telegram_message() -> None:
    from bot.ui.registry import card_text, visible_length

    service = reg.Service(
        id=1, municipality_code=AK_DEBE, name_ky="😀" * reg.NAME_MAX, name_ru="", description_ky="<&>" * 333,
        description_ru="", area="water", registry="additional", provider_kind="outsourced",
        provider_name="П" * reg.PROVIDER_MAX, recipients="Р" * reg.RECIPIENTS_MAX, paid=True, tariff="Т" * reg.TARIFF_MAX,
        standard="С" * reg.STANDARD_MAX, resolution_number="9" * reg.RESOLUTION_NUMBER_MAX, resolution_date="2025-03-03",
        status="rejected", rejection_reason="Ч" * reg.COMMENT_MAX, origin="resident", proposed_by=20,
        on_behalf_of="single_parent", confirmed=True, created_at="2026-11-29T00:00:00Z", updated_at="2026-11-29T00:00:00Z")
    events = [reg.Event("status", "proposed", "rejected", 10, "officer", "К" * reg.COMMENT_MAX, "2026-11-29T00:00:00Z")] * 5
    problems = [reg.LinkedProblem(n, "Ж" * 500, 1000, "new") for n in range(5)]
    for locale in ("ky", "ru"):
        text = card_text(service, locale, events=events, supports=12345, followers=678, problems=problems,
                         problems_total=40)
        assert visible_length(text) <= 4000
        assert "😀" * reg.NAME_MAX in text and "&lt;&amp;&gt;" in text  # the name whole, the text escaped
        full = card_text(service, locale)
        assert visible_length(full) <= 4000


async def test_machine_export_is_formula_safe_too(db: Database) -> None:
    await _officers(db)
    await _resident(db, 20, locale="ru")
    await reg.propose(db, resident_id=20, proposal=reg.Proposal(
        name="-2+3 автобус", description="", recipients="", on_behalf_of=None, area="transport", locale="ru"))
    raw = await reg.export_csv(db, officer_id=OFFICER)
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert "'-2+3 автобус" in [r["name_ru"] for r in rows]


async def test_the_only_name_cannot_be_cleared_or_shortened(db: Database) -> None:
    await _officers(db)
    service = await reg.add_service(db, officer_id=OFFICER, name="Маршрутка", locale="ru", area="transport",
                                    registry="additional")
    with pytest.raises(reg.NameRequired):
        await reg.edit_service(db, officer_id=OFFICER, service_id=service.id, name_ru="")
    with pytest.raises(TextTooShort):
        await reg.edit_service(db, officer_id=OFFICER, service_id=service.id, name_ru="М")
    assert (await reg.get_service(db, service.id)).name_ru == "Маршрутка"
    # with a Kyrgyz name added, the Russian one may be cleared
    await reg.edit_service(db, officer_id=OFFICER, service_id=service.id, name_ky="Маршрутка такси")
    cleared = await reg.edit_service(db, officer_id=OFFICER, service_id=service.id, name_ru="")
    assert cleared.name("ru") == "Маршрутка такси"


def test_typed_problem_numbers_and_dates_are_read_strictly() -> None:
    assert reg.parse_problem_number("12") == reg.parse_problem_number("#12") == reg.parse_problem_number("№ 12") == 12
    for text in ("²", "١٢", "", "0", "twelve", "9" * 20):
        with pytest.raises(reg.BadProblemNumber):
            reg.parse_problem_number(text)
    assert reg.parse_edit_value("resolution_date", "03.03.2025") == date(2025, 3, 3)
    assert reg.parse_edit_value("resolution_date", "-") is None
    assert reg.parse_edit_value("tariff", "-") == "" and reg.parse_edit_value("tariff", " 20 сом ") == "20 сом"
    for text in ("3 марта", "31.02.2025"):
        with pytest.raises(reg.BadResolutionDate):
            reg.parse_edit_value("resolution_date", text)
