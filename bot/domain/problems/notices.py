"""The facts of what the problems feature tells residents and officers through the outbox.

Each function returns a :class:`~bot.domain.outbox.Notice` (rendered per recipient language by
``bot.notices.problems``). ``excerpt`` is the start of the problem's text (``None`` for a voice
problem), cut before any escaping so an HTML entity is never split.
"""

from __future__ import annotations

from typing import Any

from bot.domain.outbox import Notice
from bot.domain.problems.model import NOTICE_EXCERPT_LENGTH, Problem
from bot.domain.problems.rules import excerpt

STATUS = "problem.status"
DUPLICATE = "problem.duplicate"
HIDDEN = "problem.hidden"
REOPENED_OFFICERS = "problem.reopened_officers"
REOPENED_RESIDENTS = "problem.reopened_residents"


def _base(problem: Problem) -> dict[str, Any]:
    return {"id": problem.id,
            "excerpt": excerpt(problem.text, NOTICE_EXCERPT_LENGTH) if problem.text else None}


def status_changed(problem: Problem, status: str, comment: str | None) -> Notice:
    """``problem`` has the new ``status`` (a key of ``STATUSES``; ``rejected`` carries the reason
    as ``comment``); for ``solved`` the message asks "still a problem?"."""
    return Notice(STATUS, {**_base(problem), "status": status, "comment": comment})


def merged(problem: Problem, target_id: int, comment: str | None) -> Notice:
    """``problem`` was merged into ``target_id``; its followers' support counts there now."""
    return Notice(DUPLICATE, {**_base(problem), "target": target_id, "comment": comment})


def hidden(problem: Problem, reason: str) -> Notice:
    """The author's ``problem`` was hidden for ``reason``."""
    return Notice(HIDDEN, {**_base(problem), "reason": reason})


def reopened_for_officers(problem: Problem, count: int) -> Notice:
    """``count`` residents said the solved ``problem`` is still a problem; it is back under review."""
    return Notice(REOPENED_OFFICERS, {**_base(problem), "count": count})


def reopened_for_residents(problem: Problem, count: int) -> Notice:
    """The same, as the author and the supporters are told."""
    return Notice(REOPENED_RESIDENTS, {**_base(problem), "count": count})
