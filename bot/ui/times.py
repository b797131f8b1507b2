"""Quick choices for a date and time an officer would otherwise type (issue 12): "tomorrow 18:00",
"in 3 days", "in a week" as buttons beside the typed ``DD.MM.YYYY HH:MM``.

The moments are whole hours in ``TIMEZONE`` (evening meetings at 18:00 are the rule in ayil okmotus),
on the first days allowed after ``earliest``. A button carries the moment as minutes since the epoch
("t29431080"), so a tap is checked exactly like the same time typed (the step's own rules).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta

from aiogram.types import InlineKeyboardButton

from bot.i18n import display_timezone, format_short_datetime

EVENING = time(18, 0)
"""The hour offered: 18:00, after work in the fields and offices."""

PREFIX = "t"


def evening_choices(earliest: datetime, offsets: Sequence[int] = (0, 2, 6), *, at: time = EVENING) -> list[datetime]:
    """Moments at ``at`` (local) on the first day whose ``at`` is not before ``earliest``, and
    ``offsets`` days after that day; aware UTC. ``earliest`` is aware."""
    zone = display_timezone()
    local = earliest.astimezone(zone)
    first = datetime.combine(local.date(), at, tzinfo=zone)
    if first < earliest:
        first += timedelta(days=1)
    return [(first + timedelta(days=d)).astimezone(UTC) for d in offsets]


def choice_rows(step: object, moments: Sequence[datetime], locale: str | None = None
                ) -> list[list[InlineKeyboardButton]]:
    """One row per moment: a button of ``step`` (a kit step) labelled "📅 4-дек., жума, 18:00"."""
    return [[step.button("📅 " + format_short_datetime(m, locale), f"{PREFIX}{int(m.timestamp()) // 60}")]  # type: ignore[attr-defined]
            for m in moments]


def chosen(value: str) -> datetime | None:
    """The moment a quick-choice button carries, or ``None`` for any other value."""
    if not value.startswith(PREFIX) or not value[1:].isdigit() or len(value) > 12:
        return None
    return datetime.fromtimestamp(int(value[1:]) * 60, tz=UTC)
