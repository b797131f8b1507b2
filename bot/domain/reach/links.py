"""Linking Telegram chats to a municipality: officers' groups (alerts) and public chats (the
municipality's channel, village groups: announcements).

How a chat is linked: an officer sends ``/link`` in the private chat and gets a one-time code
(:func:`new_code`, valid :data:`CODE_TTL`); then, in a group where the bot was added, an officer of
the same municipality sends ``/link CODE`` (:func:`link_chat` with ``actor_id``: anyone else is
refused and the code stays unused); or the code is posted in a channel where the bot is an
administrator allowed to post (no sender is known there: the code alone proves who linked it).
Only officers of the chat's municipality unlink it (:func:`unlink_chat`).

The outbox delivers to a linked chat through a ``residents`` row with the chat's id (see
:mod:`bot.store.reach`). When Telegram says the bot was removed or may not post
(:func:`chat_lost`, from a ``my_chat_member`` update or a refused send) the link is marked broken,
the chat's row made inactive and the officer who linked it told in private. When a group becomes a
supergroup (:func:`chat_migrated`) the link moves to the new id.
"""

from __future__ import annotations

import secrets
import sqlite3
from dataclasses import dataclass
from datetime import timedelta

from bot.db import Database, Transaction
from bot.domain.clock import clock, to_db
from bot.domain.errors import DomainError, InvalidInput, NotAnOfficer, NotFound, WrongMunicipality
from bot.domain.officers import INVITE_ALPHABET
from bot.domain.outbox import Audience, Notice, enqueue
from bot.store import reach as store

CODE_TTL = timedelta(minutes=15)
"""How long a link code may be used."""
CODE_LENGTH = 6
PURPOSES = ("staff", "public")
"""``staff``: an officers' group (alerts); ``public``: the municipality's channel or a village group (posts)."""
LOCALE_CHOICES = ("ky,ru", "ky", "ru")
"""Languages a public chat's posts may be in (both by default)."""
LINK_BROKEN = "reach.link_broken"
CHAT_LINKED = "reach.chat_linked"


class LinkCodeInvalid(InvalidInput):
    """The code is unknown, used or expired."""


class BotNotAdmin(DomainError):
    """The bot must be an administrator allowed to post in a channel before it is linked."""


class ChatNotLinked(NotFound):
    """No linked chat with that id or reference."""


@dataclass(frozen=True)
class LinkCode:
    """A one-time code (``code``, upper case) for ``purpose``, valid until ``expires_at`` (UTC text)."""

    code: str
    purpose: str
    expires_at: str


@dataclass(frozen=True)
class LinkedChat:
    """A linked chat: ``ref`` is the stable reference, ``chat_id`` the current Telegram id;
    ``locales`` the languages of posts (``('ky', 'ru')``…); ``status`` active, broken or unlinked."""

    ref: int
    chat_id: int
    municipality_code: str
    chat_type: str
    purpose: str
    title: str
    locales: tuple[str, ...]
    status: str
    broken_reason: str | None
    linked_by: int

    @classmethod
    def of(cls, r: sqlite3.Row) -> LinkedChat:
        """From a ``reach_chats`` row."""
        return cls(int(r["id"]), int(r["chat_id"]), str(r["municipality_code"]), str(r["chat_type"]),
                   str(r["purpose"]), str(r["title"]), tuple(str(r["locales"]).split(",")), str(r["status"]),
                   r["broken_reason"], int(r["linked_by"]))


