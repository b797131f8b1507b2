"""Residents and public hearings: the announcement's buttons (I will come / Can't come / Remind me,
a question for the hearing, the calendar file, the map pin, the attached document), the hall-list
consent, and /hearings (upcoming and past hearings of my municipality with their outcomes).

Every button is checked on the server: a hearing of another municipality (a crafted or stale
button) is refused with an alert and nothing changes.
"""

from __future__ import annotations

import html
import logging

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.db import Database
from bot.delivery.split import split_html
from bot.domain import DomainError, InvalidInput, NotFound
from bot.domain import hearings as hr
from bot.domain.municipalities import get_municipality
from bot.domain.residents import Resident
from bot.handlers.onboarding import continue_onboarding
from bot.i18n import N_, _, format_number, ngettext
from bot.ui.keyboards import menu_button
from bot.ui.hearings import HearingCallback, ics_file, kb, markup, resident_button, rsvp_rows
from bot.ui.messages import esc

log = logging.getLogger(__name__)


class AskQuestion(StatesGroup):
    """Waiting for the text of a question; ``hearing_id`` is in the FSM data."""

    text = State()


def refusal(exc: DomainError) -> str:
    """A short localized reason for a refused hearing action (fits an alert)."""
    if isinstance(exc, hr.WrongMunicipality):
        return _("This hearing is for another municipality.")
    if isinstance(exc, NotFound):
        return _("This hearing no longer exists.")
    if isinstance(exc, hr.HearingClosed):
        if exc.status == "cancelled":
            return _("This hearing has been cancelled.")
        if exc.status == "held":
            return _("This hearing has already taken place.")
        return _("This hearing has already begun.")
    return _("This button is out of date. Send /menu to start again.")


# -- lists ---------------------------------------------------------------------------------------


async def render_list(db: Database, resident: Resident, locale: str):
    hearings = await hr.list_upcoming(db, resident.municipality_code or "")
    if hearings:
        lines = [_("📣 <b>Upcoming public hearings</b>")]
        lines += [f"• <b>{esc(h.title(locale))}</b> — {hr.when_text(h, locale)}" for h in hearings]
        text = "\n".join(lines)
    else:
        text = _("No public hearings are planned in your municipality yet. When one is announced, you will get "
                 "a message.")
    rows = [[resident_button(h.title(locale)[:60], "show", h.id)] for h in hearings]
    rows.append([resident_button(_("Past hearings and outcomes"), "past")])
    rows.append([menu_button()])
    return text, kb(*rows)


async def cmd_hearings(message: Message, db: Database, resident: Resident, locale: str, state: FSMContext) -> None:
    """/hearings: upcoming hearings of the resident's municipality."""
    if not resident.onboarded:
        await continue_onboarding(message, db, resident, locale, state)
        return
    text, keyboard = await render_list(db, resident, locale)
    await message.answer(text, reply_markup=keyboard)


async def _send_past(message: Message, db: Database, resident: Resident, locale: str) -> None:
    past = await hr.list_past(db, resident.municipality_code or "")
    if not past:
        await message.answer(_("There have been no public hearings in your municipality yet."))
        return
    for hearing in past:
        if hearing.status == "held":
            problems = {r["id"]: r for r in await db.fetchall(
                f"SELECT id, text FROM problems WHERE id IN ({','.join('?' * len(hearing.problem_ids)) or 'NULL'})",
                hearing.problem_ids)}
            await message.answer(hr.outcome_text(hearing, locale, problems),
                                 reply_markup=markup(hr.outcome_buttons(hearing, locale)))
        else:
            await message.answer(
                f"<b>{esc(hearing.title(locale))}</b>\n{hr.when_text(hearing, locale)}\n"
                + _("The outcome has not been published yet."))


# -- the card's buttons --------------------------------------------------------------------------


async def send_card(message: Message, db: Database, hearing: hr.Hearing, resident: Resident, locale: str) -> None:
    """The announcement card with the resident's answer marked.

    A card longer than a Telegram message (an agenda of up to 6,000 characters) is cut with
    :func:`bot.delivery.split.split_html` into several valid HTML messages, the buttons under the last.
    """
    answer, share = await hr.my_rsvp(db, resident.telegram_id, hearing.id)
    question = await hr.survey_question(db, hearing, locale)
    parts = split_html(hr.card_text(hearing, locale, survey_question=question))
    for part in parts[:-1]:
        await message.answer(part)
    await message.answer(parts[-1],
                         reply_markup=rsvp_rows(hearing, locale, answer, share) if hearing.status == "scheduled" else None)


async def _refresh_keyboard(callback: CallbackQuery, db: Database, hearing: hr.Hearing, resident: Resident,
                            locale: str) -> None:
    answer, share = await hr.my_rsvp(db, resident.telegram_id, hearing.id)
    message = callback.message
    if message is None or not isinstance(message, Message):
        return
    try:
        await message.edit_reply_markup(reply_markup=rsvp_rows(hearing, locale, answer, share))
    except Exception:  # not modified, too old, or a message of a different shape: the toast is enough
        log.debug("could not refresh the hearing keyboard", exc_info=True)


SAVED = {
    "going": N_("Saved: you will come. We will remind you 24 hours and 1 hour before."),
    "not_going": N_("Saved: you can't come. You can still send a question for the hearing."),
    "remind": N_("Saved: we will remind you 24 hours and 1 hour before."),
}


