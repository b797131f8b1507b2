"""Deep links from posts in linked chats: ``/start r_<municipality>_<target>_<chat>``.

A new resident is led straight into the post's municipality: the language first (onboarding's
bilingual prompt; the language button is taken here while a deep link waits), then one question —
"is this your municipality?" — instead of the search; then the survey or hearing of the post opens.
"Choose another" opens onboarding's picker. Registered before onboarding, reusing its screens.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import BaseFilter, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.db import Database
from bot.domain import municipalities as geo
from bot.domain.errors import DomainError
from bot.domain.reach import posts
from bot.domain.residents import Resident, get_resident
from bot.handlers.onboarding import send_home, send_language_prompt
from bot.handlers.onboarding.picker import open_picker
from bot.handlers.onboarding.start import save_language
from bot.i18n import _, use_locale
from bot.ui import reach as ui
from bot.ui.callbacks import LanguageCallback
from bot.ui.messages import edit_or_send, place_label

log = logging.getLogger(__name__)


class DeepLinkPending(BaseFilter):
    """The resident opened a deep link and has not confirmed its municipality yet."""

    async def __call__(self, event: Any, db: Database, resident: Resident | None = None) -> bool:
        return resident is not None and await posts.pending_link(db, resident.telegram_id) is not None


async def ask_confirmation(message: Message, db: Database, resident: Resident, locale: str,
                           state: FSMContext) -> None:
    """Ask whether the deep link's municipality is the resident's; when it already is, open the post's target."""
    link = await posts.pending_link(db, resident.telegram_id)
    if link is None:
        await send_home(message, db, resident, locale)
        return
    if resident.municipality_code == link.municipality_code:
        await posts.confirm_link(db, resident_id=resident.telegram_id, accept=True)
        await open_target(message, db, resident, locale, link.target)
        return
    location = await geo.locate(db, link.municipality_code)
    place = place_label(location, locale) if location else link.municipality_code
    await message.answer(ui.confirm_text(place), reply_markup=ui.confirm_keyboard())


async def open_target(message: Message, db: Database, resident: Resident, locale: str, target: str) -> None:
    """Open the survey (``s<id>``) or hearing (``h<id>``) of the post, or the main menu."""
    from bot.domain import hearings as hr
    from bot.domain import surveys as sv
    from bot.handlers.hearings.resident import send_card
    from bot.ui.surveys.keyboards import ballot_keyboard
    from bot.ui.surveys.texts import ballot_text

    bot: Bot | None = message.bot
    try:
        if target.startswith("h") and bot is not None:
            hearing = await hr.hearing_for_resident(db, resident_id=resident.telegram_id, hearing_id=int(target[1:]))
            await send_card(bot, db, hearing, resident, locale)
            return
        if target.startswith("s") and resident.municipality_code:
            survey = await sv.voter_survey(db, municipality_code=resident.municipality_code, survey_id=int(target[1:]))
            if survey.state() != "closed":
                sv.require_open(survey)
                mine = await sv.my_choice(db, resident.telegram_id, survey.id)
                await message.answer(ballot_text(survey, locale, mine), reply_markup=ballot_keyboard(survey, locale, mine=mine))
                return
            from bot.ui.surveys.callbacks import SurveyCallback

            await message.answer(_("This survey is closed."), reply_markup=InlineKeyboardMarkup(inline_keyboard=[[
                InlineKeyboardButton(text=_("Results"), callback_data=SurveyCallback(
                    action="results", survey_id=survey.id).pack())]]))
            return
    except DomainError as error:  # gone, cancelled, not open yet: the menu instead
        log.info("deep link target %s not opened: %s", target, type(error).__name__)
    await send_home(message, db, resident, locale)


