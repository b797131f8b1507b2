"""Buttons that fit a 360-px phone (issue 12), made sure of in one place for every keyboard.

:func:`reflow` splits a row whose buttons are too wide to share it (``bot.ui.keyboards.row_limit``:
about 14 characters each in a row of two) into rows of one, keeping every button and its order.
:class:`ReflowKeyboards` applies it to every inline keyboard the application's Bot sends or edits
(a session middleware, added by ``bot.app.build_bot``); the outbox's notices get it through
``bot.notices.Rendered.markup``. Labels too long even alone in a row are a wording matter: the
shared :func:`bot.ui.keyboards.label` shortens data shown on buttons, catalogs keep fixed labels short.
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.ui.keyboards import row_limit, text_width


def _split(row: list[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    limit = row_limit(len(row))
    if len(row) < 2 or all(text_width(button.text) <= limit for button in row):
        return [row]
    if len(row) > 2:  # try pairs first: "‹ 1/3 ›" rows are short and never get here
        halves = [row[i:i + 2] for i in range(0, len(row), 2)]
        return [part for half in halves for part in _split(half)]
    return [[button] for button in row]


def reflow(markup: InlineKeyboardMarkup) -> InlineKeyboardMarkup:
    """``markup`` with every too-wide shared row split (the same object when nothing changes)."""
    rows = [part for row in markup.inline_keyboard for part in _split(list(row))]
    if len(rows) == len(markup.inline_keyboard):
        return markup
    return InlineKeyboardMarkup(inline_keyboard=rows)


class ReflowKeyboards(BaseRequestMiddleware):
    """Session middleware: every outgoing ``reply_markup`` that is an inline keyboard is :func:`reflow`-ed."""

    async def __call__(
        self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot, method: TelegramMethod[TelegramType]
    ) -> Response[TelegramType]:
        markup = getattr(method, "reply_markup", None)
        if isinstance(markup, InlineKeyboardMarkup):
            fitted = reflow(markup)
            if fitted is not markup:
                method = method.model_copy(update={"reply_markup": fitted})
        return await make_request(bot, method)
