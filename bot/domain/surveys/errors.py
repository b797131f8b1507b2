"""Why a survey action is refused: one class per rule, explained once in ``bot.ui.surveys.errors``.

Each subclasses the general error of ``bot.domain.errors`` it is a case of, so code that only cares
about "not found" or "invalid input" can catch those.
"""

from __future__ import annotations

from datetime import datetime

from bot.domain.errors import (
    BadDateTime,
    DomainError,
    InvalidInput,
    NotFound,
    TextTooLong,
    WrongMunicipality,
)


class SurveyNotFound(NotFound):
    """No such survey (a crafted or very old button)."""

    def __init__(self, survey_id: int | None = None) -> None:
        super().__init__("survey", id=survey_id)


class OptionNotFound(NotFound):
    """The survey has no option at that position."""

    def __init__(self) -> None:
        super().__init__("option")


class SurveyUnavailable(DomainError):
    """The survey does not take votes or changes now (see the subclasses)."""


class SurveyNotOpenYet(SurveyUnavailable):
    """Scheduled: ``opens_at`` has not come yet."""


class SurveyClosed(SurveyUnavailable):
    """Closed (by the clock, the scheduler or the officer): no more votes."""


class SurveyAlreadyClosed(SurveyClosed):
    """An officer's change (close, extend) on a survey that has closed."""


class SurveyWithdrawn(SurveyUnavailable):
    """Deleted by the municipality."""


class SurveyOfAnotherMunicipality(WrongMunicipality):
    """A resident acts on a survey of another municipality than their current one."""


class ManagedElsewhere(WrongMunicipality):
    """An officer acts on a survey of another municipality."""


class NotVerified(DomainError):
    """The survey is for verified residents only and this resident is not (``bot.domain.verification``)."""


class ResultsNotReady(DomainError):
    """Results are shown only after the survey closes (no bandwagon effect)."""


class ChoiceCountOutOfRange(InvalidInput):
    """A ballot with no option, or with more than ``limit`` (the survey's ``max_choices``)."""

    def __init__(self, *, limit: int, actual: int) -> None:
        super().__init__(f"{actual} choices, 1..{limit}", limit=limit, actual=actual)


class TooManyTicks(InvalidInput):
    """A multi-choice ballot ticked beyond ``limit`` options (before "Submit")."""

    def __init__(self, *, limit: int, actual: int) -> None:
        super().__init__(f"{actual} ticks, at most {limit}", limit=limit, actual=actual)


# -- the officer's draft ------------------------------------------------------------------------


class DraftIncomplete(InvalidInput):
    """The draft cannot be published as it is (a crafted or stale state): start again."""


class QuestionMissing(DraftIncomplete):
    """Neither language has a question."""


class OptionCountOutOfRange(DraftIncomplete):
    """Not :data:`~bot.domain.surveys.model.MIN_OPTIONS`..``limit`` options (``actual``)."""


class OptionMissing(DraftIncomplete):
    """An option without text in either language."""


class MaxChoicesOutOfRange(DraftIncomplete):
    """``max_choices`` not in 1..the number of options."""


class TimesMissing(DraftIncomplete):
    """Opening or closing time not set, or the survey would close before it opens."""


class HearingUnavailable(DraftIncomplete):
    """The linked hearing is not (any more) one of the municipality's."""


class ClosingPassed(DraftIncomplete):
    """At publishing, the closing time has already passed (the draft waited too long)."""


class OptionTooLong(TextTooLong):
    """One option (one line) over :data:`~bot.domain.surveys.model.OPTION_MAX` characters."""


class TooManyOptions(InvalidInput):
    """With this message there would be ``actual`` options; at most ``limit``."""


class TranslationCountMismatch(InvalidInput):
    """The other language's options must be exactly as many as the first's (``limit``)."""


class TranslationsMissing(InvalidInput):
    """"Done" in the translation step before every one of the ``limit`` options has its text."""


class TooFewProblems(InvalidInput):
    """Fewer open problems with text than a survey needs options."""


class UnreadableTime(BadDateTime):
    """A typed time that is not ``DD.MM.YYYY HH:MM`` (``format``), has a year out of range (``year``)
    or names no real moment (``date``)."""


class TooFarAhead(BadDateTime):
    """Beyond :data:`~bot.domain.surveys.model.MAX_AHEAD` from now (``latest``)."""

    def __init__(self, *, latest: datetime) -> None:
        super().__init__("too_far", latest=latest)


class ClosesTooEarly(BadDateTime):
    """A closing time not after both now and the opening time (``earliest``)."""

    def __init__(self, *, earliest: datetime) -> None:
        super().__init__("past")
        self.earliest = earliest


class ExtensionNotLater(InvalidInput):
    """An extension must move the closing time later than it is."""


__all__ = [
    "ChoiceCountOutOfRange", "ClosesTooEarly", "ClosingPassed", "DraftIncomplete",
    "ExtensionNotLater", "HearingUnavailable", "ManagedElsewhere", "MaxChoicesOutOfRange", "NotOnboarded", "NotVerified",
    "OptionCountOutOfRange", "OptionMissing", "OptionNotFound", "OptionTooLong", "QuestionMissing",
    "ResultsNotReady", "SurveyAlreadyClosed", "SurveyClosed", "SurveyNotFound", "SurveyNotOpenYet",
    "SurveyOfAnotherMunicipality", "SurveyUnavailable", "SurveyWithdrawn", "TimesMissing", "TooFarAhead",
    "TooFewProblems", "TooManyOptions", "TooManyTicks", "TranslationCountMismatch", "TranslationsMissing",
    "UnreadableTime",
]


class NotOnboarded(DomainError):
    """The person has not yet chosen their language and municipality (surveys need the municipality)."""
