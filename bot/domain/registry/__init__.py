"""The municipal registry of services (ru МРУ): entries, statuses, followers, proposals, ratings.

Rules and where they come from: ../shared/domain.md, "The municipal registry of services".
The package by concern:

* :mod:`.model` — constants (areas, statuses and :data:`TRANSITIONS`, text bounds) and records;
* :mod:`.errors` — why an action is refused (explained in ``bot.ui.registry``);
* :mod:`.rules` — pure checks: text bounds, quarters, proposals, edits, typed numbers and dates (CSV: :mod:`bot.domain.spreadsheet`);
* :mod:`.catalogue` — the starter catalogue, seeded into a municipality on first use;
* :mod:`.queries` — reading entries, lists, history, the cards;
* :mod:`.resident` — follow, propose, support, rate;
* :mod:`.officer` — statuses, new entries and edits, linked problems, counts, export;
* :mod:`.notices` — the facts of what followers and officers are told (``bot.notices.registry``).

No aiogram and no presentation here: notices are queued as facts in the transaction of the change.
"""

from __future__ import annotations

from bot.domain.errors import AlreadyDone
from bot.domain.registry.catalogue import ensure_seeded, load_catalogue
from bot.domain.registry.errors import (
    AlreadyRated,
    AlreadySupported,
    BadProblemNumber,
    BadResolutionDate,
    InvalidTransition,
    NameRequired,
    NotRateable,
    NotSupportable,
    OwnProposal,
    ProblemNotFound,
    ReasonRequired,
    ServiceNotFound,
)
from bot.domain.registry.model import (
    APPROVED_OR_LATER,
    AREAS,
    BISHKEK,
    CATALOGUE_PATH,
    COMMENT_MAX,
    DESCRIPTION_MAX,
    EDITABLE,
    EXPORT_COLUMNS,
    GROUPS,
    LINKED_PROBLEMS_SHOWN,
    NAME_MAX,
    NAME_MIN,
    PROPOSED_KIND,
    PROVIDER_KINDS,
    PROVIDER_MAX,
    REASON_MIN,
    RECIPIENTS_MAX,
    REGISTRIES,
    RESOLUTION_NUMBER_MAX,
    STANDARD_MAX,
    STATUS_KIND,
    STATUSES,
    SUPPORTABLE,
    TARIFF_MAX,
    TRANSITIONS,
    Event,
    LinkedProblem,
    OfficerCard,
    Overview,
    Proposal,
    RatingSummary,
    ResidentCard,
    Service,
    StatusMoved,
)
from bot.domain.registry.notices import proposal_notice, status_notice
from bot.domain.registry.officer import (
    add_service,
    edit_service,
    export_csv,
    export_rows,
    link_problem,
    move_status,
    officer_card,
    overview,
    rating_summary,
    unlink_problem,
)
from bot.domain.registry.queries import (
    area_counts,
    follower_count,
    followed_services,
    get_service,
    has_supported,
    history,
    is_following,
    linked_open_problems,
    list_services,
    rated_this_quarter,
    resident_card,
    service_in,
    support_count,
)
from bot.domain.registry.resident import check_can_rate, follow, propose, rate, support, unfollow
from bot.domain.registry.rules import (
    CLEAR,
    check_fields,
    check_proposal,
    check_score,
    check_text,
    next_quarter_start,
    parse_edit_value,
    parse_problem_number,
    quarter_of,
)

__all__ = [
    "APPROVED_OR_LATER", "AREAS", "BISHKEK", "CATALOGUE_PATH", "CLEAR", "COMMENT_MAX", "DESCRIPTION_MAX",
    "EDITABLE", "EXPORT_COLUMNS", "GROUPS", "LINKED_PROBLEMS_SHOWN", "NAME_MAX", "NAME_MIN", "PROPOSED_KIND",
    "PROVIDER_KINDS", "PROVIDER_MAX", "REASON_MIN", "RECIPIENTS_MAX", "REGISTRIES", "RESOLUTION_NUMBER_MAX",
    "STANDARD_MAX", "STATUSES", "STATUS_KIND", "SUPPORTABLE", "TARIFF_MAX", "TRANSITIONS",
    "AlreadyDone", "AlreadyRated", "AlreadySupported", "BadProblemNumber", "BadResolutionDate", "Event",
    "InvalidTransition", "LinkedProblem", "NameRequired", "NotRateable", "NotSupportable", "OfficerCard",
    "Overview", "OwnProposal", "ProblemNotFound", "Proposal", "RatingSummary", "ReasonRequired", "ResidentCard",
    "Service", "ServiceNotFound", "StatusMoved",
    "add_service", "area_counts", "check_can_rate", "check_fields", "check_proposal", "check_score", "check_text",
    "edit_service", "ensure_seeded", "export_csv", "export_rows", "follow", "follower_count", "followed_services",
    "get_service", "has_supported", "history", "is_following", "link_problem", "linked_open_problems",
    "list_services", "load_catalogue", "move_status", "next_quarter_start", "officer_card", "overview",
    "parse_edit_value", "parse_problem_number", "proposal_notice", "propose", "quarter_of", "rate",
    "rated_this_quarter", "rating_summary", "resident_card", "service_in", "status_notice",
    "support", "support_count", "unfollow", "unlink_problem",
]
