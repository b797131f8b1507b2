"""The officer role: staff of an ayil okmotu / town hall acting for ONE municipality.

Only superadmins (``SUPERADMIN_IDS``) grant and revoke the role, directly by command or through a
one-time invite code they hand to the future officer. Every grant and revocation is recorded in
``officer_events`` and never deleted. Every officer action elsewhere is checked with
:func:`require_officer` against the officer's own municipality.
"""

from __future__ import annotations

import secrets
import sqlite3
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.db import Database, Transaction
from bot.domain import audit
from bot.domain.errors import DomainError, InvalidInput, NotAnOfficer, NotFound, NotSuperadmin, WrongMunicipality
from bot.domain.clock import clock, now_db, to_db
from bot.store import municipalities as municipalities_store
from bot.store import officers as store
from bot.store import residents as residents_store

INVITE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""Invite code letters: no 0/O, 1/I, so a code can be read aloud or copied from paper."""
INVITE_LENGTH = 8


class NotAnInviteCode(InvalidInput):
    """The text cannot be an invite code: not :data:`INVITE_LENGTH` characters of :data:`INVITE_ALPHABET`
    (after :func:`normalize_invite_code`)."""


class InviteInvalid(DomainError):
    """A well-formed invite code that cannot be redeemed; the subclass says why."""


class InviteUnknown(InviteInvalid):
    """No invite has this code (mistyped, or never issued)."""


class InviteUsed(InviteInvalid):
    """The invite was already redeemed (by anyone: codes are single-use)."""


class InviteExpired(InviteInvalid):
    """The invite's ``expires_at`` has passed (``ttl_hours`` after :func:`create_invite`)."""


class OfficerNotFound(NotFound):
    """The person (``id``, a Telegram id) is not an officer, so there is no role to revoke."""


class NotRegistered(DomainError):
    """The person (``telegram_id``) has never written to the bot, so there is no resident to make an officer."""

    def __init__(self, telegram_id: int) -> None:
        super().__init__(f"{telegram_id} has not started the bot")
        self.telegram_id = telegram_id


@dataclass(frozen=True)
class Officer:
    """An officer: Telegram id and the SOATE code of the one municipality they act for."""

    telegram_id: int
    municipality_code: str
    granted_at: str


@dataclass(frozen=True)
class Invite:
    """A one-time officer invite. ``code`` is 8 characters; ``expires_at`` is UTC ISO text."""

    code: str
    municipality_code: str
    expires_at: str


