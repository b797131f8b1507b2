"""/start (optionally with an officer invite), the language choice, /menu and /cancel.

/start asks the language with a bilingual prompt, then opens the municipality picker, then shows the
main menu; :func:`continue_onboarding` shows whichever of these the resident has not finished yet.
"""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.filters import BaseFilter, Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.config import Settings
from bot.db import Database
from bot.domain.officers import InviteInvalid, NotAnInviteCode
from bot.domain.residents import Resident, claim_prompt, get_resident, parse_language, set_locale
from bot.handlers.officers.invites import redeem_and_reply
from bot.handlers.onboarding.home import LANGUAGE_STEP, send_home, send_language_prompt
from bot.handlers.onboarding.picker import open_picker
from bot.i18n import _, use_locale
from bot.ui.callbacks import LanguageCallback
from bot.ui.errors import explain
from bot.ui.keyboards import language_keyboard, language_name
from bot.ui.messages import edit_or_send
from bot.ui.onboarding import language_hint
from bot.webapp.menu import offer_workspace

INVITE_PAYLOAD_PREFIX = "join-"
"""Deep-link payload of an officer invite: ``t.me/<bot>?start=join-K7QM4XPD`` (Telegram allows A–Z a–z 0–9 _ -)."""


async def continue_onboarding(message: Message, db: Database, resident: Resident, locale: str,
                              state: FSMContext) -> None:
    """Show the step the resident has not finished yet, or the main menu when all is done.

    ``message`` is any message in the resident's chat (theirs, or the bot's whose button they tapped).
    """
    if resident.locale is None:
        await send_language_prompt(message, state)
    elif resident.municipality_code is None:
        await open_picker(message, state, {"bot": message.bot, "db": db, "resident": resident, "locale": locale})
    else:
        await send_home(message, db, resident, locale)


async def cmd_start(message: Message, command: CommandObject, db: Database, resident: Resident, locale: str,
                    state: FSMContext, settings: Settings) -> None:
    """/start, optionally with the deep-link payload of an officer invite."""
    await state.set_state(None)  # a form left here keeps its draft (bot.flows.NavigationMiddleware)
    payload = command.args or ""
    if payload.startswith(INVITE_PAYLOAD_PREFIX):
        try:
            await redeem_and_reply(message, db, payload[len(INVITE_PAYLOAD_PREFIX):], locale, settings)
        except (NotAnInviteCode, InviteInvalid) as error:  # said, and onboarding goes on below
            await message.answer(explain(error))
    if resident.locale is None:
        await send_language_prompt(message, state)
        return
    if resident.municipality_code is None:
        await message.answer(_("Welcome to Jamaat, the bot of your local community!"))
    await continue_onboarding(message, db, resident, locale, state)
    if message.bot is not None:  # an officer's workspace in the chat menu (residents: nothing)
        await offer_workspace(message.bot, db, settings, resident.telegram_id, locale)


async def cmd_language(message: Message, state: FSMContext) -> None:
    """/language: ask the language again (a button, or its name typed)."""
    await state.set_state(None)  # a form left here keeps its draft (bot.flows.NavigationMiddleware)
    await send_language_prompt(message, state)


async def cmd_menu(message: Message, db: Database, resident: Resident, locale: str, state: FSMContext,
                   settings: Settings) -> None:
    """/menu: the main menu (or the unfinished onboarding step)."""
    await state.set_state(None)  # a form left here keeps its draft (bot.flows.NavigationMiddleware)
    await continue_onboarding(message, db, resident, locale, state)
    if message.bot is not None:
        await offer_workspace(message.bot, db, settings, resident.telegram_id, locale)


async def cmd_cancel(message: Message, db: Database, resident: Resident, locale: str, state: FSMContext) -> None:
    """/cancel: leave whatever step the resident is in (the kit keeps the step for this command), saying
    what the wizard's own Cancel button says ("The hearing is not cancelled", "The draft is dropped")."""
    from bot.flows import Wizard

    current = await state.get_state()
    await state.clear()
    if current is not None:
        wizard = Wizard.registry.get(current.split(":", 1)[0])
        await message.answer(_(wizard.cancelled) if wizard is not None else _("Cancelled."))
    await continue_onboarding(message, db, resident, locale, state)


