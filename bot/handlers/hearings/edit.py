"""Changing or cancelling an announced hearing: four small wizards on the kit.

- the time (a new ``DD.MM.YYYY HH:MM``; moving earlier must respect the notice period);
- the place, then optionally a new map location;
- the agenda in Kyrgyz, then in Russian (each in parts; "Skip" keeps that language as it is);
- the cancellation, with a reason residents will read (or none).

Residents who got the announcement (or answered it) are told in the domain's transaction.
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.domain import hearings as hr
from bot.domain.officers import Officer
from bot.flows import Ctx, Prompt, Wizard
from bot.handlers.roles import officer_router
from bot.i18n import N_, _, format_number, ngettext
from bot.ui.errors import explain
from bot.ui.hearings import HearingAdminCallback, example_time
from bot.ui.messages import esc

NO_REASON = "none"
"""The value of "Cancel without a reason" on the reason step."""


async def _saved(ctx: Ctx, hearing: hr.Hearing) -> None:
    total = await hr.change_total(ctx.db, hearing)
    await ctx.finish(ngettext(
        "✅ Saved. {n} resident who got the announcement will be told what changed; reminders follow the new time.",
        "✅ Saved. {n} residents who got the announcement will be told what changed; reminders follow the new "
        "time.", total).format(n=format_number(total)))


async def _edit(ctx: Ctx, **change: Any) -> None:
    """Apply ``change`` through the domain; "nothing changed" ends the wizard, saying so."""
    officer: Officer = ctx.officer
    try:
        hearing, _changed = await hr.edit_hearing(ctx.db, officer_id=officer.telegram_id,
                                                  hearing_id=ctx.data["hearing_id"], **change)
    except hr.Unchanged as error:
        await ctx.finish(explain(error))
        return
    await _saved(ctx, hearing)


# -- the time ---------------------------------------------------------------------------------------

time_wizard = Wizard("hrtime")
new_time = time_wizard.text("when", max_len=40)


@new_time.prompt
async def _ask_time(ctx: Ctx) -> Prompt:
    officer: Officer = ctx.officer
    days = await hr.notice_days(ctx.db, officer.municipality_code)
    return Prompt(_("Send the new date and time as DD.MM.YYYY HH:MM in Bishkek time, for example {example}. "
                    "Residents will be told; reminders follow the new time.").format(example=example_time(days)))


@new_time.handle
async def _got_time(ctx: Ctx, text: str | None) -> None:
    """A refusal (a past time, too early for the notice period, the same time) keeps the step."""
    moment = hr.parse_start(text or "", ctx.settings.tz)
    officer: Officer = ctx.officer
    hearing, _changed = await hr.edit_hearing(ctx.db, officer_id=officer.telegram_id,
                                              hearing_id=ctx.data["hearing_id"], starts_at=moment)
    await _saved(ctx, hearing)


# -- the place --------------------------------------------------------------------------------------

place_wizard = Wizard("hrplace")
new_place = place_wizard.text("place", max_len=hr.PLACE_MAX)
new_location = place_wizard.media("location", accepts=("location",),
                                  wrong=N_("Please send a location (📎 → Location), or press «Skip»."))


@new_place.prompt
async def _ask_place(ctx: Ctx) -> Prompt:
    return Prompt(_("Send the new place (up to {limit} characters).").format(limit=hr.PLACE_MAX))


@new_place.handle
async def _got_place(ctx: Ctx, text: str | None) -> None:
    ctx.data["place"] = hr.clean_text(text, hr.PLACE_MAX)
    await ctx.goto(new_location)


@new_location.prompt
async def _ask_location(ctx: Ctx) -> Prompt:
    return Prompt(_("Send the location of the place on the map (📎 → Location), or press «Skip»."), skip=True)


@new_location.handle
async def _got_location(ctx: Ctx, message: Message | None) -> None:
    pin = message.location if message is not None else None
    await _edit(ctx, place=ctx.data["place"], latitude=pin.latitude if pin else None,
                longitude=pin.longitude if pin else None)


# -- the agenda -------------------------------------------------------------------------------------

agenda_wizard = Wizard("hragenda")
new_agenda_ky = agenda_wizard.text("ky", max_len=hr.AGENDA_MAX, parts=True)
new_agenda_ru = agenda_wizard.text("ru", max_len=hr.AGENDA_MAX, parts=True)


@new_agenda_ky.prompt
async def _ask_agenda_ky(ctx: Ctx) -> Prompt:
    return Prompt(_("Send the new agenda in Kyrgyz (several messages allowed), then «Done»; or «Skip» to keep the "
                    "Kyrgyz agenda as it is."), skip=True)


@new_agenda_ky.handle
async def _got_agenda_ky(ctx: Ctx, text: str | None) -> None:
    ctx.data["agenda_ky"] = text  # None: keep
    await ctx.goto(new_agenda_ru)


@new_agenda_ru.prompt
async def _ask_agenda_ru(ctx: Ctx) -> Prompt:
    return Prompt(_("Now the new agenda in Russian (several messages allowed), then «Done»; or «Skip» to keep the "
                    "Russian agenda as it is."), skip=True)


@new_agenda_ru.handle
async def _got_agenda_ru(ctx: Ctx, text: str | None) -> None:
    await _edit(ctx, agenda_ky=ctx.data.get("agenda_ky"), agenda_ru=text)


# -- the cancellation -------------------------------------------------------------------------------


cancel_wizard = Wizard("hrcancel", stop=N_("✖ Don't cancel the hearing"),
                       cancelled=N_("The hearing is not cancelled: it stays as announced."))
"""Its stop button and answer say what stopping keeps: a plain "Cancel" in a "Cancel the hearing" flow
reads as the cancellation itself (issue 12)."""
reason = cancel_wizard.text("reason", max_len=hr.REASON_MAX)
"""The reason residents will read, or the button "Cancel without a reason"."""


@reason.tapped
async def _no_reason(ctx: Ctx, value: str) -> None:
    if value == NO_REASON:
        await reason.run(ctx, "")


@reason.prompt
async def _ask_reason(ctx: Ctx) -> Prompt:
    return Prompt(_("Send the reason for the cancellation (residents will see it), or press the button to cancel "
                    "without a reason."), rows=[[reason.button(_("❌ Cancel without a reason"), NO_REASON)]])


@reason.handle
async def _got_reason(ctx: Ctx, text: str | None) -> None:
    officer: Officer = ctx.officer
    hearing = await hr.cancel_hearing(ctx.db, officer_id=officer.telegram_id, hearing_id=ctx.data["hearing_id"],
                                      reason=text or "")
    await ctx.finish(_("❌ The hearing «{title}» is cancelled. Residents who got the announcement will be told; "
                       "no reminders will be sent.").format(title=esc(hearing.title(ctx.locale))))


# -- entries ----------------------------------------------------------------------------------------

ENTRIES = {"time": time_wizard, "place": place_wizard, "agenda": agenda_wizard, "cancel": cancel_wizard}
"""The card's button action → the wizard it starts."""


async def on_change(callback: CallbackQuery, callback_data: HearingAdminCallback, officer: Officer,
                    state: FSMContext, **deps: Any) -> None:
    """"Change the time / place / agenda", "Cancel the hearing": checked first (a scheduled hearing of
    the officer's municipality that has not begun), then the wizard starts."""
    hearing = await hr.editable_hearing(deps["db"], officer_id=officer.telegram_id, hearing_id=callback_data.hearing_id)
    await ENTRIES[callback_data.action].start(callback, state, {**deps, "officer": officer},
                                              {"hearing_id": hearing.id})


def build_router() -> Router:
    """A new officers' router with the change and cancellation wizards."""
    router = officer_router("hearings_edit")
    router.callback_query.register(on_change, HearingAdminCallback.filter(F.action.in_(ENTRIES)))
    for wizard in ENTRIES.values():
        wizard.register(router)
    return router
