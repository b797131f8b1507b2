"""What the officer role's commands say (/officer, /kyname, /join, the superadmin commands), and the
explanations of the role's domain errors. Every function returns HTML-safe text in the current locale."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.municipalities import NameNotOneLine, Place
from bot.domain.officers import (
    InviteExpired,
    InviteInvalid,
    InviteUsed,
    NotAnInviteCode,
    NotRegistered,
    OfficerNotFound,
)
from bot.i18n import _, format_number, ngettext
from bot.ui.errors import explains
from bot.ui.messages import esc
from bot.ui.onboarding import officer_tools_text


def officer_panel(place: str, residents: int) -> str:
    """/officer: the officer's municipality (``place``, HTML), how many residents use the bot, the tools."""
    header = _("<b>Officer</b> · {place}").format(place=place)
    count = ngettext(
        "{count} resident of your municipality uses the bot.",
        "{count} residents of your municipality use the bot.",
        residents,
    ).format(count=format_number(residents))
    tools = _("/kyname — set the Kyrgyz name of your municipality")
    return f"{header}\n{count}\n\n{officer_tools_text()}\n{tools}"


def kyname_prompt(place: Place | None) -> str:
    """/kyname: the official Russian name, the Kyrgyz one now, and what to send."""
    current = place.name_ky if place and place.name_ky else _("not set")
    return _(
        "Official Russian name: <b>{name_ru}</b>\n"
        "Kyrgyz name now: <b>{name_ky}</b>\n\n"
        "Send the Kyrgyz name as it is written in your council's documents, "
        "for example <i>Ак-Суу айыл аймагы</i>. /cancel — leave it as it is."
    ).format(name_ru=esc(place.name_ru if place else ""), name_ky=esc(current))


def now_an_officer(municipality: str) -> str:
    """Told to the new officer (after /join, or when a superadmin granted the role); ``municipality`` plain."""
    return _("✅ You are now an officer of <b>{municipality}</b>. Send /officer to see your tools.").format(
        municipality=esc(municipality))


def codes_text(rows: list[tuple[str, str, str]], total: int, command: str = "find") -> str:
    """Municipalities matching a superadmin's name: ``rows`` of (SOATE code, name, district), ``total``
    matches in all; ``command`` the one typed (``find``, ``invite``, ``officers``), so the hint names the
    command to send next: /find's codes go to /invite, /grant or /officers; an ambiguous /invite or
    /officers is repeated with a code. Full sentences in the right plural form (issue 12)."""
    lines = [f"<code>{code}</code> {esc(name)} ({esc(district)})" for code, name, district in rows]
    count = format_number(total)
    if command == "find":
        header = ngettext("{count} municipality matches. Use its SOATE code with /invite, /grant or /officers:",
                          "{count} municipalities match. Use the SOATE code of one with /invite, /grant or /officers:",
                          total).format(count=count)
    else:
        header = ngettext("{count} municipality matches. Send /{command} again with its SOATE code:",
                          "{count} municipalities match. Send /{command} again with the SOATE code of one of them:",
                          total).format(count=count, command=command)
    shown = ngettext("The first {shown} is shown.", "The first {shown} are shown.", len(rows)).format(
        shown=format_number(len(rows))) if len(rows) < total else ""
    return header + "\n" + "\n".join(lines) + (f"\n{shown}" if shown else "")


def search_usage() -> str:
    """A superadmin's search argument is too short or too long for a name."""
    return _("Give a 14-digit SOATE code or a part of the name (2 to 60 characters).")


def nothing_found(query: str) -> str:
    """No municipality matches a superadmin's ``query`` (plain; escaped here)."""
    return _("Nothing found for «{query}».").format(query=esc(query))


# -- explanations -----------------------------------------------------------------------------------


@explains(NotAnInviteCode)
def _not_a_code(error: NotAnInviteCode) -> str:
    return _("That does not look like an invite code. A code has 8 letters and digits, like K7QM-4XPD.")


@explains(InviteUsed)
def _used(error: InviteUsed) -> str:
    return _("This invite code has already been used. Ask the administrator for a new one.")


@explains(InviteExpired)
def _expired(error: InviteExpired) -> str:
    return _("This invite code has expired. Ask the administrator for a new one.")


@explains(InviteInvalid)
def _invalid(error: InviteInvalid) -> str:
    return _("This invite code is not valid. Check it and try again.")


@explains(NotRegistered)
def _not_registered(error: NotRegistered) -> str:
    return _(
        "The person with id {id} has not started the bot yet. Ask them to send /start first, "
        "or give them an invite code (/invite)."
    ).format(id=error.telegram_id)


@explains(NameNotOneLine)
def _not_one_line(error: NameNotOneLine) -> str:
    return _("The name must be one line. Send it again without line breaks.")


@explains(OfficerNotFound)
def _not_an_officer(error: OfficerNotFound) -> str:
    return _("The person with id {id} is not an officer.").format(id=error.id)


def officer_tools_keyboard() -> InlineKeyboardMarkup:
    """The officer's tools as buttons (issue 12: reachable from the main menu, not only by typed
    commands): the problem queue, surveys, hearings and the services registry, then "« Main menu"."""
    from bot.ui.hearings import HearingAdminCallback
    from bot.ui.keyboards import with_menu
    from bot.ui.problems import OfficerQueueCallback
    from bot.ui.registry import RegCb
    from bot.ui.surveys import SurveyAdminCallback

    def row(text: str, data: CallbackData) -> list[InlineKeyboardButton]:
        return [InlineKeyboardButton(text=text, callback_data=data.pack())]

    return with_menu(InlineKeyboardMarkup(inline_keyboard=[
        row(_("📥 Problems to review"), OfficerQueueCallback(action="page")),
        row(_("🗳 Manage surveys"), SurveyAdminCallback(action="list")),
        row(_("📣 Manage hearings"), HearingAdminCallback(action="list")),
        row(_("🏛 Services registry"), RegCb(a="ov")),
    ]))
