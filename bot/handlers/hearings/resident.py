"""Residents and public hearings: the announcement's buttons (I will come / Can't come / Remind me /
Don't remind me, a question for the hearing, the calendar file, the map pin, the attached document,
each linked survey), the hall-list consent, and /hearings (upcoming and past hearings of my
municipality with their outcomes).

Every button is checked on the server (in the domain): a hearing of another municipality (a crafted
or stale button) is refused with an alert and nothing changes. The question is a one-step wizard
on the kit, so leaving it (a menu button, a command) means a later text is not taken for it.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.db import Database
from bot.delivery.split import split_html
from bot.domain import hearings as hr
from bot.domain.municipalities import get_municipality
from bot.domain.residents import Resident
from bot.flows import Ctx, Prompt, Wizard
from bot.i18n import N_, _
from bot.notices import render
from bot.ui.errors import explain
from bot.ui.hearings import HearingCallback, card_rows, ics_file, kb, resident_list, when_text
from bot.ui.keyboards import menu_keyboard
from bot.ui.messages import esc

log = logging.getLogger(__name__)

SAID = {
    ("going", True): N_("Saved: you will come. We will remind you 24 hours and 1 hour before."),
    ("going", False): N_("Saved: you will come. No reminder will be sent: you turned it off."),
    ("not_going", False): N_("Saved: you can't come. You can still send a question for the hearing."),
    ("not_going", True): N_("Saved: you can't come. We will still remind you 24 hours and 1 hour before, as "
                            "you asked."),
    ("remind", True): N_("Saved: we will remind you 24 hours and 1 hour before."),
    ("mute", False): N_("Reminder turned off. Your answer is kept."),
}
"""What the toast says after a button: (the action, whether the resident will now be reminded) →
msgid, so it names what is so now (a repeated "I will come" keeps a reminder turned off)."""
MUTED_ONLY = N_("Reminder turned off.")
""""Don't remind me" from someone who gave no answer, only asked for the reminder."""
RSVP = {"go": "going", "no": "not_going", "rem": "remind", "mute": "mute"}
"""Button action → :data:`bot.domain.hearings.ACTIONS`."""


def _onboarded(resident: Resident, callback_answer: CallbackAnswer) -> bool:
    if resident.onboarded:
        return True
    callback_answer.text = _("Please finish choosing your language and municipality first: send /start.")
    callback_answer.show_alert = True
    return False


# -- lists ------------------------------------------------------------------------------------------


async def cmd_hearings(message: Message, db: Database, resident: Resident, locale: str, state: FSMContext) -> None:
    """/hearings: upcoming hearings of the resident's municipality."""
    if not resident.onboarded:
        from bot.handlers.onboarding import continue_onboarding

        await continue_onboarding(message, db, resident, locale, state)
        return
    text, keyboard = resident_list(await hr.list_upcoming(db, resident.municipality_code or ""), locale)
    await message.answer(text, reply_markup=keyboard)


async def on_list(callback: CallbackQuery, bot: Bot, db: Database, resident: Resident, locale: str,
                  callback_answer: CallbackAnswer) -> None:
    """The main menu's "Public hearings": the upcoming list."""
    if _onboarded(resident, callback_answer):
        text, keyboard = resident_list(await hr.list_upcoming(db, resident.municipality_code or ""), locale)
        await bot.send_message(resident.telegram_id, text, reply_markup=keyboard)


async def on_past(callback: CallbackQuery, bot: Bot, db: Database, resident: Resident, locale: str,
                  callback_answer: CallbackAnswer) -> None:
    """Past hearings: the outcome of each held one (with the minutes), or that it is not published yet."""
    if not _onboarded(resident, callback_answer):
        return
    past = await hr.past_hearings(db, resident.municipality_code or "")
    if not past:
        await bot.send_message(resident.telegram_id, _("There have been no public hearings in your municipality yet."),
                               reply_markup=menu_keyboard())
        return
    for n, (hearing, problems) in enumerate(past, 1):
        if hearing.status == "held":  # an outcome without minutes gets "« Main menu" (bot.notices.render)
            shown = render(hr.notices.outcome(hearing, problems), locale)
            await bot.send_message(resident.telegram_id, shown.text, reply_markup=shown.markup)
        else:  # the last message has a way on (issue 12)
            await bot.send_message(resident.telegram_id, f"<b>{esc(hearing.title(locale))}</b>\n"
                                   f"{when_text(hearing.starts)}\n" + _("The outcome has not been published yet."),
                                   reply_markup=menu_keyboard() if n == len(past) else None)


# -- the card ---------------------------------------------------------------------------------------


