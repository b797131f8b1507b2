"""Officers and problems (their own municipality only): the queue of new problems, moving a
problem through the cycle with a comment, rejecting with a reason, marking a duplicate, hiding an
abusive problem, and the ranked list as CSV + chart for a hearing.

Every action is checked again on the server by the domain function (``require_officer`` against
the problem's municipality); a crafted button for another municipality's problem is refused,
logged with ``log.warning`` and changes nothing.
"""

from __future__ import annotations

import asyncio
import logging

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.db import Database
from bot.domain import InvalidInput, NotFound, PermissionDenied
from bot.domain import municipalities as geo
from bot.domain import problems as pb
from bot.domain.officers import get_officer, require_officer
from bot.domain.residents import Resident
from bot.handlers.officers import refusal_officer
from bot.i18n import _, format_number, ngettext
from bot.ui.callbacks import parse_id
from bot.ui.messages import drop_keyboard, edit_or_send
from bot.ui.problems import (
    PAGE_SIZE,
    OfficerProblemCallback,
    render_officer_card,
    render_queue,
    single_button,
    status_label,
)

log = logging.getLogger(__name__)


class OfficerInput(StatesGroup):
    """Waiting for the officer's comment (status change), reason (reject, hide) or target number (duplicate)."""

    comment = State()
    reason = State()
    target = State()


def _refused_other() -> str:
    return _("This problem belongs to another municipality. You can manage only the problems of your own.")


async def _refuse(callback_or_message: CallbackQuery | Message, resident: Resident, problem_id: int, what: str) -> None:
    log.warning("officer action %r on problem %s refused to %s: not their municipality", what, problem_id,
                resident.telegram_id)
    if isinstance(callback_or_message, CallbackQuery):
        await callback_or_message.answer(_refused_other(), show_alert=True)
    else:
        await callback_or_message.answer(_refused_other())


# -- commands ---------------------------------------------------------------------------------------


async def cmd_queue(message: Message, db: Database, resident: Resident) -> None:
    """/problems_queue: new problems of the officer's municipality."""
    try:
        problems, total = await pb.officer_queue(db, resident.telegram_id, size=PAGE_SIZE)
    except PermissionDenied:
        await message.answer(refusal_officer())
        return
    text, markup = render_queue(problems, total, 0)
    await message.answer(text, reply_markup=markup)


async def cmd_export(message: Message, db: Database, resident: Resident, locale: str) -> None:
    """/problems_export: the ranked list as CSV and a chart of the top 10."""
    await _export(message, db, resident, locale)


async def cmd_threshold(message: Message, command: CommandObject, db: Database, resident: Resident) -> None:
    """/reopen_threshold N: how many "still a problem" answers reopen a solved problem."""
    arg = (command.args or "").strip()
    try:
        await require_officer(db, resident.telegram_id)
    except PermissionDenied:
        await message.answer(refusal_officer())
        return
    if not (arg.isascii() and arg.isdigit()) or len(arg) > 4:
        await message.answer(_("Send the command with a number from 1 to 1000, for example: /reopen_threshold 3"))
        return
    try:
        value = await pb.set_reopen_threshold(db, officer_id=resident.telegram_id, value=int(arg))
    except InvalidInput:
        await message.answer(_("Send the command with a number from 1 to 1000, for example: /reopen_threshold 3"))
        return
    await message.answer(ngettext(
        "Saved. A solved problem returns to review when {count} resident says it is still a problem.",
        "Saved. A solved problem returns to review when {count} residents say it is still a problem.",
        value).format(count=value))