def normalize_code(text: str) -> str:
    """The code as typed (spaces, dashes, lower case tolerated), upper case."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


async def _officer_code(db: Database | Transaction, officer_id: int) -> str:
    code = await store.officer_municipality(db, officer_id)
    if code is None:
        raise NotAnOfficer("not an officer")
    return code


async def new_code(db: Database, *, officer_id: int, purpose: str) -> LinkCode:
    """A one-time code with which the officer links a chat of their municipality for ``purpose``.

    Raises:
        NotAnOfficer. InvalidInput: unknown purpose.
    """
    if purpose not in PURPOSES:
        raise InvalidInput("unknown purpose")
    now = clock.now()
    expires = to_db(now + CODE_TTL)
    async with db.transaction() as tx:
        municipality = await _officer_code(tx, officer_id)
        code = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(CODE_LENGTH))
        await store.insert_code(tx, code=code, officer_id=officer_id, municipality_code=municipality,
                                purpose=purpose, at=to_db(now), expires_at=expires)
    return LinkCode(code, purpose, expires)


def looks_like_code(text: str) -> bool:
    """Whether a channel post's text may be a link code (one word of the code's length)."""
    word = normalize_code(text.strip())
    return len(text.strip()) <= CODE_LENGTH + 4 and len(word) == CODE_LENGTH and all(
        ch in INVITE_ALPHABET for ch in word)


async def link_chat(db: Database, *, code: str, chat_id: int, chat_type: str, title: str,
                    actor_id: int | None, bot_can_post: bool = True) -> LinkedChat:
    """Link the chat with a one-time code.

    Args:
        actor_id: who sent ``/link CODE`` in a group (must be an officer of the code's municipality);
            ``None`` for a channel post (the code proves it).
        bot_can_post: for a channel, whether the bot is an administrator allowed to post.
    Raises:
        LinkCodeInvalid: unknown, used or expired code (a refused actor leaves it unused).
        NotAnOfficer, WrongMunicipality: the sender may not link for that municipality.
        BotNotAdmin: a channel where the bot may not post.
        InvalidInput: not a group, supergroup or channel.
    """
    if chat_type not in ("group", "supergroup", "channel") or chat_id >= 0:
        raise InvalidInput("only groups and channels are linked")
    value = normalize_code(code)
    now = to_db(clock.now())
    row = await store.code_row(db, value)
    if row is None or row["used_at"] is not None or row["expires_at"] <= now:
        raise LinkCodeInvalid("invalid link code")
    if actor_id is not None:
        own = await store.officer_municipality(db, actor_id)
        if own is None:
            raise NotAnOfficer("not an officer")
        if own != row["municipality_code"]:
            raise WrongMunicipality("officer of another municipality")
    if chat_type == "channel" and not bot_can_post:
        raise BotNotAdmin("the bot must be an administrator that may post")
    async with db.transaction() as tx:
        taken = await store.take_code(tx, value, now, chat_id)
        if taken is None:
            raise LinkCodeInvalid("invalid link code")
        linked = await store.upsert_chat(tx, chat_id=chat_id, municipality_code=taken["municipality_code"],
                                         chat_type=chat_type, purpose=taken["purpose"], title=title,
                                         linked_by=int(taken["officer_id"]), at=now)
        chat = LinkedChat.of(linked)
        if chat.purpose == "staff":  # officers' alerts in the language of the officer who linked it
            own = await store.resident_locale(tx, chat.linked_by)
            if own in ("ky", "ru"):
                await store.set_locales(tx, chat.ref, own, now)
                chat = LinkedChat.of(await store.chat_by_ref(tx, chat.ref) or linked)
        await store.upsert_chat_recipient(tx, chat_id, title, chat.locales[0], now)
        if actor_id is None:  # a channel: the officer learns it in private
            await enqueue(tx, kind="chat.linked", audience=Audience.residents([chat.linked_by]),
                          content=Notice(CHAT_LINKED, {"title": title, "chat_type": chat_type,
                                                       "purpose": chat.purpose}),
                          municipality_code=chat.municipality_code)
        await _audit(tx, actor_id or chat.linked_by, "chat.link", chat)
    return chat


async def _audit(tx: Transaction, actor_id: int, action: str, chat: LinkedChat) -> None:
    """Record the officer action in the audit log (:mod:`bot.domain.audit`, in the same transaction)
    once that module knows the action code (``chat.link``, ``chat.unlink``)."""
    try:
        from bot.domain import audit
    except ImportError:  # the audit log is not part of this build
        return
    if action not in getattr(audit, "ACTIONS", ()):
        return
    await audit.record(tx, audit.Actor.officer(actor_id), action, audit.Target("chat", chat.ref),
                       municipality_code=chat.municipality_code,
                       details={"chat_id": chat.chat_id, "purpose": chat.purpose, "chat_type": chat.chat_type})


async def linked_chat(db: Database | Transaction, chat_id: int) -> LinkedChat | None:
    """The chat linked with this Telegram id (any status), or ``None``."""
    row = await store.chat_by_id(db, chat_id)
    return None if row is None else LinkedChat.of(row)


async def _own_chat(db: Database, officer_id: int, ref: int) -> LinkedChat:
    row = await store.chat_by_ref(db, ref)
    if row is None or row["status"] == "unlinked":
        raise ChatNotLinked("no such linked chat")
    chat = LinkedChat.of(row)
    if await _officer_code(db, officer_id) != chat.municipality_code:
        raise WrongMunicipality("chat of another municipality")
    return chat


async def unlink_chat(db: Database, *, officer_id: int, ref: int) -> LinkedChat:
    """Unlink the chat (nothing more is posted there).

    Raises:
        ChatNotLinked. NotAnOfficer, WrongMunicipality: only officers of its municipality unlink it.
    """
    chat = await _own_chat(db, officer_id, ref)
    now = to_db(clock.now())
    async with db.transaction() as tx:
        await store.set_chat_status(tx, chat.ref, "unlinked", None, now)
        await store.set_recipient_active(tx, chat.chat_id, False, now)
        await _audit(tx, officer_id, "chat.unlink", chat)
    return chat


async def set_locales(db: Database, *, officer_id: int, ref: int, locales: str) -> LinkedChat:
    """The languages of the chat's posts (one of :data:`LOCALE_CHOICES`). Raises InvalidInput,
    ChatNotLinked, NotAnOfficer, WrongMunicipality."""
    if locales not in LOCALE_CHOICES:
        raise InvalidInput("unknown languages")
    chat = await _own_chat(db, officer_id, ref)
    now = to_db(clock.now())
    async with db.transaction() as tx:
        await store.set_locales(tx, chat.ref, locales, now)
        await store.upsert_chat_recipient(tx, chat.chat_id, chat.title, locales.split(",")[0], now,
                                          active=chat.status == "active")
    return await _own_chat(db, officer_id, ref)


async def chat_lost(db: Database, chat_id: int, reason: str) -> LinkedChat | None:
    """The bot was removed from the linked chat or may no longer post (``reason``: ``removed`` or
    ``rights``): the link is broken, the chat's outbox row inactive, and the officer who linked it
    told in private (once: a chat already broken changes nothing). Returns the chat, ``None`` when
    it is not linked or already broken."""
    now = to_db(clock.now())
    async with db.transaction() as tx:
        row = await store.chat_by_id(tx, chat_id)
        if row is None or row["status"] != "active":
            return None
        await store.set_chat_status(tx, int(row["id"]), "broken", reason, now)
        await store.set_recipient_active(tx, chat_id, False, now)
        chat = LinkedChat.of(row)
        await enqueue(tx, kind="chat.link_broken", audience=Audience.residents([chat.linked_by]),
                      content=Notice(LINK_BROKEN, {"title": chat.title, "reason": reason,
                                                   "chat_type": chat.chat_type}),
                      municipality_code=chat.municipality_code)
    return chat


async def chat_migrated(db: Database, old_chat_id: int, new_chat_id: int) -> LinkedChat | None:
    """The linked group became a supergroup with ``new_chat_id``: the link (and its figures) moves
    there. Idempotent; ``None`` when ``old_chat_id`` is not linked."""
    now = to_db(clock.now())
    async with db.transaction() as tx:
        row = await store.migrate_chat(tx, old_chat_id, new_chat_id, now)
        if row is None:
            row = await store.chat_by_id(tx, new_chat_id)
            return None if row is None else LinkedChat.of(row)
        chat = LinkedChat.of(row)
        await store.upsert_chat_recipient(tx, new_chat_id, chat.title, chat.locales[0], now,
                                          active=chat.status == "active")
    return chat
