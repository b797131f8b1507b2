"""The officer's way into the web app from the chat: a web-app button (``WebAppInfo``) under /officer
and the chat's menu button (``setChatMenuButton`` for that one chat), both only when ``WEBAPP_URL`` is
set and only for officers and superadmins. Residents never get either: the menu button is set per
officer chat, and set back to the default when the role is revoked.

Telegram opens web apps over HTTPS only; ``WEBAPP_URL`` is the public address of ``/webapp/``.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, MenuButtonDefault, MenuButtonWebApp, WebAppInfo

from bot.config import Settings
from bot.db import Database
from bot.domain.officers import get_officer
from bot.i18n import _

log = logging.getLogger(__name__)


def workspace_url(settings: Settings) -> str | None:
    """The address Telegram clients open (``WEBAPP_URL`` with a trailing slash), or ``None`` when unset."""
    return f"{settings.webapp_url.rstrip('/')}/" if settings.webapp_url else None


def workspace_label(locale: str | None = None) -> str:
    """The button's text in ``locale`` (default: the current one)."""
    return _("Officer's workspace", locale=locale)


def workspace_keyboard(settings: Settings, locale: str | None = None) -> InlineKeyboardMarkup | None:
    """One web-app button opening the workspace, or ``None`` without ``WEBAPP_URL``."""
    url = workspace_url(settings)
    if url is None:
        return None
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=workspace_label(locale),
                                                                       web_app=WebAppInfo(url=url))]])


async def offer_workspace(bot: Bot, db: Database, settings: Settings, telegram_id: int,
                          locale: str | None = None) -> bool:
    """Set this person's chat menu button to the workspace if they are an officer or a superadmin and
    ``WEBAPP_URL`` is set; ``True`` when set. A Telegram refusal is logged, never raised (the chat
    command that called this still answers)."""
    url = workspace_url(settings)
    if url is None:
        return False
    if telegram_id not in settings.superadmin_ids and await get_officer(db, telegram_id) is None:
        return False
    try:
        await bot.set_chat_menu_button(chat_id=telegram_id, menu_button=MenuButtonWebApp(
            text=workspace_label(locale), web_app=WebAppInfo(url=url)))
    except TelegramAPIError:
        log.info("could not set the workspace menu button for %s", telegram_id, exc_info=True)
        return False
    return True


async def withdraw_workspace(bot: Bot, settings: Settings, telegram_id: int) -> None:
    """Put a former officer's menu button back to Telegram's default (nothing when ``WEBAPP_URL`` is
    unset: the button was never set)."""
    if workspace_url(settings) is None:
        return
    try:
        await bot.set_chat_menu_button(chat_id=telegram_id, menu_button=MenuButtonDefault())
    except TelegramAPIError:
        log.info("could not reset the menu button for %s", telegram_id, exc_info=True)
