"""Sending and editing with Telegram's everyday failures handled.

Telegram answers 400 "message is not modified" when an edit changes nothing (a double tap on the
same button), and "message to edit not found"/"message can't be edited" for old or deleted
messages (Bot API, editMessageText). Neither is a reason to fail a handler.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import CallbackQuery, InaccessibleMessage, InlineKeyboardMarkup, InputMediaPhoto, Message

from bot.domain.municipalities import Location
from bot.domain.text import utf16_length

log = logging.getLogger(__name__)


def esc(value: object) -> str:
    """HTML-escape any value for a ``parse_mode=HTML`` message (quotes too)."""
    return html.escape(str(value), quote=True)


def place_label(location: Location, locale: str) -> str:
    """HTML "<b>Municipality</b> (District, Oblast)" with repeats left out, every name escaped."""
    context = location.context(locale)
    label = f"<b>{esc(location.municipality.name(locale))}</b>"
    return f"{label} ({esc(', '.join(context))})" if context else label


async def edit_or_send(
    callback: CallbackQuery, text: str, reply_markup: InlineKeyboardMarkup | None = None, *, new: bool = False,
    menu: bool = True,
) -> Message | bool | None:
    """Replace the text of the message the button belongs to; send a new message when it cannot be edited.

    An unchanged text and keyboard (a double tap) is not an error. The edited message is the last word
    of the tap, so it is never left without buttons (issue 12): ``reply_markup`` gets a "« Main menu"
    row (:func:`bot.ui.keyboards.with_menu`), and none gives that row alone; ``menu=False`` only where
    a button would undo the point (after erasing a person's data, any tap would store them again) or
    where the caller sends the next step at once (a confirmation edited in before the next question),
    so the last word is that next message.

    ``new``: send a new message and leave the tapped one as it is — for the "Open" button of a
    notification, whose text and own buttons (such as "still a problem?") must stay (issue 12).
    """
    from bot.ui.keyboards import with_menu  # bot.ui.keyboards imports the domain, which this module serves

    reply_markup = with_menu(reply_markup) if menu else reply_markup
    message = callback.message
    if new or message is None or isinstance(message, InaccessibleMessage):
        if callback.from_user is not None and callback.bot is not None:
            return await callback.bot.send_message(callback.from_user.id, text, reply_markup=reply_markup)
        return None
    try:
        return await message.edit_text(text, reply_markup=reply_markup)
    except TelegramBadRequest as exc:
        description = str(exc).lower()
        if "message is not modified" in description:
            return None
        if "message to edit not found" in description or "can't be edited" in description or "there is no text" in description:
            return await message.answer(text, reply_markup=reply_markup)
        raise


async def answer_screen(message: Message, text: str, reply_markup: InlineKeyboardMarkup | None = None) -> Message:
    """Send a screen as a new message (a command's reply) with the way on :func:`edit_or_send` gives the
    same screen opened by a button: ``reply_markup`` gets a "« Main menu" row, none gives that row alone
    (issue 12), so /services and "🏛 Municipal services" end alike."""
    from bot.ui.keyboards import with_menu

    return await message.answer(text, reply_markup=with_menu(reply_markup))


async def drop_keyboard(callback: CallbackQuery) -> None:
    """Remove the inline keyboard of the message a button belongs to; failures are ignored."""
    message = callback.message
    if message is None or isinstance(message, InaccessibleMessage) or message.reply_markup is None:
        return
    try:
        await message.edit_reply_markup(reply_markup=None)
    except TelegramBadRequest:
        log.debug("could not remove keyboard", exc_info=True)


async def restore_keyboard(callback: CallbackQuery) -> None:
    """Put the tapped message's buttons back as they were when tapped (a wizard takes them off before
    its step runs, bot.flows): after a refusal or a failed write the same choice can be made again.
    "Message is not modified" (they were never taken off) and other failures are ignored."""
    message = callback.message
    if message is None or isinstance(message, InaccessibleMessage) or message.reply_markup is None \
            or not message.reply_markup.inline_keyboard:
        return
    try:
        await message.edit_reply_markup(reply_markup=message.reply_markup)
    except TelegramAPIError:
        log.debug("could not restore keyboard", exc_info=True)


async def send_photos(bot: Bot, chat_id: int, photos: Sequence[str], caption: str,
                      reply_markup: InlineKeyboardMarkup | None = None) -> None:
    """Send ``photos`` (Telegram file ids, 1-10) captioned ``caption`` (HTML), with ``reply_markup``
    (default « Main menu) as the way on. One photo carries the buttons itself; an album cannot
    (Bot API ``sendMediaGroup`` takes no ``reply_markup``), so a short line under it does (issue 12:
    no last word without a way on). Nothing is sent for no photos."""
    from bot.i18n import format_number, ngettext
    from bot.ui.keyboards import with_menu

    markup = reply_markup if reply_markup is not None else with_menu()
    if not photos:
        return
    if len(photos) == 1:
        await bot.send_photo(chat_id, photos[0], caption=caption, reply_markup=markup)
        return
    await bot.send_media_group(chat_id, [InputMediaPhoto(media=fid, caption=caption if i == 0 else None)
                                         for i, fid in enumerate(photos[:10])])
    count = min(len(photos), 10)
    await bot.send_message(chat_id, ngettext("⬆️ {count} photo above.", "⬆️ {count} photos above.", count)
                           .format(count=format_number(count)), reply_markup=markup)


MESSAGE_LIMIT = 4096
"""Longest message text Telegram accepts, in UTF-16 code units after entity parsing (Bot API, sendMessage)."""


async def answer_lines(message: Message, header: str, lines: list[str], *, limit: int = 4000) -> None:
    """Send ``header`` and ``lines`` (each already HTML-safe, self-contained and shorter than ``limit``) in
    as few messages as fit under Telegram's limit, never cutting a line; the last one carries
    "« Main menu" (no dead end)."""
    from bot.ui.keyboards import with_menu
    chunk = header
    for line in lines:
        candidate = f"{chunk}\n{line}" if chunk else line
        if utf16_length(candidate) > limit:
            await message.answer(chunk)
            candidate = line
        chunk = candidate
    if chunk:
        await message.answer(chunk, reply_markup=with_menu())
