"""The municipal registry of services (ru МРУ): entries, statuses, followers, proposals, ratings.

Rules and where they come from (../shared/domain.md, "The municipal registry of services"):

* Law of 17 July 2014 No. 139 and Government decree No. 302 (2014): a **basic registry** the same
  everywhere and an **additional list** per municipality approved by its council (resolution,
  ky токтом). An entry ("service passport") has a name, provider (ayil okmotu, municipal
  enterprise or outsourced), recipients, free or paid with the tariff, the standard, which
  registry, the approving resolution number and date.
* Statuses (design decision of this project): ``proposed → under_consideration → approved →
  included``, then ``suspended`` / ``excluded``; side exit ``rejected`` with a mandatory reason
  (:data:`TRANSITIONS`). Every creation, status change and edit is kept in ``service_events``.
* Residents initiate services (often for vulnerable groups); other residents support them; the
  measure reported by the source presentation is "129 initiated, 64 approved" (:func:`overview`).
* Ratings 1–5 with an optional comment, at most once per resident per calendar quarter in
  Asia/Bishkek, only on ``included`` services; officers see averages and comments, never who.
* Officers act only on their own municipality: every officer function calls
  :func:`~bot.domain.officers.require_officer` with the entry's municipality inside its transaction.
* Followers are told of status changes only through :func:`bot.domain.outbox.enqueue`, in the
  transaction of the change. The caller passes a ``render`` function that builds the ky/ru
  :class:`~bot.domain.outbox.Content` (the domain does not import the i18n/aiogram layer).

The starter catalogue (``bot/resources/municipal_services_examples.csv``) is copied into a
municipality on first use (:func:`ensure_seeded`), not at migration: 484 × 14 rows nobody may open.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.db import Database, Transaction
from bot.domain import DomainError, InvalidInput, NotFound
from bot.domain.clock import clock, now_db
from bot.domain.officers import require_officer
from bot.domain.outbox import Audience, Content, enqueue
from bot.domain.text import clean_user_text

CATALOGUE_PATH = Path(__file__).resolve().parent.parent / "resources" / "municipal_services_examples.csv"
BISHKEK = ZoneInfo("Asia/Bishkek")
"""Quarters for ratings are calendar quarters in Kyrgyzstan's zone (UTC+6, no DST)."""

AREAS: tuple[str, ...] = (
    "information", "water", "waste", "lighting", "education", "leisure", "culture", "sport",
    "social", "youth", "maintenance", "transport", "utilities", "other",
)
"""Service areas: those of the starter catalogue plus ``other``."""

REGISTRIES = ("basic", "additional")
PROVIDER_KINDS = ("ayil_okmotu", "municipal_enterprise", "outsourced")
GROUPS = ("disabilities", "elderly", "single_parent", "other")
"""Vulnerable groups a resident may propose on behalf of (design decision, from the source presentation)."""

STATUSES = ("proposed", "under_consideration", "approved", "included", "suspended", "excluded", "rejected")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "proposed": ("under_consideration", "rejected"),
    "under_consideration": ("approved", "rejected"),
    "approved": ("included", "rejected"),
    "included": ("suspended", "excluded"),
    "suspended": ("included", "excluded"),
    "excluded": ("included",),
    "rejected": ("under_consideration",),
}
"""Allowed moves (design decision): a rejected proposal may be taken up again, an excluded
service re-included; nothing skips the council's approval."""

SUPPORTABLE = ("proposed", "under_consideration")
APPROVED_OR_LATER = ("approved", "included", "suspended", "excluded")

NAME_MIN, NAME_MAX = 3, 150
DESCRIPTION_MAX = 1000
RECIPIENTS_MAX = 300
PROVIDER_MAX = 150
TARIFF_MAX = 200
STANDARD_MAX = 600
COMMENT_MAX = 500
REASON_MIN = 3
RESOLUTION_NUMBER_MAX = 30
"""Text bounds in characters. They keep a whole card under Telegram's 4,096-character message limit."""


class InvalidTransition(DomainError):
    """The entry is not in a status from which ``to_status`` can be reached (or the move is stale)."""

    def __init__(self, current: str, target: str) -> None:
        super().__init__(f"{current} -> {target}")
        self.current = current
        self.target = target


class NameRequired(InvalidInput):
    """An entry must keep a name in at least one language (name_ky or name_ru)."""


class ReasonRequired(DomainError):
    """Rejecting needs a reason of at least :data:`REASON_MIN` characters."""


class NotSupportable(DomainError):
    """Only proposals (``proposed``/``under_consideration``) can be supported."""


class OwnProposal(DomainError):
    """The proposer cannot support their own proposal (they are counted as its author)."""


class AlreadyDone(DomainError):
    """Supported / rated already (UNIQUE constraint)."""


class NotRateable(DomainError):
    """Only ``included`` services can be rated."""


