"""Priority problems: residents raise and support them; officers move them through the cycle.

Rules (from ../shared/domain.md, "The participation cycle" and "Problem statuses", and issue #4),
and where each lives:

* A resident raises a problem in their own municipality (:func:`raise_problem`, ``resident.py``):
  a category, a text of ``text_min``..``text_max`` characters (counted after ``clean_user_text``,
  :func:`check_text` in ``rules.py``) or a voice message instead, up to :data:`MAX_PHOTOS` photos,
  an optional location. The author supports their own problem from the start.
* One support per resident per problem (``PRIMARY KEY (problem_id, resident_id)``): a double tap
  or two racing taps count once. Only residents of the problem's municipality support it, and only
  while it is open (:data:`OPEN_STATUSES`) and not hidden.
* Statuses go along :data:`CHAIN` (officers may skip steps or step back), or leave it to
  ``rejected`` (a reason is mandatory) or ``duplicate`` of another open problem of the same
  municipality, whose supports move to the target without counting anyone twice (``officer.py``).
  ``duplicate`` is final. Every change is a row in ``problem_events`` (who, when, comment).
* An officer may hide an abusive problem (reason mandatory): it stays in the database, disappears
  from every list, its buttons stop working, and the author is told why.
* When a problem is marked solved, its author and supporters get a one-tap "still a problem?";
  when the number of "still" answers reaches the municipality's threshold (``problem_settings``,
  default from settings), the problem goes back to ``under_review`` and the officers are told.
* Everyone else learns about a change only through :func:`bot.domain.outbox.enqueue`, in the
  same transaction as the change, as a :class:`~bot.domain.outbox.Notice` (``notices.py``) that
  ``bot.notices.problems`` words per recipient.

Modules: ``model`` (vocabulary, records), ``errors`` (why an action is refused), ``rules`` (pure
checks), ``queries`` (reads), ``resident`` and ``officer`` (use cases), ``notices`` (notice facts).
Every statement they run is a function of :mod:`bot.store.problems`; none of them holds SQL.
"""

from __future__ import annotations


from bot.domain.problems.errors import (
    AlreadyPublished,
    BadProblemNumber,
    DuplicateError,
    DuplicateOfItself,
    ForeignProblem,
    HiddenLocked,
    MergedLocked,
    NoLongerSolved,
    NoMunicipality,
    NotASupporter,
    NotReadable,
    NotYourMunicipality,
    ProblemClosed,
    ProblemGone,
    ProblemHidden,
    ProblemMerged,
    ProblemNotFound,
    ReasonRequired,
    StatusChanged,
    StatusUnchanged,
    TargetClosed,
    TargetInOtherMunicipality,
    TargetIsDuplicate,
    TargetNotFound,
    TooManyPhotos,
)
from bot.domain.problems.model import (
    CATEGORIES,
    CATEGORY_ICONS,
    CHAIN,
    COMMENT_MAX,
    EXCERPT_LENGTH,
    MAX_PHOTOS,
    NOTICE_EXCERPT_LENGTH,
    OPEN_STATUSES,
    STATUSES,
    TARGET_MAX,
    THRESHOLD_RANGE,
    CardView,
    Problem,
    ProblemEvent,
    StillResult,
    SupportResult,
)
from bot.domain.problems.officer import (
    change_status,
    duplicate_target,
    hide_problem,
    mark_duplicate,
    set_reopen_threshold,
)
from bot.domain.problems.queries import (
    card_view,
    get_problem,
    history,
    is_supporting,
    may_read,
    my_problems,
    officer_queue,
    open_count,
    problem_for_officer,
    ranked_for_export,
    ranked_page,
    readable_problem,
    reopen_threshold,
    similar_problems,
    still_count,
    supported_problems,
    supports_in,
)
from bot.domain.problems.resident import answer_still, followers, raise_problem, support, withdraw
from bot.domain.problems.rules import check_comment, check_text, excerpt, parse_problem_number, search_stems

__all__ = [
    "CATEGORIES", "CATEGORY_ICONS", "CHAIN", "COMMENT_MAX", "EXCERPT_LENGTH", "MAX_PHOTOS",
    "NOTICE_EXCERPT_LENGTH", "OPEN_STATUSES", "STATUSES", "TARGET_MAX", "THRESHOLD_RANGE",
    "AlreadyPublished", "BadProblemNumber", "CardView", "DuplicateError", "DuplicateOfItself", "ForeignProblem",
    "HiddenLocked", "MergedLocked", "NoLongerSolved", "NoMunicipality", "NotASupporter", "NotReadable",
    "NotYourMunicipality", "Problem", "ProblemClosed", "ProblemEvent", "ProblemGone", "ProblemHidden",
    "ProblemMerged", "ProblemNotFound", "ReasonRequired", "StatusChanged", "StatusUnchanged", "StillResult",
    "SupportResult", "TargetClosed", "TargetInOtherMunicipality", "TargetIsDuplicate", "TargetNotFound",
    "TooManyPhotos",
    "answer_still", "card_view", "change_status", "check_comment", "check_text", "excerpt", "followers",
    "duplicate_target", "get_problem", "hide_problem", "history", "is_supporting", "mark_duplicate", "may_read", "my_problems",
    "officer_queue", "open_count", "parse_problem_number", "problem_for_officer", "raise_problem",
    "ranked_for_export", "ranked_page", "readable_problem", "reopen_threshold", "search_stems",
    "set_reopen_threshold", "similar_problems", "still_count", "support", "supported_problems", "supports_in",
    "withdraw",
]
