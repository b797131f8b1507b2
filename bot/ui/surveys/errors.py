"""Why a survey or verification action was refused, in words (registered with ``@explains``)."""

from __future__ import annotations

from bot.domain import surveys as sv
from bot.domain import verification as ver
from bot.i18n import _, format_datetime, format_number, ngettext
from bot.ui.errors import explains
from bot.ui.surveys.texts import example_time


@explains(sv.NotOnboarded)
def _not_onboarded(error: sv.NotOnboarded) -> str:
    return _("Please finish choosing your language and municipality first: send /start.")


@explains(sv.SurveyNotFound)
def _no_survey(error: sv.SurveyNotFound) -> str:
    return _("This survey does not exist. Nothing was changed.")


@explains(sv.OptionNotFound)
def _no_option(error: sv.OptionNotFound) -> str:
    return _("This option is not in the survey. Nothing was changed.")


@explains(sv.SurveyWithdrawn)
def _withdrawn(error: sv.SurveyWithdrawn) -> str:
    return _("This survey was withdrawn by the municipality. Nothing was changed.")


@explains(sv.SurveyNotOpenYet)
def _not_open(error: sv.SurveyNotOpenYet) -> str:
    return _("This survey has not opened yet.")


@explains(sv.SurveyClosed)
def _closed(error: sv.SurveyClosed) -> str:
    return _("Voting in this survey has closed. Nothing was changed.")


@explains(sv.SurveyAlreadyClosed)
def _already_closed(error: sv.SurveyAlreadyClosed) -> str:
    return _("This survey has already closed.")


@explains(sv.SurveyOfAnotherMunicipality)
def _elsewhere(error: sv.SurveyOfAnotherMunicipality) -> str:
    return _("This survey is for another municipality. Nothing was changed.")


@explains(sv.ManagedElsewhere)
def _managed_elsewhere(error: sv.ManagedElsewhere) -> str:
    return _("This survey belongs to another municipality.")


@explains(sv.NotVerified)
def _not_verified(error: sv.NotVerified) -> str:
    return _("This survey is only for verified residents. Nothing was changed.")


@explains(sv.ResultsNotReady)
def _not_ready(error: sv.ResultsNotReady) -> str:
    return _("Results are shown after the survey closes, so that nobody is swayed by them.")


@explains(sv.ChoiceCountOutOfRange)
def _choices(error: sv.ChoiceCountOutOfRange) -> str:
    n = error.limit or 1
    return ngettext("Choose from 1 to {n} option.", "Choose from 1 to {n} options.", n).format(n=n)


@explains(sv.TooManyTicks)
def _ticks(error: sv.TooManyTicks) -> str:
    n = error.limit or 1
    return ngettext("You can choose at most {n} option. Untick one first.",
                    "You can choose at most {n} options. Untick one first.", n).format(n=n)


# -- the officer's draft -------------------------------------------------------------------------


@explains(sv.DraftIncomplete)
def _incomplete(error: sv.DraftIncomplete) -> str:
    return _("The draft is incomplete. Send /newsurvey to start again.")


@explains(sv.ClosingPassed)
def _closing_passed(error: sv.ClosingPassed) -> str:
    return _("The closing time has already passed. Send a new closing time.")


@explains(sv.OptionTooLong)
def _option_too_long(error: sv.OptionTooLong) -> str:
    length = error.actual or 0
    return ngettext(
        "An option is too long: {length} character, at most {limit}. Nothing from this message was added; "
        "shorten it and send it again.",
        "An option is too long: {length} characters, at most {limit}. Nothing from this message was added; "
        "shorten it and send it again.",
        length).format(length=format_number(length), limit=error.limit)


@explains(sv.TooManyOptions)
def _too_many_options(error: sv.TooManyOptions) -> str:
    count = error.actual or 0
    return ngettext(
        "A survey has at most {limit} options; with this message there would be {count}. "
        "Nothing from this message was added.",
        "A survey has at most {limit} options; with this message there would be {count}. "
        "Nothing from this message was added.",
        count).format(limit=error.limit, count=count)


