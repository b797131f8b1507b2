"""Public hearings: reminders 24 hours and 1 hour before the start (a :mod:`bot.scheduler` job).

Reminders go to residents who answered ``going`` or ``remind``. Each is marked sent in the
transaction that queues it: never twice, even across restarts; never for a cancelled or held
hearing; when the time changes, the planned reminders move with it (:func:`plan_reminders`).
"""

from __future__ import annotations

from datetime import datetime

from bot.db import Database, Transaction
from bot.domain.clock import to_db
from bot.domain.hearings import notices
from bot.domain.hearings.model import REMINDERS, RESEND_SHIFT
from bot.domain.hearings.queries import get_hearing
from bot.domain.hearings.rules import local_day
from bot.domain.outbox import Audience, enqueue
from bot.store import hearings as store


async def plan_reminders(tx: Transaction, hearing_id: int, starts: datetime, old_starts: datetime | None = None) -> None:
    """(Re)plan the reminders of a hearing for ``starts``: due times move with the start.

    Rule for a reminder already sent when the time changes (``old_starts`` given): it is sent
    again for the new time only when the start moved to another calendar day in Bishkek, or by
    more than :data:`RESEND_SHIFT` (3 hours); otherwise it stays sent — residents were told of the
    small change by the "hearing changed" message and would get the same reminder twice.
    Unsent reminders simply move.
    """
    keep = old_starts is not None and abs(starts - old_starts) <= RESEND_SHIFT \
        and local_day(starts) == local_day(old_starts)
    await store.plan_reminders(tx, hearing_id, [(kind, to_db(starts - before)) for kind, before in REMINDERS],
                               resend=not keep)


async def send_due_reminders(db: Database, now: datetime) -> int:
    """Scheduler job: queue the reminders that are due at ``now``; returns how many were queued.

    One transaction per hearing: the unsent due reminders are re-read and marked sent in the
    transaction that queues the message, so two runs, or a run after a restart, never send one
    twice. When several are due at once (the bot was down, or the hearing was moved close), only
    the latest is sent and the earlier are marked skipped. Nothing is sent for a hearing that is
    not ``scheduled`` or has begun (those reminders are marked skipped).
    """
    now_s = to_db(now)
    queued = 0
    for hearing_id in await store.hearings_with_due_reminders(db, now_s):
        async with db.transaction() as tx:
            due = await store.due_reminders(tx, hearing_id, now_s)
            if not due:
                continue
            hearing = await get_hearing(tx, hearing_id)
            ok = hearing is not None and hearing.status == "scheduled" and hearing.starts > now
            kind = due[0] if ok else None  # the latest due is sent, the earlier are skipped
            await store.close_due_reminders(tx, hearing_id, now_s, kind)
            if hearing is None or kind is None:
                continue
            recipients = await store.reminded_residents(tx, hearing_id)
            notice = notices.reminder(hearing, kind, now)
            await enqueue(tx, kind=notice.kind, audience=Audience.residents(recipients), content=notice,
                          municipality_code=hearing.municipality_code)
            queued += 1
    return queued


SCHEDULER_JOBS = (send_due_reminders,)
"""The jobs this feature gives :class:`bot.scheduler.Scheduler`."""
