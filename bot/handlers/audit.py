"""/audit: the audit log in the chat — an officer reads their municipality's last entries, a superadmin
everyone's; "Older" pages back. Reading is checked by :func:`bot.domain.audit.entries_for` (an officer
never gets another municipality's entries, whatever the button says).
"""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.config import Settings
from bot.db import Database
from bot.delivery.split import split_html
from bot.domain import audit
from bot.domain import municipalities as geo
from bot.domain.officers import get_officer
from bot.domain.residents import get_resident
from bot.i18n import _
from bot.ui.audit import PAGE, AuditCallback, audit_keyboard, audit_text, deleted_person, entry_line, unknown_person
from bot.ui.keyboards import with_menu
from bot.ui.messages import esc


async def _actor_name(db: Database, resident_id: int | None, cache: dict[int | None, str]) -> str:
    if resident_id not in cache:
        person = await get_resident(db, resident_id) if resident_id is not None and resident_id > 0 else None
        if person is not None:
            cache[resident_id] = person.display_name
        elif resident_id is not None and resident_id > 0:  # a superadmin who never wrote to the bot
            cache[resident_id] = unknown_person(resident_id)
        else:  # an anonymous stub: the person was erased at their request
            cache[resident_id] = deleted_person()
    return cache[resident_id]


async def _show(bot: Bot, chat_id: int, db: Database, reader_id: int, settings: Settings, locale: str,
                before: int | None) -> None:
    entries = await audit.entries_for(db, reader_id=reader_id, superadmins=settings.superadmin_ids, limit=PAGE,
                                      before_id=before)
    if reader_id in settings.superadmin_ids:
        scope = _("all municipalities")
    else:
        officer = await get_officer(db, reader_id)
        own = await geo.get_municipality(db, officer.municipality_code) if officer else None
        scope = esc(own.name(locale)) if own else ""
    names: dict[int | None, str] = {}
    places: dict[str, str] = {}
    lines = []
    for e in entries:
        place: str | None = None
        if reader_id in settings.superadmin_ids and e.municipality_code:
            if e.municipality_code not in places:
                found = await geo.get_municipality(db, e.municipality_code)
                places[e.municipality_code] = esc(found.name(locale) if found else e.municipality_code)
            place = places[e.municipality_code]
        subject = await _actor_name(db, e.target_id, names) if e.target_kind == "resident" else None
        lines.append(entry_line(e, await _actor_name(db, e.actor_resident_id, names), locale, place, subject))
    parts = split_html(audit_text(lines, scope=scope, first_page=before is None))
    for part in parts[:-1]:
        await bot.send_message(chat_id, part)
    await bot.send_message(chat_id, parts[-1], reply_markup=with_menu(audit_keyboard(entries)))


async def cmd_audit(message: Message, bot: Bot, db: Database, settings: Settings, locale: str) -> None:
    """/audit: the newest entries the sender may read (officers: their municipality; superadmins: all)."""
    if message.from_user is not None:
        await _show(bot, message.chat.id, db, message.from_user.id, settings, locale, None)


async def on_older(callback: CallbackQuery, callback_data: AuditCallback, bot: Bot, db: Database,
                   settings: Settings, locale: str) -> None:
    """"Older": the page before ``callback_data.before``."""
    await _show(bot, callback.from_user.id, db, callback.from_user.id, settings, locale, callback_data.before)


def build_router() -> Router:
    """A new router with this module's handlers (a router attaches to one dispatcher only)."""
    router = Router(name="audit")
    router.message.register(cmd_audit, Command("audit", ignore_case=True))
    router.callback_query.register(on_older, AuditCallback.filter())
    return router
