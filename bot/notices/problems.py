"""What the problems feature tells residents and officers (status changes, merges, hiding,
reopening), in the recipient's language, with the buttons to open the problem or answer
"still a problem?" (callback formats of ``bot.ui.problems``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.types import InlineKeyboardButton

from bot.domain.problems import STATUSES
from bot.domain.problems import notices as kinds
from bot.i18n import _, ngettext
from bot.notices import Rendered, esc, renders
from bot.ui.problems.callbacks import open_card_data, still_data


def _excerpt(facts: Mapping[str, Any]) -> str:
    """The escaped start of the problem's text, or "voice message"."""
    return esc(facts["excerpt"]) if facts.get("excerpt") else _("🎤 voice message")


def _open(problem_id: int) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(text=_("Open the problem"), callback_data=open_card_data(problem_id, fresh=True))]


def _comment(facts: Mapping[str, Any]) -> str:
    comment = facts.get("comment")
    return "\n" + _("Officer's comment: {comment}").format(comment=esc(comment)) if comment else ""


@renders(kinds.STATUS)
def status_changed(facts: Mapping[str, Any]) -> Rendered:
    """The new status (or the rejection with its reason); for ``solved``, "still a problem?" buttons."""
    pid, status = int(facts["id"]), str(facts["status"])
    if status == "rejected":
        text = _("Problem #{id} «{excerpt}» was rejected.\nReason: {reason}").format(
            id=pid, excerpt=_excerpt(facts), reason=esc(facts.get("comment") or ""))
    else:
        text = _("Problem #{id} «{excerpt}» has a new status: <b>{status}</b>.").format(
            id=pid, excerpt=_excerpt(facts), status=_(STATUSES[status])) + _comment(facts)
    rows = [_open(pid)]
    if status == "solved":
        text += "\n\n" + _("Is it really solved? If it is still a problem, tell us with one tap.")
        rows.insert(0, [
            InlineKeyboardButton(text=_("Still a problem"), callback_data=still_data(pid, True)),
            InlineKeyboardButton(text=_("Solved, thank you"), callback_data=still_data(pid, False)),
        ])
    return Rendered(text, rows)


@renders(kinds.DUPLICATE)
def merged(facts: Mapping[str, Any]) -> Rendered:
    """The problem was merged into another; the button opens the target."""
    target = int(facts["target"])
    text = _(
        "Problem #{id} «{excerpt}» describes the same as problem #{target} and was merged into it. "
        "Your support now counts there.",
    ).format(id=facts["id"], excerpt=_excerpt(facts), target=target) + _comment(facts)
    return Rendered(text, [_open(target)])


@renders(kinds.HIDDEN)
def hidden(facts: Mapping[str, Any]) -> Rendered:
    """To the author: their problem was hidden, and why."""
    return Rendered(_(
        "Your problem #{id} «{excerpt}» was hidden by the municipality's officer and is no longer shown "
        "to other residents.\nReason: {reason}",
    ).format(id=facts["id"], excerpt=_excerpt(facts), reason=esc(facts.get("reason") or "")))


@renders(kinds.REOPENED_OFFICERS)
def reopened_for_officers(facts: Mapping[str, Any]) -> Rendered:
    """To the municipality's officers: enough residents say a solved problem is still a problem."""
    count = int(facts["count"])
    text = ngettext(
        "Problem #{id} «{excerpt}» was marked solved, but {count} resident says it is still a problem. "
        "It is back under review.",
        "Problem #{id} «{excerpt}» was marked solved, but {count} residents say it is still a problem. "
        "It is back under review.",
        count,
    ).format(id=facts["id"], excerpt=_excerpt(facts), count=count)
    return Rendered(text, [_open(int(facts["id"]))])


@renders(kinds.REOPENED_RESIDENTS)
def reopened_for_residents(facts: Mapping[str, Any]) -> Rendered:
    """To the author and the supporters: the problem is back under review."""
    count = int(facts["count"])
    text = ngettext(
        "Problem #{id} «{excerpt}» is back under review: {count} resident says it is still a problem.",
        "Problem #{id} «{excerpt}» is back under review: {count} residents say it is still a problem.",
        count,
    ).format(id=facts["id"], excerpt=_excerpt(facts), count=count)
    return Rendered(text, [_open(int(facts["id"]))])
