"""Residents and problems: raise one (category → text or voice → photos → location → preview →
publish, with similar problems offered before publishing), browse the ranked list, open a card,
support or withdraw with one tap, "my problems", "problems I support", and the one-tap
"still a problem?" answer from a notification.

The draft lives in the FSM data (SQLite, JSON-able values only), so it survives a restart.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections import defaultdict

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InputMediaPhoto, Message

from bot.config import Settings
from bot.db import Database
from bot.domain import InvalidInput, NotFound, PermissionDenied
from bot.domain import municipalities as geo
from bot.domain import problems as pb
from bot.domain.officers import get_officer
from bot.domain.residents import Resident
from bot.handlers.onboarding import continue_onboarding
from bot.i18n import _, format_number, ngettext
from bot.ui.callbacks import parse_id
from bot.ui.messages import drop_keyboard, edit_or_send, esc
from bot.ui.problems import (
    PAGE_SIZE,
    DraftCallback,
    ProblemCallback,
    category_keyboard,
    category_label,
    fit_utf16,
    home_keyboard,
    home_text,
    render_card,
    render_list,
    render_preview,
    single_button,
)

log = logging.getLogger(__name__)


class RaiseProblem(StatesGroup):
    """Steps of raising a problem; the draft is in the FSM data."""

    category = State()
    text = State()
    photos = State()
    location = State()
    preview = State()


_locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
"""Per-person lock around draft updates: the photos of an album arrive as separate updates that
polling may handle concurrently, and each one reads and writes the same draft."""


# -- entry points -----------------------------------------------------------------------------------


async def _home(db: Database, resident: Resident, locale: str) -> str:
    location = await geo.locate(db, resident.municipality_code)
    name = location.municipality.name(locale) if location else ""
    _page, total = await pb.ranked_page(db, resident.municipality_code, size=1)
    return home_text(name, total)


async def cmd_problems(message: Message, db: Database, resident: Resident, locale: str, state: FSMContext) -> None:
    """/problems: the problems screen of the resident's municipality."""
    if not resident.onboarded:
        await continue_onboarding(message, db, resident, locale, state)
        return
    await message.answer(await _home(db, resident, locale), reply_markup=home_keyboard())


async def cmd_new_problem(message: Message, db: Database, resident: Resident, locale: str, state: FSMContext) -> None:
    """/newproblem: start raising a problem."""
    if not resident.onboarded:
        await continue_onboarding(message, db, resident, locale, state)
        return
    await _start_draft(message, state)


async def _start_draft(message: Message, state: FSMContext) -> None:
    await state.clear()
    await state.set_state(RaiseProblem.category)
    await message.answer(_("<b>New problem</b>\nChoose the category of the problem:"), reply_markup=category_keyboard())


# -- the draft --------------------------------------------------------------------------------------


def _text_prompt(settings: Settings) -> str:
    return _(
        "Describe the problem in your own words: what is wrong, where exactly, since when. "
        "From {min} to {max} characters.\nYou can record a voice message instead. /cancel — stop."
    ).format(min=settings.problem_text_min, max=format_number(settings.problem_text_max))


async def on_category(callback: CallbackQuery, callback_data: DraftCallback, state: FSMContext, settings: Settings) -> None:
    """A category button: remember it and ask for the text. Acts only while this draft waits for
    its category (or its text: the category may be changed); in any other flow — or none — the
    button is stale and must not take over (e.g. a proposal to the registry in progress)."""
    if callback_data.arg not in pb.CATEGORIES or await state.get_state() not in (
            RaiseProblem.category.state, RaiseProblem.text.state):
        await callback.answer(_("This button is out of date. Send /problems to start again."), show_alert=True)
        return
    await callback.answer()
    await state.update_data(category=callback_data.arg)
    await state.set_state(RaiseProblem.text)
    # the question is replaced by the answer, so the chat keeps a record of the choice
    await edit_or_send(callback, _("<b>New problem</b>\nCategory: {category}").format(
        category=category_label(callback_data.arg)))
    if isinstance(callback.message, Message):
        await callback.message.answer(_text_prompt(settings))


async def on_text(message: Message, state: FSMContext, settings: Settings) -> None:
    """The problem text: checked against the bounds; over the bound the person is told the limit
    and their length, and the draft stays as it was."""
    text = await _checked_text(message, message.text, settings)
    if text is None:
        return
    await state.update_data(text=text, voice=None, voice_duration=None)
    await _ask_photos(message, state)


