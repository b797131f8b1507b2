"""A monitoring group member's report on an item, on the kit (``bot.flows``): progress (on schedule /
delayed / stopped) → a note (or Skip) → procurement observations (or Skip) → up to three photos (or
Skip / Done) → signed with the member's name or not → posted.

Photos: each photo is downloaded through the Bot API, re-encoded without metadata
(:func:`bot.domain.plans.photos.strip_metadata`) and uploaded again to the member — "this copy is what
others will see" — and only the copy's ``file_id`` is kept: the original (with its EXIF GPS position)
is never stored or forwarded.
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.db import Database
from bot.domain import plans
from bot.domain.plans.photos import strip_metadata
from bot.domain.residents import Resident
from bot.flows import Ctx, Prompt, Wizard
from bot.i18n import N_, _
from bot.ui.messages import esc
from bot.ui.plans import PlanCb, keyboard, progress_label

wizard = Wizard("plrep", cancelled=N_("Cancelled. Nothing was posted."))
progress = wizard.choice("progress")
note = wizard.text("note", max_len=plans.NOTE_MAX)
procurement = wizard.text("procurement", max_len=plans.NOTE_MAX)
photos = wizard.media("photos", accepts=("photo",), wrong=N_("Please send a photo, or tap “⏭ Skip”."))
sign = wizard.choice("sign")


async def on_report(callback: CallbackQuery, callback_data: PlanCb, db: Database, resident: Resident,
                    state: FSMContext, **deps: object) -> None:
    """"📝 Post a monitoring report": the progress.

    Raises:
        NotAMember, ItemNotFound, OtherMunicipalityMember: only members, only in their own municipality.
    """
    item = await plans.check_can_report(db, resident_id=resident.telegram_id, item_id=callback_data.i)
    await wizard.start(callback, state, {**deps, "db": db, "resident": resident},
                       {"item": item.id, "title": item.title, "photos": []})


@progress.prompt
async def _ask_progress(ctx: Ctx) -> Prompt:
    return Prompt(_("<b>Monitoring report</b>: {title}\nHow is the work going?").format(title=esc(ctx.data["title"])),
                  rows=[[progress.button(progress_label(key), key)] for key in plans.PROGRESS])


@progress.handle
async def _got_progress(ctx: Ctx, value: str | None) -> None:
    if value in plans.PROGRESS:
        ctx.data["progress"] = value
        await ctx.goto(note)


@note.prompt
async def _ask_note(ctx: Ctx) -> Prompt:
    return Prompt(_("What did you see? Write a note, up to {limit} characters, or tap “⏭ Skip”.").format(
        limit=plans.NOTE_MAX), skip=True)


@note.handle
async def _got_note(ctx: Ctx, text: str | None) -> None:
    ctx.data["note"] = text or ""
    await ctx.goto(procurement)


@procurement.prompt
async def _ask_procurement(ctx: Ctx) -> Prompt:
    return Prompt(_("Procurement observations (the tender, prices, the contractor, what was delivered), up to {limit} "
                    "characters, or tap “⏭ Skip”.").format(limit=plans.NOTE_MAX), skip=True)


@procurement.handle
async def _got_procurement(ctx: Ctx, text: str | None) -> None:
    ctx.data["procurement"] = text or ""
    await ctx.goto(photos)


@photos.prompt
async def _ask_photos(ctx: Ctx) -> Prompt:
    count = len(ctx.data.get("photos") or [])
    rows = [[photos.button(_("✅ Done"), "done")]] if count else []
    return Prompt(_("Send up to {most} photos, one at a time ({count} so far). Their location and camera data are "
                    "removed before anyone sees them.").format(most=plans.PHOTOS_MAX, count=count),
                  rows=rows, skip=not count)


@photos.tapped
async def _photos_done(ctx: Ctx, value: str) -> None:
    if value == "done":
        await ctx.goto(sign)


@photos.handle
async def _got_photo(ctx: Ctx, message: Message | None) -> None:
    if message is None or not message.photo:
        await ctx.goto(sign)
        return
    bot: Bot = ctx.bot
    original = await bot.download(message.photo[-1].file_id)
    clean = strip_metadata(original.read() if original is not None else b"")
    sent = await bot.send_photo(ctx.chat_id, BufferedInputFile(clean, filename="report.jpg"),
                                caption=_("This copy, without location and camera data, is what others will see."))
    ctx.data.setdefault("photos", []).append(sent.photo[-1].file_id if sent.photo else "")
    ctx.data["photos"] = [p for p in ctx.data["photos"] if p]
    await ctx.goto(sign if len(ctx.data["photos"]) >= plans.PHOTOS_MAX else photos)


@sign.prompt
async def _ask_sign(ctx: Ctx) -> Prompt:
    return Prompt(_("Sign the report with your name? Officers always see who wrote it; residents see your name only "
                    "if you sign."),
                  rows=[[sign.button(_("✍ Sign with my name"), "yes")], [sign.button(_("Post without my name"), "no")]])


@sign.handle
async def _got_sign(ctx: Ctx, value: str | None) -> None:
    if value not in ("yes", "no"):
        return
    resident: Resident = ctx.resident
    data = ctx.data
    report = await plans.post_report(ctx.db, resident_id=resident.telegram_id, item_id=int(data["item"]),
                                     progress=data["progress"], note=data.get("note") or "",
                                     procurement=data.get("procurement") or "", photos=data.get("photos") or [],
                                     signed=value == "yes", author_name=resident.display_name)
    await ctx.finish(_("✅ Your monitoring report #{id} is posted. The officers and the residents who follow the item "
                       "will receive it.").format(id=report.id),
                     keyboard([[(_("Open the item"), PlanCb(a="card", i=int(data["item"])))]]))
