"""Onboarding and the always-available commands: /start, /language, /municipality, /menu, /help.

/start asks the language with a bilingual prompt, then the municipality (oblast → district →
municipality with paged buttons, or a typed part of the name), then shows the main menu.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.db import Database
from bot.domain import InvalidInput, NotFound
from bot.domain import municipalities as geo
from bot.domain.officers import get_officer
from bot.domain.text import clean_user_text
from bot.domain.residents import Resident, claim_prompt, get_resident, set_locale, set_municipality
from bot.handlers.officers import redeem_and_reply
from bot.handlers.texts import officer_tools_text
from bot.i18n import _, format_number, ngettext, use_locale
from bot.ui.callbacks import GeoCallback, LanguageCallback, MenuCallback, MunicipalityCallback
from bot.ui.keyboards import (
    language_keyboard,
    language_name,
    main_menu_keyboard,
    places_keyboard,
    search_results_keyboard,
)
from bot.ui.messages import edit_or_send, esc, place_label


INVITE_PAYLOAD_PREFIX = "join-"
"""Deep-link payload of an officer invite: ``t.me/<bot>?start=join-K7QM4XPD`` (Telegram allows A–Z a–z 0–9 _ -)."""


class Onboarding(StatesGroup):
    """The picker is open: a typed text is a municipality search."""

    municipality = State()


def language_prompt() -> str:
    """The bilingual language question: the same question in every supported language, one per line."""
    return "\n".join(_("Please choose your language.", locale=loc) for loc in ("ky", "ru"))


async def send_language_prompt(message: Message) -> None:
    """Ask the language (bilingual, since we do not know it yet)."""
    await message.answer(language_prompt(), reply_markup=language_keyboard())


def picker_intro() -> str:
    """First screen of the municipality picker."""
    return _(
        "<b>Where do you live?</b>\n"
        "Choose your region below, or type part of the name of your municipality "
        "(for example: <i>Ак-Суу</i>, <i>Кара-Балта</i>)."
    )


async def send_picker(message: Message, db: Database, locale: str, state: FSMContext) -> None:
    """Open the municipality picker at the oblast level and listen for a typed name."""
    oblasts = await geo.list_oblasts(db, locale)
    await state.set_state(Onboarding.municipality)
    await message.answer(
        picker_intro(),
        reply_markup=places_keyboard(oblasts, locale, level="root", code="", page=0, back=None),
    )


async def render_home(db: Database, resident: Resident, locale: str) -> str:
    """Text of the main menu: who and where the resident is, what to do next."""
    location = await geo.locate(db, resident.municipality_code) if resident.municipality_code else None
    if location is None:
        return _("Choose your municipality with /municipality.")
    return _(
        "<b>Main menu</b>\n"
        "Your municipality: {place}.\n\n"
        "Send /help to see what the bot can do."
    ).format(place=place_label(location, locale))


async def send_home(message: Message, db: Database, resident: Resident, locale: str) -> None:
    """Send the main menu as a new message."""
    await message.answer(await render_home(db, resident, locale), reply_markup=main_menu_keyboard())


async def continue_onboarding(message: Message, db: Database, resident: Resident, locale: str, state: FSMContext) -> None:
    """Show the step the resident has not finished yet, or the main menu when all is done."""
    if resident.locale is None:
        await send_language_prompt(message)
    elif resident.municipality_code is None:
        await send_picker(message, db, locale, state)
    else:
        await send_home(message, db, resident, locale)


async def cmd_start(
    message: Message, command: CommandObject, db: Database, resident: Resident, locale: str, state: FSMContext
) -> None:
    """/start, optionally with the deep-link payload of an officer invite."""
    await state.clear()
    payload = command.args or ""
    if payload.startswith(INVITE_PAYLOAD_PREFIX):
        await redeem_and_reply(message, db, payload[len(INVITE_PAYLOAD_PREFIX):], locale)
    if resident.locale is None:
        await send_language_prompt(message)
        return
    if resident.municipality_code is None:
        await message.answer(_("Welcome to Jamaat, the bot of your local community!"))
    await continue_onboarding(message, db, resident, locale, state)


async def cmd_language(message: Message, state: FSMContext) -> None:
    """/language: ask the language again."""
    await state.clear()
    await send_language_prompt(message)


async def cmd_municipality(message: Message, db: Database, resident: Resident, locale: str, state: FSMContext) -> None:
    """/municipality: open the picker (the current choice stays until a new one is made)."""
    if resident.municipality_code:
        location = await geo.locate(db, resident.municipality_code)
        if location is not None:
            await message.answer(
                _("Now you are registered in <b>{municipality}</b>. Choose another municipality or type its name.").format(
                    municipality=esc(location.municipality.name(locale))
                )
            )
    await send_picker(message, db, locale, state)


async def cmd_menu(message: Message, db: Database, resident: Resident, locale: str, state: FSMContext) -> None:
    """/menu: the main menu (or the unfinished onboarding step)."""
    await state.clear()
    await continue_onboarding(message, db, resident, locale, state)


async def cmd_cancel(message: Message, db: Database, resident: Resident, locale: str, state: FSMContext) -> None:
    """/cancel: leave whatever step the resident is in."""
    had_state = await state.get_state() is not None
    await state.clear()
    if had_state:
        await message.answer(_("Cancelled."))
    await continue_onboarding(message, db, resident, locale, state)


def help_text(*, officer: bool, superadmin: bool) -> str:
    """The /help text: the resident part, then the officer and superadmin parts for those roles."""
    parts = [
        _(
            "<b>Jamaat</b> helps residents take part in the life of their municipality.\n\n"
            "/menu — main menu\n"
            "/municipality — change your municipality\n"
            "/language — change the language\n"
            "/cancel — stop the current step\n"
            "/id — your Telegram id (an administrator may ask for it)\n"
            "/help — this help"
        )
    ]
    parts.append(
        _(
            "<b>Taking part</b>\n"
            "/problems — priority problems of your municipality; /newproblem — raise one\n"
            "/surveys — surveys before public hearings; /verify — confirm you live here\n"
            "/hearings — public hearings: dates, agenda, outcomes\n"
            "/services — the municipal registry of services; propose a new one"
        )
    )
    if officer:
        parts.append(
            _(
                "<b>For officers</b>\n"
                "/officer — your municipality and the officer tools\n"
                "/kyname — set the Kyrgyz name of your municipality"
            )
        )
        parts.append(officer_tools_text())
    if superadmin:
        parts.append(
            _(
                "<b>For administrators</b>\n"
                "/invite &lt;SOATE code or name&gt; — one-time code that makes its holder an officer\n"
                "/grant &lt;Telegram id&gt; &lt;SOATE code&gt; — make a resident an officer\n"
                "/revoke &lt;Telegram id&gt; — take the officer role away\n"
                "/officers &lt;SOATE code&gt; — officers of a municipality\n"
                "/find &lt;name&gt; — SOATE codes of municipalities"
            )
        )
    return "\n\n".join(parts)


async def cmd_help(message: Message, db: Database, resident: Resident, is_superadmin: bool) -> None:
    """/help: commands for this person's roles."""
    officer = await get_officer(db, resident.telegram_id)
    await message.answer(help_text(officer=officer is not None, superadmin=is_superadmin))


