"""Callbacks, keyboards and message renderers of the problems feature.

Every text shown from a problem goes through :func:`bot.ui.messages.esc` here, after it was
cleaned when stored (``clean_user_text``), so "<b> & <3" reads exactly as typed.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import datetime

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain import problems as pb
from bot.domain.clock import clock, from_db
from bot.domain.text import utf16_length
from bot.i18n import _, format_date, format_datetime, format_number, ngettext
from bot.ui.callbacks import IdField, MenuCallback, PageField
from bot.ui.messages import esc

PAGE_SIZE = 5
"""Problems per list page: five short cards fit a small phone screen."""
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


class ProblemCallback(CallbackData, prefix=pb.CALLBACK_PREFIX):
    """Resident actions on problems.

    ``action``: ``home``, ``list`` (page of ``src``), ``open``, ``sup``, ``wd``, ``photos``, ``voice``,
    ``map``, ``still`` (``page`` = 1 "still a problem" / 0 "solved"), ``new`` (start raising).
    ``src``: the list the card came from — ``r`` ranked, ``m`` mine, ``s`` supported.
    Longest: ``pb:photos:2147483647:999:r`` = 26 bytes.
    """

    action: str
    id: IdField = 0
    page: PageField = 0
    src: str = "r"


class DraftCallback(CallbackData, prefix="pd"):
    """Steps of raising a problem: ``cat`` (``arg`` = category key), ``done`` (no more photos),
    ``skip`` (no location), ``publish``, ``instead`` (``arg`` = id of a similar problem to support), ``cancel``."""

    action: str
    arg: str = ""


class OfficerProblemCallback(CallbackData, prefix="po"):
    """Officer actions: ``queue`` (``arg`` = page), ``open``, ``status`` (``arg`` = status; asks for a
    comment), ``go`` (``arg`` = status; applies without comment), ``more`` (all statuses),
    ``reject``, ``dup``, ``hide``, ``export``. Always re-checked on the server.

    ``seen`` is the status the officer saw on the card when the button was drawn (``status``/``go``):
    if another officer changed it meanwhile, the change is refused and the current card is shown.
    Longest: ``po:status:9007199254740991:in_action_plan:under_review`` = 52 bytes (≤ 64)."""

    action: str
    id: IdField = 0
    arg: str = ""
    seen: str = ""


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


def problem_excerpt(problem: pb.Problem, locale: str | None = None) -> str:
    """Escaped excerpt of the text, or the voice-message mark."""
    if problem.text:
        return esc(pb.excerpt(problem.text))
    return _("🎤 voice message", locale=locale)


def category_keyboard() -> InlineKeyboardMarkup:
    """The 12 categories, two per row, then Cancel."""
    builder = InlineKeyboardBuilder()
    for key in pb.CATEGORIES:
        builder.button(text=category_label(key), callback_data=DraftCallback(action="cat", arg=key))
    builder.adjust(2)
    builder.row(InlineKeyboardButton(text=_("✖ Cancel"), callback_data=DraftCallback(action="cancel").pack()))
    return builder.as_markup()


def single_button(text: str, data: CallbackData) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=text, callback_data=data.pack())]])


# -- resident screens -------------------------------------------------------------------------------


def home_text(municipality: str, open_count: int) -> str:
    return _(
        "<b>Problems of {municipality}</b>\n"
        "Raise a problem of your village or town, or support the ones that matter to you. "
        "The most supported problems go to the public hearing.\n\nOpen problems: {count}"
    ).format(municipality=esc(municipality), count=format_number(open_count))


def home_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("📋 Priority problems"), callback_data=ProblemCallback(action="list", src="r"))
    builder.button(text=_("➕ Raise a problem"), callback_data=ProblemCallback(action="new"))
    builder.button(text=_("🙋 My problems"), callback_data=ProblemCallback(action="list", src="m"))
    builder.button(text=_("👍 Problems I support"), callback_data=ProblemCallback(action="list", src="s"))
    builder.button(text=_("« Main menu"), callback_data=MenuCallback(action="home"))
    builder.adjust(1, 1, 2, 1)
    return builder.as_markup()


def list_title(src: str) -> str:
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
            f"\n<b>#{problem.id}</b> · {category_label(problem.category)} · <i>{status_label(problem.status)}</i>\n"
            f"{problem_excerpt(problem)}\n"
            f"👍 {supports_text(problem.supports)} · {age_text(problem.created)}"
        )
        builder.button(text=f"#{problem.id}", callback_data=ProblemCallback(action="open", id=problem.id, page=page, src=src))
    builder.adjust(5)
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton(text="‹", callback_data=ProblemCallback(action="list", page=page - 1, src=src).pack()))
    if pages > 1:
        nav.append(InlineKeyboardButton(text=f"{page + 1}/{pages}", callback_data=ProblemCallback(action="list", page=page, src=src).pack()))
    if page < pages - 1:
        nav.append(InlineKeyboardButton(text="›", callback_data=ProblemCallback(action="list", page=page + 1, src=src).pack()))
    if nav:
        builder.row(*nav)
    builder.row(InlineKeyboardButton(text=_("« Problems"), callback_data=ProblemCallback(action="home").pack()))
    return "\n".join(lines), builder.as_markup()


def history_actor(event: pb.ProblemEvent) -> str:
    """Who made a change, as a role — never a person's name: residents stay anonymous on a public
    card, and an officer acts for the municipality (their name is in ``problem_events.actor_id``
    for the record, not on the card)."""
    if event.action == "created":
        return _("Problem history actor: a resident")
    if event.action == "reopened" or event.actor_id is None:
        return _("Problem history actor: residents' answers")
    return _("Problem history actor: the municipality's officer")


def render_history(events: Sequence[pb.ProblemEvent], limit: int = 6) -> str:
    """The last ``limit`` events as lines "date — what happened (who): comment"."""
    lines = []
    for event in events[-limit:] if limit > 0 else []:
        when = format_date(from_db(event.at))
        if event.action == "created":
            what = _("raised")
        elif event.action == "duplicate":
            what = _("merged into problem #{id}").format(id=event.related_id)
        elif event.action == "merged_in":
            what = _("problem #{id} was merged into this one").format(id=event.related_id)
        elif event.action == "hidden":
            what = _("hidden by the officer")
        elif event.action == "reopened":
            what = _("residents said it is still a problem: back under review")
        else:
            what = status_label(event.new_status or "new")
        line = f"• {when} — {what} ({history_actor(event)})"
        if event.comment and event.action in ("status", "duplicate"):
            line += f": <i>{esc(pb.excerpt(event.comment, 200))}</i>"  # keeps a card under 4,096 characters
        lines.append(line)
    return "\n".join(lines)


def render_card(
    problem: pb.Problem, events: Sequence[pb.ProblemEvent], *, supporting: bool, can_support: bool,
    is_officer: bool, src: str = "r", page: int = 0, reserve: int = 0,
) -> tuple[str, InlineKeyboardMarkup]:
    """The full problem: text exactly as typed, category, status, supports, date, media buttons, history.

    The card fits :data:`CARD_MAX` UTF-16 units with ``reserve`` to spare (for text the caller
    appends): older history lines go first, then the problem text is shortened with "…" and a
    "Full text" button sends it alone.
    """
    head = [
        f"<b>#{problem.id}</b> · {category_label(problem.category)}",
        _("Status: <b>{status}</b>").format(status=status_label(problem.status)),
    ]
    tail = [f"👍 {supports_text(problem.supports)}", _("Raised: {date}").format(date=format_datetime(problem.created))]
    if supporting:
        tail.append(_("✅ You support this problem."))
    if problem.status == "duplicate" and problem.duplicate_of:
        tail.append(_("This problem was merged into problem #{id}.").format(id=problem.duplicate_of))
    body = problem.text or ""
    shortened = False
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
    text = "\n".join(parts)

    builder = InlineKeyboardBuilder()
    rows: list[list[InlineKeyboardButton]] = []
    if supporting:
        rows.append([InlineKeyboardButton(text=_("↩ Withdraw my support"), callback_data=ProblemCallback(
            action="wd", id=problem.id, page=page, src=src).pack())])
    elif can_support:
        rows.append([InlineKeyboardButton(text=_("👍 Support"), callback_data=ProblemCallback(
            action="sup", id=problem.id, page=page, src=src).pack())])
    media = []
    if shortened:
        rows.append([InlineKeyboardButton(text=_("📄 Full text"), callback_data=ProblemCallback(
            action="full", id=problem.id).pack())])
    if problem.photos:
        media.append(InlineKeyboardButton(text=_("🖼 Photos ({count})").format(count=len(problem.photos)),
                                          callback_data=ProblemCallback(action="photos", id=problem.id).pack()))
    if problem.voice_file_id:
        media.append(InlineKeyboardButton(text=_("🎤 Listen"), callback_data=ProblemCallback(
            action="voice", id=problem.id).pack()))
    if problem.latitude is not None:
        media.append(InlineKeyboardButton(text=_("📍 Map"), callback_data=ProblemCallback(
            action="map", id=problem.id).pack()))
    if media:
        rows.append(media)
    if problem.status == "duplicate" and problem.duplicate_of:
        rows.append([InlineKeyboardButton(text=_("Open problem #{id}").format(id=problem.duplicate_of),
                                          callback_data=ProblemCallback(action="open", id=problem.duplicate_of).pack())])
    if is_officer:
        rows.append([InlineKeyboardButton(text=_("🛠 Manage (officer)"), callback_data=OfficerProblemCallback(
            action="open", id=problem.id).pack())])
    rows.append([InlineKeyboardButton(text=_("« Back to the list"), callback_data=ProblemCallback(
        action="list", page=page, src=src).pack())])
    for row in rows:
        builder.row(*row)
    return text, builder.as_markup()


def render_preview(data: dict, similar: Sequence[pb.Problem]) -> tuple[str, InlineKeyboardMarkup]:
    """The draft before publishing, and similar open problems the resident may support instead."""
    parts = [_("<b>Check your problem before publishing</b>"),
             _("Category: {category}").format(category=category_label(data["category"]))]
    if data.get("text"):
        # the preview (with up to 3 similar problems) must fit one message: ~700 units are kept for the rest
        parts.append("\n" + esc(fit_utf16(data["text"], CARD_MAX - 1200)) + "\n")
    if data.get("voice"):
        parts.append(_("🎤 Voice message: {seconds} s").format(seconds=data.get("voice_duration") or 0))
    parts.append(_("Photos: {count}").format(count=len(data.get("photos") or [])))
    parts.append(_("Location: attached") if data.get("lat") is not None else _("Location: not attached"))
    builder = InlineKeyboardBuilder()
    if similar:
        parts.append("\n" + _("<b>Similar problems already raised.</b> If yours is the same, support it instead: "
                              "together your voices count more."))
        for problem in similar:
            parts.append(f"<b>#{problem.id}</b> {problem_excerpt(problem)} · 👍 {problem.supports}")
            builder.row(InlineKeyboardButton(text=_("👍 Support #{id} instead").format(id=problem.id),
                                             callback_data=DraftCallback(action="instead", arg=str(problem.id)).pack()))
    builder.row(InlineKeyboardButton(text=_("✅ Publish"), callback_data=DraftCallback(action="publish").pack()),
                InlineKeyboardButton(text=_("✖ Cancel"), callback_data=DraftCallback(action="cancel").pack()))
    return "\n".join(parts), builder.as_markup()


# -- officer screens --------------------------------------------------------------------------------


def render_queue(problems: Sequence[pb.Problem], total: int, page: int) -> tuple[str, InlineKeyboardMarkup]:
    """The officer's queue of new problems, oldest first."""
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    lines = [_("<b>New problems to review</b>: {count}").format(count=format_number(total))]
    builder = InlineKeyboardBuilder()
    for problem in problems:
        lines.append(f"\n<b>#{problem.id}</b> · {category_label(problem.category)} · {age_text(problem.created)}\n"
                     f"{problem_excerpt(problem)}\n👍 {supports_text(problem.supports)}")
        builder.button(text=f"#{problem.id}", callback_data=OfficerProblemCallback(action="open", id=problem.id))
    builder.adjust(5)
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton(text="‹", callback_data=OfficerProblemCallback(action="queue", arg=str(page - 1)).pack()))
    if page < pages - 1:
        nav.append(InlineKeyboardButton(text="›", callback_data=OfficerProblemCallback(action="queue", arg=str(page + 1)).pack()))
    if nav:
        builder.row(*nav)
    builder.row(InlineKeyboardButton(text=_("📊 For the hearing: table and chart"),
                                     callback_data=OfficerProblemCallback(action="export").pack()))
    return "\n".join(lines), builder.as_markup()


