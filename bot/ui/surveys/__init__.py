"""Survey screens: callback data (defined once, bounded ids), keyboards, texts, results files and
the explanations of survey and verification errors (registered on import)."""

from __future__ import annotations

from bot.ui.surveys.callbacks import (
    MAX_MASK,
    SurveyAdminCallback,
    SurveyCallback,
    mask_of,
    positions_of,
    survey_open_data,
)
from bot.ui.surveys import errors as _errors  # noqa: F401  (registers the explanations)
from bot.ui.surveys.files import results_chart_png, results_csv, results_filename
from bot.ui.surveys.keyboards import (
    ballot_keyboard,
    contact_keyboard,
    officer_card_keyboard,
    officer_list_keyboard,
    open_card_button,
)
from bot.ui.surveys.texts import ballot_text, card_text, example_time, preview_text, results_text, votes_text

__all__ = [
    "MAX_MASK", "SurveyAdminCallback", "SurveyCallback", "ballot_keyboard", "ballot_text", "card_text",
    "contact_keyboard", "example_time", "mask_of", "officer_card_keyboard", "officer_list_keyboard",
    "open_card_button",
    "positions_of", "preview_text", "results_chart_png", "results_csv", "results_filename", "results_text", "survey_open_data",
    "votes_text",
]
