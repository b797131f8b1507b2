"""The problems feature's UI: callback formats (``callbacks``), resident screens (``cards``), officer
screens (``officer``), explanations of its errors (``errors``); the CSV and chart are in
``bot.ui.problems_export``."""

from __future__ import annotations

from bot.ui.problems import errors  # noqa: F401  (registers the explanations)
from bot.ui.problems.callbacks import (
    PAGE_SIZE,
    SOURCES,
    OfficerProblemCallback,
    OfficerQueueCallback,
    ProblemCallback,
    open_card_data,
    still_data,
)
from bot.ui.problems.cards import (
    CARD_MAX,
    age_text,
    card_text,
    category_label,
    fit_utf16,
    history_actor,
    home_keyboard,
    home_text,
    instead_label,
    list_title,
    media_row,
    open_keyboard,
    preview_text,
    problem_excerpt,
    render_card,
    render_history,
    render_list,
    single_button,
    status_label,
    supports_text,
    text_prompt,
    visible_length,
)
from bot.ui.problems.officer import queue_keyboard, render_officer_card, render_queue

__all__ = [
    "CARD_MAX", "PAGE_SIZE", "SOURCES", "OfficerProblemCallback", "OfficerQueueCallback", "ProblemCallback",
    "age_text", "card_text", "category_label", "fit_utf16", "history_actor", "home_keyboard", "home_text",
    "instead_label", "list_title", "media_row", "open_card_data", "open_keyboard", "preview_text",
    "problem_excerpt", "queue_keyboard", "render_card", "render_history", "render_list", "render_officer_card",
    "render_queue", "single_button", "status_label", "still_data", "supports_text", "text_prompt",
    "visible_length",
]
