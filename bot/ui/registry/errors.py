"""Why the registry refused: one sentence per error class of :mod:`bot.domain.registry.errors`
(the too-long/too-short ones, and :class:`~bot.domain.registry.ReasonRequired`, are the general
texts of :mod:`bot.ui.errors`)."""

from __future__ import annotations

from bot.domain.registry import (
    AlreadyRated,
    AlreadySupported,
    BadProblemNumber,
    BadResolutionDate,
    InvalidTransition,
    NameRequired,
    NotRateable,
    NotSupportable,
    OwnProposal,
    ProblemNotFound,
    ServiceNotFound,
)
from bot.i18n import _, format_date
from bot.ui.errors import explains


@explains(ServiceNotFound)
def _not_in_registry(error: ServiceNotFound) -> str:
    return _("This service is not in the registry of your municipality.")


@explains(ProblemNotFound)
def _no_problem(error: ProblemNotFound) -> str:
    return _("There is no problem #{id} in your municipality. Send another number, or /cancel.").format(id=error.id)


@explains(BadProblemNumber)
def _bad_number(error: BadProblemNumber) -> str:
    return _("Send the number of the priority problem, for example 12. /cancel — stop.")


@explains(BadResolutionDate)
def _bad_date(error: BadResolutionDate) -> str:
    return _("I could not read the date. Send it as DD.MM.YYYY, for example 03.03.2025.")


@explains(NameRequired)
def _name_required(error: NameRequired) -> str:
    return _("A service needs a name in at least one language, and this is its only name: "
             "send a new name instead of «-», or /cancel.")


@explains(InvalidTransition)
def _moved_meanwhile(error: InvalidTransition) -> str:
    return _("The status of this service has changed meanwhile. Open it again.")


@explains(NotSupportable)
def _not_supportable(error: NotSupportable) -> str:
    return _("Only proposals that are still being considered can be supported.")


@explains(OwnProposal)
def _own(error: OwnProposal) -> str:
    return _("This is your own proposal: it already counts as yours.")


@explains(AlreadySupported)
def _supported(error: AlreadySupported) -> str:
    return _("You have already supported this proposal.")


@explains(AlreadyRated)
def _rated(error: AlreadyRated) -> str:
    return _("You have already rated this service this quarter. You can rate it again from {date}.").format(
        date=format_date(error.again_from))


@explains(NotRateable)
def _not_rateable(error: NotRateable) -> str:
    return _("Only services included in the registry can be rated.")