async def on_text_photo(message: Message, state: FSMContext, settings: Settings) -> None:
    """A photo where the text was expected. With a caption, the caption is the text and the photo
    the first photo of the draft; without one, the person is asked for the text first (nothing is
    lost: the photo can be sent again at the next step)."""
    assert message.photo
    if not message.caption:
        await message.answer(_("Please describe the problem as a text first; you can add this photo at the next "
                               "step. /cancel — stop."))
        return
    text = await _checked_text(message, message.caption, settings)
    if text is None:
        return
    await state.update_data(text=text, voice=None, voice_duration=None, photos=[message.photo[-1].file_id])
    await state.set_state(RaiseProblem.photos)
    await message.answer(
        _("The caption is the text of your problem, and the photo is added. Add up to 2 more photos, or go on."),
        reply_markup=single_button(_("Done »"), DraftCallback(action="done")))


async def _checked_text(message: Message, raw: str | None, settings: Settings) -> str | None:
    """The cleaned text, or ``None`` after telling the person what is wrong with it."""
    try:
        return pb.check_text(raw, text_min=settings.problem_text_min, text_max=settings.problem_text_max)
    except InvalidInput as exc:
        length = exc.actual or 0
        if exc.limit == settings.problem_text_min and length < exc.limit:
            answer = ngettext(
                "This is too short: {length} character. Please describe the problem in at least {limit} characters.",
                "This is too short: {length} characters. Please describe the problem in at least {limit} characters.",
                length,
            )
        else:
            answer = ngettext(
                "The text can be at most {limit} characters long; yours has {length} character. "
                "Please shorten it and send it again — your draft is kept.",
                "The text can be at most {limit} characters long; yours has {length} characters. "
                "Please shorten it and send it again — your draft is kept.",
                length,
            )
        await message.answer(answer.format(limit=format_number(exc.limit or 0), length=format_number(length)))
        return None


async def on_voice(message: Message, state: FSMContext) -> None:
    """A voice message instead of the text."""
    assert message.voice is not None
    await state.update_data(voice=message.voice.file_id, voice_duration=message.voice.duration, text=None)
    await _ask_photos(message, state)


async def on_category_step_text(message: Message) -> None:
    """Text typed while the category buttons are shown."""
    await message.answer(_("First choose the category with the buttons above. /cancel — stop."),
                         reply_markup=category_keyboard())


async def on_category_step_other(message: Message) -> None:
    """A sticker, voice, photo, file… while the category buttons are shown."""
    await message.answer(_("First choose the category with the buttons above. /cancel — stop."),
                         reply_markup=category_keyboard())


async def on_text_step_other(message: Message) -> None:
    """A sticker, photo, file… where the text was expected: say what is needed, keep the draft."""
    await message.answer(_("Please describe the problem as a text message or record a voice message. /cancel — stop."))


async def _ask_photos(message: Message, state: FSMContext) -> None:
    await state.set_state(RaiseProblem.photos)
    await message.answer(
        _("Add up to 3 photos of the problem (you can send them together as an album), or skip this step."),
        reply_markup=single_button(_("Skip »"), DraftCallback(action="done")),
    )


async def on_photo(message: Message, state: FSMContext) -> None:
    """A photo of the draft; an album arrives as several of these. At 3 photos the next step opens."""
    assert message.photo
    user_id = message.from_user.id if message.from_user else 0
    async with _locks[user_id]:
        data = await state.get_data()
        photos = list(data.get("photos") or [])
        if len(photos) >= pb.MAX_PHOTOS:
            if not data.get("told_photo_limit"):
                await state.update_data(told_photo_limit=True)
                await message.answer(_("A problem can have at most 3 photos; the extra ones were not added."))
            return
        photos.append(message.photo[-1].file_id)
        await state.update_data(photos=photos)
    if await state.get_state() == RaiseProblem.location.state:
        # a photo after the photos step (e.g. skipped, then sent): taken, the location is still asked
        await message.answer(_("Photo added ({count} of 3). Send more, or go on.").format(count=len(photos)),
                             reply_markup=single_button(_("Skip »"), DraftCallback(action="skip")))
        return
    if len(photos) >= pb.MAX_PHOTOS:
        await _ask_location(message, state)
        return
    await message.answer(
        _("Photo added ({count} of 3). Send more, or go on.").format(count=len(photos)),
        reply_markup=single_button(_("Done »"), DraftCallback(action="done")),
    )


