"""Residents and surveys: the list of open surveys, the ballot, the results, and verification.

/surveys (or "Surveys" in the main menu) lists the open surveys of the resident's municipality and
the latest results. A single-choice ballot votes with one tap; a multi-choice ballot ticks options
in the keyboard and "Submit" votes. Every vote is checked again on the server (open now, own
municipality, option exists, verified if required): a stale or crafted button changes nothing and
gets a localized alert saying why. /verify verifies the resident by their own phone number
(request-contact button) or by a one-time residence code from the ayil okmotu.
"""

from __future__ import annotations

import html
import logging

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, ReplyKeyboardRemove

from bot.db import Database
from bot.domain import InvalidInput, NotFound
from bot.domain import surveys as sv
from bot.domain import verification as ver
from bot.domain.officers import get_officer
from bot.domain.residents import Resident
from bot.handlers.onboarding import continue_onboarding
from bot.i18n import _, format_datetime, ngettext
from bot.ui.keyboards import menu_button
from bot.ui.messages import edit_or_send, esc
from bot.ui.surveys import (
    SurveyAdminCallback,
    SurveyCallback,
    ballot_keyboard,
    contact_keyboard,
    positions_of,
    survey_list_keyboard,
)

log = logging.getLogger(__name__)


class Verify(StatesGroup):
    """/verify: waiting for the resident's own contact or a residence code."""

    waiting = State()


# -- texts ---------------------------------------------------------------------------------------


def unavailable_text(reason: str) -> str:
    """Why a survey button did nothing (alert text)."""
    if reason == "deleted":
        return _("This survey was withdrawn by the municipality. Nothing was changed.")
    if reason == "not_open":
        return _("This survey has not opened yet.")
    return _("Voting in this survey has closed. Nothing was changed.")


def ballot_text(survey: sv.Survey, locale: str, mine: frozenset[int]) -> str:
    """The ballot: question, options, how many may be chosen, closing time, the resident's own vote."""
    lines = [f"🗳 <b>{esc(survey.question(locale))}</b>", ""]
    lines += [f"{o.position}. {esc(o.text(locale))}" for o in survey.options]
    lines.append("")
    if survey.multiple:
        lines.append(ngettext("Choose up to {n} option, then press «Submit my vote».",
                              "Choose up to {n} options, then press «Submit my vote».",
                              survey.max_choices).format(n=survey.max_choices))
    else:
        lines.append(_("Choose one option."))
    lines.append(_("Voting is open until {closes}.", locale=locale).format(
        closes=format_datetime(survey.closes_at, locale)))
    if mine:
        lines.append(_("✅ Your vote is counted. You can change it until the survey closes."))
    lines.append(_("The vote is secret: nobody sees who voted for what. Results are shown after the survey closes."))
    return "\n".join(lines)


async def _alert(callback: CallbackQuery, text: str) -> None:
    await callback.answer(html.unescape(text)[:200], show_alert=True)


# -- list ----------------------------------------------------------------------------------------


async def render_list(db: Database, resident: Resident, locale: str) -> tuple[str, InlineKeyboardMarkup]:
    """Text and keyboard of the resident's survey list (open ones to vote, closed ones for results)."""
    code = resident.municipality_code or ""
    open_now = await sv.list_open_surveys(db, code)
    closed = await sv.list_recent_closed(db, code, limit=5)
    builder_rows = []
    if open_now:
        text = _("🗳 <b>Open surveys</b> of your municipality. Choose one to vote:")
        builder_rows = survey_list_keyboard(open_now, locale).inline_keyboard
    else:
        text = _("There are no open surveys in your municipality right now. "
                 "You will get a message when your municipality starts one.")
    if closed:
        text += "\n\n" + _("Results of recent surveys:")
        builder_rows = list(builder_rows) + list(survey_list_keyboard(closed, locale, action="results").inline_keyboard)
    officer = await get_officer(db, resident.telegram_id)
    if officer is not None:
        builder_rows = list(builder_rows) + [[InlineKeyboardButton(
            text=_("🛠 Manage surveys (officer)"), callback_data=SurveyAdminCallback(action="list").pack())]]
    builder_rows = list(builder_rows) + [[menu_button()]]
    return text, InlineKeyboardMarkup(inline_keyboard=builder_rows)


async def cmd_surveys(message: Message, db: Database, resident: Resident, locale: str, state: FSMContext) -> None:
    """/surveys: the open surveys of the resident's municipality."""
    if not resident.onboarded:
        await continue_onboarding(message, db, resident, locale, state)
        return
    text, keyboard = await render_list(db, resident, locale)
    await message.answer(text, reply_markup=keyboard)


