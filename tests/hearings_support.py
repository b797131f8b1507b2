"""What the hearing tests share: the moments, the people, a ready draft, and reading queued notices.

The server works in UTC; officers type and residents read Bishkek time (UTC+6).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiogram.fsm.storage.base import StorageKey

from bot.db import Database
from bot.domain import hearings as hr
from bot.domain.clock import to_db
from bot.notices import render_stored
from tests.support import AK_DEBE, grant, make_resident

START = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # Tuesday 1 December, 12:00 in Bishkek
HEARING_AT = datetime(2026, 12, 15, 12, 0, tzinfo=UTC)  # "15.12.2026 18:00" Bishkek, a Tuesday
OFFICER = 700
KY_RES, RU_RES, OTHER = 801, 802, 803


async def make_officer(db: Database, harness, uid: int = OFFICER, locale: str = "ru", code: str = AK_DEBE):
    """A resident of ``code`` made its officer, as a person in the chat."""
    person = harness.person(uid, "Адис", language_code=locale)
    await make_resident(db, uid, locale, code)
    await grant(db, uid, code)
    return person


async def broadcasts(db: Database, kind: str) -> list:
    return await db.fetchall("SELECT * FROM broadcasts WHERE kind LIKE ? ORDER BY id", (kind,))


async def recipients(db: Database, broadcast_id: int) -> set[int]:
    return {r[0] for r in await db.fetchall("SELECT resident_id FROM deliveries WHERE broadcast_id = ?",
                                            (broadcast_id,))}


def text_of(row, locale: str) -> str:
    """A queued broadcast's text as a reader of ``locale`` gets it."""
    import bot.notices.hearings  # noqa: F401  (the renderers register on import)

    return render_stored(row["content"], locale).text


def buttons_of(row, locale: str) -> list[str]:
    """The callback data of a queued broadcast's buttons for a reader of ``locale``."""
    import bot.notices.hearings  # noqa: F401

    return [b.callback_data or "" for line in render_stored(row["content"], locale).rows for b in line]


def draft(**kw: Any) -> hr.Draft:
    base: dict[str, Any] = dict(
        topic="budget_draft", title_ky="2027-жылдын бюджетинин долбоору", title_ru="Проект бюджета на 2027 год",
        agenda_ky="1. Бюджеттин долбоору\n2. Сунуштар", agenda_ru="1. Проект бюджета\n2. Предложения",
        starts_at=to_db(HEARING_AT), place="Айыл өкмөтүнүн чоң залы", latitude=42.87, longitude=74.59)
    base.update(kw)
    return hr.Draft(**base)


async def make_hearing(db: Database, **kw: Any) -> hr.Hearing:
    return await hr.create_hearing(db, officer_id=OFFICER, draft=draft(**kw))


async def open_card(person, hearing_title: str) -> list:
    """/hearings, then the hearing's button (its label is the title's first words, cut to fit a phone)."""
    await person.send("/hearings")
    return await person.press(hearing_title[:20])


async def resident_at_card(harness, db: Database, locale: str = "ru") -> tuple[Any, hr.Hearing, dict[str, Any]]:
    """The officer's hearing (:func:`make_hearing`) and a resident of the municipality reading ``locale``
    (``RU_RES`` Иван or ``KY_RES`` Айгүл) with its card opened from /hearings: (person, hearing, card)."""
    await make_officer(db, harness)
    uid, name = (RU_RES, "Иван") if locale == "ru" else (KY_RES, "Айгүл")
    person = harness.person(uid, name, language_code=locale)
    await make_resident(db, uid, locale)
    hearing = await make_hearing(db)
    await person.send("/hearings")
    card = (await person.press(hearing.title(locale)[:14]))[-1]
    return person, hearing, card


async def to_the_start_step(officer) -> dict:
    """A new budget hearing filled in up to its start time; returns the start step's prompt
    (the officer reads Russian)."""
    await officer.send("/hearing")
    await officer.press("Новые слушания")
    await officer.press("Проект местного бюджета")
    await officer.send("2027-жылдын бюджетинин долбоору")
    await officer.send("Проект бюджета на 2027 год")
    await officer.send("1. Бюджеттин долбоору")
    await officer.press("Готово")
    await officer.send("1. Проект бюджета")
    return (await officer.press("Готово"))[-1]


async def fsm(person) -> tuple[str | None, dict[str, Any]]:
    """The person's current step and draft in the dispatcher's storage."""
    harness = person.harness
    key = StorageKey(harness.bot.id, person.user_id, person.user_id)
    storage = harness.dispatcher.storage
    return await storage.get_state(key), await storage.get_data(key)


async def send_later(person, text: str, seconds: int = 30) -> list:
    """Send ``text`` as if typed ``seconds`` later (not the tail of a split paste)."""
    update = person.emulator.send_text(person.user_id, text)
    update["message"]["date"] += seconds
    return await person._act(update)
