"""The officer role: superadmin grants and revocations, one-time invites, the record of both."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.db import Database
from bot.domain import InvalidInput, NotFound, PermissionDenied
from bot.domain import officers as roles
from bot.domain.clock import clock
from bot.domain.residents import touch_resident

ADMIN = 1
ADMINS = frozenset({ADMIN})
AK_DEBE = "41708203803000"
ALAMUDUN = "41708203807000"


async def _resident(db: Database, telegram_id: int) -> None:
    await touch_resident(db, telegram_id, first_name="Бакыт", last_name=None, username=None, language_code=None)


async def test_grant_move_and_revoke_are_recorded(db: Database) -> None:
    await _resident(db, 5)
    await roles.grant_officer(db, actor_id=ADMIN, superadmins=ADMINS, telegram_id=5, municipality_code=AK_DEBE)
    assert (await roles.require_officer(db, 5, AK_DEBE)).municipality_code == AK_DEBE
    await roles.grant_officer(db, actor_id=ADMIN, superadmins=ADMINS, telegram_id=5, municipality_code=ALAMUDUN)
    with pytest.raises(PermissionDenied):
        await roles.require_officer(db, 5, AK_DEBE)
    await roles.revoke_officer(db, actor_id=ADMIN, superadmins=ADMINS, telegram_id=5)
    assert await roles.get_officer(db, 5) is None
    history = [(e["action"], e["municipality_code"]) for e in await roles.officer_history(db, 5)]
    assert history == [("grant", AK_DEBE), ("revoke", AK_DEBE), ("grant", ALAMUDUN), ("revoke", ALAMUDUN)]


async def test_only_superadmins_grant(db: Database) -> None:
    await _resident(db, 5)
    with pytest.raises(PermissionDenied):
        await roles.grant_officer(db, actor_id=5, superadmins=ADMINS, telegram_id=5, municipality_code=AK_DEBE)
    with pytest.raises(PermissionDenied):
        await roles.create_invite(db, actor_id=5, superadmins=ADMINS, municipality_code=AK_DEBE, ttl_hours=1)
    with pytest.raises(roles.NotRegistered):
        await roles.grant_officer(db, actor_id=ADMIN, superadmins=ADMINS, telegram_id=77, municipality_code=AK_DEBE)
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
    assert len(winners) == 1 and len(losers) == 1 and losers[0].reason == "used"
    events = await db.fetchall("SELECT via, actor_id, invite_code FROM officer_events")
    assert [tuple(e) for e in events] == [("invite", ADMIN, invite.code)]


async def test_expired_and_malformed_invites(db: Database) -> None:
    await _resident(db, 8)
    invite = await roles.create_invite(db, actor_id=ADMIN, superadmins=ADMINS, municipality_code=AK_DEBE, ttl_hours=1)
    later = datetime.now(UTC) + timedelta(hours=2)
    clock.set(lambda: later)
    try:
        with pytest.raises(roles.InviteInvalid) as expired:
            await roles.redeem_invite(db, telegram_id=8, code=invite.code)
        assert expired.value.reason == "expired"
    finally:
        clock.set(None)
    with pytest.raises(InvalidInput):
        await roles.redeem_invite(db, telegram_id=8, code="<script>")
    with pytest.raises(roles.InviteInvalid) as unknown:
        await roles.redeem_invite(db, telegram_id=8, code="AAAA-BBBB")
    assert unknown.value.reason == "unknown"
    assert await roles.get_officer(db, 8) is None
