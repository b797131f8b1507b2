"""Progress for the person who started a broadcast, and the state of broadcasts for the CLI.

The sender (``broadcasts.sender_id``) sees one progress message — delivered / not delivered /
left, and an estimate of the time left — edited at most every ``DELIVERY_PROGRESS_INTERVAL``
seconds (Telegram limits edits like messages), then a final summary as a new message, so the
phone notifies them. Texts are in the sender's own language, numbers formatted by Babel.

The estimate accounts for the queue: the outbox shares its rate among broadcasts
(:mod:`bot.delivery.lanes`), so the time left is (this broadcast's remaining messages + the
messages of other broadcasts expected before its last one, :func:`~bot.delivery.lanes.ahead_of`)
divided by the outbox's recent rate (at most the configured one). The progress message appears as
soon as the broadcast is queued, with the number of other broadcasts' messages ahead of it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from babel.dates import format_timedelta

from bot.db import Database, storage_fault
from bot.delivery.lanes import Backlog, is_urgent
from bot.domain.clock import from_db, now_db
from bot.domain.residents import get_resident
from bot.i18n import _, choose_locale, format_number, use_locale
from bot.store import outbox as outbox_store

if TYPE_CHECKING:
    from bot.delivery.worker import DeliveryWorker

log = logging.getLogger(__name__)

CHECK_EVERY = 1.0
"""Seconds between looks at unfinished broadcasts."""

SMALL_BROADCAST = 50
"""A broadcast to at most this many residents is done in a few seconds: its sender gets one message
(issue 12) — no progress message of its own, and a progress message the handler already showed
(the announcement's "queued") becomes the summary instead of a second message after it."""


@dataclass(frozen=True)
class BroadcastState:
    """Counts of one broadcast's deliveries (``failed`` includes skipped inactive residents)."""

    id: int
    kind: str
    municipality_code: str | None
    sender_id: int | None
    total: int
    sent: int
    failed: int
    blocked: int
    queued: int
    possible_duplicates: int
    paid: bool
    created_at: str
    started_at: str | None
    finished_at: str | None
    municipality_name: str | None = None
    """Russian name of ``municipality_code`` (municipalities.name_ru), ``None`` when there is none."""

    @property
    def remaining(self) -> int:
        """Deliveries neither sent nor failed yet."""
        return self.queued


async def broadcast_state(db: Database, broadcast_id: int) -> BroadcastState | None:
    """The counts of one broadcast, or ``None`` if there is no such broadcast."""
    states = await broadcast_states(db, ids=[broadcast_id])
    return states[0] if states else None


async def broadcast_states(db: Database, *, limit: int = 20, ids: list[int] | None = None) -> list[BroadcastState]:
    """The newest ``limit`` broadcasts (or those with ``ids``), newest first, with their counts (two queries)."""
    rows = await outbox_store.broadcasts(db, ids=ids, limit=limit)
    counts = await outbox_store.delivery_counts(db, [b["id"] for b in rows])
    states = []
    for b in rows:
        c = counts.get(b["id"])
        n = {k: int(c[k] or 0) if c is not None else 0 for k in _COUNTS}
        states.append(BroadcastState(
            id=b["id"], kind=b["kind"], municipality_code=b["municipality_code"], sender_id=b["sender_id"],
            total=b["total"], sent=n["sent"], failed=n["failed"] + n["skipped"],
            blocked=n["blocked"] + n["skipped"], queued=n["queued"] + n["sending"],
            possible_duplicates=n["possible_duplicates"], paid=bool(b["paid"]), created_at=b["created_at"],
            started_at=b["started_at"], finished_at=b["finished_at"], municipality_name=b["municipality_name"],
        ))
    return states


_COUNTS = ("sent", "failed", "skipped", "queued", "sending", "blocked", "possible_duplicates")


def _local_time(value: str | None, tz: tzinfo) -> str:
    """A stored UTC time as ``2026-11-30 04:44 +06`` in ``tz`` (the zone's abbreviation marks it), or "—"."""
    if not value:
        return "—"
    return from_db(value).astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")


def broadcasts_table(states: list[BroadcastState], tz: tzinfo) -> list[str]:
    """Lines of the ``python -m bot broadcasts`` table: one header line, one line per broadcast.

    Nothing is cut: ``kind`` whole, the municipality as "Russian name (code)", the sender's Telegram
    id (or "—" for broadcasts the bot started itself), times in ``tz`` (settings.tz, Asia/Bishkek)
    with the zone shown. Column widths fit the longest value.
    """
    header = ("id", "kind", "municipality", "sender", "total", "sent", "failed", "queued", "dupes?", "paid",
              "started", "finished")
    right = {0, 3, 4, 5, 6, 7, 8}
    rows = [header]
    for b in states:
        if b.municipality_code:
            place = f"{b.municipality_name} ({b.municipality_code})" if b.municipality_name else b.municipality_code
        else:
            place = "—"
        rows.append((
            str(b.id), b.kind, place, str(b.sender_id) if b.sender_id is not None else "—", str(b.total), str(b.sent),
            str(b.failed), str(b.queued), str(b.possible_duplicates), "yes" if b.paid else "no",
            _local_time(b.started_at, tz), _local_time(b.finished_at, tz),
        ))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return [" ".join(cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
            for row in rows]


def eta_text(seconds: float, locale: str) -> str:
    """Time left as words in ``locale`` ("7 мүнөт", "7 минут"), by Babel; at least one second."""
    return format_timedelta(timedelta(seconds=max(1.0, seconds)), locale=locale, threshold=1.1)


def progress_text(state: BroadcastState, eta_seconds: float, locale: str, ahead: int = 0) -> str:
    """The progress message while a broadcast is being sent; ``ahead``: messages of other
    broadcasts expected before its last one (a line is added when there are any)."""
    text = _(
        "📣 Sending to residents…\n"
        "Delivered: {sent} of {total}\n"
        "Not delivered: {failed}\n"
        "Left: {remaining}, about {eta}",
        locale=locale,
    ).format(
        sent=format_number(state.sent, locale), total=format_number(state.total, locale),
        failed=format_number(state.failed, locale), remaining=format_number(state.remaining, locale),
        eta=eta_text(eta_seconds, locale),
    )
    if ahead > 0:
        text += "\n" + _("Queued ahead from other broadcasts: {count}", locale=locale).format(
            count=format_number(ahead, locale))
    return text


def done_text(state: BroadcastState, locale: str) -> str:
    """What the progress message turns into when the broadcast is finished."""
    return _(
        "📣 Sent to residents.\n"
        "Delivered: {sent} of {total}\n"
        "Not delivered: {failed}",
        locale=locale,
    ).format(
        sent=format_number(state.sent, locale), total=format_number(state.total, locale),
        failed=format_number(state.failed, locale),
    )


def summary_text(state: BroadcastState, locale: str) -> str:
    """The final summary for the sender."""
    return _(
        "✅ Sending finished.\n"
        "Delivered: {sent} of {total}\n"
        "Not delivered: {failed}, of them blocked the bot or left Telegram: {blocked}",
        locale=locale,
    ).format(
        sent=format_number(state.sent, locale), total=format_number(state.total, locale),
        failed=format_number(state.failed, locale), blocked=format_number(state.blocked, locale),
    )


class ProgressReporter:
    """Finishes broadcasts whose deliveries are all done and keeps their senders informed."""

    def __init__(self, worker: DeliveryWorker) -> None:
        self.worker = worker
        self.db = worker.db
        self.interval = worker.settings.delivery_progress_interval
        self._last_edit: dict[int, float] = {}

    async def run(self) -> None:
        while True:
            try:
                await self.check()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - progress must never stop the deliveries
                if storage_fault(error) is None:  # an outage is logged by the database, once
                    log.exception("delivery progress failed")
            await asyncio.sleep(CHECK_EVERY)

    async def check(self) -> None:
        """One round: finish what is done, update progress messages that are due."""
        rows = await outbox_store.unfinished_broadcasts(self.db)
        states = {state.id: state for state in await broadcast_states(self.db, ids=[row["id"] for row in rows])}
        backlogs = [Backlog(row["id"], is_urgent(row["kind"], row["total"]), row["municipality_code"],
                            states[row["id"]].remaining) for row in rows if row["id"] in states]
        for row in rows:
            state = states.get(row["id"])
            if state is None:
                continue
            if state.queued == 0:
                await self._finish(row, state)
            elif row["sender_id"] is not None and (state.total > SMALL_BROADCAST or row["progress_message_id"] is not None):
                last = self._last_edit.get(row["id"])
                if last is None or time.monotonic() - last >= self.interval:
                    ahead = self.worker.queue_ahead(backlogs, row["id"])
                    await self._show(row, state, self.eta(state, ahead), ahead)

    def eta(self, state: BroadcastState, ahead: int = 0) -> float:
        """Seconds until ``state``'s last message: its remaining ones and the ``ahead`` messages of
        other broadcasts, at the outbox's recent rate (the configured rate before there is one)."""
        rate = min(self.worker.recent_rate() or self.worker.rate, self.worker.rate)
        return (state.remaining + ahead) / max(rate, 0.1)

    async def _locale(self, telegram_id: int) -> str:
        resident = await get_resident(self.db, telegram_id)
        default = self.worker.settings.default_locale
        return choose_locale(resident.locale, resident.language_code, default) if resident else default

    async def _show(self, row: Any, state: BroadcastState, eta: float, ahead: int = 0) -> None:
        sender = row["sender_id"]
        locale = await self._locale(sender)
        text = progress_text(state, eta, locale, ahead)
        self._last_edit[state.id] = time.monotonic()
        await self._put(row, sender, text, locale)

    async def _put(self, row: Any, sender: int, text: str, locale: str) -> None:
        """Edit the progress message (or send it the first time / when it is gone), with "« Main menu"
        in ``locale``: the summary it becomes is the last word in the sender's chat (issue 12)."""
        chat_id = row["progress_chat_id"] or sender
        message_id = row["progress_message_id"]
        markup = _menu(locale)
        try:
            if message_id is not None:
                try:
                    await self.worker.send_control(
                        chat_id, lambda bot: bot.edit_message_text(text=text, chat_id=chat_id, message_id=message_id,
                                                                  reply_markup=markup))
                    return
                except TelegramBadRequest as exc:
                    if "not modified" in exc.message:
                        return
                    if "not found" not in exc.message and "can't be edited" not in exc.message:
                        raise
            message = await self.worker.send_control(chat_id, lambda bot: bot.send_message(chat_id, text,
                                                                                           reply_markup=markup))
        except TelegramAPIError as exc:
            log.info("could not show progress of broadcast %s to %s: %s", row["id"], sender, exc)
            return
        async with self.db.transaction() as tx:
            await outbox_store.set_progress_message(tx, row["id"], chat_id=chat_id, message_id=message.message_id,
                                                    at=now_db())

    async def _finish(self, row: Any, state: BroadcastState) -> None:
        """Tell the sender, then mark the broadcast finished (a crash in between repeats the summary
        rather than losing it)."""
        self._last_edit.pop(state.id, None)
        sender = row["sender_id"]
        if sender is not None:
            locale = await self._locale(sender)
            if row["progress_message_id"] is not None and state.total <= SMALL_BROADCAST:
                await self._put(row, sender, summary_text(state, locale), locale)  # one message: the summary
            else:
                if row["progress_message_id"] is not None:
                    await self._put(row, sender, done_text(state, locale), locale)
                try:
                    await self.worker.send_control(
                        sender, lambda bot: bot.send_message(sender, summary_text(state, locale),
                                                             reply_markup=_menu(locale)))
                except TelegramAPIError as exc:
                    log.info("could not send the summary of broadcast %s: %s", state.id, exc)
        async with self.db.transaction() as tx:
            await outbox_store.finish_broadcast(tx, row["id"], now_db())
        log.info("broadcast %s finished: %s sent, %s failed, %s possible duplicates",
                 state.id, state.sent, state.failed, state.possible_duplicates)


def _menu(locale: str) -> Any:
    """"« Main menu" in ``locale``, under the sender's progress message and summary (issue 12)."""
    from bot.ui.keyboards import menu_keyboard  # the reporter renders through bot.ui; lazy like bot.notices

    with use_locale(locale):
        return menu_keyboard()
