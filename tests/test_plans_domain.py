"""Plans in the domain: an item of the joint action plan with steps and money moves its problems and
tells their followers; deadline and money changes carry the reason; a budget proposal and the
council's decision; monitoring groups (invite, join, leave, another municipality refused), reports
with the author hidden unless signed, hiding with a reason told to the group; photos re-encoded
without EXIF; the execution report; figures equal to the data."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from PIL import Image

from bot.db import Database
from bot.domain import plans
from bot.domain import problems as pb
from bot.domain.errors import InvalidInput, TextTooShort
from bot.domain.plans.photos import has_metadata, strip_metadata
from bot.notices import render_stored
from tests.support import AK_DEBE, ALAMUDUN, grant, make_resident

OFFICER, OTHER_OFFICER, AUTHOR, SUPPORTER, MEMBER, STRANGER = 10, 11, 20, 21, 30, 31


async def _setup(db: Database) -> int:
    for uid, code, locale in ((OFFICER, AK_DEBE, "ru"), (OTHER_OFFICER, ALAMUDUN, "ru"), (AUTHOR, AK_DEBE, "ky"),
                              (SUPPORTER, AK_DEBE, "ru"), (MEMBER, AK_DEBE, "ky"), (STRANGER, ALAMUDUN, "ky")):
        await make_resident(db, uid, locale, code)
    await grant(db, OFFICER, AK_DEBE)
    await grant(db, OTHER_OFFICER, ALAMUDUN)
    problem = await pb.raise_problem(db, author_id=AUTHOR, category="water", text="Суу жок, үч айдан бери суу келбейт")
    await pb.support(db, problem_id=problem.id, resident_id=SUPPORTER)
    return problem.id


async def _deliveries(db: Database, kind: str) -> list[tuple[int, str]]:
    rows = await db.fetchall(
        "SELECT d.resident_id, b.content FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id"
        " WHERE b.kind = ? ORDER BY d.resident_id", (kind,))
    return [(int(r[0]), str(r[1])) for r in rows]


def exif_jpeg() -> bytes:
    """A JPEG carrying EXIF (camera model and a GPS position)."""
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0110] = "Phone X"  # Model
    exif[0x8825] = {1: "N", 2: (42.0, 52.0, 0.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


async def _item(db: Database, problem_id: int) -> plans.ItemView:
    return await plans.create_item(
        db, officer_id=OFFICER, title="Суу түтүгүн алмаштыруу", year=2027, responsible="municipal_enterprise",
        responsible_name="Ак-Дебе Суу", problem_ids=[problem_id],
        steps=[("Смета", date(2027, 3, 1)), ("Түтүк сатып алуу", date(2027, 5, 31))],
        money={"local_budget": 150_000, "residents_labour": 40_000})


async def test_an_item_moves_its_problem_and_tells_followers_in_their_language(db: Database) -> None:
    problem_id = await _setup(db)
    view = await _item(db, problem_id)
    assert view.planned == 190_000 and [s.title for s in view.steps] == ["Смета", "Түтүк сатып алуу"]
    assert (await pb.get_problem(db, problem_id)).status == "in_action_plan"
    told = await _deliveries(db, "plan.added")
    assert [uid for uid, _ in told] == [AUTHOR, SUPPORTER]
    ky, ru = render_stored(told[0][1], "ky").text, render_stored(told[1][1], "ru").text
    assert "2027-ж., 31-май" in ky and "31 мая 2027" in ru  # Babel dates in each reader's language
    assert "150 000" in ky.replace("\u00a0", " ").replace("\u202f", " ")
    assert [i.id for i in await plans.items_for_problem(db, problem_id)] == [view.item.id]


async def test_changes_need_a_reason_and_are_told_with_it(db: Database) -> None:
    view = await _item(db, await _setup(db))
    step = view.steps[1]
    with pytest.raises(TextTooShort):
        await plans.change_deadline(db, officer_id=OFFICER, item_id=view.item.id, step_id=step.id,
                                    deadline=date(2027, 7, 1), reason="no")
    with pytest.raises(plans.ItemNotFound):  # another municipality's officer
        await plans.change_money(db, officer_id=OTHER_OFFICER, item_id=view.item.id, source="donor", amount=5,
                                 reason="Донор кошулду")
    told = await plans.change_deadline(db, officer_id=OFFICER, item_id=view.item.id, step_id=step.id,
                                       deadline=date(2027, 7, 1), reason="Түтүк кечигип келет")
    assert told == 2
    assert await plans.change_money(db, officer_id=OFFICER, item_id=view.item.id, source="donor", amount=60_000,
                                    reason="Донор кошулду") == 2
    with pytest.raises(InvalidInput):
        await plans.change_money(db, officer_id=OFFICER, item_id=view.item.id, source="donor", amount=60_000,
                                 reason="Донор кошулду")
    texts = [render_stored(raw, "ru").text for _, raw in await _deliveries(db, "plan.changed")]
    assert any("Түтүк кечигип келет" in t and "1 июля 2027" in t for t in texts)
    assert any("Донор кошулду" in t and "60" in t for t in texts)


async def test_budget_proposal_and_council_decision(db: Database) -> None:
    problem_id = await _setup(db)
    view = await _item(db, problem_id)
    proposal = await plans.propose(db, officer_id=OFFICER, item_id=view.item.id, requested=150_000)
    assert (await pb.get_problem(db, problem_id)).status == "at_hearing"
    with pytest.raises(plans.ProposalPending):
        await plans.propose(db, officer_id=OFFICER, item_id=view.item.id, requested=1)
    with pytest.raises(InvalidInput):  # "partly" must be less than requested
        await plans.decide(db, officer_id=OFFICER, item_id=view.item.id, decision="partly", amount=150_000,
                           reason="", resolution_number="12", resolution_date=date(2027, 1, 20))
    decided = await plans.decide(db, officer_id=OFFICER, item_id=view.item.id, decision="partly", amount=120_000,
                                 reason="", resolution_number="12-3", resolution_date=date(2027, 1, 20))
    assert decided.amount == 120_000 and proposal.id == decided.id
    assert (await pb.get_problem(db, problem_id)).status == "in_budget"
    with pytest.raises(plans.NoPendingProposal):
        await plans.decide(db, officer_id=OFFICER, item_id=view.item.id, decision="rejected", amount=None,
                           reason="Каражат жок", resolution_number="13", resolution_date=date(2027, 1, 21))
    [(_, raw)] = [d for d in await _deliveries(db, "plan.decided") if d[0] == SUPPORTER]
    assert "12-3" in render_stored(raw, "ru").text
    figures = await plans.figures(db, AK_DEBE)
    assert (figures.budget_changes, figures.budget_changes_som, figures.proposals) == (1, 120_000, 1)


async def test_monitoring_group_members_and_reports(db: Database) -> None:
    view = await _item(db, await _setup(db))
    invite = await plans.create_invite(db, officer_id=OFFICER)
    with pytest.raises(plans.NotYourMunicipality):
        await plans.join(db, resident_id=STRANGER, code=invite.code)
    assert await plans.join(db, resident_id=MEMBER, code=invite.code.lower()) == AK_DEBE
    with pytest.raises(plans.AlreadyMember):
        await plans.join(db, resident_id=MEMBER, code=invite.code)
    # a member of another municipality's group is refused on this item
    other = await plans.create_invite(db, officer_id=OTHER_OFFICER)
    await plans.join(db, resident_id=STRANGER, code=other.code)
    with pytest.raises(plans.OtherMunicipalityMember):
        await plans.post_report(db, resident_id=STRANGER, item_id=view.item.id, progress="delayed")
    with pytest.raises(plans.NotAMember):
        await plans.post_report(db, resident_id=SUPPORTER, item_id=view.item.id, progress="delayed")
    report = await plans.post_report(db, resident_id=MEMBER, item_id=view.item.id, progress="delayed",
                                     note="Түтүктөр али келе элек", procurement="Тендер жарыяланган жок",
                                     author_name="Бакыт")
    [(uid, raw)] = [d for d in await _deliveries(db, "plan.report") if d[0] == SUPPORTER]
    assert "Бакыт" not in render_stored(raw, "ru").text and "Тендер" in render_stored(raw, "ru").text
    [(officer, raw)] = await _deliveries(db, "plan.report_officers")
    assert officer == OFFICER and "Бакыт" in render_stored(raw, "ru").text
    assert await plans.hide(db, officer_id=OFFICER, report_id=report.id, reason="Жеке маалымат бар")
    [(told, raw)] = await _deliveries(db, "plan.report_hidden")
    assert told == MEMBER and "Жеке маалымат бар" in render_stored(raw, "ky").text
    assert (await plans.reports_on(db, view.item)).pop().hidden_reason == "Жеке маалымат бар"
    figures = await plans.figures(db, AK_DEBE)
    assert (figures.members, figures.monitored) == (1, 0)  # the only report is hidden
    await plans.leave(db, resident_id=MEMBER)
    with pytest.raises(plans.NotAMember):
        await plans.post_report(db, resident_id=MEMBER, item_id=view.item.id, progress="on_schedule")
    national = await plans.figures(db)
    assert national.members == 1 and national.items == 1  # Stranger in Alamüdün; one item in all


def test_re_encoding_drops_exif() -> None:
    original = exif_jpeg()
    assert has_metadata(original)
    clean = strip_metadata(original)
    assert not has_metadata(clean)
    with Image.open(io.BytesIO(clean)) as image:
        assert image.size == (64, 48) and image.format == "JPEG"
    with pytest.raises(InvalidInput):
        strip_metadata(b"not an image")


async def test_execution_report_and_figures_equal_the_data(db: Database) -> None:
    problem_id = await _setup(db)
    view = await _item(db, problem_id)
    await plans.create_item(db, officer_id=OFFICER, title="Балдар аянтчасы", year=2027, kind="initiative",
                            responsible="initiative_group", money={"residents_money": 30_000})
    await plans.mark_step_done(db, officer_id=OFFICER, item_id=view.item.id, step_id=view.steps[0].id)
    await plans.record_spent(db, officer_id=OFFICER, item_id=view.item.id, source="local_budget", amount=90_000)
    report = await plans.execution_report(db, officer_id=OFFICER, year=2027)
    assert (report.planned, report.spent, len(report.lines)) == (220_000, 90_000, 2)
    assert (report.lines[0].steps_done, report.lines[0].steps_total) == (1, 2)
    labels = {k: {} for k in ("kind", "status", "progress", "responsible")}
    data = plans.report_csv(report, [str(i) for i in range(12)], labels).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data), delimiter=";"))
    assert rows[1][6:8] == ["190000", "90000"] and len(rows) == 3
    figures = await plans.figures(db, AK_DEBE)
    assert (figures.residents, figures.items, figures.initiatives) == (2, 1, 1)
    assert json.loads(await db.fetchval("SELECT photos FROM monitoring_reports LIMIT 1") or "[]") == []


async def test_officer_actions_go_to_the_audit_log_once_it_knows_them(db: Database, monkeypatch) -> None:
    audit = pytest.importorskip("bot.domain.audit")
    from bot.domain.plans.audit import CODES

    monkeypatch.setattr(audit, "ACTIONS", audit.ACTIONS | CODES)
    view = await _item(db, await _setup(db))
    await plans.propose(db, officer_id=OFFICER, item_id=view.item.id, requested=1000)
    rows = await db.fetchall("SELECT action, target_id, details FROM audit_log WHERE actor_resident_id = ? ORDER BY id",
                             (OFFICER,))
    assert [(r[0], r[1]) for r in rows][-2:] == [("plan.item_create", view.item.id), ("plan.propose", view.item.id)]
    assert "Суу" not in rows[-2][2]  # ids and codes only, never texts
