"""Typed domain errors: each rule that can refuse an action has its own class carrying its fields.

Handlers never compare error strings: the dispatcher's error handler (``bot.handlers.errors``) maps
each class to one localized explanation (``bot.ui.errors``), found by walking the class's MRO, so a
feature's own subclass gets a precise text and anything else a general one. The message string of
an error is for logs only.
"""

from __future__ import annotations

from datetime import datetime


class DomainError(Exception):
    """A rule of the domain forbids the action."""


class NotFound(DomainError):
    """The referenced row does not exist, or is not visible to the actor (another municipality's
    rows are reported as not found, never as forbidden, so their existence does not leak)."""

    def __init__(self, what: str = "", *, id: int | str | None = None) -> None:
        super().__init__(f"{what or 'row'} {id if id is not None else ''} not found".strip())
        self.what = what
        self.id = id


class PermissionDenied(DomainError):
    """The actor may not do this."""


class NotAnOfficer(PermissionDenied):
    """The person is not (or no longer) an officer."""


class NotSuperadmin(PermissionDenied):
    """Only a programme administrator (``SUPERADMIN_IDS``) may do this."""


class WrongMunicipality(PermissionDenied):
    """The row belongs to another municipality than the actor's."""


class InvalidInput(DomainError):
    """The input breaks a rule; ``limit``/``actual`` carry the numbers when known."""

    def __init__(self, message: str = "", *, limit: int | None = None, actual: int | None = None) -> None:
        super().__init__(message)
        self.limit = limit
        self.actual = actual


class TextTooLong(InvalidInput):
    """A text over its bound: ``limit`` and ``actual`` in characters (code points after cleaning)."""

    def __init__(self, *, limit: int, actual: int) -> None:
        super().__init__(f"text of {actual} characters, limit {limit}", limit=limit, actual=actual)


class TextTooShort(InvalidInput):
    """A text under its bound (``actual`` 0 means empty): ``limit`` is the fewest characters allowed."""

    def __init__(self, *, limit: int, actual: int) -> None:
        super().__init__(f"text of {actual} characters, at least {limit}", limit=limit, actual=actual)


class NumberOutOfRange(InvalidInput):
    """A number outside ``low``..``high`` (inclusive), or not a number at all (``actual`` ``None``)."""

    def __init__(self, *, low: int, high: int, actual: int | None = None) -> None:
        super().__init__(f"{actual} not in {low}..{high}", limit=high, actual=actual)
        self.low = low
        self.high = high


class BadDateTime(InvalidInput):
    """A date and time the officer typed cannot be used; ``reason`` says why:

    ``format`` (not ``DD.MM.YYYY HH:MM``), ``date`` (no such day, e.g. 31.02), ``year`` (a two-digit
    or far-off year), ``past`` (already passed), ``too_far`` (beyond ``latest``).
    """

    REASONS = ("format", "date", "year", "past", "too_far")

    def __init__(self, reason: str, *, latest: datetime | None = None) -> None:
        if reason not in self.REASONS:
            raise ValueError(reason)
        super().__init__(reason)
        self.reason = reason
        self.latest = latest


class Unchanged(DomainError):
    """The change asked for changes nothing (the same status, the same value)."""


class AlreadyDone(DomainError):
    """The action was already taken (a second tap, a second vote on a closed question)."""


__all__ = [
    "AlreadyDone", "BadDateTime", "DomainError", "InvalidInput", "NotAnOfficer", "NotFound", "NotSuperadmin",
    "NumberOutOfRange", "PermissionDenied", "TextTooLong", "TextTooShort", "Unchanged", "WrongMunicipality",
]
