"""Resident screens of the problems feature: home, lists, the card with its history, the draft's
preview. Every text shown from a problem goes through :func:`bot.ui.messages.esc` here, after it
was cleaned when stored (``clean_user_text``), so "<b> & <3" reads exactly as typed."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain import problems as pb
from bot.domain.clock import clock, from_db
from bot.domain.text import utf16_length
from bot.i18n import _, format_date, format_datetime, format_number, ngettext, numbered, pgettext
from bot.ui.callbacks import MenuCallback
from bot.ui.messages import esc
from bot.ui.problems.callbacks import PAGE_SIZE, OfficerProblemCallback, ProblemCallback, still_data

CARD_MAX = 4000
"""Telegram counts at most 4,096 UTF-16 units of visible text per message; a little is kept spare.
A text within the character limit can be twice as long in UTF-16 (emoji), so cards are bounded here."""
_TAG = re.compile(r"<[^>]+>")


def visible_length(html_text: str) -> int:
    """Length of an HTML message as Telegram counts it: tags removed, entities decoded, UTF-16 units."""
    return utf16_length(html.unescape(_TAG.sub("", html_text)))


def fit_utf16(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-16 units (never inside a surrogate pair), "…" added when cut.
    Cut BEFORE escaping."""
    if utf16_length(text) <= limit:
        return text
    out, used = [], 0
    for char in text:
        size = 2 if ord(char) > 0xFFFF else 1
        if used + size > limit - 1:
            break
        out.append(char)
        used += size
    return "".join(out).rstrip() + "…"


def _button(text: str, data: ProblemCallback | OfficerProblemCallback) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


# -- small pieces ---------------------------------------------------------------------------------


def category_label(category: str, locale: str | None = None) -> str:
    """Icon and localized name of a category."""
    return f"{pb.CATEGORY_ICONS.get(category, '')} {_(pb.CATEGORIES[category], locale=locale)}".strip()


def status_label(status: str, locale: str | None = None) -> str:
    """Localized name of a status."""
    return _(pb.STATUSES[status], locale=locale)


def supports_text(count: int, locale: str | None = None) -> str:
    """"12 residents support it" with the right plural form."""
    return ngettext("{count} resident supports it", "{count} residents support it", count, locale=locale).format(
        count=format_number(count, locale))


def age_text(created: datetime, locale: str | None = None) -> str:
    """"today" or "3 days ago" (whole days since ``created``)."""
    days = max(0, (clock.now() - created).days)
    if days == 0:
        return _("today", locale=locale)
    return ngettext("{count} day ago", "{count} days ago", days, locale=locale).format(count=days)


def list_label(problem: pb.Problem, locale: str | None = None) -> str:
    """A list button that says what it opens: the category's icon and the first words of the text, then
    the number the list above shows ("🚰 Вода не идет третий… №12"), one per row (issue 12: not a bare
    "№12" to match with the text)."""
    from bot.ui.keyboards import item_label

    body = pb.excerpt(problem.text) if problem.text else _("🎤 voice message", locale=locale)
    return item_label(pb.CATEGORY_ICONS.get(problem.category, ""), body, number=problem.id)


def problem_excerpt(problem: pb.Problem, locale: str | None = None) -> str:
    """Escaped excerpt of the text, or the voice-message mark."""
    if problem.text:
        return esc(pb.excerpt(problem.text))
    return _("🎤 voice message", locale=locale)


def single_button(text: str, data: Any) -> InlineKeyboardMarkup:
    """A keyboard of one button carrying ``data`` (a ``CallbackData``)."""
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=text, callback_data=data.pack())]])


def open_keyboard(problem_id: int) -> InlineKeyboardMarkup:
    """"Open the problem" under a confirmation."""
    return single_button(_("Open the problem"), ProblemCallback(action="open", id=problem_id))


# -- resident screens -------------------------------------------------------------------------------


def home_text(municipality: str, open_count: int) -> str:
    """The problems screen of a municipality."""
    return _(
        "<b>Problems of {municipality}</b>\n"
        "Raise a problem of your village or town, or support the ones that matter to you. "
        "The most supported problems go to the public hearing.\n\nOpen problems: {count}"
    ).format(municipality=esc(municipality), count=format_number(open_count))


def home_keyboard() -> InlineKeyboardMarkup:
    """Lists, "raise a problem", and the way back to the main menu."""
    builder = InlineKeyboardBuilder()
    builder.button(text=_("📋 Priority problems"), callback_data=ProblemCallback(action="list", src="r"))
    builder.button(text=_("➕ Raise a problem"), callback_data=ProblemCallback(action="new"))
    builder.button(text=_("🙋 My problems"), callback_data=ProblemCallback(action="list", src="m"))
    builder.button(text=_("👍 Problems I support"), callback_data=ProblemCallback(action="list", src="s"))
    builder.button(text=_("« Main menu"), callback_data=MenuCallback(action="home"))
    builder.adjust(1, 1, 2, 1)
    return builder.as_markup()


