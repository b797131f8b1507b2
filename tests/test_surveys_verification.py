"""Verified residents: own phone number (+996) through the contact button, or a one-time residence code."""

from __future__ import annotations

import asyncio

import pytest

from bot.db import Database
from bot.domain import InvalidInput, PermissionDenied
from bot.domain import surveys as sv
from bot.domain import verification as ver
from bot.domain.clock import clock
from tests.harness import plain
from tests.test_surveys import AK_DEBE, BISHKEK, OFFICER, START, anchor, draft, last_alert, make_officer, make_resident


@pytest.fixture(autouse=True)
def fixed_clock():
    clock.set(lambda: START)
    yield
    clock.set(None)


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
    assert "ырасталдыңыз" in plain(reply[-1])
    await person.press_data(await anchor(person), f"sv:vote:{survey.id}:1")
    assert "эсептелди" in last_alert(person)
    stored = await db.fetchall("SELECT * FROM resident_verifications")
    assert all("700111222" not in str(tuple(r)) for r in stored)  # the number is not kept


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
    assert "подтверждены" in plain(reply[-1])
    assert await ver.is_verified(db, 802, AK_DEBE) and not await ver.is_verified(db, 802, BISHKEK)
    outsider = harness.person(850, "Асель", language_code="ru")
    await make_resident(db, 850, "ru", BISHKEK)
    reply = await outsider.send(f"/verify {codes[1]}")
    assert "другого муниципалитета" in plain(reply[-1])
    await make_resident(db, 803, "ru", AK_DEBE)
    await make_resident(db, 804, "ru", AK_DEBE)
    results = await asyncio.gather(ver.redeem_code(db, resident_id=803, code=codes[2]),
                                   ver.redeem_code(db, resident_id=804, code=codes[2]), return_exceptions=True)
    assert sorted(type(r).__name__ for r in results) == ["VerificationRefused", "str"]
    with pytest.raises(ver.VerificationRefused):
        await ver.redeem_code(db, resident_id=803, code=codes[0])  # used
    with pytest.raises(PermissionDenied):
        await ver.generate_codes(db, officer_id=802, count=1)
    with pytest.raises(InvalidInput):
        await ver.generate_codes(db, officer_id=OFFICER, count=ver.MAX_BATCH + 1)
