"""The outbox: enqueue a message for many residents in the same transaction as its cause.

A domain function that must tell others (an announcement to a municipality, a status change to
a problem's followers) calls :func:`enqueue` with its open :class:`~bot.db.Transaction` and a
:class:`Notice`: *what* happened, as JSON-able facts captured at that moment (ids, titles in both
languages, times as UTC ISO text, counts). The domain never words it: ``bot.notices`` has one
renderer per notice kind that turns the facts into a message in a recipient's language, when the
delivery worker sends it. Nothing is sent here: the worker picks queued rows up and sends under
Telegram's limits. Because the rows are written in the same transaction as the change, a change is
never committed without its notifications, nor the reverse.

:class:`Content` (texts already rendered per language) is what broadcasts queued by earlier versions
hold; the worker still delivers them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.db import Transaction
from bot.domain import InvalidInput
from bot.domain.clock import now_db
from bot.store import outbox as store

LOCALES = ("ky", "ru")


@dataclass(frozen=True)
class Notice:
    """What residents or officers are to be told: ``kind`` names a renderer in ``bot.notices``
    (e.g. ``"hearing.reminder"``); ``facts`` are JSON-able values captured when the change happened
    (later edits of the hearing do not rewrite a notice already queued); ``photo`` is a Telegram
    ``file_id`` the message is sent with (the text becomes its caption)."""

    kind: str
    facts: dict[str, Any] = field(default_factory=dict)
    photo: str | None = None

    def to_json(self) -> str:
        return json.dumps({"notice": self.kind, "facts": self.facts, "photo": self.photo}, ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str) -> Notice:
        """Raises ``KeyError``/``ValueError`` when ``raw`` is not a stored notice."""
        data = json.loads(raw)
        return cls(kind=data["notice"], facts=dict(data.get("facts") or {}), photo=data.get("photo"))


@dataclass(frozen=True)
class Button:
    """An inline button: ``callback_data`` (≤ 64 bytes, Bot API) or ``url``."""

    text: str
    callback_data: str | None = None
    url: str | None = None

    def to_json(self) -> dict[str, str]:
        data = {"text": self.text}
        if self.callback_data is not None:
            if not 1 <= len(self.callback_data.encode("utf-8")) <= 64:
                raise InvalidInput("callback_data must be 1-64 bytes (Bot API)")
            data["callback_data"] = self.callback_data
        if self.url is not None:
            data["url"] = self.url
        return data


@dataclass(frozen=True)
class LocalizedMessage:
    """One language's version of a message: HTML ``text`` (already escaped) and inline ``buttons`` rows."""

    text: str
    buttons: list[list[Button]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "buttons": [[b.to_json() for b in row] for row in self.buttons]}


@dataclass(frozen=True)
class Content:
    """A message in ``ky`` and/or ``ru`` (a recipient gets their own language, else the other),
    optionally with a photo (a Telegram ``file_id``) whose caption is the text."""

    versions: dict[str, LocalizedMessage]
    photo: str | None = None

    def __post_init__(self) -> None:
        if not self.versions or any(loc not in LOCALES for loc in self.versions):
            raise InvalidInput("content needs a 'ky' and/or 'ru' version")

    def to_json(self) -> str:
        return json.dumps(
            {"versions": {loc: v.to_json() for loc, v in self.versions.items()}, "photo": self.photo},
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, raw: str) -> Content:
        data = json.loads(raw)
        versions = {
            loc: LocalizedMessage(
                v["text"], [[Button(**b) for b in row] for row in v.get("buttons", [])]
            )
            for loc, v in data["versions"].items()
        }
        return cls(versions=versions, photo=data.get("photo"))

    def for_locale(self, locale: str | None) -> LocalizedMessage:
        """The version in ``locale``, else the other language's."""
        if locale in self.versions:
            return self.versions[locale]
        for loc in LOCALES:
            if loc in self.versions:
                return self.versions[loc]
        raise KeyError(locale)


@dataclass(frozen=True)
class Audience:
    """Who receives a broadcast: all active residents of a municipality, or listed residents.

    Build with :meth:`municipality` or :meth:`residents`. Inactive residents (who blocked the bot)
    are never queued.
    """

    municipality_code: str | None = None
    resident_ids: tuple[int, ...] = ()

    @classmethod
    def municipality(cls, code: str) -> Audience:
        """Every active resident registered in the municipality with this SOATE code."""
        return cls(municipality_code=code)

    @classmethod
    def residents(cls, ids: Iterable[int]) -> Audience:
        """These residents (duplicates removed), if active."""
        return cls(resident_ids=tuple(dict.fromkeys(int(i) for i in ids)))


async def enqueue(
    tx: Transaction,
    *,
    kind: str,
    audience: Audience,
    content: Notice | Content,
    municipality_code: str | None = None,
    sender_id: int | None = None,
    dedup_key: str | None = None,
    show_progress: bool | None = None,
) -> int:
    """Queue ``content`` for every recipient of ``audience`` inside the caller's transaction.

    Args:
        content: a :class:`Notice` (rendered per recipient by ``bot.notices``); :class:`Content` is
            accepted for texts already written per language.
        kind: what caused the message (for the record and for ``python -m bot broadcasts``).
        municipality_code: whose broadcast it is (defaults to the audience's municipality).
        sender_id: the officer who caused it (recorded).
        show_progress: whether ``sender_id`` is shown a progress message and a summary; by default
            only for a broadcast to a whole municipality (an announcement), not for notifications to
            a few followers (a status change), which would only clutter the officer's chat.
        dedup_key: makes the call idempotent: when a broadcast with this key exists, nothing is
            queued and its id is returned (e.g. a double tap on "Send").
    Returns:
        the broadcast id (rows in ``broadcasts`` and one ``deliveries`` row per recipient).
    """
    code = municipality_code or audience.municipality_code
    if dedup_key is not None:
        existing = await store.broadcast_by_dedup_key(tx, dedup_key)
        if existing is not None:
            return int(existing["id"])
    if show_progress is None:
        show_progress = audience.municipality_code is not None
    broadcast_id = await store.insert_broadcast(
        tx, kind=kind, municipality_code=code, sender_id=sender_id,
        show_progress=bool(show_progress and sender_id is not None), content=content.to_json(), created_at=now_db(),
        dedup_key=dedup_key,
    )
    if audience.municipality_code is not None:
        await store.queue_municipality(tx, broadcast_id, audience.municipality_code)
    await store.queue_residents(tx, broadcast_id, audience.resident_ids)
    if await store.count_recipients(tx, broadcast_id) == 0:
        await store.finish_broadcast(tx, broadcast_id, now_db())
    return broadcast_id
