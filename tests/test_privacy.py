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
from bot.i18n import numbered
from bot.store import privacy as privacy_store
from tests.harness import labels, plain
from tests.support import AK_DEBE, ALAMUDUN, SUPERADMIN_ID, grant, make_resident

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
    # a signed monitoring report on an action-plan item (officers are told with the author's name)
    from bot.domain import plans

    item = await plans.create_item(db, officer_id=OFFICER, title="Суу түтүгүн алмаштыруу", year=2027,
                                   responsible="ayil_okmotu", problem_ids=[mine.id])
    invite = await plans.create_invite(db, officer_id=OFFICER)
    await plans.join(db, resident_id=GONE, code=invite.code)
    await plans.post_report(db, resident_id=GONE, item_id=item.item.id, progress="delayed", note="Иш токтоп турат",
                            signed=True, author_name=f"{NAME} {LAST}")
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

    queued = await db.fetchval("SELECT COUNT(*) FROM deliveries WHERE resident_id = ? AND status = 'queued'", (GONE,))
    acted = await db.fetchval("SELECT COUNT(*) FROM audit_log WHERE actor_resident_id = ?", (GONE,))
    assert queued > 0 and acted > 0  # announcements were waiting for them; they acted as an officer once

    stub = await privacy.erase_me(db, telegram_id=GONE, superadmins=frozenset({SUPERADMIN_ID}))

    assert stub < 0
    assert await db.fetchval("SELECT COUNT(*) FROM deliveries d JOIN residents r ON r.telegram_id = d.resident_id"
                             " WHERE r.deleted_at IS NOT NULL AND d.status = 'queued'") == 0
    assert await db.fetchval("SELECT COUNT(*) FROM audit_log WHERE actor_resident_id = ?", (stub,)) == acted
    assert await db.fetchval("SELECT COUNT(*) FROM audit_log WHERE target_kind = 'resident' AND target_id = ?",
                             (stub,)) == 2  # the grant and the revocation of their role
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


# -- through the real dispatcher ---------------------------------------------------------------------

async def _resident_through_chat(harness, db: Database, uid: int, locale: str, code: str):
    person = harness.person(uid, NAME, last_name=LAST, username=USERNAME, language_code=locale)
    await person.send("/start")
    from bot.domain.residents import set_locale, set_municipality

    await set_locale(db, uid, locale)
    await set_municipality(db, uid, code)
    return person


@pytest.mark.parametrize("locale", ["ky", "ru"])
async def test_privacy_shows_what_is_stored_in_the_residents_language(harness, db: Database, locale: str) -> None:
    from bot.domain import municipalities as geo
    from bot.i18n import format_date

    code = ALAMUDUN if locale == "ky" else AK_DEBE
    person = await _resident_through_chat(harness, db, GONE, locale, code)
    await make_resident(db, OTHER, "ru", code)
    problem = await problems_resident.raise_problem(db, author_id=GONE, category="water",
                                                    text="Суу жок, үч күндөн бери суу келбей жатат.")
    theirs = await problems_resident.raise_problem(db, author_id=OTHER, category="roads",
                                                   text="Жол бузулуп калды, оңдоо керек.")
    await problems_resident.support(db, problem_id=theirs.id, resident_id=GONE)
    assert problem.id

    (reply,) = await person.send("/privacy")
    text = plain(reply)
    place = await geo.get_municipality(db, code)
    assert place is not None
    assert f"{NAME} {LAST}" in text and "@" + USERNAME in text
    assert {"ky": "Кыргызча", "ru": "Русский"}[locale] in text
    assert place.name(locale) in text
    assert format_date(START, locale) in text  # Babel's date in the resident's language
    assert re.search(r": 1\b", text)  # the problem raised is counted
    assert "/delete_me" in text