async def on_document(message: Message) -> None:
    """A file (often a photo sent "as a file") during the draft."""
    await message.answer(_(
        "This came as a file, not a photo. Please send it as a photo: in the attachment menu choose "
        "the gallery, not «File». Your draft is kept."))


async def on_photos_step_other(message: Message) -> None:
    await message.answer(_("Send a photo, or press the button to go on. /cancel — stop."),
                         reply_markup=single_button(_("Done »"), DraftCallback(action="done")))


async def on_photos_done(callback: CallbackQuery, state: FSMContext) -> None:
    """No more photos: ask for the location."""
    if await state.get_state() != RaiseProblem.photos.state:
        await callback.answer(_("This button is out of date. Send /problems to start again."), show_alert=True)
        return
    await callback.answer()
    await drop_keyboard(callback)
    if isinstance(callback.message, Message):
        await _ask_location(callback.message, state)


async def _ask_location(message: Message, state: FSMContext) -> None:
    await state.set_state(RaiseProblem.location)
    await message.answer(
        _("If you can, attach the location of the problem: 📎 → «Location». Or skip this step."),
        reply_markup=single_button(_("Skip »"), DraftCallback(action="skip")),
    )


async def on_location(message: Message, db: Database, resident: Resident, state: FSMContext) -> None:
    """The location of the problem (also accepted at the photos step)."""
    assert message.location is not None
    await state.update_data(lat=message.location.latitude, lon=message.location.longitude)
    await _show_preview(message, db, resident, state)


async def on_location_step_other(message: Message) -> None:
    await message.answer(_("Send the location (📎 → «Location»), or press the button to skip. /cancel — stop."),
                         reply_markup=single_button(_("Skip »"), DraftCallback(action="skip")))


async def on_location_skip(callback: CallbackQuery, db: Database, resident: Resident, state: FSMContext) -> None:
    if await state.get_state() != RaiseProblem.location.state:
        await callback.answer(_("This button is out of date. Send /problems to start again."), show_alert=True)
        return
    await callback.answer()
    await drop_keyboard(callback)
    if isinstance(callback.message, Message):
        await _show_preview(callback.message, db, resident, state)


async def _show_preview(message: Message, db: Database, resident: Resident, state: FSMContext) -> None:
    """Send the preview, THEN move to the preview step (a failed send leaves the draft where it was).
    The draft gets a random token here: publishing it twice finds the first problem
    (:class:`bot.domain.problems.AlreadyPublished`)."""
    data = await state.get_data()
    similar = await pb.similar_problems(db, resident.municipality_code, data["category"], data.get("text"))
    text, markup = render_preview(data, similar)
    await message.answer(text, reply_markup=markup)
    await state.update_data(token=data.get("token") or secrets.token_urlsafe(12))
    await state.set_state(RaiseProblem.preview)


async def on_preview_other(message: Message) -> None:
    await message.answer(_("Press «Publish» under the preview, or /cancel to drop the draft."))


async def on_publish(callback: CallbackQuery, db: Database, resident: Resident, state: FSMContext, settings: Settings) -> None:
    """Publish the draft (a second tap after publishing finds no draft and is told so)."""
    data = await state.get_data()
    if await state.get_state() != RaiseProblem.preview.state or "category" not in data:
        await callback.answer(_("This draft was already published or cancelled."), show_alert=True)
        return
    try:
        problem = await pb.raise_problem(
            db, author_id=resident.telegram_id, category=data["category"], text=data.get("text"),
            voice_file_id=data.get("voice"), voice_duration=data.get("voice_duration"),
            photos=data.get("photos") or [], latitude=data.get("lat"), longitude=data.get("lon"),
            text_min=settings.problem_text_min, text_max=settings.problem_text_max,
            draft_token=data.get("token") or None,
        )
    except pb.AlreadyPublished:
        # a second tap racing the first one (both read the draft before either cleared it)
        await callback.answer(_("This draft was already published or cancelled."), show_alert=True)
        return
    except (InvalidInput, PermissionDenied):
        log.info("draft of %s could not be published", resident.telegram_id, exc_info=True)
        await callback.answer(_("This draft cannot be published. Send /problems to start again."), show_alert=True)
        await state.clear()
        return
    await state.clear()
    await callback.answer(_("Published"))
    await drop_keyboard(callback)
    if isinstance(callback.message, Message):
        await callback.message.answer(
            _("✅ Your problem #{id} is published. Residents of your municipality can support it now; "
              "you will be told when its status changes.").format(id=problem.id),
            reply_markup=single_button(_("Open the problem"), ProblemCallback(action="open", id=problem.id)),
        )


