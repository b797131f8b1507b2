"""The two screens every other onboarding handler leads to: the language question and the main menu."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.db import Database
from bot.domain import municipalities as geo
from bot.domain.residents import Resident
from bot.ui.keyboards import language_keyboard, main_menu_keyboard
from bot.ui.onboarding import home_text, language_prompt


LANGUAGE_STEP = "onboard:language"
"""FSM state while the language is asked (/language, "Language" in the menu): a typed name of a language
is taken as its button (:func:`bot.handlers.onboarding.start.on_typed_language`). Not a wizard's state,
so any button or command ends it (the kit's navigation rule); before the first choice a resident
without a language is at this step anyway."""


async def send_language_prompt(message: Message, state: FSMContext | None = None) -> None:
    """Ask the language (bilingual, since we do not know it yet) in ``message``'s chat; with ``state``,
    a typed language name is taken as an answer until the person goes elsewhere."""
    if state is not None:
        await state.set_state(LANGUAGE_STEP)
    await message.answer(language_prompt(), reply_markup=language_keyboard())


async def send_home(message: Message, db: Database, resident: Resident, locale: str) -> None:
    """Send the main menu as a new message in ``message``'s chat."""
    from bot.domain.officers import get_officer

    location = await geo.locate(db, resident.municipality_code) if resident.municipality_code else None
    officer = await get_officer(db, resident.telegram_id) is not None
    await message.answer(home_text(location, locale), reply_markup=main_menu_keyboard(officer=officer))
