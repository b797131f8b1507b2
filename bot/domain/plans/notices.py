"""The facts of what the plans feature tells followers, officers and monitoring groups (rendered per
recipient language by ``bot.notices.plans``). Dates as ``YYYY-MM-DD``, money as whole som."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.domain.outbox import Notice
from bot.domain.plans.model import (
    ADDED,
    ANSWERED,
    CHANGED,
    DECIDED,
    HIDDEN,
    PROPOSED,
    REPORT_OFFICERS,
    REPORT_RESIDENTS,
    Item,
    ItemView,
    Proposal,
    Report,
    Step,
)

__all__ = ["ADDED", "ANSWERED", "CHANGED", "DECIDED", "HIDDEN", "PROPOSED", "REPORT_OFFICERS", "REPORT_RESIDENTS",
           "Notice"]


def _base(item: Item) -> dict[str, Any]:
    return {"item_id": item.id, "title": item.title, "year": item.year, "kind": item.kind}


def added(view: ItemView) -> Notice:
    """The item was put in the plan: its problems, steps with deadlines and money by source."""
    return Notice(ADDED, {**_base(view.item), "problems": view.problems, "responsible": view.item.responsible,
                          "steps": [[s.title, s.deadline.isoformat()] for s in view.steps],
                          "money": [[m.source, m.planned] for m in view.money if m.planned]})


def deadline_changed(item: Item, step: Step, new: date, reason: str) -> Notice:
    """A step's deadline moved from ``step.deadline`` to ``new`` for ``reason``."""
    return Notice(CHANGED, {**_base(item), "change": "deadline", "step": step.title, "old": step.deadline.isoformat(),
                            "new": new.isoformat(), "reason": reason})


def money_changed(item: Item, source: str, old: int, new: int, reason: str) -> Notice:
    """The planned money of ``source`` changed from ``old`` to ``new`` som for ``reason``."""
    return Notice(CHANGED, {**_base(item), "change": "money", "source": source, "old": old, "new": new,
                            "reason": reason})


def proposed(item: Item, proposal: Proposal, hearing: dict[str, Any] | None) -> Notice:
    """The item was proposed for the local budget (at a budget hearing: its titles and start)."""
    return Notice(PROPOSED, {**_base(item), "requested": proposal.requested, "hearing": hearing})


def decided(item: Item, proposal: Proposal) -> Notice:
    """The council decided on the proposal (decision, amount, reason, resolution number and date)."""
    return Notice(DECIDED, {**_base(item), "decision": proposal.decision, "amount": proposal.amount,
                            "requested": proposal.requested, "reason": proposal.reason,
                            "resolution_number": proposal.resolution_number,
                            "resolution_date": proposal.resolution_date.isoformat() if proposal.resolution_date else None})


def report(item: Item, rep: Report, *, author: str | None, for_officers: bool) -> Notice:
    """A monitoring report; ``author`` is the member's name — given to residents only when signed.
    The first photo (a re-encoded copy) goes with the message."""
    return Notice(REPORT_OFFICERS if for_officers else REPORT_RESIDENTS,
                  {**_base(item), "report_id": rep.id, "progress": rep.progress, "note": rep.note,
                   "procurement": rep.procurement, "photos": len(rep.photos), "author": author, "signed": rep.signed},
                  photo=rep.photos[0] if rep.photos else None)


def answered(item: Item, rep: Report, text: str) -> Notice:
    """An officer answered a report."""
    return Notice(ANSWERED, {**_base(item), "report_id": rep.id, "text": text})


def hidden(item: Item, rep: Report, reason: str) -> Notice:
    """An officer hid a report; the reason is told to the monitoring group."""
    return Notice(HIDDEN, {**_base(item), "report_id": rep.id, "reason": reason})