@explains(sv.TranslationCountMismatch)
def _mismatch(error: sv.TranslationCountMismatch) -> str:
    n = error.limit or 0
    return ngettext(
        "There is {n} option in Kyrgyz; send exactly that many in Russian, in the same order. "
        "Nothing from this message was added.",
        "There are {n} options in Kyrgyz; send exactly that many in Russian, in the same order. "
        "Nothing from this message was added.", n).format(n=n)


@explains(sv.TranslationsMissing)
def _translations_missing(error: sv.TranslationsMissing) -> str:
    n = error.limit or 0
    return ngettext("Now send the same {n} option in Russian, in the same order.",
                    "Now send the same {n} options in Russian, in the same order.", n).format(n=n)


@explains(sv.TooFewProblems)
def _few_problems(error: sv.TooFewProblems) -> str:
    return _("Your municipality has fewer than 2 open problems. Type the options instead.")


@explains(sv.UnreadableTime)
def _unreadable(error: sv.UnreadableTime) -> str:
    if error.reason == "year":
        return _("The year must be from {min} to {max}. Send the time as DD.MM.YYYY HH:MM, for example {example}."
                 ).format(min=sv.YEAR_MIN, max=sv.YEAR_MAX, example=example_time())
    if error.reason == "date":
        return _("There is no such date or time. Send it again as DD.MM.YYYY HH:MM, for example {example}.").format(
            example=example_time())
    return _("I could not read the time. Send it as DD.MM.YYYY HH:MM in Bishkek time, for example {example}.").format(
        example=example_time())


@explains(sv.TooFarAhead)
def _too_far(error: sv.TooFarAhead) -> str:
    return _("That is more than a year ahead. Send an earlier time.")


@explains(sv.ClosesTooEarly)
def _too_early(error: sv.ClosesTooEarly) -> str:
    return _("The closing time must be later than the opening time and than now ({now}). Send another time.").format(
        now=format_datetime(error.earliest))


@explains(sv.ExtensionNotLater)
def _not_later(error: sv.ExtensionNotLater) -> str:
    return _("The new closing time must be later than the current one. Send another time.")


# -- verification ----------------------------------------------------------------------------------


@explains(ver.ContactNotOwn)
def _not_own(error: ver.ContactNotOwn) -> str:
    return _("This is not your own contact. Press «Share my phone number» to send the number of this "
             "Telegram account.")


@explains(ver.PhoneNotKyrgyz)
def _not_kg(error: ver.PhoneNotKyrgyz) -> str:
    return _("Only Kyrgyz phone numbers (+996) are accepted. If you have none, ask your municipality "
             "for a residence code.")


@explains(ver.AlreadyVerified)
def _already_verified(error: ver.AlreadyVerified) -> str:
    return _("You are already verified. Keep the code: it has not been used.")


@explains(ver.CodeRefused, ver.CodeUnknown)
def _code_unknown(error: ver.CodeRefused) -> str:
    return _("This residence code is not valid. Check it and try again.")


@explains(ver.CodeUsed)
def _code_used(error: ver.CodeUsed) -> str:
    return _("This residence code has already been used. Ask your municipality for a new one.")


@explains(ver.CodeOfAnotherMunicipality)
def _code_elsewhere(error: ver.CodeOfAnotherMunicipality) -> str:
    return _("This residence code is for another municipality than yours.")


@explains(ver.NotACode)
def _not_a_code(error: ver.NotACode) -> str:
    return _("That is not a residence code. A code has 8 letters and digits, like K7QM-4XPD. "
             "Or press «Share my phone number».")


@explains(ver.TooManyAttempts)
def _throttled(error: ver.TooManyAttempts) -> str:
    minutes = max(1, -(-int(error.retry_after.total_seconds()) // 60))
    return ngettext("Too many wrong codes. Try again in {n} minute.",
                    "Too many wrong codes. Try again in {n} minutes.", minutes).format(n=minutes)


@explains(ver.CodeCountOutOfRange)
def _code_count(error: ver.CodeCountOutOfRange) -> str:
    return _("Send the number of codes from 1 to {max}, for example: /codes 20").format(max=ver.MAX_BATCH)
