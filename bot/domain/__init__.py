"""The participation domain: plain async Python, no aiogram here (``tests/test_layers.py`` checks).

Each feature is a package (model, rules, resident and officer use cases, jobs) that calls its store
and raises a typed :class:`~bot.domain.errors.DomainError` when a rule forbids an action. What
residents and officers receive through the outbox is described as a :class:`~bot.domain.outbox.Notice`
(facts only); ``bot.notices`` puts it into words in each recipient's language.
"""

from __future__ import annotations

from bot.domain.errors import (
    AlreadyDone,
    BadDateTime,
    DomainError,
    InvalidInput,
    NotAnOfficer,
    NotFound,
    NotSuperadmin,
    NumberOutOfRange,
    PermissionDenied,
    TextTooLong,
    TextTooShort,
    Unchanged,
    WrongMunicipality,
)

__all__ = [
    "AlreadyDone", "BadDateTime", "DomainError", "InvalidInput", "NotAnOfficer", "NotFound", "NotSuperadmin",
    "NumberOutOfRange", "PermissionDenied", "TextTooLong", "TextTooShort", "Unchanged", "WrongMunicipality",
]
