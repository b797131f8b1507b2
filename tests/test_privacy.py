"""Personal data (issue 11 item 8): /privacy shows what is stored, /delete_me removes a person's identity
and leaves their contributions, anonymised and still counted; nothing of them is left in any table."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.db import Database
from bot.domain import hearings as hr
from bot.domain import privacy
from bot.domain import registry as reg
from bot.domain import surveys as sv
from bot.domain.clock import to_db
from bot.domain.errors import NotFound
from bot.domain.problems import officer as problems_officer
from bot.domain.problems import resident as problems_resident
from bot.domain.verification import verify_by_contact
from bot.store import privacy as privacy_store
from tests.support import AK_DEBE, SUPERADMIN_ID, grant, make_resident

START = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("frozen_clock")

GONE = 987_654_321
"""The resident who asks to be deleted (a Telegram id no other value in the tests looks like)."""
NAME, LAST, USERNAME, PHONE = "Жыпаргүл", "Токтогулова", "jyparhul_t", "+996555123987"
OFFICER, OTHER, OTHER2 = 700, 801, 802

PERSON_COLUMN = re.compile(r"(telegram_id|resident_id|author_id|actor_id|_by|sender_id|chat_id|officer_id|"
                           r"user_id|voter_id)$")


async def _tables(db: Database) -> list[str]:
    rows = await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return [r["name"] for r in rows]


async def leftovers(db: Database, telegram_id: int, texts: list[str]) -> list[str]:
    """Every table and every integer or text column: where the person's id (as a number, or inside a
    text such as a JSON blob or an FSM key) or any of ``texts`` still appears."""
    found = []
    for table in await _tables(db):
        for col in await db.fetchall(f"PRAGMA table_info({table})"):
            name, kind = col["name"], (col["type"] or "").upper()
            if "INT" in kind:
                n = await db.fetchval(f'SELECT COUNT(*) FROM "{table}" WHERE "{name}" = ?', (telegram_id,))
                if n:
                    found.append(f"{table}.{name} = {telegram_id}")
            if "TEXT" in kind or kind == "":
                for needle in [str(telegram_id), *texts]:
                    n = await db.fetchval(f'SELECT COUNT(*) FROM "{table}" WHERE instr(lower("{name}"), lower(?)) > 0',
                                          (needle,))
                    if n:
                        found.append(f"{table}.{name} contains {needle!r}")
    return found


async def populate(db: Database) -> dict[str, int]:
    """GONE does everything a resident can: raises and supports problems, votes, RSVPs with the hall list,
    asks a question, proposes/supports/follows/rates services, verifies by phone; was an officer once.
    Returns ids of what was made."""
    for uid in (OFFICER, OTHER, OTHER2):
        await make_resident(db, uid, "ru", AK_DEBE)
    async with db.transaction() as tx:  # all joined long ago (the burst flag of surveys stays out)
        await tx.execute("UPDATE residents SET joined_at = ?", (to_db(START - timedelta(days=60)),))
    from bot.domain.residents import touch_resident, set_locale, set_municipality

    await touch_resident(db, GONE, first_name=NAME, last_name=LAST, username=USERNAME, language_code="ru")
    await set_locale(db, GONE, "ky")
    await set_municipality(db, GONE, AK_DEBE)
    await grant(db, OFFICER)
    # once an officer, revoked since (a revoked officer is a resident again)
    await grant(db, GONE)
    await problems_officer.set_reopen_threshold(db, officer_id=GONE, value=7)
    from bot.domain.officers import revoke_officer

    await revoke_officer(db, actor_id=SUPERADMIN_ID, superadmins=frozenset({SUPERADMIN_ID}), telegram_id=GONE)
    await verify_by_contact(db, sender_id=GONE, contact_user_id=GONE, phone_number=PHONE)
    mine = await problems_resident.raise_problem(db, author_id=GONE, category="water",
                                                 text="Суу жок, үч күндөн бери суу келбей жатат.")
    theirs = await problems_resident.raise_problem(db, author_id=OTHER, category="roads",
                                                   text="Жол бузулуп калды, оңдоо керек.")
    await problems_resident.support(db, problem_id=mine.id, resident_id=OTHER)
    await problems_resident.support(db, problem_id=theirs.id, resident_id=GONE)
    await problems_officer.change_status(db, officer_id=OFFICER, problem_id=mine.id, status="under_review")
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=sv.Draft(
        question_ky="Кайсы жол?", question_ru="Какая дорога?", options=[["А", "А", None], ["Б", "Б", None]],
        max_choices=1, opens_at=to_db(START), closes_at=to_db(START + timedelta(days=5))))
    await sv.cast_vote(db, resident_id=GONE, survey_id=survey.id, positions=[2])
    await sv.cast_vote(db, resident_id=OTHER, survey_id=survey.id, positions=[1])
    hearing = await hr.create_hearing(db, officer_id=OFFICER, draft=hr.Draft(
        topic="budget_draft", title_ky="Бюджет", title_ru="Бюджет", agenda_ky="1. Бюджет", agenda_ru="1. Бюджет",
        starts_at=to_db(START + timedelta(days=20)), place="Зал"))
    await hr.rsvp(db, resident_id=GONE, hearing_id=hearing.id, answer="going")
    await hr.set_share_name(db, resident_id=GONE, hearing_id=hearing.id, share=True)
    await hr.rsvp(db, resident_id=OTHER, hearing_id=hearing.id, answer="going")
    await hr.set_share_name(db, resident_id=OTHER, hearing_id=hearing.id, share=True)
    await hr.ask_question(db, resident_id=GONE, hearing_id=hearing.id, text="Бюджетке мектеп кирдиби?")
    await reg.ensure_seeded(db, AK_DEBE)
    proposal = await reg.propose(db, resident_id=GONE, proposal=reg.Proposal(
        name="Карыяларга үйгө жардам", description="Жалгыз карыяларга үйгө барып жардам берүү",
        recipients="Карыялар", on_behalf_of="elderly", area="social", locale="ky"))
    await reg.follow(db, resident_id=GONE, service_id=proposal.id)
    included = await db.fetchval("SELECT id FROM services WHERE municipality_code = ? AND status = 'included'"
                                 " ORDER BY id LIMIT 1", (AK_DEBE,))
    assert included is not None
    await reg.rate(db, resident_id=GONE, service_id=int(included), score=4, comment="Жакшы")
    other = await reg.propose(db, resident_id=OTHER, proposal=reg.Proposal(
        name="Балдар аянтчасы", description="Көчөдө балдар үчүн аянтча куруу", recipients="Балдар",
        on_behalf_of=None, area="social", locale="ky"))
    await reg.support(db, resident_id=GONE, service_id=other.id)
    return {"mine": mine.id, "theirs": theirs.id, "survey": survey.id, "hearing": hearing.id,
            "proposal": proposal.id}


async def test_every_person_column_of_the_schema_is_handled_by_the_erasure(db: Database) -> None:
    """A table added later with a column holding a person's id must be listed in bot/store/privacy.py."""
    handled = set(privacy_store.MOVED) | set(privacy_store.DELETED) | set(privacy_store.SPECIAL)
    handled |= set(privacy_store.NOT_PEOPLE)
    missing = []
    for table in await _tables(db):
        fks = {r["from"] for r in await db.fetchall(f"PRAGMA foreign_key_list({table})")
               if r["table"] == "residents"}
        for col in await db.fetchall(f"PRAGMA table_info({table})"):
            name = col["name"]
            if (name in fks or PERSON_COLUMN.search(name)) and (table, name) not in handled:
                missing.append(f"{table}.{name}")
    assert missing == [], "\n".join(missing)