async def _export(message: Message, db: Database, resident: Resident, locale: str) -> None:
    from bot.ui.problems_export import ranked_csv, top_chart_png

    try:
        code, problems = await pb.ranked_for_export(db, resident.telegram_id)
    except PermissionDenied:
        await message.answer(refusal_officer())
        return
    if not problems:
        await message.answer(_("There are no open problems to export yet."))
        return
    location = await geo.locate(db, code)
    name = location.municipality.name(locale) if location else code
    csv_bytes = ranked_csv(problems, locale, name)
    await message.answer_document(
        BufferedInputFile(csv_bytes, filename=f"problems-{code}.csv"),
        caption=_("Priority problems, most supported first: {count}. Opens in Excel.").format(
            count=format_number(len(problems))))
    try:  # the table is sent first: a chart that fails to draw must not cost the officer the table
        png = await asyncio.to_thread(top_chart_png, problems, locale, name)
    except Exception:
        log.exception("chart of the problems of %s failed", code)
        await message.answer(_("The chart could not be drawn this time; the table above has all the data."))
        return
    await message.answer_photo(BufferedInputFile(png, filename=f"top-problems-{code}.png"),
                               caption=_("Top problems by support"))


# -- buttons ----------------------------------------------------------------------------------------


async def on_officer_button(
    callback: CallbackQuery, callback_data: OfficerProblemCallback, db: Database, resident: Resident, locale: str,
    state: FSMContext,
) -> None:
    """Every ``po:`` button. The problem is loaded through :func:`pb.problem_for_officer`, which
    refuses another municipality's problem before anything is shown or changed."""
    action, problem_id = callback_data.action, callback_data.id
    if await get_officer(db, resident.telegram_id) is None:
        # not an officer at all: say so (not "another municipality"), whatever the button
        log.warning("officer action %r on problem %s refused to %s: not an officer", action, problem_id,
                    resident.telegram_id)
        await callback.answer(refusal_officer(), show_alert=True)
        return
    if action == "queue":
        arg = callback_data.arg or "0"
        if not (arg.isascii() and arg.isdigit()) or len(arg) > 6:
            await callback.answer(_("This button is out of date. Send /problems_queue to start again."),
                                  show_alert=True)
            return
        page = int(arg)
        try:
            problems, total = await pb.officer_queue(db, resident.telegram_id, page=page, size=PAGE_SIZE)
        except PermissionDenied:
            await callback.answer(refusal_officer(), show_alert=True)
            return
        await callback.answer()
        await state.clear()
        text, markup = render_queue(problems, total, page)
        await edit_or_send(callback, text, markup)
        return
    if action == "export":
        await callback.answer()
        if isinstance(callback.message, Message):
            await _export(callback.message, db, resident, locale)
        return
    try:
        problem = await pb.problem_for_officer(db, resident.telegram_id, problem_id)
    except NotFound:
        await callback.answer(_("This problem does not exist."), show_alert=True)
        return
    except PermissionDenied:
        await _refuse(callback, resident, problem_id, action)
        return
    if action in ("open", "more"):
        await callback.answer()
        text, markup = render_officer_card(problem, await pb.history(db, problem.id), all_statuses=action == "more")
        await edit_or_send(callback, text, markup)
    elif action in ("status", "go") and callback_data.arg in pb.CHAIN and callback_data.seen != problem.status:
        # the card was drawn for another status: another officer (or an old message) — show the card as it is
        await callback.answer(_("The status of this problem has changed meanwhile; here is the current card."),
                              show_alert=True)
        text, markup = render_officer_card(problem, await pb.history(db, problem.id))
        await edit_or_send(callback, text, markup)
    elif action == "status" and callback_data.arg in pb.CHAIN:
        await callback.answer()
        await state.set_state(OfficerInput.comment)
        await state.update_data(problem_id=problem.id, status=callback_data.arg, seen=problem.status)
        await _reply(callback, _(
            "Problem #{id} → «{status}». Write a comment for the author and supporters (what was decided, "
            "what happens next; up to {limit} characters), or apply without a comment."
        ).format(id=problem.id, status=status_label(callback_data.arg), limit=pb.COMMENT_MAX),
            single_button(_("Apply without a comment"), OfficerProblemCallback(
                action="go", id=problem.id, arg=callback_data.arg, seen=problem.status)))
    elif action == "go" and callback_data.arg in pb.CHAIN:
        await state.clear()
        await _apply(callback, db, resident, problem.id, status=callback_data.arg, comment=None,
                     expected=callback_data.seen)
    elif action in ("reject", "hide"):
        await callback.answer()
        await state.set_state(OfficerInput.reason)
        await state.update_data(problem_id=problem.id, action=action)
        prompt = _("Why is problem #{id} rejected? The author and supporters will see your reason (up to {limit} characters).") \
            if action == "reject" else \
            _("Why is problem #{id} hidden? Only its author will see your reason (up to {limit} characters).")
        await _reply(callback, prompt.format(id=problem.id, limit=pb.COMMENT_MAX) + "\n" + _("/cancel — stop."))
    elif action == "dup":
        await callback.answer()
        await state.set_state(OfficerInput.target)
        await state.update_data(problem_id=problem.id)
        await _reply(callback, _("Problem #{id} repeats which problem? Send its number, for example 12. /cancel — stop.")
                     .format(id=problem.id))
    else:
        await callback.answer(_("This button is out of date. Send /problems_queue to start again."), show_alert=True)