def list_title(src: str) -> str:
    """The heading of the list ``src``."""
    if src == "m":
        return _("<b>My problems</b>")
    if src == "s":
        return _("<b>Problems I support</b>")
    return _("<b>Priority problems</b> (most supported first)")


def render_list(problems: Sequence[pb.Problem], total: int, page: int, src: str) -> tuple[str, InlineKeyboardMarkup]:
    """A page of problem cards: number, category, status, excerpt, supports, age; a button per card; paging."""
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    lines = [list_title(src)]
    if not problems:
        empty = {
            "m": _("You have not raised any problem yet."),
            "s": _("You do not support other residents' problems yet."),
        }.get(src, _("No open problems yet. Be the first to raise one!"))
        lines.append(empty)
    builder = InlineKeyboardBuilder()
    for problem in problems:
        lines.append(
            f"\n<b>{numbered(problem.id)}</b> · {category_label(problem.category)} · <i>{status_label(problem.status)}</i>\n"
            f"{problem_excerpt(problem)}\n"
            f"👍 {supports_text(problem.supports)} · {age_text(problem.created)}"
        )
        builder.row(_button(list_label(problem), ProblemCallback(action="open", id=problem.id, page=page, src=src)))
    nav = []
    if page > 0:
        nav.append(_button("‹", ProblemCallback(action="list", page=page - 1, src=src)))
    if pages > 1:
        nav.append(_button(f"{page + 1}/{pages}", ProblemCallback(action="list", page=page, src=src)))
    if page < pages - 1:
        nav.append(_button("›", ProblemCallback(action="list", page=page + 1, src=src)))
    if nav:
        builder.row(*nav)
    if not problems:  # an empty list offers what its text invites: raising one, or the list to support from
        if src == "s":
            builder.row(_button(_("📋 Priority problems"), ProblemCallback(action="list", src="r")))
        else:
            builder.row(_button(_("➕ Raise a problem"), ProblemCallback(action="new")))
    builder.row(_button(_("« Problems"), ProblemCallback(action="home")))
    return "\n".join(lines), builder.as_markup()


def history_actor(event: pb.ProblemEvent) -> str:
    """Who made a change, as a role — never a person's name: residents stay anonymous on a public
    card, and an officer acts for the municipality (their name is in ``problem_events.actor_id``
    for the record, not on the card)."""
    if event.action == "created":
        return pgettext("problem history actor", "a resident")
    if event.action == "reopened" or event.actor_id is None:
        return pgettext("problem history actor", "residents' answers")
    return pgettext("problem history actor", "the municipality's officer")


def _event_text(event: pb.ProblemEvent) -> str:
    if event.action == "created":
        return _("raised")
    if event.action == "duplicate":
        return _("merged into problem #{id}").format(id=event.related_id)
    if event.action == "merged_in":
        return _("problem #{id} was merged into this one").format(id=event.related_id)
    if event.action == "hidden":
        return _("hidden by the officer")
    if event.action == "reopened":
        return _("residents said it is still a problem: back under review")
    return status_label(event.new_status or "new")


def render_history(events: Sequence[pb.ProblemEvent], limit: int = 6) -> str:
    """The last ``limit`` events as lines "date — what happened (who): comment"."""
    lines = []
    for event in events[-limit:] if limit > 0 else []:
        line = f"• {format_date(from_db(event.at))} — {_event_text(event)} ({history_actor(event)})"
        if event.comment and event.action in ("status", "duplicate"):
            line += f": <i>{esc(pb.excerpt(event.comment, 200))}</i>"  # keeps a card under 4,096 characters
        lines.append(line)
    return "\n".join(lines)


def card_text(problem: pb.Problem, events: Sequence[pb.ProblemEvent], *, supporting: bool,
              reserve: int = 0) -> tuple[str, bool]:
    """The card's text and whether the problem text was shortened (a "Full text" button is due).

    The card fits :data:`CARD_MAX` UTF-16 units with ``reserve`` to spare (for text the caller
    appends): older history lines go first, then the problem text is shortened with "…".
    """
    head = [
        f"<b>{numbered(problem.id)}</b> · {category_label(problem.category)}",
        _("Status: <b>{status}</b>").format(status=status_label(problem.status)),
    ]
    tail = [f"👍 {supports_text(problem.supports)}", _("Raised: {date}").format(date=format_datetime(problem.created))]
    if supporting:
        tail.append(_("✅ You support this problem."))
    if problem.status == "duplicate" and problem.duplicate_of:
        tail.append(_("This problem was merged into problem #{id}.").format(id=problem.duplicate_of))
    body = problem.text or ""
    shortened = False
    history = ""
    budget = CARD_MAX
    for limit in (6, 4, 2, 1, 0):
        history = render_history(events, limit)
        rest = "\n".join([*head, "\n\n", *tail, "\n" + _("<b>History</b>") + "\n" + history])
        budget = CARD_MAX - reserve - visible_length(rest)
        if not problem.text or utf16_length(problem.text) <= budget or budget >= 1000 or limit == 0:
            break
    if problem.text and utf16_length(problem.text) > budget:
        body, shortened = fit_utf16(problem.text, max(budget, 100)), True
    parts = list(head)
    if problem.text:
        parts.append("\n" + esc(body) + "\n")
    else:
        parts.append("\n" + _("🎤 The problem was told in a voice message ({seconds} s).").format(
            seconds=problem.voice_duration or 0) + "\n")
    parts.extend(tail)
    parts.append("\n" + _("<b>History</b>") + "\n" + history)
    return "\n".join(parts), shortened


