"""Survey screens in words: the ballot, the officer's card and preview, results for the bot's own
screens (the same wording as the results notice, ``bot.notices.surveys``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.clock import clock, from_db
from bot.domain.surveys import Draft, HearingRef, Survey, Tally
from bot.domain.surveys import notices as facts
from bot.i18n import _, display_timezone, format_datetime, format_number, ngettext, numbered, use_locale
from bot.notices import surveys as worded
from bot.ui.messages import esc


def example_time(now: datetime | None = None) -> str:
    """Tomorrow 18:00 in the display zone, typed the way the bot expects it (``DD.MM.YYYY HH:MM``)."""
    local = ((now or clock.now()) + timedelta(days=1)).astimezone(display_timezone())
    return local.strftime("%d.%m.%Y") + " 18:00"


def results_text(survey: Survey, counts: Tally, locale: str, *, officer: bool = False) -> str:
    """Question, turnout and the counts that may be shown, in ``locale`` (the results notice's words);
    ``officer=True`` adds the warning about a burst of recent joiners."""
    with use_locale(locale):
        return worded.results_text(facts.results_facts(survey, counts, officer=officer))


def votes_text(n: int, locale: str) -> str:
    """"5 votes" in ``locale`` (ru 1 голос / 2 голоса / 5 голосов, ky 5 добуш)."""
    with use_locale(locale):
        return worded.votes_text(n)


def ballot_text(survey: Survey, locale: str, mine: frozenset[int]) -> str:
    """The ballot: question, options, how many may be chosen, closing time, the resident's own vote."""
    lines = [f"🗳 <b>{esc(survey.question(locale))}</b>", ""]
    lines += [f"{o.position}. {esc(o.text(locale))}" for o in survey.options]
    lines.append("")
    if survey.multiple:
        lines.append(ngettext("Choose up to {n} option, then press «Submit my vote».",
                              "Choose up to {n} options, then press «Submit my vote».",
                              survey.max_choices).format(n=survey.max_choices))
    else:
        lines.append(_("Choose one option."))
    lines.append(_("Voting is open until {closes}.").format(closes=format_datetime(survey.closes_at, locale)))
    if mine:
        lines.append(_("✅ Your vote is counted. You can change it until the survey closes."))
    lines.append(_("The vote is secret: nobody sees who voted for what. Results are shown after the survey closes."))
    return "\n".join(lines)


def card_text(survey: Survey, counts: Tally, locale: str) -> str:
    """The officer's card: while open, the turnout only; after close, the results."""
    state = survey.state()
    if state == "scheduled":
        status = _("Opens on {time}.").format(time=format_datetime(survey.opens_at, locale))
    elif state == "open":
        status = _("Open until {time}.").format(time=format_datetime(survey.closes_at, locale))
    else:
        status = _("Closed on {time}.").format(time=format_datetime(survey.closed_at or survey.closes_at, locale))
    header = f"{numbered(survey.id)} · {status}"
    if state == "closed":
        return header + "\n\n" + results_text(survey, counts, locale, officer=True)
    with use_locale(locale):
        lines = [header, "", f"<b>{esc(survey.question(locale))}</b>", worded.voters_text(counts.ballots),
                 _("Results per option are shown after the survey closes.")]
        if counts.burst:
            lines.append(worded.burst_line(counts.recent))
    return "\n".join(lines)


def preview_text(draft: Draft, locale: str, residents: int, hearing: HearingRef | None) -> str:
    """The preview shown before publishing: texts in both languages, the settings, the linked hearing."""
    lines = [_("<b>Preview</b>")]
    for label, question, index in ((_("Kyrgyz"), draft.question_ky, 0), (_("Russian"), draft.question_ru, 1)):
        if question:
            lines += ["", f"<b>{label}:</b> {esc(question)}"]
            lines += [f"{i}. {esc(opt[index] or opt[1 - index])}" for i, opt in enumerate(draft.options, start=1)]
    lines.append("")
    if draft.max_choices == 1:
        lines.append(_("One answer per resident."))
    else:
        lines.append(_("Each resident may choose up to {n} options.").format(n=draft.max_choices))
    lines.append(_("Opens: {opens}. Closes: {closes}.").format(
        opens=format_datetime(from_db(draft.opens_at or ""), locale),
        closes=format_datetime(from_db(draft.closes_at or ""), locale)))
    lines.append(_("Verified residents only.") if draft.verified_only else _("All residents of the municipality."))
    lines.append(ngettext("The announcement will go to {n} resident.", "The announcement will go to {n} residents.",
                          residents).format(n=format_number(residents, locale)))
    if hearing is not None:
        with use_locale(locale):
            lines.append(worded.hearing_line(facts.hearing_facts(hearing) or {}))
    return "\n".join(lines)


def options_summary(draft: Draft, index: int) -> str:
    """The options typed so far in one language (``index`` 0 ky, 1 ru), numbered."""
    return "\n".join(f"{i}. {esc(opt[index])}" for i, opt in enumerate(draft.options, start=1) if opt[index])
