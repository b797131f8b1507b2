"""Raising a problem, a wizard on the kit (``bot.flows``): category → text or voice → photos →
location → preview with similar problems (support one instead) → publish.

The draft lives in the FSM data (SQLite, JSON-able values only), so it survives a restart. The
preview's draft token makes "Publish" act once even across a restart
(:class:`bot.domain.problems.AlreadyPublished`).
"""

from __future__ import annotations

import secrets
from typing import Any

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.config import Settings
from bot.db import Database
from bot.domain import problems as pb
from bot.domain.errors import InvalidInput, TextTooLong
from bot.domain.problems.rules import LINE_SEPARATORS
from bot.domain.residents import Resident
from bot.flows import ChoiceStep, Ctx, Prompt, TextStep, Wizard
from bot.handlers.problems.gate import resident_router
from bot.i18n import N_, _
from bot.ui.errors import explain
from bot.ui.messages import esc
from bot.ui.problems import (
    category_label,
    instead_label,
    open_keyboard,
    preview_text,
    text_prompt,
)

class ProblemTextStep(TextStep):
    """The problem's text with the configured bounds (``PROBLEM_TEXT_MIN``/``MAX``), or a voice
    message instead, or a photo whose caption is the text (the photo becomes the first photo)."""

    async def on_message(self, ctx: Ctx, message: Message) -> None:
        if message.voice is not None:
            ctx.data.update(voice=message.voice.file_id, voice_duration=message.voice.duration, text=None)
            await ctx.goto(photos)
            return
        if message.photo:
            album = ctx.album  # the caption may be on any photo of an album
            caption = next((part.caption for part in album if part.caption), None)
            if not caption:
                await ctx.say(_("Please describe the problem as a text first; you can add this photo at the "
                                   "next step. /cancel — stop."))
                return
            taken = [part.photo[-1].file_id for part in album if part.photo][:pb.MAX_PHOTOS]
            ctx.data.update(text=_checked(ctx, caption), voice=None, voice_duration=None,
                            photos=taken, caption_photo=True)
            await ctx.goto(location if len(taken) >= pb.MAX_PHOTOS else photos)
            return
        if message.text is None:
            await ctx.say(_("Please describe the problem as a text message or record a voice message. "
                               "/cancel — stop."))
            return
        if LINE_SEPARATORS.search(message.text):  # kept as line breaks, not dropped as invisible
            message = message.model_copy(update={"text": LINE_SEPARATORS.sub("\n", message.text)})
        await super().on_message(ctx, message)


def _checked(ctx: Ctx, text: str | None) -> str:
    settings: Settings = ctx.settings
    return pb.check_text(text, text_min=settings.problem_text_min, text_max=settings.problem_text_max)


class CategoryStep(ChoiceStep):
    """The category buttons. A villager often writes the problem before choosing it: a text within the
    problem's bounds, a voice message, or photos sent here are kept for the next steps (said so, with the
    buttons again), not thrown away with "use the buttons"."""

    async def on_message(self, ctx: Ctx, message: Message) -> None:
        settings: Settings = ctx.settings
        outcome, offer = _offer_of(message, ctx.album, settings)
        if outcome == OFFER_TOO_LONG:  # the buttons come with the answer: the text is asked again later
            await ctx.say(explain(TextTooLong(limit=settings.problem_text_max, actual=offer["length"])))
            return
        if outcome != OFFER_KEPT:
            await super().on_message(ctx, message)
            return
        ctx.data.update({k: v for k, v in offer.items() if v})
        if offer.get("voice"):
            ctx.data["text"] = None
        await ctx.save()
        await ctx.say(_("Kept. Now choose the category of the problem with the buttons:"))


wizard = Wizard("problem", cancelled=N_("The draft is dropped. Send /problems to open the problems again."))
category = wizard.add(CategoryStep(wizard, "category"))
text = wizard.add(ProblemTextStep(wizard, "text", max_len=lambda ctx: int(ctx.settings.problem_text_max),
                                   min_len=lambda ctx: int(ctx.settings.problem_text_min)))
