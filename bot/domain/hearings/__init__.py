"""Public hearings (ky коомдук угуу, ru публичные слушания): announce, RSVP, questions, reminders, outcome.

Where each rule lives:

* :mod:`.model` — the records (:class:`Draft`, :class:`Hearing`, :class:`Outcome`…) and the numbers
  (limits, notice period defaults, reminder times).
* :mod:`.errors` — one error class per refusal (:class:`NoticeTooShort`, :class:`HearingClosed`…).
* :mod:`.rules` — checks that need no database: texts, the typed start, the notice period, numbers.
* :mod:`.queries` — reading hearings, notice periods, linkable surveys (the SQL: :mod:`bot.store.hearings`).
* :mod:`.officer` — announce, change, cancel, attendance, questions, outcome, notice period.
* :mod:`.resident` — read, RSVP, hall-list consent, questions.
* :mod:`.jobs` — the 24-hour and 1-hour reminders (:data:`SCHEDULER_JOBS`).
* :mod:`.notices` — the facts of what residents are told; ``bot.notices.hearings`` words them.
"""

from __future__ import annotations

from bot.domain.errors import BadDateTime, DomainError, InvalidInput, NotFound, PermissionDenied, TextTooLong, Unchanged
from bot.domain.hearings import notices
from bot.domain.hearings.errors import (
    AgendaMissing,
    DecisionsMissing,
    HearingCancelled,
    HearingClosed,
    HearingElsewhere,
    HearingHeld,
    HearingNotFound,
    HearingNotStarted,
    HearingStarted,
    NoProblemNumbers,
    NotGoing,
    NoticeBelowFloor,
    NoticeDaysOutOfRange,
    NoticeTooShort,
    ParticipantsOutOfRange,
    SurveyNotLinkable,
    TitleMissing,
    TooManyQuestions,
    UnknownProblems,
)
from bot.domain.hearings.jobs import SCHEDULER_JOBS, plan_reminders, send_due_reminders
from bot.domain.hearings.model import (
    ACTIONS,
    AGENDA_MAX,
    ANSWERS,
    DECISIONS_MAX,
    DEFAULT_NOTICE_DAYS,
    MAX_AHEAD,
    MAX_NOTICE_DAYS,
    NOTICE_FLOOR_DAYS,
    PARTICIPANTS_MAX,
    PLACE_MAX,
    QUESTION_MAX,
    QUESTIONS_PER_RESIDENT,
    REASON_MAX,
    REMINDERS,
    RESEND_SHIFT,
    TITLE_MAX,
    TOPICS,
    Attendance,
    Draft,
    Hearing,
    Outcome,
    Question,
    SurveyChoice,
    draft_hearing,
    pick,
)
from bot.domain.hearings.officer import (
    accept_problems,
    attendance,
    cancel_hearing,
    change_total,
    check_outcome_problems,
    check_start,
    create_hearing,
    edit_hearing,
    editable_hearing,
    hearing_for_officer,
    officer_hearings,
    publish_outcome,
    questions,
    set_notice_days,
)
from bot.domain.hearings.resident import (
    ask_question,
    hearing_for_resident,
    may_ask,
    my_rsvp,
    open_hearing,
    past_hearings,
    rsvp,
    set_share_name,
)
from bot.domain.hearings.rules import (
    clean_text,
    earliest_start,
    outcome_preview,
    parse_notice_days,
    parse_participants,
    parse_problem_ids,
    parse_start,
    problem_target_status,
    validate_draft,
)
from bot.domain.hearings.queries import (
    broadcast_total,
    get_hearing,
    linkable_surveys,
    linked_surveys,
    list_past,
    list_upcoming,
    notice_days,
    problem_excerpts,
)

WrongMunicipality = HearingElsewhere
"""The former name of :class:`HearingElsewhere` (a hearing of another municipality)."""

__all__ = [
    "ACTIONS", "AGENDA_MAX", "ANSWERS", "DECISIONS_MAX", "DEFAULT_NOTICE_DAYS", "MAX_AHEAD", "MAX_NOTICE_DAYS",
    "NOTICE_FLOOR_DAYS", "PARTICIPANTS_MAX", "PLACE_MAX", "QUESTIONS_PER_RESIDENT", "QUESTION_MAX", "REASON_MAX",
    "REMINDERS", "RESEND_SHIFT", "SCHEDULER_JOBS", "TITLE_MAX", "TOPICS",
    "AgendaMissing", "Attendance", "BadDateTime", "DecisionsMissing", "DomainError", "Draft", "Hearing", "HearingCancelled",
    "HearingClosed", "HearingElsewhere", "HearingHeld", "HearingNotFound", "HearingNotStarted", "HearingStarted",
    "InvalidInput", "NoProblemNumbers", "NotFound", "NotGoing", "NoticeBelowFloor", "NoticeDaysOutOfRange",
    "NoticeTooShort", "Outcome", "ParticipantsOutOfRange", "PermissionDenied", "Question", "SurveyChoice",
    "SurveyNotLinkable", "TextTooLong", "TitleMissing", "TooManyQuestions", "Unchanged", "UnknownProblems",
    "WrongMunicipality",
    "accept_problems", "ask_question", "attendance", "broadcast_total", "cancel_hearing", "change_total",
    "check_outcome_problems", "check_start", "clean_text", "create_hearing", "draft_hearing", "earliest_start",
    "edit_hearing", "editable_hearing", "get_hearing", "hearing_for_officer", "hearing_for_resident",
    "linkable_surveys", "linked_surveys", "list_past", "list_upcoming", "may_ask", "my_rsvp", "notice_days", "notices",
    "officer_hearings", "open_hearing", "outcome_preview", "parse_notice_days", "parse_participants",
    "parse_problem_ids", "parse_start", "past_hearings", "pick", "plan_reminders", "problem_excerpts",
    "problem_target_status", "publish_outcome", "questions", "rsvp", "send_due_reminders", "set_notice_days",
    "set_share_name", "validate_draft",
]
