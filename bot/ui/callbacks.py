"""Callback data factories. They carry ids only, never names: Telegram limits callback data to
1–64 bytes (Bot API, InlineKeyboardButton.callback_data), and names change."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


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
    page: int = 0


class MunicipalityCallback(CallbackData, prefix="mun"):
    """Pick the municipality with this 14-digit SOATE code (``mun:41708203803000`` = 18 bytes)."""

    code: str


class MenuCallback(CallbackData, prefix="menu"):
    """Main menu actions: ``language``, ``municipality``, ``help``, ``home``."""

    action: str
