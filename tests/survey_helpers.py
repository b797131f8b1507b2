"""What the survey tests share: the clock start, an officer, residents who joined long ago, a draft,
a message to hang crafted button presses on, and reading queued notices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.db import Database
from bot.domain import surveys as sv
from bot.domain.clock import to_db
from bot.notices import Rendered, render_stored
from tests.support import AK_DEBE, grant
from tests.support import make_resident as _make_resident

START = datetime(2026, 12, 10, 6, 0, tzinfo=UTC)  # 12:00 in Bishkek
CLOSE_UTC = datetime(2026, 12, 15, 12, 0, tzinfo=UTC)  # "15.12.2026 18:00" Bishkek
OFFICER = 700


async def make_resident(db: Database, uid: int, locale: str = "ky", code: str = AK_DEBE, *,
                        joined: datetime | None = None) -> None:
    """A registered resident who joined long ago unless told otherwise (the burst flag looks at it)."""
    await _make_resident(db, uid, locale, code)
    async with db.transaction() as tx:
        await tx.execute("UPDATE residents SET joined_at = ? WHERE telegram_id = ?",
                         (to_db(joined or START - timedelta(days=30)), uid))


async def established(db: Database, code: str = AK_DEBE, first_uid: int = 50_000) -> None:
    """Give ``code`` :data:`bot.domain.surveys.model.ROLLOUT_BASE` residents who joined a month before
    START: the bot is established there, so a burst of recent joiners is worth telling the officer."""
    from bot.domain.surveys.model import ROLLOUT_BASE

    async with db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO residents (telegram_id, first_name, locale, municipality_code, joined_at, updated_at)"
            " VALUES (?, 'R', 'ky', ?, ?, ?)",
            [(first_uid + i, code, to_db(START - timedelta(days=30)), to_db(START - timedelta(days=30)))
             for i in range(ROLLOUT_BASE)])


async def make_officer(db: Database, harness, uid: int = OFFICER, locale: str = "ru", code: str = AK_DEBE):
    """An officer of ``code`` reading ``locale``, as a person of the harness."""
    person = harness.person(uid, "Адис", language_code=locale)
    await make_resident(db, uid, locale, code)
    await grant(db, uid, code)
    return person


def draft(**kw) -> sv.Draft:
    """A three-option draft in both languages, open from START until CLOSE_UTC."""
    base = dict(question_ky="Кайсы жолду оңдойбуз?", question_ru="Какую дорогу ремонтировать?",
                options=[["Мектеп көчөсү", "Школьная улица", None], ["Базар көчөсү", "Рыночная улица", None],
                         ["Көпүрө", "Мост", None]],
                max_choices=1, opens_at=to_db(START), closes_at=to_db(CLOSE_UTC))
    base.update(kw)
    return sv.Draft(**base)


async def anchor(person) -> int:
    """A bot message in the person's chat to hang a crafted button press on (the announcement stands in)."""
    await person.send("/surveys")
    return person.last()["message_id"]


def last_alert(person) -> str:
    return person.alerts()[-1]["text"] or ""


async def broadcasts(db: Database, kind: str) -> list:
    return await db.fetchall("SELECT * FROM broadcasts WHERE kind = ? ORDER BY id", (kind,))


def rendered(row, locale: str) -> Rendered:
    """A queued broadcast as a reader of ``locale`` receives it."""
    return render_stored(row["content"], locale)