async def send_card(bot: Bot, db: Database, hearing: hr.Hearing, resident: Resident, locale: str) -> None:
    """The announcement card with the resident's answer marked (rendered like the announcement).

    A card longer than a Telegram message (an agenda of up to 6,000 characters) is cut with
    :func:`bot.delivery.split.split_html` into several valid HTML messages, the buttons under the last.
    """
    answer, share, reminder = await hr.my_rsvp(db, resident.telegram_id, hearing.id)
    facts_notice = hr.notices.announcement(hearing, await hr.linked_surveys(db, hearing))
    parts = split_html(render(facts_notice, locale).text)
    for part in parts[:-1]:
        await bot.send_message(resident.telegram_id, part)
    markup = kb(*card_rows(facts_notice.facts, answer, share, reminder)) if hearing.status == "scheduled" \
        else menu_keyboard()  # a cancelled or held hearing: nothing to answer, but a way on (issue 12)
    await bot.send_message(resident.telegram_id, parts[-1], reply_markup=markup)


async def _refresh_keyboard(callback: CallbackQuery, db: Database, hearing: hr.Hearing, resident: Resident,
                            rsvp: tuple[str | None, bool, bool] | None = None) -> None:
    """The card's buttons redrawn for the resident's ``rsvp`` (:func:`bot.domain.hearings.my_rsvp`, read
    when not given)."""
    answer, share, reminder = rsvp or await hr.my_rsvp(db, resident.telegram_id, hearing.id)
    if not isinstance(callback.message, Message):
        return
    facts = hr.notices.hearing_facts(hearing, await hr.linked_surveys(db, hearing))
    try:
        await callback.message.edit_reply_markup(reply_markup=kb(*card_rows(facts, answer, share, reminder)))
    except TelegramBadRequest:  # not modified, or too old to edit: the toast is enough
        log.debug("could not refresh the hearing keyboard", exc_info=True)


async def on_show(callback: CallbackQuery, callback_data: HearingCallback, bot: Bot, db: Database,
                  resident: Resident, locale: str, callback_answer: CallbackAnswer) -> None:
    """The card of a hearing (from the list or a reminder)."""
    if _onboarded(resident, callback_answer):
        hearing = await hr.hearing_for_resident(db, resident_id=resident.telegram_id, hearing_id=callback_data.hearing_id)
        await send_card(bot, db, hearing, resident, locale)


async def on_rsvp(callback: CallbackQuery, callback_data: HearingCallback, db: Database, resident: Resident,
                  callback_answer: CallbackAnswer) -> None:
    """I will come / Can't come / Remind me / Don't remind me: saved (each idempotent, never a toggle),
    said in a toast, the card's buttons updated."""
    if not _onboarded(resident, callback_answer):
        return
    action = RSVP[callback_data.action]
    hearing, reminded = await hr.rsvp(db, resident_id=resident.telegram_id, hearing_id=callback_data.hearing_id,
                                      answer=action)
    now = await hr.my_rsvp(db, resident.telegram_id, hearing.id)
    said = MUTED_ONLY if action == "mute" and now[0] in (None, "remind") else SAID[action, reminded]
    callback_answer.text = _(said)
    await _refresh_keyboard(callback, db, hearing, resident, now)


async def on_share(callback: CallbackQuery, callback_data: HearingCallback, db: Database, resident: Resident,
                   callback_answer: CallbackAnswer) -> None:
    """The hall-list consent (``value`` 1) or its withdrawal (0)."""
    if not _onboarded(resident, callback_answer):
        return
    share = bool(callback_data.value)
    hearing = await hr.set_share_name(db, resident_id=resident.telegram_id, hearing_id=callback_data.hearing_id,
                                      share=share)
    callback_answer.text = _("Your name will be on the hall list for the officers.") if share \
        else _("Your name will not be shown; you are counted only.")
    await _refresh_keyboard(callback, db, hearing, resident)


async def on_ics(callback: CallbackQuery, callback_data: HearingCallback, bot: Bot, db: Database,
                 resident: Resident, locale: str, callback_answer: CallbackAnswer) -> None:
    """The calendar file (.ics) of the hearing."""
    if not _onboarded(resident, callback_answer):
        return
    hearing = await hr.hearing_for_resident(db, resident_id=resident.telegram_id, hearing_id=callback_data.hearing_id)
    place = await get_municipality(db, hearing.municipality_code)
    data = ics_file(hearing, locale, municipality=place.name(locale) if place else "")
    await bot.send_document(resident.telegram_id, BufferedInputFile(data, filename=f"hearing-{hearing.id}.ics"),
                            caption=_("Open the file to add the hearing to your calendar."),
                                reply_markup=menu_keyboard())


