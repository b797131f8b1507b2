"""The programme administrators' commands: /invite, /grant, /revoke, /officers, /find.

Behind :func:`~bot.handlers.roles.superadmin_router`: anyone not in ``SUPERADMIN_IDS`` gets the
``NotSuperadmin`` explanation, and the domain checks the list again. A municipality is given as its
14-digit SOATE code or a part of its name that matches exactly one; otherwise the candidates' codes
are listed. The person a grant or revocation concerns is told directly, in their own language.
"""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.config import Settings
from bot.db import Database
from bot.domain import municipalities as geo
from bot.domain import officers as roles
from bot.domain.clock import from_db
from bot.domain.residents import Resident, get_resident, mark_inactive
from bot.domain.text import clean_user_text
from bot.handlers.roles import superadmin_router
from bot.i18n import _, choose_locale, format_datetime, use_locale
from bot.ui.commands import command_in
from bot.ui.keyboards import with_menu
from bot.ui.messages import answer_lines, esc
from bot.ui.officers import codes_text, nothing_found, now_an_officer, search_usage
from bot.webapp.menu import offer_workspace, withdraw_workspace

log = logging.getLogger(__name__)

SOATE_LENGTH = 14
"""Digits of a municipality's SOATE code."""
TELEGRAM_ID_MAX_DIGITS = 15
"""Longest Telegram user id accepted from a command (ids are below 2⁵², 16 digits never occur)."""


def _parse_id(text: str) -> int | None:
    """A Telegram user id: ASCII digits only (not full-width ３２０), at most 15 of them."""
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= TELEGRAM_ID_MAX_DIGITS else None


async def _codes(message: Message, db: Database, places: list[geo.Place], total: int, locale: str,
                 command: str = "find") -> None:
    rows = []
    for place in places:
        location = await geo.locate(db, place.code)
        rows.append((place.code, place.name(locale), location.district.name(locale) if location else ""))
    await message.answer(codes_text(rows, total, command), reply_markup=with_menu())


async def _search(message: Message, db: Database, query: str) -> tuple[list[geo.Place], int] | None:
    """Up to 10 matches and their total, or ``None`` after saying the query cannot be a name."""
    try:
        return await geo.search_municipalities(db, query, limit=10)
    except (geo.SearchQueryTooShort, geo.SearchQueryTooLong):
        await message.answer(search_usage(), reply_markup=with_menu())
        return None


async def _resolve(message: Message, db: Database, arg: str, locale: str) -> geo.Place | None:
    """A SOATE code, or a name that matches exactly one municipality; otherwise explain and return ``None``."""
    arg = clean_user_text(arg)
    if arg.isascii() and arg.isdigit():
        place = await geo.get_municipality(db, arg, active_only=True) if len(arg) == SOATE_LENGTH else None
        if place is None:
            await message.answer(_("No municipality has the SOATE code {code}.").format(code=esc(arg[:20])),
                                 reply_markup=with_menu())
        return place
    found = await _search(message, db, arg)
    if found is None:
        return None
    places, total = found
    if total == 1:
        return places[0]
    if not places:
        await message.answer(nothing_found(arg), reply_markup=with_menu())
        return None
    command = command_in(message.text)
    await _codes(message, db, places, total, locale, command if command in ("invite", "officers") else "find")
    return None


async def cmd_find(message: Message, command: CommandObject, db: Database, locale: str) -> None:
    """/find NAME: SOATE codes of matching municipalities."""
    if not command.args:
        await message.answer(_("Send the command with a part of the name, for example: /find Ак-Суу"),
                             reply_markup=with_menu())
        return
    found = await _search(message, db, command.args)
    if found is None:
        return
    places, total = found
    if not places:
        await message.answer(nothing_found(command.args), reply_markup=with_menu())
        return
    await _codes(message, db, places, total, locale)


async def cmd_invite(message: Message, command: CommandObject, db: Database, resident: Resident, locale: str,
                     settings: Settings, bot: Bot) -> None:
    """/invite CODE-or-NAME: a one-time officer invite for that municipality, with its deep link."""
    if not command.args:
        await message.answer(_("Send the command with a SOATE code or a name, for example: /invite Ак-Суу"),
                             reply_markup=with_menu())
        return
    place = await _resolve(message, db, command.args, locale)
    if place is None:
        return
    invite = await roles.create_invite(
        db, actor_id=resident.telegram_id, superadmins=settings.superadmin_ids,
        municipality_code=place.code, ttl_hours=settings.invite_ttl_hours,
    )
    me = await bot.me()
    link = f"https://t.me/{me.username}?start=join-{invite.code}" if me.username else ""
    await message.answer(
        _(
            "Officer invite for <b>{municipality}</b>:\n\n"
            "<code>{code}</code>\n\n"
            "Valid once, until {expires}. The officer sends <code>/join {code}</code> to the bot "
            "or opens this link: {link}"
        ).format(
            municipality=esc(place.name(locale)),
            code=roles.format_invite_code(invite.code),
            expires=format_datetime(from_db(invite.expires_at), locale),
            link=esc(link),
        ),
        reply_markup=with_menu(),
    )


