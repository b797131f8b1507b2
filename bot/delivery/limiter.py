"""Rate limits on the sending side: a global pace with a pause for 429, and per-chat spacing.

Telegram: "avoid sending more than 30 messages per second" in total and "more than one message
per second" in one chat (Bots FAQ, "My bot is hitting limits"); with ``allow_paid_broadcast`` up
to 1,000 per second. When it answers 429 it names ``retry_after`` seconds during which the bot
must send nothing (Bot API, ResponseParameters).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable


class GlobalPace:
    """Evenly spaced send slots: at most ``rate`` per second, never a burst.

    Each :meth:`acquire` reserves the next free slot (``1/rate`` s after the previous one) and
    sleeps until it, so concurrent callers need no lock. :meth:`pause` (on 429) pushes every slot,
    including ones already reserved, past the end of the pause.
    """

    def __init__(self, rate: float) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self._interval = 1.0 / rate
        self._next = 0.0
        self._paused_until = 0.0
        self._recent: deque[float] = deque()
        self._window_cap = max(1, int(rate))
        self.pauses = 0
        """How many 429 pauses happened (for logs and benchmarks)."""

    @property
    def paused_until(self) -> float:
        """``time.monotonic()`` value until which nothing may be sent."""
        return self._paused_until

    async def acquire(self, prepare: Callable[[], Awaitable[None]] | None = None, lead: float = 0.05) -> None:
        """Wait for a send slot (outside any pause).

        Besides the even spacing, at most ``rate`` sends start in any 1-second window: when the
        event loop was busy and several slots came due at once, they do not go out as a burst.
        ``prepare`` is awaited once, about ``lead`` seconds before the slot (the worker commits
        its "sending" mark there, so the mark is as close to the request as it can be).
        """
        while True:
            now = time.monotonic()
            slot = max(now, self._next, self._paused_until)
            self._next = slot + self._interval
            if prepare is not None:
                if slot - lead > now:
                    await asyncio.sleep(slot - lead - now)
                await prepare()
                prepare = None
                now = time.monotonic()
            if slot > now:
                await asyncio.sleep(slot - now)
            if await self._window():
                return

    async def _window(self) -> bool:
        """Take a place in the 1-second window (waiting for one to free up); ``False`` if a pause
        began meanwhile (then a new slot must be reserved)."""
        recent = self._recent
        while True:
            now = time.monotonic()
            if now < self._paused_until:
                return False
            while recent and recent[0] <= now - 1.0:
                recent.popleft()
            if len(recent) < self._window_cap:
                recent.append(now)
                return True
            await asyncio.sleep(recent[0] + 1.0 - now)

    def pause(self, seconds: float) -> None:
        """Stop all sending for ``seconds`` from now (Telegram's ``retry_after``)."""
        until = time.monotonic() + max(0.0, seconds)
        if until > self._paused_until:
            self._paused_until = until
            self.pauses += 1
        self._next = max(self._next, self._paused_until)


class ChatSpacing:
    """At most one message per ``interval`` seconds in each chat.

    :meth:`done` is called when Telegram has answered, so the spacing Telegram sees between two
    requests is at least ``interval`` whatever the network delay was.
    """

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._next: dict[int, float] = {}

    async def wait(self, chat_id: int) -> None:
        """Sleep until this chat may receive the next message."""
        delay = self._next.get(chat_id, 0.0) - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)

    def done(self, chat_id: int) -> None:
        """A message to ``chat_id`` was just answered by Telegram."""
        now = time.monotonic()
        self._next[chat_id] = now + self.interval
        if len(self._next) > 4096:  # forget chats whose spacing has passed
            self._next = {cid: t for cid, t in self._next.items() if t > now}

    def hold(self, chat_id: int) -> None:
        """Treat ``chat_id`` as just written to (e.g. by a direct reply the worker did not see)."""
        self.done(chat_id)
