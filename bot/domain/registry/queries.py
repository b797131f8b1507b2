"""Reading the registry: entries, lists and counts, history, followers and supports, linked
problems, and the whole card a resident or an officer opens."""

from __future__ import annotations

from collections.abc import Sequence

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
from bot.store import registry as store

async def get_service(db: Database | Transaction, service_id: int) -> Service | None:
    """The entry with this id, or ``None``."""
    return await store.service_by_id(db, service_id)


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
    counts = await store.count_by_area(db, municipality_code)
    return {area: counts[area] for area in AREAS if counts.get(area)}


async def list_services(
    db: Database, municipality_code: str, *, area: str | None = None, statuses: Sequence[str] = (),
    offset: int = 0, limit: int = 8,
) -> tuple[list[Service], int]:
    """A page of the municipality's entries (by area and/or any of ``statuses``), ordered by id; and the total."""
    return await store.services_page(db, municipality_code, area=area, statuses=statuses, offset=offset, limit=limit)


async def history(db: Database, service_id: int, *, limit: int = 5) -> list[Event]:
    """The latest ``limit`` events of an entry, oldest first."""
    return await store.events_of(db, service_id, limit=limit)


async def support_count(db: Database, service_id: int) -> int:
    """Residents who supported the proposal (the proposer not counted)."""
    return await store.count_supports(db, service_id)


async def follower_count(db: Database, service_id: int) -> int:
    """Residents following the entry."""
    return await store.count_followers(db, service_id)


async def is_following(db: Database, resident_id: int, service_id: int) -> bool:
    """Whether the resident follows the entry."""
    return await store.is_follower(db, service_id, resident_id)


async def has_supported(db: Database, resident_id: int, service_id: int) -> bool:
    """Whether the resident supported the proposal."""
    return await store.has_support(db, service_id, resident_id)


async def followed_services(
    db: Database, resident_id: int, municipality_code: str, *, offset: int = 0, limit: int = 8
) -> tuple[list[Service], int]:
    """A page of the entries of ``municipality_code`` the resident follows, and the total."""
    return await store.followed_page(db, resident_id=resident_id, municipality_code=municipality_code,
                                     offset=offset, limit=limit)


async def rated_this_quarter(db: Database, resident_id: int, service_id: int) -> bool:
    """Whether the resident already rated the service in the current quarter (Asia/Bishkek)."""
    return await store.has_rating(db, service_id, resident_id, quarter_of(clock.now()))


async def ratings_of(db: Database, service_id: int, *, comments: int = 10) -> RatingSummary:
    """Average, count and the latest ``comments`` comments of a service's ratings, without who gave them."""
    return await store.ratings_of(db, service_id, comments=comments)


async def linked_open_problems(db: Database, service_id: int, *, limit: int = LINKED_PROBLEMS_SHOWN
                               ) -> tuple[list[LinkedProblem], int]:
    """The open (not solved/rejected/duplicate, not hidden) problems linked to a service, most
    supported first, and how many there are."""
    return await store.linked_problems(db, service_id, closed=CLOSED_PROBLEM_STATUSES, limit=limit)


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
