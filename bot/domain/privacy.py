"""Personal data (Law of the Kyrgyz Republic "On personal information", 2008 No. 58): a resident sees
what the bot stores about them (:func:`my_data`) and can have their identity removed (:func:`erase_me`).

Erasure keeps what the person contributed and removes who they were: their name, username, Telegram id,
language, municipality, verification, conversation state, follows and pending messages go (and any
fact of a stored notice that is their name, e.g. a monitoring report's author, becomes null); their
problems, supports, ratings, questions and RSVPs stay, tied to an anonymous stub (a residents row with a
negative id and ``deleted_at`` set, migration 0008); their survey votes stay counted, tied to a second
stub so they cannot be linked to anything else. Officers' views never show a stub's name (it has none),
and the hall list drops their RSVP's consent. A person who writes again afterwards starts afresh as a new
resident (their own row is gone). Officers keep their role's accountability: an active officer (or a
superadmin) cannot erase themselves; once revoked they are a resident again and can.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.db import Database, Transaction
from bot.domain.clock import now_db
from bot.domain.errors import DomainError, NotFound
from bot.domain.text import clean_user_text
from bot.store import officers as officers_store
from bot.store import privacy as store


class ErasureRefused(DomainError):
    """The person cannot be erased while they hold a role; the subclass says which."""


class OfficerMustBeRevoked(ErasureRefused):
    """An active officer asked to be erased: the role must be revoked by a superadmin first (what they did
    as an officer stays accountable while they hold it)."""


class SuperadminCannotErase(ErasureRefused):
    """A superadmin (``SUPERADMIN_IDS``) asked to be erased: they are configured, not registered."""


@dataclass(frozen=True)
class PersonalData:
    """What the bot stores about one resident (read from the database).

    ``name`` is first and last name as Telegram gave them ("" when none), ``username`` without ``@``;
    ``locale`` ``ky``/``ru`` or ``None``; ``municipality_code`` a SOATE code or ``None``; ``verified``
    ``'phone'``, ``'code'`` or ``None``; ``joined_at`` UTC ISO text; the rest are counts of rows.
    """

    name: str
    username: str | None
    language_code: str | None
    locale: str | None
    municipality_code: str | None
    joined_at: str
    verified: str | None
    problems: int
    supports: int
    ballots: int
    rsvps: int
    questions: int
    proposals: int
    service_supports: int
    ratings: int
    follows: int
    officer: bool


async def my_data(db: Database, telegram_id: int) -> PersonalData:
    """What is stored about this resident (two statements).

    Raises:
        NotFound: no such resident (never wrote to the bot, or erased).
    """
    row = await store.summary(db, telegram_id)
    if row is None:
        raise NotFound("resident")
    name = " ".join(p for p in (row["first_name"], row["last_name"]) if p and p.strip())
    return PersonalData(
        name=name, username=row["username"], language_code=row["language_code"], locale=row["locale"],
        municipality_code=row["municipality_code"], joined_at=str(row["joined_at"]),
        verified=row["verified_method"], problems=int(row["problems"]), supports=int(row["supports"]),
        ballots=int(row["ballots"]), rsvps=int(row["rsvps"]), questions=int(row["questions"]),
        proposals=int(row["proposals"]), service_supports=int(row["service_supports"]),
        ratings=int(row["ratings"]), follows=int(row["follows"]),
        officer=await officers_store.officer_by_id(db, telegram_id) is not None,
    )


def _forget_cached(tx: Transaction, telegram_id: int) -> None:
    """After the commit, drop the person from this process's resident and role caches, so their next
    update creates a new resident."""

    def forget() -> None:
        residents = tx.cache.get("residents")
        if residents is not None:
            residents.pop(telegram_id, None)
        tx.cache.pop("officers", None)

    tx.after_commit.append(forget)


async def _identifiers(tx: Transaction, telegram_id: int) -> set[str]:
    """The person's name as other features may have copied it into a notice: the full name as Telegram
    gave it and as shown (controls removed), the first name, the username with and without ``@``."""
    row = await store.summary(tx, telegram_id)
    if row is None:
        return set()
    first, last, username = row["first_name"] or "", row["last_name"] or "", row["username"] or ""
    full = " ".join(p for p in (first, last) if p.strip())
    found = {full, clean_user_text(full), first, username, "@" + username if username else ""}
    return {value for value in found if len(value.strip()) >= 2}


def _scrubbed(value: Any, names: set[str]) -> Any:
    if isinstance(value, str):
        return None if value in names else value
    if isinstance(value, list):
        return [_scrubbed(v, names) for v in value]
    if isinstance(value, dict):
        return {k: _scrubbed(v, names) for k, v in value.items()}
    return value


async def _scrub_notices(tx: Transaction, names: set[str]) -> None:
    """Queued and sent notices keep their facts (a monitoring report's author for the officers, say): every
    fact that IS the person's name becomes ``null`` (a text that merely contains it is left alone)."""
    for name in sorted(names):
        for row in await store.broadcasts_mentioning(tx, name):
            try:
                content = json.loads(row["content"])
            except ValueError:
                continue
            cleaned = _scrubbed(content, names)
            if cleaned != content:
                await store.set_broadcast_content(tx, int(row["id"]), json.dumps(cleaned, ensure_ascii=False))


async def check_erasable(db: Database, *, telegram_id: int, superadmins: frozenset[int]) -> None:
    """Whether the person may ask for erasure now (before the confirmation is shown).

    Raises:
        SuperadminCannotErase, OfficerMustBeRevoked: as :func:`erase_me`.
    """
    if telegram_id in superadmins:
        raise SuperadminCannotErase("superadmin")
    if await officers_store.officer_by_id(db, telegram_id) is not None:
        raise OfficerMustBeRevoked("officer")


async def erase_me(db: Database, *, telegram_id: int, superadmins: frozenset[int]) -> int:
    """Remove the person's identity in one transaction (see the module's docstring); returns the id of
    their anonymous stub.

    Raises:
        SuperadminCannotErase: ``telegram_id`` is a superadmin.
        OfficerMustBeRevoked: the person is an officer now.
        NotFound: no such resident (already erased: a second tap on the confirmation).
    """
    if telegram_id in superadmins:
        raise SuperadminCannotErase("superadmin")
    now = now_db()
    async with db.transaction() as tx:
        if await store.summary(tx, telegram_id) is None:
            raise NotFound("resident")
        if await officers_store.officer_by_id(tx, telegram_id) is not None:
            raise OfficerMustBeRevoked("officer")
        await _scrub_notices(tx, await _identifiers(tx, telegram_id))
        stub = await store.next_stub_id(tx)
        await store.insert_stub(tx, stub, now)
        await store.insert_stub(tx, stub - 1, now)
        await store.erase(tx, telegram_id, stub_id=stub, ballot_stub_id=stub - 1, at=now)
        _forget_cached(tx, telegram_id)
    return stub
