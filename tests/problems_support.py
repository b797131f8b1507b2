"""What the problems tests share: raising a problem through the buttons, the notices queued for
followers (rendered as each recipient reads them), and a text sent later than a split paste's tail."""

from __future__ import annotations

import re

from bot.db import Database
from bot.notices import render_stored
from tests.harness import plain

SKIP = "⏭"
"""The kit's "Skip" button (photos, location)."""


async def raise_problem(person, text: str, category_label: str) -> int:
    """Raise a problem through the buttons (no photos, no location); returns its id."""
    await person.send("/newproblem")
    await person.press(category_label)
    await person.send(text)
    await person.press(SKIP)  # photos
    await person.press(SKIP)  # location
    replies = await person.press("✅")
    return int(re.search(r"[#№](\d+)", plain(replies[-1])).group(1))


async def deliveries(db: Database, kind: str) -> list[tuple[int, str]]:
    """``(resident id, stored content)`` of every delivery of broadcasts of ``kind``, by resident."""
    rows = await db.fetchall(
        "SELECT d.resident_id, b.content FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id"
        " WHERE b.kind = ? ORDER BY d.resident_id", (kind,))
    return [(r[0], r[1]) for r in rows]


def text_of(content: str, locale: str) -> str:
    """A stored broadcast as a reader of ``locale`` receives it."""
    return render_stored(content, locale).text


def buttons_of(content: str, locale: str) -> list[tuple[str, str | None]]:
    """``(label, callback data)`` of a stored broadcast's buttons in ``locale``, row by row."""
    return [(b.text, b.callback_data) for row in render_stored(content, locale).rows for b in row]


async def send_later(person, text: str, seconds: int = 30):
    """Send ``text`` as typed ``seconds`` after the previous message (not the tail of a split paste)."""
    update = person.emulator.send_text(person.user_id, text)
    update["message"]["date"] += seconds
    return await person._act(update)


async def open_card(person, problem_id: int):
    """Open a card by its button data (from a fresh /problems screen)."""
    home = (await person.send("/problems"))[0]  # after it, perhaps a note that a left form is kept
    return await person.press_data(home["message_id"], f"pb:open:{problem_id}:0:r")
