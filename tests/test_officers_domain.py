"""The officer role's rules: superadmin grants and revocations, one-time invites, the record of both."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.db import Database
from bot.domain import InvalidInput, NotAnOfficer, NotFound, NotSuperadmin, WrongMunicipality
from bot.domain import officers as roles
from bot.domain.residents import touch_resident
from tests.support import AK_DEBE, ALAMUDUN

ADMIN = 1
ADMINS = frozenset({ADMIN})


async def _resident(db: Database, telegram_id: int) -> None:
    await touch_resident(db, telegram_id, first_name="Бакыт", last_name=None, username=None, language_code=None)


async def test_grant_move_and_revoke_are_recorded(db: Database) -> None:
    await _resident(db, 5)
    await roles.grant_officer(db, actor_id=ADMIN, superadmins=ADMINS, telegram_id=5, municipality_code=AK_DEBE)
    assert (await roles.require_officer(db, 5, AK_DEBE)).municipality_code == AK_DEBE
    await roles.grant_officer(db, actor_id=ADMIN, superadmins=ADMINS, telegram_id=5, municipality_code=ALAMUDUN)
    with pytest.raises(WrongMunicipality):
        await roles.require_officer(db, 5, AK_DEBE)
    await roles.revoke_officer(db, actor_id=ADMIN, superadmins=ADMINS, telegram_id=5)
    assert await roles.get_officer(db, 5) is None
    with pytest.raises(NotAnOfficer):
        await roles.require_officer(db, 5)
    with pytest.raises(roles.OfficerNotFound) as again:
        await roles.revoke_officer(db, actor_id=ADMIN, superadmins=ADMINS, telegram_id=5)
    assert isinstance(again.value, NotFound) and again.value.id == 5
    history = [(e["action"], e["municipality_code"]) for e in await roles.officer_history(db, 5)]
    assert history == [("grant", AK_DEBE), ("revoke", AK_DEBE), ("grant", ALAMUDUN), ("revoke", ALAMUDUN)]


async def test_only_superadmins_grant(db: Database) -> None:
    await _resident(db, 5)
    with pytest.raises(NotSuperadmin):
        await roles.grant_officer(db, actor_id=5, superadmins=ADMINS, telegram_id=5, municipality_code=AK_DEBE)
    with pytest.raises(NotSuperadmin):
        await roles.create_invite(db, actor_id=5, superadmins=ADMINS, municipality_code=AK_DEBE, ttl_hours=1)
    with pytest.raises(NotSuperadmin):
        await roles.revoke_officer(db, actor_id=5, superadmins=ADMINS, telegram_id=5)
    with pytest.raises(roles.NotRegistered) as unknown:
        await roles.grant_officer(db, actor_id=ADMIN, superadmins=ADMINS, telegram_id=77, municipality_code=AK_DEBE)
    assert unknown.value.telegram_id == 77
    with pytest.raises(NotFound):
        await roles.grant_officer(db, actor_id=ADMIN, superadmins=ADMINS, telegram_id=5, municipality_code="41700000000000")
    assert await roles.get_officer(db, 5) is None


async def test_invite_is_used_once_even_when_two_race(db: Database) -> None:
    await _resident(db, 6)
    await _resident(db, 7)
    invite = await roles.create_invite(db, actor_id=ADMIN, superadmins=ADMINS, municipality_code=AK_DEBE, ttl_hours=72)
    typed = roles.format_invite_code(invite.code).lower()  # "k7qm-4xpd" as someone would type it
    results = await asyncio.gather(
        roles.redeem_invite(db, telegram_id=6, code=typed),
        roles.redeem_invite(db, telegram_id=7, code=invite.code),
        return_exceptions=True,
    )
    winners = [r for r in results if isinstance(r, roles.Officer)]
    losers = [r for r in results if isinstance(r, roles.InviteInvalid)]
    assert len(winners) == 1 and len(losers) == 1 and isinstance(losers[0], roles.InviteUsed)
    events = await db.fetchall("SELECT via, actor_id, invite_code FROM officer_events")
    assert [tuple(e) for e in events] == [("invite", ADMIN, invite.code)]


async def test_expired_and_malformed_invites(db: Database, frozen_clock) -> None:
    await _resident(db, 8)
    invite = await roles.create_invite(db, actor_id=ADMIN, superadmins=ADMINS, municipality_code=AK_DEBE, ttl_hours=1)
    frozen_clock.advance(timedelta(minutes=59))
    fresh = await roles.create_invite(db, actor_id=ADMIN, superadmins=ADMINS, municipality_code=AK_DEBE, ttl_hours=1)
    frozen_clock.advance(timedelta(minutes=2))  # the first is 61 minutes old, the second 2
    with pytest.raises(roles.InviteExpired):
        await roles.redeem_invite(db, telegram_id=8, code=invite.code)
    with pytest.raises(roles.NotAnInviteCode) as malformed:
        await roles.redeem_invite(db, telegram_id=8, code="<script>")
    assert isinstance(malformed.value, InvalidInput)
    with pytest.raises(roles.InviteUnknown):
        await roles.redeem_invite(db, telegram_id=8, code="AAAA-BBBB")
    assert await roles.get_officer(db, 8) is None
    assert (await roles.redeem_invite(db, telegram_id=8, code=fresh.code)).municipality_code == AK_DEBE


def test_invite_errors_are_told_apart_by_class_and_explained_each_in_its_words() -> None:
    from bot.i18n import use_locale
    from bot.ui.errors import explain
    import bot.ui.officers  # noqa: F401  (the explanations)

    errors = [roles.InviteUsed("x"), roles.InviteExpired("x"), roles.InviteUnknown("x"), roles.NotAnInviteCode("x")]
    assert all(isinstance(e, roles.InviteInvalid) for e in errors[:3])
    with use_locale("ru"):
        texts = [explain(e) for e in errors]
    assert "уже использован" in texts[0]
    assert len(set(texts)) == 4