async def on_button(callback: CallbackQuery, callback_data: HearingCallback, db: Database, resident: Resident,
                    locale: str, state: FSMContext) -> None:
    """Every resident hearing button."""
    action, hid = callback_data.action, callback_data.hearing_id
    message = callback.message if isinstance(callback.message, Message) else None
    if not resident.onboarded or message is None:
        await callback.answer(_("Please finish choosing your language and municipality first: send /start."),
                              show_alert=True)
        return
    try:
        if action == "list":
            await callback.answer()
            text, keyboard = await render_list(db, resident, locale)
            await message.answer(text, reply_markup=keyboard)
            return
        if action == "past":
            await callback.answer()
            await _send_past(message, db, resident, locale)
            return
        if action in ("go", "no", "rem"):
            answer = {"go": "going", "no": "not_going", "rem": "remind"}[action]
            hearing = await hr.rsvp(db, resident_id=resident.telegram_id, hearing_id=hid, answer=answer)
            await callback.answer(_(SAVED[answer]))
            await _refresh_keyboard(callback, db, hearing, resident, locale)
            return
        if action == "share":
            await hr.set_share_name(db, resident_id=resident.telegram_id, hearing_id=hid, share=bool(callback_data.value))
            hearing = await hr.hearing_for_resident(db, resident_id=resident.telegram_id, hearing_id=hid)
            await callback.answer(_("Your name will be on the hall list for the officers.") if callback_data.value
                                  else _("Your name will not be shown; you are counted only."))
            await _refresh_keyboard(callback, db, hearing, resident, locale)
            return
        hearing = await hr.hearing_for_resident(db, resident_id=resident.telegram_id, hearing_id=hid)
        if action == "show":
            await callback.answer()
            await send_card(message, db, hearing, resident, locale)
        elif action == "ask":
            if hearing.status != "scheduled" or hearing.starts <= hr.clock.now():
                raise hr.HearingClosed(hearing.status if hearing.status != "scheduled" else "started")
            await callback.answer()
            await state.set_state(AskQuestion.text)
            await state.update_data(hearing_id=hid)
            await message.answer(_("Send your question for the hearing «{title}» in one message, up to {limit} "
                                   "characters. The officers will see it before the hearing; your name is not shown. "
                                   "/cancel — stop.").format(title=esc(hearing.title(locale)), limit=hr.QUESTION_MAX))
        elif action == "ics":
            await callback.answer()
            place = await get_municipality(db, hearing.municipality_code)
            data = ics_file(hearing, locale, municipality=place.name(locale) if place else "")
            await message.answer_document(BufferedInputFile(data, filename=f"hearing-{hearing.id}.ics"),
                                          caption=_("Open the file to add the hearing to your calendar."))
        elif action == "map":
            await callback.answer()
            if hearing.latitude is None:
                await message.answer(_("📍 Where: {place}").format(place=esc(hearing.place)))
            else:
                await message.answer_location(hearing.latitude, hearing.longitude)
        elif action == "doc":
            await callback.answer()
            if hearing.attachment_kind == "document":
                await message.answer_document(hearing.attachment_file_id)
            elif hearing.attachment_kind == "photo":
                await message.answer_photo(hearing.attachment_file_id)
        elif action == "min":
            await callback.answer()
            if hearing.minutes_file_id:
                await message.answer_document(hearing.minutes_file_id,
                                              caption=_("Minutes of the public hearing «{title}»").format(
                                                  title=esc(hearing.title(locale))))
        else:
            await callback.answer(_("This button is out of date. Send /menu to start again."), show_alert=True)
    except InvalidInput as exc:
        if str(exc) == "not going":
            await callback.answer(_("First press «I will come»."), show_alert=True)
        else:
            await callback.answer(refusal(exc), show_alert=True)
    except DomainError as exc:
        log.info("refused hearing action %s on %s to %s: %r", action, hid, resident.telegram_id, exc)
        await callback.answer(html.unescape(refusal(exc))[:200], show_alert=True)


# -- the question --------------------------------------------------------------------------------


async def on_question(message: Message, db: Database, resident: Resident, state: FSMContext) -> None:
    """The text of a question for the hearing."""
    data = await state.get_data()
    hid = int(data.get("hearing_id") or 0)
    try:
        await hr.ask_question(db, resident_id=resident.telegram_id, hearing_id=hid, text=message.text or "")
    except InvalidInput as exc:
        if str(exc) == "too many":
            await state.clear()
            await message.answer(ngettext("You have already sent {n} question for this hearing; that is the most.",
                                          "You have already sent {n} questions for this hearing; that is the most.",
                                          exc.limit or 0).format(n=exc.limit))
        elif exc.limit:
            await message.answer(ngettext(
                "The question is too long: {length} character, at most {limit}. Shorten it and send it again.",
                "The question is too long: {length} characters, at most {limit}. Shorten it and send it again.",
                exc.actual or 0).format(length=format_number(exc.actual or 0), limit=exc.limit))
        else:
            await message.answer(_("Please send the question as text, or /cancel."))
        return
    except DomainError as exc:
        await state.clear()
        await message.answer(refusal(exc))
        return
    await state.clear()
    await message.answer(_("✅ Thank you! Your question has been passed to the officers for the hearing."))


async def on_question_not_text(message: Message) -> None:
    """A sticker, photo or voice where the question text was asked."""
    await message.answer(_("Please send the question as text, or /cancel."))


def build_router() -> Router:
    """A new router with the resident hearing handlers (register before the fallback)."""
    router = Router(name="hearings")
    router.message.register(cmd_hearings, Command("hearings"))
    router.message.register(on_question, StateFilter(AskQuestion.text), F.text, ~F.text.startswith("/"))
    router.message.register(on_question_not_text, StateFilter(AskQuestion.text), ~F.text)
    router.callback_query.register(on_button, HearingCallback.filter())
    return router
