"""Why a problems action was refused, in the reader's language (registered with :func:`explains`;
imported by ``bot.handlers.problems``)."""

from __future__ import annotations

from bot.domain import problems as pb
from bot.i18n import _
from bot.ui.errors import explains


def _status(problem: pb.Problem) -> str:
    return _(pb.STATUSES[problem.status])


@explains(pb.ProblemNotFound)
def _not_found(error: pb.ProblemNotFound) -> str:
    return _("This problem does not exist.")


@explains(pb.ProblemHidden)
def _hidden(error: pb.ProblemHidden) -> str:
    return _("This problem was hidden by the municipality's officer and is no longer available.")


@explains(pb.HiddenLocked)
def _hidden_locked(error: pb.HiddenLocked) -> str:
    return _("This problem is hidden; it cannot be changed any more.")


@explains(pb.ProblemMerged)
def _merged(error: pb.ProblemMerged) -> str:
    return _("This problem was merged into problem #{id}; your support counts there.").format(id=error.target_id)


@explains(pb.MergedLocked)
def _merged_locked(error: pb.MergedLocked) -> str:
    return _("This problem was merged into problem #{id}; it cannot be changed any more.").format(id=error.target_id)


@explains(pb.ProblemClosed)
def _closed(error: pb.ProblemClosed) -> str:
    return _("This problem is closed ({status}) and cannot be supported any more.").format(status=_status(error.problem))


@explains(pb.NoLongerSolved)
def _no_longer_solved(error: pb.NoLongerSolved) -> str:
    return _("Thank you! This problem is no longer marked solved: its status is «{status}».").format(
        status=_status(error.problem))


@explains(pb.AlreadyPublished)
def _published(error: pb.AlreadyPublished) -> str:
    return _("This draft was already published or cancelled.")


@explains(pb.NoMunicipality)
def _no_municipality(error: pb.NoMunicipality) -> str:
    return _("This draft cannot be published. Send /problems to start again.")


@explains(pb.StatusChanged)
def _status_changed(error: pb.StatusChanged) -> str:
    return _("The status of this problem has changed meanwhile; here is the current card.")


@explains(pb.StatusUnchanged)
def _unchanged(error: pb.StatusUnchanged) -> str:
    return _("Problem #{id} already has this status.").format(id=error.problem_id)


@explains(pb.ReasonRequired)
def _reason(error: pb.ReasonRequired) -> str:
    return _("Please write the reason: residents need to know why.")


@explains(pb.ForeignProblem)
def _foreign(error: pb.ForeignProblem) -> str:
    return _("This problem belongs to another municipality. You can manage only the problems of your own.")


@explains(pb.NotYourMunicipality)
def _support_foreign(error: pb.NotYourMunicipality) -> str:
    return _("You can support only problems of your own municipality.")


@explains(pb.NotReadable)
def _read_foreign(error: pb.NotReadable) -> str:
    return _("This problem belongs to another municipality; you can open only the problems of your own.")


@explains(pb.NotASupporter)
def _not_supporter(error: pb.NotASupporter) -> str:
    return _("Only residents who support this problem can answer.")


@explains(pb.BadProblemNumber)
def _bad_number(error: pb.BadProblemNumber) -> str:
    return _("Send the number of the problem, for example 12. /cancel — stop.")


@explains(pb.TargetNotFound)
def _no_target(error: pb.TargetNotFound) -> str:
    return _("There is no problem #{id}. Send another number, or /cancel.").format(id=error.id)


@explains(pb.DuplicateOfItself)
def _itself(error: pb.DuplicateOfItself) -> str:
    return _("A problem cannot be a duplicate of itself. Send another number, or /cancel.")


@explains(pb.TargetInOtherMunicipality)
def _target_foreign(error: pb.TargetInOtherMunicipality) -> str:
    return _("Problem #{id} belongs to another municipality. Send another number, or /cancel.").format(id=error.target_id)


@explains(pb.TargetIsDuplicate)
def _target_duplicate(error: pb.TargetIsDuplicate) -> str:
    return _("Problem #{id} is itself a duplicate. Send the number of the problem it was merged into, or "
             "/cancel.").format(id=error.target_id)


@explains(pb.TargetClosed)
def _target_closed(error: pb.TargetClosed) -> str:
    return _("Problem #{id} is already solved or rejected: only an open problem can take in a duplicate. "
             "Send the number of an open problem, or /cancel.").format(id=error.target_id)
