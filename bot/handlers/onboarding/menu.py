"""The main menu's own buttons (language, municipality, help, home) and /help.

One handler per button (``MenuCallback.filter(F.action == …)``); the menu's feature buttons belong
to their features' routers.
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.db import Database
from bot.domain.officers import get_officer
from bot.domain.residents import Resident
from bot.handlers.onboarding.home import send_language_prompt
from bot.handlers.onboarding.picker import show_current_or_pick
from bot.handlers.onboarding.start import continue_onboarding
from bot.ui.callbacks import MenuCallback
from bot.ui.keyboards import with_menu
from bot.ui.onboarding import help_text


async def _help(db: Database, resident: Resident, is_superadmin: bool) -> str:
    officer = await get_officer(db, resident.telegram_id)
    return help_text(officer=officer is not None, superadmin=is_superadmin)


async def cmd_help(message: Message, db: Database, resident: Resident, is_superadmin: bool) -> None:
    """/help: the commands for this person's roles (a form in progress is left, its draft kept)."""
    await message.answer(await _help(db, resident, is_superadmin), reply_markup=with_menu())


async def on_help(callback: CallbackQuery, db: Database, resident: Resident, is_superadmin: bool) -> None:
    """"Help" in the main menu."""
    if isinstance(callback.message, Message):
        await callback.message.answer(await _help(db, resident, is_superadmin), reply_markup=with_menu())


async def on_language(callback: CallbackQuery, state: FSMContext) -> None:
    """"Language" in the main menu: ask it again (a button, or its name typed)."""
    await state.set_state(None)  # a form left here keeps its draft (bot.flows.NavigationMiddleware)
    if isinstance(callback.message, Message):
        await send_language_prompt(callback.message, state)


async def on_municipality(callback: CallbackQuery, db: Database, resident: Resident, locale: str,
                          state: FSMContext, **deps: Any) -> None:
    """"My municipality" in the main menu: the current one first, and a question before changing it."""
    if isinstance(callback.message, Message):
        await show_current_or_pick(callback.message, db, resident, locale, state, deps)


async def on_home(callback: CallbackQuery, db: Database, resident: Resident, locale: str, state: FSMContext) -> None:
    """"« Main menu" under any list: the main menu (or the unfinished onboarding step)."""
    if isinstance(callback.message, Message):
        await continue_onboarding(callback.message, db, resident, locale, state)


def build_router() -> Router:
    """A new router with this module's handlers (a router attaches to one dispatcher only)."""
    router = Router(name="onboarding.menu")
    router.message.register(cmd_help, Command("help", ignore_case=True))
    router.callback_query.register(on_language, MenuCallback.filter(F.action == "language"))
    router.callback_query.register(on_municipality, MenuCallback.filter(F.action == "municipality"))
    router.callback_query.register(on_help, MenuCallback.filter(F.action == "help"))
    router.callback_query.register(on_home, MenuCallback.filter(F.action == "home"))
    return router
