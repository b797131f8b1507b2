"""The command menu Telegram shows beside the input field (``setMyCommands``), in the reader's language.

Telegram picks the default-scope list by the *client's* language (``language_code``), which is often
neither Kyrgyz nor Russian on cheap phones (English, Uzbek…); a resident who chose Kyrgyz in the bot
should see Kyrgyz commands. So besides the default lists (:func:`publish_defaults`), each resident's
private chat gets the list in their chosen language (:func:`publish_for_chat`, scope
``BotCommandScopeChat``) when that choice is made or changed (bot.middlewares.ResidentMiddleware).
Bot API: https://core.telegram.org/bots/api#setmycommands (scopes, ``language_code``).
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from bot.i18n import SUPPORTED_LOCALES, _

log = logging.getLogger(__name__)


def command_in(text: str | None) -> str:
    """The bot command a message starts with, as Telegram parses it: ``"/Link@JamaatBot x"`` → ``"link"``.

    Returns ``""`` when the text is not a command (``None``, empty, whitespace only, not starting with
    ``/``, or a bare ``"/"``). Never raises, whatever a person typed (issue 12: a group message of one
    space crashed the linking filter). Bot API: https://core.telegram.org/bots/features#commands
    """
    if not text or not text.startswith("/"):
        return ""
    words = text[1:].split(maxsplit=1)
    if not words:
        return ""
    return words[0].split("@", 1)[0].lower()


def resident_commands(locale: str) -> list[BotCommand]:
    """The residents' commands with descriptions in ``locale``."""
    return [
        BotCommand(command="menu", description=_("Main menu", locale=locale)),
        BotCommand(command="problems", description=_("Priority problems of my municipality", locale=locale)),
        BotCommand(command="surveys", description=_("Surveys", locale=locale)),
        BotCommand(command="hearings", description=_("Public hearings", locale=locale)),
        BotCommand(command="services", description=_("Municipal services", locale=locale)),
        BotCommand(command="municipality", description=_("Change your municipality", locale=locale)),
        BotCommand(command="language", description=_("Change the language", locale=locale)),
        BotCommand(command="privacy", description=_("My personal data", locale=locale)),
        BotCommand(command="help", description=_("Help", locale=locale)),
    ]


async def publish_defaults(bot: Bot, default_locale: str) -> None:
    """``setMyCommands`` for ``ky``, ``ru`` (by the client's language) and the default (``DEFAULT_LOCALE``).

    Raises: TelegramAPIError from the Bot API.
    """
    for locale in SUPPORTED_LOCALES:
        await bot.set_my_commands(resident_commands(locale), scope=BotCommandScopeDefault(), language_code=locale)
    await bot.set_my_commands(resident_commands(default_locale), scope=BotCommandScopeDefault())


async def publish_for_chat(bot: Bot, chat_id: int, locale: str) -> bool:
    """The command list of one private chat in ``locale``; ``False`` (logged at INFO) when Telegram refused
    (a blocked bot, flood control): the default list stays, nothing else depends on it."""
    try:
        await bot.set_my_commands(resident_commands(locale), scope=BotCommandScopeChat(chat_id=chat_id))
    except TelegramAPIError as error:
        log.info("could not set the command list of chat %s: %s", chat_id, error)
        return False
    return True
