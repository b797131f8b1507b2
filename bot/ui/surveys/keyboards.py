"""Survey keyboards: the ballot, lists, the officer's card, and Telegram's request-contact button."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain.surveys import Survey
from bot.i18n import _, numbered
from bot.ui.keyboards import ROW_WIDTH
from bot.ui.keyboards import label as shared_label
from bot.ui.surveys.callbacks import SurveyAdminCallback, SurveyCallback, mask_of

BUTTON_TEXT_MAX = ROW_WIDTH
"""Width of an option on a button (a row of its own on a 360-px phone); the message text shows it whole."""


def label(text: str, limit: int = BUTTON_TEXT_MAX) -> str:
    """``text`` cut to ``limit`` for a button, at a word, with "…" (the shared :func:`bot.ui.keyboards.label`)."""
    return shared_label(text, limit)


def ballot_keyboard(survey: Survey, locale: str, *, mine: frozenset[int] = frozenset(),
                    mask: int | None = None) -> InlineKeyboardMarkup:
    """Buttons to vote: one per option (single choice; ✅ marks the resident's current vote), or
    ☐/☑ toggles and "Submit" (multi choice; ``mask`` = current ticks, default the current vote)."""
    builder = InlineKeyboardBuilder()
    if not survey.multiple:
        for option in survey.options:
            mark = "✅ " if option.position in mine else ""
            builder.row(InlineKeyboardButton(
                text=mark + label(option.text(locale)),
                callback_data=SurveyCallback(action="vote", survey_id=survey.id, value=option.position).pack()))
        return builder.as_markup()
    ticks = mask_of(mine) if mask is None else mask
    for option in survey.options:
        bit = 1 << (option.position - 1)
        box = "☑ " if ticks & bit else "☐ "
        builder.row(InlineKeyboardButton(
            text=box + label(option.text(locale)),
            callback_data=SurveyCallback(action="tick", survey_id=survey.id, value=ticks ^ bit).pack()))
    builder.row(InlineKeyboardButton(
        text=_("Submit my vote"),
        callback_data=SurveyCallback(action="submit", survey_id=survey.id, value=ticks).pack()))
    return builder.as_markup()


def survey_list_rows(surveys: list[Survey], locale: str, *, action: str = "open") -> list[list[InlineKeyboardButton]]:
    """One button per survey (its question), opening the ballot or the results."""
    return [[InlineKeyboardButton(text=label(survey.question(locale)),
                                  callback_data=SurveyCallback(action=action, survey_id=survey.id).pack())]
            for survey in surveys]


def manage_button() -> InlineKeyboardButton:
    """"Manage surveys (officer)" under the resident list, for officers."""
    return InlineKeyboardButton(text=_("🛠 Manage surveys (officer)"),
                                callback_data=SurveyAdminCallback(action="list").pack())


def officer_list_keyboard(surveys: list[Survey], locale: str) -> InlineKeyboardMarkup:
    """"New survey" (the /newsurvey wizard) first, then the officer's surveys, one per row, each
    opening its management card."""
    builder = InlineKeyboardBuilder()
    builder.row(InlineKeyboardButton(text=_("➕ New survey"), callback_data=SurveyAdminCallback(action="new").pack()))
    for survey in surveys:
        builder.row(InlineKeyboardButton(
            text=f"{numbered(survey.id)} " + label(survey.question(locale), BUTTON_TEXT_MAX - len(numbered(survey.id)) - 1),
            callback_data=SurveyAdminCallback(action="show", survey_id=survey.id).pack()))
    return builder.as_markup()


def open_card_button(survey_id: int) -> InlineKeyboardButton:
    """Opens the officer's card of ``survey_id``: its turnout while open, its results once closed."""
    return InlineKeyboardButton(text=_("📋 Open the survey"),
                                callback_data=SurveyAdminCallback(action="show", survey_id=survey_id).pack())


def officer_card_keyboard(survey: Survey, state: str, *, files: bool = True) -> InlineKeyboardMarkup:
    """Management buttons: while scheduled/open — turnout, close now, extend, delete; after close — chart
    and CSV, unless ``files`` is false (the secrecy rule hides every count: nothing to draw)."""
    builder = InlineKeyboardBuilder()
    sid = survey.id
    if state == "closed":
        if files:
            builder.button(text=_("📊 Chart"), callback_data=SurveyAdminCallback(action="chart", survey_id=sid))
            builder.button(text=_("📄 CSV"), callback_data=SurveyAdminCallback(action="csv", survey_id=sid))
        builder.button(text=_("🛠 Manage surveys (officer)"), callback_data=SurveyAdminCallback(action="list"))
    else:
        builder.button(text=_("🔄 Turnout"), callback_data=SurveyAdminCallback(action="show", survey_id=sid))
        builder.button(text=_("⏹ Close now"), callback_data=SurveyAdminCallback(action="close", survey_id=sid))
        builder.button(text=_("⏳ Extend"), callback_data=SurveyAdminCallback(action="extend", survey_id=sid))
        builder.button(text=_("🗑 Delete"), callback_data=SurveyAdminCallback(action="delete", survey_id=sid))
    builder.adjust(2)
    return builder.as_markup()


def contact_keyboard() -> ReplyKeyboardMarkup:
    """Telegram's request-contact button: shares the resident's OWN number (Bot API KeyboardButton.request_contact)."""
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=_("📱 Share my phone number"), request_contact=True)]],
        resize_keyboard=True, one_time_keyboard=True,
    )