@dataclass(frozen=True)
class Service:
    """One registry entry as stored (see migrations/0005_registry.sql for the columns)."""

    id: int
    municipality_code: str
    name_ky: str
    name_ru: str
    description_ky: str
    description_ru: str
    area: str
    registry: str
    provider_kind: str
    provider_name: str
    recipients: str
    paid: bool
    tariff: str
    standard: str
    resolution_number: str
    resolution_date: str | None
    status: str
    rejection_reason: str | None
    origin: str
    proposed_by: int | None
    on_behalf_of: str | None
    confirmed: bool
    created_at: str
    updated_at: str
    cost_set: bool = False
    """An officer has edited the cost (``paid`` or ``tariff``) since the entry was created: a
    resident's proposal has no cost until then (the stored ``paid = 0`` is only the column default)."""
    provider_set: bool = False
    """An officer has edited the provider (``provider_kind`` or ``provider_name``) since creation."""

    @property
    def details_pending(self) -> bool:
        """A resident's proposal not yet decided (proposed, under consideration or rejected): its
        cost and provider are shown only when an officer has set them (:attr:`cost_set`,
        :attr:`provider_set`); the column defaults ("free", "ayil okmotu") were never asked."""
        return self.origin == "resident" and self.status in ("proposed", "under_consideration", "rejected")

    def name(self, locale: str) -> str:
        """The name in ``locale``, else the other language's (either may be empty)."""
        own, other = (self.name_ky, self.name_ru) if locale == "ky" else (self.name_ru, self.name_ky)
        return own or other

    def description(self, locale: str) -> str:
        """The description in ``locale``, else the other language's, else ``""``."""
        own, other = (self.description_ky, self.description_ru) if locale == "ky" else (
            self.description_ru, self.description_ky)
        return own or other


@dataclass(frozen=True)
class Event:
    """One line of an entry's history: ``kind`` created|status|edited, who (role and id), when (UTC text)."""

    kind: str
    from_status: str | None
    to_status: str | None
    actor_id: int | None
    actor_role: str
    comment: str
    at: str


@dataclass(frozen=True)
class Overview:
    """Counts for an officer: entries by status, and the residents' initiative measure.

    ``initiated``: entries proposed by residents; ``approved``: of those, how many reached
    ``approved`` or later; ``included``: how many are (or were) included.
    """

    by_status: dict[str, int]
    initiated: int
    approved: int
    included: int
    followers: int


@dataclass(frozen=True)
class RatingSummary:
    """Ratings of one service: average (``None`` without ratings), count, and comments (text, quarter)."""

    average: float | None
    count: int
    comments: list[tuple[str, str]]


_COLUMNS = (
    "id, municipality_code, name_ky, name_ru, description_ky, description_ru, area, registry, provider_kind,"
    " provider_name, recipients, paid, tariff, standard, resolution_number, resolution_date, status,"
    " rejection_reason, origin, proposed_by, on_behalf_of, confirmed, created_at, updated_at"
)



def _decided(table: str) -> str:
    """Extra SELECT columns ``cost_set``, ``provider_set`` (0/1) for the services row ``table``:
    whether an officer's edit event (its comment lists the changed field names) touched them."""
    edited = f"SELECT 1 FROM service_events e WHERE e.service_id = {table}.id AND e.kind = 'edited' AND "
    return (f", EXISTS ({edited}(e.comment LIKE '%paid%' OR e.comment LIKE '%tariff%')) AS cost_set"
            f", EXISTS ({edited}e.comment LIKE '%provider%') AS provider_set")


def _service(row) -> Service:
    data = dict(row)
    data["paid"] = bool(data["paid"])
    data["confirmed"] = bool(data["confirmed"])
    for key in ("cost_set", "provider_set"):
        data[key] = bool(data.get(key))
    return Service(**data)


# -- text bounds ------------------------------------------------------------------------------


def check_text(text: str | None, *, limit: int, minimum: int = 0) -> str:
    """Clean a typed text (:func:`clean_user_text`) and check its length in characters.

    Raises:
        InvalidInput: shorter than ``minimum`` or longer than ``limit`` (``limit``/``actual`` set;
            ``limit`` is ``minimum`` when too short).
    """
    value = clean_user_text((text or "").replace("\u2028", "\n").replace("\u2029", "\n"))
    if len(value) > limit:
        raise InvalidInput("too long", limit=limit, actual=len(value))
    if len(value) < minimum:
        raise InvalidInput("too short", limit=minimum, actual=len(value))
    return value


def quarter_of(moment: datetime) -> str:
    """Calendar quarter in Asia/Bishkek: ``2026-12-31T19:00Z`` (01:00 on 1 January in Bishkek) → ``2027Q1``."""
    local = moment.astimezone(BISHKEK)
    return f"{local.year}Q{(local.month - 1) // 3 + 1}"