# -- language -------------------------------------------------------------------------------


async def on_language(
    callback: CallbackQuery, callback_data: LanguageCallback, db: Database, resident: Resident,
    state: FSMContext,
) -> None:
    """A language button: save it, confirm in the new language, continue.

    A second tap on the same prompt (a double tap, or an old prompt) only saves the choice and
    confirms it in a toast, so nothing is sent twice.
    """
    new = callback_data.locale
    if new not in ("ky", "ru"):
        await callback.answer(_("This button is out of date."))
        return
    await set_locale(db, resident.telegram_id, new)
    resident = await get_resident(db, resident.telegram_id)
    with use_locale(new):
        confirmation = _("Language: {language}").format(language=language_name(new))
        if callback.message is None or not await claim_prompt(db, callback.message.chat.id, callback.message.message_id):
            await callback.answer(confirmation)
            return
        await callback.answer()
        await edit_or_send(callback, confirmation)
        await continue_onboarding(callback.message, db, resident, new, state)


# -- municipality picker ------------------------------------------------------------------------


async def on_geo(
    callback: CallbackQuery, callback_data: GeoCallback, db: Database, locale: str, state: FSMContext
) -> None:
    """Picker navigation. Levels with a single choice are skipped (e.g. Bishkek city)."""
    level, code, page = callback_data.level, callback_data.code, callback_data.page
    await state.set_state(Onboarding.municipality)
    if level == "root":
        oblasts = await geo.list_oblasts(db, locale)
        await callback.answer()
        await edit_or_send(callback, picker_intro(),
                           places_keyboard(oblasts, locale, level="root", code="", page=page, back=None))
        return
    if level == "oblast":
        oblast = await geo.get_oblast(db, code)
        districts = await geo.list_districts(db, code, locale) if oblast else []
        if not districts:
            await callback.answer(_("This list has changed. Please choose again."), show_alert=True)
            await edit_or_send(callback, picker_intro(), places_keyboard(
                await geo.list_oblasts(db, locale), locale, level="root", code="", page=0, back=None))
            return
        if len(districts) > 1:
            await callback.answer()
            await edit_or_send(
                callback,
                _("<b>{oblast}</b>\nChoose your district or town:").format(oblast=esc(oblast.name(locale))),
                places_keyboard(districts, locale, level="oblast", code=code, page=page,
                                back=GeoCallback(level="root")),
            )
            return
        level, code, page = "district", districts[0].code, 0
    # level == "district"
    district = await geo.get_district(db, code)
    municipalities = await geo.list_municipalities(db, code, locale) if district else []
    if not municipalities:
        await callback.answer(_("This list has changed. Please choose again."), show_alert=True)
        await edit_or_send(callback, picker_intro(), places_keyboard(
            await geo.list_oblasts(db, locale), locale, level="root", code="", page=0, back=None))
        return
    if len(municipalities) == 1:
        await choose_municipality(callback, municipalities[0].code, db, locale, state)
        return
    await callback.answer()
    await edit_or_send(
        callback,
        _("<b>{district}</b>\nChoose your municipality:").format(district=esc(district.name(locale))),
        places_keyboard(municipalities, locale, level="district", code=code, page=page,
                        back=GeoCallback(level="oblast", code=code[:5])),
    )


