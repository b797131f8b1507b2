"""The audit log (issue 13 item 5): one entry per officer or superadmin action, written in the action's
own transaction, readable per municipality, impossible to edit from the bot."""

from __future__ import annotations

import sqlite3

import pytest

from bot.i18n import numbered
from bot.store import audit as audit_store
from tests.support import AK_DEBE, ALAMUDUN


async def _append(db, code: str | None, action: str = "problem.status", target_id: int = 1) -> int:
    async with db.transaction() as tx:
        return await audit_store.insert_entry(
            tx, at="2026-12-02T04:00:00Z", actor_resident_id=5001, actor_role="officer", municipality_code=code,
            action=action, target_kind="problem", target_id=target_id, details='{"to": "solved"}')


async def test_entries_are_listed_newest_first_per_municipality_with_paging(db) -> None:
    ids = [await _append(db, AK_DEBE, target_id=n) for n in range(5)]
    other = await _append(db, ALAMUDUN)
    page = await audit_store.list_entries(db, AK_DEBE, 3, None)
    assert [e.id for e in page] == ids[::-1][:3]
    assert page[0].facts() == {"to": "solved"} and page[0].actor_role == "officer"
    rest = await audit_store.list_entries(db, AK_DEBE, 3, page[-1].id)
    assert [e.id for e in rest] == ids[1::-1]
    everything = await audit_store.list_entries(db, None, 50, None)
    assert everything[0].id == other and len(everything) == 6


