"""The audit log (issue 13 item 5): every officer and superadmin action, recorded with who, what, when and
the municipality, in the SAME transaction as the action (an action that rolls back leaves no entry, an
entry never lacks its action).

Each officer use case calls :func:`record` inside its own transaction; exports (reads) call
:func:`record_alone`. Details are a small JSON object of ids, codes, statuses and numbers — never
residents' personal data (names, usernames, phone numbers, texts they wrote): :func:`record` refuses
keys that would carry them. The log cannot be edited from the bot (migration 0011: triggers refuse
UPDATE and DELETE; only the privacy erasure may replace a deleted person's id by their stub's).

Officers read their own municipality's entries, superadmins any (:func:`entries_for`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from bot.db import Database, Transaction
from bot.domain.clock import now_db
from bot.domain.errors import InvalidInput, NotAnOfficer, WrongMunicipality
from bot.store import audit as store
from bot.store import officers as officers_store
from bot.store.audit import AuditEntry

ACTIONS = frozenset({
    "problem.status", "problem.duplicate", "problem.hide", "problem.threshold", "problem.export",
    "survey.create", "survey.close", "survey.extend", "survey.delete", "survey.export",
    "hearing.create", "hearing.edit", "hearing.cancel", "hearing.outcome",
    "hearing.notice_days",
    "service.add", "service.edit", "service.status", "service.link", "service.unlink", "registry.export",
    "officer.grant", "officer.revoke", "officer.invite", "officer.redeem",
    "announcement.send", "municipality.name_ky", "verification.codes",
}) | frozenset({  # recorded by other features through their own helpers
    # action plans, budget and monitoring (bot.domain.plans.audit.CODES)
    "plan.item_create", "plan.deadline", "plan.money", "plan.spent", "plan.step_done", "plan.status",
    "plan.propose", "plan.decide", "plan.attach", "plan.export", "monitoring.regulation", "monitoring.invite",
    "monitoring.answer", "monitoring.hide",
    # linked chats (bot.domain.reach.links)
    "chat.link", "chat.unlink",
    # the officers' web app: an XLSX/CSV/PNG/PDF export (details: {"format": ...})
    "workspace.export",
})
"""Every action code the log knows (the chat view has a localized name for each, ``bot.ui.audit``).
A feature adding an officer action adds its code here and its name there."""

FORBIDDEN_KEYS = frozenset({"name", "first_name", "last_name", "username", "phone", "phone_number", "text",
                            "comment", "reason", "telegram_id"})
"""Detail keys that would carry personal data or residents' words; :func:`record` refuses them."""
DETAILS_MAX = 1000
"""Longest ``details`` JSON, in characters."""

ROLES = frozenset({"officer", "superadmin"})


@dataclass(frozen=True)
class Actor:
    """Who acted: their resident id (``residents.telegram_id``) and role (``'officer'``/``'superadmin'``)."""

    resident_id: int
    role: str = "officer"

    @classmethod
    def officer(cls, resident_id: int) -> Actor:
        """An officer acting for their municipality."""
        return cls(resident_id, "officer")

    @classmethod
    def superadmin(cls, resident_id: int) -> Actor:
        """A programme administrator (``SUPERADMIN_IDS``)."""
        return cls(resident_id, "superadmin")


@dataclass(frozen=True)
class Target:
    """What was acted on: ``kind`` (``'problem'``, ``'survey'``, ``'hearing'``, ``'service'``,
    ``'resident'``, ``'municipality'``, ``'broadcast'``…) and its id (``None`` for a municipality-wide
    setting, whose code is the entry's municipality)."""

    kind: str
    id: int | None = None


def _details(details: Mapping[str, object] | None) -> str:
    data = dict(details or {})
    bad = sorted(FORBIDDEN_KEYS & set(data))
    if bad:
        raise InvalidInput(f"audit details may not carry {', '.join(bad)}")
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    if len(text) > DETAILS_MAX:
        raise InvalidInput("audit details too long")
    return text


async def record(tx: Transaction, actor: Actor, action: str, target: Target | None = None, *,
                 municipality_code: str | None, details: Mapping[str, object] | None = None) -> int:
    """Append one entry in the caller's transaction; returns its id.

    Raises:
        InvalidInput: unknown ``action`` or role, details with a :data:`FORBIDDEN_KEYS` key or over
            :data:`DETAILS_MAX` (a programming error: the action rolls back with it).
    """
    if action not in ACTIONS:
        raise InvalidInput(f"unknown audit action {action!r}")
    if actor.role not in ROLES:
        raise InvalidInput(f"unknown audit role {actor.role!r}")
    return await store.insert_entry(
        tx, at=now_db(), actor_resident_id=actor.resident_id, actor_role=actor.role,
        municipality_code=municipality_code, action=action, target_kind=target.kind if target else None,
        target_id=target.id if target else None, details=_details(details))


async def record_alone(db: Database, actor: Actor, action: str, target: Target | None = None, *,
                       municipality_code: str | None, details: Mapping[str, object] | None = None) -> int:
    """:func:`record` in a transaction of its own, for an action that writes nothing else (an export)."""
    async with db.transaction() as tx:
        return await record(tx, actor, action, target, municipality_code=municipality_code, details=details)


PAGE_MAX = 100
"""Most entries one :func:`entries_for` call returns."""


async def entries_for(db: Database, *, reader_id: int, superadmins: frozenset[int], limit: int = 20,
                      before_id: int | None = None, municipality_code: str | None = None) -> list[AuditEntry]:
    """The entries a person may read, newest first: a superadmin any municipality's (``municipality_code``
    ``None``: all), an officer only their own municipality's (``municipality_code`` ``None`` means theirs).

    Raises:
        NotAnOfficer: neither an officer nor a superadmin.
        WrongMunicipality: an officer asking for another municipality's entries.
    """
    limit = max(1, min(int(limit), PAGE_MAX))
    if reader_id not in superadmins:
        own = await officers_store.municipality_of(db, reader_id)
        if own is None:
            raise NotAnOfficer("not an officer")
        if municipality_code is not None and municipality_code != own:
            raise WrongMunicipality("officer of another municipality")
        municipality_code = own
    return await store.list_entries(db, municipality_code, limit, before_id)