photos = wizard.media("photos", accepts=("photo", "location", "document"),
                      wrong=N_("Send a photo, or press the button to go on. /cancel — stop."))
location = wizard.media("location", accepts=("location", "photo", "document"),
                        wrong=N_("Send the location (📎 → «Location»), or press the button to skip. /cancel — stop."))
preview = wizard.choice("preview")


# -- category -----------------------------------------------------------------------------------------


@category.prompt
async def _ask_category(ctx: Ctx) -> Prompt:
    keys = list(pb.CATEGORIES)
    rows = [[category.button(category_label(key), key) for key in keys[i:i + 2]] for i in range(0, len(keys), 2)]
    if ctx.data.get("text"):  # sent before the form was opened (start_with_offer)
        question = _("<b>New problem</b>\n«{excerpt}»\n\nChoose the category of the problem:").format(
            excerpt=esc(pb.excerpt(ctx.data["text"])))
    elif ctx.data.get("voice"):
        question = _("<b>New problem</b>\n🎤 Your voice message is kept.\n\nChoose the category of the problem:")
    else:
        question = _("<b>New problem</b>\nChoose the category of the problem:")
    return Prompt(question, rows=rows)


@category.handle
async def _got_category(ctx: Ctx, value: str) -> None:
    if value not in pb.CATEGORIES:
        raise InvalidInput("unknown category")
    ctx.data["category"] = value
    if ctx.message is not None:  # the question is replaced by the answer: the chat keeps a record of the choice
        try:
            await ctx.message.edit_text(_("<b>New problem</b>\nCategory: {category}").format(
                category=category_label(value)), reply_markup=None)
        except TelegramBadRequest:
            pass  # an old message that can no longer be edited: the next prompt says enough
    if ctx.data.get("text") or ctx.data.get("voice"):  # written before the category (start_with_offer, CategoryStep)
        await ctx.goto(location if len(ctx.data.get("photos") or []) >= pb.MAX_PHOTOS else photos)
        return
    await ctx.goto(text)


# -- text or voice --------------------------------------------------------------------------------------


@text.prompt
async def _ask_text(ctx: Ctx) -> Prompt:
    settings: Settings = ctx.settings
    return Prompt(text_prompt(settings.problem_text_min, settings.problem_text_max))


@text.handle
async def _got_text(ctx: Ctx, value: str | None) -> None:
    ctx.data.update(text=_checked(ctx, value), voice=None, voice_duration=None)
    await ctx.goto(photos)


# -- photos ---------------------------------------------------------------------------------------------


@photos.prompt
async def _ask_photos(ctx: Ctx) -> Prompt:
    count = len(ctx.data.get("photos") or [])
    if not count:
        return Prompt(_("Add up to 3 photos of the problem (you can send them together as an album), or skip "
                        "this step."), skip=True)
    if ctx.data.pop("caption_photo", False):
        question = _("The caption is the text of your problem, and the photo is added. Add up to 2 more photos, "
                     "or go on.")
    else:
        question = _("Photo added ({count} of 3). Send more, or go on.").format(count=count)
    return Prompt(question, rows=[[photos.button(_("Done »"), "done")]])


async def _file_not_photo(ctx: Ctx) -> None:
    await ctx.say(_("This came as a file, not a photo. Please send it as a photo: in the attachment menu "
                       "choose the gallery, not «File». Your draft is kept."))


async def _add_photos(ctx: Ctx) -> bool:
    """Add the photos of the person's message — all parts of an album at once — to the draft; ``False``
    (told once) when none fitted because the draft already has the most. A caption on any of them
    is added to the problem's text as a paragraph of its own (when the text stays within the limit)."""
    parts = [part for part in ctx.album if part.photo]
    taken: list[str] = list(ctx.data.get("photos") or [])
    room = max(0, pb.MAX_PHOTOS - len(taken))
    ctx.data["photos"] = taken + [part.photo[-1].file_id for part in parts[:room]]  # type: ignore[index]
    for caption in (part.caption for part in parts if part.caption):
        text = ctx.data.get("text")
        joined = f"{text}\n\n{caption}" if text else caption
        if len(joined) <= int(ctx.settings.problem_text_max):
            ctx.data["text"] = joined
    if len(parts) > room and not ctx.data.get("told_photo_limit"):
        ctx.data["told_photo_limit"] = True
        await ctx.save()
        await ctx.say(_("A problem can have at most 3 photos; the extra ones were not added."))
    return room > 0


