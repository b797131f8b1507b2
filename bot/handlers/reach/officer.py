"""Officers' reach commands in the private chat: /alerts (settings), /link (a one-time code),
/reach (linked chats, their figures, languages, unlink). Behind ``officer_router`` (``officer``
injected); every use case checks the municipality again."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.db import Database
from bot.domain.officers import Officer
from bot.domain.reach import alerts, links, posts
from bot.handlers.roles import officer_router
from bot.i18n import _
from bot.ui import reach as ui
from bot.ui.keyboards import with_menu
from bot.ui.messages import answer_screen, edit_or_send

_NEXT_MODE = {"now": "digest", "digest": "off", "off": "now"}


async def cmd_alerts(message: Message, db: Database, officer: Officer) -> None:
    """/alerts: the settings screen."""
    p = await alerts.prefs(db, officer.telegram_id)
    await answer_screen(message, ui.alerts_text(p), ui.alerts_keyboard(p))


async def on_alerts(callback: CallbackQuery, callback_data: ui.AlertsCallback, db: Database, officer: Officer,
                    callback_answer: CallbackAnswer) -> None:
    """A button of the settings screen (see :class:`bot.ui.reach.AlertsCallback`)."""
    action, me = callback_data.action, officer.telegram_id
    kind = alerts.KINDS[callback_data.kind] if callback_data.kind < len(alerts.KINDS) else alerts.KINDS[0]
    if action == "hours":
        await edit_or_send(callback, _("At what hour (Bishkek time) should the daily digest come?"),
                           ui.hours_keyboard())
        return
    if action == "quiet":
        await edit_or_send(callback, _("Choose your quiet hours: alerts sent at once wait until they end, "
                                       "except the kinds you marked urgent."), ui.quiet_keyboard())
        return
    if action == "mode":
        p = await alerts.set_mode(db, me, kind, _NEXT_MODE[(await alerts.prefs(db, me)).mode(kind)])
    elif action == "urgent":
        p = await alerts.toggle_urgent(db, me, kind)
    elif action == "hour":
        p = await alerts.set_digest_hour(db, me, callback_data.value)
        callback_answer.text = _("Saved.")
    elif action == "qset":
        index = callback_data.value - 1
        start, end = ui.QUIET_PRESETS[index] if 0 <= index < len(ui.QUIET_PRESETS) else (None, None)
        p = await alerts.set_quiet_hours(db, me, start, end)
        callback_answer.text = _("Saved.")
    else:
        p = await alerts.prefs(db, me)
    await edit_or_send(callback, ui.alerts_text(p), ui.alerts_keyboard(p))


async def cmd_link(message: Message) -> None:
    """/link in the private chat: what to link (then a code)."""
    await message.answer(ui.link_intro(), reply_markup=ui.link_keyboard())


async def cmd_reach(message: Message, db: Database, officer: Officer) -> None:
    """/reach: the linked chats with their figures."""
    chats = await posts.chat_figures(db, officer.municipality_code)
    await message.answer(ui.figures_text(chats), reply_markup=with_menu(ui.figures_keyboard(chats)))


async def on_reach(callback: CallbackQuery, callback_data: ui.ReachCallback, db: Database, officer: Officer,
                   callback_answer: CallbackAnswer) -> None:
    """Linking and linked-chat buttons (see :class:`bot.ui.reach.ReachCallback`)."""
    action, me = callback_data.action, officer.telegram_id
    if action == "code":
        code = await links.new_code(db, officer_id=me, purpose="staff" if callback_data.value == 0 else "public")
        await edit_or_send(callback, ui.code_text(code))
        return
    if action == "lang":
        index = callback_data.value if callback_data.value < len(links.LOCALE_CHOICES) else 0
        await links.set_locales(db, officer_id=me, ref=callback_data.ref, locales=links.LOCALE_CHOICES[index])
        callback_answer.text = _("Saved.")
    elif action == "unlink":
        await links.unlink_chat(db, officer_id=me, ref=callback_data.ref)
        callback_answer.text = _("The chat is unlinked.")
        action = "list"
    chats = await posts.chat_figures(db, officer.municipality_code)
    chosen = next((c for c in chats if c.ref == callback_data.ref), None)
    if action in ("chat", "lang") and chosen is not None:
        await edit_or_send(callback, ui.figures_text([chosen]), ui.chat_keyboard(chosen))
        return
    await edit_or_send(callback, ui.figures_text(chats), ui.figures_keyboard(chats))


def build_router() -> Router:
    """A new officers-only router with /alerts, /link, /reach and their buttons."""
    router = officer_router("reach.officer")
    router.message.register(cmd_alerts, Command("alerts", ignore_case=True))
    router.message.register(cmd_link, Command("link", ignore_case=True))
    router.message.register(cmd_reach, Command("reach", ignore_case=True))
    router.callback_query.register(on_alerts, ui.AlertsCallback.filter())
    router.callback_query.register(on_reach, ui.ReachCallback.filter())
    return router