async def cmd_grant(message: Message, command: CommandObject, db: Database, resident: Resident, locale: str,
                    settings: Settings, bot: Bot) -> None:
    """/grant TELEGRAM_ID SOATE_CODE: make a registered resident an officer (``NotRegistered`` otherwise)."""
    parts = (command.args or "").split(maxsplit=1)
    target = _parse_id(parts[0]) if parts else None
    if target is None or len(parts) < 2:
        await message.answer(_("Usage: /grant &lt;Telegram id&gt; &lt;SOATE code&gt;, for example: /grant 123456789 41708203803000"),
                             reply_markup=with_menu())
        return
    place = await _resolve(message, db, parts[1], locale)
    if place is None:
        return
    await roles.grant_officer(db, actor_id=resident.telegram_id, superadmins=settings.superadmin_ids,
                              telegram_id=target, municipality_code=place.code)
    person = await get_resident(db, target)
    name = person.display_name if person else str(target)
    await message.answer(_("✅ {name} (id {id}) is now an officer of <b>{municipality}</b>.").format(
        name=esc(name), id=target, municipality=esc(place.name(locale))), reply_markup=with_menu())
    if person is not None:
        their = choose_locale(person.locale, person.language_code, settings.default_locale)
        with use_locale(their):
            await _tell(bot, db, target, now_an_officer(place.name(their)))
            await offer_workspace(bot, db, settings, target, their)


async def cmd_revoke(message: Message, command: CommandObject, db: Database, resident: Resident, locale: str,
                     settings: Settings, bot: Bot) -> None:
    """/revoke TELEGRAM_ID: take the officer role away (``OfficerNotFound`` if there is none)."""
    target = _parse_id(command.args or "")
    if target is None:
        await message.answer(_("Usage: /revoke &lt;Telegram id&gt;, for example: /revoke 123456789"),
                             reply_markup=with_menu())
        return
    officer = await roles.revoke_officer(db, actor_id=resident.telegram_id, superadmins=settings.superadmin_ids,
                                         telegram_id=target)
    place = await geo.get_municipality(db, officer.municipality_code)
    await message.answer(_("The officer role of id {id} in <b>{municipality}</b> is revoked.").format(
        id=target, municipality=esc(place.name(locale) if place else officer.municipality_code)),
            reply_markup=with_menu())
    if target not in settings.superadmin_ids:
        await withdraw_workspace(bot, settings, target)
    person = await get_resident(db, target)
    if person is not None:
        their = choose_locale(person.locale, person.language_code, settings.default_locale)
        with use_locale(their):
            await _tell(bot, db, target, _("You are no longer an officer of <b>{municipality}</b>.").format(
                municipality=esc(place.name(their) if place else officer.municipality_code)))


async def cmd_officers(message: Message, command: CommandObject, db: Database, locale: str) -> None:
    """/officers CODE-or-NAME: who is an officer of that municipality, in as many messages as it takes."""
    if not command.args:
        await message.answer(_("Send the command with a SOATE code or a name, for example: /officers Ак-Суу"),
                             reply_markup=with_menu())
        return
    place = await _resolve(message, db, command.args, locale)
    if place is None:
        return
    officers = await roles.list_officers(db, place.code)
    if not officers:
        await message.answer(_("<b>{municipality}</b> has no officers yet.").format(municipality=esc(place.name(locale))),
                             reply_markup=with_menu())
        return
    lines = []
    for officer in officers:
        person = await get_resident(db, officer.telegram_id)
        name = person.display_name if person else str(officer.telegram_id)
        lines.append(_("{name} (id {id}), appointed {date}").format(
            name=esc(name), id=officer.telegram_id, date=format_datetime(from_db(officer.granted_at), locale)))
    await answer_lines(message, _("Officers of <b>{municipality}</b>:").format(municipality=esc(place.name(locale))),
                       lines)


async def _tell(bot: Bot, db: Database, chat_id: int, text: str) -> None:
    """A direct message to the person a command concerns; their blocked chat must not fail the command."""
    try:
        await bot.send_message(chat_id, text, reply_markup=with_menu())
    except TelegramForbiddenError:
        await mark_inactive(db, chat_id)
    except TelegramAPIError:
        log.info("could not tell %s", chat_id, exc_info=True)


def build_router() -> Router:
    """A new superadmin router with this module's handlers (a router attaches to one dispatcher only)."""
    router = superadmin_router("officers.superadmin")
    router.message.register(cmd_find, Command("find", ignore_case=True))
    router.message.register(cmd_invite, Command("invite", ignore_case=True))
    router.message.register(cmd_grant, Command("grant", ignore_case=True))
    router.message.register(cmd_revoke, Command("revoke", ignore_case=True))
    router.message.register(cmd_officers, Command("officers", ignore_case=True))
    return router