async def _reply(callback: CallbackQuery, text: str, markup=None) -> None:
    if isinstance(callback.message, Message):
        await callback.message.answer(text, reply_markup=markup)


async def _apply(target: CallbackQuery | Message, db: Database, resident: Resident, problem_id: int, *,
                 status: str, comment: str | None, expected: str | None = None) -> bool:
    """Change the status; answer the officer. Returns ``False`` when the input must be sent again.
    ``expected``: the status the officer saw; a different current status refuses the change."""
    try:
        problem = await pb.change_status(db, officer_id=resident.telegram_id, problem_id=problem_id,
                                         status=status, comment=comment, expected_status=expected or None)
    except pb.StatusChanged as exc:
        await _say(target, _("The status of this problem has changed meanwhile; here is the current card."))
        message = target.message if isinstance(target, CallbackQuery) else target
        if isinstance(message, Message):
            text, markup = render_officer_card(exc.problem, await pb.history(db, exc.problem.id))
            await message.answer(text, reply_markup=markup)
        return True
    except PermissionDenied:
        await _refuse(target, resident, problem_id, status)
        return True
    except NotFound:
        await _say(target, _("This problem does not exist."))
        return True
    except pb.ProblemGone as exc:
        await _say(target, _gone_text(exc))
        return True
    except InvalidInput as exc:
        if str(exc) == "unchanged":
            await _say(target, _("Problem #{id} already has this status.").format(id=problem_id))
            return True
        await _say(target, _too_long(exc))
        return False
    if isinstance(target, CallbackQuery):
        await target.answer()
        await drop_keyboard(target)
    message = target.message if isinstance(target, CallbackQuery) else target
    if isinstance(message, Message):
        await message.answer(
            _("✅ Problem #{id} now has the status «{status}». Its author and supporters will be told.").format(
                id=problem.id, status=status_label(problem.status)),
            reply_markup=render_officer_card(problem, await pb.history(db, problem.id))[1])
    return True


def _gone_text(exc: pb.ProblemGone) -> str:
    if exc.reason == "duplicate":
        return _("This problem was merged into problem #{id}; it cannot be changed any more.").format(
            id=exc.problem.duplicate_of)
    return _("This problem is hidden; it cannot be changed any more.")


def _too_long(exc: InvalidInput) -> str:
    if not exc.actual:
        return _("Please write the reason: residents need to know why.")
    return ngettext(
        "The comment can be at most {limit} characters long; yours has {length} character. Please shorten it.",
        "The comment can be at most {limit} characters long; yours has {length} characters. Please shorten it.",
        exc.actual).format(limit=exc.limit, length=format_number(exc.actual))


async def _say(target: CallbackQuery | Message, text: str) -> None:
    if isinstance(target, CallbackQuery):
        await target.answer(text, show_alert=True)
    else:
        await target.answer(text)


async def on_comment(message: Message, db: Database, resident: Resident, state: FSMContext) -> None:
    data = await state.get_data()
    if await _apply(message, db, resident, int(data.get("problem_id", 0)), status=str(data.get("status")),
                    comment=message.text, expected=data.get("seen")):
        await state.clear()