async def cmd_start_link(message: Message, command: CommandObject, db: Database, resident: Resident, locale: str,
                         state: FSMContext) -> None:
    """``/start r_…``: remember the link, ask the language if not chosen, else confirm the municipality."""
    await state.set_state(None)  # a form left here keeps its draft (bot.flows.NavigationMiddleware)
    link = posts.parse_payload(command.args or "")
    assert link is not None  # the filter matched
    try:
        await posts.open_link(db, resident_id=resident.telegram_id, link=link)
    except DomainError:  # the municipality left the list: ordinary onboarding
        from bot.handlers.onboarding import continue_onboarding

        await continue_onboarding(message, db, resident, locale, state)
        return
    if resident.locale is None:
        await send_language_prompt(message)
        return
    await ask_confirmation(message, db, resident, locale, state)


async def on_language(callback: CallbackQuery, callback_data: LanguageCallback, db: Database, resident: Resident,
                      state: FSMContext, callback_answer: CallbackAnswer) -> None:
    """The language button while a deep link waits: saved as in onboarding, then the municipality
    question (not the picker)."""
    saved = await save_language(callback, callback_data, db, resident, callback_answer)
    if saved is not None:
        message, updated, new = saved
        with use_locale(new):
            await ask_confirmation(message, db, updated, new, state)


async def on_join(callback: CallbackQuery, callback_data: ui.JoinCallback, db: Database, resident: Resident,
                  locale: str, state: FSMContext, callback_answer: CallbackAnswer, **deps: Any) -> None:
    """"Yes, I live here" registers the resident there and opens the post; "another" opens the picker."""
    message = callback.message
    accept = callback_data.action == "yes"
    link = await posts.confirm_link(db, resident_id=resident.telegram_id, accept=accept)
    if link is None or not isinstance(message, Message):
        callback_answer.text = _("This button is out of date.")
        return
    if not accept:
        await open_picker(message, state, {**deps, "bot": callback.bot, "db": db, "resident": resident,
                                           "locale": locale})
        return
    location = await geo.locate(db, link.municipality_code)
    if location is not None:
        await edit_or_send(callback, _("✅ Your municipality: {place}.").format(place=place_label(location, locale)))
    updated = await get_resident(db, resident.telegram_id)
    if updated is not None:
        await open_target(message, db, updated, locale, link.target)


def _officer_button(letter: str, item: int) -> InlineKeyboardButton:
    from bot.ui.hearings import HearingAdminCallback
    from bot.ui.problems.callbacks import OfficerProblemCallback
    from bot.ui.registry import RegCb
    from bot.ui.surveys.callbacks import SurveyAdminCallback

    data = {"p": lambda: OfficerProblemCallback(action="open", id=item).pack(),
            "v": lambda: RegCb(a="oc", i=item).pack(),
            "h": lambda: HearingAdminCallback(action="qs", hearing_id=item).pack(),
            "s": lambda: SurveyAdminCallback(action="show", survey_id=item).pack()}[letter]()
    return InlineKeyboardButton(text=_("Open"), callback_data=data)


async def cmd_start_officer(message: Message, command: CommandObject, db: Database, resident: Resident,
                            locale: str, state: FSMContext) -> None:
    """``/start o_…`` from an alert in an officers' group: for an officer, the button that opens it
    here (the officer's own screens check the municipality again); for anyone else, the usual start."""
    from bot.domain.officers import get_officer
    from bot.handlers.onboarding import continue_onboarding

    await state.set_state(None)  # a form left here keeps its draft (bot.flows.NavigationMiddleware)
    parsed = posts.parse_officer_payload(command.args or "")
    if parsed is None or await get_officer(db, resident.telegram_id) is None:
        await continue_onboarding(message, db, resident, locale, state)
        return
    await message.answer(_("An alert from the officers' group:"),
                         reply_markup=InlineKeyboardMarkup(inline_keyboard=[[_officer_button(*parsed)]]))


def build_router() -> Router:
    """A new router for deep links (before onboarding's)."""
    router = Router(name="reach.start")
    router.message.register(cmd_start_link, CommandStart(deep_link=True, magic=F.args.regexp(r"^r_\d{14}_")))
    router.message.register(cmd_start_officer, CommandStart(deep_link=True, magic=F.args.regexp(r"^o_[phsv]\d")))
    router.callback_query.register(on_language, LanguageCallback.filter(), DeepLinkPending())
    router.callback_query.register(on_join, ui.JoinCallback.filter())
    return router
