"""A resident rates an included service: a wizard on the kit (``bot.flows``).

"⭐ Rate this service" on a card → a score 1–5 (buttons) → an optional comment (or "Skip") → saved.
At most once per resident per calendar quarter in Asia/Bishkek (the domain says when again).
"""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery

from bot.db import Database
from bot.domain import registry as reg
from bot.domain.clock import clock
from bot.domain.residents import Resident
from bot.flows import Ctx, Prompt, Wizard
from bot.i18n import N_, _, format_date
from bot.ui.messages import esc
from bot.ui.registry import RegCb

SCORES = ("1", "2", "3", "4", "5")

wizard = Wizard("rgrate", cancelled=N_("Cancelled."))
score = wizard.choice("score")
comment = wizard.text("comment", max_len=reg.COMMENT_MAX)


async def on_rate(callback: CallbackQuery, callback_data: RegCb, db: Database, resident: Resident, locale: str,
                  state: FSMContext, **deps: object) -> None:
    """"⭐ Rate this service": check that the resident may rate it now, then ask for the score."""
    service = await reg.check_can_rate(db, resident_id=resident.telegram_id, service_id=callback_data.i)
    await wizard.start(callback, state, {**deps, "db": db, "resident": resident, "locale": locale},
                       {"service": service.id, "name": service.name(locale)})


@score.prompt
async def _ask_score(ctx: Ctx) -> Prompt:
    return Prompt(_("How well does «{name}» work for you? 1 — very badly, 5 — very well.").format(
        name=esc(ctx.data["name"])), rows=[[score.button(f"{n} ⭐", n) for n in SCORES]])


@score.handle
async def _got_score(ctx: Ctx, value: str | None) -> None:
    if value not in SCORES:
        return
    ctx.data["score"] = int(value)
    await ctx.goto(comment)


@comment.prompt
async def _ask_comment(ctx: Ctx) -> Prompt:
    return Prompt(_("Your score: {score} of 5. Add a comment of up to {limit} characters, or tap “⏭ Skip”.").format(
        score=ctx.data["score"], limit=reg.COMMENT_MAX), skip=True)


@comment.handle
async def _got_comment(ctx: Ctx, text: str | None) -> None:
    try:
        await reg.rate(ctx.db, resident_id=ctx.resident.telegram_id, service_id=int(ctx.data["service"]),
                       score=int(ctx.data["score"]), comment=text or "")
    except (reg.AlreadyRated, reg.NotRateable, reg.ServiceNotFound):
        await ctx.state.clear()  # nothing left to answer: the explanation follows, the wizard ends
        raise
    again = format_date(reg.next_quarter_start(clock.now()), ctx.locale)
    await ctx.finish(_("Thank you! Your rating is saved; municipal officers see ratings without names. "
                       "You can rate this service again from {date}.").format(date=again))