def next_quarter_start(moment: datetime) -> date:
    """First day of the quarter after the one ``moment`` falls in (Asia/Bishkek)."""
    local = moment.astimezone(BISHKEK)
    month = ((local.month - 1) // 3 + 1) * 3 + 1
    return date(local.year + (month > 12), (month - 1) % 12 + 1, 1)


# -- catalogue ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def load_catalogue(path: Path = CATALOGUE_PATH) -> tuple[tuple[str, str, str], ...]:
    """Rows ``(name_ru, name_ky, area)`` of the starter catalogue (``name_ky`` empty when not attested).

    Raises:
        ValueError: a row names an area not in :data:`AREAS`.
    """
    rows = []
    with path.open(encoding="utf-8-sig", newline="") as fp:
        for row in csv.DictReader(fp):
            area = row["area"].strip()
            if area not in AREAS:
                raise ValueError(f"{path.name}: unknown area {area!r}")
            rows.append((row["name_ru"].strip(), (row.get("name_ky") or "").strip(), area))
    return tuple(rows)


async def ensure_seeded(db: Database, municipality_code: str) -> int:
    """Copy the starter catalogue into the municipality's registry the first time it is opened.

    Entries enter the basic registry as ``included``, provided by the ayil okmotu, marked
    unconfirmed until an officer edits them. Idempotent and safe under concurrency (one row in
    ``registry_seeded`` per municipality). Returns the number of entries created (0 if seeded before).

    Raises:
        NotFound: no such municipality.
    """
    if await db.fetchval("SELECT 1 FROM registry_seeded WHERE municipality_code = ?", (municipality_code,)):
        return 0
    catalogue = load_catalogue()
    async with db.transaction() as tx:
        if not await tx.fetchval("SELECT 1 FROM municipalities WHERE code = ?", (municipality_code,)):
            raise NotFound("municipality")
        now = now_db()
        inserted = await tx.execute(
            "INSERT OR IGNORE INTO registry_seeded (municipality_code, seeded_at) VALUES (?, ?)",
            (municipality_code, now),
        )
        if not inserted:
            return 0
        for name_ru, name_ky, area in catalogue:
            service_id = await tx.insert(
                "INSERT INTO services (municipality_code, name_ky, name_ru, area, registry, status, origin, confirmed,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, 'basic', 'included', 'catalogue', 0, ?, ?)",
                (municipality_code, name_ky, name_ru, area, now, now),
            )
            await tx.execute(
                "INSERT INTO service_events (service_id, kind, to_status, actor_role, at)"
                " VALUES (?, 'created', 'included', 'system', ?)",
                (service_id, now),
            )
    return len(catalogue)


# -- reading ------------------------------------------------------------------------------------


async def get_service(db: Database | Transaction, service_id: int) -> Service | None:
    """The entry with this id, or ``None``."""
    row = await db.fetchone(f"SELECT {_COLUMNS}{_decided('services')} FROM services WHERE id = ?", (service_id,))
    return None if row is None else _service(row)


async def service_in(db: Database | Transaction, service_id: int, municipality_code: str | None) -> Service:
    """The entry if it belongs to ``municipality_code``.

    Raises:
        NotFound: no such entry, or it belongs to another municipality (a crafted or stale button).
    """
    service = await get_service(db, service_id)
    if service is None or municipality_code is None or service.municipality_code != municipality_code:
        raise NotFound("service")
    return service


async def area_counts(db: Database, municipality_code: str) -> dict[str, int]:
    """Number of entries per area in the municipality (areas without entries are left out), in :data:`AREAS` order."""
    rows = await db.fetchall(
        "SELECT area, count(*) AS n FROM services WHERE municipality_code = ? GROUP BY area", (municipality_code,)
    )
    counts = {row["area"]: row["n"] for row in rows}
    return {area: counts[area] for area in AREAS if counts.get(area)}


async def list_services(
    db: Database, municipality_code: str, *, area: str | None = None, statuses: Sequence[str] = (),
    offset: int = 0, limit: int = 8,
) -> tuple[list[Service], int]:
    """A page of the municipality's entries (by area and/or any of ``statuses``), ordered by id; and the total."""
    where, params = ["municipality_code = ?"], [municipality_code]
    if area is not None:
        where.append("area = ?")
        params.append(area)
    if statuses:
        where.append(f"status IN ({', '.join('?' for _ in statuses)})")
        params.extend(statuses)
    clause = " AND ".join(where)
    total = await db.fetchval(f"SELECT count(*) FROM services WHERE {clause}", params)
    rows = await db.fetchall(
        f"SELECT {_COLUMNS}{_decided('services')} FROM services WHERE {clause} ORDER BY id LIMIT ? OFFSET ?",
        [*params, limit, max(offset, 0)]
    )
    return [_service(r) for r in rows], int(total)


async def history(db: Database, service_id: int, *, limit: int = 5) -> list[Event]:
    """The latest ``limit`` events of an entry, oldest first."""
    rows = await db.fetchall(
        "SELECT kind, from_status, to_status, actor_id, actor_role, comment, at FROM service_events"
        " WHERE service_id = ? ORDER BY id DESC LIMIT ?",
        (service_id, limit),
    )
    return [Event(**dict(r)) for r in reversed(rows)]


async def support_count(db: Database, service_id: int) -> int:
    """Residents who supported the proposal (the proposer not counted)."""
    return int(await db.fetchval("SELECT count(*) FROM service_supports WHERE service_id = ?", (service_id,)))


async def follower_count(db: Database, service_id: int) -> int:
    """Residents following the entry."""
    return int(await db.fetchval("SELECT count(*) FROM service_followers WHERE service_id = ?", (service_id,)))


async def is_following(db: Database, resident_id: int, service_id: int) -> bool:
    """Whether the resident follows the entry."""
    return bool(await db.fetchval(
        "SELECT 1 FROM service_followers WHERE service_id = ? AND resident_id = ?", (service_id, resident_id)))


async def has_supported(db: Database, resident_id: int, service_id: int) -> bool:
    """Whether the resident supported the proposal."""
    return bool(await db.fetchval(
        "SELECT 1 FROM service_supports WHERE service_id = ? AND resident_id = ?", (service_id, resident_id)))


async def followed_services(
    db: Database, resident_id: int, municipality_code: str, *, offset: int = 0, limit: int = 8
) -> tuple[list[Service], int]:
    """A page of the entries of ``municipality_code`` the resident follows, and the total."""
    total = await db.fetchval(
        "SELECT count(*) FROM service_followers f JOIN services s ON s.id = f.service_id"
        " WHERE f.resident_id = ? AND s.municipality_code = ?", (resident_id, municipality_code))
    rows = await db.fetchall(
        f"SELECT {', '.join('s.' + c.strip() for c in _COLUMNS.split(','))}{_decided('s')} FROM service_followers f"
        " JOIN services s ON s.id = f.service_id WHERE f.resident_id = ? AND s.municipality_code = ?"
        " ORDER BY f.created_at DESC, s.id LIMIT ? OFFSET ?",
        (resident_id, municipality_code, limit, max(offset, 0)),
    )
    return [_service(r) for r in rows], int(total)


# -- residents ----------------------------------------------------------------------------------


async def _resident_municipality(tx: Transaction, resident_id: int) -> str:
    code = await tx.fetchval("SELECT municipality_code FROM residents WHERE telegram_id = ?", (resident_id,))
    if code is None:
        raise NotFound("resident or municipality")
    return code


async def follow(db: Database, *, resident_id: int, service_id: int) -> bool:
    """Follow an entry of the resident's own municipality. Returns ``False`` if already following.

    Raises:
        NotFound: no such entry in the resident's municipality.
    """
    async with db.transaction() as tx:
        await service_in(tx, service_id, await _resident_municipality(tx, resident_id))
        return bool(await tx.execute(
            "INSERT OR IGNORE INTO service_followers (service_id, resident_id, created_at) VALUES (?, ?, ?)",
            (service_id, resident_id, now_db())))


async def unfollow(db: Database, *, resident_id: int, service_id: int) -> bool:
    """Stop following. Returns ``False`` if the resident was not following (any municipality: harmless)."""
    async with db.transaction() as tx:
        return bool(await tx.execute(
            "DELETE FROM service_followers WHERE service_id = ? AND resident_id = ?", (service_id, resident_id)))


@dataclass(frozen=True)
class Proposal:
    """A resident's draft: what is needed (``name``), details, for whom, group, area, written in ``locale``."""

    name: str
    description: str
    recipients: str
    on_behalf_of: str | None
    area: str
    locale: str


def check_proposal(proposal: Proposal) -> Proposal:
    """Validate and clean every field of a proposal.

    Raises:
        InvalidInput: a text out of bounds (``limit``/``actual`` set) or an unknown group/area/locale.
    """
    if proposal.area not in AREAS or proposal.locale not in ("ky", "ru"):
        raise InvalidInput("area or locale")
    if proposal.on_behalf_of is not None and proposal.on_behalf_of not in GROUPS:
        raise InvalidInput("group")
    return Proposal(
        name=check_text(proposal.name, limit=NAME_MAX, minimum=NAME_MIN),
        description=check_text(proposal.description, limit=DESCRIPTION_MAX),
        recipients=check_text(proposal.recipients, limit=RECIPIENTS_MAX),
        on_behalf_of=proposal.on_behalf_of,
        area=proposal.area,
        locale=proposal.locale,
    )


async def propose(
    db: Database, *, resident_id: int, proposal: Proposal,
    render: Callable[[Service], Content] | None = None,
) -> Service:
    """A resident proposes a new service for their municipality: it enters the additional list as
    ``proposed``, the proposer follows it, and (when ``render`` is given) the municipality's
    officers are told through the outbox in the same transaction.

    Texts are stored in the language the resident wrote them in (``proposal.locale``).

    Raises:
        InvalidInput: see :func:`check_proposal`.
        NotFound: the resident has no municipality.
    """
    p = check_proposal(proposal)
    async with db.transaction() as tx:
        code = await _resident_municipality(tx, resident_id)
        now = now_db()
        names = (p.name, "") if p.locale == "ky" else ("", p.name)
        descriptions = (p.description, "") if p.locale == "ky" else ("", p.description)
        service_id = await tx.insert(
            "INSERT INTO services (municipality_code, name_ky, name_ru, description_ky, description_ru, area, registry,"
            " recipients, status, origin, proposed_by, on_behalf_of, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, 'additional', ?, 'proposed', 'resident', ?, ?, ?, ?)",
            (code, *names, *descriptions, p.area, p.recipients, resident_id, p.on_behalf_of, now, now),
        )
        await tx.execute(
            "INSERT INTO service_events (service_id, kind, to_status, actor_id, actor_role, at)"
            " VALUES (?, 'created', 'proposed', ?, 'resident', ?)", (service_id, resident_id, now))
        await tx.execute(
            "INSERT INTO service_followers (service_id, resident_id, created_at) VALUES (?, ?, ?)",
            (service_id, resident_id, now))
        service = await get_service(tx, service_id)
        assert service is not None
        if render is not None:
            officers = [r[0] for r in await tx.fetchall(
                "SELECT telegram_id FROM officers WHERE municipality_code = ?", (code,))]
            if officers:
                await enqueue(tx, kind="service_proposed", audience=Audience.residents(officers),
                              content=render(service), municipality_code=code)
    return service


async def support(db: Database, *, resident_id: int, service_id: int) -> int:
    """Support a proposal of the resident's municipality; the supporter also follows it.

    Returns the new number of supports.

    Raises:
        NotFound: no such entry in the resident's municipality.
        NotSupportable: it is not a proposal under way.
        OwnProposal: the resident proposed it.
        AlreadyDone: supported before.
    """
    async with db.transaction() as tx:
        service = await service_in(tx, service_id, await _resident_municipality(tx, resident_id))
        if service.status not in SUPPORTABLE:
            raise NotSupportable(service.status)
        if service.proposed_by == resident_id:
            raise OwnProposal()
        now = now_db()
        added = await tx.execute(
            "INSERT OR IGNORE INTO service_supports (service_id, resident_id, created_at) VALUES (?, ?, ?)",
            (service_id, resident_id, now))
        if not added:
            raise AlreadyDone("support")
        await tx.execute(
            "INSERT OR IGNORE INTO service_followers (service_id, resident_id, created_at) VALUES (?, ?, ?)",
            (service_id, resident_id, now))
        return int(await tx.fetchval("SELECT count(*) FROM service_supports WHERE service_id = ?", (service_id,)))


async def rated_this_quarter(db: Database, resident_id: int, service_id: int) -> bool:
    """Whether the resident already rated the service in the current quarter."""
    return bool(await db.fetchval(
        "SELECT 1 FROM service_ratings WHERE service_id = ? AND resident_id = ? AND quarter = ?",
        (service_id, resident_id, quarter_of(clock.now()))))


async def rate(db: Database, *, resident_id: int, service_id: int, score: int, comment: str = "") -> str:
    """Rate an included service of the resident's municipality, 1–5 with an optional comment.

    Returns the quarter (``2026Q4``) the rating counts for.

    Raises:
        NotFound: no such entry in the resident's municipality.
        NotRateable: the service is not ``included``.
        InvalidInput: score outside 1–5, or comment over :data:`COMMENT_MAX`.
        AlreadyDone: rated in this quarter already (see :func:`next_quarter_start`).
    """
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise InvalidInput("score", limit=5, actual=score if isinstance(score, int) else None)
    comment = check_text(comment, limit=COMMENT_MAX)
    quarter = quarter_of(clock.now())
    async with db.transaction() as tx:
        service = await service_in(tx, service_id, await _resident_municipality(tx, resident_id))
        if service.status != "included":
            raise NotRateable(service.status)
        added = await tx.execute(
            "INSERT OR IGNORE INTO service_ratings (service_id, resident_id, quarter, score, comment, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)", (service_id, resident_id, quarter, score, comment, now_db()))
        if not added:
            raise AlreadyDone("rating")
    return quarter


# -- officers -----------------------------------------------------------------------------------


async def move_status(
    db: Database, *, officer_id: int, service_id: int, to_status: str, comment: str = "",
    expected_status: str | None = None,
    render: Callable[[Service, str, str], Content] | None = None,
) -> tuple[Service, int | None]:
    """An officer moves an entry of their municipality to ``to_status`` with a comment.

    The change is recorded in the history and, when ``render(service, from_status, comment)`` is
    given, the entry's followers are notified through the outbox in the same transaction (each in
    their own language; residents who blocked the bot are not queued).

    Args:
        expected_status: the status the officer saw; if it changed meanwhile, the move is refused
            (two officers, or a double tap on an old button).
    Returns:
        the updated entry and the broadcast id (``None`` without ``render``).
    Raises:
        NotFound: no such entry.
        PermissionDenied: not an officer of the entry's municipality (nothing changes).
        InvalidTransition: ``to_status`` is not reachable from the current status.
        ReasonRequired: rejecting without a reason of at least :data:`REASON_MIN` characters.
        InvalidInput: comment over :data:`COMMENT_MAX`.
    """
    comment = check_text(comment, limit=COMMENT_MAX)
    if to_status == "rejected" and len(comment) < REASON_MIN:
        raise ReasonRequired()
    async with db.transaction() as tx:
        service = await get_service(tx, service_id)
        if service is None:
            raise NotFound("service")
        await require_officer(db, officer_id, service.municipality_code)
        current = service.status
        if to_status not in TRANSITIONS.get(current, ()) or (expected_status and expected_status != current):
            raise InvalidTransition(current, to_status)
        now = now_db()
        await tx.execute(
            "UPDATE services SET status = ?, rejection_reason = ?, updated_at = ? WHERE id = ?",
            (to_status, comment if to_status == "rejected" else None, now, service_id))
        await tx.execute(
            "INSERT INTO service_events (service_id, kind, from_status, to_status, actor_id, actor_role, comment, at)"
            " VALUES (?, 'status', ?, ?, ?, 'officer', ?, ?)", (service_id, current, to_status, officer_id, comment, now))
        updated = await get_service(tx, service_id)
        assert updated is not None
        broadcast_id = None
        if render is not None:
            followers = [r[0] for r in await tx.fetchall(
                "SELECT resident_id FROM service_followers WHERE service_id = ? ORDER BY resident_id", (service_id,))]
            if followers:
                broadcast_id = await enqueue(
                    tx, kind="service_status", audience=Audience.residents(followers),
                    content=render(updated, current, comment), municipality_code=service.municipality_code,
                    sender_id=officer_id)
    return updated, broadcast_id


EDITABLE = {
    "name_ky": NAME_MAX, "name_ru": NAME_MAX, "description_ky": DESCRIPTION_MAX, "description_ru": DESCRIPTION_MAX,
    "provider_name": PROVIDER_MAX, "recipients": RECIPIENTS_MAX, "tariff": TARIFF_MAX, "standard": STANDARD_MAX,
    "resolution_number": RESOLUTION_NUMBER_MAX,
}
"""Text fields an officer may edit, with their bounds in characters."""


def _check_fields(fields: dict[str, object]) -> dict[str, object]:
    clean: dict[str, object] = {}
    for key, value in fields.items():
        if key in ("name_ky", "name_ru"):
            # a name may be cleared ("" — the other language's name is shown), never made 1–2 letters
            text = check_text(str(value or ""), limit=EDITABLE[key])
            clean[key] = text if not text else check_text(text, limit=NAME_MAX, minimum=NAME_MIN)
        elif key in EDITABLE:
            clean[key] = check_text(str(value or ""), limit=EDITABLE[key])
        elif key == "area" and value in AREAS:
            clean[key] = value
        elif key == "registry" and value in REGISTRIES:
            clean[key] = value
        elif key == "provider_kind" and value in PROVIDER_KINDS:
            clean[key] = value
        elif key == "paid" and isinstance(value, bool):
            clean[key] = int(value)
        elif key == "resolution_date" and (value is None or isinstance(value, date)):
            clean[key] = value.isoformat() if isinstance(value, date) else None
        else:
            raise InvalidInput(f"field {key!r}")
    return clean


async def add_service(
    db: Database, *, officer_id: int, name: str, locale: str, area: str, registry: str,
    provider_kind: str = "ayil_okmotu", provider_name: str = "", paid: bool = False, tariff: str = "",
    status: str = "included",
) -> Service:
    """An officer adds an entry to their own municipality's registry (``origin = 'officer'``).

    ``name`` is stored in ``locale``; the other name can be added later with :func:`edit_service`.

    Raises:
        PermissionDenied: not an officer.
        InvalidInput: a text out of bounds or an unknown area/registry/provider/status.
    """
    if locale not in ("ky", "ru") or status not in STATUSES or status == "rejected":
        raise InvalidInput("locale or status")
    name = check_text(name, limit=NAME_MAX, minimum=NAME_MIN)
    fields = _check_fields({"area": area, "registry": registry, "provider_kind": provider_kind,
                            "provider_name": provider_name, "paid": paid, "tariff": tariff})
    if len(fields) != 6:
        raise InvalidInput("area, registry or provider kind")
    async with db.transaction() as tx:
        officer = await require_officer(db, officer_id)
        now = now_db()
        service_id = await tx.insert(
            "INSERT INTO services (municipality_code, name_ky, name_ru, area, registry, provider_kind, provider_name,"
            " paid, tariff, status, origin, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'officer', ?, ?)",
            (officer.municipality_code, name if locale == "ky" else "", name if locale == "ru" else "", area, registry,
             provider_kind, fields["provider_name"], int(paid), fields["tariff"], status, now, now))
        await tx.execute(
            "INSERT INTO service_events (service_id, kind, to_status, actor_id, actor_role, at)"
            " VALUES (?, 'created', ?, ?, 'officer', ?)", (service_id, status, officer_id, now))
        service = await get_service(tx, service_id)
    assert service is not None
    return service


async def edit_service(db: Database, *, officer_id: int, service_id: int, **fields: object) -> Service:
    """An officer edits fields of an entry of their municipality (see :data:`EDITABLE`, plus ``area``,
    ``registry``, ``provider_kind``, ``paid`` (bool), ``resolution_date`` (date or None)).

    The edit is recorded in the history (the changed field names) and marks a catalogue copy as confirmed.

    Raises:
        NotFound: no such entry.
        PermissionDenied: not an officer of the entry's municipality.
        InvalidInput: unknown field, bad value, or a text out of bounds (``limit``/``actual``; a
            non-empty name shorter than :data:`NAME_MIN` has ``limit == NAME_MIN``).
        NameRequired: the edit would leave the entry without a name in both languages.
    """
    clean = _check_fields(fields)
    if not clean:
        raise InvalidInput("nothing to change")
    async with db.transaction() as tx:
        service = await get_service(tx, service_id)
        if service is None:
            raise NotFound("service")
        await require_officer(db, officer_id, service.municipality_code)
        names = (clean.get("name_ky", service.name_ky), clean.get("name_ru", service.name_ru))
        if not any(names):
            raise NameRequired("a service needs a name in at least one language", limit=NAME_MIN, actual=0)
        now = now_db()
        assignments = ", ".join(f"{key} = ?" for key in clean)
        await tx.execute(
            f"UPDATE services SET {assignments}, confirmed = 1, updated_at = ? WHERE id = ?",
            (*clean.values(), now, service_id))
        await tx.execute(
            "INSERT INTO service_events (service_id, kind, actor_id, actor_role, comment, at)"
            " VALUES (?, 'edited', ?, 'officer', ?, ?)", (service_id, officer_id, ", ".join(sorted(clean)), now))
        updated = await get_service(tx, service_id)
    assert updated is not None
    return updated


async def overview(db: Database, *, officer_id: int) -> Overview:
    """Counts for the officer's municipality (seeding its catalogue first if never opened).

    Raises:
        PermissionDenied: not an officer.
    """
    officer = await require_officer(db, officer_id)
    code = officer.municipality_code
    await ensure_seeded(db, code)
    rows = await db.fetchall(
        "SELECT status, count(*) AS n FROM services WHERE municipality_code = ? GROUP BY status", (code,))
    counts = {row["status"]: row["n"] for row in rows}
    initiated = await db.fetchval(
        "SELECT count(*) FROM services WHERE municipality_code = ? AND origin = 'resident'", (code,))
    approved = await db.fetchval(
        "SELECT count(DISTINCT s.id) FROM services s JOIN service_events e ON e.service_id = s.id"
        " WHERE s.municipality_code = ? AND s.origin = 'resident' AND e.kind = 'status' AND e.to_status = 'approved'",
        (code,))
    included = await db.fetchval(
        "SELECT count(DISTINCT s.id) FROM services s JOIN service_events e ON e.service_id = s.id"
        " WHERE s.municipality_code = ? AND s.origin = 'resident' AND e.kind = 'status' AND e.to_status = 'included'",
        (code,))
    followers = await db.fetchval(
        "SELECT count(DISTINCT f.resident_id) FROM service_followers f JOIN services s ON s.id = f.service_id"
        " WHERE s.municipality_code = ?", (code,))
    return Overview({s: counts.get(s, 0) for s in STATUSES}, int(initiated), int(approved), int(included),
                    int(followers))


async def rating_summary(db: Database, *, officer_id: int, service_id: int, comments: int = 10) -> RatingSummary:
    """Average, count and the latest ``comments`` comments of a service's ratings, without who gave them.

    Raises:
        NotFound: no such entry.
        PermissionDenied: not an officer of the entry's municipality.
    """
    service = await get_service(db, service_id)
    if service is None:
        raise NotFound("service")
    await require_officer(db, officer_id, service.municipality_code)
    row = await db.fetchone("SELECT avg(score) AS a, count(*) AS n FROM service_ratings WHERE service_id = ?",
                            (service_id,))
    texts = await db.fetchall(
        "SELECT comment, quarter FROM service_ratings WHERE service_id = ? AND comment != ''"
        " ORDER BY created_at DESC, id DESC LIMIT ?", (service_id, comments))
    return RatingSummary(row["a"], int(row["n"]), [(r["comment"], r["quarter"]) for r in texts])


EXPORT_COLUMNS = (
    "id", "name_ky", "name_ru", "description_ky", "description_ru", "area", "registry", "provider_kind",
    "provider_name", "recipients", "paid", "tariff", "standard", "resolution_number", "resolution_date", "status",
    "rejection_reason", "origin", "on_behalf_of", "supports", "followers", "rating_average", "ratings",
    "created_at", "updated_at",
)


async def export_rows(db: Database, *, officer_id: int) -> list[dict[str, object]]:
    """The officer's municipality registry, one dict per entry with :data:`EXPORT_COLUMNS`
    (machine values: status/area codes, ``paid`` 0/1, ``None`` for missing). No resident ids.

    Raises:
        PermissionDenied: not an officer.
    """
    officer = await require_officer(db, officer_id)
    await ensure_seeded(db, officer.municipality_code)
    rows = await db.fetchall(
        f"SELECT {', '.join('s.' + c.strip() for c in _COLUMNS.split(','))},"
        " (SELECT count(*) FROM service_supports x WHERE x.service_id = s.id) AS supports,"
        " (SELECT count(*) FROM service_followers x WHERE x.service_id = s.id) AS followers,"
        " (SELECT round(avg(score), 2) FROM service_ratings x WHERE x.service_id = s.id) AS rating_average,"
        " (SELECT count(*) FROM service_ratings x WHERE x.service_id = s.id) AS ratings"
        " FROM services s WHERE s.municipality_code = ? ORDER BY s.id", (officer.municipality_code,))
    return [{c: row[c] for c in EXPORT_COLUMNS} for row in rows]


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """Keep spreadsheet programs from running a cell as a formula (CSV injection, OWASP): a text
    starting with = + - @, a tab or a carriage return gets a leading apostrophe. Numbers pass."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(header: Sequence[object], rows: Sequence[Sequence[object]]) -> bytes:
    """CSV bytes as officers open them in Excel with ru/ky regional settings: UTF-8 with a BOM,
    ``;``-separated (the comma is the decimal sign there), CRLF, every text cell :func:`spreadsheet_safe`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([spreadsheet_safe(c) for c in header])
    for row in rows:
        writer.writerow(["" if c is None else spreadsheet_safe(c) for c in row])
    return buffer.getvalue().encode("utf-8-sig")


async def export_csv(db: Database, *, officer_id: int, headers: Sequence[str] | None = None) -> bytes:
    """The registry as machine-readable CSV (:func:`write_csv`; codes, not labels), header
    :data:`EXPORT_COLUMNS` or ``headers`` (same length). Officers get the localized file from
    :func:`bot.ui.registry.registry_csv`.

    Raises:
        PermissionDenied: not an officer.
    """
    rows = await export_rows(db, officer_id=officer_id)
    header = list(headers) if headers and len(headers) == len(EXPORT_COLUMNS) else list(EXPORT_COLUMNS)
    return write_csv(header, [[row[c] for c in EXPORT_COLUMNS] for row in rows])


# -- priority problems linked to services (issue 7, item 4a) ----------------------------------------

LINKED_PROBLEMS_SHOWN = 5
_CLOSED_PROBLEM_STATUSES = ("solved", "rejected", "duplicate")


@dataclass(frozen=True)
class LinkedProblem:
    """An open priority problem linked to a service: id (#), its text (``None`` for a voice problem), supports."""

    id: int
    text: str | None
    supports: int
    status: str


async def link_problem(db: Database, *, officer_id: int, service_id: int, problem_id: int) -> bool:
    """An officer links a priority problem to the registry service it concerns (both of their municipality).

    Returns ``False`` when the link existed already.

    Raises:
        NotFound: no such entry, or no such (visible) problem in the entry's municipality.
        PermissionDenied: not an officer of the entry's municipality.
    """
    async with db.transaction() as tx:
        service = await get_service(tx, service_id)
        if service is None:
            raise NotFound("service")
        await require_officer(db, officer_id, service.municipality_code)
        if not await tx.fetchval(
            "SELECT 1 FROM problems WHERE id = ? AND municipality_code = ? AND hidden = 0",
            (problem_id, service.municipality_code),
        ):
            raise NotFound("problem")
        return bool(await tx.execute(
            "INSERT OR IGNORE INTO service_problem_links (service_id, problem_id, linked_by, linked_at)"
            " VALUES (?, ?, ?, ?)", (service_id, problem_id, officer_id, now_db())))


async def unlink_problem(db: Database, *, officer_id: int, service_id: int, problem_id: int) -> bool:
    """Remove a link. Returns ``False`` when there was none.

    Raises:
        NotFound: no such entry.
        PermissionDenied: not an officer of the entry's municipality.
    """
    async with db.transaction() as tx:
        service = await get_service(tx, service_id)
        if service is None:
            raise NotFound("service")
        await require_officer(db, officer_id, service.municipality_code)
        return bool(await tx.execute(
            "DELETE FROM service_problem_links WHERE service_id = ? AND problem_id = ?", (service_id, problem_id)))


async def linked_open_problems(db: Database, service_id: int, *, limit: int = LINKED_PROBLEMS_SHOWN
                               ) -> tuple[list[LinkedProblem], int]:
    """The open (not solved/rejected/duplicate, not hidden) problems linked to a service, most
    supported first, and how many there are."""
    where = (f"l.service_id = ? AND p.hidden = 0 AND p.status NOT IN "
             f"({', '.join('?' for _ in _CLOSED_PROBLEM_STATUSES)})")
    params = (service_id, *_CLOSED_PROBLEM_STATUSES)
    total = await db.fetchval(
        f"SELECT count(*) FROM service_problem_links l JOIN problems p ON p.id = l.problem_id WHERE {where}", params)
    rows = await db.fetchall(
        f"SELECT p.id, p.text, p.supports, p.status FROM service_problem_links l JOIN problems p ON p.id = l.problem_id"
        f" WHERE {where} ORDER BY p.supports DESC, p.id DESC LIMIT ?", (*params, limit))
    return [LinkedProblem(r["id"], r["text"], r["supports"], r["status"]) for r in rows], int(total)
