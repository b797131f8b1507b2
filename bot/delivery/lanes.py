"""Fair order of the outbox: which broadcast sends next, and how much goes before a broadcast.

Every unfinished broadcast is a :class:`Lane`. Lanes are served one message at a time in this order:

1. **urgent** lanes before all others (:func:`is_urgent`: few recipients — status notices,
   verification, replies to a button, anything of at most :data:`SMALL_BROADCAST` recipients — or
   a time-bound kind such as a "1 hour before the hearing" reminder), so they never wait behind a
   big announcement;
2. within a class, **municipalities share equally**, and within a municipality its **broadcasts
   share equally**: each lane and each municipality counts the messages it was given (``served``);
   the one given least goes next. A lane or municipality that appears starts at the least count of
   those already active, so it shares from then on rather than catching up.

:func:`ahead_of` turns the same rules into the number of other messages sent before a broadcast's
last one, for the sender's time estimate (``bot.delivery.progress``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

SMALL_BROADCAST = 50
"""A broadcast to at most this many recipients is urgent whatever its kind."""
URGENT_KIND_MARKERS = ("status", "reminder", "verification", "cancelled", "changed", "duplicate", "hidden",
                       "reopened", "proposed")
"""A broadcast whose ``kind`` contains one of these is urgent whatever its size (time-bound notices:
``problem.status``, ``hearing_reminder_1h``, ``hearing_cancelled``...)."""


def is_urgent(kind: str, total: int) -> bool:
    """Whether a broadcast of ``kind`` to ``total`` recipients goes before the others."""
    return total <= SMALL_BROADCAST or any(marker in kind for marker in URGENT_KIND_MARKERS)


@dataclass
class Lane:
    """One unfinished broadcast as the worker schedules it.

    ``buffer`` holds due rows read ahead (in id order, after ``cursor``); ``parked`` rows whose chat
    was busy, with the ``time.monotonic()`` at which to look again; ``inflight`` counts rows being
    sent; ``dormant_until`` is when to read the outbox again after nothing was due.
    """

    broadcast_id: int
    kind: str
    municipality: str | None
    total: int
    urgent: bool
    served: int = 0
    cursor: int = 0
    inflight: int = 0
    dormant_until: float = 0.0
    started: bool = False
    buffer: deque[Any] = field(default_factory=deque)
    parked: list[tuple[float, Any]] = field(default_factory=list)


class Lanes:
    """The active lanes and the fair order among them (see the module docstring)."""

    def __init__(self) -> None:
        self.lanes: dict[int, Lane] = {}
        self._municipality_served: dict[tuple[bool, str | None], int] = {}

    def sync(self, broadcasts: Iterable[tuple[int, str, str | None, int]]) -> list[Lane]:
        """Make the lanes those of ``broadcasts`` (``(id, kind, municipality_code, total)`` of every
        unfinished broadcast); returns the lanes that are new."""
        seen: set[int] = set()
        new: list[Lane] = []
        for broadcast_id, kind, municipality, total in broadcasts:
            seen.add(broadcast_id)
            if broadcast_id in self.lanes:
                continue
            urgent = is_urgent(kind, total)
            peers = [lane.served for lane in self.lanes.values()
                     if lane.urgent == urgent and lane.municipality == municipality]
            lane = Lane(broadcast_id, kind, municipality, total, urgent, served=min(peers, default=0))
            key = (urgent, municipality)
            active = self._active_municipalities()
            if key not in active:
                self._municipality_served[key] = min(
                    (self._municipality_served.get(k, 0) for k in active if k[0] == urgent), default=0)
            self.lanes[broadcast_id] = lane
            new.append(lane)
        for broadcast_id in [b for b in self.lanes if b not in seen]:
            del self.lanes[broadcast_id]
        live = self._active_municipalities()
        self._municipality_served = {k: v for k, v in self._municipality_served.items() if k in live}
        return new

    def _active_municipalities(self) -> set[tuple[bool, str | None]]:
        return {(lane.urgent, lane.municipality) for lane in self.lanes.values()}

    def order(self) -> list[Lane]:
        """The lanes in the order they are offered the next send slot."""
        served = self._municipality_served
        return sorted(self.lanes.values(), key=lambda lane: (
            not lane.urgent, served.get((lane.urgent, lane.municipality), 0), lane.served, lane.broadcast_id))

    def served(self, lane: Lane) -> None:
        """``lane`` was given one send."""
        lane.served += 1
        key = (lane.urgent, lane.municipality)
        self._municipality_served[key] = self._municipality_served.get(key, 0) + 1


@dataclass(frozen=True)
class Backlog:
    """What one unfinished broadcast still has to send, for :func:`ahead_of`."""

    broadcast_id: int
    urgent: bool
    municipality: str | None
    remaining: int


def ahead_of(backlogs: Iterable[Backlog], broadcast_id: int) -> int:
    """Messages of other broadcasts expected to be sent before the last one of ``broadcast_id``
    under the order of :class:`Lanes` (as if no more broadcasts came): all of the urgent class when
    it is not urgent itself; in its class, each other municipality up to what its own municipality
    sends by then, and each broadcast of its municipality up to its own remaining count.

    Returns 0 when ``broadcast_id`` is not among ``backlogs``.
    """
    items = list(backlogs)
    target = next((b for b in items if b.broadcast_id == broadcast_id), None)
    if target is None:
        return 0
    ahead = 0
    if not target.urgent:
        ahead += sum(b.remaining for b in items if b.urgent)
    same_class = [b for b in items if b.urgent == target.urgent]
    own = [b for b in same_class if b.municipality == target.municipality]
    own_work = sum(min(b.remaining, target.remaining) for b in own)  # includes the target itself
    ahead += own_work - target.remaining
    others: dict[str | None, int] = {}
    for b in same_class:
        if b.municipality != target.municipality:
            others[b.municipality] = others.get(b.municipality, 0) + b.remaining
    ahead += sum(min(total, own_work) for total in others.values())
    return ahead
