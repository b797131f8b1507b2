"""Time in one place: everything is stored in UTC as ISO 8601 text, shown in Asia/Bishkek.

Tests replace :data:`clock` (``clock.now = lambda: …``) to move time without sleeping.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime


class Clock:
    """Source of the current time; ``now()`` returns an aware UTC datetime."""

    def __init__(self, now: Callable[[], datetime] | None = None) -> None:
        self._now = now or (lambda: datetime.now(UTC))

    def now(self) -> datetime:
        """Current time, aware, in UTC."""
        value = self._now()
        if value.tzinfo is None:
            raise ValueError("clock must return aware datetimes")
        return value.astimezone(UTC)

    def set(self, now: Callable[[], datetime] | None) -> None:
        """Replace the time source (``None`` restores the system clock)."""
        self._now = now or (lambda: datetime.now(UTC))


clock = Clock()


def to_db(value: datetime) -> str:
    """Serialize an aware datetime as UTC ISO text with a ``Z``, second precision: ``2026-11-29T21:24:47Z``."""
    if value.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_db(value: str) -> datetime:
    """Parse text written by :func:`to_db` back into an aware UTC datetime."""
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def now_db() -> str:
    """:func:`to_db` of :meth:`Clock.now`."""
    return to_db(clock.now())
