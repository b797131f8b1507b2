"""Residents: the people who write to the bot, with their language and municipality."""

from __future__ import annotations

import re
import sqlite3
from collections import OrderedDict
from dataclasses import dataclass
from datetime import timedelta

from bot.db import Database
from bot.domain.clock import clock, now_db, to_db
from bot.domain.errors import InvalidInput, NotFound
from bot.domain.text import clean_user_text, fold
from bot.store import municipalities as municipalities_store
from bot.store import residents as store

LOCALES = ("ky", "ru")
"""The languages a resident can choose (the catalogs under ``locales/``)."""


class UnsupportedLocale(InvalidInput):
    """A language other than :data:`LOCALES` (a crafted or outdated language button)."""


class UnknownMunicipality(NotFound):
    """No active municipality has this SOATE code (removed from the list, or a crafted button)."""


@dataclass(frozen=True)
class Resident:
    """A resident as stored.

    ``locale`` is ``None`` until the resident chooses a language; ``municipality_code`` is ``None``
    until they choose a municipality; ``active`` is ``False`` after they blocked the bot.
    """

    telegram_id: int
    first_name: str
    last_name: str | None
    username: str | None
    language_code: str | None
    locale: str | None
    municipality_code: str | None
    joined_at: str
    active: bool

    @property
    def display_name(self) -> str:
        """First and last name as Telegram gives them, without bidi/zero-width controls (a name cannot
        reorder the text around it); never "None" (falls back to @username or the id)."""
        name = clean_user_text(" ".join(p for p in (self.first_name, self.last_name) if p and p.strip()))
        if name:
            return name
        if self.username:
            return "@" + self.username
        return str(self.telegram_id)

    @property
    def onboarded(self) -> bool:
        """True once both the language and the municipality are chosen."""
        return self.locale is not None and self.municipality_code is not None