async def on_municipality(
    callback: CallbackQuery, callback_data: MunicipalityCallback, db: Database, locale: str, state: FSMContext
) -> None:
    """A municipality button (from the picker or from search results)."""
    await choose_municipality(callback, callback_data.code, db, locale, state)


async def choose_municipality(callback: CallbackQuery, code: str, db: Database, locale: str, state: FSMContext) -> None:
    """Save the municipality, confirm it in place of the picker and show the main menu.

    A second tap on the same picker saves the choice and confirms it in a toast only.
    """
    user_id = callback.from_user.id
    try:
        await set_municipality(db, user_id, code)
    except NotFound:
        await callback.answer(_("This municipality is no longer in the list. Please choose again."), show_alert=True)
        return
    await state.clear()
    location = await geo.locate(db, code)
    assert location is not None
    if callback.message is None or not await claim_prompt(db, callback.message.chat.id, callback.message.message_id):
        await callback.answer(_("Your municipality: {name}").format(name=location.municipality.name(locale)))
        return
    await callback.answer()
    await edit_or_send(callback, _("✅ Your municipality: {place}.").format(place=place_label(location, locale)))
    resident = await get_resident(db, user_id)
    if callback.message is not None and resident is not None:
        await send_home(callback.message, db, resident, locale)


async def on_search(message: Message, db: Database, locale: str) -> None:
    """A typed name while the picker is open: search, tolerant of о/ө, у/ү, н/ң and case."""
    query = message.text or ""
    try:
        places, total = await geo.search_municipalities(db, query)
    except InvalidInput as exc:
        if exc.limit == geo.SEARCH_QUERY_MAX:
            await message.answer(ngettext(
                "That is too long for a name: {length} character, at most {limit}. "
                "Type just a part of the name, for example <i>Ак-Суу</i>.",
                "That is too long for a name: {length} characters, at most {limit}. "
                "Type just a part of the name, for example <i>Ак-Суу</i>.",
                exc.actual or 0,
            ).format(length=format_number(exc.actual or 0), limit=exc.limit))
        else:
            await message.answer(_("Type at least 2 letters of the name."))
        return
    if not places:
        await message.answer(
            _("Nothing found for «{query}». Check the spelling, or choose from the list.").format(
                query=esc(clean_user_text(query))),
            reply_markup=places_keyboard(await geo.list_oblasts(db, locale), locale, level="root", code="", page=0,
                                         back=None),
        )
        return
    contexts = {}
    for place in places:
        location = await geo.locate(db, place.code)
        if location is not None:
            context = location.context(locale)
            contexts[place.code] = context[0] if context else ""  # the district tells namesakes apart
    if total > len(places):
        text = _("Found {total}; showing the first {shown}. Type more of the name to narrow it down.").format(
            total=total, shown=len(places))
    else:
        text = _("Choose your municipality:")
    await message.answer(text, reply_markup=search_results_keyboard(places, locale, contexts))


