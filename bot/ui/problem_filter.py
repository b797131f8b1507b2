"""The officer's problem queue filtered by status (issue 12): solved and rejected problems can be
listed too, so a mistake can be found and undone. Its own callback format (``pqs``), beside the
queue's ``pq`` buttons already sent."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain import problems as pb
from bot.i18n import NC_, _
from bot.ui.callbacks import PageField
from bot.ui.keyboards import label


class QueueFilterCallback(CallbackData, prefix="pqs"):
    """``pick``: choose a status; ``show``: the queue of ``status`` at ``page`` (0-based).
    Longest: ``pqs:show:in_action_plan:1000000`` = 31 bytes."""

    action: str
    status: str = "new"
    page: PageField = 0


SHORT_STATUSES: dict[str, str] = {
    "prioritized": NC_("problem status on a button", "Priority"),
    "in_action_plan": NC_("problem status on a button", "In the action plan"),
    "at_hearing": NC_("problem status on a button", "At the hearing"),
    "in_budget": NC_("problem status on a button", "In the budget"),
}
"""Statuses whose full name (:data:`bot.domain.problems.STATUSES`) is too long for "🔎 Status: …" on a
360-px phone (issue 12: cut, "В совместном…" no longer says which); the others keep their full name."""


def button_status(status: str) -> str:
    """The status's name as a filter button shows it, in the current locale (short where the full one
    would be cut)."""
    return _(SHORT_STATUSES.get(status) or pb.STATUSES[status])


def filter_button(status: str) -> InlineKeyboardButton:
    """"🔎 Status: New" under the queue: opens the list of statuses."""
    return InlineKeyboardButton(text=label(_("🔎 Status: {status}").format(status=button_status(status))),
                                callback_data=QueueFilterCallback(action="pick", status=status).pack())


def filter_keyboard(current: str) -> InlineKeyboardMarkup:
    """Every status, one per row, the current one marked ✔️."""
    rows = [[InlineKeyboardButton(
        text=label(("✔️ " if key == current else "") + button_status(key)),
        callback_data=QueueFilterCallback(action="show", status=key).pack())] for key in pb.STATUSES]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def filter_prompt() -> str:
    """The text above the statuses."""
    return _("Which problems should the queue show? Choose a status.")
