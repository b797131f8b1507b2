"""Opening and closing surveys: the scheduler's jobs and the transactions they share with officers.

Each survey is opened (or closed) and its announcement (or results) queued in ONE transaction with
the status test, so a restart or two runs never announce twice and a change is never committed
without its notice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.db import Database, Transaction
from bot.domain.clock import to_db
from bot.domain.outbox import Audience, enqueue
from bot.domain.surveys import notices
from bot.domain.surveys.model import Option, Survey
from bot.domain.surveys.queries import get_hearing_ref, tally_of
from bot.store import surveys as store


async def announce_tx(tx: Transaction, survey: Survey, *, sender_id: int | None) -> None:
    """Queue the announcement of ``survey`` to every active resident of its municipality."""
    from bot.domain.reach.posts import post_to_public  # also to the linked channel and village groups

    hearing = await get_hearing_ref(tx, survey.hearing_id, survey.municipality_code)
    notice = notices.announcement(survey, hearing)
    await enqueue(tx, kind=notices.ANNOUNCEMENT, audience=Audience.municipality(survey.municipality_code),
                  content=notice, municipality_code=survey.municipality_code, sender_id=sender_id)
    await post_to_public(tx, survey.municipality_code, notice, target=f"s{survey.id}")


async def close_tx(tx: Transaction, survey_id: int, now: datetime,
                   options: Sequence[Option] | None = None) -> Survey | None:
    """Close a scheduled or open survey and queue its results; returns the closed survey, ``None`` when it
    was not open (nothing done). ``options``: the survey's options if already read in ``tx``.

    The results go to everyone in the municipality, plus voters who have moved away since they voted.
    """
    survey = await store.close_running(tx, survey_id, to_db(now), options)
    if survey is None:
        return None
    counts = tally_of(survey)
    moved = await store.voters_living_elsewhere(tx, survey_id, survey.municipality_code)
    audience = Audience(municipality_code=survey.municipality_code, resident_ids=tuple(moved))
    notice = notices.results(survey, counts)
    await enqueue(tx, kind=notices.RESULTS, audience=audience, content=notice,
                  municipality_code=survey.municipality_code)
    from bot.domain.reach.posts import post_to_public  # also to the linked channel and village groups

    await post_to_public(tx, survey.municipality_code, notice, target=f"s{survey.id}")
    return survey


async def open_due_surveys(db: Database, now: datetime) -> int:
    """Scheduler job: open scheduled surveys whose opening time has come, announcing each.

    Restart-safe (status test inside the transaction). Returns how many were opened.
    """
    now_s = to_db(now)
    done = 0
    for survey_id in await store.ids_due_to_open(db, now_s):
        async with db.transaction() as tx:
            survey = await store.open_scheduled(tx, survey_id)
            if survey is not None:
                await announce_tx(tx, survey, sender_id=None)
                done += 1
    return done


async def close_due_surveys(db: Database, now: datetime) -> int:
    """Scheduler job: close surveys whose closing time passed and queue their results.

    Restart-safe: a survey is closed and its results queued exactly once. Returns how many closed.
    """
    done = 0
    for survey_id in await store.ids_due_to_close(db, to_db(now)):
        async with db.transaction() as tx:
            if await close_tx(tx, survey_id, now) is not None:
                done += 1
    return done


SCHEDULER_JOBS = (open_due_surveys, close_due_surveys)
"""The jobs this feature gives :class:`bot.scheduler.Scheduler`."""
