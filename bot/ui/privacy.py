"""Personal data screens: what /privacy shows and the /delete_me confirmation (texts and buttons).

Texts are whole sentences in the catalogs; figures go in as numbers after a label, so no sentence is
assembled from pieces. Callback prefix ``prv``.
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain.clock import from_db
from bot.domain.privacy import OfficerMustBeRevoked, PersonalData, SuperadminCannotErase
from bot.i18n import _, format_date, format_number
from bot.ui.callbacks import IdField
from bot.ui.errors import explains
from bot.ui.keyboards import language_name
from bot.ui.messages import esc


class PrivacyCallback(CallbackData, prefix="prv"):
    """``action`` ``erase`` (confirmed) or ``keep`` (cancel); ``joined`` is the resident's ``joined_at`` in
    Unix seconds when the question was asked, so a tap after the erasure (a new resident by then) is stale."""

    action: str
    joined: IdField = 0


def privacy_text(data: PersonalData, place: str | None) -> str:
    """The /privacy screen (HTML): what is stored, why, who sees what, how to delete it."""
    none = _("not given")
    verified = {"phone": _("by phone number (the number itself is not stored)"),
                "code": _("by a residence code from the ayil okmotu")}.get(data.verified or "", _("not verified"))
    lines = [
        _("<b>Your personal data in this bot</b>"),
        "",
        _("What the bot stores about you:"),
        _("• Name in Telegram: {name}").format(name=esc(data.name) if data.name.strip() else none),
        _("• Telegram username: {username}").format(username=esc("@" + data.username) if data.username else none),
        _("• Language of the bot: {language}").format(
            language=language_name(data.locale) if data.locale else none),
        _("• Municipality: {place}").format(place=place or none),
        _("• With the bot since: {date}").format(date=format_date(from_db(data.joined_at))),
        _("• Verification: {how}").format(how=verified),
        _("• Problems you raised: {count}").format(count=format_number(data.problems)),
        _("• Problems you support: {count}").format(count=format_number(data.supports)),
        _("• Surveys you voted in: {count}").format(count=format_number(data.ballots)),
        _("• Hearings you answered: {count}").format(count=format_number(data.rsvps)),
        _("• Questions for hearings: {count}").format(count=format_number(data.questions)),
        _("• Services you proposed: {count}").format(count=format_number(data.proposals)),
        _("• Service proposals you support: {count}").format(count=format_number(data.service_supports)),
        _("• Service ratings: {count}").format(count=format_number(data.ratings)),
        _("• Services you follow: {count}").format(count=format_number(data.follows)),
        "",
        _("<b>Why.</b> To answer you in your language, to show you your municipality's problems, surveys, "
          "hearings and services, to count each person's support and vote once, and to tell you when "
          "something you raised, supported or follow changes."),
        "",
        _("<b>Who sees what.</b> The officers of your municipality see the problems, proposals, ratings "
          "and questions you sent, without your name. Your name is on a hearing's hall list only if you agreed "
          "to it. Votes are secret: nobody, officers included, sees who voted what; results are shown only "
          "as totals. Other residents see problems and proposals without your name."),
        "",
        _("<b>Deleting.</b> Send /delete_me to delete your name, username, Telegram id, language, "
          "municipality, verification and hall-list consents. Your problems, supports and votes stay without "
          "your name, so the counts stay honest. Law of the Kyrgyz Republic \"On personal information\"."),
    ]
    if data.officer:
        lines += ["", _("You are an officer: your role must be revoked before your data can be deleted.")]
    return "\n".join(lines)


def erase_question() -> str:
    """The /delete_me confirmation question (HTML)."""
    return _("<b>Delete your personal data?</b>\n\nYour name, username, Telegram id, language, municipality, "
             "verification and hall-list consents will be deleted, and nothing more will be sent to you. Your "
             "problems, supports and votes stay, without your name. This cannot be undone. If you write to the "
             "bot again later, you will start as a new resident.")


def erase_keyboard(joined: int) -> InlineKeyboardMarkup:
    """"Yes, delete my data" and "Cancel"."""
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Yes, delete my data"), callback_data=PrivacyCallback(action="erase", joined=joined))
    builder.button(text=_("✖ Cancel"), callback_data=PrivacyCallback(action="keep", joined=joined))
    builder.adjust(1)
    return builder.as_markup()


def erased_text() -> str:
    """After the erasure."""
    return _("Your personal data has been deleted. Your problems, supports and votes stay without your name. "
             "If you write to the bot again, you will start as a new resident.")


def kept_text() -> str:
    """After Cancel."""
    return _("Nothing was deleted. Your data stays as it was; /privacy shows it.")


@explains(OfficerMustBeRevoked)
def _officer_must_be_revoked(_error: OfficerMustBeRevoked) -> str:
    return _("You are an officer: what you do in that role must stay accountable. Ask the programme "
             "administrator to revoke your role first, then send /delete_me again.")


@explains(SuperadminCannotErase)
def _superadmin_cannot_erase(_error: SuperadminCannotErase) -> str:
    return _("Superadmins are set in the bot's settings, so their data cannot be deleted from the chat.")
