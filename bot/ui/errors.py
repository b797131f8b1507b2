"""One place that puts domain errors into words: :func:`explain` walks the error's MRO and uses the
first explanation registered for it with :func:`explains`.

Features register the texts of their own error classes in their UI modules (``@explains(NoticeTooShort)``);
the general classes (too long, not found, not an officer…) are explained here. Every text is a whole
sentence in the catalogs (ky and ru), never assembled from pieces.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

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
from bot.i18n import _, format_datetime, format_number, ngettext

E = TypeVar("E", bound=DomainError)
Explainer = Callable[[DomainError], str]

_EXPLANATIONS: dict[type[DomainError], Explainer] = {}


def explains(*kinds: type[E]) -> Callable[[Callable[[E], str]], Callable[[E], str]]:
    """Register the decorated function as the explanation of ``kinds`` (HTML-safe text, current locale).

    Raises:
        ValueError: a kind already has an explanation (two features explaining one class differently).
    """

    def register(function: Callable[[E], str]) -> Callable[[E], str]:
        for kind in kinds:
            if kind in _EXPLANATIONS:
                raise ValueError(f"{kind.__name__} is already explained")
            _EXPLANATIONS[kind] = function  # type: ignore[assignment]
        return function

    return register


def explain(error: DomainError) -> str:
    """The localized, HTML-safe sentence telling a person why ``error`` refused their action."""
    for kind in type(error).__mro__:
        explainer = _EXPLANATIONS.get(kind)  # type: ignore[call-overload]
        if explainer is not None:
            return explainer(error)
    return _("This cannot be done. Send /menu to start again.")


# -- general explanations --------------------------------------------------------------------------


@explains(TextTooLong)
def _too_long(error: TextTooLong) -> str:
    length = error.actual or 0
    return ngettext(
        "That is too long: at most {limit} characters, yours has {length} character. Shorten it and send "
        "it again.",
        "That is too long: at most {limit} characters, yours has {length} characters. Shorten it and send "
        "it again.",
        length,
    ).format(limit=format_number(error.limit or 0), length=format_number(length))


@explains(TextTooShort)
def _too_short(error: TextTooShort) -> str:
    if not error.actual:
        return _("The text is empty. Please send it again.")
    return ngettext(
        "That is too short: at least {limit} characters, yours has {length} character. Please write a "
        "little more.",
        "That is too short: at least {limit} characters, yours has {length} characters. Please write a "
        "little more.",
        error.actual,
    ).format(limit=format_number(error.limit or 0), length=format_number(error.actual))


@explains(NumberOutOfRange)
def _out_of_range(error: NumberOutOfRange) -> str:
    return _("Please send a whole number from {low} to {high}.").format(
        low=format_number(error.low), high=format_number(error.high))


@explains(BadDateTime)
def _bad_datetime(error: BadDateTime) -> str:
    if error.reason == "past":
        return _("This moment has already passed. Send a date and time in the future.")
    if error.reason == "too_far" and error.latest is not None:
        return _("That is too far ahead: the latest possible is {latest}.").format(
            latest=format_datetime(error.latest))
    if error.reason == "year":
        return _("Write the year in full, with four digits, for example 25.03.2027 18:00.")
    if error.reason == "date":
        return _("There is no such day in the calendar. Check the date and send it again.")
    return _("Please send the date and time as DD.MM.YYYY HH:MM, for example 25.03.2027 18:00.")


@explains(InvalidInput)
def _invalid(error: InvalidInput) -> str:
    return _("That cannot be used here. Please check it and send it again.")


@explains(NotFound)
def _not_found(error: NotFound) -> str:
    return _("It is no longer there: it may have been removed. Send /menu to start again.")


@explains(NotAnOfficer)
def _not_officer(error: NotAnOfficer) -> str:
    return _(
        "This command is for municipal officers only. If you work at your ayil okmotu or town hall, "
        "ask the programme administrator for an officer invite code."
    )


@explains(NotSuperadmin)
def _not_superadmin(error: NotSuperadmin) -> str:
    return _("This command is for the programme administrators only.")


@explains(WrongMunicipality)
def _wrong_municipality(error: WrongMunicipality) -> str:
    return _("This belongs to another municipality: you can act only for your own.")


@explains(PermissionDenied)
def _denied(error: PermissionDenied) -> str:
    return _("You cannot do this.")


@explains(Unchanged)
def _unchanged(error: Unchanged) -> str:
    return _("Nothing has changed: it is already so.")


@explains(AlreadyDone)
def _already(error: AlreadyDone) -> str:
    return _("This has already been done.")
