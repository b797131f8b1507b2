"""Surveys before hearings: lightweight, secret votes of a municipality's residents.

An officer asks the residents of THEIR municipality a question with 2–10 options (in Kyrgyz
and/or Russian; residents see their language, else the other), single choice or up to N choices,
open between ``opens_at`` and ``closes_at`` (UTC here; entered and shown in Asia/Bishkek).

Where each rule lives:

* ``model`` — the data, the constants and the secrecy rule (:meth:`Tally.suppressed`).
* ``rules`` — pure checks: typed times, texts, a draft's options, a ballot.
* ``queries`` — reading (lists, counts, the resident's own choice, linked hearings, top problems).
* ``resident`` — voting and results: one ballot per resident per survey, only while open, only in
  the resident's current municipality, results only after closing.
* ``officer`` — publish, close early, extend, delete, follow the turnout.
* ``jobs`` — the scheduler opens and closes surveys; ``notices`` — facts of what residents are told
  (worded by ``bot.notices.surveys``), queued in the same transaction as the change.
* ``errors`` — one class per refusal (explained in ``bot.ui.surveys.errors``).

Secrecy: who voted for what is never returned except to the voter (:func:`my_choice`), never
exported, never logged. Results are counts only, hidden while fewer than :data:`MIN_GROUP` voted.
"""

from __future__ import annotations

from bot.domain.errors import InvalidInput, NotFound, PermissionDenied, WrongMunicipality
from bot.domain.surveys.errors import (
    ChoiceCountOutOfRange,
    ClosesTooEarly,
    ClosingPassed,
    DraftIncomplete,
    ExtensionNotLater,
    HearingUnavailable,
    ManagedElsewhere,
    MaxChoicesOutOfRange,
    NotOnboarded,
    NotVerified,
    OptionCountOutOfRange,
    OptionMissing,
    OptionNotFound,
    OptionTooLong,
    QuestionMissing,
    ResultsNotReady,
    SurveyAlreadyClosed,
    SurveyClosed,
    SurveyNotFound,
    SurveyNotOpenYet,
    SurveyOfAnotherMunicipality,
    SurveyUnavailable,
    SurveyWithdrawn,
    TimesMissing,
    TooFarAhead,
    TooFewProblems,
    TooManyOptions,
    TooManyTicks,
    TranslationCountMismatch,
    TranslationsMissing,
    UnreadableTime,
)
from bot.domain.surveys.jobs import SCHEDULER_JOBS, close_due_surveys, open_due_surveys
from bot.domain.surveys.model import (
    BURST_MIN,
    BURST_SHARE,
    MAX_AHEAD,
    MAX_OPTIONS,
    MIN_GROUP,
    MIN_OPTIONS,
    OPTION_MAX,
    OPTION_TITLE_MAX,
    QUESTION_MAX,
    RECENT_JOIN,
    STATUSES,
    YEAR_MAX,
    YEAR_MIN,
    Draft,
    HearingRef,
    Option,
    Survey,
    Tally,
    VoteResult,
    pick,
)
from bot.domain.surveys.officer import (
    close_survey,
    create_survey,
    delete_survey,
    extend_survey,
    list_officer_surveys,
    officer_tally,
)
from bot.domain.surveys.queries import (
    get_hearing_ref,
    get_survey,
    list_open_surveys,
    list_recent_closed,
    my_choice,
    priority_problem_options,
    recount,
    require_survey,
    tally,
    upcoming_hearings,
)
from bot.domain.surveys.resident import cast_vote, resident_results, voter_survey
from bot.domain.surveys.rules import (
    DATETIME_INPUT,
    add_options,
    check_choice,
    check_ticks,
    clean_question,
    clean_text,
    closing_time,
    opening_time,
    options_complete,
    parse_local_datetime,
    require_open,
    split_options,
    rename_options,
    translating,
    validate_draft,
)

__all__ = [
    "BURST_MIN", "BURST_SHARE", "DATETIME_INPUT", "MAX_AHEAD", "MAX_OPTIONS", "MIN_GROUP", "MIN_OPTIONS",
    "OPTION_MAX", "OPTION_TITLE_MAX", "QUESTION_MAX", "RECENT_JOIN", "SCHEDULER_JOBS", "STATUSES", "YEAR_MAX", "YEAR_MIN",
    "ChoiceCountOutOfRange", "ClosesTooEarly", "ClosingPassed", "Draft", "DraftIncomplete", "ExtensionNotLater",
    "HearingRef", "HearingUnavailable", "InvalidInput", "ManagedElsewhere", "MaxChoicesOutOfRange", "NotFound",
    "NotOnboarded", "NotVerified", "Option", "OptionCountOutOfRange", "OptionMissing", "OptionNotFound", "OptionTooLong",
    "PermissionDenied", "QuestionMissing", "ResultsNotReady", "Survey", "SurveyAlreadyClosed", "SurveyClosed",
    "SurveyNotFound", "SurveyNotOpenYet", "SurveyOfAnotherMunicipality", "SurveyUnavailable", "SurveyWithdrawn",
    "Tally", "TimesMissing", "TooFarAhead", "TooFewProblems", "TooManyOptions", "TooManyTicks",
    "TranslationCountMismatch", "TranslationsMissing", "UnreadableTime", "VoteResult", "WrongMunicipality",
    "add_options", "cast_vote", "check_choice", "check_ticks", "clean_question", "clean_text", "close_due_surveys",
    "close_survey", "closing_time", "create_survey", "delete_survey", "extend_survey", "get_hearing_ref",
    "get_survey", "list_officer_surveys", "list_open_surveys", "list_recent_closed", "my_choice", "officer_tally",
    "open_due_surveys", "opening_time", "options_complete", "parse_local_datetime", "pick",
    "priority_problem_options", "recount", "require_open", "require_survey", "resident_results", "split_options",
    "rename_options", "tally", "translating", "upcoming_hearings", "validate_draft", "voter_survey",
]