# -- buttons -------------------------------------------------------------------------------------


async def on_survey_button(
    callback: CallbackQuery, callback_data: SurveyCallback, db: Database, resident: Resident, locale: str,
    state: FSMContext,
) -> None:
    """Every resident survey button; each action is checked again on the server."""
    if not resident.onboarded:
        await _alert(callback, _("Please finish choosing your language and municipality first: send /start."))
        return
    action, survey_id, value = callback_data.action, callback_data.survey_id, callback_data.value
    if action == "list":
        await callback.answer()
        text, keyboard = await render_list(db, resident, locale)
        await edit_or_send(callback, text, keyboard)
        return
    survey = await sv.get_survey(db, survey_id)
    if survey is None:
        await _alert(callback, _("This survey does not exist. Nothing was changed."))
        return
    if action == "results":
        await show_results(callback, db, resident, locale, survey_id)
        return
    state_now = survey.state()
    if state_now == "deleted":
        await _alert(callback, unavailable_text("deleted"))
        return
    if survey.municipality_code != resident.municipality_code:
        await _alert(callback, _("This survey is for another municipality. Nothing was changed."))
        return
    if action == "open":
        if state_now == "closed":
            await show_results(callback, db, resident, locale, survey_id)
            return
        if state_now == "scheduled":
            await _alert(callback, unavailable_text("not_open"))
            return
        mine = await sv.my_choice(db, resident.telegram_id, survey_id)
        await callback.answer()
        await edit_or_send(callback, ballot_text(survey, locale, mine), ballot_keyboard(survey, locale, mine=mine))
        return
    if action == "tick":
        if state_now != "open":
            await _alert(callback, unavailable_text("closed" if state_now == "closed" else "not_open"))
            return
        valid = {o.position for o in survey.options}
        ticks = positions_of(value)
        if value >= 1 << 10 or not set(ticks) <= valid:
            await _alert(callback, _("This option is not in the survey. Nothing was changed."))
            return
        if len(ticks) > survey.max_choices:
            await _alert(callback, ngettext(
                "You can choose at most {n} option. Untick one first.",
                "You can choose at most {n} options. Untick one first.", survey.max_choices,
            ).format(n=survey.max_choices))
            return
        await callback.answer()
        mine = await sv.my_choice(db, resident.telegram_id, survey_id)
        await edit_or_send(callback, ballot_text(survey, locale, mine), ballot_keyboard(survey, locale, mine=mine,
                                                                                         mask=value))
        return
    if action in ("vote", "submit"):
        positions = [value] if action == "vote" else positions_of(value)
        await _vote(callback, db, resident, locale, state, survey, positions)
        return
    await _alert(callback, _("This button is out of date. Send /menu to start again."))


async def _vote(callback: CallbackQuery, db: Database, resident: Resident, locale: str, state: FSMContext,
                survey: sv.Survey, positions: list[int]) -> None:
    try:
        result = await sv.cast_vote(db, resident_id=resident.telegram_id, survey_id=survey.id, positions=positions)
    except sv.SurveyUnavailable as exc:
        await _alert(callback, unavailable_text(exc.reason))
        return
    except sv.WrongMunicipality:
        await _alert(callback, _("This survey is for another municipality. Nothing was changed."))
        return
    except sv.NotVerified:
        await _alert(callback, _("This survey is only for verified residents. Nothing was changed."))
        if isinstance(callback.message, Message):
            await send_verify_prompt(callback.message, state)
        return
    except NotFound:
        await _alert(callback, _("This option is not in the survey. Nothing was changed."))
        return
    except InvalidInput as exc:
        await _alert(callback, ngettext("Choose from 1 to {n} option.", "Choose from 1 to {n} options.",
                                        exc.limit or 1).format(n=exc.limit or 1))
        return
    if result.first:
        await callback.answer(_("✅ Your vote is counted."))
    elif result.changed:
        await callback.answer(_("✅ Your vote is changed."))
    else:
        await callback.answer(_("✅ Your vote is counted."))
    mine = frozenset(positions)  # what was just stored (cast_vote raised otherwise)
    await edit_or_send(callback, ballot_text(survey, locale, mine), ballot_keyboard(survey, locale, mine=mine))


async def show_results(callback: CallbackQuery, db: Database, resident: Resident, locale: str, survey_id: int) -> None:
    """Results of a closed survey, or an alert saying why not."""
    try:
        survey, counts = await sv.resident_results(db, resident_id=resident.telegram_id, survey_id=survey_id)
    except NotFound:
        await _alert(callback, _("This survey was withdrawn by the municipality. Nothing was changed."))
        return
    except sv.WrongMunicipality:
        await _alert(callback, _("This survey is for another municipality. Nothing was changed."))
        return
    except sv.ResultsNotReady:
        await _alert(callback, _("Results are shown after the survey closes, so that nobody is swayed by them."))
        return
    await callback.answer()
    await edit_or_send(callback, _("🗳 Survey results") + "\n\n" + sv.results_text(survey, counts, locale))


