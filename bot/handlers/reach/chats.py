"""The bot in groups and channels: linking commands, codes posted in channels, the bot's own
membership, group → supergroup migration — and silence for everything else.

Only these updates from non-private chats reach the routers at all (``bot.middlewares``,
:func:`~bot.middlewares.linking_event`); this router comes first and consumes every one of them, so
no resident feature ever answers in a group.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, F, Router
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.types import ChatMemberUpdated, Message

from bot.config import Settings
from bot.db import Database
from bot.domain.errors import DomainError
from bot.domain.reach import links, posts
from bot.domain.residents import get_resident
from bot.i18n import choose_locale, use_locale
from bot.ui import reach as ui
from bot.ui.errors import explain

log = logging.getLogger(__name__)
GROUPS = {ChatType.GROUP, ChatType.SUPERGROUP}


async def _locale_of(db: Database, user_id: int | None, settings: Settings) -> str:
    resident = await get_resident(db, user_id) if user_id else None
    if resident is None:
        return settings.default_locale
    return choose_locale(resident.locale, resident.language_code, settings.default_locale)


def _wake(data: dict[str, Any]) -> None:
    wake = getattr(data.get("delivery_worker"), "wake", None)
    if wake is not None:
        wake()


async def cmd_link_group(message: Message, command: CommandObject, db: Database, settings: Settings,
                         **data: Any) -> None:
    """``/link CODE`` in a group: an officer of the code's municipality links it; others are refused."""
    user = message.from_user
    with use_locale(await _locale_of(db, user.id if user else None, settings)):
        if not command.args:
            await message.answer(ui.link_usage())
            return
        try:
            chat = await links.link_chat(db, code=command.args, chat_id=message.chat.id, chat_type=message.chat.type,
                                         title=message.chat.title or "", actor_id=user.id if user else 0)
        except DomainError as error:
            await message.answer(explain(error))
            return
        await message.answer(ui.linked_in_group(chat.title, chat.purpose))


async def cmd_unlink_group(message: Message, db: Database, settings: Settings) -> None:
    """``/unlink`` in a linked group: an officer of its municipality unlinks it."""
    user = message.from_user
    with use_locale(await _locale_of(db, user.id if user else None, settings)):
        try:
            chat = await links.linked_chat(db, message.chat.id)
            if chat is None or chat.status == "unlinked":
                raise links.ChatNotLinked("not linked")
            await links.unlink_chat(db, officer_id=user.id if user else 0, ref=chat.ref)
        except DomainError as error:
            await message.answer(explain(error))
            return
        await message.answer(ui.unlinked_in_group())


async def on_channel_post(message: Message, bot: Bot, db: Database, **data: Any) -> None:
    """A post in a channel: when it is a link code and the bot may post there, the channel is linked
    (the officer is told in private) and the code's post removed. Otherwise nothing happens."""
    text = message.text or ""
    if not links.looks_like_code(text):
        return
    try:
        member = await bot.get_chat_member(message.chat.id, bot.id)
        can_post = member.status == ChatMemberStatus.CREATOR or (
            member.status == ChatMemberStatus.ADMINISTRATOR and bool(getattr(member, "can_post_messages", False)))
    except TelegramAPIError:
        can_post = False
    try:
        await links.link_chat(db, code=text, chat_id=message.chat.id, chat_type="channel",
                              title=message.chat.title or "", actor_id=None, bot_can_post=can_post)
    except DomainError as error:
        log.info("channel %s: code not accepted (%s)", message.chat.id, type(error).__name__)
        return
    _wake(data)
    try:
        await message.delete()
    except TelegramAPIError:
        pass


def _lost(update: ChatMemberUpdated) -> str | None:
    """``removed``, ``rights`` or ``None``: what the bot's new membership means for posting."""
    new = update.new_chat_member
    if new.status in (ChatMemberStatus.LEFT, ChatMemberStatus.KICKED):
        return "removed"
    if new.status == ChatMemberStatus.RESTRICTED and not getattr(new, "can_send_messages", True):
        return "rights"
    if update.chat.type == ChatType.CHANNEL:
        if new.status == ChatMemberStatus.ADMINISTRATOR and not getattr(new, "can_post_messages", False):
            return "rights"
        if new.status not in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.CREATOR):
            return "rights"
    return None


async def on_my_membership(update: ChatMemberUpdated, db: Database, **data: Any) -> None:
    """The bot was removed from a linked chat or lost the right to post: the link is broken and the
    officer who linked it told in private."""
    reason = _lost(update)
    if reason is not None and await links.chat_lost(db, update.chat.id, reason) is not None:
        _wake(data)


async def on_migrated(message: Message, db: Database) -> None:
    """The service message of a group that became a supergroup (in either chat): move the link."""
    if message.migrate_to_chat_id:
        await links.chat_migrated(db, message.chat.id, message.migrate_to_chat_id)
    elif message.migrate_from_chat_id:
        await links.chat_migrated(db, message.migrate_from_chat_id, message.chat.id)


async def silent(event: Any) -> None:
    """Anything else in a group or channel: the bot stays silent."""


async def remember_username(bot: Bot, db: Database) -> None:
    """At start-up: store the bot's username for the deep links of posts."""
    try:
        me = await bot.me()
    except TelegramAPIError:
        log.warning("could not read the bot's username; posts go without a deep link", exc_info=True)
        return
    if me.username:
        await posts.remember_bot_username(db, me.username)


def build_router() -> Router:
    """A new router for non-private chats (first among the routers)."""
    router = Router(name="reach.chats")
    in_group = F.chat.type.in_(GROUPS)
    router.message.register(on_migrated, in_group, F.migrate_to_chat_id | F.migrate_from_chat_id)
    router.message.register(cmd_link_group, in_group, Command("link", ignore_case=True))
    router.message.register(cmd_unlink_group, in_group, Command("unlink", ignore_case=True))
    router.message.register(silent, F.chat.type != ChatType.PRIVATE)
    router.channel_post.register(on_channel_post)
    router.my_chat_member.register(on_my_membership, F.chat.type != ChatType.PRIVATE)
    router.edited_channel_post.register(silent)
    router.startup.register(remember_username)
    return router
