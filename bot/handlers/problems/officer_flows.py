"""The officers' problem wizards, on the kit (``bot.flows``): a status change with a comment (or
"Apply without a comment"), a rejection with its reason, a duplicate of a typed problem number,
hiding with a reason, and the reopen threshold typed as a number.

Each prompt is one step: when the officer goes anywhere else (a menu, the queue, another card, a
command) the step ends, and a text typed later is never taken as its answer (the kit's
``NavigationMiddleware``). Refusals the officer can fix (too long, not a number, a closed target)
keep the step; a problem that went away meanwhile (merged, hidden, changed by another officer)
ends it with the reason.
"""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.db import Database
from bot.domain import problems as pb
from bot.domain.errors import DomainError
from bot.domain.officers import Officer
from bot.flows import Ctx, Prompt, Wizard
from bot.handlers.roles import officer_router
from bot.i18n import N_, _, format_number, ngettext
from bot.ui.errors import explain
from bot.ui.keyboards import with_menu
from bot.ui.problems import problem_excerpt, queue_keyboard, render_officer_card, status_label

CANCELLED = N_("Cancelled. Nothing was changed.")


async def _gone(ctx: Ctx, error: DomainError) -> None:
    """End the wizard saying why the problem can no longer be changed."""
    await ctx.finish(explain(error), queue_keyboard())


async def _status_applied(ctx: Ctx, problem: pb.Problem) -> None:
    db: Database = ctx.db
    await ctx.finish(
        _("✅ Problem #{id} now has the status «{status}». Its author and supporters will be told.").format(
            id=problem.id, status=status_label(problem.status)),
        render_officer_card(problem, await pb.history(db, problem.id))[1])


# -- status with a comment --------------------------------------------------------------------------------

status_wizard = Wizard("pb_stat", cancelled=CANCELLED)
comment = status_wizard.text("comment", max_len=pb.COMMENT_MAX)


@comment.tapped
async def _without_comment(ctx: Ctx, value: str) -> None:
    """A button of the prompt (e.g. "Apply without a comment") applies the change with no comment."""
    await comment.run(ctx, None)


@comment.prompt
async def _ask_comment(ctx: Ctx) -> Prompt:
    return Prompt(_(
        "Problem #{id} → «{status}». Write a comment for the author and supporters (what was decided, "
        "what happens next; up to {limit} characters), or apply without a comment."
    ).format(id=ctx.data["problem_id"], status=status_label(ctx.data["status"]), limit=pb.COMMENT_MAX),
        rows=[[comment.button(_("Apply without a comment"), "go")]])


@comment.handle
async def _apply(ctx: Ctx, text: str | None) -> None:
    db: Database = ctx.db
    officer: Officer = ctx.officer
    try:
        problem = await pb.change_status(db, officer_id=officer.telegram_id, problem_id=ctx.data["problem_id"],
                                         status=ctx.data["status"], comment=text, expected_status=ctx.data["seen"])
    except pb.StatusChanged as error:  # another officer was quicker: the card as it is now
        await ctx.finish(explain(error))
        card, markup = render_officer_card(error.problem, await pb.history(db, error.problem.id),
                                           still=await pb.still_count(db, error.problem))
        await ctx.answer(card, markup)
        return
    except (pb.ProblemGone, pb.StatusUnchanged, pb.ProblemNotFound) as error:
        await _gone(ctx, error)
        return
    await _status_applied(ctx, problem)


async def start_status(event: CallbackQuery, state: FSMContext, deps: dict[str, Any], *, problem_id: int,
                       status: str, seen: str) -> None:
    """Ask for the comment of moving ``problem_id`` from ``seen`` to ``status``."""
    await status_wizard.start(event, state, deps, {"problem_id": problem_id, "status": status, "seen": seen})


# -- reject with a reason --------------------------------------------------------------------------------

reject = Wizard("pb_rej", cancelled=CANCELLED)
reason = reject.text("reason", max_len=pb.COMMENT_MAX)


@reason.prompt
async def _ask_reason(ctx: Ctx) -> Prompt:
    return Prompt(_("Why is problem #{id} rejected? The author and supporters will see your reason (up to {limit} "
                    "characters).").format(id=ctx.data["problem_id"], limit=pb.COMMENT_MAX)
                  + "\n" + _("/cancel — stop."))


@reason.handle
async def _rejected(ctx: Ctx, text: str | None) -> None:
    db: Database = ctx.db
    officer: Officer = ctx.officer
    try:
        problem = await pb.change_status(db, officer_id=officer.telegram_id, problem_id=ctx.data["problem_id"],
                                         status="rejected", comment=text)
    except (pb.ProblemGone, pb.StatusUnchanged, pb.ProblemNotFound) as error:
        await _gone(ctx, error)
        return
    await _status_applied(ctx, problem)


# -- duplicate of a typed number ---------------------------------------------------------------------------

duplicate = Wizard("pb_dup", cancelled=CANCELLED)
target = duplicate.text("target", max_len=pb.TARGET_MAX)


@target.prompt
async def _ask_target(ctx: Ctx) -> Prompt:
    return Prompt(_("Problem #{id} repeats which problem? Send its number, for example 12. /cancel — stop.")
                  .format(id=ctx.data["problem_id"]))


@target.handle
async def _target_typed(ctx: Ctx, text: str | None) -> None:
    """Typed mistakes (not a number, no such problem, itself, a closed or merged target) keep the step;
    a target that can take the problem in is shown for confirmation first (a merge cannot be undone)."""
    db: Database = ctx.db
    officer: Officer = ctx.officer
    try:
        _problem, into = await pb.duplicate_target(db, officer_id=officer.telegram_id,
                                                   problem_id=ctx.data["problem_id"],
                                                   target_id=pb.parse_problem_number(text))
    except (pb.ProblemGone, pb.ProblemNotFound) as error:
        await _gone(ctx, error)
        return
    ctx.data["target_id"] = into.id
    await ctx.goto(confirm_merge)


