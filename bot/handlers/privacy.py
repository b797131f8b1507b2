"""Personal data: /privacy (what the bot stores about me, why, who sees it) and /delete_me (erase my
identity after a confirmation with "Yes, delete my data" and "Cancel"). The rules are in
:mod:`bot.domain.privacy`; the texts in :mod:`bot.ui.privacy`.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.config import Settings
from bot.db import Database
from bot.domain import municipalities as geo
from bot.domain import privacy
from bot.domain.clock import from_db
from bot.domain.residents import Resident
from bot.i18n import _
from bot.ui.keyboards import with_menu
from bot.ui.messages import edit_or_send, place_label
from bot.ui.privacy import (
    PrivacyCallback,
    erase_keyboard,
    erase_question,
    erased_text,
    kept_text,
    privacy_text,
)


def _joined(resident: Resident) -> int:
    return int(from_db(resident.joined_at).timestamp())


async def cmd_privacy(message: Message, db: Database, resident: Resident, locale: str) -> None:
    """/privacy: what is stored about the sender, read from the database, in their language."""
    data = await privacy.my_data(db, resident.telegram_id)
    location = await geo.locate(db, data.municipality_code) if data.municipality_code else None
    await message.answer(privacy_text(data, place_label(location, locale) if location else None),
                         reply_markup=with_menu())


async def cmd_delete_me(message: Message, db: Database, resident: Resident, settings: Settings) -> None:
    """/delete_me: ask for confirmation (an officer or superadmin is told why it cannot be done)."""
    await privacy.check_erasable(db, telegram_id=resident.telegram_id, superadmins=settings.superadmin_ids)
    await message.answer(erase_question(), reply_markup=erase_keyboard(_joined(resident)))


async def on_erase(callback: CallbackQuery, callback_data: PrivacyCallback, db: Database, resident: Resident,
                   settings: Settings, state: FSMContext, callback_answer: CallbackAnswer) -> None:
    """"Yes, delete my data": erase, clear the conversation, say what happened."""
    if callback_data.joined != _joined(resident):  # asked of an earlier identity: already erased
        callback_answer.text = _("This button is out of date. Send /menu to start again.")
        callback_answer.show_alert = True
        return
    await privacy.erase_me(db, telegram_id=resident.telegram_id, superadmins=settings.superadmin_ids)
    await state.clear()
    await edit_or_send(callback, erased_text(), menu=False)  # a tap would store the person again


async def on_keep(callback: CallbackQuery) -> None:
    """"Cancel": nothing changes."""
    await edit_or_send(callback, kept_text(), with_menu())


def build_router() -> Router:
    """A new router with this module's handlers (a router attaches to one dispatcher only)."""
    router = Router(name="privacy")
    router.message.register(cmd_privacy, Command("privacy", ignore_case=True))
    router.message.register(cmd_delete_me, Command("delete_me", ignore_case=True))
    router.callback_query.register(on_erase, PrivacyCallback.filter(F.action == "erase"))
    router.callback_query.register(on_keep, PrivacyCallback.filter(F.action == "keep"))
    return router