def _from_row(row: sqlite3.Row) -> Resident:
    return Resident(
        telegram_id=row["telegram_id"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        username=row["username"],
        language_code=row["language_code"],
        locale=row["locale"],
        municipality_code=row["municipality_code"],
        joined_at=row["joined_at"],
        active=bool(row["active"]),
    )


CACHE_SIZE = 100_000
"""Residents kept in memory per database (least recently seen dropped first; ~0.5 KB each)."""


def _cache(db: Database) -> OrderedDict[int, Resident]:
    """The residents of ``db`` read or written by this process, by Telegram id. Every write to the
    ``residents`` table goes through this module, which drops the entry it changes; the bot is the
    only process that writes residents (one bot process per database)."""
    cache: OrderedDict[int, Resident] = db.cache.setdefault("residents", OrderedDict())
    return cache


def _remember(db: Database, resident: Resident) -> Resident:
    cache = _cache(db)
    cache[resident.telegram_id] = resident
    cache.move_to_end(resident.telegram_id)
    while len(cache) > CACHE_SIZE:
        cache.popitem(last=False)
    return resident


def _forget(db: Database, telegram_id: int) -> None:
    _cache(db).pop(telegram_id, None)


async def get_resident(db: Database, telegram_id: int) -> Resident | None:
    """The stored resident, or ``None`` (from memory after the first read)."""
    cached = _cache(db).get(telegram_id)
    if cached is not None:
        return cached
    row = await store.resident_by_id(db, telegram_id)
    return None if row is None else _remember(db, _from_row(row))


async def touch_resident(
    db: Database,
    telegram_id: int,
    *,
    first_name: str | None,
    last_name: str | None,
    username: str | None,
    language_code: str | None,
) -> Resident:
    """Load the resident who sent an update, creating or refreshing the row only when needed.

    No statement in the common case (the resident is cached), one read after a restart; a write only
    for a new person, changed Telegram profile fields, or a resident who had blocked the bot and writes
    again (then ``active`` becomes true).
    """
    first_name = first_name or ""
    current = await get_resident(db, telegram_id)
    if current is not None:
        if (
            current.first_name == first_name and current.last_name == last_name and current.username == username
            and current.language_code == language_code and current.active
        ):
            return current
    now = now_db()
    async with db.transaction() as tx:
        row = await store.upsert_resident(tx, telegram_id, first_name=first_name, last_name=last_name,
                                          username=username, language_code=language_code, at=now)
    return _remember(db, _from_row(row))


async def set_locale(db: Database, telegram_id: int, locale: str) -> None:
    """Save the resident's language.

    Raises:
        UnsupportedLocale: ``locale`` is not one of :data:`LOCALES`.
        NotFound: no such resident.
    """
    if locale not in LOCALES:
        raise UnsupportedLocale(f"unsupported locale {locale!r}")
    async with db.transaction() as tx:
        changed = await store.set_locale(tx, telegram_id, locale, now_db())
    _forget(db, telegram_id)
    if not changed:
        raise NotFound("resident")


_LANGUAGE_NAMES = {
    "ky": frozenset({"кыргызча", "кыргыз", "кыргызский", "киргизский", "кыргызском", "киргизском", "kyrgyz",
                     "kyrgyzcha", "kyrgyzsha", "kirgiz", "kirgizskiy", "kyrgyzskiy", "ky", "kg"}),
    "ru": frozenset({"русский", "русском", "русча", "орусча", "орус", "рус", "russian", "russkiy", "russkii",
                     "orussha", "oruscha", "rus", "ru"}),
}
"""Names people type for each of :data:`LOCALES`, folded (:func:`bot.domain.text.fold`)."""
_LANGUAGE_WORDS = frozenset({"тили", "тил", "тилинде", "тилде", "язык", "языке", "на", "tili", "language"})
"""Words around a language's name that say nothing more ("кыргыз тили", "на русском языке")."""
_NOT_LETTERS = re.compile(r"[^\w ]+")


def parse_language(text: str) -> str | None:
    """The language a person typed instead of tapping its button: "кыргызча", "Кыргыз тили", "KYRGYZ",
    "русский", "орусча", "рус", "на русском языке" (any case, with or without Kyrgyz letters and
    punctuation) → ``"ky"`` / ``"ru"``; anything else → ``None``."""
    words = [w for w in _NOT_LETTERS.sub(" ", fold(text)).split() if w not in _LANGUAGE_WORDS]
    name = " ".join(words)
    for locale, names in _LANGUAGE_NAMES.items():
        if name in names:
            return locale
    return None


async def set_municipality(db: Database, telegram_id: int, municipality_code: str) -> None:
    """Save the resident's municipality (must exist and be active).

    Raises:
        UnknownMunicipality: no active municipality with that code.
        NotFound: no such resident.
    """
    async with db.transaction() as tx:
        if not await municipalities_store.is_active(tx, municipality_code):
            raise UnknownMunicipality("municipality", id=municipality_code)
        changed = await store.set_municipality(tx, telegram_id, municipality_code, now_db())
    _forget(db, telegram_id)
    if not changed:
        raise NotFound("resident")


async def require_active_municipality(db: Database, municipality_code: str) -> None:
    """Check that a municipality may be chosen (before asking whether to move there).

    Raises:
        UnknownMunicipality: no active municipality with that code.
    """
    if not await municipalities_store.is_active(db, municipality_code):
        raise UnknownMunicipality("municipality", id=municipality_code)


@dataclass(frozen=True)
class MoveEffects:
    """What a move from one municipality to another changes for a resident, said before they confirm it.

    ``supports_left``: problems of others in the old municipality the resident supports; the supports
    stay on those problems and keep counting (only a resident of that municipality can withdraw them).
    ``code_verification_lost``: the resident is verified by a residence code of the old municipality,
    which counts there only (a phone verification counts everywhere, :mod:`bot.domain.verification`).
    """

    supports_left: int
    code_verification_lost: bool


async def move_effects(db: Database, telegram_id: int, old_code: str, new_code: str) -> MoveEffects:
    """What moving the resident from ``old_code`` to ``new_code`` would change (nothing is changed here)."""
    from bot.domain.problems import supports_in
    from bot.domain.verification import is_verified

    lost = await is_verified(db, telegram_id, old_code) and not await is_verified(db, telegram_id, new_code)
    return MoveEffects(await supports_in(db, telegram_id, old_code), lost)


async def mark_inactive(db: Database, telegram_id: int) -> bool:
    """Record that the resident blocked the bot (Telegram answered 403, or a ``my_chat_member`` update).

    Returns ``True`` when the resident was active before. Mass messages skip inactive residents
    until they write to the bot again (see :func:`touch_resident`).
    """
    async with db.transaction() as tx:
        changed = await store.set_inactive(tx, telegram_id, now_db())
    _forget(db, telegram_id)
    return bool(changed)


async def count_residents(db: Database, municipality_code: str, *, active_only: bool = True) -> int:
    """Number of residents registered in a municipality (active ones only by default)."""
    return await store.count_in_municipality(db, municipality_code, active_only=active_only)


async def claim_prompt(db: Database, chat_id: int, message_id: int) -> bool:
    """Mark a one-shot prompt message as answered; ``False`` if it already was.

    Atomic (a primary key), so of two racing taps on the same button exactly one proceeds.
    Rows older than 7 days are pruned here; Telegram lets old buttons be pressed for ever, and a tap
    on a prompt answered that long ago is handled as a fresh answer.
    """
    now = clock.now()
    async with db.transaction() as tx:
        claimed = await store.claim_prompt(tx, chat_id, message_id, to_db(now))
        if claimed and message_id % 100 == 0:
            await store.prune_prompts(tx, to_db(now - PROMPTS_KEPT))
    return claimed


PROMPTS_KEPT = timedelta(days=7)
"""How long an answered prompt is remembered (see :func:`claim_prompt`)."""
