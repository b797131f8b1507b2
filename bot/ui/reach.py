"""Reach screens: the officer's alert settings (/alerts), linking chats (/link), the linked chats
and their figures (/reach), the deep-link confirmation for a new resident; their callback data
(prefixes ``al``, ``rc``, ``rj``) and the explanations of reach's errors.

Every function returns HTML-safe text in the current locale.
"""

from __future__ import annotations

from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from pydantic import Field

from bot.domain.reach import alerts
from bot.domain.reach.links import LOCALE_CHOICES, BotNotAdmin, ChatNotLinked, LinkCode, LinkCodeInvalid
from bot.domain.reach.posts import ChatFigures
from bot.i18n import _, format_time, ngettext
from bot.notices.reach import kind_label
from bot.ui.callbacks import IdField
from bot.ui.errors import explains
from bot.ui.keyboards import label
from bot.ui.messages import esc

SmallField = Annotated[int, Field(ge=0, le=99)]
DIGEST_HOURS = (6, 7, 8, 9, 10, 12, 14, 17, 18, 20)
QUIET_PRESETS = ((22, 8), (21, 7), (23, 7), (20, 9))


class AlertsCallback(CallbackData, prefix="al"):
    """The /alerts screen: ``home``; ``mode`` (``kind`` = index in :data:`~bot.domain.reach.alerts.KINDS`:
    the next mode), ``urgent`` (toggle), ``hours`` (the digest hour picker), ``hour`` (``value`` = the hour),
    ``quiet`` (the quiet-hours picker), ``qset`` (``value`` = preset index + 1, 0 = none)."""

    action: str
    kind: SmallField = 0
    value: SmallField = 0


class ReachCallback(CallbackData, prefix="rc"):
    """Linking and linked chats: ``code`` (``value`` 0 officers' group, 1 public chat), ``list``,
    ``chat`` (``ref``), ``lang`` (``ref``, ``value`` = index in ``LOCALE_CHOICES``), ``unlink`` (``ref``)."""

    action: str
    ref: IdField = 0
    value: SmallField = 0


class JoinCallback(CallbackData, prefix="rj"):
    """The deep-link confirmation: ``yes`` (this municipality) or ``other`` (pick another)."""

    action: str


def _mode_label(mode: str) -> str:
    return {"now": _("at once"), "digest": _("in the digest"), "off": _("off")}[mode]


def _button_label(kind: str, mode: str) -> str:
    """"Kind: mode" short enough for a button alone in its row (30 letters, issue 12); the screen's
    text above names the kind and the mode in full."""
    kinds = {alerts.PROBLEM_NEW: _("New problems"), alerts.PROBLEM_REOPENED: _("Reopened"),
             alerts.SERVICE_PROPOSED: _("Service proposals"), alerts.HEARING_QUESTION: _("Hearing questions"),
             alerts.SURVEY_BURST: _("Vote bursts")}
    modes = {"now": _("at once"), "digest": _("in digest"), "off": _("off")}
    return f"{kinds.get(kind, kind_label(kind))}: {modes[mode]}"


def _hour(hour: int) -> str:
    return f"{hour:02d}:00"


def alerts_text(p: alerts.AlertPrefs) -> str:
    """The /alerts screen: how each kind reaches the officer, the digest hour, the quiet hours."""
    lines = [_("<b>Alerts</b>: how each kind reaches you. Tap a kind to change it; 🔔 marks it urgent "
               "(sent at once even in quiet hours)."), ""]
    for kind in alerts.KINDS:
        mark = " 🔔" if p.urgent(kind) else ""
        lines.append(f"• {esc(kind_label(kind))}: {esc(_mode_label(p.mode(kind)))}{mark}")
    lines.append("")
    lines.append(_("Daily digest at {hour} (Bishkek time).").format(hour=_hour(p.digest_hour)))
    if p.quiet_from is None or p.quiet_to is None:
        lines.append(_("Quiet hours: none."))
    else:
        lines.append(_("Quiet hours: {start}–{end}; alerts sent at once wait until {end}.").format(
            start=_hour(p.quiet_from), end=_hour(p.quiet_to)))
    return "\n".join(lines)


