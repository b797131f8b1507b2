"""Callback data factories. They carry ids only, never names: Telegram limits callback data to
1–64 bytes (Bot API, InlineKeyboardButton.callback_data), and names change."""

from __future__ import annotations

from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field


class LanguageCallback(CallbackData, prefix="lang"):
    """Choose the interface language: ``locale`` is ``ky`` or ``ru``."""

    locale: str


class GeoCallback(CallbackData, prefix="geo"):
    """Navigate the municipality picker.

    ``level``: ``root`` (oblasts), ``oblast`` (districts of ``code``), ``district`` (municipalities of ``code``);
    ``page`` is 0-based. Longest: ``geo:district:41708203:12`` = 25 bytes.
    """

    level: str
    code: str = ""
    page: PageField = 0


class MunicipalityCallback(CallbackData, prefix="mun"):
    """Pick the municipality with this 14-digit SOATE code (``mun:41708203803000`` = 18 bytes)."""

    code: str


class MenuCallback(CallbackData, prefix="menu"):
    """Main menu actions: ``language``, ``municipality``, ``help``, ``home``."""

    action: str


# -- bounded numbers in callback data ---------------------------------------------------------------
# Callback data comes from the client and can be crafted: "pb:open:99999999999999999999" would
# overflow SQLite's 64-bit integers deep inside a handler. Fields typed with these are checked when
# the data is unpacked; out-of-range data does not match the feature's filter and is answered by
# the fallback router as a stale button (bot.handlers.fallback.stale_button).

MAX_CALLBACK_ID = 2**53 - 1
"""Largest id accepted from a button (row ids never get near it; JavaScript-safe integer)."""
MAX_CALLBACK_PAGE = 1_000_000
"""Largest page number accepted from a button (pages are clamped into range by the features)."""

IdField = Annotated[int, Field(ge=0, le=MAX_CALLBACK_ID)]
"""A row id in callback data: 0 (none) .. :data:`MAX_CALLBACK_ID`."""
PageField = Annotated[int, Field(ge=0, le=MAX_CALLBACK_PAGE)]
"""A 0-based page number in callback data."""


def parse_id(text: str | None, *, limit: int = MAX_CALLBACK_ID) -> int | None:
    """A positive id typed or carried as text (``"12"``), or ``None``.

    Only ASCII digits count: ``"²".isdigit()`` is true but ``int("²")`` fails, and ``"١٢"`` would
    silently become 12.
    """
    text = (text or "").strip()
    if not text or len(text) > 16 or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 0 < value <= limit else None