def media_row(problem: pb.Problem, *, shortened: bool) -> list[InlineKeyboardButton]:
    """"Full text", photos, voice and map buttons (sent on demand: saves traffic on weak connections)."""
    media = []
    if shortened:
        media.append(_button(_("📄 Full text"), ProblemCallback(action="full", id=problem.id)))
    if problem.photos:
        media.append(_button(_("🖼 Photos ({count})").format(count=len(problem.photos)),
                             ProblemCallback(action="photos", id=problem.id)))
    if problem.voice_file_id:
        media.append(_button(_("🎤 Listen"), ProblemCallback(action="voice", id=problem.id)))
    if problem.latitude is not None:
        media.append(_button(_("📍 Map"), ProblemCallback(action="map", id=problem.id)))
    return media


def render_card(view: pb.CardView, *, src: str = "r", page: int = 0) -> tuple[str, InlineKeyboardMarkup]:
    """The full problem as a resident sees it: text exactly as typed, category, status, supports,
    date, history; support/withdraw, media, the merge target, "Manage" for its officers, back."""
    problem = view.problem
    text, shortened = card_text(problem, view.events, supporting=view.supporting)
    rows: list[list[InlineKeyboardButton]] = []
    if problem.status == "solved" and view.supporting:  # the same one-tap answer as the notification's
        rows.append([InlineKeyboardButton(text=_("Still a problem"), callback_data=still_data(problem.id, True)),
                     InlineKeyboardButton(text=_("Solved, thank you"), callback_data=still_data(problem.id, False))])
    if view.supporting:
        rows.append([_button(_("↩ Withdraw my support"), ProblemCallback(action="wd", id=problem.id, page=page, src=src))])
    elif view.can_support:
        rows.append([_button(_("👍 Support"), ProblemCallback(action="sup", id=problem.id, page=page, src=src))])
    media = media_row(problem, shortened=shortened)
    if shortened:  # "Full text" on a row of its own, as before
        rows.append(media[:1])
        media = media[1:]
    if media:
        rows.append(media)
    if problem.status == "duplicate" and problem.duplicate_of:
        rows.append([_button(_("Open problem #{id}").format(id=problem.duplicate_of),
                             ProblemCallback(action="open", id=problem.duplicate_of))])
    if view.is_officer:
        rows.append([_button(_("🛠 Manage (officer)"), OfficerProblemCallback(action="open", id=problem.id))])
    rows.append([_button(_("« Back to the list"), ProblemCallback(action="list", page=page, src=src))])
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


# -- the draft ----------------------------------------------------------------------------------------


def text_prompt(text_min: int, text_max: int) -> str:
    """Asks for the problem's text (or a voice message), stating the bounds."""
    return _(
        "Describe the problem in your own words: what is wrong, where exactly, since when. "
        "From {min} to {max} characters.\nYou can record a voice message instead. /cancel — stop."
    ).format(min=text_min, max=format_number(text_max))


def preview_text(data: dict[str, Any], similar: Sequence[pb.Problem]) -> str:
    """The draft before publishing, and similar open problems the resident may support instead
    (their buttons: :func:`instead_label`)."""
    parts = [_("<b>Check your problem before publishing</b>"),
             _("Category: {category}").format(category=category_label(data["category"]))]
    if data.get("text"):
        # the preview (with up to 3 similar problems) must fit one message: ~700 units are kept for the rest
        parts.append("\n" + esc(fit_utf16(data["text"], CARD_MAX - 1200)) + "\n")
    if data.get("voice"):
        parts.append(_("🎤 Voice message: {seconds} s").format(seconds=data.get("voice_duration") or 0))
    parts.append(_("Photos: {count}").format(count=len(data.get("photos") or [])))
    parts.append(_("Location: attached") if data.get("lat") is not None else _("Location: not attached"))
    if similar:
        parts.append("\n" + _("<b>Similar problems already raised.</b> If yours is the same, support it instead: "
                              "together your voices count more."))
        for problem in similar:
            parts.append(f"<b>{numbered(problem.id)}</b> {problem_excerpt(problem)} · 👍 {problem.supports}")
    return "\n".join(parts)


def instead_label(problem_id: int) -> str:
    """The label of "support this similar problem instead of publishing mine"."""
    return _("👍 Support #{id} instead").format(id=problem_id)
