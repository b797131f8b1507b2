"""Everything no other handler took: unknown commands, stray messages, stale buttons."""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.config import Settings
from bot.db import Database
from bot.domain.clock import clock
from bot.domain.residents import Resident
from bot.flows import MEANT_FOR_FORM_SECONDS, RESUME, StepCallback, Wizard, say_in_step
from bot.handlers.onboarding import continue_onboarding
from bot.handlers.problems.draft import OFFER_KEPT, OFFER_TOO_LONG, keep_offer
from bot.i18n import _, format_number
from bot.ui.keyboards import with_menu
from bot.ui.problems import ProblemCallback, single_button


async def unknown_command(message: Message) -> None:
    """A command the bot does not know."""
    await message.answer(_("I don't know this command. Send /help to see the commands."), reply_markup=with_menu())


async def anything_else(message: Message, db: Database, resident: Resident, locale: str, state: FSMContext,
                        settings: Settings, album: list[Message] | None = None) -> None:
    """Text, stickers, photos… outside any step: lead the person to where they are. A villager often
    just writes the problem (or says it in a voice message) without opening any menu: such a message is
    kept and offered as a priority problem — nothing is published until they go through the form."""
    if not resident.onboarded:
        await continue_onboarding(message, db, resident, locale, state)
        return
    data = await state.get_data()
    left, left_at = data.get("_left"), data.get("_left_at")
    recent = isinstance(left_at, int) and clock.now().timestamp() - left_at <= MEANT_FOR_FORM_SECONDS
    wizard = Wizard.registry.get(left.split(":", 1)[0]) if isinstance(left, str) and recent else None
    step = wizard.step_of(left) if wizard is not None else None
    if step is not None:  # most likely meant for the form just left (a step that a command ended)
        resume = InlineKeyboardButton(text=_("▶ Continue"), callback_data=StepCallback(
            w=step.wizard.code, s=step.name, v=RESUME).pack())
        await message.answer(
            _("This was not taken: the form you left is kept. If it was meant for the form, tap “▶ Continue” "
              "and send it there again."),
            reply_markup=with_menu(InlineKeyboardMarkup(inline_keyboard=[[resume]])))
        return
    outcome, offer = await keep_offer(state, message, settings, album)
    if outcome == OFFER_TOO_LONG:
        await message.answer(
            _("To raise this as a priority problem, shorten it: a problem's text has at most {limit} characters, "
              "yours has {length}. Send it again shorter, or record a voice message.").format(
                limit=format_number(settings.problem_text_max), length=format_number(offer["length"])),
            reply_markup=with_menu(single_button(_("➕ Raise a problem"), ProblemCallback(action="new"))))
        return
    if outcome == OFFER_KEPT:
        await message.answer(
            _("Is this a problem of your municipality? You can raise it as a priority problem: residents will "
              "see it and can support it, and the municipality's officers will review it. Nothing is published "
              "until you confirm."),
            reply_markup=with_menu(single_button(_("📝 Raise it as a problem"), ProblemCallback(action="offer"))))
        return
    await message.answer(_("I didn't understand that. Choose an action in the menu, or send /help."),
                         reply_markup=with_menu())


async def stale_button(callback: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    """A button this version of the bot no longer knows (an old message), or whose data no feature's
    filter accepts (a crafted id out of the bounded range): answered as an alert, nothing changes."""
    callback_answer.text = _("This button is out of date. Send /menu to start again.")
    callback_answer.show_alert = True


async def edited(message: Message, state: FSMContext, **deps: Any) -> None:
    """Edits of sent messages are not read; say so once instead of silently ignoring them — inside a
    form with the step's buttons (the person goes on from there), elsewhere with « Main menu."""
    text = _("I don't read edited messages. Please send the text again as a new message.")
    if await say_in_step(message, state, {**deps, "state": state}, text):
        return
    await message.reply(text, reply_markup=with_menu(),
                        allow_sending_without_reply=True)  # the edited message may be deleted by now


def build_router() -> Router:
    """A new router with this module's handlers, in order (a router attaches to one dispatcher only)."""
    router = Router(name="fallback")
    router.message.register(unknown_command, F.text.startswith("/"))
    router.message.register(anything_else)
    router.callback_query.register(stale_button)
    router.edited_message.register(edited)
    return router
