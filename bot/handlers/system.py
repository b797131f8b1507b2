"""Service updates: the person blocked or unblocked the bot (``my_chat_member`` in a private chat)."""

from __future__ import annotations

from aiogram import Router
from aiogram.enums import ChatMemberStatus
from aiogram.types import ChatMemberUpdated

from bot.db import Database
from bot.domain.residents import mark_inactive


async def on_my_chat_member(update: ChatMemberUpdated, db: Database) -> None:
    """Telegram tells us the bot was blocked (status ``kicked``): stop mass messages to that person.

    Unblocking needs no handling here: the person's next message (/start) makes them active again.
    """
    if update.new_chat_member.status == ChatMemberStatus.KICKED:
        await mark_inactive(db, update.chat.id)


def build_router() -> Router:
    """A new router with this module's handlers, in order (a router attaches to one dispatcher only)."""
    router = Router(name="system")
    router.my_chat_member.register(on_my_chat_member)
    return router
