"""SQL of the outbox: ``broadcasts`` and their ``deliveries`` (migration 0002).

Three users: :mod:`bot.domain.outbox` (enqueue, in the caller's transaction),
:mod:`bot.domain.announcements` (a draft's broadcast, the progress message) and the delivery worker
(:mod:`bot.delivery`): its reads here, and its state changes as :class:`Write` values that
:class:`~bot.delivery.journal.Journal` group-commits with :func:`apply_writes`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from bot.db import Transaction
from bot.store import Reader

# -- enqueue ----------------------------------------------------------------------------------


async def broadcast_by_dedup_key(db: Reader, dedup_key: str) -> sqlite3.Row | None:
    """``(id, total)`` of the broadcast queued with this ``dedup_key``, or ``None``."""
    return await db.fetchone("SELECT id, total FROM broadcasts WHERE dedup_key = ?", (dedup_key,))


async def insert_broadcast(tx: Transaction, *, kind: str, municipality_code: str | None, sender_id: int | None,
                           show_progress: bool, content: str, created_at: str, dedup_key: str | None) -> int:
    """A new broadcast (``total`` 0 until :func:`count_recipients`); returns its id."""
    return int(await tx.fetchval(
        "INSERT INTO broadcasts (kind, municipality_code, sender_id, show_progress, content, created_at, dedup_key)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (kind, municipality_code, sender_id, int(show_progress), content, created_at, dedup_key),
    ))


async def queue_municipality(tx: Transaction, broadcast_id: int, municipality_code: str) -> None:
    """Queue one delivery per active resident of the municipality, in Telegram id order."""
    await tx.execute(
        "INSERT INTO deliveries (broadcast_id, resident_id) SELECT ?, telegram_id FROM residents"
        " WHERE municipality_code = ? AND active = 1 ORDER BY telegram_id",
        (broadcast_id, municipality_code),
    )


async def queue_residents(tx: Transaction, broadcast_id: int, resident_ids: Sequence[int]) -> None:
    """Queue one delivery per listed resident who is stored and active (one per resident and broadcast)."""
    if not resident_ids:
        return
    await tx.executemany(
        "INSERT INTO deliveries (broadcast_id, resident_id) SELECT ?, telegram_id FROM residents"
        " WHERE telegram_id = ? AND active = 1 ON CONFLICT (broadcast_id, resident_id) DO NOTHING",
        [(broadcast_id, rid) for rid in resident_ids],
    )


async def count_recipients(tx: Transaction, broadcast_id: int) -> int:
    """Set the broadcast's ``total`` to its number of deliveries and return it."""
    return int(await tx.fetchval(
        "UPDATE broadcasts SET total = (SELECT count(*) FROM deliveries WHERE broadcast_id = ?)"
        " WHERE id = ? RETURNING total",
        (broadcast_id, broadcast_id),
    ))


async def broadcast_total(db: Reader, broadcast_id: int) -> int:
    """The broadcast's number of recipients (``total``)."""
    return int(await db.fetchval("SELECT total FROM broadcasts WHERE id = ?", (broadcast_id,)))


async def finish_broadcast(tx: Transaction, broadcast_id: int, at: str) -> int:
    """Mark the broadcast finished at ``at`` unless it already is; returns the rows changed (0 or 1)."""
    return await tx.execute(
        "UPDATE broadcasts SET finished_at = ? WHERE id = ? AND finished_at IS NULL", (at, broadcast_id)
    )


async def set_progress_message(tx: Transaction, broadcast_id: int, *, chat_id: int, message_id: int, at: str,
                               sender_id: int | None = None) -> int:
    """Record the message showing the broadcast's progress (only if ``sender_id``, when given, sent it);
    returns the rows changed (0: no such broadcast of that sender)."""
    sql = ("UPDATE broadcasts SET progress_chat_id = ?, progress_message_id = ?, progress_updated_at = ?"
           " WHERE id = ?")
    params: tuple[Any, ...] = (chat_id, message_id, at, broadcast_id)
    if sender_id is not None:
        sql += " AND sender_id = ?"
        params += (sender_id,)
    return await tx.execute(sql, params)


# -- the delivery worker's reads --------------------------------------------------------------