async def test_erasure_leaves_nothing_of_the_person_in_any_table_and_keeps_every_count(db: Database) -> None:
    ids = await populate(db)
    assert await leftovers(db, GONE, [NAME, LAST, USERNAME, PHONE, PHONE[1:]]) != []  # the check can fail
    before = await db.fetchone(
        "SELECT (SELECT supports FROM problems WHERE id = ?) AS mine, (SELECT supports FROM problems WHERE id = ?)"
        " AS theirs, (SELECT ballots FROM surveys WHERE id = ?) AS ballots,"
        " (SELECT group_concat(votes) FROM survey_options WHERE survey_id = ?) AS votes,"
        " (SELECT COUNT(*) FROM hearing_rsvps WHERE hearing_id = ?) AS rsvps",
        (ids["mine"], ids["theirs"], ids["survey"], ids["survey"], ids["hearing"]))

    stub = await privacy.erase_me(db, telegram_id=GONE, superadmins=frozenset({SUPERADMIN_ID}))

    assert stub < 0
    assert await leftovers(db, GONE, [NAME, LAST, USERNAME, PHONE, PHONE[1:]]) == []
    after = await db.fetchone(
        "SELECT (SELECT supports FROM problems WHERE id = ?) AS mine, (SELECT supports FROM problems WHERE id = ?)"
        " AS theirs, (SELECT ballots FROM surveys WHERE id = ?) AS ballots,"
        " (SELECT group_concat(votes) FROM survey_options WHERE survey_id = ?) AS votes,"
        " (SELECT COUNT(*) FROM hearing_rsvps WHERE hearing_id = ?) AS rsvps",
        (ids["mine"], ids["theirs"], ids["survey"], ids["survey"], ids["hearing"]))
    assert tuple(after) == tuple(before)
    # the problem stays, with its author now the anonymous stub; the votes hang on another stub
    assert await db.fetchval("SELECT author_id FROM problems WHERE id = ?", (ids["mine"],)) == stub
    voter = await db.fetchval("SELECT resident_id FROM survey_ballots WHERE survey_id = ? AND resident_id < 0",
                              (ids["survey"],))
    assert voter is not None and voter != stub
    # the hall list no longer names them; the other resident who consented is still there
    _hearing, attendance = await hr.attendance(db, officer_id=OFFICER, hearing_id=ids["hearing"])
    assert NAME not in " ".join(attendance.names) and len(attendance.names) == 1
    with pytest.raises(NotFound):
        await privacy.my_data(db, GONE)


async def test_an_officer_cannot_erase_themselves_until_revoked(db: Database) -> None:
    await make_resident(db, OFFICER, "ru", AK_DEBE)
    await grant(db, OFFICER)
    with pytest.raises(privacy.OfficerMustBeRevoked):
        await privacy.erase_me(db, telegram_id=OFFICER, superadmins=frozenset({SUPERADMIN_ID}))
    assert (await privacy.my_data(db, OFFICER)).officer
    with pytest.raises(privacy.SuperadminCannotErase):
        await privacy.erase_me(db, telegram_id=SUPERADMIN_ID, superadmins=frozenset({SUPERADMIN_ID}))
