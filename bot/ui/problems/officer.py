"""Officer screens of the problems feature: the queue of new problems and the officer's card."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain import problems as pb
from bot.i18n import _, format_number, ngettext, numbered
from bot.ui.messages import esc
from bot.ui.problems.callbacks import PAGE_SIZE, OfficerProblemCallback, OfficerQueueCallback
from bot.ui.problems.cards import age_text, card_text, category_label, media_row, problem_excerpt, status_label
from bot.ui.problems.cards import list_label, supports_text, visible_length


def queue_keyboard() -> InlineKeyboardMarkup:
    """"« Queue": back to the first page of new problems."""
    return InlineKeyboardMarkup(inline_keyboard=[[queue_button()]])


def queue_button() -> InlineKeyboardButton:
    return InlineKeyboardButton(text=_("« Queue"), callback_data=OfficerQueueCallback(action="page").pack())


def render_queue(problems: Sequence[pb.Problem], total: int, page: int,
                 status: str = "new") -> tuple[str, InlineKeyboardMarkup]:
    """The officer's queue of problems with ``status`` (new ones oldest first), with a status filter."""
    from bot.ui.problem_filter import QueueFilterCallback, filter_button

    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    if status == "new":
        lines = [_("<b>New problems to review</b>: {count}").format(count=format_number(total))]
    else:
        lines = [_("<b>Problems with the status «{status}»</b>: {count}").format(
            status=status_label(status), count=format_number(total))]
    builder = InlineKeyboardBuilder()
    for problem in problems:
        lines.append(f"\n<b>{numbered(problem.id)}</b> · {category_label(problem.category)} · {age_text(problem.created)}\n"
                     f"{problem_excerpt(problem)}\n👍 {supports_text(problem.supports)}")
        builder.row(InlineKeyboardButton(text=list_label(problem),
                                         callback_data=OfficerProblemCallback(action="open", id=problem.id).pack()))
    def to(target: int) -> str:
        if status == "new":
            return OfficerQueueCallback(action="page", page=target).pack()
        return QueueFilterCallback(action="show", status=status, page=target).pack()

    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton(text="‹", callback_data=to(page - 1)))
    if page < pages - 1:
        nav.append(InlineKeyboardButton(text="›", callback_data=to(page + 1)))
    if nav:
        builder.row(*nav)
    builder.row(filter_button(status))
    builder.row(InlineKeyboardButton(text=_("📊 For the hearing: table and chart"),
                                     callback_data=OfficerQueueCallback(action="export").pack()))
    return "\n".join(lines), builder.as_markup()


def _status_button(text: str, problem: pb.Problem, status: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=OfficerProblemCallback(
        action="status", id=problem.id, arg=status, seen=problem.status).pack())


def still_text(count: int) -> str:
    """"🔁 3 residents say it is still a problem": the "still a problem" answers to a solved problem."""
    return ngettext("🔁 {count} resident says it is still a problem.",
                    "🔁 {count} residents say it is still a problem.", count).format(count=format_number(count))


def render_officer_card(problem: pb.Problem, events: Sequence[pb.ProblemEvent], *,
                        all_statuses: bool = False, still: int = 0) -> tuple[str, InlineKeyboardMarkup]:
    """The problem with the officer's actions: next status, other statuses, reject, duplicate, hide.
    Status buttons carry the status shown (``seen``), so a change made meanwhile is detected. ``still``:
    the "still a problem" answers since it was marked solved (:func:`bot.domain.problems.still_count`),
    shown when there are any."""
    hidden = ""
    if problem.status == "solved" and still > 0:
        hidden = "\n\n" + still_text(still)
    if problem.hidden:
        hidden += "\n\n" + _("Hidden. Reason: {reason}").format(reason=esc(problem.hidden_reason or ""))
    text, shortened = card_text(problem, events, supporting=False, reserve=visible_length(hidden))
    text += hidden
    builder = InlineKeyboardBuilder()
    if not problem.hidden and problem.status != "duplicate":
        if all_statuses:  # the next status of the cycle first (the usual step), then the others in order
            following = pb.CHAIN[pb.CHAIN.index(problem.status) + 1] if problem.status in pb.CHAIN[:-1] else None
            order = ([following] if following else []) + [s for s in pb.CHAIN if s not in (following, problem.status)]
            for status in order:
                builder.row(_status_button(status_label(status), problem, status))
        else:
            if problem.status in pb.CHAIN[:-1]:
                following = pb.CHAIN[pb.CHAIN.index(problem.status) + 1]
                builder.row(_status_button(_("→ {status}").format(status=status_label(following)), problem, following))
            builder.row(InlineKeyboardButton(text=_("Other status…"), callback_data=OfficerProblemCallback(
                action="more", id=problem.id).pack()))
        builder.row(
            InlineKeyboardButton(text=_("Reject"), callback_data=OfficerProblemCallback(action="reject", id=problem.id).pack()),
            InlineKeyboardButton(text=_("Duplicate of…"), callback_data=OfficerProblemCallback(action="dup", id=problem.id).pack()),
            InlineKeyboardButton(text=_("Hide"), callback_data=OfficerProblemCallback(action="hide", id=problem.id).pack()),
        )
    media = media_row(problem, shortened=shortened)
    if media:
        builder.row(*media)
    builder.row(queue_button())
    return text, builder.as_markup()