async def save_language(callback: CallbackQuery, callback_data: LanguageCallback, db: Database, resident: Resident,
                        callback_answer: CallbackAnswer) -> tuple[Message, Resident, str] | None:
    """A language button: save the choice and confirm it in the new language. Returns the prompt's
    message, the updated resident and the locale when the caller should go on (its next step), or
    ``None`` after a second tap on the same prompt (a double tap, an old prompt), which is only
    confirmed in a toast so that nothing is sent twice. Shared by onboarding and deep links.

    Raises: ``UnsupportedLocale`` for an unknown language.
    """
    new = callback_data.locale
    await set_locale(db, resident.telegram_id, new)
    updated = await get_resident(db, resident.telegram_id)
    message = callback.message
    with use_locale(new):
        confirmation = _("Language: {language}").format(language=language_name(new))
        if not isinstance(message, Message) or not await claim_prompt(db, message.chat.id, message.message_id):
            callback_answer.text = confirmation
            return None
        # no button: the caller's next step (where do you live? or the main menu) follows at once; a
        # "« Main menu" on the confirmation would, during onboarding, only lead back to that question
        await edit_or_send(callback, confirmation, menu=False)
    return (message, updated, new) if updated is not None else None


async def on_language(callback: CallbackQuery, callback_data: LanguageCallback, db: Database, resident: Resident,
                      state: FSMContext, callback_answer: CallbackAnswer, **_deps: Any) -> None:
    """A language button: save it, confirm in the new language, continue onboarding (:func:`save_language`)."""
    saved = await save_language(callback, callback_data, db, resident, callback_answer)
    if saved is not None:
        message, updated, new = saved
        with use_locale(new):
            await continue_onboarding(message, db, updated, new, state)


class LanguageAsked(BaseFilter):
    """A message (not a command) while the language is asked: at :data:`LANGUAGE_STEP`, or from a
    resident who has not chosen a language yet and is in no other step."""

    async def __call__(self, message: Message, resident: Resident | None = None,
                       raw_state: str | None = None) -> bool:
        if (message.text or "").startswith("/"):
            return False
        if raw_state == LANGUAGE_STEP:
            return True
        return raw_state is None and resident is not None and resident.locale is None


async def take_typed_language(message: Message, db: Database, resident: Resident,
                              state: FSMContext) -> tuple[Resident, str] | None:
    """A message at the language step: the language it names ("кыргызча", "орусча", "Russian",
    :func:`~bot.domain.residents.parse_language`) is saved and confirmed in that language, as its
    button would be; returns the updated resident and the locale for the caller's next step. Anything
    else gets the buttons again with a bilingual hint (``None``; the step stays). Shared with deep links."""
    new = parse_language(message.text or "")
    if new is None:
        await message.answer(language_hint(), reply_markup=language_keyboard())
        return None
    await state.set_state(None)
    await set_locale(db, resident.telegram_id, new)
    updated = await get_resident(db, resident.telegram_id)
    with use_locale(new):
        await message.answer(_("Language: {language}").format(language=language_name(new)))
    return (updated, new) if updated is not None else None


async def on_typed_language(message: Message, db: Database, resident: Resident, state: FSMContext) -> None:
    """The language typed instead of tapped: as the button (:func:`take_typed_language`), then onboarding goes on."""
    saved = await take_typed_language(message, db, resident, state)
    if saved is not None:
        updated, new = saved
        with use_locale(new):
            await continue_onboarding(message, db, updated, new, state)


def build_router() -> Router:
    """A new router with this module's handlers, in order (a router attaches to one dispatcher only)."""
    router = Router(name="onboarding.start")
    router.message.register(cmd_start, CommandStart(ignore_case=True))
    router.message.register(cmd_language, Command("language", ignore_case=True))
    router.message.register(cmd_menu, Command("menu", ignore_case=True))
    router.message.register(cmd_cancel, Command("cancel", ignore_case=True))
    router.callback_query.register(on_language, LanguageCallback.filter())
    router.message.register(on_typed_language, LanguageAsked())
    return router
