"""Announcements (ky кулактандыруу, ru объявление): an officer's message to every active resident of
their own municipality, in Kyrgyz and/or Russian, sent through the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.db import Database
from bot.domain import audit
from bot.domain import NotAnOfficer, NotFound, TextTooLong, TextTooShort, WrongMunicipality
from bot.domain.clock import now_db
from bot.domain.outbox import Audience, Notice, enqueue
from bot.domain.text import clean_user_text, utf16_length
from bot.store import municipalities as municipalities_store
from bot.store import officers as officers_store
from bot.store import outbox as store

TEXT_MAX_LENGTH = 3500
"""Characters (UTF-16 units, as Telegram counts) of one language's text: with the header it still
fits one Telegram message (4,096), so an announcement never arrives in pieces."""
KIND = "announcement"


@dataclass(frozen=True)
class AnnouncementResult:
    """``created`` is ``False`` when the same draft had already been sent (a double tap)."""

    broadcast_id: int
    total: int
    created: bool


def clean_text(text: str | None) -> str:
    """The officer's text as it will be stored: cleaned (no bidi/zero-width controls), trimmed.

    Raises:
        TextTooShort: empty.
        TextTooLong: longer than :data:`TEXT_MAX_LENGTH` UTF-16 units.
    """
    cleaned = clean_user_text(text or "")
    length = utf16_length(cleaned)
    if not cleaned:
        raise TextTooShort(limit=1, actual=0)
    if length > TEXT_MAX_LENGTH:
        raise TextTooLong(limit=TEXT_MAX_LENGTH, actual=length)
    return cleaned


def notice(texts: dict[str, str], names: dict[str, str]) -> Notice:
    """The announcement as residents receive it: the officer's ``texts`` per language (``ky``, and
    ``ru`` or not) and the municipality's ``names`` (rendered by ``bot.notices.announcements``)."""
    return Notice(KIND, {"text_ky": texts.get("ky"), "text_ru": texts.get("ru"),
                         "municipality_ky": names["ky"], "municipality_ru": names["ru"]})


async def municipality_names(db: Database, code: str) -> dict[str, str]:
    """``{"ky": …, "ru": …}`` names of a municipality (Kyrgyz falls back to Russian when not attested)."""
    names = await municipalities_store.names_of(db, code)
    if names is None:
        raise NotFound("municipality")
    return _names(names)


def _names(names: tuple[str, str | None]) -> dict[str, str]:
    name_ru, name_ky = names
    return {"ru": name_ru, "ky": name_ky or name_ru}


async def announce(
    db: Database,
    *,
    officer_id: int,
    municipality_code: str,
    text_ky: str,
    text_ru: str | None,
    draft_id: str,
) -> AnnouncementResult:
    """Queue an announcement to every active resident of the officer's municipality.

    ``text_ru`` ``None`` means the Kyrgyz text goes to everyone. ``draft_id`` identifies the draft:
    sending the same draft twice (a double tap on "Send") queues it once and returns the first
    broadcast with ``created=False``.

    Raises:
        NotAnOfficer: not an officer.
        WrongMunicipality: an officer of another municipality than ``municipality_code``.
        TextTooShort, TextTooLong: a text is empty or too long.
    """
    texts = {"ky": clean_text(text_ky)}
    if text_ru is not None:
        texts["ru"] = clean_text(text_ru)
    key = f"announce:{officer_id}:{draft_id}"
    async with db.transaction() as tx:
        officer_code = await officers_store.municipality_of(tx, officer_id)
        if officer_code is None:
            raise NotAnOfficer("not an officer")
        if officer_code != municipality_code:
            raise WrongMunicipality("officer of another municipality")
        existing = await store.broadcast_by_dedup_key(tx, key)
        if existing is not None:
            return AnnouncementResult(existing["id"], existing["total"], created=False)
        found = await municipalities_store.names_of(tx, municipality_code)
        if found is None:  # the officer's municipality is always listed (a foreign key); guard for the type checker
            raise NotFound("municipality", id=municipality_code)
        broadcast_id = await enqueue(
            tx, kind=KIND, audience=Audience.municipality(municipality_code), content=notice(texts, _names(found)),
            municipality_code=municipality_code, sender_id=officer_id, dedup_key=key,
        )
        await audit.record(tx, audit.Actor.officer(officer_id), "announcement.send",
                           audit.Target("broadcast", broadcast_id), municipality_code=municipality_code,
                           details={"languages": sorted(texts)})
        from bot.domain.reach.posts import post_to_public  # also to the linked channel and village groups

        await post_to_public(tx, municipality_code, notice(texts, _names(found)))
        total = await store.broadcast_total(tx, broadcast_id)
    return AnnouncementResult(broadcast_id, total, created=True)


async def draft_sent(db: Database, *, officer_id: int, draft_id: str) -> bool:
    """Whether the officer's draft ``draft_id`` has already been queued (to tell a late tap apart)."""
    key = f"announce:{officer_id}:{draft_id}"
    return await store.broadcast_by_dedup_key(db, key) is not None


async def set_progress_message(db: Database, *, broadcast_id: int, sender_id: int, chat_id: int,
                               message_id: int) -> None:
    """Record the sender's message that the delivery worker edits with the progress.

    Raises:
        NotFound: no such broadcast of this sender.
    """
    async with db.transaction() as tx:
        changed = await store.set_progress_message(tx, broadcast_id, chat_id=chat_id, message_id=message_id,
                                                   at=now_db(), sender_id=sender_id)
    if not changed:
        raise NotFound("broadcast")
