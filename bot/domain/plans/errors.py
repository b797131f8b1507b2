"""Why the plans feature refuses an action: one class per rule, explained once in ``bot.ui.plans``."""

from __future__ import annotations

from bot.domain.errors import AlreadyDone, DomainError, InvalidInput, NotFound, PermissionDenied


class ItemNotFound(NotFound):
    """No such item, or it belongs to another municipality than the actor's (a crafted or stale button)."""

    def __init__(self, id: int | None = None) -> None:
        super().__init__("plan item", id=id)


class ProblemNotInMunicipality(NotFound):
    """No such visible priority problem in the item's municipality: ``id`` is the number typed."""

    def __init__(self, id: int) -> None:
        super().__init__("problem", id=id)


class BadAmount(InvalidInput):
    """Not a whole number of som from 0 (or 1) to :data:`~.model.MONEY_MAX`: ``text`` as typed (cut)."""

    def __init__(self, text: str) -> None:
        super().__init__(f"bad amount {text!r}")
        self.text = text


class BadDate(InvalidInput):
    """Not a date ``DD.MM.YYYY`` (or no such day): ``text`` as typed (cut)."""

    def __init__(self, text: str) -> None:
        super().__init__(f"bad date {text!r}")
        self.text = text


class BadProblemList(InvalidInput):
    """The problem numbers could not be read (``12, 15``): ``text`` as typed (cut)."""

    def __init__(self, text: str) -> None:
        super().__init__(f"bad problem list {text!r}")
        self.text = text


class StepNotFound(NotFound):
    """No such step of the item."""

    def __init__(self, id: int | None = None) -> None:
        super().__init__("plan step", id=id)


class ProposalPending(AlreadyDone):
    """The item already has a proposal waiting for the council's decision."""


class NoPendingProposal(DomainError):
    """The item has no proposal waiting for a decision (already decided, or never proposed)."""


class NotAMember(PermissionDenied):
    """Only a current member of the municipality's monitoring group may do this."""


class OtherMunicipalityMember(PermissionDenied):
    """The member belongs to another municipality's group than the item's: members act only in their own."""


class AlreadyMember(AlreadyDone):
    """The resident is already a member of a monitoring group (``municipality_code``)."""

    def __init__(self, municipality_code: str) -> None:
        super().__init__(municipality_code)
        self.municipality_code = municipality_code


class MemberInviteInvalid(InvalidInput):
    """No such monitoring-group invite code, already used, or expired (``reason``: unknown/used/expired)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotYourMunicipality(PermissionDenied):
    """The invite is for a municipality other than the one the resident registered in."""


class ReportNotFound(NotFound):
    """No such monitoring report in the officer's municipality (or it is hidden for this reader)."""

    def __init__(self, id: int | None = None) -> None:
        super().__init__("monitoring report", id=id)


__all__ = [
    "AlreadyMember", "BadAmount", "BadDate", "BadProblemList", "ItemNotFound", "MemberInviteInvalid", "NoPendingProposal",
    "NotAMember", "NotYourMunicipality", "OtherMunicipalityMember", "ProblemNotInMunicipality", "ProposalPending",
    "ReportNotFound", "StepNotFound",
]