async def on_reason(message: Message, db: Database, resident: Resident, state: FSMContext) -> None:
    data = await state.get_data()
    problem_id = int(data.get("problem_id", 0))
    if data.get("action") == "reject":
        if await _apply(message, db, resident, problem_id, status="rejected", comment=message.text):
            await state.clear()
        return
    try:
        await pb.hide_problem(db, officer_id=resident.telegram_id, problem_id=problem_id, reason=message.text or "")
    except PermissionDenied:
        await state.clear()
        await _refuse(message, resident, problem_id, "hide")
        return
    except NotFound:
        await state.clear()
        await message.answer(_("This problem does not exist."))
        return
    except pb.ProblemGone as exc:
        await state.clear()
        await message.answer(_gone_text(exc))
        return
    except InvalidInput as exc:
        await message.answer(_too_long(exc))
        return
    await state.clear()
    await message.answer(_("✅ Problem #{id} is hidden from the lists. Its author will be told the reason.").format(id=problem_id),
                         reply_markup=single_button(_("« Queue"), OfficerProblemCallback(action="queue", arg="0")))


async def on_target(message: Message, db: Database, resident: Resident, state: FSMContext) -> None:
    data = await state.get_data()
    problem_id = int(data.get("problem_id", 0))
    raw = (message.text or "").strip().lstrip("#№").strip()
    target_id = parse_id(raw)
    if target_id is None:
        await message.answer(_("Send the number of the problem, for example 12. /cancel — stop."))
        return
    raw = str(target_id)
    try:
        target = await pb.mark_duplicate(db, officer_id=resident.telegram_id, problem_id=problem_id, target_id=target_id)
    except PermissionDenied:
        await state.clear()
        await _refuse(message, resident, problem_id, "duplicate")
        return
    except NotFound:
        await message.answer(_("There is no problem #{id}. Send another number, or /cancel.").format(id=raw))
        return
    except pb.ProblemGone as exc:
        await state.clear()
        await message.answer(_gone_text(exc))
        return
    except InvalidInput as exc:
        texts = {
            "self": _("A problem cannot be a duplicate of itself. Send another number, or /cancel."),
            "other municipality": _("Problem #{id} belongs to another municipality. Send another number, or /cancel."),
            "target closed": _("Problem #{id} is already solved or rejected: only an open problem can take in a "
                               "duplicate. Send the number of an open problem, or /cancel."),
        }
        await message.answer(texts.get(str(exc), _("Problem #{id} is itself a duplicate. Send the number of the "
                                                   "problem it was merged into, or /cancel.")).format(id=raw))
        return
    await state.clear()
    await message.answer(
        ngettext("✅ Problem #{id} is merged into problem #{target}; {count} resident supports it now. "
                 "The residents who followed #{id} will be told.",
                 "✅ Problem #{id} is merged into problem #{target}; {count} residents support it now. "
                 "The residents who followed #{id} will be told.",
                 target.supports).format(id=problem_id, target=target.id, count=format_number(target.supports)),
        reply_markup=single_button(_("« Queue"), OfficerProblemCallback(action="queue", arg="0")))


async def on_input_not_text(message: Message) -> None:
    await message.answer(_("Please send it as text, or /cancel."))


def build_router() -> Router:
    """A new router with this module's handlers (register before the fallback router)."""
    router = Router(name="problems_officer")
    router.message.register(cmd_queue, Command("problems_queue"))
    router.message.register(cmd_export, Command("problems_export"))
    router.message.register(cmd_threshold, Command("reopen_threshold"))
    router.message.register(on_comment, StateFilter(OfficerInput.comment), F.text, ~F.text.startswith("/"))
    router.message.register(on_reason, StateFilter(OfficerInput.reason), F.text, ~F.text.startswith("/"))
    router.message.register(on_target, StateFilter(OfficerInput.target), F.text, ~F.text.startswith("/"))
    router.message.register(on_input_not_text, StateFilter(OfficerInput.comment, OfficerInput.reason,
                                                           OfficerInput.target), ~F.text)
    router.callback_query.register(on_officer_button, OfficerProblemCallback.filter())
    return router