async def count_unfinished(db: Reader) -> int:
    """Number of broadcasts not finished yet."""
    return int(await db.fetchval("SELECT count(*) FROM broadcasts WHERE finished_at IS NULL"))


async def unfinished_broadcasts(db: Reader) -> list[sqlite3.Row]:
    """Unfinished broadcasts, oldest first: ``id, kind, municipality_code, total, sender_id`` (``NULL``
    unless the sender is shown progress), ``started_at``, ``progress_chat_id``, ``progress_message_id``."""
    return await db.fetchall(
        "SELECT id, kind, municipality_code, total, CASE WHEN show_progress = 1 THEN sender_id END AS sender_id,"
        " started_at, progress_chat_id, progress_message_id FROM broadcasts WHERE finished_at IS NULL ORDER BY id"
    )


async def due_deliveries(db: Reader, broadcast_id: int, *, after: int, now: str, limit: int) -> list[sqlite3.Row]:
    """Up to ``limit`` queued deliveries of the broadcast with id above ``after`` that are due at ``now``
    (no backoff pending), in id order: ``id, broadcast_id, resident_id, attempts, parts_sent`` and the
    recipient's ``locale, language_code, active``."""
    return await db.fetchall(
        "SELECT d.id, d.broadcast_id, d.resident_id, d.attempts, d.parts_sent, r.locale, r.language_code, r.active"
        " FROM deliveries d JOIN residents r ON r.telegram_id = d.resident_id"
        " WHERE d.broadcast_id = ? AND d.status = 'queued' AND d.id > ?"
        " AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= ?)"
        " ORDER BY d.id LIMIT ?",
        (broadcast_id, after, now, limit),
    )


async def broadcast_content(db: Reader, broadcast_id: int) -> str:
    """The stored JSON ``content`` of the broadcast."""
    return str(await db.fetchval("SELECT content FROM broadcasts WHERE id = ?", (broadcast_id,)))


async def requeue_cut_off(tx: Transaction, at: str) -> int:
    """Queue again every delivery left ``sending`` and flag it a possible duplicate; returns how many."""
    return await tx.execute(
        "UPDATE deliveries SET status = 'queued', possible_duplicate = 1, updated_at = ? WHERE status = 'sending'",
        (at,),
    )


# -- the state of broadcasts (progress, CLI) --------------------------------------------------

_BROADCASTS = ("SELECT b.*, m.name_ru AS municipality_name FROM broadcasts b"
               " LEFT JOIN municipalities m ON m.code = b.municipality_code")


async def broadcasts(db: Reader, *, ids: Sequence[int] | None = None, limit: int = 20) -> list[sqlite3.Row]:
    """Broadcast rows (every column, and ``municipality_name``: the Russian name or ``NULL``), newest
    first: those with ``ids``, else the newest ``limit``."""
    if ids is not None:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        return await db.fetchall(f"{_BROADCASTS} WHERE b.id IN ({marks}) ORDER BY b.id DESC", list(ids))
    return await db.fetchall(f"{_BROADCASTS} ORDER BY b.id DESC LIMIT ?", (limit,))


async def delivery_counts(db: Reader, broadcast_ids: Sequence[int]) -> dict[int, sqlite3.Row]:
    """Counts of the deliveries of each broadcast that has any, by broadcast id, in one query: columns
    ``sent, failed, skipped, queued, sending`` (by status), ``blocked`` (failed because the recipient
    blocked the bot or the chat is gone) and ``possible_duplicates``."""
    if not broadcast_ids:
        return {}
    marks = ",".join("?" * len(broadcast_ids))
    rows = await db.fetchall(
        "SELECT broadcast_id,"
        " sum(CASE WHEN status = 'sent' THEN 1 ELSE 0 END) AS sent,"
        " sum(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS failed,"
        " sum(CASE WHEN status = 'skipped' THEN 1 ELSE 0 END) AS skipped,"
        " sum(CASE WHEN status = 'queued' THEN 1 ELSE 0 END) AS queued,"
        " sum(CASE WHEN status = 'sending' THEN 1 ELSE 0 END) AS sending,"
        " sum(CASE WHEN status = 'failed' AND (error LIKE 'blocked%' OR error LIKE 'chat not found%')"
        " THEN 1 ELSE 0 END) AS blocked,"
        " sum(CASE WHEN possible_duplicate = 1 THEN 1 ELSE 0 END) AS possible_duplicates"
        f" FROM deliveries WHERE broadcast_id IN ({marks}) GROUP BY broadcast_id",
        list(broadcast_ids),
    )
    return {r["broadcast_id"]: r for r in rows}


