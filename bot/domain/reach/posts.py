"""Posts to linked chats, deep links back into the bot, and the reach figures.

- Officers' groups (``staff``) get every officers' alert at once (:func:`alert_staff_chats`).
- Public chats (the channel, village groups) get hearing announcements and outcomes, survey openings
  and closings with results, and officers' announcements (:func:`post_to_public`), in the languages
  chosen for each chat, with a button opening the bot through a deep link
  ``t.me/<bot>?start=<payload>`` (:func:`make_payload`): the municipality, the survey or hearing,
  and the chat's reference, at most 64 characters of ``A-Za-z0-9_-`` (Bot API, deep linking).
- A resident who opens the link (:func:`open_link`) is led to that municipality: language first,
  then a confirmation (:func:`confirm_link`), which counts them as joined through the chat once.

Each post is one broadcast to one chat (its facts differ per chat: languages and link), recorded in
``reach_posts`` for the figures (:func:`chat_figures`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.db import Database, Transaction
from bot.domain.clock import clock, to_db
from bot.domain.errors import NotFound
from bot.domain.outbox import Audience, Notice, enqueue
from bot.store import reach as store

PAYLOAD_PREFIX = "r_"
_PAYLOAD = re.compile(r"^r_(\d{14})_([sh]\d{1,12}|0)_(\d{1,12})$")
PAYLOAD_MAX = 64
"""Telegram's limit for a ``start`` parameter (A-Za-z0-9_- only)."""
POST_NOTICE = "reach.post"
CHAT_ALERT_NOTICE = "reach.chat_alert"
BOT_USERNAME_KEY = "bot_username"
"""``meta`` key under which the running bot stores its username at start-up (for deep links)."""


@dataclass(frozen=True)
class DeepLink:
    """A parsed payload: ``target`` is ``''``, ``'s<id>'`` (survey) or ``'h<id>'`` (hearing);
    ``chat_ref`` the linked chat it was posted in."""

    municipality_code: str
    target: str
    chat_ref: int | None


def make_payload(municipality_code: str, target: str, chat_ref: int) -> str:
    """``r_<SOATE code>_<target or 0>_<chat ref>`` (≤ 64 characters)."""
    payload = f"{PAYLOAD_PREFIX}{municipality_code}_{target or '0'}_{chat_ref}"
    if len(payload) > PAYLOAD_MAX or not _PAYLOAD.match(payload):
        raise ValueError("payload out of Telegram's bounds")
    return payload


def parse_payload(payload: str) -> DeepLink | None:
    """The deep link of a ``/start`` payload made by :func:`make_payload`, ``None`` otherwise."""
    match = _PAYLOAD.match(payload or "")
    if match is None:
        return None
    target = "" if match.group(2) == "0" else match.group(2)
    return DeepLink(match.group(1), target, int(match.group(3)) or None)


OFFICER_PREFIX = "o_"
_OFFICER_PAYLOAD = re.compile(r"^o_([phsv])(\d{1,15})$")
_OPENS = {"reach.problem_new": ("p", "id"), "problem.reopened_officers": ("p", "id"),
          "service_proposed": ("v", "service_id"), "reach.hearing_question": ("h", "hearing_id"),
          "reach.survey_burst": ("s", "survey_id")}
"""Alert kinds an officer can open from an officers' group: the letter and the fact holding the id."""


def officer_payload(notice: Notice) -> str | None:
    """``o_<p|v|h|s><id>``: the deep link from an alert in an officers' group to the problem, service,
    hearing or survey it is about, opened in the officer's private chat; ``None`` for other kinds."""
    opens = _OPENS.get(notice.kind)
    if opens is None or not str(notice.facts.get(opens[1], "")).isdigit():
        return None
    return f"{OFFICER_PREFIX}{opens[0]}{int(notice.facts[opens[1]])}"


def parse_officer_payload(payload: str) -> tuple[str, int] | None:
    """``(letter, id)`` of an :func:`officer_payload`, ``None`` otherwise."""
    match = _OFFICER_PAYLOAD.match(payload or "")
    return None if match is None else (match.group(1), int(match.group(2)))


def _inner(notice: Notice) -> dict[str, Any]:
    return {"notice": notice.kind, "facts": notice.facts, "photo": notice.photo}


async def bot_username(db: Database | Transaction) -> str | None:
    """The bot's username as the running process stored it, ``None`` before the first start."""
    return await store.meta(db, BOT_USERNAME_KEY)


async def remember_bot_username(db: Database, username: str) -> None:
    """Store the bot's username (``getMe``) for the deep links of posts."""
    async with db.transaction() as tx:
        await store.set_meta(tx, BOT_USERNAME_KEY, username)


