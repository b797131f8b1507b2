"""Deep links from posts in linked chats: ``/start r_<municipality>_<target>_<chat>``.

A new resident is led straight into the post's municipality: the language first (onboarding's
bilingual prompt; the language button is taken here while a deep link waits), then one question —
"is this your municipality?" — instead of the search; then the survey or hearing of the post opens.
"Choose another" opens onboarding's picker. A resident registered in another municipality gets the
question every move asks ("Change your municipality? Now: A, new: B", onboarding's ``ask_change``);
"Yes" moves them and opens the post, "No" drops the link. Registered before onboarding, reusing its screens.
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
from bot.handlers.onboarding import picker, send_home, send_language_prompt
from bot.handlers.onboarding.picker import ask_change, open_picker
from bot.handlers.onboarding.start import LanguageAsked, save_language, take_typed_language
from bot.i18n import _, use_locale
from bot.ui import reach as ui
from bot.ui.callbacks import LanguageCallback
from bot.ui.messages import edit_or_send, place_label
from bot.ui.municipality_search import MyMunicipalityCallback

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
    if resident.municipality_code is not None:  # registered elsewhere: the question every move asks
        await ask_change(message, db, resident, link.municipality_code, locale)
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


async def on_typed_language(message: Message, db: Database, resident: Resident, state: FSMContext) -> None:
    """The language typed instead of tapped while a deep link waits: as the button, then the
    municipality question (onboarding's :func:`~bot.handlers.onboarding.start.take_typed_language`)."""
    saved = await take_typed_language(message, db, resident, state)
    if saved is not None:
        updated, new = saved
        with use_locale(new):
            await ask_confirmation(message, db, updated, new, state)


async def on_join(callback: CallbackQuery, callback_data: ui.JoinCallback, db: Database, resident: Resident,
                  locale: str, state: FSMContext, callback_answer: CallbackAnswer, **deps: Any) -> None:
    """"Yes, I live here" registers the resident there and opens the post; "another" opens the picker.
    A resident who has registered elsewhere since the question was asked gets the question every move
    asks instead (:func:`~bot.handlers.onboarding.picker.ask_change`)."""
    message = callback.message
    accept = callback_data.action == "yes"
    pending = await posts.pending_link(db, resident.telegram_id)
    if pending is not None and accept and resident.municipality_code not in (None, pending.municipality_code):
        await ask_change(callback, db, resident, pending.municipality_code, locale, callback_answer)
        return
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


async def on_change_to(callback: CallbackQuery, callback_data: MyMunicipalityCallback, db: Database,
                       resident: Resident, locale: str, callback_answer: CallbackAnswer) -> None:
    """"Yes, change to B" while a deep link to B waits: the move as everywhere (onboarding's checks),
    counted as a join through the chat, then the post's survey or hearing opens."""
    link = await posts.pending_link(db, resident.telegram_id)
    if link is None or link.municipality_code != callback_data.code:
        await picker.on_change_to(callback, callback_data, db, resident, locale, callback_answer)
        return
    location = await picker.confirmed_target(callback, callback_data, db, resident, locale, callback_answer)
    if location is None:
        return
    await posts.confirm_link(db, resident_id=resident.telegram_id, accept=True)  # moves them, counts the join
    await edit_or_send(callback, _("✅ Your municipality: {place}.").format(place=place_label(location, locale)),
                       menu=False)  # the post's target (or the main menu) follows at once
    updated = await get_resident(db, resident.telegram_id)
    if updated is not None and isinstance(callback.message, Message):
        await open_target(callback.message, db, updated, locale, link.target)


async def on_keep(callback: CallbackQuery, callback_data: MyMunicipalityCallback, db: Database,
                  resident: Resident) -> None:
    """"No, keep A" while a deep link to B waits: the link is dropped, nothing else changes."""
    link = await posts.pending_link(db, resident.telegram_id)
    if link is not None and link.municipality_code == callback_data.code:
        await posts.confirm_link(db, resident_id=resident.telegram_id, accept=False)
    await picker.on_keep(callback)


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
    router.message.register(on_typed_language, LanguageAsked(), DeepLinkPending())
    router.callback_query.register(on_join, ui.JoinCallback.filter())
    router.callback_query.register(on_change_to, MyMunicipalityCallback.filter(F.action == "to"), DeepLinkPending())
    router.callback_query.register(on_keep, MyMunicipalityCallback.filter(F.action == "keep"), DeepLinkPending())
    return router