# -- the delivery worker's writes (group-committed) -------------------------------------------


class Write(NamedTuple):
    """One state change of a delivery or broadcast, to be committed with others by :func:`apply_writes`.

    Every write sets values (none increments), so applying one twice is harmless."""

    sql: str
    params: tuple[Any, ...]


_SENDING = "UPDATE deliveries SET status = 'sending', updated_at = ? WHERE id = ?"
_PART_SENT = "UPDATE deliveries SET parts_sent = ?, message_id = coalesce(message_id, ?), updated_at = ? WHERE id = ?"
_SENT = ("UPDATE deliveries SET status = 'sent', parts_sent = ?, message_id = coalesce(message_id, ?), error = NULL,"
         " next_attempt_at = NULL, updated_at = ? WHERE id = ?")
_ENDED = "UPDATE deliveries SET status = ?, error = ?, updated_at = ? WHERE id = ?"
_RETRY = ("UPDATE deliveries SET status = 'queued', attempts = ?, next_attempt_at = ?, error = ?,"
          " possible_duplicate = CASE WHEN ? = 1 THEN 1 ELSE possible_duplicate END, updated_at = ? WHERE id = ?")
_REQUEUE = "UPDATE deliveries SET status = 'queued', parts_sent = ?, updated_at = ? WHERE id = ?"
_STARTED = "UPDATE broadcasts SET started_at = coalesce(started_at, ?), paid = ? WHERE id = ?"


def mark_sending(delivery_id: int, at: str) -> Write:
    """The delivery is about to be requested (``sending``: after a crash it is a possible duplicate)."""
    return Write(_SENDING, (at, delivery_id))


def mark_part_sent(delivery_id: int, parts_sent: int, message_id: int | None, at: str) -> Write:
    """``parts_sent`` parts went out (``message_id``: the first part's, kept once set)."""
    return Write(_PART_SENT, (parts_sent, message_id, at, delivery_id))


def mark_sent(delivery_id: int, parts_sent: int, message_id: int | None, at: str) -> Write:
    """Every part went out: ``sent``, error and backoff cleared."""
    return Write(_SENT, (parts_sent, message_id, at, delivery_id))


def mark_failed(delivery_id: int, reason: str, at: str) -> Write:
    """Given up: ``failed`` with the reason."""
    return Write(_ENDED, ("failed", reason, at, delivery_id))


def mark_skipped(delivery_id: int, reason: str, at: str) -> Write:
    """Not sent on purpose (the recipient is inactive): ``skipped`` with the reason."""
    return Write(_ENDED, ("skipped", reason, at, delivery_id))


def mark_retry(delivery_id: int, *, attempts: int, next_attempt_at: str, reason: str, possible_duplicate: bool,
               at: str) -> Write:
    """Queued again for ``next_attempt_at`` after ``attempts`` attempts; ``possible_duplicate`` sets the
    flag (never clears it)."""
    return Write(_RETRY, (attempts, next_attempt_at, reason, int(possible_duplicate), at, delivery_id))


def mark_requeued(delivery_id: int, parts_sent: int, at: str) -> Write:
    """Queued again with ``parts_sent`` parts out (stopped before its request)."""
    return Write(_REQUEUE, (parts_sent, at, delivery_id))


def mark_started(broadcast_id: int, at: str, *, paid: bool) -> Write:
    """The broadcast's first delivery is being sent (``started_at`` kept once set; ``paid`` recorded)."""
    return Write(_STARTED, (at, int(paid), broadcast_id))


async def apply_writes(tx: Transaction, writes: Iterable[Write]) -> None:
    """Run the writes in order; consecutive ones with the same statement go in one ``executemany``."""
    batch: list[Write] = []
    for write in [*writes, None]:
        if batch and (write is None or write.sql != batch[0].sql):
            if len(batch) == 1:
                await tx.execute(batch[0].sql, batch[0].params)
            else:
                await tx.executemany(batch[0].sql, [w.params for w in batch])
            batch = []
        if write is not None:
            batch.append(write)