def render_officer_card(problem: pb.Problem, events: Sequence[pb.ProblemEvent], *, all_statuses: bool = False) -> tuple[str, InlineKeyboardMarkup]:
    """The problem with the officer's actions: next status, other statuses, reject, duplicate, hide.
    Status buttons carry the status shown (``seen``), so a change made meanwhile is detected."""
    hidden = ""
    if problem.hidden:
        hidden = "\n\n" + _("Hidden. Reason: {reason}").format(reason=esc(problem.hidden_reason or ""))
    text, resident_markup = render_card(problem, events, supporting=False, can_support=False, is_officer=False,
                                        reserve=visible_length(hidden))
    text += hidden
    builder = InlineKeyboardBuilder()
    if problem.hidden:
        pass
    elif problem.status != "duplicate":
        if all_statuses:
            for status in pb.CHAIN:
                if status != problem.status:
                    builder.row(InlineKeyboardButton(text=status_label(status), callback_data=OfficerProblemCallback(
                        action="status", id=problem.id, arg=status, seen=problem.status).pack()))
        else:
            if problem.status in pb.CHAIN[:-1]:
                following = pb.CHAIN[pb.CHAIN.index(problem.status) + 1]
                builder.row(InlineKeyboardButton(text=_("→ {status}").format(status=status_label(following)),
                                                 callback_data=OfficerProblemCallback(action="status", id=problem.id, arg=following,
                                                                                      seen=problem.status).pack()))
            builder.row(InlineKeyboardButton(text=_("Other status…"), callback_data=OfficerProblemCallback(
                action="more", id=problem.id).pack()))
        builder.row(
            InlineKeyboardButton(text=_("Reject"), callback_data=OfficerProblemCallback(action="reject", id=problem.id).pack()),
            InlineKeyboardButton(text=_("Duplicate of…"), callback_data=OfficerProblemCallback(action="dup", id=problem.id).pack()),
            InlineKeyboardButton(text=_("Hide"), callback_data=OfficerProblemCallback(action="hide", id=problem.id).pack()),
        )
    media = []
    if any(b.callback_data == ProblemCallback(action="full", id=problem.id).pack()
           for row in resident_markup.inline_keyboard for b in row):
        media.append(InlineKeyboardButton(text=_("📄 Full text"), callback_data=ProblemCallback(
            action="full", id=problem.id).pack()))
    if problem.photos:
        media.append(InlineKeyboardButton(text=_("🖼 Photos ({count})").format(count=len(problem.photos)),
                                          callback_data=ProblemCallback(action="photos", id=problem.id).pack()))
    if problem.voice_file_id:
        media.append(InlineKeyboardButton(text=_("🎤 Listen"), callback_data=ProblemCallback(action="voice", id=problem.id).pack()))
    if problem.latitude is not None:
        media.append(InlineKeyboardButton(text=_("📍 Map"), callback_data=ProblemCallback(action="map", id=problem.id).pack()))
    if media:
        builder.row(*media)
    builder.row(InlineKeyboardButton(text=_("« Queue"), callback_data=OfficerProblemCallback(action="queue", arg="0").pack()))
    return text, builder.as_markup()
