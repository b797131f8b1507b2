"""Priority problems: the vocabulary (categories, statuses, the cycle), bounds and the records.

Rules come from ../shared/domain.md ("The participation cycle", "Problem statuses") and issue #4;
:mod:`bot.domain.problems` describes them. Labels are English msgids (``N_``), put into words by the
UI and the notices in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.clock import from_db
from bot.i18n import N_, NC_

CATEGORIES: dict[str, str] = {
    "water": N_("Water supply"),
    "roads": N_("Roads"),
    "irrigation": N_("Irrigation"),
    "schools": N_("Schools"),
    "kindergartens": N_("Kindergartens"),
    "health": N_("Health"),
    "lighting": N_("Street lighting"),
    "waste": N_("Waste"),
    "culture_sport": N_("Culture and sport"),
    "social": N_("Social support"),
    "safety": N_("Public safety"),
    "other": N_("Other"),
}
"""Category key → English msgid of its label (translate with ``_(label, locale=…)``)."""

CATEGORY_ICONS: dict[str, str] = {
    "water": "🚰", "roads": "🛣", "irrigation": "🌾", "schools": "🏫", "kindergartens": "🧸", "health": "🏥",
    "lighting": "💡", "waste": "🗑", "culture_sport": "⚽", "social": "🤝", "safety": "🛡", "other": "📌",
}

CHAIN: tuple[str, ...] = (
    "new", "under_review", "prioritized", "in_action_plan", "at_hearing", "in_budget", "in_progress", "solved",
)
"""The participation cycle, in order (design decision of this project, ../shared/domain.md)."""

STATUSES: dict[str, str] = {
    "new": NC_("problem status", "New"),
    "under_review": NC_("problem status", "Under review"),
    "prioritized": NC_("problem status", "Prioritized"),
    "in_action_plan": NC_("problem status", "In the joint action plan"),
    "at_hearing": NC_("problem status", "At the public hearing"),
    "in_budget": NC_("problem status", "In the local budget"),
    "in_progress": NC_("problem status", "In progress"),
    "solved": NC_("problem status", "Solved"),
    "rejected": NC_("problem status", "Rejected"),
    "duplicate": NC_("problem status", "Duplicate"),
}
"""Status key → its label (context "problem status": Russian agrees with «проблема», «Новая», «Отклонена»;
"Rejected" and "In progress" are also a budget decision's and a plan item's words). Translate with ``_(label)``."""

OPEN_STATUSES: tuple[str, ...] = CHAIN[:-1]
"""Statuses in which a problem is listed and can be supported."""

MAX_PHOTOS = 3
"""Photos one problem may carry (Telegram ``file_id`` values)."""
COMMENT_MAX = 500
"""Longest officer comment or reason, in characters."""
TARGET_MAX = 24
"""Longest typed problem number accepted by the "duplicate of" step, in characters ("#12", "№ 12")."""
THRESHOLD_RANGE = (1, 1000)
"""Bounds (inclusive) of the "still a problem" answers that reopen a solved problem."""
EXCERPT_LENGTH = 120
"""Characters of a problem text on a list card."""
NOTICE_EXCERPT_LENGTH = 80
"""Characters of a problem text in a notice."""


@dataclass(frozen=True)
class Problem:
    """A problem as stored. ``text`` is ``None`` for a voice problem; ``photos`` are file_ids;
    times are UTC ISO text (use :func:`bot.domain.clock.from_db`)."""

    id: int
    municipality_code: str
    author_id: int
    category: str
    text: str | None
    voice_file_id: str | None
    voice_duration: int | None
    photos: tuple[str, ...]
    latitude: float | None
    longitude: float | None
    status: str
    duplicate_of: int | None
    hidden: bool
    hidden_reason: str | None
    supports: int
    created_at: str
    updated_at: str

    @property
    def is_open(self) -> bool:
        """Listed and supportable: not hidden and not solved/rejected/duplicate."""
        return not self.hidden and self.status in OPEN_STATUSES

    @property
    def created(self) -> datetime:
        """When it was raised (aware UTC)."""
        return from_db(self.created_at)


@dataclass(frozen=True)
class ProblemEvent:
    """One row of a problem's history. ``actor_id`` is ``None`` for the system (a reopening);
    ``action`` is ``created``, ``status``, ``duplicate``, ``merged_in``, ``hidden`` or ``reopened``."""

    id: int
    problem_id: int
    actor_id: int | None
    action: str
    old_status: str | None
    new_status: str | None
    related_id: int | None
    comment: str | None
    at: str


@dataclass(frozen=True)
class SupportResult:
    """After a support or withdrawal: the problem as it is now; ``changed`` is ``False`` when the
    tap changed nothing (already supported / not supported)."""

    problem: Problem
    supporting: bool
    changed: bool


@dataclass(frozen=True)
class StillResult:
    """After a "still a problem?" answer: the problem now, the count of "still" answers for the
    current solved status, the threshold, and whether this answer reopened the problem."""

    problem: Problem
    still_count: int
    threshold: int
    reopened: bool


@dataclass(frozen=True)
class CardView:
    """What a person's card of a problem needs besides the problem: its history, whether they
    support it, may support it, and manage it as an officer of its municipality."""

    problem: Problem
    events: list[ProblemEvent]
    supporting: bool
    can_support: bool
    is_officer: bool