def normalize_invite_code(text: str) -> str:
    """Upper-case and drop spaces/dashes, so "k7qm-4xpd" and "K7QM 4XPD" are the same code."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def format_invite_code(code: str) -> str:
    """Show an 8-character code in two groups, ``K7QM-4XPD``, for reading aloud."""
    return f"{code[:4]}-{code[4:]}" if len(code) == INVITE_LENGTH else code


def _officer(row: sqlite3.Row) -> Officer:
    return Officer(row["telegram_id"], row["municipality_code"], row["granted_at"])


def _roles(cache: dict[str, Any]) -> dict[int, Officer | None]:
    """Officer records (or ``None``: not an officer) read by this process, by Telegram id. Grants and
    revocations drop the whole map once they commit, so a revoked officer loses the role at once."""
    roles: dict[int, Officer | None] = cache.setdefault("officers", {})
    return roles


def _roles_changed(tx: Transaction) -> None:
    tx.after_commit.append(lambda: tx.cache.pop("officers", None))


async def get_officer(db: Database, telegram_id: int) -> Officer | None:
    """The officer record of this person, or ``None`` if they are not an officer (from memory after
    the first read; at most :data:`ROLES_CACHED` people are remembered)."""
    roles = _roles(db.cache)
    if telegram_id in roles:
        return roles[telegram_id]
    row = await store.officer_by_id(db, telegram_id)
    officer = None if row is None else _officer(row)
    if len(roles) >= ROLES_CACHED:
        roles.clear()
    roles[telegram_id] = officer
    return officer


ROLES_CACHED = 100_000
"""People whose role is remembered per database before the map starts over."""


async def require_officer(db: Database, telegram_id: int, municipality_code: str | None = None) -> Officer:
    """The officer record, checked on the server.

    Raises:
        NotAnOfficer: not an officer.
        WrongMunicipality: an officer of another municipality than ``municipality_code``.
    """
    officer = await get_officer(db, telegram_id)
    if officer is None:
        raise NotAnOfficer("not an officer")
    if municipality_code is not None and officer.municipality_code != municipality_code:
        raise WrongMunicipality("officer of another municipality")
    return officer


def _require_superadmin(actor_id: int, superadmins: frozenset[int]) -> None:
    if actor_id not in superadmins:
        raise NotSuperadmin("not a superadmin")


async def _grant(tx: Transaction, *, telegram_id: int, municipality_code: str, actor_id: int, via: str,
                 invite_code: str | None) -> None:
    now = now_db()
    previous = await store.municipality_of(tx, telegram_id)
    if previous is not None and previous != municipality_code:
        await store.insert_event(tx, telegram_id=telegram_id, municipality_code=previous, action="revoke", via=via,
                                 actor_id=actor_id, invite_code=invite_code, at=now)
    _roles_changed(tx)
    await store.upsert_officer(tx, telegram_id, municipality_code, granted_by=actor_id, at=now)
    await store.insert_event(tx, telegram_id=telegram_id, municipality_code=municipality_code, action="grant",
                             via=via, actor_id=actor_id, invite_code=invite_code, at=now)


async def _require_municipality(tx: Transaction, municipality_code: str) -> None:
    if not await municipalities_store.is_active(tx, municipality_code):
        raise NotFound("municipality")


async def grant_officer(
    db: Database, *, actor_id: int, superadmins: frozenset[int], telegram_id: int, municipality_code: str
) -> Officer:
    """A superadmin makes a registered resident an officer of one municipality.

    Granting another municipality to an existing officer moves them (recorded as revoke + grant).

    Raises:
        NotSuperadmin: ``actor_id`` is not a superadmin.
        NotRegistered: the person has never written to the bot.
        NotFound: no active municipality with that SOATE code.
    """
    _require_superadmin(actor_id, superadmins)
    async with db.transaction() as tx:
        await _require_municipality(tx, municipality_code)
        if not await residents_store.resident_exists(tx, telegram_id):
            raise NotRegistered(telegram_id)
        await _grant(tx, telegram_id=telegram_id, municipality_code=municipality_code, actor_id=actor_id,
                     via="command", invite_code=None)
        await audit.record(tx, audit.Actor.superadmin(actor_id), "officer.grant", audit.Target("resident", telegram_id),
                           municipality_code=municipality_code)
    officer = await get_officer(db, telegram_id)
    assert officer is not None
    return officer


async def revoke_officer(db: Database, *, actor_id: int, superadmins: frozenset[int], telegram_id: int) -> Officer:
    """A superadmin takes the officer role away. Returns the record that was removed.

    Raises:
        NotSuperadmin: ``actor_id`` is not a superadmin.
        OfficerNotFound: the person is not an officer.
    """
    _require_superadmin(actor_id, superadmins)
    async with db.transaction() as tx:
        row = await store.delete_officer(tx, telegram_id)
        if row is None:
            raise OfficerNotFound("officer", id=telegram_id)
        _roles_changed(tx)
        await store.insert_event(tx, telegram_id=telegram_id, municipality_code=row["municipality_code"],
                                 action="revoke", via="command", actor_id=actor_id, invite_code=None, at=now_db())
        await audit.record(tx, audit.Actor.superadmin(actor_id), "officer.revoke", audit.Target("resident", telegram_id),
                           municipality_code=row["municipality_code"])
    return _officer(row)


async def create_invite(
    db: Database, *, actor_id: int, superadmins: frozenset[int], municipality_code: str, ttl_hours: int
) -> Invite:
    """A superadmin creates a one-time invite making its redeemer an officer of ``municipality_code``.

    The code is 8 characters from :data:`INVITE_ALPHABET` (32⁸ ≈ 10¹² codes) from :mod:`secrets`.

    Raises:
        NotSuperadmin: ``actor_id`` is not a superadmin.
        NotFound: no active municipality with that code.
    """
    _require_superadmin(actor_id, superadmins)
    expires = to_db(clock.now() + timedelta(hours=ttl_hours))
    async with db.transaction() as tx:
        await _require_municipality(tx, municipality_code)
        while True:
            code = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))
            if not await store.invite_code_taken(tx, code):
                break
        await store.insert_invite(tx, code, municipality_code, created_by=actor_id, at=now_db(), expires_at=expires)
        await audit.record(tx, audit.Actor.superadmin(actor_id), "officer.invite", audit.Target("municipality"),
                           municipality_code=municipality_code, details={"expires_at": expires})  # never the code
    return Invite(code, municipality_code, expires)


async def redeem_invite(db: Database, *, telegram_id: int, code: str) -> Officer:
    """A resident redeems an invite and becomes an officer of the invite's municipality.

    Redeeming is atomic: of two people racing with one code, exactly one wins.

    Raises:
        NotAnInviteCode: the text cannot be a code (wrong length or letters).
        InviteUnknown, InviteUsed, InviteExpired: no such code, already used, or expired.
    """
    normalized = normalize_invite_code(code)
    if len(normalized) != INVITE_LENGTH or any(ch not in INVITE_ALPHABET for ch in normalized):
        raise NotAnInviteCode("not an invite code")
    now = now_db()
    async with db.transaction() as tx:
        invite = await store.invite_by_code(tx, normalized)
        if invite is None:
            raise InviteUnknown("unknown invite code")
        if invite["used_by"] is not None:
            raise InviteUsed("invite already used")
        if invite["expires_at"] <= now:
            raise InviteExpired("invite expired")
        await store.use_invite(tx, normalized, telegram_id, now)
        await _grant(tx, telegram_id=telegram_id, municipality_code=invite["municipality_code"],
                     actor_id=invite["created_by"], via="invite", invite_code=normalized)
        await audit.record(tx, audit.Actor.officer(telegram_id), "officer.redeem", audit.Target("resident", telegram_id),
                           municipality_code=invite["municipality_code"])
    officer = await get_officer(db, telegram_id)
    assert officer is not None
    return officer


async def list_officers(db: Database, municipality_code: str) -> list[Officer]:
    """Officers of one municipality, oldest grant first."""
    return [_officer(r) for r in await store.officers_of(db, municipality_code)]


async def officer_history(db: Database, telegram_id: int) -> list[dict[str, Any]]:
    """All grant/revoke events of one person, oldest first, as dicts of the ``officer_events`` columns."""
    return [dict(r) for r in await store.events_of(db, telegram_id)]
