"""Enqueueing into the outbox: recipients, languages, inactive residents skipped."""

from __future__ import annotations

import pytest

from bot.db import Database
from bot.domain import InvalidInput
from bot.domain.outbox import Audience, Button, Content, LocalizedMessage, enqueue
from bot.domain.residents import mark_inactive, set_municipality, touch_resident
from tests.support import AK_DEBE


async def test_a_municipality_broadcast_queues_each_active_resident_once(db: Database) -> None:
    for rid in range(1, 6):
        await touch_resident(db, rid, first_name="R", last_name=None, username=None, language_code=None)
        await set_municipality(db, rid, AK_DEBE)
    await mark_inactive(db, 5)
    content = Content({"ky": LocalizedMessage("Угуу", [[Button("Барам", callback_data="h:1")]]),
                       "ru": LocalizedMessage("Слушания")})
    async with db.transaction() as tx:
        bid = await enqueue(tx, kind="announcement", audience=Audience.municipality(AK_DEBE), content=content,
                            sender_id=1)
        await enqueue(tx, kind="status", audience=Audience.residents([1, 1, 2, 5, 999]), content=content)
    rows = await db.fetchall("SELECT resident_id FROM deliveries WHERE broadcast_id = ? ORDER BY 1", (bid,))
    assert [r[0] for r in rows] == [1, 2, 3, 4]
    assert await db.fetchval("SELECT total FROM broadcasts WHERE id = ?", (bid,)) == 4
    assert await db.fetchval("SELECT total FROM broadcasts WHERE id = ?", (bid + 1,)) == 2
    stored = Content.from_json(await db.fetchval("SELECT content FROM broadcasts WHERE id = ?", (bid,)))
    assert stored.for_locale("ru").text == "Слушания"
    assert stored.for_locale(None).text == "Угуу"
    assert stored.for_locale("ky").buttons[0][0].callback_data == "h:1"


def test_content_rules() -> None:
    with pytest.raises(InvalidInput):
        Content({})
    with pytest.raises(InvalidInput):
        Content({"en": LocalizedMessage("x")})
    with pytest.raises(InvalidInput):
        Button("x", callback_data="ы" * 33).to_json()
    only_ru = Content({"ru": LocalizedMessage("Только по-русски")})
    assert only_ru.for_locale("ky").text == "Только по-русски"