# -- verification -------------------------------------------------------------------------------


async def send_verify_prompt(message: Message, state: FSMContext) -> None:
    """Ask for the resident's own phone number (request-contact button) or a residence code."""
    await state.set_state(Verify.waiting)
    await message.answer(
        _("To confirm that you are a resident, press «Share my phone number» below "
          "(only a Kyrgyz number, +996, of this Telegram account is accepted), "
          "or send the residence code you received from your municipality. /cancel — not now."),
        reply_markup=contact_keyboard(),
    )


async def cmd_verify(message: Message, command: CommandObject, db: Database, resident: Resident, locale: str,
                     state: FSMContext) -> None:
    """/verify [CODE]: verify by phone or by a residence code."""
    if not resident.onboarded:
        await continue_onboarding(message, db, resident, locale, state)
        return
    if command.args:
        await _redeem(message, db, resident, state, command.args)
        return
    await send_verify_prompt(message, state)


async def on_contact(message: Message, db: Database, resident: Resident, state: FSMContext) -> None:
    """A shared contact: accepted only if it is the sender's own Kyrgyz number."""
    contact = message.contact
    assert contact is not None
    try:
        await ver.verify_by_contact(db, sender_id=resident.telegram_id, contact_user_id=contact.user_id,
                                    phone_number=contact.phone_number)
    except ver.VerificationRefused as exc:
        if exc.reason == "not_own":
            text = _("This is not your own contact. Press «Share my phone number» to send the number of this "
                     "Telegram account.")
        else:
            text = _("Only Kyrgyz phone numbers (+996) are accepted. If you have none, ask your municipality "
                     "for a residence code.")
        await message.answer(text, reply_markup=contact_keyboard())
        return
    await state.clear()
    await message.answer(_("✅ You are verified. You can now vote in surveys for verified residents."),
                         reply_markup=ReplyKeyboardRemove())


async def _redeem(message: Message, db: Database, resident: Resident, state: FSMContext, text: str) -> None:
    try:
        await ver.redeem_code(db, resident_id=resident.telegram_id, code=text)
    except InvalidInput:
        await message.answer(_("That is not a residence code. A code has 8 letters and digits, like K7QM-4XPD. "
                               "Or press «Share my phone number»."))
        return
    except ver.TooManyAttempts as exc:
        minutes = max(1, -(-int(exc.retry_after.total_seconds()) // 60))
        await message.answer(ngettext(
            "Too many wrong codes. Try again in {n} minute.",
            "Too many wrong codes. Try again in {n} minutes.", minutes).format(n=minutes))
        return
    except ver.VerificationRefused as exc:
        if exc.reason == "already":
            await state.clear()
            await message.answer(_("You are already verified. Keep the code: it has not been used."),
                                 reply_markup=ReplyKeyboardRemove())
            return
        texts = {
            "used": _("This residence code has already been used. Ask your municipality for a new one."),
            "other_municipality": _("This residence code is for another municipality than yours."),
        }
        await message.answer(texts.get(exc.reason, _("This residence code is not valid. Check it and try again.")))
        return
    await state.clear()
    await message.answer(_("✅ You are verified. You can now vote in surveys for verified residents."),
                         reply_markup=ReplyKeyboardRemove())


async def on_verify_text(message: Message, db: Database, resident: Resident, state: FSMContext) -> None:
    """Text while waiting: a residence code."""
    await _redeem(message, db, resident, state, message.text or "")


async def on_verify_other(message: Message) -> None:
    """A sticker, photo… while waiting for a contact or a code."""
    await message.answer(_("Please press «Share my phone number» or send your residence code as text, or /cancel."),
                         reply_markup=contact_keyboard())


def build_router() -> Router:
    """A new router with the resident survey handlers (register before the fallback)."""
    router = Router(name="surveys")
    router.message.register(cmd_surveys, Command("surveys"))
    router.message.register(cmd_verify, Command("verify"))
    router.message.register(on_contact, F.contact)
    router.message.register(on_verify_text, StateFilter(Verify.waiting), F.text, ~F.text.startswith("/"))
    router.message.register(on_verify_other, StateFilter(Verify.waiting), ~F.text)
    router.callback_query.register(on_survey_button, SurveyCallback.filter())
    return router
