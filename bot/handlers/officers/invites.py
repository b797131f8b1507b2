"""What any resident can do with the officer role: redeem an invite (/join CODE, or the /start deep
link) and learn their Telegram id (/id) for an administrator.

A code that cannot be redeemed raises a typed error (``NotAnInviteCode``, ``InviteUsed``,
``InviteExpired``, ``InviteUnknown``), explained once in :mod:`bot.ui.officers`.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.config import Settings
from bot.db import Database
from bot.domain import municipalities as geo
from bot.domain import officers as roles
from bot.domain.residents import Resident
from bot.i18n import _
from bot.ui.keyboards import with_menu
from bot.ui.officers import now_an_officer
from bot.webapp.menu import offer_workspace


async def redeem_and_reply(message: Message, db: Database, code: str, locale: str,
                           settings: Settings | None = None) -> None:
    """Redeem an officer invite for the sender and tell them which municipality they now act for.

    Raises:
        NotAnInviteCode, InviteInvalid: see :func:`bot.domain.officers.redeem_invite`.
    """
    user = message.from_user
    if user is None:
        return
    officer = await roles.redeem_invite(db, telegram_id=user.id, code=code)
    place = await geo.get_municipality(db, officer.municipality_code)
    await message.answer(now_an_officer(place.name(locale) if place else officer.municipality_code),
                         reply_markup=with_menu())
    if settings is not None and message.bot is not None:
        await offer_workspace(message.bot, db, settings, user.id, locale)


async def cmd_join(message: Message, command: CommandObject, db: Database, locale: str, settings: Settings) -> None:
    """/join CODE: become an officer with a one-time invite code."""
    if not command.args:
        await message.answer(_("Send the command with your invite code, for example: /join K7QM-4XPD"), reply_markup=with_menu())
        return
    await redeem_and_reply(message, db, command.args, locale, settings)


async def cmd_id(message: Message, resident: Resident) -> None:
    """/id: the sender's Telegram id (administrators need it for SUPERADMIN_IDS and /grant)."""
    await message.answer(_("Your Telegram id: <code>{id}</code>").format(id=resident.telegram_id), reply_markup=with_menu())


def build_router() -> Router:
    """A new router with this module's handlers (a router attaches to one dispatcher only)."""
    router = Router(name="officers.invites")
    router.message.register(cmd_join, Command("join", ignore_case=True))
    router.message.register(cmd_id, Command("id", ignore_case=True))
    return router
