"""The one sending budget of the bot: direct replies first, the outbox takes what is left.

Telegram's limits (Bots FAQ, "My bot is hitting limits, how do I avoid this?"):

* about **30 messages per second** over all chats ("avoid sending more than 30 messages per second");
  with ``allow_paid_broadcast`` up to 1,000 per second for a fee;
* about **1 message per second in one chat** ("We may allow short bursts that go over this limit,
  but eventually you'll begin receiving 429 errors");
* at most **20 messages per minute in one group** (Bots FAQ): the outbox spaces messages to a group or
  channel (a negative chat id: linked chats, issue 14) by at least :data:`GROUP_INTERVAL`.

When a limit is exceeded Telegram answers 429 with ``retry_after`` seconds (Bot API,
ResponseParameters); Telegram does not say which limit it was.

:class:`SendBudget` is shared by every sender of one bot process — the application's Bot (through
:class:`bot.send.middleware.SendPathMiddleware`) and the outbox worker (``bot.delivery.worker``):

* **global window**: at most :attr:`SendBudget.capacity` messages start in any 1-second window
  (Telegram's 30 minus one of margin for timing jitter on the way). A reply waits only when the
  window is full; while a reply waits, the outbox takes no slot.
* **outbox pace**: evenly spaced slots at ``DELIVERY_RATE`` (never a burst), and the outbox leaves
  :data:`REPLY_HEADROOM` places of the window free, so a reply arriving finds one.
* **per chat**: the outbox sends to a chat only ``DELIVERY_PER_CHAT_INTERVAL`` after the last message
  there, from anyone. Replies are not held back in advance: a person tapping quickly through a few
  screens gets each answer at once (Telegram allows short bursts in a chat), and the 429 retry covers
  a burst Telegram refuses; after a chat's own 429, replies there are spaced by the interval for a
  while (no more bursts into a chat Telegram just refused).
* **429**: :meth:`SendBudget.flood` holds the chat for exactly ``retry_after`` when the chat had a
  message within the interval (the chat's own flood), otherwise it also pauses the outbox for
  exactly ``retry_after`` (a global flood). Nothing is paused longer than Telegram asked, and a
  chat's flood pauses no other chat.

All methods must be called from the event loop that sends (one budget per loop; not thread-safe).
Times are ``time.monotonic()`` seconds.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Hashable

TELEGRAM_RATE = 30.0
"""Messages per second over all chats that Telegram accepts from one bot (Bots FAQ)."""
WINDOW = 1.0
"""Seconds of the sliding window in which the global and the outbox limits are counted."""
GROUP_INTERVAL = 3.0
"""Seconds between two outbox messages in one group or channel (Telegram: 20 per minute)."""
REPLY_HEADROOM = 1
"""Places of the global window the outbox leaves free for replies."""
REPLY_BURST = 3
"""Per-chat intervals a chat stays strict after its own 429 (beyond ``retry_after``), and a burst's length
for bookkeeping."""
_FORGET_AFTER = 4096
"""Per-chat entries kept before the ones whose spacing has passed are dropped."""

ChatKey = Hashable
"""A ``chat_id`` as the Bot API takes it: an int or an ``@username`` string."""


class SendBudget:
    """The shared sending budget (see the module docstring).

    Args:
        bulk_rate: outbox messages per second (``DELIVERY_RATE``, or ``PAID_BROADCAST_RATE`` with ``paid``).
        per_chat_interval: seconds between two messages in one chat (``DELIVERY_PER_CHAT_INTERVAL``).
        total_rate: messages per second over all chats; by default Telegram's 30, unless the outbox
            alone is configured faster (a local Bot API server, tests): then ``bulk_rate`` + 5.
        paid: outbox messages go with ``allow_paid_broadcast`` and are not counted in the free window.

    Raises:
        ValueError: a rate is not positive.
    """

    def __init__(self, bulk_rate: float, per_chat_interval: float = 1.0, *, total_rate: float | None = None,
                 paid: bool = False) -> None:
        self.per_chat_interval = per_chat_interval
        self.configure_bulk(bulk_rate, paid=paid, total_rate=total_rate)
        self._bulk_next = 0.0
        self._bulk_hold = 0.0
        self._window: deque[float] = deque()  # starts of all counted messages (replies and free outbox)
        self._bulk_window: deque[float] = deque()  # starts of outbox messages
        self._replies_waiting = 0
        self._gate = asyncio.Lock()  # outbox requests wait for room in the windows one after the other
        self._chat_last: dict[ChatKey, float] = {}  # last message start or answer in a chat, anyone's
        self._chat_hold: dict[ChatKey, float] = {}  # 429 on that chat: nothing until then
        self._chat_replies: dict[ChatKey, deque[float]] = {}
        self._chat_strict: dict[ChatKey, float] = {}  # after the chat's own flood: no bursts there until then
        self.stats = BudgetStats()

    def configure_bulk(self, bulk_rate: float, *, paid: bool = False, total_rate: float | None = None) -> None:
        """Set the outbox's rate (the worker does, from its settings) and derive the windows.

        Raises:
            ValueError: a rate is not positive.
        """
        if bulk_rate <= 0 or (total_rate is not None and total_rate <= 0):
            raise ValueError("rates must be positive")
        self.bulk_rate = bulk_rate
        self.paid = paid
        self.total_rate = total_rate or (TELEGRAM_RATE if paid or bulk_rate <= TELEGRAM_RATE else bulk_rate + 5)
        self.capacity = max(1, math.floor(self.total_rate * WINDOW) - 1)
        """Messages that may start in any :data:`WINDOW` (Telegram's rate less one of margin)."""
        bulk_cap = max(1, math.floor(bulk_rate * WINDOW))
        self._bulk_cap = bulk_cap if paid else max(1, min(self.capacity - REPLY_HEADROOM, bulk_cap))
        self._bulk_interval = 1.0 / bulk_rate

    # -- state ----------------------------------------------------------------------------------

    @property
    def bulk_paused_until(self) -> float:
        """``time.monotonic()`` until which the outbox sends nothing (a global 429)."""
        return self._bulk_hold

    def chat_held_until(self, chat_id: ChatKey) -> float:
        """``time.monotonic()`` until which nothing may go to ``chat_id`` (its 429), 0 if free."""
        return self._chat_hold.get(chat_id, 0.0)

    def bulk_ready_at(self, chat_id: ChatKey) -> float:
        """When the outbox may next send to ``chat_id`` (per-chat spacing and holds only)."""
        last = self._chat_last.get(chat_id)
        ready = self._chat_hold.get(chat_id, 0.0)
        if last is not None:
            ready = max(ready, last + self.interval_for(chat_id))
        return ready

    def interval_for(self, chat_id: ChatKey) -> float:
        """The outbox's spacing in ``chat_id``: the per-chat interval, at least :data:`GROUP_INTERVAL`
        in a group or channel (negative ids)."""
        if isinstance(chat_id, int) and chat_id < 0:
            return max(self.per_chat_interval, GROUP_INTERVAL)
        return self.per_chat_interval

    def _expire(self, window: deque[float], now: float) -> None:
        while window and window[0] <= now - WINDOW:
            window.popleft()

    def _note_chat(self, chat_id: ChatKey | None, now: float) -> None:
        if chat_id is None:
            return
        self._chat_last[chat_id] = now
        if len(self._chat_last) > _FORGET_AFTER:
            horizon = now - max(self.per_chat_interval, WINDOW) * REPLY_BURST
            self._chat_last = {c: t for c, t in self._chat_last.items() if t > horizon}
            self._chat_hold = {c: t for c, t in self._chat_hold.items() if t > now}
            self._chat_strict = {c: t for c, t in self._chat_strict.items() if t > now}
            self._chat_replies = {c: d for c, d in self._chat_replies.items() if d and d[-1] > horizon}

    # -- replies --------------------------------------------------------------------------------

    async def acquire_reply(self, chat_id: ChatKey | None, *, message: bool = True) -> Ticket:
        """Wait until a direct reply may go to ``chat_id`` and count it. Goes before the outbox.

        Args:
            chat_id: the chat, or ``None`` for a request not bound to one chat.
            message: ``True`` for a request that creates a message (per-chat burst applies);
                ``False`` for an edit (counted in the global window only).
        Returns:
            the :class:`Ticket` to pass to :meth:`flood` if Telegram answers 429.
        """
        waiting = False  # counted in _replies_waiting only while the global window alone makes it wait
        try:
            while True:
                now = time.monotonic()
                wait = 0.0
                if chat_id is not None:
                    wait = self._chat_hold.get(chat_id, 0.0) - now
                    if message and self._chat_strict.get(chat_id, 0.0) > now and chat_id in self._chat_last:
                        wait = max(wait, self._chat_last[chat_id] + self.per_chat_interval - now)
                if wait <= 0:
                    self._expire(self._window, now)
                    if len(self._window) < self.capacity:
                        break
                    wait = self._window[0] + WINDOW - now
                    if not waiting:
                        self._replies_waiting += 1
                        waiting = True
                elif waiting:
                    self._replies_waiting -= 1
                    waiting = False
                self.stats.reply_waits += 1
                await asyncio.sleep(max(wait, 0.001))
        finally:
            if waiting:
                self._replies_waiting -= 1
        self._window.append(now)
        self.stats.replies += 1
        prior = self._chat_last.get(chat_id) if chat_id is not None else None
        if chat_id is not None and message:
            self._chat_replies.setdefault(chat_id, deque()).append(now)
            self._note_chat(chat_id, now)
        return Ticket(now, prior)

    # -- outbox ---------------------------------------------------------------------------------

    async def acquire_bulk(self, chat_id: ChatKey | None, prepare: Callable[[], Awaitable[None]] | None = None,
                           lead: float = 0.05) -> Ticket:
        """Wait for an outbox slot to ``chat_id`` and count it.

        The slot is evenly spaced at ``bulk_rate``, outside a global pause, in a window with room
        left for replies and no reply waiting, and ``per_chat_interval`` after the last message in
        the chat. ``prepare`` is awaited once, about ``lead`` seconds before the slot (the worker
        commits its "sending" mark there, as close to the request as it can be).

        Returns:
            the :class:`Ticket` to pass to :meth:`flood` if Telegram answers 429.
        """
        while True:
            if chat_id is not None:
                delay = self.bulk_ready_at(chat_id) - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            now = time.monotonic()
            slot = max(now, self._bulk_next, self._bulk_hold)
            self._bulk_next = slot + self._bulk_interval
            if prepare is not None:
                if slot - lead > now:
                    await asyncio.sleep(slot - lead - now)
                await prepare()
                prepare = None
                now = time.monotonic()
            if slot > now:
                await asyncio.sleep(slot - now)
            ticket = await self._bulk_gate(chat_id)
            if ticket is not None:
                return ticket

    async def _bulk_gate(self, chat_id: ChatKey | None) -> Ticket | None:
        """Take a place in the windows, in turn (first come, first served among outbox requests);
        ``None`` when a pause began or the chat became busy meanwhile (then a new slot must be
        reserved)."""
        async with self._gate:
            return await self._bulk_gate_in_turn(chat_id)

    async def _bulk_gate_in_turn(self, chat_id: ChatKey | None) -> Ticket | None:
        while True:
            now = time.monotonic()
            if now < self._bulk_hold:
                return None
            if chat_id is not None and self.bulk_ready_at(chat_id) > now:
                return None
            self._expire(self._bulk_window, now)
            self._expire(self._window, now)
            wait = 0.0
            if len(self._bulk_window) >= self._bulk_cap:
                wait = self._bulk_window[0] + WINDOW - now
            if not self.paid:
                if self._replies_waiting:
                    wait = max(wait, 0.5 / self.total_rate)
                elif len(self._window) >= self.capacity - REPLY_HEADROOM:
                    wait = max(wait, self._window[0] + WINDOW - now)
            if wait <= 0:
                self._bulk_window.append(now)
                if not self.paid:
                    self._window.append(now)
                prior = self._chat_last.get(chat_id) if chat_id is not None else None
                self._note_chat(chat_id, now)
                self.stats.bulk += 1
                return Ticket(now, prior)
            self.stats.bulk_waits += 1
            await asyncio.sleep(max(wait, 0.001))

    # -- answers --------------------------------------------------------------------------------

    def answered(self, chat_id: ChatKey | None) -> None:
        """Telegram answered a message to ``chat_id``: the per-chat interval counts from now, so
        the spacing Telegram sees is at least the interval whatever the network delay was."""
        if chat_id is not None:
            self._note_chat(chat_id, time.monotonic())

    def hold_chat(self, chat_id: ChatKey, seconds: float) -> None:
        """Nothing goes to ``chat_id`` for ``seconds`` from now (extends, never shortens, a hold)."""
        until = time.monotonic() + max(0.0, seconds)
        if until > self._chat_hold.get(chat_id, 0.0):
            self._chat_hold[chat_id] = until

    def pause_bulk(self, seconds: float) -> None:
        """The outbox sends nothing for exactly ``seconds`` from now (a global 429)."""
        until = time.monotonic() + max(0.0, seconds)
        if until > self._bulk_hold:
            self._bulk_hold = until
            self.stats.bulk_pauses += 1
            # slots reserved before the pause are taken again after it, evenly: not pushed further
            self._bulk_next = until

    def flood(self, chat_id: ChatKey | None, retry_after: float, ticket: Ticket | None = None) -> str:
        """Record a 429 with ``retry_after`` seconds for the request ``ticket`` to ``chat_id``.

        The chat is held for exactly ``retry_after``. When the chat had another message within
        the per-chat interval before this request, the flood is taken for the chat's own and
        nothing else is paused; otherwise (or without a ticket) it is taken for a global flood
        and the outbox is paused for exactly ``retry_after`` as well. Replies to other chats are
        never paused: each retries its own 429.

        Returns:
            ``"chat"`` or ``"global"``: which flood it was taken for.
        """
        self.stats.floods += 1
        if ticket is not None:  # refused: Telegram did not count it, neither do the windows
            for window in (self._window, self._bulk_window, self._chat_replies.get(chat_id)):
                if window is not None and ticket.started in window:
                    window.remove(ticket.started)
        if chat_id is not None:
            self.hold_chat(chat_id, retry_after)
            if ticket is not None and ticket.prior is not None \
                    and ticket.started - ticket.prior < self.interval_for(chat_id) + 0.05:
                self.stats.chat_floods += 1
                # the chat takes no more bursts for a while: replies there are spaced by the interval
                self._chat_strict[chat_id] = time.monotonic() + retry_after + REPLY_BURST * self.per_chat_interval
                return "chat"
        self.pause_bulk(retry_after)
        return "global"


class Ticket:
    """One counted request: ``started`` (monotonic s) and ``prior``, the last message in its chat
    before it (start or answer, monotonic s; ``None`` when none is remembered)."""

    __slots__ = ("started", "prior")

    def __init__(self, started: float, prior: float | None) -> None:
        self.started = started
        self.prior = prior


class BudgetStats:
    """Counters since the budget was made (for logs and benchmarks)."""

    def __init__(self) -> None:
        self.replies = 0
        self.bulk = 0
        self.reply_waits = 0
        self.bulk_waits = 0
        self.floods = 0
        self.chat_floods = 0
        self.bulk_pauses = 0

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))