def urgent_label(urgent: bool) -> str:
    """The urgency toggle of a kind, in words (issue 12: a bare 🔔/🔕 does not say what a tap does):
    what the tap does, "🔔 Mark urgent" or "🔕 Unmark urgent"."""
    return _("🔕 Unmark urgent") if urgent else _("🔔 Mark urgent")


def alerts_keyboard(p: alerts.AlertPrefs) -> InlineKeyboardMarkup:
    """Per kind its mode (cycling) and under it its urgency toggle, each a row of its own (both are words
    too wide to share a row on a 360-px phone), then the digest hour and quiet hours."""
    rows = []
    for index, kind in enumerate(alerts.KINDS):
        rows.append([InlineKeyboardButton(text=_button_label(kind, p.mode(kind)),
                                          callback_data=AlertsCallback(action="mode", kind=index).pack())])
        rows.append([InlineKeyboardButton(text=urgent_label(p.urgent(kind)),
                                          callback_data=AlertsCallback(action="urgent", kind=index).pack())])
    rows.append([InlineKeyboardButton(text=_("Digest hour"), callback_data=AlertsCallback(action="hours").pack()),
                 InlineKeyboardButton(text=_("Quiet hours"), callback_data=AlertsCallback(action="quiet").pack())])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def hours_keyboard() -> InlineKeyboardMarkup:
    """Digest hours to choose from."""
    buttons = [InlineKeyboardButton(text=_hour(h), callback_data=AlertsCallback(action="hour", value=h).pack())
               for h in DIGEST_HOURS]
    rows = [buttons[i:i + 5] for i in range(0, len(buttons), 5)]
    rows.append([InlineKeyboardButton(text=_("« Back"), callback_data=AlertsCallback(action="home").pack())])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def quiet_keyboard() -> InlineKeyboardMarkup:
    """Quiet-hours presets, and none."""
    rows = [[InlineKeyboardButton(text=f"{_hour(a)}–{_hour(b)}",
                                  callback_data=AlertsCallback(action="qset", value=i + 1).pack())]
            for i, (a, b) in enumerate(QUIET_PRESETS)]
    rows.append([InlineKeyboardButton(text=_("No quiet hours"), callback_data=AlertsCallback(action="qset").pack())])
    rows.append([InlineKeyboardButton(text=_("« Back"), callback_data=AlertsCallback(action="home").pack())])
    return InlineKeyboardMarkup(inline_keyboard=rows)


# -- linking ----------------------------------------------------------------------------------------


def link_intro() -> str:
    """/link in the private chat: what can be linked."""
    return _("<b>Link a Telegram chat</b> of your municipality.\n"
             "• An <b>officers' group</b> receives the same alerts as you.\n"
             "• The municipality's <b>channel</b> or a <b>village group</b> receives announcements of hearings "
             "and surveys, with a button that brings residents to the bot.\n"
             "First add the bot to the chat (in a channel, as an administrator allowed to post).")


def link_keyboard() -> InlineKeyboardMarkup:
    """What to link."""
    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=_("Officers' group"), callback_data=ReachCallback(action="code", value=0).pack())],
        [InlineKeyboardButton(text=_("Channel or village group"),
                              callback_data=ReachCallback(action="code", value=1).pack())],
    ])


def code_text(code: LinkCode) -> str:
    """The one-time code and how to use it."""
    from bot.domain.clock import from_db

    return _("Your code: <code>{code}</code> (valid until {time}, once).\n"
             "In the group, send: <code>/link {code}</code>\n"
             "In a channel, post the code alone: <code>{code}</code>").format(
        code=esc(code.code), time=format_time(from_db(code.expires_at)))