async def test_delete_me_asks_first_cancel_keeps_and_confirm_erases_keeping_the_counts(
        harness, db: Database, frozen_clock) -> None:
    person = await _resident_through_chat(harness, db, GONE, "ru", AK_DEBE)
    officer = harness.person(OFFICER, "Адис", language_code="ru")
    await make_resident(db, OFFICER, "ru", AK_DEBE)
    await make_resident(db, OTHER, "ru", AK_DEBE)
    await grant(db, OFFICER)
    mine = await problems_resident.raise_problem(db, author_id=GONE, category="water",
                                                 text="Суу жок, үч күндөн бери суу келбей жатат.")
    await problems_resident.support(db, problem_id=mine.id, resident_id=OTHER)
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=sv.Draft(
        question_ky="Кайсы жол?", question_ru="Какая дорога?", options=[["А", "А", None], ["Б", "Б", None]],
        max_choices=1, opens_at=to_db(START), closes_at=to_db(START + timedelta(days=5))))
    await sv.cast_vote(db, resident_id=GONE, survey_id=survey.id, positions=[2])
    hearing = await hr.create_hearing(db, officer_id=OFFICER, draft=hr.Draft(
        topic="budget_draft", title_ky="Бюджет", title_ru="Бюджет", agenda_ky="1. Бюджет", agenda_ru="1. Бюджет",
        starts_at=to_db(START + timedelta(days=20)), place="Зал"))
    await hr.rsvp(db, resident_id=GONE, hearing_id=hearing.id, answer="going")
    await hr.set_share_name(db, resident_id=GONE, hearing_id=hearing.id, share=True)
    _h, before = await hr.attendance(db, officer_id=OFFICER, hearing_id=hearing.id)
    assert any(NAME in n for n in before.names)

    (question,) = await person.send("/delete_me")
    assert len(labels(question)) == 2
    (kept,) = await person.press(labels(question)[1])  # Cancel
    assert len(labels(kept)) == 1  # only the way back to the main menu (issue 12: no dead ends)
    assert await db.fetchval("SELECT 1 FROM residents WHERE telegram_id = ?", (GONE,))

    (question,) = await person.send("/delete_me")
    (done,) = await person.press(labels(question)[0], question)
    assert labels(done) == [] and plain(done) != plain(question)
    assert await db.fetchval("SELECT 1 FROM residents WHERE telegram_id = ?", (GONE,)) is None
    assert await leftovers(db, GONE, [NAME, LAST, USERNAME]) == []
    # what they contributed still counts
    assert await db.fetchval("SELECT supports FROM problems WHERE id = ?", (mine.id,)) == 2
    _s, tally = await sv.officer_tally(db, officer_id=OFFICER, survey_id=survey.id)
    assert await db.fetchval("SELECT ballots FROM surveys WHERE id = ?", (survey.id,)) == 1
    assert await db.fetchval("SELECT votes FROM survey_options WHERE survey_id = ? AND position = 2",
                             (survey.id,)) == 1
    # the officer's hall list shows the counts and no name of theirs
    att_msg = await officer.send("/hearings")
    answered = await officer.press_data(att_msg[-1]["message_id"], f"ha:att:{hearing.id}")
    shown = " ".join(plain(m) for m in answered)
    assert NAME not in shown and USERNAME not in shown and str(GONE) not in shown
    assert "1" in shown  # one coming, still counted

    # writing again: a new resident, nothing of the old one; the old confirmation button is stale
    frozen_clock.advance(timedelta(minutes=5))
    await person.send("/start")
    fresh = await db.fetchone("SELECT locale, municipality_code FROM residents WHERE telegram_id = ?", (GONE,))
    assert tuple(fresh) == (None, None)
    stubs = await db.fetchval("SELECT COUNT(*) FROM residents WHERE deleted_at IS NOT NULL")
    await person.press_data(question["message_id"], labels_data(question)[0])
    assert await db.fetchval("SELECT COUNT(*) FROM residents WHERE deleted_at IS NOT NULL") == stubs
    assert await db.fetchval("SELECT 1 FROM residents WHERE telegram_id = ?", (GONE,)) == 1
    assert person.alerts()[-1].get("show_alert")


async def test_an_officer_is_told_to_have_the_role_revoked_first_then_may_delete(harness, db: Database) -> None:
    person = await _resident_through_chat(harness, db, GONE, "ru", AK_DEBE)
    await grant(db, GONE)
    (refusal,) = await person.send("/delete_me")
    assert labels(refusal) == ["« Главное меню"] and "/delete_me" in plain(refusal)  # a refusal, not a question
    from bot.domain.officers import revoke_officer

    await revoke_officer(db, actor_id=SUPERADMIN_ID, superadmins=frozenset({SUPERADMIN_ID}), telegram_id=GONE)
    (question,) = await person.send("/delete_me")
    await person.press(labels(question)[0], question)
    assert await leftovers(db, GONE, [NAME, LAST, USERNAME]) == []


def labels_data(message: dict) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


async def test_officer_views_after_an_erasure_show_no_trace_of_the_person(harness, db: Database) -> None:
    """A revoked officer who raised a problem and acted as an officer is erased: the new officer's problem
    card and queue still show the problem and its supports, the audit log shows "a deleted person", and
    neither names them."""
    person = await _resident_through_chat(harness, db, GONE, "ru", AK_DEBE)
    officer = harness.person(OFFICER, "Адис", language_code="ru")
    await make_resident(db, OFFICER, "ru", AK_DEBE)
    await make_resident(db, OTHER, "ru", AK_DEBE)
    await grant(db, GONE)
    await problems_officer.set_reopen_threshold(db, officer_id=GONE, value=9)
    from bot.domain.officers import revoke_officer

    await revoke_officer(db, actor_id=SUPERADMIN_ID, superadmins=frozenset({SUPERADMIN_ID}), telegram_id=GONE)
    await grant(db, OFFICER)
    mine = await problems_resident.raise_problem(db, author_id=GONE, category="water",
                                                 text="Суу жок, үч күндөн бери суу келбей жатат.")
    await problems_resident.support(db, problem_id=mine.id, resident_id=OTHER)
    [before] = await officer.send("/audit")
    assert NAME in plain(before)  # the check below can fail: the log names the acting officer while they exist

    (question,) = await person.send("/delete_me")
    await person.press(labels(question)[0], question)

    [log] = await officer.send("/audit")
    [queue] = await officer.send("/problems_queue")
    card = await officer.press_data(queue["message_id"], f"po:open:{mine.id}")
    shown = " ".join(plain(m) for m in [log, queue, *card])
    assert numbered(mine.id) in plain(queue) and "Значение: 9" in plain(log)
    assert "Пользователь Telegram 900000001 (суперадмин)" in plain(log)  # never a bare id
    for trace in (NAME, LAST, USERNAME, str(GONE)):
        assert trace not in shown
    assert await db.fetchval("SELECT supports FROM problems WHERE id = ?", (mine.id,)) == 2
