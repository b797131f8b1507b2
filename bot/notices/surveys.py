"""Surveys as residents receive them: the announcement when one opens, the extension (to those who
voted) and the results when it closes. The results text is also what residents and officers see in
the bot (``bot.ui.surveys.results_text``), so every place applies the secrecy rule the same way: the
facts carry only the counts that may be shown (``bot.domain.surveys.notices``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.types import InlineKeyboardButton

from bot.domain.clock import from_db
from bot.i18n import _, current_locale, format_datetime, format_number, format_share, ngettext
from bot.notices import Rendered, esc, pick, renders
from bot.ui.surveys.callbacks import survey_open_data


def votes_text(n: int) -> str:
    """"5 votes" with the right plural form: ru "1 голос, 2 голоса, 5 голосов", ky "5 добуш"."""
    return ngettext("{n} vote", "{n} votes", n).format(n=format_number(n))


def voters_text(n: int) -> str:
    """Turnout: "{n} residents voted" in the right plural form."""
    return ngettext("{n} resident has voted.", "{n} residents have voted.", n).format(n=format_number(n))


def hearing_line(hearing: Mapping[str, Any]) -> str:
    """"The results will be presented at the public hearing …" (``hearing``: title_ky/ru, starts_at)."""
    return _("The results will be presented at the public hearing «{title}» on {date}.").format(
        title=esc(pick(hearing, "title", current_locale())), date=format_datetime(from_db(hearing["starts_at"])))


def _open_button(facts: Mapping[str, Any], label: str) -> list[list[InlineKeyboardButton]]:
    data = survey_open_data(int(facts["survey_id"]), fresh=True)  # a new message: the notification stays
    return [[InlineKeyboardButton(text=label, callback_data=data)]]


@renders("survey_announcement")
def announcement(facts: Mapping[str, Any]) -> Rendered:
    """The question, the numbered options, the closing time, who may vote, the linked hearing; "Vote"."""
    locale = current_locale()
    lines = [_("🗳 <b>New survey</b>"), "", f"<b>{esc(pick(facts, 'question', locale))}</b>", ""]
    lines += [f"{o['position']}. {esc(pick(o, 'text', locale))}" for o in facts["options"]]
    lines.append("")
    lines.append(_("Voting is open until {closes}.").format(closes=format_datetime(from_db(facts["closes_at"]))))
    if facts.get("verified_only"):
        lines.append(_("Only verified residents can vote in this survey."))
    if facts.get("hearing"):
        lines.append(hearing_line(facts["hearing"]))
    return Rendered("\n".join(lines), _open_button(facts, _("Vote")))


@renders("survey_extended")
def extended(facts: Mapping[str, Any]) -> Rendered:
    """The new closing time, to those who voted: they may still change their vote."""
    text = _("⏳ The survey «{question}» is extended. It now closes on {closes}. "
             "You can still change your vote.").format(
        question=esc(pick(facts, "question", current_locale())), closes=format_datetime(from_db(facts["closes_at"])))
    return Rendered(text, _open_button(facts, _("Open the survey")))


def results_text(facts: Mapping[str, Any]) -> str:
    """Question, turnout and per-option counts with percentages of voters, under the secrecy rule.

    Options whose ``votes`` is ``None`` show "hidden to keep votes secret" (neither count nor share),
    after the shown ones, in position order; when every option is hidden only the turnout shows.
    ``recent`` above 0 (the officer's view only) flags a burst of recent joiners (a count, no identities).
    """
    locale = current_locale()
    ballots = int(facts["ballots"])
    least = int(facts["min_group"])
    options = list(facts["options"])
    lines = [f"<b>{esc(pick(facts, 'question', locale))}</b>", voters_text(ballots)]
    if facts["too_few"]:
        lines.append(_("Fewer than {min} residents voted, so the results are not shown: "
                       "this keeps every vote secret.").format(min=least))
    elif all(o["votes"] is None for o in options):
        lines.append(_("The votes per option are not shown: with so few votes for some options, "
                       "how a group of fewer than {min} residents voted could be worked out.").format(min=least))
    else:
        lines.append("")
        shown = sorted((o for o in options if o["votes"] is not None), key=lambda o: (-o["votes"], o["position"]))
        for option in shown:
            n = int(option["votes"])
            lines.append(_("{option}: {votes} ({share})").format(
                option=esc(pick(option, "text", locale)), votes=votes_text(n),
                share=format_share(n / ballots if ballots else 0.0)))
        hidden = [o for o in options if o["votes"] is None]
        for option in hidden:
            lines.append(_("{option}: hidden to keep votes secret").format(option=esc(pick(option, "text", locale))))
        if hidden:
            lines.append("")
            lines.append(_("Options chosen by fewer than {min} voters are hidden, and so is any count "
                           "from which their votes could be worked out.").format(min=least))
        if int(facts["max_choices"]) > 1:
            lines.append("")
            lines.append(_("Each voter could choose up to {n} options; percentages are of voters.").format(
                n=facts["max_choices"]))
    recent = int(facts.get("recent") or 0)
    if recent:
        lines.append("")
        lines.append(burst_line(recent))
    return "\n".join(lines)


def burst_line(recent: int) -> str:
    """For the officer's information (not an accusation: people join right after an announcement in a
    village group, issue 12): how many votes came from residents who joined shortly before voting."""
    return ngettext(
        "ℹ️ For your information: {n} vote came from a resident who joined the bot less than an hour before "
        "voting. This is usual right after an announcement; if the survey was not announced, it may be worth "
        "a look.",
        "ℹ️ For your information: {n} votes came from residents who joined the bot less than an hour before "
        "voting. This is usual right after an announcement; if the survey was not announced, it may be worth "
        "a look.",
        recent).format(n=format_number(recent))


@renders("survey_results")
def results(facts: Mapping[str, Any]) -> Rendered:
    """"The survey has closed", then :func:`results_text`."""
    return Rendered(_("🗳 The survey has closed.") + "\n\n" + results_text(facts))