confirm_merge = duplicate.choice("confirm")


@confirm_merge.prompt
async def _ask_confirm_merge(ctx: Ctx) -> Prompt:
    db: Database = ctx.db
    into = await pb.get_problem(db, ctx.data["target_id"])
    excerpt = problem_excerpt(into) if into is not None else ""
    supports = into.supports if into is not None else 0
    return Prompt(ngettext(
        "Merge problem #{id} into problem #{target}?\n\n#{target}: «{excerpt}» — {count} resident supports it.\n\n"
        "The supports of #{id} move to #{target}, and its author and supporters are told. A merge cannot be undone.",
        "Merge problem #{id} into problem #{target}?\n\n#{target}: «{excerpt}» — {count} residents support it.\n\n"
        "The supports of #{id} move to #{target}, and its author and supporters are told. A merge cannot be undone.",
        supports).format(id=ctx.data["problem_id"], target=ctx.data["target_id"], excerpt=excerpt,
                         count=format_number(supports)),
        rows=[[confirm_merge.button(_("🔗 Merge into #{target}").format(target=ctx.data["target_id"]), "go")]])


@confirm_merge.handle
async def _merged(ctx: Ctx, value: str) -> None:
    db: Database = ctx.db
    officer: Officer = ctx.officer
    problem_id = ctx.data["problem_id"]
    try:
        merged_into = await pb.mark_duplicate(db, officer_id=officer.telegram_id, problem_id=problem_id,
                                              target_id=ctx.data["target_id"])
    except (pb.ProblemGone, pb.ProblemNotFound) as error:
        await _gone(ctx, error)
        return
    await ctx.finish(
        ngettext("✅ Problem #{id} is merged into problem #{target}; {count} resident supports it now. "
                 "The residents who followed #{id} will be told.",
                 "✅ Problem #{id} is merged into problem #{target}; {count} residents support it now. "
                 "The residents who followed #{id} will be told.",
                 merged_into.supports).format(id=problem_id, target=merged_into.id,
                                              count=format_number(merged_into.supports)),
        queue_keyboard())


# -- hide with a reason -----------------------------------------------------------------------------------

hide = Wizard("pb_hide", cancelled=CANCELLED)
hide_reason = hide.text("reason", max_len=pb.COMMENT_MAX)


@hide_reason.prompt
async def _ask_hide_reason(ctx: Ctx) -> Prompt:
    return Prompt(_("Why is problem #{id} hidden? Only its author will see your reason (up to {limit} "
                    "characters).").format(id=ctx.data["problem_id"], limit=pb.COMMENT_MAX)
                  + "\n" + _("/cancel — stop."))


@hide_reason.handle
async def _hidden(ctx: Ctx, text: str | None) -> None:
    db: Database = ctx.db
    officer: Officer = ctx.officer
    problem_id = ctx.data["problem_id"]
    try:
        await pb.hide_problem(db, officer_id=officer.telegram_id, problem_id=problem_id, reason=text or "")
    except (pb.ProblemGone, pb.ProblemNotFound) as error:
        await _gone(ctx, error)
        return
    await ctx.finish(_("✅ Problem #{id} is hidden from the lists. Its author will be told the reason.")
                     .format(id=problem_id), queue_keyboard())


# -- reopen threshold ---------------------------------------------------------------------------------------

threshold = Wizard("pb_thr", cancelled=CANCELLED)
threshold_value = threshold.text("value", max_len=8)


@threshold_value.prompt
async def _ask_threshold(ctx: Ctx) -> Prompt:
    db: Database = ctx.db
    officer: Officer = ctx.officer
    current = await pb.reopen_threshold(db, officer.municipality_code, ctx.settings.problem_reopen_threshold)
    low, high = pb.THRESHOLD_RANGE
    return Prompt(_("How many residents saying “still a problem” send a solved problem back to review? Now: "
                    "{count}. Send a number from {low} to {high}.").format(
        count=format_number(current), low=low, high=format_number(high)))


def _parse_count(text: str | None) -> int | None:
    raw = (text or "").strip()
    return int(raw) if raw and len(raw) <= 4 and raw.isascii() and raw.isdigit() else None


async def save_threshold(message: Message, db: Database, officer: Officer, text: str | None) -> None:
    """Store the threshold typed (after the command or at the step) and confirm it.

    Raises:
        NumberOutOfRange: not a number from 1 to 1000 (explained; the step, if any, stays).
    """
    value = await pb.set_reopen_threshold(db, officer_id=officer.telegram_id, value=_parse_count(text))
    await message.answer(ngettext(
        "Saved. A solved problem returns to review when {count} resident says it is still a problem.",
        "Saved. A solved problem returns to review when {count} residents say it is still a problem.",
        value).format(count=value), reply_markup=with_menu())


@threshold_value.handle
async def _threshold_typed(ctx: Ctx, text: str | None) -> None:
    assert isinstance(ctx.event, Message)
    await save_threshold(ctx.event, ctx.db, ctx.officer, text)
    await ctx.finish()


async def start_threshold(message: Message, state: FSMContext, deps: dict[str, Any]) -> None:
    """Ask for the reopen threshold."""
    await threshold.start(message, state, deps)


def build_router() -> Router:
    """A new router with the officers' wizards (officers only)."""
    router = officer_router("problems_officer_flows")
    for wizard in (status_wizard, reject, duplicate, hide, threshold):
        wizard.register(router)
    return router
