"""Citizens' budget proposals: an action-plan item proposed for the local budget at a budget hearing,
then the council's decision (issue 15, point 2; ../shared/domain.md, steps 4 and 5).

* One pending proposal per item; a decided one may be followed by a new one (next year's budget).
* The decision: ``accepted`` with an amount, ``partly`` with a smaller amount, ``rejected`` with a
  reason (at least :data:`~.model.REASON_MIN` characters); always the council resolution's number and date.
* Proposing moves the item's problems forward to "at the public hearing"; an accepted or partly
  accepted proposal to "in the local budget". Followers are told each time.
* "Changes made to the local budget on citizens' proposals" is the number of accepted or partly
  accepted proposals (:mod:`.figures`), counted from these rows, never typed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.db import Database
from bot.domain.clock import now_db
from bot.domain.errors import InvalidInput
from bot.domain.plans import audit, notices
from bot.domain.plans.errors import NoPendingProposal, ProposalPending
from bot.domain.plans.items import _tell, advance_problems, officer_item
from bot.domain.plans.model import DECISIONS, MONEY_MAX, REASON_MAX, REASON_MIN, RESOLUTION_MAX, Proposal
from bot.domain.plans.rules import check_text
from bot.domain.errors import NotFound
from bot.store import plans as store


async def budget_hearings(db: Database, municipality_code: str) -> list[dict[str, Any]]:
    """Budget hearings of the municipality a proposal can be made at, newest first
    (``id, topic, title_ky, title_ru, starts_at, status``)."""
    return [dict(r) for r in await store.budget_hearings(db, municipality_code)]


async def propose(db: Database, *, officer_id: int, item_id: int, requested: int,
                  hearing_id: int | None = None) -> Proposal:
    """An officer records that the item was proposed for the local budget (at ``hearing_id``).

    Raises:
        ItemNotFound, NotAnOfficer, WrongMunicipality. ProposalPending: one waits for a decision already.
        InvalidInput: the amount is not 1..MONEY_MAX. NotFound: the hearing is not one of the municipality.
    """
    if not 0 < requested <= MONEY_MAX:
        raise InvalidInput("amount", limit=MONEY_MAX, actual=requested)
    async with db.transaction() as tx:
        item = await officer_item(db, tx, officer_id, item_id)
        latest = await store.latest_proposal(tx, item.id)
        if latest is not None and latest.decision is None:
            raise ProposalPending("a proposal waits for the council")
        hearing: dict[str, Any] | None = None
        if hearing_id is not None:
            row = await store.hearing_in(tx, hearing_id, item.municipality_code)
            if row is None:
                raise NotFound("hearing", id=hearing_id)
            hearing = next((h for h in await budget_hearings(db, item.municipality_code) if h["id"] == hearing_id), None)
        now = now_db()
        proposal = await store.insert_proposal(tx, item_id=item.id, municipality_code=item.municipality_code,
                                               hearing_id=hearing_id, requested=requested, proposed_by=officer_id,
                                               at=now)
        await advance_problems(tx, await store.problems_of(tx, item.id), "at_hearing", actor_id=officer_id,
                               comment=item.title, at=now)
        await audit.record(tx, officer_id, "plan.propose", municipality_code=item.municipality_code, kind="plan_item",
                           target_id=item.id, details={"proposal": proposal.id, "hearing": hearing_id,
                                                       "requested": requested})
        await _tell(tx, item, officer_id, notices.proposed(item, proposal, hearing))
    return proposal


async def decide(db: Database, *, officer_id: int, item_id: int, decision: str, amount: int | None,
                 reason: str, resolution_number: str, resolution_date: date) -> Proposal:
    """An officer records the council's decision on the item's pending proposal.

    Raises:
        ItemNotFound, NotAnOfficer, WrongMunicipality. NoPendingProposal: nothing waits for a decision.
        InvalidInput: unknown decision; an amount missing, over the request for ``partly``, or given for
        ``rejected``. TextTooShort/TextTooLong: the reason of a rejection, the resolution number.
    """
    if decision not in DECISIONS:
        raise InvalidInput("decision")
    number = check_text(resolution_number, limit=RESOLUTION_MAX, minimum=1)
    reason = check_text(reason, limit=REASON_MAX, minimum=REASON_MIN if decision == "rejected" else 0)
    if decision == "rejected":
        amount = None
    elif amount is None or not 0 < amount <= MONEY_MAX:
        raise InvalidInput("amount", limit=MONEY_MAX, actual=amount)
    async with db.transaction() as tx:
        item = await officer_item(db, tx, officer_id, item_id)
        pending = await store.latest_proposal(tx, item.id)
        if pending is None or pending.decision is not None:
            raise NoPendingProposal("nothing waits for a decision")
        if decision == "partly" and amount is not None and amount >= pending.requested:
            raise InvalidInput("partly: less than requested", limit=pending.requested, actual=amount)
        now = now_db()
        decided = await store.decide_proposal(tx, pending.id, decision=decision, amount=amount, reason=reason,
                                              resolution_number=number, resolution_date=resolution_date.isoformat(),
                                              decided_by=officer_id, at=now)
        if decided is None:
            raise NoPendingProposal("decided meanwhile")
        if decision != "rejected":
            await advance_problems(tx, await store.problems_of(tx, item.id), "in_budget", actor_id=officer_id,
                                   comment=item.title, at=now)
        await audit.record(tx, officer_id, "plan.decide", municipality_code=item.municipality_code, kind="plan_item",
                           target_id=item.id, details={"proposal": decided.id, "decision": decision, "amount": amount,
                                                       "resolution": number})
        await _tell(tx, item, officer_id, notices.decided(item, decided))
    return decided
