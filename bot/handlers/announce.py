"""/announce: an officer sends an announcement to every resident of their municipality.

Steps (FSM in SQLite, so a draft survives a restart): the Kyrgyz text → the Russian text (or
"Skip": Russian readers get the Kyrgyz one) → a preview exactly as residents will see it, with the
number of recipients → "Send" queues it in the outbox and the confirmation message becomes the
progress message the delivery worker keeps up to date. "Send" carries the draft id, and the domain
queues one draft once, so a double tap sends one announcement.
"""

from __future__ import annotations

import logging
import secrets

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InaccessibleMessage, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.db import Database
from bot.domain import InvalidInput, NotFound, PermissionDenied
from bot.domain import announcements as ann
from bot.domain import officers as roles
from bot.domain.residents import Resident, count_residents
from bot.handlers.officers import refusal_officer
from bot.i18n import _, format_number, ngettext
from bot.ui.messages import drop_keyboard

log = logging.getLogger(__name__)


class Announce(StatesGroup):
    """The /announce draft: waiting for the Kyrgyz text, the Russian text, the confirmation."""

    ky = State()
    ru = State()
    confirm = State()


class AnnounceCallback(CallbackData, prefix="ann"):
    """``action``: ``skip`` (no Russian text), ``send``, ``cancel``; ``draft``: 12 hex characters
    (``ann:cancel:0123456789ab`` = 23 bytes)."""

    action: str
    draft: str


def _keyboard(draft: str, *actions: str) -> InlineKeyboardMarkup:
    labels = {"skip": _("⏭ Skip"), "send": _("✅ Send"), "cancel": _("✖ Cancel")}
    builder = InlineKeyboardBuilder()
    for action in actions:
        builder.button(text=labels[action], callback_data=AnnounceCallback(action=action, draft=draft))
    builder.adjust(len(actions))
    return builder.as_markup()


def _too_long(exc: InvalidInput) -> str:
    length = exc.actual or 0
    if length == 0:
        return _("The announcement is empty. Send its text.")
    return ngettext(
        "An announcement can be at most {limit} characters long; yours has {length} character. "
        "Shorten it and send it again.",
        "An announcement can be at most {limit} characters long; yours has {length} characters. "
        "Shorten it and send it again.",
        length,
    ).format(limit=format_number(exc.limit or ann.TEXT_MAX_LENGTH), length=format_number(length))


async def cmd_announce(message: Message, db: Database, resident: Resident, state: FSMContext) -> None:
    """/announce: start a draft (officers only)."""
    try:
        officer = await roles.require_officer(db, resident.telegram_id)
    except PermissionDenied:
        await message.answer(refusal_officer())
        return
    draft = secrets.token_hex(6)
    await state.set_state(Announce.ky)
    await state.set_data({"draft": draft, "municipality_code": officer.municipality_code})
    await message.answer(
        _("📣 <b>New announcement</b>\n\nSend the text in Kyrgyz (up to {limit} characters). "
          "/cancel — stop.").format(limit=format_number(ann.TEXT_MAX_LENGTH)),
        reply_markup=_keyboard(draft, "cancel"),
    )


SPLIT_TAIL_SECONDS = 3
"""Telegram apps split a pasted text over 4,096 characters into several messages sent at once; a
text arriving this soon after a refused over-long one is taken for its tail, not for a new text."""


async def _checked_text(message: Message, state: FSMContext) -> str | None:
    """The cleaned announcement text, or ``None`` after answering why it was refused (too long, empty,
    or the tail of an over-long text that Telegram split into several messages)."""
    data = await state.get_data()
    sent = int(message.date.timestamp()) if message.date else 0
    refused = data.get("refused_at")
    try:
        text = ann.clean_text(message.text)
    except InvalidInput as exc:
        await state.update_data(refused_at=sent)
        await message.answer(_too_long(exc))
        return None
    if refused is not None and 0 <= sent - int(refused) <= SPLIT_TAIL_SECONDS:
        await state.update_data(refused_at=sent)
        await message.answer(_(
            "This looks like the end of the long text that Telegram split into several messages, so it "
            "was not taken on its own. Send the whole announcement again, shorter."))
        return None
    await state.update_data(refused_at=None)
    return text


async def on_ky_text(message: Message, state: FSMContext) -> None:
    """The Kyrgyz text; next, the Russian one."""
    text = await _checked_text(message, state)
    if text is None:
        return
    data = await state.get_data()
    await state.update_data(ky=text)
    await state.set_state(Announce.ru)
    await message.answer(
        _("Now send the same announcement in Russian, or tap “⏭ Skip”: residents who read Russian "
          "will then get the Kyrgyz text."),
        reply_markup=_keyboard(data.get("draft", ""), "skip", "cancel"),
    )


async def on_ru_text(message: Message, db: Database, state: FSMContext, locale: str) -> None:
    """The Russian text; next, the preview."""
    text = await _checked_text(message, state)
    if text is None:
        return
    await state.update_data(ru=text)
    await _preview(message, db, state, locale)


