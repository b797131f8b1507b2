"""Why the registry refuses an action: one class per rule, explained once in ``bot.ui.registry``."""

from __future__ import annotations

from datetime import date

from bot.domain.errors import AlreadyDone, DomainError, InvalidInput, NotFound, TextTooShort


class ServiceNotFound(NotFound):
    """No such entry, or it belongs to another municipality than the actor's (a crafted or stale button)."""

    def __init__(self, id: int | None = None) -> None:
        super().__init__("service", id=id)


class ProblemNotFound(NotFound):
    """No such (visible) priority problem in the entry's municipality: ``id`` is the number typed."""

    def __init__(self, id: int) -> None:
        super().__init__("problem", id=id)


class InvalidTransition(DomainError):
    """The entry is not in a status from which ``target`` can be reached (or the move is stale:
    the status changed since the officer saw ``current``)."""

    def __init__(self, current: str, target: str) -> None:
        super().__init__(f"{current} -> {target}")
        self.current = current
        self.target = target


class NameRequired(InvalidInput):
    """An entry must keep a name in at least one language (name_ky or name_ru)."""


class ReasonRequired(TextTooShort):
    """Rejecting needs a reason of at least ``limit`` (:data:`~.model.REASON_MIN`) characters."""


class NotSupportable(DomainError):
    """Only proposals (``proposed``/``under_consideration``) can be supported; ``status`` is the entry's."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


class OwnProposal(DomainError):
    """The proposer cannot support their own proposal (they are counted as its author)."""


class AlreadySupported(AlreadyDone):
    """The resident supported this proposal before (UNIQUE constraint)."""


class AlreadyRated(AlreadyDone):
    """The resident rated this service in the current quarter; ``again_from`` is the first day
    (Asia/Bishkek) of the next quarter, when they may rate it again."""

    def __init__(self, again_from: date) -> None:
        super().__init__(f"rated; again from {again_from.isoformat()}")
        self.again_from = again_from


class NotRateable(DomainError):
    """Only ``included`` services can be rated; ``status`` is the entry's."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


class BadProblemNumber(InvalidInput):
    """What the officer typed is not a problem number (``12`` or ``#12``, ASCII digits)."""


class BadResolutionDate(InvalidInput):
    """A council resolution date that is not ``DD.MM.YYYY`` (or no such day)."""


__all__ = [
    "AlreadyDone", "AlreadyRated", "AlreadySupported", "BadProblemNumber", "BadResolutionDate",
    "InvalidTransition", "NameRequired", "NotRateable", "NotSupportable", "OwnProposal", "ProblemNotFound",
    "ReasonRequired", "ServiceNotFound",
]
