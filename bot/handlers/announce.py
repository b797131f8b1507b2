"""/announce: an officer sends an announcement to every resident of their municipality.

A wizard on the kit (``bot.flows``): the Kyrgyz text → the Russian text (or "Skip": Russian readers
get the Kyrgyz one) → a preview exactly as residents will see it (the same notice renderer), with the
number of recipients → "Send" queues it in the outbox and the confirmation becomes the progress
message the delivery worker keeps up to date. The draft id goes to the domain, which queues one
draft once, so even a tap that outlives a restart sends one announcement.
"""

from __future__ import annotations

import logging
import secrets

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.db import Database
from bot.domain import NotFound
from bot.domain import announcements as ann
from bot.domain.officers import Officer
from bot.domain.residents import count_residents
from bot.flows import Ctx, Prompt, Wizard
from bot.handlers.roles import officer_router
from bot.i18n import N_, _, format_number, ngettext
from bot.notices import render
from bot.ui.keyboards import with_menu

log = logging.getLogger(__name__)

wizard = Wizard("ann", cancelled=N_("Cancelled. Nothing was sent."))
text_ky = wizard.text("ky", max_len=ann.TEXT_MAX_LENGTH)
text_ru = wizard.text("ru", max_len=ann.TEXT_MAX_LENGTH)
confirm = wizard.choice("confirm")


@text_ky.prompt
async def _ask_ky(ctx: Ctx) -> Prompt:
    return Prompt(_("📣 <b>New announcement</b>\n\nSend the text in Kyrgyz (up to {limit} characters). "
                    "/cancel — stop.").format(limit=format_number(ann.TEXT_MAX_LENGTH)))


@text_ky.handle
async def _got_ky(ctx: Ctx, text: str | None) -> None:
    ctx.data["ky"] = ann.clean_text(text)
    await ctx.goto(text_ru)


@text_ru.prompt
async def _ask_ru(ctx: Ctx) -> Prompt:
    return Prompt(_("Now send the same announcement in Russian, or tap “⏭ Skip”: residents who read Russian "
                    "will then get the Kyrgyz text."), skip=True)


@text_ru.handle
async def _got_ru(ctx: Ctx, text: str | None) -> None:
    ctx.data["ru"] = ann.clean_text(text) if text is not None else None
    await ctx.goto(confirm)


@confirm.prompt
async def _preview(ctx: Ctx) -> Prompt:
    db: Database = ctx.db
    code = ctx.data["municipality_code"]
    texts = {"ky": ctx.data["ky"], **({"ru": ctx.data["ru"]} if ctx.data.get("ru") else {})}
    notice = ann.notice(texts, await ann.municipality_names(db, code))
    for locale in texts:
        await ctx.answer(render(notice, locale).text)
    total = await count_residents(db, code)
    if ctx.data.get("ru"):
        how = _("Above is the announcement as residents will see it, in Kyrgyz and in Russian.")
    else:
        how = _("Above is the announcement as residents will see it; everyone gets the Kyrgyz text.")
    count = ngettext(
        "It will be sent to {count} resident of your municipality.",
        "It will be sent to {count} residents of your municipality.",
        total,
    ).format(count=format_number(total))
    return Prompt(f"{how}\n{count}", rows=[[confirm.button(_("✅ Send"), "send")]])


@confirm.handle
async def _send(ctx: Ctx, value: str) -> None:
    if value != "send":
        return
    db: Database = ctx.db
    officer: Officer = ctx.officer
    result = await ann.announce(
        db, officer_id=officer.telegram_id, municipality_code=ctx.data["municipality_code"],
        text_ky=ctx.data["ky"], text_ru=ctx.data.get("ru"), draft_id=ctx.data["draft"],
    )
    await ctx.state.clear()
    if not result.created:  # the same draft queued before (a tap that outlived a restart)
        ctx.toast(_("This announcement has already been sent."), alert=True)
        return
    text = ngettext(
        "📣 The announcement is queued for {count} resident. Progress will be shown here.",
        "📣 The announcement is queued for {count} residents. Progress will be shown here.",
        result.total,
    ).format(count=format_number(result.total))
    shown: Message | bool | None = None
    if ctx.message is not None:
        try:
            shown = await ctx.message.edit_text(text, reply_markup=with_menu())  # the progress keeps it
        except TelegramBadRequest:  # an old message may not be editable; send a new one
            shown = None
    if not isinstance(shown, Message):
        shown = await ctx.answer(text, with_menu())
    try:
        await ann.set_progress_message(db, broadcast_id=result.broadcast_id, sender_id=officer.telegram_id,
                                       chat_id=shown.chat.id, message_id=shown.message_id)
    except NotFound:
        log.warning("broadcast %s vanished", result.broadcast_id)
    wake = getattr(ctx.deps.get("delivery_worker"), "wake", None)
    if callable(wake):
        wake()


async def cmd_announce(message: Message, officer: Officer, state: FSMContext, **deps: object) -> None:
    """/announce: start a draft (officers only, through the router's gate)."""
    await wizard.start(message, state, {**deps, "officer": officer},
                       {"draft": secrets.token_hex(6), "municipality_code": officer.municipality_code})


def build_router() -> Router:
    """A new router with this module's handlers (a router attaches to one dispatcher only)."""
    router = officer_router("announce")
    router.message.register(cmd_announce, Command("announce"))
    wizard.register(router)
    return router
