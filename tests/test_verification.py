"""Verified residents: own phone number (+996) through the contact button, or a one-time residence
code; guessing is throttled, a verified resident does not use up a second code."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.db import Database
from bot.domain import InvalidInput, PermissionDenied
from bot.domain import surveys as sv
from bot.domain import verification as ver
from tests.harness import labels, plain
from tests.support import AK_DEBE, BISHKEK
from tests.survey_helpers import OFFICER, START, anchor, draft, last_alert, make_officer, make_resident

pytestmark = pytest.mark.usefixtures("frozen_clock")
__all__ = ["START"]


@pytest.mark.parametrize("raw, ok", [
    ("+996 700 123 456", True), ("996700123456", True), ("0700 123-456", True), ("+996555123456", True),
    ("+7 701 123 4567", False), ("99670012345", False), ("+9967001234567", False), ("", False),
])
def test_kyrgyz_numbers(raw: str, ok: bool) -> None:
    assert ver.is_kyrgyz_phone(raw) is ok


async def contact(person, phone: str, owner: int | None):
    return await person._act(person.emulator.send_contact(person.user_id, phone, contact_user_id=owner))


async def test_own_kyrgyz_contact_verifies_and_lets_vote(harness, db: Database) -> None:
    await make_officer(db, harness)
    person = harness.person(801, "Айгүл", language_code="ky")
    await make_resident(db, 801, "ky", AK_DEBE)
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft(verified_only=True))
    await person.press_data(await anchor(person), f"sv:vote:{survey.id}:1")
    assert "ырасталган тургундар үчүн гана" in last_alert(person)
    assert person.emulator.reply_keyboard(801)["keyboard"][0][0]["request_contact"] is True
    reply = await contact(person, "+996700111222", owner=999)  # somebody else's contact
    assert "өзүңүздүн байланышыңыз эмес" in plain(reply[-1])
    reply = await contact(person, "+77011234567", owner=801)  # own, but not Kyrgyz
    assert "+996" in plain(reply[-1])
    assert not await ver.is_verified(db, 801, AK_DEBE)
    reply = await contact(person, "996700111222", owner=801)
    assert "ырасталдыңыз" in plain(reply[-2])
    ballot = reply[-1]  # issue 12: back to the survey that asked, its ballot as a new message
    assert survey.options[0].text("ky") in " ".join(labels(ballot)) and "« Башкы меню" in labels(ballot)
    await person.press(survey.options[0].text("ky"), ballot)
    assert "эсептелди" in last_alert(person)
    stored = await db.fetchall("SELECT * FROM resident_verifications")
    assert all("700111222" not in str(tuple(r)) for r in stored)  # the number is not kept


async def test_a_contact_shared_outside_the_step_is_taken_too(harness, db: Database) -> None:
    person = harness.person(802, "Иван", language_code="ru")
    await make_resident(db, 802, "ru", AK_DEBE)
    reply = await contact(person, "+996700111333", owner=802)
    assert "подтверждены" in plain(reply[0]) and await ver.is_verified(db, 802, BISHKEK)
    assert "« Главное меню" in labels(reply[-1])  # issue 12: a way on after the keyboard's removal


async def test_plain_verify_ends_on_the_survey_list_not_a_dead_end(harness, db: Database) -> None:
    """/verify alone: the "verified" message removes the phone button (it cannot carry inline buttons),
    then the survey list follows, where the survey for verified residents can now be opened."""
    await make_officer(db, harness)
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft(verified_only=True))
    person = harness.person(805, "Айгүл", language_code="ky")
    await make_resident(db, 805, "ky", AK_DEBE)
    await person.send("/verify")
    assert person.emulator.reply_keyboard(805)["keyboard"][0][0]["request_contact"] is True
    done, after = await contact(person, "+996700111444", owner=805)
    assert "ырасталдыңыз" in plain(done) and not labels(done)
    assert person.emulator.reply_keyboard(805) is None  # the phone button is gone
    assert "« Башкы меню" in labels(after)
    [ballot] = await person.press(next(b for b in labels(after) if b != "« Башкы меню"), after)
    assert survey.options[0].text("ky") in " ".join(labels(ballot))
    # /verify CODE and the "already verified" answer end the same way
    [first] = await ver.generate_codes(db, officer_id=OFFICER, count=1)
    done, after = await person.send(f"/verify {first}")
    assert "буга чейин эле ырасталгансыз" in plain(done) and "« Башкы меню" in labels(after)


async def test_residence_codes_verify_one_resident_of_that_municipality_once(harness, db: Database) -> None:
    officer = await make_officer(db, harness)
    reply = await officer.send("/codes 3")
    assert "3 кода жителя" in plain(reply[-1])
    codes = [r[0] for r in await db.fetchall("SELECT code FROM residence_codes")]
    assert len(codes) == 3
    ivan = harness.person(802, "Иван", language_code="ru")
    await make_resident(db, 802, "ru", AK_DEBE)
    reply = await ivan.send("/verify")
    assert "код жителя" in plain(reply[-1])
    await ivan.send_sticker()
    assert "/cancel" in plain(ivan.last())
    reply = await ivan.send("нет кода")
    assert "не код жителя" in plain(reply[-1])
    reply = await ivan.send(ver.format_code(codes[0]).lower())
    assert "подтверждены" in plain(reply[0]) and "« Главное меню" in labels(reply[-1])
    assert await ver.is_verified(db, 802, AK_DEBE) and not await ver.is_verified(db, 802, BISHKEK)
    outsider = harness.person(850, "Асель", language_code="ru")
    await make_resident(db, 850, "ru", BISHKEK)
    reply = await outsider.send(f"/verify {codes[1]}")
    assert "другого муниципалитета" in plain(reply[-1])
    await make_resident(db, 803, "ru", AK_DEBE)
    await make_resident(db, 804, "ru", AK_DEBE)
    results = await asyncio.gather(ver.redeem_code(db, resident_id=803, code=codes[2]),
                                   ver.redeem_code(db, resident_id=804, code=codes[2]), return_exceptions=True)
    assert sorted(type(r).__name__ for r in results) == ["CodeUsed", "str"]
    loser = 804 if isinstance(results[0], str) else 803
    with pytest.raises(ver.CodeUsed):
        await ver.redeem_code(db, resident_id=loser, code=codes[0])  # used
    with pytest.raises(PermissionDenied):
        await ver.generate_codes(db, officer_id=802, count=1)
    with pytest.raises(InvalidInput):
        await ver.generate_codes(db, officer_id=OFFICER, count=ver.MAX_BATCH + 1)


async def test_code_guessing_is_throttled_per_resident(db: Database, harness, frozen_clock) -> None:
    await make_officer(db, harness)
    [code] = await ver.generate_codes(db, officer_id=OFFICER, count=1)
    guesser = harness.person(801, "Иван", language_code="ru")
    await make_resident(db, 801, "ru", AK_DEBE)
    await guesser.send("/verify")
    for i in range(ver.CODE_ATTEMPTS):
        [reply] = await guesser.send("ABCDEFG" + "23456789"[i])
        assert "Слишком много" not in plain(reply)
    [blocked] = await guesser.send(code)  # even the right code waits: guessing must not pay off
    assert "Слишком много неверных кодов" in plain(blocked) and "60 минут" in plain(blocked)
    assert not await ver.is_verified(db, 801, AK_DEBE)
    frozen_clock["t"] = START + timedelta(minutes=45)
    [still] = await guesser.send(code)
    assert "15 минут" in plain(still)
    frozen_clock["t"] = START + timedelta(hours=1, minutes=1)
    ok, _list = await guesser.send(code)
    assert "✅" in plain(ok) and await ver.is_verified(db, 801, AK_DEBE)
    # another resident is not throttled by this one's failures
    await make_resident(db, 802, "ru", AK_DEBE)
    with pytest.raises(ver.CodeUnknown):
        await ver.redeem_code(db, resident_id=802, code="ABCDEFGH")


async def test_verified_resident_does_not_use_up_a_second_code(db: Database, harness) -> None:
    await make_officer(db, harness)
    first, second = await ver.generate_codes(db, officer_id=OFFICER, count=2)
    person = harness.person(801, "Айгүл", language_code="ky")
    await make_resident(db, 801, "ky", AK_DEBE)
    await person.send(f"/verify {first}")
    reply, _list = await person.send(f"/verify {second}")
    assert "буга чейин эле ырасталгансыз" in plain(reply)
    assert await db.fetchval("SELECT used_by FROM residence_codes WHERE code = ?", (second,)) is None
    # a phone-verified resident too
    await make_resident(db, 802, "ru", AK_DEBE)
    await ver.verify_by_contact(db, sender_id=802, contact_user_id=802, phone_number="+996700123456")
    with pytest.raises(ver.AlreadyVerified):
        await ver.redeem_code(db, resident_id=802, code=second)
    assert await db.fetchval("SELECT used_by FROM residence_codes WHERE code = ?", (second,)) is None


async def test_verify_step_left_by_navigation_ignores_later_text(db: Database, harness) -> None:
    await make_officer(db, harness)
    [code] = await ver.generate_codes(db, officer_id=OFFICER, count=1)
    person = harness.person(801, "Иван", language_code="ru")
    await make_resident(db, 801, "ru", AK_DEBE)
    await person.send("/verify")
    await person.send("/surveys")  # a command instead of the code: the step is left
    [reply] = await person.send(code)
    assert "подтверждены" not in plain(reply)
    assert not await ver.is_verified(db, 801, AK_DEBE)
    await person.send("/verify")
    await person.press("Главное меню")  # a menu button under the list instead of the code
    await person.send(code)
    assert not await ver.is_verified(db, 801, AK_DEBE)
    assert await db.fetchval("SELECT used_by FROM residence_codes WHERE code = ?", (code,)) is None