@photos.handle
async def _got_photo(ctx: Ctx, message: Message | str | None) -> None:
    if not isinstance(message, Message):  # "Skip" or "Done"
        await ctx.goto(location)
        return
    if message.document is not None:
        await _file_not_photo(ctx)
    elif message.location is not None:  # the location is also taken here
        ctx.data.update(lat=message.location.latitude, lon=message.location.longitude)
        await _to_preview(ctx)
    elif await _add_photos(ctx):
        await ctx.goto(location if len(ctx.data["photos"]) >= pb.MAX_PHOTOS else photos)


# -- location -------------------------------------------------------------------------------------------


@location.prompt
async def _ask_location(ctx: Ctx) -> Prompt:
    return Prompt(_("If you can, attach the location of the problem: 📎 → «Location». Or skip this step."),
                  skip=True)


@location.handle
async def _got_location(ctx: Ctx, message: Message | None) -> None:
    if message is None:  # "Skip"
        await _to_preview(ctx)
    elif message.document is not None:
        await _file_not_photo(ctx)
    elif message.photo:  # a photo after the photos step (e.g. skipped, then sent): taken, the location still asked
        if await _add_photos(ctx):
            await ctx.save()
            said = _("Photo added ({count} of 3). Send more, or go on.").format(count=len(ctx.data["photos"]))
            await ctx.answer(said, reply_markup=location.keyboard(Prompt(said, skip=True), ctx.data))
    elif message.location is not None:
        ctx.data.update(lat=message.location.latitude, lon=message.location.longitude)
        await _to_preview(ctx)


# -- preview and publish ----------------------------------------------------------------------------------


async def _to_preview(ctx: Ctx) -> None:
    ctx.data.setdefault("token", secrets.token_urlsafe(12))  # stored with the state, before the preview is sent
    await ctx.goto(preview)


@preview.prompt
async def _preview(ctx: Ctx) -> Prompt:
    db: Database = ctx.db
    resident: Resident = ctx.resident
    similar = await pb.similar_problems(db, resident.municipality_code or "", ctx.data["category"],
                                        ctx.data.get("text"))
    rows = [[preview.button(instead_label(p.id), f"i{p.id}")] for p in similar]
    rows.append([preview.button(_("✅ Publish"), "publish")])
    return Prompt(preview_text(ctx.data, similar), rows=rows)


@preview.handle
async def _publish_or_support(ctx: Ctx, value: str) -> None:
    if value.startswith("i"):
        await _support_instead(ctx, value[1:])
        return
    if value != "publish":
        return
    db: Database = ctx.db
    resident: Resident = ctx.resident
    settings: Settings = ctx.settings
    data = ctx.data
    try:
        problem = await pb.raise_problem(
            db, author_id=resident.telegram_id, category=data["category"], text=data.get("text"),
            voice_file_id=data.get("voice"), voice_duration=data.get("voice_duration"),
            photos=data.get("photos") or [], latitude=data.get("lat"), longitude=data.get("lon"),
            text_min=settings.problem_text_min, text_max=settings.problem_text_max,
            draft_token=data.get("token") or None,
        )
    except pb.AlreadyPublished:  # the same draft published before (a tap that outlived a restart)
        await ctx.state.clear()
        raise
    ctx.toast(_("Published"))
    await ctx.finish(
        _("✅ Your problem #{id} is published. Residents of your municipality can support it now; "
          "you will be told when its status changes.").format(id=problem.id),
        open_keyboard(problem.id))


