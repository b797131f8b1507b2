"""The programme's figures, counted from the data (issue 15, point 6; ../shared/domain.md, "Scale and
numbers"): per municipality and nationally. Nothing here is typed by anyone: every number is a count
of rows (problems and supports, held hearings, council decisions, memberships, reports, items)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.db import Database
from bot.store import plans as store


@dataclass(frozen=True)
class Figures:
    """Counts for ``municipality_code`` (``None``: the whole country).

    ``residents``: residents who chose priority problems (raised or supported one);
    ``hearings``/``participants``: public hearings held and the participants recorded in their outcomes;
    ``budget_changes``/``budget_changes_som``: changes made to the local budget on citizens' proposals
    (council decisions "accepted" or "partly accepted") and their amount, som; ``proposals``: all proposals;
    ``members``: current monitoring-group members; ``monitored``: items with at least one visible
    monitoring report; ``initiatives``: local initiatives recorded; ``items``: action-plan items.
    """

    municipality_code: str | None
    residents: int
    hearings: int
    participants: int
    budget_changes: int
    budget_changes_som: int
    proposals: int
    members: int
    monitored: int
    initiatives: int
    items: int


async def figures(db: Database, municipality_code: str | None = None) -> Figures:
    """The figures of one municipality (its SOATE code) or, with ``None``, of the whole country.
    Read-only, one statement; safe for the workspace to call."""
    c = await store.figure_counts(db, municipality_code)
    return Figures(municipality_code, residents=c["residents"], hearings=c["hearings"], participants=c["participants"],
                   budget_changes=c["changes"], budget_changes_som=c["changes_som"], proposals=c["proposals"],
                   members=c["members"], monitored=c["monitored"], initiatives=c["initiatives"], items=c["items"])
