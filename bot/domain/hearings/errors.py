"""Why a hearing action is refused: one class per rule, carrying its fields.

Each is explained once in ``bot.ui.hearings`` (``@explains``); handlers never look inside them.
"""

from __future__ import annotations

from datetime import datetime

from bot.domain.errors import DomainError, InvalidInput, NotFound, NumberOutOfRange, WrongMunicipality


class NoticeTooShort(DomainError):
    """The start is sooner than the municipality's minimum notice period allows.

    ``days``: the period; ``earliest``: the earliest allowed start (aware UTC)."""

    def __init__(self, days: int, earliest: datetime) -> None:
        super().__init__(f"notice of {days} days: earliest {earliest.isoformat()}")
        self.days = days
        self.earliest = earliest


class NoticeBelowFloor(InvalidInput):
    """An officer tried to set a notice period under ``floor`` days (only a superadmin may)."""

    def __init__(self, floor: int, high: int) -> None:
        super().__init__("notice floor", limit=floor)
        self.floor = floor
        self.high = high


class NoticeDaysOutOfRange(NumberOutOfRange):
    """The notice period is not a whole number of days from ``low`` to ``high``."""


class HearingNotFound(NotFound):
    """No hearing with this id."""

    def __init__(self, hearing_id: int | None = None) -> None:
        super().__init__("hearing", id=hearing_id)


class HearingElsewhere(WrongMunicipality):
    """The hearing belongs to another municipality than the resident's or officer's (a stale or
    crafted button); nothing of it is shown."""


class HearingClosed(DomainError):
    """The hearing cannot take this action any more; ``status`` says what it is now."""

    status = "closed"

    def __init__(self) -> None:
        super().__init__(self.status)


class HearingCancelled(HearingClosed):
    """The hearing was cancelled."""

    status = "cancelled"


class HearingHeld(HearingClosed):
    """The hearing took place and its outcome is published."""

    status = "held"


class HearingStarted(HearingClosed):
    """The hearing has begun: it can no longer be changed or answered."""

    status = "started"


class HearingNotStarted(HearingClosed):
    """The outcome can be published only once the hearing has begun."""

    status = "not_started"


def closed(status: str) -> HearingClosed:
    """The error for a hearing that is ``cancelled`` or ``held``."""
    return HearingCancelled() if status == "cancelled" else HearingHeld()


class TitleMissing(InvalidInput):
    """A hearing needs a title in at least one language."""


class AgendaMissing(InvalidInput):
    """A hearing needs an agenda in at least one language."""


class DecisionsMissing(InvalidInput):
    """An outcome needs the decisions in at least one language."""


class SurveyNotLinkable(InvalidInput):
    """The linked survey is not an open or scheduled survey of the hearing's municipality (it may
    have closed since it was chosen)."""


class NotGoing(InvalidInput):
    """Only a resident who answered "I will come" may put their name on the hall list."""


class TooManyQuestions(InvalidInput):
    """A resident has sent ``limit`` questions for this hearing already."""


class UnknownProblems(InvalidInput):
    """These numbers are not visible problems of the hearing's municipality: ``ids``."""

    def __init__(self, ids: list[int]) -> None:
        super().__init__("unknown problems", actual=len(ids))
        self.ids = tuple(ids)


class NoProblemNumbers(InvalidInput):
    """The text names no problem numbers (``#12 #15``)."""


class ParticipantsOutOfRange(NumberOutOfRange):
    """The number of participants is not a whole number from ``low`` to ``high``."""


__all__ = [
    "AgendaMissing", "DecisionsMissing", "HearingCancelled", "HearingClosed", "HearingElsewhere", "HearingHeld",
    "HearingNotFound", "HearingNotStarted", "HearingStarted", "NoProblemNumbers", "NotGoing", "NoticeBelowFloor",
    "NoticeDaysOutOfRange", "NoticeTooShort", "ParticipantsOutOfRange", "SurveyNotLinkable", "TitleMissing",
    "TooManyQuestions", "UnknownProblems", "closed",
]
