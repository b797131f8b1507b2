"""/verify: a resident confirms they live in their municipality, for surveys of verified residents.

Two ways: Telegram's request-contact button (only the sender's OWN Kyrgyz number counts; the number
is not stored) or a one-time residence code from the ayil okmotu or town hall. A one-step wizard on
the kit waits for either; ``/verify CODE`` redeems a code at once, and a contact shared outside the
step is taken too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove

from bot.db import Database
from bot.domain import verification as ver
from bot.domain.residents import Resident
from bot.flows import Ctx, Prompt, Wizard
from bot.handlers.onboarding import continue_onboarding
from bot.i18n import N_, _
from bot.ui.errors import explain
from bot.ui.surveys import contact_keyboard


wizard = Wizard("verify")
waiting = wizard.media("wait", accepts=("contact", "text"),
                       wrong=N_("Please press «Share my phone number» or send your residence code as text, or /cancel."))


def _verified() -> str:
    return _("✅ You are verified. You can now vote in surveys for verified residents.")


@waiting.prompt
async def _ask(ctx: Ctx) -> Prompt:
    return Prompt(_("To confirm that you are a resident, press «Share my phone number» below "
                    "(only a Kyrgyz number, +996, of this Telegram account is accepted), "
                    "or send the residence code you received from your municipality. /cancel — not now."),
                  markup=contact_keyboard())  # Telegram's reply keyboard that shares the number


@waiting.handle
async def _answer(ctx: Ctx, message: Message) -> None:
    resident: Resident = ctx.resident
    try:
        if message.contact is not None:
            await ver.verify_by_contact(ctx.db, sender_id=resident.telegram_id,
                                        contact_user_id=message.contact.user_id,
                                        phone_number=message.contact.phone_number)
        else:
            await ver.redeem_code(ctx.db, resident_id=resident.telegram_id, code=message.text or "")
    except (ver.ContactNotOwn, ver.PhoneNotKyrgyz) as error:  # ask again, with the button
        await ctx.answer(explain(error), reply_markup=contact_keyboard())  # type: ignore[arg-type]
        return
    except ver.AlreadyVerified as error:  # nothing to do: the step ends
        await ctx.finish(explain(error), reply_markup=ReplyKeyboardRemove())  # type: ignore[arg-type]
        await _back_to_survey(ctx, resident)
        return
    await ctx.finish(_verified(), reply_markup=ReplyKeyboardRemove())  # type: ignore[arg-type]
    await _back_to_survey(ctx, resident)


async def _back_to_survey(ctx: Ctx, resident: Resident) -> None:
    """After the answer: the way on (:func:`way_on`), back to the survey that asked, if any."""
    await way_on(ctx.answer, ctx.db, resident, ctx.locale, ctx.data.get("survey_id"))


async def way_on(send: Callable[..., Awaitable[Any]], db: Database, resident: Resident, locale: str,
                 survey_id: int | None = None) -> None:
    """The message after "verified" (which removes the phone button, so it cannot carry inline buttons:
    Telegram allows one keyboard per message and never edits a message that removed a keyboard), so the
    resident is not left at a dead end (issue 12): the ballot of the survey that asked for verification,
    to vote at once; else (``/verify`` alone, or that survey is closed) the survey list, where surveys
    for verified residents are now open to them, with "« Main menu".

    ``send``: ``Message.answer`` or ``Ctx.answer`` (text, ``reply_markup=``).
    """
    from bot.domain import surveys as sv
    from bot.domain.errors import DomainError
    from bot.handlers.surveys.resident import render_list
    from bot.ui.keyboards import with_menu
    from bot.ui.surveys import ballot_keyboard, ballot_text

    if survey_id:
        try:
            survey = await sv.voter_survey(db, municipality_code=resident.municipality_code, survey_id=int(survey_id))
            sv.require_open(survey)
        except DomainError:
            pass
        else:
            mine = await sv.my_choice(db, resident.telegram_id, survey.id)
            await send(ballot_text(survey, locale, mine),
                       reply_markup=with_menu(ballot_keyboard(survey, locale, mine=mine)))
            return
    text, keyboard = await render_list(db, resident, locale)
    await send(text, reply_markup=keyboard)


async def start(event: Message | CallbackQuery, state: FSMContext, deps: dict[str, Any],
                survey_id: int | None = None) -> None:
    """Ask for the resident's own phone number or a residence code (``deps``: ``bot``, ``db``, ``resident``);
    ``survey_id``: the survey that asked, shown again once verified."""
    await wizard.start(event, state, deps, data={"survey_id": survey_id} if survey_id else None)


async def cmd_verify(message: Message, command: CommandObject, db: Database, resident: Resident, locale: str,
                     state: FSMContext, **deps: Any) -> None:
    """/verify [CODE]: verify by phone or by a residence code."""
    if not resident.onboarded:
        await continue_onboarding(message, db, resident, locale, state)
        return
    if command.args:
        try:
            await ver.redeem_code(db, resident_id=resident.telegram_id, code=command.args)
        except ver.AlreadyVerified as error:
            await message.answer(explain(error), reply_markup=ReplyKeyboardRemove())
        else:
            await message.answer(_verified(), reply_markup=ReplyKeyboardRemove())
        await way_on(message.answer, db, resident, locale)
        return
    await start(message, state, {**deps, "db": db, "resident": resident, "locale": locale})


async def on_contact(message: Message, db: Database, resident: Resident, locale: str) -> None:
    """A contact shared outside the step: accepted only if it is the sender's own Kyrgyz number."""
    contact = message.contact
    assert contact is not None
    try:
        await ver.verify_by_contact(db, sender_id=resident.telegram_id, contact_user_id=contact.user_id,
                                    phone_number=contact.phone_number)
    except (ver.ContactNotOwn, ver.PhoneNotKyrgyz) as error:
        await message.answer(explain(error), reply_markup=contact_keyboard())
        return
    await message.answer(_verified(), reply_markup=ReplyKeyboardRemove())
    await way_on(message.answer, db, resident, locale)


def build_router() -> Router:
    """A new router with /verify, its step and shared contacts."""
    router = Router(name="surveys_verify")
    router.message.register(cmd_verify, Command("verify"))
    wizard.register(router)
    router.message.register(on_contact, F.contact)
    return router
