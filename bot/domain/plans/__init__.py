"""From priority to result (issue 15): joint action plans, citizens' budget proposals, joint
monitoring and evaluation groups, local initiatives, reporting back, and the programme's figures.

The package by concern:

* :mod:`.model` — vocabulary (responsible parties, money sources, progress, decisions), bounds, records;
* :mod:`.errors` — why an action is refused (explained in ``bot.ui.plans``);
* :mod:`.rules` — pure checks: texts, som, typed dates, problem numbers;
* :mod:`.items` — the action plan: items, steps, money, changes told to followers with the reason;
* :mod:`.budget` — proposals at budget hearings and the council's decisions;
* :mod:`.monitoring` — groups, invites, members, reports, answers, hiding with a reason;
* :mod:`.photos` — re-encoding photos without metadata;
* :mod:`.execution` — the report for the execution hearing (lines and CSV);
* :mod:`.figures` — the programme's figures, per municipality and nationally;
* :mod:`.notices` — the facts followers, officers and groups are told (``bot.notices.plans``).

No aiogram, no SQL (``bot.store.plans``), no presentation.
"""

from __future__ import annotations

from bot.domain.plans.budget import budget_hearings, decide, propose
from bot.domain.plans.errors import (
    AlreadyMember,
    BadAmount,
    BadDate,
    BadProblemList,
    ItemNotFound,
    MemberInviteInvalid,
    NoPendingProposal,
    NotAMember,
    NotYourMunicipality,
    OtherMunicipalityMember,
    ProblemNotInMunicipality,
    ProposalPending,
    ReportNotFound,
    StepNotFound,
)
from bot.domain.plans.execution import attach_to_hearing, execution_hearings, execution_report, report_csv
from bot.domain.plans.figures import Figures, figures
from bot.domain.plans.items import (
    add_to_item,
    check_problems,
    change_deadline,
    change_money,
    create_item,
    item_in,
    item_view,
    items_for_problem,
    mark_step_done,
    officer_item,
    plan_of,
    record_spent,
    set_status,
)
from bot.domain.plans.model import (
    DECISIONS,
    ITEM_STATUSES,
    KINDS,
    NAME_MAX,
    NOTE_MAX,
    PHOTOS_MAX,
    PROGRESS,
    REASON_MAX,
    REASON_MIN,
    RESOLUTION_MAX,
    RESPONSIBLE,
    RESULT_MAX,
    SOURCES,
    STEP_MAX,
    STEPS_MAX,
    TITLE_MAX,
    TITLE_MIN,
    ExecutionLine,
    ExecutionReport,
    Group,
    Invite,
    Item,
    ItemView,
    Money,
    Proposal,
    Report,
    Step,
)
from bot.domain.plans.monitoring import (
    answer,
    authors,
    check_can_report,
    create_invite,
    group,
    hide,
    join,
    leave,
    membership,
    post_report,
    report_for_officer,
    reports_on,
    set_regulation,
    visible_report,
)
from bot.domain.plans.rules import check_text, parse_date, parse_problem_ids, parse_som, parse_steps

__all__ = [
    "add_to_item", "check_problems",
    "DECISIONS", "ITEM_STATUSES", "KINDS", "NAME_MAX", "NOTE_MAX", "PHOTOS_MAX", "PROGRESS", "REASON_MAX",
    "REASON_MIN", "RESOLUTION_MAX", "RESPONSIBLE", "RESULT_MAX", "SOURCES", "STEPS_MAX", "STEP_MAX", "TITLE_MAX",
    "TITLE_MIN",
    "AlreadyMember", "BadAmount", "BadDate", "BadProblemList", "ExecutionLine", "ExecutionReport", "Figures", "Group",
    "Invite", "Item", "ItemNotFound", "ItemView", "MemberInviteInvalid", "Money", "NoPendingProposal", "NotAMember",
    "NotYourMunicipality", "OtherMunicipalityMember", "ProblemNotInMunicipality", "Proposal", "ProposalPending",
    "Report", "ReportNotFound", "Step", "StepNotFound",
    "answer", "attach_to_hearing", "authors", "budget_hearings", "change_deadline", "change_money", "check_can_report",
    "check_text", "create_invite", "create_item", "decide", "execution_hearings", "execution_report", "figures",
    "group", "hide", "item_in", "item_view", "items_for_problem", "join", "leave", "mark_step_done", "membership",
    "officer_item", "parse_date", "parse_problem_ids", "parse_som", "parse_steps", "plan_of", "post_report", "propose",
    "record_spent", "report_csv", "report_for_officer", "reports_on", "set_regulation", "set_status", "visible_report",
]
