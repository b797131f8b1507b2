"""The participation domain: plain async Python on :class:`bot.db.Database`, no aiogram here.

Each public function validates its input, writes in one transaction and raises a
:class:`DomainError` subclass when a rule forbids the action; handlers turn those into
localized answers.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain forbids the action; handlers map each subclass to a localized text."""


class NotFound(DomainError):
    """The referenced row does not exist (or is not visible to the actor)."""


class PermissionDenied(DomainError):
    """The actor may not do this (not an officer, or another municipality's data)."""


class InvalidInput(DomainError):
    """The input breaks a bound (length, format); ``limit``/``actual`` carry the numbers when known."""

    def __init__(self, message: str = "", *, limit: int | None = None, actual: int | None = None) -> None:
        super().__init__(message)
        self.limit = limit
        self.actual = actual