async def on_map(callback: CallbackQuery, callback_data: HearingCallback, bot: Bot, db: Database,
                 resident: Resident, callback_answer: CallbackAnswer) -> None:
    """The map pin of the place (or the place in words when no pin was set)."""
    if not _onboarded(resident, callback_answer):
        return
    hearing = await hr.hearing_for_resident(db, resident_id=resident.telegram_id, hearing_id=callback_data.hearing_id)
    if hearing.latitude is None or hearing.longitude is None:
        await bot.send_message(resident.telegram_id, _("📍 Where: {place}").format(place=esc(hearing.place)),
                               reply_markup=menu_keyboard())
    else:
        await bot.send_location(resident.telegram_id, hearing.latitude, hearing.longitude, reply_markup=menu_keyboard())


async def on_document(callback: CallbackQuery, callback_data: HearingCallback, bot: Bot, db: Database,
                      resident: Resident, callback_answer: CallbackAnswer) -> None:
    """The attached document or photo."""
    if not _onboarded(resident, callback_answer):
        return
    hearing = await hr.hearing_for_resident(db, resident_id=resident.telegram_id, hearing_id=callback_data.hearing_id)
    if hearing.attachment_file_id and hearing.attachment_kind == "document":
        await bot.send_document(resident.telegram_id, hearing.attachment_file_id, reply_markup=menu_keyboard())
    elif hearing.attachment_file_id and hearing.attachment_kind == "photo":
        await bot.send_photo(resident.telegram_id, hearing.attachment_file_id, reply_markup=menu_keyboard())


async def on_minutes(callback: CallbackQuery, callback_data: HearingCallback, bot: Bot, db: Database,
                     resident: Resident, locale: str, callback_answer: CallbackAnswer) -> None:
    """The minutes of a held hearing."""
    if not _onboarded(resident, callback_answer):
        return
    hearing = await hr.hearing_for_resident(db, resident_id=resident.telegram_id, hearing_id=callback_data.hearing_id)
    if hearing.minutes_file_id:
        await bot.send_document(resident.telegram_id, hearing.minutes_file_id, caption=_(
            "Minutes of the public hearing «{title}»").format(title=esc(hearing.title(locale))),
                reply_markup=menu_keyboard())


# -- the question (a wizard of one step) ------------------------------------------------------------

question = Wizard("hrq", cancelled=N_("Cancelled. Nothing was saved."))
question_text = question.text("text", max_len=hr.QUESTION_MAX)


@question_text.prompt
async def _ask_question(ctx: Ctx) -> Prompt:
    return Prompt(_("Send your question for the hearing «{title}» in one message, up to {limit} characters. The "
                    "officers will see it before the hearing; your name is not shown. /cancel — stop.").format(
        title=esc(ctx.data["title"]), limit=hr.QUESTION_MAX))


@question_text.handle
async def _got_question(ctx: Ctx, text: str | None) -> None:
    resident: Resident = ctx.resident
    try:
        await hr.ask_question(ctx.db, resident_id=resident.telegram_id, hearing_id=ctx.data["hearing_id"],
                              text=text or "")
    except (hr.TooManyQuestions, hr.HearingClosed, hr.NotFound) as error:  # nothing to answer again
        await ctx.finish(explain(error))
        return
    await ctx.finish(_("✅ Thank you! Your question has been passed to the officers for the hearing."))


async def on_ask(callback: CallbackQuery, callback_data: HearingCallback, state: FSMContext, db: Database,
                 resident: Resident, locale: str, callback_answer: CallbackAnswer, **deps: Any) -> None:
    """"Add a question": checked first (the hearing is open, fewer than five sent), then asked."""
    if not _onboarded(resident, callback_answer):
        return
    hearing = await hr.may_ask(db, resident_id=resident.telegram_id, hearing_id=callback_data.hearing_id)
    await question.start(callback, state, {**deps, "db": db, "resident": resident, "locale": locale,
                                           "callback_answer": callback_answer},
                         {"hearing_id": hearing.id, "title": hearing.title(locale)})


def build_router() -> Router:
    """A new router with the resident hearing handlers (register before the fallback)."""
    router = Router(name="hearings_resident")
    router.message.register(cmd_hearings, Command("hearings"))
    cb = router.callback_query
    cb.register(on_list, HearingCallback.filter(F.action == "list"))
    cb.register(on_past, HearingCallback.filter(F.action == "past"))
    cb.register(on_show, HearingCallback.filter(F.action == "show"))
    cb.register(on_rsvp, HearingCallback.filter(F.action.in_(RSVP)))
    cb.register(on_share, HearingCallback.filter(F.action == "share"))
    cb.register(on_ask, HearingCallback.filter(F.action == "ask"))
    cb.register(on_ics, HearingCallback.filter(F.action == "ics"))
    cb.register(on_map, HearingCallback.filter(F.action == "map"))
    cb.register(on_document, HearingCallback.filter(F.action == "doc"))
    cb.register(on_minutes, HearingCallback.filter(F.action == "min"))
    question.register(router)
    return router
