"""Why the problems feature refuses an action: one class per rule, carrying its fields.

Each is explained once, in the reader's language, by ``bot.ui.problems.errors``; the general
classes they extend (:mod:`bot.domain.errors`) keep the handlers' and other features' ``except``
clauses working (``hearings`` catches ``InvalidInput`` for a problem that already has the status).
"""

from __future__ import annotations

from bot.domain.errors import DomainError, InvalidInput, NotFound, PermissionDenied, TextTooShort, Unchanged, WrongMunicipality
from bot.domain.problems.model import Problem


class ProblemNotFound(NotFound):
    """No problem with this id."""

    def __init__(self, problem_id: int | None = None) -> None:
        super().__init__("problem", id=problem_id)


class ProblemGone(DomainError):
    """The problem can no longer be acted on; ``problem`` is the problem as it is now."""

    def __init__(self, problem: Problem, message: str = "gone") -> None:
        super().__init__(message)
        self.problem = problem


class ProblemHidden(ProblemGone):
    """An officer hid the problem (resident side)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem, "hidden")


class ProblemMerged(ProblemGone):
    """The problem was merged into ``target_id`` (``problem.duplicate_of``); its supports count there."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem, "duplicate")
        self.target_id = problem.duplicate_of


class ProblemClosed(ProblemGone):
    """Solved or rejected: it can no longer be supported (``problem.status`` says which)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem, "closed")


class NoLongerSolved(ProblemClosed):
    """A "still a problem?" answer about a problem that is no longer marked solved."""


class HiddenLocked(ProblemHidden):
    """An officer's change to a hidden problem."""


class MergedLocked(ProblemMerged):
    """An officer's change to a problem already merged into another."""


class AlreadyPublished(DomainError):
    """This draft (its ``draft_token``) was already published as problem ``problem_id``."""

    def __init__(self, problem_id: int) -> None:
        super().__init__("already published")
        self.problem_id = problem_id


class NoMunicipality(PermissionDenied):
    """The resident has not chosen a municipality, so their problem has nowhere to go."""


class TooManyPhotos(InvalidInput):
    """More than :data:`~bot.domain.problems.model.MAX_PHOTOS` photos (``limit``/``actual``)."""


class StatusChanged(DomainError):
    """The problem's status is no longer the one the officer saw (another officer changed it
    meanwhile); ``problem`` is the problem as it is now."""

    def __init__(self, problem: Problem) -> None:
        super().__init__("status changed")
        self.problem = problem


class StatusUnchanged(Unchanged, InvalidInput):
    """The problem already has the status asked for (``problem_id``)."""

    def __init__(self, problem_id: int) -> None:
        InvalidInput.__init__(self, "unchanged")
        self.problem_id = problem_id


class ReasonRequired(TextTooShort):
    """Rejecting or hiding needs a reason: residents must know why."""

    def __init__(self) -> None:
        super().__init__(limit=1, actual=0)


class ForeignProblem(WrongMunicipality):
    """An officer acted on a problem of another municipality (``problem_id``)."""

    def __init__(self, problem_id: int) -> None:
        super().__init__("problem of another municipality")
        self.problem_id = problem_id


class NotYourMunicipality(WrongMunicipality):
    """A resident tried to support a problem of another municipality than theirs."""


class NotReadable(WrongMunicipality):
    """A resident opened a problem of another municipality they have nothing to do with."""


class NotASupporter(PermissionDenied):
    """Only the author and the supporters answer "still a problem?"."""


class BadProblemNumber(InvalidInput):
    """The officer typed something that is not a problem number."""


class DuplicateError(InvalidInput):
    """A "duplicate of" target that cannot take the problem in; ``target_id`` is the number typed."""

    def __init__(self, target_id: int, message: str) -> None:
        super().__init__(message)
        self.target_id = target_id


class DuplicateOfItself(DuplicateError):
    """The target is the problem itself."""

    def __init__(self, target_id: int) -> None:
        super().__init__(target_id, "self")


class TargetInOtherMunicipality(DuplicateError):
    """The target belongs to another municipality."""

    def __init__(self, target_id: int) -> None:
        super().__init__(target_id, "other municipality")


class TargetIsDuplicate(DuplicateError):
    """The target was itself merged into another problem."""

    def __init__(self, target_id: int) -> None:
        super().__init__(target_id, "target is duplicate")


class TargetClosed(DuplicateError):
    """The target is solved or rejected: merging supports into it would bury them."""

    def __init__(self, target_id: int) -> None:
        super().__init__(target_id, "target closed")


class TargetNotFound(NotFound):
    """No visible problem with the number typed (``id``)."""

    def __init__(self, target_id: int) -> None:
        super().__init__("target", id=target_id)