async def on_not_text(message: Message) -> None:
    """A sticker, photo, voice… where the text of the announcement was expected."""
    await message.answer(_("Please send the announcement as text (photos and stickers cannot be sent "
                           "in an announcement), or /cancel."))


async def on_text_at_confirm(message: Message) -> None:
    """Text while the preview waits for "Send"/"Cancel"."""
    await message.answer(_("Tap “✅ Send” under the preview to send the announcement, or “✖ Cancel”."))


async def _preview(message: Message, db: Database, state: FSMContext, locale: str) -> None:
    data = await state.get_data()
    code = data["municipality_code"]
    names = await ann.municipality_names(db, code)
    await state.set_state(Announce.confirm)
    versions = [("ky", data["ky"])] + ([("ru", data["ru"])] if data.get("ru") else [])
    for loc, text in versions:
        await message.answer(ann.render(text, names[loc], loc))
    total = await count_residents(db, code)
    if data.get("ru"):
        how = _("Above is the announcement as residents will see it, in Kyrgyz and in Russian.")
    else:
        how = _("Above is the announcement as residents will see it; everyone gets the Kyrgyz text.")
    count = ngettext(
        "It will be sent to {count} resident of your municipality.",
        "It will be sent to {count} residents of your municipality.",
        total,
    ).format(count=format_number(total, locale))
    await message.answer(f"{how}\n{count}", reply_markup=_keyboard(data["draft"], "send", "cancel"))


async def on_callback(callback: CallbackQuery, callback_data: AnnounceCallback, db: Database, resident: Resident,
                      state: FSMContext, locale: str, delivery_worker: object | None = None) -> None:
    """Skip / Send / Cancel. A button of another (older or finished) draft gets a clear answer."""
    data = await state.get_data()
    current = await state.get_state()
    if data.get("draft") != callback_data.draft or current is None:
        sent = await db.fetchval("SELECT 1 FROM broadcasts WHERE dedup_key = ?",
                                 (f"announce:{resident.telegram_id}:{callback_data.draft}",))
        text = (_("This announcement has already been sent.") if sent
                else _("This draft is no longer open. Send /announce to start a new announcement."))
        await callback.answer(text, show_alert=True)
        return
    message = callback.message if not isinstance(callback.message, InaccessibleMessage) else None
    if callback_data.action == "cancel":
        await state.clear()
        await callback.answer()
        await drop_keyboard(callback)
        if message is not None:
            await message.answer(_("Cancelled. Nothing was sent."))
        return
    if callback_data.action == "skip":
        if current != Announce.ru.state:
            await callback.answer()
            return
        await callback.answer()
        await drop_keyboard(callback)
        if message is not None:
            await state.update_data(ru=None)
            await _preview(message, db, state, locale)
        return
    if callback_data.action != "send" or current != Announce.confirm.state:
        await callback.answer()
        return
    try:
        result = await ann.announce(
            db, officer_id=resident.telegram_id, municipality_code=data["municipality_code"],
            text_ky=data["ky"], text_ru=data.get("ru"), draft_id=data["draft"],
        )
    except PermissionDenied:
        await state.clear()
        await callback.answer(refusal_officer(), show_alert=True)
        return
    except InvalidInput as exc:
        await callback.answer(_too_long(exc)[:200], show_alert=True)
        return
    await state.clear()
    if not result.created:  # a second tap that raced the first
        await callback.answer(_("This announcement has already been sent."), show_alert=True)
        return
    await callback.answer()
    text = ngettext(
        "📣 The announcement is queued for {count} resident. Progress will be shown here.",
        "📣 The announcement is queued for {count} residents. Progress will be shown here.",
        result.total,
    ).format(count=format_number(result.total, locale))
    if message is not None:
        try:
            shown = await message.edit_text(text, reply_markup=None)
        except TelegramBadRequest:  # an old message may not be editable; send a new one
            shown = await message.answer(text)
        if isinstance(shown, Message):
            try:
                await ann.set_progress_message(db, broadcast_id=result.broadcast_id, sender_id=resident.telegram_id,
                                               chat_id=shown.chat.id, message_id=shown.message_id)
            except NotFound:
                log.warning("broadcast %s vanished", result.broadcast_id)
    wake = getattr(delivery_worker, "wake", None)
    if callable(wake):
        wake()


def build_router() -> Router:
    """A new router with this module's handlers, in order (a router attaches to one dispatcher only)."""
    router = Router(name="announce")
    router.message.register(cmd_announce, Command("announce"))
    router.callback_query.register(on_callback, AnnounceCallback.filter())
    router.message.register(on_ky_text, StateFilter(Announce.ky), F.text, ~F.text.startswith("/"))
    router.message.register(on_ru_text, StateFilter(Announce.ru), F.text, ~F.text.startswith("/"))
    router.message.register(on_not_text, StateFilter(Announce.ky, Announce.ru), ~F.text)
    router.message.register(on_text_at_confirm, StateFilter(Announce.confirm), F.text, ~F.text.startswith("/"))
    return router