async def on_instead(callback: CallbackQuery, callback_data: DraftCallback, db: Database, resident: Resident,
                     state: FSMContext) -> None:
    """Support a similar problem instead of publishing the draft."""
    problem_id = parse_id(callback_data.arg)
    if await state.get_state() != RaiseProblem.preview.state or problem_id is None:
        await callback.answer(_("This draft was already published or cancelled."), show_alert=True)
        return
    try:
        await pb.support(db, problem_id=problem_id, resident_id=resident.telegram_id)
    except (NotFound, PermissionDenied, pb.ProblemGone):
        await callback.answer(_("This problem can no longer be supported. You can publish yours."), show_alert=True)
        return
    await state.clear()
    await callback.answer(_("Your support is counted"))
    await drop_keyboard(callback)
    await _send_card(callback, db, resident, problem_id, src="s", page=0, edit=False)


async def on_cancel_draft(callback: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await callback.answer()
    await edit_or_send(callback, _("The draft is dropped. Send /problems to open the problems again."))


# -- browsing ---------------------------------------------------------------------------------------


async def on_problem_button(
    callback: CallbackQuery, callback_data: ProblemCallback, db: Database, resident: Resident, locale: str,
    state: FSMContext, settings: Settings, bot: Bot,
) -> None:
    """Every ``pb:`` button: home, lists, cards, support, media, "still a problem?"."""
    if not resident.onboarded:
        await callback.answer()
        if isinstance(callback.message, Message):
            await continue_onboarding(callback.message, db, resident, locale, state)
        return
    action, src, page = callback_data.action, callback_data.src, callback_data.page
    if src not in ("r", "m", "s"):
        src = "r"
    if action == "home":
        await callback.answer()
        await edit_or_send(callback, await _home(db, resident, locale), home_keyboard())
    elif action == "new":
        await callback.answer()
        if isinstance(callback.message, Message):
            await _start_draft(callback.message, state)
    elif action == "list":
        await callback.answer()
        await _send_list(callback, db, resident, src, page)
    elif action == "open":
        await _open(callback, db, resident, callback_data.id, src, page)
    elif action in ("sup", "wd"):
        await _support(callback, db, resident, callback_data.id, src, page, withdraw=action == "wd")
    elif action in ("photos", "voice", "map", "full"):
        await _media(callback, db, resident, callback_data.id, action, bot)
    elif action == "still":
        await _still(callback, db, resident, callback_data.id, bool(page), settings)
    else:
        await callback.answer(_("This button is out of date. Send /problems to start again."), show_alert=True)


async def _send_list(callback: CallbackQuery, db: Database, resident: Resident, src: str, page: int) -> None:
    if src == "m":
        problems, total = await pb.my_problems(db, resident.telegram_id, page=page, size=PAGE_SIZE)
    elif src == "s":
        problems, total = await pb.supported_problems(db, resident.telegram_id, page=page, size=PAGE_SIZE)
    else:
        problems, total = await pb.ranked_page(db, resident.municipality_code, page=page, size=PAGE_SIZE)
    text, markup = render_list(problems, total, page, src)
    await edit_or_send(callback, text, markup)


async def _gone_alert(callback: CallbackQuery, problem: pb.Problem | None) -> bool:
    """Answer a button of a problem that is missing or hidden. Returns ``True`` when answered."""
    if problem is None:
        await callback.answer(_("This problem does not exist."), show_alert=True)
        return True
    if problem.hidden:
        await callback.answer(_("This problem was hidden by the municipality's officer and is no longer available."),
                              show_alert=True)
        return True
    return False


async def _may_read(db: Database, resident: Resident, problem: pb.Problem) -> bool:
    """Problems are read in their own municipality: by its residents and officers, and by the
    people involved (author, supporters — e.g. after moving, from a notification's button).
    A crafted ``pb:open:<id>`` of another municipality's problem shows nothing."""
    if problem.municipality_code == resident.municipality_code or problem.author_id == resident.telegram_id:
        return True
    officer = await get_officer(db, resident.telegram_id)
    if officer is not None and officer.municipality_code == problem.municipality_code:
        return True
    return await pb.is_supporting(db, problem.id, resident.telegram_id)


async def _not_yours_alert(callback: CallbackQuery, problem_id: int, resident: Resident) -> None:
    log.warning("problem %s of another municipality refused to %s", problem_id, resident.telegram_id)
    await callback.answer(_("This problem belongs to another municipality; you can open only the problems of "
                            "your own."), show_alert=True)


async def _send_card(callback: CallbackQuery, db: Database, resident: Resident, problem_id: int, *, src: str,
                     page: int, edit: bool = True) -> None:
    problem = await pb.get_problem(db, problem_id)
    if problem is None or problem.hidden:
        return
    supporting = await pb.is_supporting(db, problem.id, resident.telegram_id)
    officer = await get_officer(db, resident.telegram_id)
    text, markup = render_card(
        problem, await pb.history(db, problem.id), supporting=supporting,
        can_support=problem.is_open and problem.municipality_code == resident.municipality_code,
        is_officer=officer is not None and officer.municipality_code == problem.municipality_code,
        src=src, page=page,
    )
    if edit:
        await edit_or_send(callback, text, markup)
    elif isinstance(callback.message, Message):
        await callback.message.answer(text, reply_markup=markup)


async def _open(callback: CallbackQuery, db: Database, resident: Resident, problem_id: int, src: str, page: int) -> None:
    problem = await pb.get_problem(db, problem_id)
    if await _gone_alert(callback, problem):
        return
    assert problem is not None
    if not await _may_read(db, resident, problem):
        await _not_yours_alert(callback, problem_id, resident)
        return
    await callback.answer()
    await _send_card(callback, db, resident, problem_id, src=src, page=page)


async def _support(callback: CallbackQuery, db: Database, resident: Resident, problem_id: int, src: str, page: int,
                   *, withdraw: bool) -> None:
    try:
        if withdraw:
            result = await pb.withdraw(db, problem_id=problem_id, resident_id=resident.telegram_id)
        else:
            result = await pb.support(db, problem_id=problem_id, resident_id=resident.telegram_id)
    except NotFound:
        await callback.answer(_("This problem does not exist."), show_alert=True)
        return
    except PermissionDenied:
        await callback.answer(_("You can support only problems of your own municipality."), show_alert=True)
        return
    except pb.ProblemGone as exc:
        if exc.reason == "hidden":
            await _gone_alert(callback, exc.problem)
        elif exc.reason == "duplicate":
            await callback.answer(_("This problem was merged into problem #{id}; your support counts there.").format(
                id=exc.problem.duplicate_of), show_alert=True)
            await _send_card(callback, db, resident, exc.problem.duplicate_of or 0, src=src, page=page)
        else:
            await callback.answer(_("This problem is closed ({status}) and cannot be supported any more.").format(
                status=_(pb.STATUSES[exc.problem.status])), show_alert=True)
            await _send_card(callback, db, resident, problem_id, src=src, page=page)
        return
    if withdraw:
        await callback.answer(_("Your support is withdrawn") if result.changed else _("You did not support it"))
    else:
        await callback.answer(_("Your support is counted") if result.changed else _("You already support it"))
    await _send_card(callback, db, resident, problem_id, src=src, page=page)


async def _media(callback: CallbackQuery, db: Database, resident: Resident, problem_id: int, kind: str, bot: Bot) -> None:
    """Photos, voice or map of a problem, sent on demand (saves traffic on weak connections)."""
    problem = await pb.get_problem(db, problem_id)
    officer = await get_officer(db, resident.telegram_id)
    own_officer = problem is not None and officer is not None and officer.municipality_code == problem.municipality_code
    if not own_officer and await _gone_alert(callback, problem):
        return
    assert problem is not None
    if not own_officer and not await _may_read(db, resident, problem):
        await _not_yours_alert(callback, problem_id, resident)
        return
    await callback.answer()
    chat_id = resident.telegram_id
    if kind == "full" and problem.text:
        # the whole text alone: text_max characters (≤ 2,040) always fit Telegram's 4,096 UTF-16 units
        await bot.send_message(chat_id, f"<b>#{problem.id}</b>\n" + esc(fit_utf16(problem.text, 4096 - 24)))
        return
    if kind == "photos" and problem.photos:
        if len(problem.photos) == 1:
            await bot.send_photo(chat_id, problem.photos[0], caption=f"#{problem.id}")
        else:
            await bot.send_media_group(chat_id, [
                InputMediaPhoto(media=fid, caption=f"#{problem.id}" if i == 0 else None)
                for i, fid in enumerate(problem.photos)])
    elif kind == "voice" and problem.voice_file_id:
        await bot.send_voice(chat_id, problem.voice_file_id, caption=f"#{problem.id}")
    elif kind == "map" and problem.latitude is not None and problem.longitude is not None:
        await bot.send_location(chat_id, problem.latitude, problem.longitude)


async def _still(callback: CallbackQuery, db: Database, resident: Resident, problem_id: int, still: bool,
                 settings: Settings) -> None:
    try:
        result = await pb.answer_still(db, problem_id=problem_id, resident_id=resident.telegram_id, still=still,
                                       default_threshold=settings.problem_reopen_threshold)
    except NotFound:
        await callback.answer(_("This problem does not exist."), show_alert=True)
        return
    except PermissionDenied:
        await callback.answer(_("Only residents who support this problem can answer."), show_alert=True)
        return
    except pb.ProblemGone as exc:
        if exc.reason == "closed":
            await callback.answer(_("Thank you! This problem is no longer marked solved: its status is «{status}».").format(
                status=_(pb.STATUSES[exc.problem.status])), show_alert=True)
        elif exc.reason == "duplicate":
            await callback.answer(_("This problem was merged into problem #{id}; your support counts there.").format(
                id=exc.problem.duplicate_of), show_alert=True)
        else:
            await _gone_alert(callback, exc.problem)
        return
    if result.reopened:
        text = _("Thank you! Enough residents say it is still a problem, so it is back under review.")
    elif still:
        text = _("Thank you! The officers will see that it is still a problem for you.")
    else:
        text = _("Thank you for confirming that it is solved!")
    await callback.answer(text, show_alert=True)


# -- router -----------------------------------------------------------------------------------------


def build_router() -> Router:
    """A new router with this module's handlers (register before the fallback router)."""
    router = Router(name="problems")
    router.message.register(cmd_problems, Command("problems"))
    router.message.register(cmd_new_problem, Command("newproblem"))
    # the draft, step by step; texts starting with "/" fall through to the commands
    router.message.register(on_text, StateFilter(RaiseProblem.text), F.text, ~F.text.startswith("/"))
    router.message.register(on_voice, StateFilter(RaiseProblem.text), F.voice)
    router.message.register(on_text_photo, StateFilter(RaiseProblem.text), F.photo)
    router.message.register(on_text_step_other, StateFilter(RaiseProblem.text), ~F.text)
    router.message.register(on_category_step_other, StateFilter(RaiseProblem.category), ~F.text)
    router.message.register(on_category_step_text, StateFilter(RaiseProblem.category), ~F.text.startswith("/"))
    router.message.register(on_photo, StateFilter(RaiseProblem.photos, RaiseProblem.location), F.photo)
    router.message.register(on_location, StateFilter(RaiseProblem.photos, RaiseProblem.location), F.location)
    router.message.register(on_document, StateFilter(RaiseProblem.photos, RaiseProblem.location,
                                                     RaiseProblem.preview), F.document)
    router.message.register(on_photos_step_other, StateFilter(RaiseProblem.photos), ~F.text.startswith("/"))
    router.message.register(on_location_step_other, StateFilter(RaiseProblem.location), ~F.text.startswith("/"))
    router.message.register(on_preview_other, StateFilter(RaiseProblem.preview), ~F.text.startswith("/"))
    router.callback_query.register(on_category, DraftCallback.filter(F.action == "cat"))
    router.callback_query.register(on_photos_done, DraftCallback.filter(F.action == "done"))
    router.callback_query.register(on_location_skip, DraftCallback.filter(F.action == "skip"))
    router.callback_query.register(on_publish, DraftCallback.filter(F.action == "publish"))
    router.callback_query.register(on_instead, DraftCallback.filter(F.action == "instead"))
    router.callback_query.register(on_cancel_draft, DraftCallback.filter(F.action == "cancel"))
    router.callback_query.register(on_problem_button, ProblemCallback.filter())
    return router
