"""From priority to result: the vocabulary and records of joint action plans, budget proposals,
monitoring groups and local initiatives (issue 15; ../shared/domain.md, steps 3 and 5).

Labels are English msgids (``N_``) put into words by ``bot.ui.plans`` and ``bot.notices.plans`` in
the reader's language. Money is whole som (``int``); dates typed by officers are :class:`datetime.date`
(stored ``YYYY-MM-DD``); times are UTC ISO text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.i18n import N_, NC_

KINDS: dict[str, str] = {"plan": N_("Action plan item"), "initiative": N_("Local initiative")}
"""``plan``: an item of the joint action plan; ``initiative``: residents' own project with a community
contribution, recorded the same way with the initiative group responsible (issue 15, point 5)."""

RESPONSIBLE: dict[str, str] = {
    "ayil_okmotu": N_("Ayil okmotu"),
    "municipal_enterprise": N_("Municipal enterprise"),
    "initiative_group": N_("Initiative group of residents"),
}
"""Who carries an item out."""

SOURCES: dict[str, str] = {
    "local_budget": NC_("money source", "Local budget"),
    "residents_money": NC_("money source", "Residents' contribution in money"),
    "residents_labour": NC_("money source", "Residents' contribution in labour"),
    "donor": NC_("money source", "Donor"),
    "state": NC_("money source", "State"),
}
"""Where the money of an item comes from (labour is valued in som). Context "money source": "State"
is the state (мамлекет, государство), not a column "State" (абалы, состояние)."""

ITEM_STATUSES: dict[str, str] = {
    "planned": NC_("plan item status", "Planned"), "in_progress": NC_("plan item status", "In progress"),
    "done": NC_("plan item status", "Done"), "cancelled": NC_("plan item status", "Cancelled"),
}
"""An action plan item's status. Context "plan item status": "Done" is аткарылды / выполнено, not a
wizard's «Даяр» / «Готово» button."""

PROGRESS: dict[str, str] = {
    "on_schedule": N_("On schedule"), "delayed": N_("Delayed"), "stopped": N_("Stopped"),
}
"""A monitoring report's judgement of an item's progress."""

DECISIONS: dict[str, str] = {
    "accepted": NC_("budget decision", "Accepted"), "partly": NC_("budget decision", "Partly accepted"),
    "rejected": NC_("budget decision", "Rejected"),
}
"""The council's decision on a citizens' budget proposal. Context "budget decision": Russian agrees
with «предложение» (отклонено), unlike a problem's status (отклонена)."""

TITLE_MIN, TITLE_MAX = 5, 200
NAME_MAX = 200
"""Longest name of the responsible party (a municipal enterprise's name, the initiative group)."""
STEP_MAX = 200
REASON_MIN, REASON_MAX = 5, 500
NOTE_MAX = 1500
RESULT_MAX = 1500
RESOLUTION_MAX = 40
MONEY_MAX = 10_000_000_000
"""Largest amount of one source, som (10 billion: far above any municipal budget)."""
STEPS_MAX = 20
PROBLEMS_MAX = 10
PHOTOS_MAX = 3
INVITE_TTL_DAYS = 7
"""How long a monitoring-group invite code stays valid."""
YEARS = (2000, 2100)

# notice kinds (bot.notices.plans renders them)
ADDED = "plan.added"
CHANGED = "plan.changed"
PROPOSED = "plan.proposed"
DECIDED = "plan.decided"
REPORT_RESIDENTS = "plan.report"
REPORT_OFFICERS = "plan.report_officers"
ANSWERED = "plan.answered"
HIDDEN = "plan.report_hidden"


@dataclass(frozen=True)
class Step:
    """One step of an item: ``deadline`` a date; ``done_at`` UTC ISO text once done."""

    id: int
    item_id: int
    title: str
    deadline: date
    done_at: str | None = None


@dataclass(frozen=True)
class Money:
    """Money of one source of an item: ``planned`` and ``spent``, whole som."""

    source: str
    planned: int
    spent: int = 0


@dataclass(frozen=True)
class Item:
    """An action-plan item or a local initiative of ``municipality_code`` for ``year``."""

    id: int
    municipality_code: str
    year: int
    kind: str
    title: str
    responsible: str
    responsible_name: str
    status: str
    result: str
    created_by: int
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class Proposal:
    """A citizens' budget proposal: the item proposed at a budget hearing (``hearing_id``, may be
    ``None``) for ``requested`` som; the council's ``decision`` once taken (``amount`` accepted, the
    ``reason`` of a rejection, the resolution's number and date)."""

    id: int
    item_id: int
    municipality_code: str
    hearing_id: int | None
    requested: int
    proposed_at: str
    decision: str | None = None
    amount: int | None = None
    reason: str = ""
    resolution_number: str = ""
    resolution_date: date | None = None
    decided_at: str | None = None


@dataclass(frozen=True)
class ItemView:
    """Everything an item's card shows: the item, its problems (ids), steps, money, the latest budget
    proposal, the number of followers and of (visible) monitoring reports."""

    item: Item
    problems: list[int]
    steps: list[Step]
    money: list[Money]
    proposal: Proposal | None
    followers: int
    reports: int

    @property
    def planned(self) -> int:
        """Total planned money, som."""
        return sum(m.planned for m in self.money)

    @property
    def spent(self) -> int:
        """Total spent money, som."""
        return sum(m.spent for m in self.money)


@dataclass(frozen=True)
class Group:
    """A municipality's monitoring group: the council's regulation (number, date) and current members."""

    municipality_code: str
    regulation_number: str
    regulation_date: date | None
    members: int


@dataclass(frozen=True)
class Invite:
    """A one-time code that makes its redeemer a member of the municipality's monitoring group."""

    code: str
    municipality_code: str
    expires_at: str


@dataclass(frozen=True)
class Report:
    """A monitoring report. ``author_id`` is for officers only unless ``signed``; ``photos`` are
    file_ids of re-encoded copies without metadata."""

    id: int
    item_id: int
    municipality_code: str
    author_id: int
    progress: str
    note: str
    procurement: str
    photos: tuple[str, ...]
    signed: bool
    hidden: bool
    hidden_reason: str
    created_at: str
    answers: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class ExecutionLine:
    """One item in the report for the execution hearing."""

    item: Item
    steps_total: int
    steps_done: int
    planned: int
    spent: int
    accepted: int | None
    reports: int
    last_progress: str | None
    findings: list[str]


@dataclass(frozen=True)
class ExecutionReport:
    """What was planned and done in ``year``: the lines and their totals (som)."""

    municipality_code: str
    year: int
    lines: list[ExecutionLine]

    @property
    def planned(self) -> int:
        return sum(line.planned for line in self.lines)

    @property
    def spent(self) -> int:
        return sum(line.spent for line in self.lines)

    @property
    def done(self) -> int:
        return sum(1 for line in self.lines if line.item.status == "done")
