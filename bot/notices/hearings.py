"""Public hearings as residents receive them: the announcement, a change, a cancellation, the
24-hour and 1-hour reminders, the outcome. Facts come from ``bot.domain.hearings.notices``.

The announcement card is also what residents and officers see in the chat (:func:`card_text`), and
the officer's preview renders the same notice, so a preview is exactly what residents will get.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.domain.clock import from_db
from bot.domain.hearings import notices as kinds
from bot.domain.hearings.rules import local_day
from bot.i18n import _, current_locale, format_date, format_number, format_time, ngettext, numbered
from bot.notices import Rendered, esc, pick, renders
from bot.ui.hearings import card_rows, linked_surveys, outcome_rows, reminder_rows, topic_label, when_text


def card_text(facts: Mapping[str, Any]) -> str:
    """The announcement card: status, topic, title, date with weekday, place, linked surveys, agenda (HTML)."""
    locale = current_locale()
    starts = from_db(facts["starts_at"])
    lines = [_("📣 <b>Public hearing</b>"), f"<b>{esc(pick(facts, 'title', locale))}</b>", "",
             _("Topic: {topic}").format(topic=topic_label(facts["topic"])),
             _("🗓 When: {when}").format(when=when_text(starts)),
             _("📍 Where: {place}").format(place=esc(facts["place"]))]
    if facts.get("status") == "cancelled":
        lines.insert(0, _("❌ This hearing has been cancelled."))
    elif facts.get("status") == "held":
        lines.insert(0, _("✅ This hearing has taken place."))
    surveys = [question for _sid, question in linked_surveys(facts) if question]
    if len(surveys) == 1:
        lines.append(_("🗳 Survey before the hearing: {question}").format(question=esc(surveys[0])))
    elif surveys:
        lines.append(_("🗳 Surveys before the hearing:"))
        lines += [f"• {esc(question)}" for question in surveys]
    lines += ["", _("<b>Agenda</b>"), esc(pick(facts, "agenda", locale))]
    return "\n".join(lines)


@renders(kinds.ANNOUNCEMENT)
def announcement(facts: Mapping[str, Any]) -> Rendered:
    """The card with the residents' buttons (the attached photo is added by ``render``)."""
    return Rendered(card_text(facts), card_rows(facts))


@renders(kinds.CHANGED)
def changed(facts: Mapping[str, Any]) -> Rendered:
    """What changed, then the updated card with its buttons."""
    starts = from_db(facts["starts_at"])
    lines = [_("✏️ <b>The public hearing has been changed.</b>")]
    what = facts.get("changed") or []
    if "time" in what:
        lines.append(_("The date and time have changed: now {date}, {time}.").format(
            date=format_date(starts, weekday=True), time=format_time(starts)))
    if "place" in what:
        lines.append(_("The place has changed: {place}.").format(place=esc(facts["place"])))
    if "agenda" in what:
        lines.append(_("The agenda has changed; the new agenda is below."))
    return Rendered("\n".join(lines) + "\n\n" + card_text(facts), card_rows(facts))


@renders(kinds.CANCELLED)
def cancelled(facts: Mapping[str, Any]) -> Rendered:
    """The cancellation of the hearing as it was planned, with the reason when given."""
    starts = from_db(facts["starts_at"])
    text = _("❌ The public hearing «{title}» planned for {date}, {time} has been cancelled.").format(
        title=esc(pick(facts, "title", current_locale())), date=format_date(starts, weekday=True),
        time=format_time(starts))
    if facts.get("reason"):
        text += "\n" + _("Reason: {reason}").format(reason=esc(facts["reason"]))
    return Rendered(text)


def reminder(facts: Mapping[str, Any]) -> Rendered:
    """The 24-hour or 1-hour reminder.

    The 24-hour one names the day by the calendar in Bishkek as of ``sent_at``: "today" when it goes
    out on the day itself (a late announcement, or the bot was down), "tomorrow" the day before,
    else the weekday and date.
    """
    starts = from_db(facts["starts_at"])
    if facts["kind"] == "1h":
        head = _("⏰ The public hearing «{title}» starts in one hour, at {time}.")
    else:
        days = (local_day(starts) - local_day(from_db(facts["sent_at"]))).days
        if days <= 0:
            head = _("⏰ Reminder: the public hearing «{title}» is today at {time}.")
        elif days == 1:
            head = _("⏰ Reminder: the public hearing «{title}» is tomorrow, {when}.")
        else:
            head = _("⏰ Reminder: the public hearing «{title}» is on {when}.")
    text = "\n".join([head.format(title=esc(pick(facts, "title", current_locale())), time=format_time(starts),
                                  when=when_text(starts)),
                      _("📍 Where: {place}").format(place=esc(facts["place"]))])
    return Rendered(text, reminder_rows(facts))


renders(kinds.REMINDER.format(kind="24h"))(reminder)
renders(kinds.REMINDER.format(kind="1h"))(reminder)


def problem_excerpt(excerpt: str | None) -> str:
    """An accepted problem's excerpt as listed (escaped): its text, "🎤 voice message" for a problem
    told only by voice (``None``), nothing for one that no longer exists (``""``)."""
    return _("🎤 voice message") if excerpt is None else esc(excerpt)


def outcome_text(facts: Mapping[str, Any]) -> str:
    """The outcome: title and date, participants, decisions, accepted problems (HTML)."""
    locale = current_locale()
    starts = from_db(facts["starts_at"])
    lines = [_("📋 <b>Outcome of the public hearing</b>"), f"<b>{esc(pick(facts, 'title', locale))}</b>",
             _("🗓 When: {when}").format(when=when_text(starts))]
    participants = facts.get("participants")
    if participants is not None:
        lines.append(ngettext("{n} participant took part.", "{n} participants took part.", participants).format(
            n=format_number(participants)))
    lines += ["", _("<b>Decisions</b>"), esc(pick(facts, "decisions", locale))]
    problems = facts.get("problems") or []
    if problems:
        lines += ["", _("<b>Accepted problems and proposals</b>")]
        lines += [f"{numbered(pid)} {problem_excerpt(excerpt)}".rstrip() for pid, excerpt in problems]
    return "\n".join(lines)


@renders(kinds.OUTCOME)
def outcome(facts: Mapping[str, Any]) -> Rendered:
    """The outcome with the minutes' button when minutes are attached."""
    return Rendered(outcome_text(facts), outcome_rows(facts))
