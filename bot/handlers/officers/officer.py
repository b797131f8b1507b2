"""An officer's own commands: /officer (their municipality and tools) and /kyname (its Kyrgyz name).

Behind :func:`~bot.handlers.roles.officer_router`: every handler here receives ``officer``; anyone
else gets the ``NotAnOfficer`` explanation. /kyname is a one-step wizard on the kit; the domain
re-checks the officer's municipality and the name's bounds (``bot.domain.municipalities.set_name_ky``).
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.config import Settings
from bot.db import Database
from bot.domain import municipalities as geo
from bot.domain.officers import Officer
from bot.domain.residents import count_residents
from bot.flows import Ctx, Prompt, Wizard
from bot.handlers.roles import officer_router
from bot.i18n import N_, _
from bot.ui.callbacks import MenuCallback
from bot.ui.messages import esc, place_label
from bot.ui.officers import kyname_prompt, officer_panel, officer_tools_keyboard
from bot.webapp.menu import offer_workspace, workspace_keyboard

kyname = Wizard("kyname", cancelled=N_("Cancelled."))
name_step = kyname.text("name", max_len=geo.NAME_MAX_LENGTH)


@name_step.prompt
async def _ask_name(ctx: Ctx) -> Prompt:
    return Prompt(kyname_prompt(await geo.get_municipality(ctx.db, ctx.data["municipality_code"])))


@name_step.handle
async def _save_name(ctx: Ctx, text: str | None) -> None:
    officer: Officer = ctx.officer
    place = await geo.set_name_ky(ctx.db, officer_id=officer.telegram_id,
                                  municipality_code=ctx.data["municipality_code"], name_ky=text or "")
    await ctx.finish(_("Saved. Kyrgyz-speaking residents now see: <b>{name}</b>").format(name=esc(place.name_ky)))


async def cmd_officer(message: Message, db: Database, officer: Officer, locale: str, settings: Settings) -> None:
    """/officer: the officer's municipality, how many residents use the bot, and the tools; with
    ``WEBAPP_URL`` set, the workspace button under it and in the chat's menu."""
    await send_panel(message, db, officer, locale, settings)


async def send_panel(message: Message, db: Database, officer: Officer, locale: str, settings: Settings) -> None:
    """The officer's panel in ``message``'s chat: municipality, residents, the tools as buttons (and the
    workspace button with ``WEBAPP_URL``), "« Main menu"."""
    location = await geo.locate(db, officer.municipality_code)
    place = place_label(location, locale) if location else esc(officer.municipality_code)
    tools = officer_tools_keyboard()
    workspace = workspace_keyboard(settings, locale)
    rows = [*(workspace.inline_keyboard if workspace else []), *tools.inline_keyboard]
    await message.answer(officer_panel(place, await count_residents(db, officer.municipality_code)),
                         reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))
    if message.bot is not None:
        await offer_workspace(message.bot, db, settings, officer.telegram_id, locale)


async def on_tools(callback: CallbackQuery, db: Database, officer: Officer, locale: str, settings: Settings) -> None:
    """"🛠 Officer tools" in an officer's main menu: the panel, as /officer shows it."""
    if isinstance(callback.message, Message):
        await send_panel(callback.message, db, officer, locale, settings)


async def cmd_kyname(message: Message, officer: Officer, state: FSMContext, **deps: Any) -> None:
    """/kyname: ask for the municipality's Kyrgyz name (shown to Kyrgyz-speaking residents)."""
    await kyname.start(message, state, {**deps, "officer": officer},
                       {"municipality_code": officer.municipality_code})


def build_router() -> Router:
    """A new officer router with this module's handlers (a router attaches to one dispatcher only)."""
    router = officer_router("officers.officer")
    router.message.register(cmd_officer, Command("officer", ignore_case=True))
    router.message.register(cmd_kyname, Command("kyname", ignore_case=True))
    router.callback_query.register(on_tools, MenuCallback.filter(F.action == "officer"))
    kyname.register(router)
    return router