async def _support_instead(ctx: Ctx, raw: str) -> None:
    """Support a similar problem instead of publishing the draft."""
    from bot.handlers.problems.resident import send_card
    from bot.ui.callbacks import parse_id

    db: Database = ctx.db
    resident: Resident = ctx.resident
    problem_id = parse_id(raw)
    try:
        if problem_id is None:
            raise pb.ProblemNotFound(None)
        result = await pb.support(db, problem_id=problem_id, resident_id=resident.telegram_id)
    except (pb.ProblemNotFound, pb.ProblemGone, pb.NotYourMunicipality):
        ctx.toast(_("This problem can no longer be supported. You can publish yours."), alert=True)
        return
    await ctx.finish()
    ctx.toast(_("Your support is counted") if result.changed else _("You already support it"))
    if isinstance(ctx.event, CallbackQuery):
        await send_card(ctx.event, db, resident, problem_id, src="s", page=0, edit=False)


async def start(event: Message | CallbackQuery, state: FSMContext, deps: dict[str, Any]) -> None:
    """Begin a new draft (an earlier problem draft is dropped; another form's is kept, bot.flows)."""
    await wizard.start(event, state, deps, {})


OFFER_KEY = "_offer"
"""FSM data key of a text, voice message or photos a resident sent outside any form
(bot.handlers.fallback), kept so that "Raise it as a problem" can start the draft with them."""


OFFER_KEPT, OFFER_TOO_LONG, OFFER_NONE = "kept", "too long", "none"
"""What :func:`keep_offer` did with a message."""


def _offer_of(message: Message, album: list[Message] | None, settings: Settings) -> tuple[str, dict[str, Any]]:
    from bot.domain.text import clean_user_text

    if message.voice is not None:
        return OFFER_KEPT, {"voice": message.voice.file_id, "voice_duration": message.voice.duration}
    parts = album or [message]
    photos = [part.photo[-1].file_id for part in parts if part.photo][:pb.MAX_PHOTOS]
    raw = message.text if message.text is not None else next((p.caption for p in parts if p.caption), None)
    if raw is not None and raw.startswith("/"):
        return OFFER_NONE, {}
    cleaned = clean_user_text(LINE_SEPARATORS.sub("\n", raw)) if raw else ""
    if len(cleaned) > settings.problem_text_max:
        return OFFER_TOO_LONG, {"length": len(cleaned)}
    if len(cleaned) >= settings.problem_text_min:
        return OFFER_KEPT, {"text": cleaned, "photos": photos}
    if photos:  # a photo alone (or with a word or two): the text is asked in the form
        return OFFER_KEPT, {"photos": photos}
    return OFFER_NONE, {}


async def keep_offer(state: FSMContext, message: Message, settings: Settings,
                     album: list[Message] | None = None) -> tuple[str, dict[str, Any]]:
    """Keep ``message`` as a possible problem when it could be one: a voice message, a text within the
    problem's bounds (``PROBLEM_TEXT_MIN``..``PROBLEM_TEXT_MAX`` characters after cleaning), photos (an
    ``album``: up to :data:`~bot.domain.problems.MAX_PHOTOS`) with or without such a caption. Returns
    ``(OFFER_KEPT, what)``, ``(OFFER_TOO_LONG, {"length": n})`` for a text over the bound (nothing
    kept), or ``(OFFER_NONE, {})``; other FSM data (a form left by navigation) stays."""
    outcome, offer = _offer_of(message, album, settings)
    if outcome == OFFER_KEPT:
        data = await state.get_data()
        data[OFFER_KEY] = offer
        await state.set_data(data)
    return outcome, offer


async def start_with_offer(callback: CallbackQuery, state: FSMContext, deps: dict[str, Any]) -> bool:
    """Begin a new draft with the kept text, voice message or photos (a text or voice skips the text
    step); ``False`` when nothing is kept any more (another form was opened since, or the draft was
    started already: a double tap)."""
    offer = (await state.get_data()).get(OFFER_KEY)
    if not isinstance(offer, dict):
        return False
    prefill = {k: offer[k] for k in ("text", "voice", "voice_duration", "photos") if offer.get(k)}
    await wizard.start(callback, state, deps, prefill)
    return True


def build_router() -> Router:
    """A new router with the draft's steps (residents who finished onboarding)."""
    router = resident_router("problems_draft")
    wizard.register(router)
    return router
