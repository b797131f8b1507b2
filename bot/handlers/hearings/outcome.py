"""Publishing the outcome of a hearing that has begun (a wizard on the kit): the decisions in Kyrgyz
and in Russian (either may be skipped, not both) → the number of participants → the accepted
problems (``#12 #15``) → the minutes as a document → a preview exactly as residents will get it →
publish. Accepted problems change status through the problems domain, which tells their supporters.
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.delivery.split import split_html
from bot.domain import hearings as hr
from bot.domain.officers import Officer
from bot.flows import Ctx, Prompt, Wizard
from bot.handlers.roles import officer_router
from bot.i18n import N_, _, format_number
from bot.notices import render
from bot.ui.hearings import HearingAdminCallback, moved_lines

wizard = Wizard("hrout")
decisions_ky = wizard.text("decisions_ky", max_len=hr.DECISIONS_MAX)
decisions_ru = wizard.text("decisions_ru", max_len=hr.DECISIONS_MAX)
participants = wizard.text("participants", max_len=12)
problems = wizard.text("problems", max_len=500)
minutes = wizard.media("minutes", accepts=("document",),
                       wrong=N_("Please send the minutes as a document, or press «Skip»."))
preview = wizard.choice("preview")


def _outcome(ctx: Ctx) -> hr.Outcome:
    return hr.Outcome.from_dict(ctx.data.get("outcome"))


def _keep(ctx: Ctx, outcome: hr.Outcome) -> None:
    ctx.data["outcome"] = outcome.to_dict()


@decisions_ky.prompt
async def _ask_ky(ctx: Ctx) -> Prompt:
    return Prompt(_("<b>Outcome of the hearing.</b> Send the decisions in Kyrgyz (up to {limit} characters), or "
                    "«Skip».").format(limit=format_number(hr.DECISIONS_MAX)), skip=True)


@decisions_ky.handle
async def _got_ky(ctx: Ctx, text: str | None) -> None:
    outcome = _outcome(ctx)
    outcome.decisions_ky = hr.clean_text(text, hr.DECISIONS_MAX)
    _keep(ctx, outcome)
    await ctx.goto(decisions_ru)


@decisions_ru.prompt
async def _ask_ru(ctx: Ctx) -> Prompt:
    if _outcome(ctx).decisions_ky:
        return Prompt(_("The decisions in Russian, or «Skip»: residents will see the Kyrgyz text."), skip=True)
    return Prompt(_("The decisions in Russian (up to {limit} characters).").format(
        limit=format_number(hr.DECISIONS_MAX)))


@decisions_ru.handle
async def _got_ru(ctx: Ctx, text: str | None) -> None:
    outcome = _outcome(ctx)
    outcome.decisions_ru = hr.clean_text(text, hr.DECISIONS_MAX)
    if not (outcome.decisions_ky or outcome.decisions_ru):
        raise hr.DecisionsMissing("decisions")
    _keep(ctx, outcome)
    await ctx.goto(participants)


@participants.prompt
async def _ask_participants(ctx: Ctx) -> Prompt:
    return Prompt(_("How many people took part? Send a number, or «Skip»."), skip=True)


@participants.handle
async def _got_participants(ctx: Ctx, text: str | None) -> None:
    outcome = _outcome(ctx)
    outcome.participants = None if text is None else hr.parse_participants(text)
    _keep(ctx, outcome)
    await ctx.goto(problems)


@problems.prompt
async def _ask_problems(ctx: Ctx) -> Prompt:
    return Prompt(_("Which problems and proposals were accepted? Send their numbers, for example: #12 #15. Their "
                    "status will change and their supporters will be told. Or «Skip»."), skip=True)


@problems.handle
async def _got_problems(ctx: Ctx, text: str | None) -> None:
    outcome = _outcome(ctx)
    outcome.problem_ids = []
    if text is not None:
        officer: Officer = ctx.officer
        outcome.problem_ids = await hr.accept_problems(ctx.db, officer_id=officer.telegram_id,
                                                       hearing_id=ctx.data["hearing_id"],
                                                       ids=hr.parse_problem_ids(text))
    _keep(ctx, outcome)
    await ctx.goto(minutes)


@minutes.prompt
async def _ask_minutes(ctx: Ctx) -> Prompt:
    return Prompt(_("Send the minutes of the hearing as a document, or «Skip»."), skip=True)


@minutes.handle
async def _got_minutes(ctx: Ctx, message: Message | None) -> None:
    outcome = _outcome(ctx)
    outcome.minutes_file_id = message.document.file_id if message is not None and message.document else None
    _keep(ctx, outcome)
    await ctx.goto(preview)


@preview.prompt
async def _show_preview(ctx: Ctx) -> Prompt:
    """The outcome as residents will get it (the same renderer), whole, in parts when long."""
    officer: Officer = ctx.officer
    outcome = _outcome(ctx)
    hearing = await hr.hearing_for_officer(ctx.db, officer_id=officer.telegram_id, hearing_id=ctx.data["hearing_id"])
    shown = hr.outcome_preview(hearing, outcome)
    notice = hr.notices.outcome(shown, await hr.problem_excerpts(ctx.db, outcome.problem_ids))
    parts = split_html(_("<b>Preview.</b> Residents will get:") + "\n\n" + render(notice, ctx.locale).text)
    for part in parts[:-1]:
        await ctx.answer(part)
    return Prompt(parts[-1], rows=[[preview.button(_("✅ Publish"), "publish")]])


@preview.handle
async def _publish(ctx: Ctx, value: str) -> None:
    if value != "publish":
        return
    officer: Officer = ctx.officer
    _held, moved = await hr.publish_outcome(ctx.db, officer_id=officer.telegram_id,
                                            hearing_id=ctx.data["hearing_id"], outcome=_outcome(ctx))
    text = "\n".join([_("📋 The outcome is published to the residents."), *moved_lines(moved)])
    await ctx.finish(text)
    wake = getattr(ctx.deps.get("delivery_worker"), "wake", None)
    if callable(wake):
        wake()


async def on_outcome(callback: CallbackQuery, callback_data: HearingAdminCallback, officer: Officer,
                     state: FSMContext, **deps: Any) -> None:
    """"Publish the outcome": checked first (a scheduled hearing of the officer's municipality that
    has begun), then the decisions are asked."""
    hearing = await hr.editable_hearing(deps["db"], officer_id=officer.telegram_id,
                                        hearing_id=callback_data.hearing_id, started_ok=True)
    await wizard.start(callback, state, {**deps, "officer": officer},
                       {"hearing_id": hearing.id, "outcome": hr.Outcome().to_dict()})


def build_router() -> Router:
    """A new officers' router with the outcome wizard."""
    router = officer_router("hearings_outcome")
    router.callback_query.register(on_outcome, HearingAdminCallback.filter(F.action == "outcome"))
    wizard.register(router)
    return router


__all__ = ["build_router", "wizard"]