async def test_the_log_refuses_updates_and_deletes(db) -> None:
    entry = await _append(db, AK_DEBE)
    for statement in ("UPDATE audit_log SET action = 'x' WHERE id = ?", "DELETE FROM audit_log WHERE id = ?",
                      "UPDATE audit_log SET actor_resident_id = -1 WHERE id = ?"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            async with db.transaction() as tx:
                await tx.execute(statement, (entry,))
    (kept,) = await audit_store.list_entries(db, AK_DEBE, 5, None)
    assert kept.action == "problem.status" and kept.actor_resident_id == 5001


# -- every officer action leaves exactly one entry -------------------------------------------------------

from datetime import UTC, datetime, timedelta  # noqa: E402

from bot.domain import announcements, audit  # noqa: E402
from bot.domain import hearings as hr  # noqa: E402
from bot.domain import officers as roles  # noqa: E402
from bot.domain import registry as reg  # noqa: E402
from bot.domain import surveys as sv  # noqa: E402
from bot.domain import verification  # noqa: E402
from bot.domain.clock import to_db  # noqa: E402
from bot.domain.errors import InvalidInput, NotAnOfficer, WrongMunicipality  # noqa: E402
from bot.domain.municipalities import set_name_ky  # noqa: E402
from bot.domain.problems import officer as pbo  # noqa: E402
from bot.domain.problems import queries as pbq  # noqa: E402
from bot.domain.problems import resident as pbr  # noqa: E402
from bot.domain.problems.errors import StatusUnchanged  # noqa: E402
from tests.support import SUPERADMIN_ID, grant, make_resident  # noqa: E402

START = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
OFFICER, AUTHOR, NEWCOMER = 700, 801, 802
ADMINS = frozenset({SUPERADMIN_ID})


async def _rows(db) -> list:
    return await db.fetchall("SELECT * FROM audit_log ORDER BY id")


class Recorder:
    """Runs one action and checks it left exactly one entry, of the expected action/role/municipality."""

    def __init__(self, db) -> None:
        self.db, self.seen = db, set()

    async def __call__(self, action: str, coroutine, *, role: str = "officer", code: str | None = AK_DEBE,
                       target: tuple[str | None, int | None] | None = None):
        before = len(await _rows(self.db))
        result = await coroutine
        rows = await _rows(self.db)
        assert len(rows) == before + 1, f"{action}: {len(rows) - before} entries"
        row = rows[-1]
        assert (row["action"], row["actor_role"], row["municipality_code"]) == (action, role, code)
        assert row["at"] == to_db(START) or row["at"] >= to_db(START)
        if target is not None:
            assert (row["target_kind"], row["target_id"]) == target
        self.seen.add(action)
        return result


async def test_each_kind_of_officer_action_leaves_exactly_one_entry(db, frozen_clock) -> None:
    for uid in (OFFICER, AUTHOR, NEWCOMER):
        await make_resident(db, uid, "ru", AK_DEBE)
    await make_resident(db, SUPERADMIN_ID, "ru", AK_DEBE)
    rec = Recorder(db)
    await rec("officer.grant", roles.grant_officer(db, actor_id=SUPERADMIN_ID, superadmins=ADMINS,
                                                   telegram_id=OFFICER, municipality_code=AK_DEBE),
              role="superadmin", target=("resident", OFFICER))
    invite = await rec("officer.invite", roles.create_invite(db, actor_id=SUPERADMIN_ID, superadmins=ADMINS,
                                                             municipality_code=AK_DEBE, ttl_hours=24),
                       role="superadmin")
    assert invite.code not in str([dict(r) for r in await _rows(db)])  # the secret code is never logged
    await rec("officer.redeem", roles.redeem_invite(db, telegram_id=NEWCOMER, code=invite.code),
              target=("resident", NEWCOMER))
    await rec("officer.revoke", roles.revoke_officer(db, actor_id=SUPERADMIN_ID, superadmins=ADMINS,
                                                     telegram_id=NEWCOMER), role="superadmin")
    # problems
    p1 = await pbr.raise_problem(db, author_id=AUTHOR, category="water", text="Суу жок, үч күндөн бери суу келбейт.")
    p2 = await pbr.raise_problem(db, author_id=AUTHOR, category="water", text="Суу келбей жатат, кран кургак калды.")
    p3 = await pbr.raise_problem(db, author_id=AUTHOR, category="other", text="Кимдир бирөө жөнүндө жаман сөздөр.")
    await rec("problem.status", pbo.change_status(db, officer_id=OFFICER, problem_id=p1.id, status="prioritized",
                                                  comment="Бир айта турган сөз"), target=("problem", p1.id))
    entry = (await _rows(db))[-1]
    assert "Бир айта" not in entry["details"]  # the officer's comment stays in the problem's history only
    before = len(await _rows(db))
    with pytest.raises(StatusUnchanged):  # refused: rolled back with its entry
        await pbo.change_status(db, officer_id=OFFICER, problem_id=p1.id, status="prioritized")
    assert len(await _rows(db)) == before
    await rec("problem.duplicate", pbo.mark_duplicate(db, officer_id=OFFICER, problem_id=p2.id, target_id=p1.id))
    await rec("problem.hide", pbo.hide_problem(db, officer_id=OFFICER, problem_id=p3.id, reason="Кемсинткен сөздөр"))
    await rec("problem.threshold", pbo.set_reopen_threshold(db, officer_id=OFFICER, value=5))
    await rec("problem.export", pbq.ranked_for_export(db, OFFICER))
    # surveys
    draft = sv.Draft(question_ky="Кайсы жол?", question_ru="Какая дорога?", options=[["А", "А", None], ["Б", "Б", None]],
                     max_choices=1, opens_at=to_db(START), closes_at=to_db(START + timedelta(days=5)))
    survey = await rec("survey.create", sv.create_survey(db, officer_id=OFFICER, draft=draft))
    await rec("survey.extend", sv.extend_survey(db, officer_id=OFFICER, survey_id=survey.id,
                                                closes_at=START + timedelta(days=9)))
    await rec("survey.close", sv.close_survey(db, officer_id=OFFICER, survey_id=survey.id))
    await rec("survey.export", sv.officer.record_export(db, officer_id=OFFICER, survey_id=survey.id, file_format="csv"))
    other = await sv.create_survey(db, officer_id=OFFICER, draft=draft)
    await rec("survey.delete", sv.delete_survey(db, officer_id=OFFICER, survey_id=other.id))
    # hearings
    await rec("hearing.notice_days", hr.set_notice_days(db, officer_id=OFFICER, days=10))
    hdraft = hr.Draft(topic="budget_draft", title_ky="Бюджет", title_ru="Бюджет", agenda_ky="1. Бюджет",
                      agenda_ru="1. Бюджет", starts_at=to_db(START + timedelta(days=20)), place="Зал")
    hearing = await rec("hearing.create", hr.create_hearing(db, officer_id=OFFICER, draft=hdraft))
    await rec("hearing.edit", hr.edit_hearing(db, officer_id=OFFICER, hearing_id=hearing.id, place="Мектеп"))
    frozen_clock.set(START + timedelta(days=20, hours=3))
    await rec("hearing.outcome", hr.publish_outcome(db, officer_id=OFFICER, hearing_id=hearing.id, outcome=hr.Outcome(
        decisions_ky="Бюджет кабыл алынды", participants=40)))
    frozen_clock.set(START)
    later = await hr.create_hearing(db, officer_id=OFFICER, draft=hdraft)
    await rec("hearing.cancel", hr.cancel_hearing(db, officer_id=OFFICER, hearing_id=later.id, reason="Жаан"))
    # registry
    service = await rec("service.add", reg.add_service(db, officer_id=OFFICER, name="Таза суу жеткирүү", locale="ky",
                                                       area="water", registry="additional", status="proposed"))
    await rec("service.edit", reg.edit_service(db, officer_id=OFFICER, service_id=service.id, tariff="50 сом"))
    await rec("service.status", reg.move_status(db, officer_id=OFFICER, service_id=service.id,
                                                to_status="under_consideration"))
    await rec("service.link", reg.link_problem(db, officer_id=OFFICER, service_id=service.id, problem_id=p1.id))
    await rec("service.unlink", reg.unlink_problem(db, officer_id=OFFICER, service_id=service.id, problem_id=p1.id))
    await rec("registry.export", reg.export_csv(db, officer_id=OFFICER))
    # the rest
    await rec("announcement.send", announcements.announce(db, officer_id=OFFICER, municipality_code=AK_DEBE,
                                                          text_ky="Эртең суу болбойт", text_ru=None, draft_id="d1"))
    await rec("municipality.name_ky", set_name_ky(db, officer_id=OFFICER, municipality_code=AK_DEBE,
                                                  name_ky="Ак-Дөбө"))
    await rec("verification.codes", verification.generate_codes(db, officer_id=OFFICER, count=3))

    # every action the log knows was exercised here, except those other features record themselves
    # (plans, linked chats, the web app: their own tests)
    foreign = {a for a in audit.ACTIONS if a.split(".")[0] in ("plan", "monitoring", "chat", "workspace")}
    assert rec.seen == audit.ACTIONS - foreign
    from bot.ui.audit import ACTION_LABELS

    assert set(ACTION_LABELS) == audit.ACTIONS
    # no resident's personal data in any entry: the author's id and name never appear
    dump = str([dict(r) for r in await _rows(db)])
    assert str(AUTHOR) not in dump and f"R{AUTHOR}" not in dump


async def test_details_may_not_carry_personal_data(db) -> None:
    for bad in ({"name": "Айгүл"}, {"phone": "+996555000000"}, {"text": "…"}):
        with pytest.raises(InvalidInput):
            async with db.transaction() as tx:
                await audit.record(tx, audit.Actor.officer(OFFICER), "problem.hide", audit.Target("problem", 1),
                                   municipality_code=AK_DEBE, details=bad)
    assert await _rows(db) == []


async def test_an_officer_reads_only_their_municipality_and_a_superadmin_any(db) -> None:
    await make_resident(db, OFFICER, "ru", AK_DEBE)
    await make_resident(db, AUTHOR, "ru", ALAMUDUN)
    await grant(db, OFFICER, AK_DEBE)
    await grant(db, AUTHOR, ALAMUDUN)
    await pbo.set_reopen_threshold(db, officer_id=OFFICER, value=4)
    await pbo.set_reopen_threshold(db, officer_id=AUTHOR, value=6)
    mine = await audit.entries_for(db, reader_id=OFFICER, superadmins=ADMINS)
    grants = {"officer.grant"}
    assert {(e.municipality_code) for e in mine} == {AK_DEBE}
    assert [e.facts() for e in mine if e.action not in grants] == [{"value": 4}]
    with pytest.raises(WrongMunicipality):
        await audit.entries_for(db, reader_id=OFFICER, superadmins=ADMINS, municipality_code=ALAMUDUN)
    with pytest.raises(NotAnOfficer):
        await audit.entries_for(db, reader_id=NEWCOMER, superadmins=ADMINS)
    everyone = await audit.entries_for(db, reader_id=SUPERADMIN_ID, superadmins=ADMINS)
    assert {e.municipality_code for e in everyone} == {AK_DEBE, ALAMUDUN}
    only = await audit.entries_for(db, reader_id=SUPERADMIN_ID, superadmins=ADMINS, municipality_code=ALAMUDUN)
    assert {e.municipality_code for e in only} == {ALAMUDUN}


# -- through the real dispatcher ---------------------------------------------------------------------

from tests.harness import labels, plain  # noqa: E402
from tests.problems_support import raise_problem  # noqa: E402
from tests.support import officer_person, onboard  # noqa: E402


async def test_officer_actions_in_the_chat_are_logged_and_read_with_audit(harness, db) -> None:
    resident = await onboard(harness, db, 201, "ky")
    officer = await officer_person(harness, db, 202, locale="ru")
    stranger = await officer_person(harness, db, 203, code=ALAMUDUN, locale="ky")
    first = await raise_problem(resident, "Сугат суу жетпей жатат, эгин куурап калды", "Сугат")
    [queue] = await officer.send("/problems_queue")
    await officer.press_data(queue["message_id"], f"po:reject:{first}::")
    await officer.send("Бул маселе райондун карамагында")
    await officer.send("/reopen_threshold 4")
    await officer.send("/problems_export")
    rows = await db.fetchall("SELECT action, actor_resident_id, target_id, details FROM audit_log"
                             " WHERE actor_role = 'officer' ORDER BY id")
    assert [(r["action"], r["actor_resident_id"]) for r in rows] == [
        ("problem.status", 202), ("problem.threshold", 202), ("problem.export", 202)]
    assert rows[0]["target_id"] == first and "райондун" not in rows[0]["details"]

    [log] = await officer.send("/audit")
    text = plain(log)
    assert numbered(first) in text and "→" in text and "Адис" in text and "new → rejected" not in text
    assert text.index("Значение: 4") < text.index(numbered(first))  # newest first, the detail in words
    assert labels(log) == ["« Главное меню"]  # fewer than a page: no "Older", only the way back
    [theirs] = await stranger.send("/audit")
    assert numbered(first) not in plain(theirs) and "Значение: 4" not in plain(theirs)
    [refused] = await resident.send("/audit")
    assert "№" not in plain(refused) and labels(refused) == ["« Башкы меню"]
    # a crafted "Older" button cannot reach another municipality's entries either
    await stranger.press_data(theirs["message_id"], "aud:999999")
    assert numbered(first) not in plain(stranger.last())


async def test_audit_pages_back_with_older(harness, db) -> None:
    officer = await officer_person(harness, db, 202, locale="ru")
    for value in range(1, 26):
        await pbo.set_reopen_threshold(db, officer_id=202, value=value)
    [page] = await officer.send("/audit")
    assert "Значение: 25" in plain(page) and "Значение: 5\n" not in plain(page) + "\n"
    [older] = await officer.press(labels(page)[0])
    assert "Значение: 5" in plain(older) and "Значение: 25" not in plain(older)


async def test_a_linked_chat_is_logged_once_when_linked_and_once_when_unlinked(db) -> None:
    """Actions recorded by another feature through its own helper (bot.domain.reach.links) reach the log."""
    from bot.domain.reach import links

    await make_resident(db, OFFICER, "ru", AK_DEBE)
    await grant(db, OFFICER)
    rec = Recorder(db)
    code = await links.new_code(db, officer_id=OFFICER, purpose="staff")
    chat = await rec("chat.link", links.link_chat(db, code=code.code, chat_id=-100123, chat_type="supergroup",
                                                  title="Адистер", actor_id=OFFICER))
    await rec("chat.unlink", links.unlink_chat(db, officer_id=OFFICER, ref=chat.ref), target=("chat", chat.ref))


async def test_a_superadmin_reads_every_municipality_with_its_name(harness, db) -> None:
    from bot.domain import municipalities as geo

    await officer_person(harness, db, 202, locale="ru")
    await officer_person(harness, db, 203, code=ALAMUDUN, locale="ru")
    await pbo.set_reopen_threshold(db, officer_id=202, value=4)
    await pbo.set_reopen_threshold(db, officer_id=203, value=6)
    admin = harness.person(SUPERADMIN_ID, "Админ", language_code="ru")
    await make_resident(db, SUPERADMIN_ID, "ru", AK_DEBE)
    [log] = await admin.send("/audit")
    text = plain(log)
    for code in (AK_DEBE, ALAMUDUN):
        assert (await geo.get_municipality(db, code)).name("ru") in text
    assert "Значение: 4" in text and "Значение: 6" in text
    assert "Роль специалиста выдана: Адис" in text  # the person acted on is named (issue 12)


def _details_keys_in_the_code() -> set[str]:
    """Every key of a ``details={...}`` literal passed to the audit log anywhere in ``bot/``."""
    import ast
    from pathlib import Path

    keys: set[str] = set()
    for path in Path("bot").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "details" and isinstance(node.value, ast.Dict):
                keys |= {k.value for k in node.value.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
    return keys


def test_every_detail_the_code_records_is_said_in_words() -> None:
    """A new key in some ``details={...}`` must get its words in bot.ui.audit (issue 12: the log showed
    "Значение: 4", "supports_moved: 3" to officers)."""
    from bot.ui.audit import FACT_LABELS

    keys = _details_keys_in_the_code()
    assert {"value", "supports_moved", "expires_at"} <= keys  # the scan sees the code
    unsaid = keys - set(FACT_LABELS) - {"from", "to", "old", "new", "chat_id"}
    assert not unsaid, unsaid


@pytest.mark.parametrize("locale", ["ky", "ru"])
def test_details_read_as_words_in_the_readers_language(locale: str) -> None:
    from bot.ui.audit import details_text

    def entry(action: str, details: str) -> audit_store.AuditEntry:
        return audit_store.AuditEntry(id=1, at="2027-03-18T14:05:00Z", actor_resident_id=1, actor_role="officer",
                                      municipality_code=AK_DEBE, action=action, target_kind="problem",
                                      target_id=7, details=details)

    merged = details_text(entry("problem.duplicate", '{"into":3,"supports_moved":12}'), locale)
    money = details_text(entry("plan.money", '{"new":250000,"old":120000,"source":"local_budget"}'), locale)
    status = details_text(entry("problem.status", '{"from":"new","to":"rejected"}'), locale)
    invite = details_text(entry("officer.invite", '{"expires_at":"2027-03-19T14:05:00Z"}'), locale)
    edit = details_text(entry("hearing.edit", '{"changed":["time","place"]}'), locale)
    words = {
        "ky": ["Негизги көйгөй: №3", "Которулган колдоолор: 12", "120\xa0000 сом → 250\xa0000 сом",
               "Булагы: Жергиликтүү бюджет", "Жаңы → Четке кагылды", "20:05", "убактысы, орду"],
        "ru": ["Объединена с: №3", "Перенесено поддержек: 12", "120\xa0000 сом → 250\xa0000 сом",
               "Источник: Местный бюджет", "→ Отклонена", "19 марта 2027, 20:05", "время, место"],
    }[locale]
    shown = " | ".join([merged, money, status, invite, edit])
    for expected in words:
        assert expected in shown, (expected, shown)
    assert "_" not in shown and "into" not in shown and "expires" not in shown
