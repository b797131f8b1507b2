"""Opening and closing surveys: the scheduler's jobs and the transactions they share with officers.

Each survey is opened (or closed) and its announcement (or results) queued in ONE transaction with
the status test, so a restart or two runs never announce twice and a change is never committed
without its notice.
"""

from __future__ import annotations

from datetime import datetime

from bot.db import Database, Transaction
from bot.domain.clock import to_db
from bot.domain.outbox import Audience, enqueue
from bot.domain.surveys import notices
from bot.domain.surveys.model import Survey
from bot.domain.surveys.queries import get_hearing_ref, require_survey, tally


async def announce_tx(tx: Transaction, survey: Survey, *, sender_id: int | None) -> None:
    """Queue the announcement of ``survey`` to every active resident of its municipality."""
    hearing = await get_hearing_ref(tx, survey.hearing_id, survey.municipality_code)
    await enqueue(tx, kind=notices.ANNOUNCEMENT, audience=Audience.municipality(survey.municipality_code),
                  content=notices.announcement(survey, hearing), municipality_code=survey.municipality_code,
                  sender_id=sender_id)


async def close_tx(tx: Transaction, survey_id: int, now: datetime) -> bool:
    """Close a scheduled or open survey and queue its results; ``False`` when it was not open.

    The results go to everyone in the municipality, plus voters who have moved away since they voted.
    """
    changed = await tx.execute(
        "UPDATE surveys SET status = 'closed', closed_at = ? WHERE id = ? AND status IN ('scheduled', 'open')",
        (to_db(now), survey_id))
    if not changed:
        return False
    survey = await require_survey(tx, survey_id)
    counts = await tally(tx, survey_id)
    moved = [r[0] for r in await tx.fetchall(
        "SELECT b.resident_id FROM survey_ballots b JOIN residents r ON r.telegram_id = b.resident_id"
        " WHERE b.survey_id = ? AND (r.municipality_code IS NULL OR r.municipality_code <> ?)",
        (survey_id, survey.municipality_code))]
    audience = Audience(municipality_code=survey.municipality_code, resident_ids=tuple(moved))
    await enqueue(tx, kind=notices.RESULTS, audience=audience, content=notices.results(survey, counts),
                  municipality_code=survey.municipality_code)
    return True


async def open_due_surveys(db: Database, now: datetime) -> int:
    """Scheduler job: open scheduled surveys whose opening time has come, announcing each.

    Restart-safe (status test inside the transaction). Returns how many were opened.
    """
    now_s = to_db(now)
    ids = [r[0] for r in await db.fetchall(
        "SELECT id FROM surveys WHERE status = 'scheduled' AND opens_at <= ? AND closes_at > ?", (now_s, now_s))]
    done = 0
    for survey_id in ids:
        async with db.transaction() as tx:
            changed = await tx.execute("UPDATE surveys SET status = 'open' WHERE id = ? AND status = 'scheduled'",
                                       (survey_id,))
            if changed:
                await announce_tx(tx, await require_survey(tx, survey_id), sender_id=None)
                done += 1
    return done


async def close_due_surveys(db: Database, now: datetime) -> int:
    """Scheduler job: close surveys whose closing time passed and queue their results.

    Restart-safe: a survey is closed and its results queued exactly once. Returns how many closed.
    """
    now_s = to_db(now)
    ids = [r[0] for r in await db.fetchall(
        "SELECT id FROM surveys WHERE status IN ('scheduled', 'open') AND closes_at <= ?", (now_s,))]
    done = 0
    for survey_id in ids:
        async with db.transaction() as tx:
            if await close_tx(tx, survey_id, now):
                done += 1
    return done


SCHEDULER_JOBS = (open_due_surveys, close_due_surveys)
"""The jobs this feature gives :class:`bot.scheduler.Scheduler`."""
