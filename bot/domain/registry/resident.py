"""What residents do with the registry: follow an entry, propose a service, support a proposal, rate a service.

* Residents initiate services (often for vulnerable groups); other residents support them; the
  measure reported by the source presentation is "129 initiated, 64 approved" (see ``overview``).
* Ratings 1–5 with an optional comment, at most once per resident per calendar quarter in
  Asia/Bishkek, only on ``included`` services; officers see averages and comments, never who.
* Every action is on an entry of the resident's own municipality (checked in its transaction).
"""

from __future__ import annotations

from bot.db import Database, Transaction
from bot.domain.clock import clock, now_db
from bot.domain.errors import NotFound
from bot.domain.registry.errors import AlreadyRated, AlreadySupported, NotRateable, NotSupportable, OwnProposal
from bot.domain.registry.model import COMMENT_MAX, PROPOSED_KIND, SUPPORTABLE, Proposal, Service
from bot.domain.registry.notices import proposal_notice
from bot.domain.registry.queries import rated_this_quarter, service_in
from bot.domain.registry.rules import check_proposal, check_score, check_text, next_quarter_start, quarter_of
from bot.store import registry as store


async def _resident_municipality(tx: Transaction | Database, resident_id: int) -> str:
    code = await store.resident_municipality(tx, resident_id)
    if code is None:
        raise NotFound("resident or municipality")
    return code


async def follow(db: Database, *, resident_id: int, service_id: int) -> bool:
    """Follow an entry of the resident's own municipality. Returns ``False`` if already following.

    Raises:
        ServiceNotFound: no such entry in the resident's municipality.
    """
    async with db.transaction() as tx:
        await service_in(tx, service_id, await _resident_municipality(tx, resident_id))
        return await store.add_follower(tx, service_id, resident_id, at=now_db())


async def unfollow(db: Database, *, resident_id: int, service_id: int) -> bool:
    """Stop following. Returns ``False`` if the resident was not following (any municipality: harmless)."""
    async with db.transaction() as tx:
        return await store.remove_follower(tx, service_id, resident_id)


async def propose(db: Database, *, resident_id: int, proposal: Proposal) -> Service:
    """A resident proposes a new service for their municipality: it enters the additional list as
    ``proposed``, the proposer follows it, and the municipality's officers are told through the
    outbox (a ``service_proposed`` notice) in the same transaction.

    Texts are stored in the language the resident wrote them in (``proposal.locale``).

    Raises:
        TextTooLong, TextTooShort, InvalidInput: see :func:`~.rules.check_proposal`.
        NotFound: the resident has no municipality.
    """
    p = check_proposal(proposal)
    async with db.transaction() as tx:
        code = await _resident_municipality(tx, resident_id)
        now = now_db()
        names = (p.name, "") if p.locale == "ky" else ("", p.name)
        descriptions = (p.description, "") if p.locale == "ky" else ("", p.description)
        service = await store.insert_service(tx, {
            "municipality_code": code, "name_ky": names[0], "name_ru": names[1],
            "description_ky": descriptions[0], "description_ru": descriptions[1], "area": p.area,
            "registry": "additional", "recipients": p.recipients, "status": "proposed", "origin": "resident",
            "proposed_by": resident_id, "on_behalf_of": p.on_behalf_of, "created_at": now, "updated_at": now,
        })
        await store.insert_event(tx, service.id, kind="created", to_status="proposed", actor_id=resident_id,
                                 actor_role="resident", at=now)
        await store.add_follower(tx, service.id, resident_id, at=now)
        officers = await store.officer_ids_in(tx, code)
        if officers:  # as each officer chose (bot.domain.reach.alerts): at once, in the digest, or not
            from bot.domain.reach import alerts

            await alerts.raise_alert(tx, municipality_code=code, kind=alerts.SERVICE_PROPOSED,
                                     notice=proposal_notice(service), broadcast_kind=PROPOSED_KIND,
                                     summary={"title_ky": service.name_ky, "title_ru": service.name_ru,
                                              "ref": service.id})
    return service


async def support(db: Database, *, resident_id: int, service_id: int) -> int:
    """Support a proposal of the resident's municipality; the supporter also follows it.

    Returns the new number of supports.

    Raises:
        ServiceNotFound: no such entry in the resident's municipality.
        NotSupportable: it is not a proposal under way.
        OwnProposal: the resident proposed it.
        AlreadySupported: supported before.
    """
    async with db.transaction() as tx:
        service = await service_in(tx, service_id, await _resident_municipality(tx, resident_id))
        if service.status not in SUPPORTABLE:
            raise NotSupportable(service.status)
        if service.proposed_by == resident_id:
            raise OwnProposal()
        now = now_db()
        if not await store.add_support(tx, service_id, resident_id, at=now):
            raise AlreadySupported("support")
        await store.add_follower(tx, service_id, resident_id, at=now)
        return await store.count_supports(tx, service_id)


async def check_can_rate(db: Database, *, resident_id: int, service_id: int) -> Service:
    """The entry, if the resident may rate it now (before asking for a score).

    Raises:
        ServiceNotFound: no such entry in the resident's municipality.
        NotRateable: the service is not ``included``.
        AlreadyRated: rated in this quarter already.
    """
    service = await service_in(db, service_id, await _resident_municipality(db, resident_id))
    if service.status != "included":
        raise NotRateable(service.status)
    if await rated_this_quarter(db, resident_id, service.id):
        raise AlreadyRated(next_quarter_start(clock.now()))
    return service


async def rate(db: Database, *, resident_id: int, service_id: int, score: int, comment: str = "") -> str:
    """Rate an included service of the resident's municipality, 1–5 with an optional comment.

    Returns the quarter (``2026Q4``) the rating counts for.

    Raises:
        ServiceNotFound: no such entry in the resident's municipality.
        NotRateable: the service is not ``included``.
        NumberOutOfRange: score outside 1–5.
        TextTooLong: comment over :data:`~.model.COMMENT_MAX`.
        AlreadyRated: rated in this quarter already (``again_from``: :func:`~.rules.next_quarter_start`).
    """
    score = check_score(score)
    comment = check_text(comment, limit=COMMENT_MAX)
    now = clock.now()
    quarter = quarter_of(now)
    async with db.transaction() as tx:
        service = await service_in(tx, service_id, await _resident_municipality(tx, resident_id))
        if service.status != "included":
            raise NotRateable(service.status)
        if not await store.add_rating(tx, service_id, resident_id, quarter=quarter, score=score, comment=comment,
                                      at=now_db()):
            raise AlreadyRated(next_quarter_start(now))
    return quarter