async def alert_staff_chats(tx: Transaction, municipality_code: str, notice: Notice) -> int:
    """Queue ``notice`` to every active officers' group of the municipality; returns how many."""
    chats = await store.chats_of(tx, municipality_code, purpose="staff", active_only=True)
    if not chats:
        return 0
    username = await bot_username(tx)
    now = to_db(clock.now())
    for chat in chats:
        facts = {"inner": _inner(notice), "bot": username, "locales": str(chat["locales"]).split(","),
                 "open": officer_payload(notice)}
        broadcast = await enqueue(tx, kind="chat.alert", audience=Audience.residents([int(chat["chat_id"])]),
                                  content=Notice(CHAT_ALERT_NOTICE, facts), municipality_code=municipality_code)
        await store.insert_post(tx, int(chat["id"]), broadcast, notice.kind, now)
    return len(chats)


async def post_to_public(tx: Transaction, municipality_code: str, notice: Notice, *, target: str = "") -> int:
    """Queue ``notice`` to every active public chat of the municipality, in each chat's languages,
    with a deep-link button (to ``target``: ``'s<id>'``, ``'h<id>'`` or ``''``); returns how many chats."""
    chats = await store.chats_of(tx, municipality_code, purpose="public", active_only=True)
    if not chats:
        return 0
    username = await bot_username(tx)
    now = to_db(clock.now())
    for chat in chats:
        link = None
        if username:
            link = f"https://t.me/{username}?start={make_payload(municipality_code, target, int(chat['id']))}"
        facts = {"inner": _inner(notice), "locales": str(chat["locales"]).split(","), "link": link}
        broadcast = await enqueue(tx, kind="chat.post", audience=Audience.residents([int(chat["chat_id"])]),
                                  content=Notice(POST_NOTICE, facts), municipality_code=municipality_code)
        await store.insert_post(tx, int(chat["id"]), broadcast, notice.kind, now)
    return len(chats)


async def open_link(db: Database, *, resident_id: int, link: DeepLink) -> None:
    """The resident opened a deep link: remember where it leads until they confirm.

    Raises:
        NotFound: the municipality is not (or no longer) in the list.
    """
    from bot.domain.municipalities import get_municipality

    if await get_municipality(db, link.municipality_code, active_only=True) is None:
        raise NotFound("no such municipality")
    chat_ref = link.chat_ref
    if chat_ref is not None and await store.chat_by_ref(db, chat_ref) is None:
        chat_ref = None
    async with db.transaction() as tx:
        await store.set_pending(tx, resident_id, link.municipality_code, link.target, chat_ref, to_db(clock.now()))


async def pending_link(db: Database, resident_id: int) -> DeepLink | None:
    """The deep link the resident opened and has not confirmed yet."""
    row = await store.pending(db, resident_id)
    if row is None:
        return None
    return DeepLink(str(row["municipality_code"]), str(row["target"]), row["chat_ref"])


async def confirm_link(db: Database, *, resident_id: int, accept: bool) -> DeepLink | None:
    """The resident confirmed (``accept``) the municipality of their deep link, or chose to pick
    another. Accepting registers them there and, when they were not registered there before, counts
    them as joined through the chat (once per resident). Returns the link (``None``: nothing pending,
    e.g. a second tap)."""
    from bot.domain.residents import get_resident, set_municipality

    link = await pending_link(db, resident_id)
    if link is None:
        return None
    before = await get_resident(db, resident_id)
    joined = accept and (before is None or before.municipality_code != link.municipality_code)
    if accept:
        await set_municipality(db, resident_id, link.municipality_code)
    async with db.transaction() as tx:
        await store.drop_pending(tx, resident_id)
        if joined:
            await store.insert_join(tx, resident_id, link.chat_ref, link.municipality_code, to_db(clock.now()))
    return link


@dataclass(frozen=True)
class ChatFigures:
    """Reach of one linked chat: ``posts`` queued, ``posts_sent`` delivered, ``joins`` residents who
    joined through its deep links."""

    ref: int
    chat_id: int
    title: str
    chat_type: str
    purpose: str
    status: str
    locales: tuple[str, ...]
    posts: int
    posts_sent: int
    joins: int


async def chat_figures(db: Database, municipality_code: str) -> list[ChatFigures]:
    """Figures per linked chat of the municipality (for /reach and the workspace's dashboard)."""
    return [ChatFigures(int(r["id"]), int(r["chat_id"]), str(r["title"]), str(r["chat_type"]), str(r["purpose"]),
                        str(r["status"]), tuple(str(r["locales"]).split(",")), int(r["posts"]),
                        int(r["posts_sent"]), int(r["joins"]))
            for r in await store.figures(db, municipality_code)]