async def on_search_not_text(message: Message) -> None:
    """A sticker, photo, voice… while the picker waits for a name."""
    await message.answer(_("Please type the name of your municipality as text, or choose it with the buttons above."))


# -- main menu ----------------------------------------------------------------------------------


async def on_menu(
    callback: CallbackQuery, callback_data: MenuCallback, db: Database, resident: Resident, locale: str,
    state: FSMContext, is_superadmin: bool,
) -> None:
    """Main-menu buttons."""
    await callback.answer()
    if callback.message is None:
        return
    action = callback_data.action
    if action == "language":
        await state.clear()
        await send_language_prompt(callback.message)
    elif action == "municipality":
        await send_picker(callback.message, db, locale, state)
    elif action == "help":
        officer = await get_officer(db, resident.telegram_id)
        await callback.message.answer(help_text(officer=officer is not None, superadmin=is_superadmin))
    else:
        await continue_onboarding(callback.message, db, resident, locale, state)


def build_router() -> Router:
    """A new router with this module's handlers, in order (a router attaches to one dispatcher only)."""
    router = Router(name="onboarding")
    router.message.register(cmd_start, CommandStart(ignore_case=True))
    router.message.register(cmd_language, Command("language", ignore_case=True))
    router.message.register(cmd_municipality, Command("municipality", ignore_case=True))
    router.message.register(cmd_menu, Command("menu", ignore_case=True))
    router.message.register(cmd_cancel, Command("cancel", ignore_case=True))
    router.message.register(cmd_help, Command("help", ignore_case=True))
    router.callback_query.register(on_language, LanguageCallback.filter())
    router.callback_query.register(on_geo, GeoCallback.filter())
    router.callback_query.register(on_municipality, MunicipalityCallback.filter())
    router.message.register(on_search, StateFilter(Onboarding.municipality), F.text, ~F.text.startswith("/"))
    router.message.register(on_search_not_text, StateFilter(Onboarding.municipality), ~F.text)
    router.callback_query.register(on_menu, MenuCallback.filter())
    return router
