"""Reading the registry: entries, lists and counts, history, followers and supports, linked
problems, and the whole card a resident or an officer opens."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.db import Database, Transaction
from bot.domain.clock import clock
from bot.domain.registry.errors import ServiceNotFound
from bot.domain.registry.model import (
    AREAS,
    CLOSED_PROBLEM_STATUSES,
    LINKED_PROBLEMS_SHOWN,
    SUPPORTABLE,
    Event,
    LinkedProblem,
    RatingSummary,
    ResidentCard,
    Service,
)
from bot.domain.registry.rules import quarter_of

COLUMNS = (
    "id, municipality_code, name_ky, name_ru, description_ky, description_ru, area, registry, provider_kind,"
    " provider_name, recipients, paid, tariff, standard, resolution_number, resolution_date, status,"
    " rejection_reason, origin, proposed_by, on_behalf_of, confirmed, created_at, updated_at"
)
"""The ``services`` columns a :class:`~.model.Service` is made of."""


def decided(table: str) -> str:
    """Extra SELECT columns ``cost_set``, ``provider_set`` (0/1) for the services row ``table``:
    whether an officer's edit event (its comment lists the changed field names) touched them."""
    edited = f"SELECT 1 FROM service_events e WHERE e.service_id = {table}.id AND e.kind = 'edited' AND "
    return (f", EXISTS ({edited}(e.comment LIKE '%paid%' OR e.comment LIKE '%tariff%')) AS cost_set"
            f", EXISTS ({edited}e.comment LIKE '%provider%') AS provider_set")


def prefixed(alias: str) -> str:
    """:data:`COLUMNS` prefixed with a table alias (``s.id, s.municipality_code, …``)."""
    return ", ".join(f"{alias}.{c.strip()}" for c in COLUMNS.split(","))


def to_service(row: Any) -> Service:
    """A :class:`Service` from a row of :data:`COLUMNS` plus :func:`decided`."""
    data = dict(row)
    data["paid"] = bool(data["paid"])
    data["confirmed"] = bool(data["confirmed"])
    for key in ("cost_set", "provider_set"):
        data[key] = bool(data.get(key))
    return Service(**data)


async def get_service(db: Database | Transaction, service_id: int) -> Service | None:
    """The entry with this id, or ``None``."""
    row = await db.fetchone(f"SELECT {COLUMNS}{decided('services')} FROM services WHERE id = ?", (service_id,))
    return None if row is None else to_service(row)


async def service_in(db: Database | Transaction, service_id: int, municipality_code: str | None) -> Service:
    """The entry if it belongs to ``municipality_code``.

    Raises:
        ServiceNotFound: no such entry, or it belongs to another municipality (a crafted or stale button).
    """
    service = await get_service(db, service_id)
    if service is None or municipality_code is None or service.municipality_code != municipality_code:
        raise ServiceNotFound(service_id)
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
        f"SELECT {COLUMNS}{decided('services')} FROM services WHERE {clause} ORDER BY id LIMIT ? OFFSET ?",
        [*params, limit, max(offset, 0)]
    )
    return [to_service(r) for r in rows], int(total)


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
        f"SELECT {prefixed('s')}{decided('s')} FROM service_followers f"
        " JOIN services s ON s.id = f.service_id WHERE f.resident_id = ? AND s.municipality_code = ?"
        " ORDER BY f.created_at DESC, s.id LIMIT ? OFFSET ?",
        (resident_id, municipality_code, limit, max(offset, 0)),
    )
    return [to_service(r) for r in rows], int(total)


async def rated_this_quarter(db: Database, resident_id: int, service_id: int) -> bool:
    """Whether the resident already rated the service in the current quarter (Asia/Bishkek)."""
    return bool(await db.fetchval(
        "SELECT 1 FROM service_ratings WHERE service_id = ? AND resident_id = ? AND quarter = ?",
        (service_id, resident_id, quarter_of(clock.now()))))


async def ratings_of(db: Database, service_id: int, *, comments: int = 10) -> RatingSummary:
    """Average, count and the latest ``comments`` comments of a service's ratings, without who gave them."""
    row = await db.fetchone("SELECT avg(score) AS a, count(*) AS n FROM service_ratings WHERE service_id = ?",
                            (service_id,))
    assert row is not None  # an aggregate always returns one row
    texts = await db.fetchall(
        "SELECT comment, quarter FROM service_ratings WHERE service_id = ? AND comment != ''"
        " ORDER BY created_at DESC, id DESC LIMIT ?", (service_id, comments))
    return RatingSummary(row["a"], int(row["n"]), [(r["comment"], r["quarter"]) for r in texts])


async def linked_open_problems(db: Database, service_id: int, *, limit: int = LINKED_PROBLEMS_SHOWN
                               ) -> tuple[list[LinkedProblem], int]:
    """The open (not solved/rejected/duplicate, not hidden) problems linked to a service, most
    supported first, and how many there are."""
    where = (f"l.service_id = ? AND p.hidden = 0 AND p.status NOT IN "
             f"({', '.join('?' for _ in CLOSED_PROBLEM_STATUSES)})")
    params = (service_id, *CLOSED_PROBLEM_STATUSES)
    total = await db.fetchval(
        f"SELECT count(*) FROM service_problem_links l JOIN problems p ON p.id = l.problem_id WHERE {where}", params)
    rows = await db.fetchall(
        f"SELECT p.id, p.text, p.supports, p.status FROM service_problem_links l JOIN problems p ON p.id = l.problem_id"
        f" WHERE {where} ORDER BY p.supports DESC, p.id DESC LIMIT ?", (*params, limit))
    return [LinkedProblem(r["id"], r["text"], r["supports"], r["status"]) for r in rows], int(total)


async def resident_card(db: Database, *, resident_id: int, municipality_code: str | None,
                        service_id: int) -> ResidentCard:
    """Everything a resident's card of an entry of their municipality shows.

    Raises:
        ServiceNotFound: no such entry in ``municipality_code``.
    """
    service = await service_in(db, service_id, municipality_code)
    problems, total = await linked_open_problems(db, service.id)
    can_support = (service.status in SUPPORTABLE and service.proposed_by != resident_id
                   and not await has_supported(db, resident_id, service.id))
    return ResidentCard(
        service=service, events=await history(db, service.id), supports=await support_count(db, service.id),
        following=await is_following(db, resident_id, service.id), can_support=can_support,
        can_rate=service.status == "included", problems=problems, problems_total=total)