def linked_in_group(title: str, purpose: str) -> str:
    """The answer in the group after a successful link."""
    if purpose == "staff":
        return _("✅ This group is linked as the officers' group of the municipality: alerts will come here.")
    return _("✅ This chat is linked: announcements of hearings and surveys will be posted here.")


def unlinked_in_group() -> str:
    return _("This chat is no longer linked; nothing more will be posted here.")


def link_usage() -> str:
    return _("Send /link in a private chat with the bot to get a code, then send /link CODE here.")


# -- linked chats and figures -------------------------------------------------------------------------


def _languages(locales: tuple[str, ...]) -> str:
    names = {"ky": "Кыргызча", "ru": "Русский"}
    return " + ".join(names.get(loc, loc) for loc in locales)


def _status(status: str) -> str:
    return {"active": _("active"), "broken": _("broken: the bot cannot post"), "unlinked": _("unlinked")}.get(
        status, status)


def figures_text(chats: list[ChatFigures]) -> str:
    """/reach: each linked chat with its posts and the residents who joined through it."""
    if not chats:
        return _("No chats are linked yet. Use /link to link the officers' group, the channel or village groups.")
    lines = [_("<b>Linked chats</b>")]
    for c in chats:
        kind = _("officers' group") if c.purpose == "staff" else (_("channel") if c.chat_type == "channel"
                                                                 else _("village group"))
        lines.append("")
        lines.append(f"<b>{esc(c.title)}</b> — {esc(kind)}, {esc(_status(c.status))}")
        lines.append(ngettext("{count} post", "{count} posts", c.posts).format(count=c.posts) + "; "
                     + ngettext("{count} resident joined through its links",
                                "{count} residents joined through its links", c.joins).format(count=c.joins))
        if c.status != "unlinked":
            lines.append(_("Languages: {languages}").format(languages=esc(_languages(c.locales))))
    return "\n".join(lines)


def figures_keyboard(chats: list[ChatFigures]) -> InlineKeyboardMarkup | None:
    """A button per chat to change its languages or unlink it."""
    rows = [[InlineKeyboardButton(text=label(c.title) or str(c.ref), callback_data=ReachCallback(
        action="chat", ref=c.ref).pack())] for c in chats]
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def chat_keyboard(chat: ChatFigures) -> InlineKeyboardMarkup:
    """One chat: the languages of what is posted there, and unlink."""
    rows = []
    if chat.status != "unlinked":
        rows.append([InlineKeyboardButton(text=_languages(tuple(choice.split(","))),
                                          callback_data=ReachCallback(action="lang", ref=chat.ref, value=i).pack())
                     for i, choice in enumerate(LOCALE_CHOICES)])
    rows.append([InlineKeyboardButton(text=_("Unlink"), callback_data=ReachCallback(action="unlink", ref=chat.ref).pack())])
    rows.append([InlineKeyboardButton(text=_("« Back"), callback_data=ReachCallback(action="list").pack())])
    return InlineKeyboardMarkup(inline_keyboard=rows)


# -- deep links -----------------------------------------------------------------------------------------


def confirm_text(place: str) -> str:
    """The deep-link confirmation: is this the resident's municipality?"""
    return _("You came from a post of <b>{place}</b>. Is this your municipality?").format(place=place)


def confirm_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=_("✅ Yes, I live here"), callback_data=JoinCallback(action="yes").pack())],
        [InlineKeyboardButton(text=_("Choose another municipality"), callback_data=JoinCallback(action="other").pack())],
    ])


@explains(LinkCodeInvalid)
def _code_invalid(error: LinkCodeInvalid) -> str:
    return _("This code is unknown, already used or expired. Get a new one with /link in a private chat with the bot.")


@explains(BotNotAdmin)
def _not_admin(error: BotNotAdmin) -> str:
    return _("Make the bot an administrator of the channel with the right to post messages, then post the code again.")


@explains(ChatNotLinked)
def _not_linked(error: ChatNotLinked) -> str:
    return _("This chat is not linked.")
