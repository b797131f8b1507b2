"""What officers do with surveys of their own municipality: publish, list, follow, close early,
extend, delete. Every use case checks the officer and the survey's municipality on the server."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.db import Database, Transaction
from bot.domain import audit
from bot.domain.clock import clock, from_db, to_db
from bot.domain.errors import NotAnOfficer
from bot.domain.officers import require_officer
from bot.domain.outbox import Audience, enqueue
from bot.domain.surveys import notices
from bot.domain.surveys.errors import (
    ExtensionNotLater,
    HearingUnavailable,
    ManagedElsewhere,
    SurveyAlreadyClosed,
    SurveyNotFound,
    TooFarAhead,
)
from bot.domain.surveys.jobs import announce_tx, close_tx
from bot.domain.surveys.model import MAX_AHEAD, Draft, Survey, Tally
from bot.domain.surveys.queries import get_hearing_ref, require_survey, tally_of
from bot.domain.surveys.rules import validate_draft
from bot.store import surveys as store


async def create_survey(db: Database, *, officer_id: int, draft: Draft) -> Survey:
    """Publish a survey in the officer's municipality.

    Opens at once (and is announced to every active resident of the municipality through the
    outbox, in the same transaction) when ``opens_at`` is not in the future; otherwise it waits
    for :func:`~bot.domain.surveys.jobs.open_due_surveys`. An ``opens_at`` in the past is moved to now.

    Raises:
        NotAnOfficer. DraftIncomplete and its subclasses (see :func:`validate_draft`), TooFarAhead,
        HearingUnavailable (another municipality's hearing).
    """
    officer = await require_officer(db, officer_id)
    now = clock.now()
    validate_draft(draft, now)
    assert draft.opens_at is not None and draft.closes_at is not None
    opens = max(from_db(draft.opens_at), now)
    status = "open" if opens <= now else "scheduled"
    async with db.transaction() as tx:
        if draft.hearing_id and await get_hearing_ref(tx, draft.hearing_id, officer.municipality_code) is None:
            raise HearingUnavailable("hearing")
        survey_id = await store.insert_survey(
            tx, municipality_code=officer.municipality_code, question_ky=draft.question_ky,
            question_ru=draft.question_ru, max_choices=draft.max_choices, opens_at=to_db(opens),
            closes_at=draft.closes_at, hearing_id=draft.hearing_id, verified_only=draft.verified_only,
            status=status, created_by=officer_id, created_at=to_db(now))
        await store.insert_options(tx, survey_id, [(i, opt[0], opt[1], opt[2] if len(opt) > 2 else None)
                                                   for i, opt in enumerate(draft.options, start=1)])
        survey = await require_survey(tx, survey_id)
        if status == "open":
            await announce_tx(tx, survey, sender_id=officer_id)
        await audit.record(tx, audit.Actor.officer(officer_id), "survey.create", audit.Target("survey", survey_id),
                           municipality_code=officer.municipality_code,
                           details={"status": status, "options": len(draft.options)})
    return survey


def _exists(survey: Survey | None, survey_id: int) -> Survey:
    """The survey a store write returned (``None`` only for a survey that does not exist)."""
    if survey is None:
        raise SurveyNotFound(survey_id)
    return survey


async def _officer_survey(tx: Database | Transaction, officer_id: int, survey_id: int) -> Survey:
    survey = await require_survey(tx, survey_id)
    if survey.status == "deleted":
        raise SurveyNotFound(survey_id)
    code = await store.officer_municipality(tx, officer_id)
    if code is None:
        raise NotAnOfficer("not an officer")
    if code != survey.municipality_code:
        raise ManagedElsewhere("officer of another municipality")
    return survey


async def list_officer_surveys(db: Database, officer_id: int, limit: int = 20) -> list[Survey]:
    """The officer's municipality's surveys (not deleted), newest first.

    Raises:
        NotAnOfficer.
    """
    officer = await require_officer(db, officer_id)
    return await store.not_deleted_in(db, officer.municipality_code, limit)


async def officer_tally(db: Database, *, officer_id: int, survey_id: int) -> tuple[Survey, Tally]:
    """The survey and its counts for an officer of its municipality.

    While the survey is open the caller must show the turnout only (``tally.ballots``); the
    results (per option) only once :meth:`Survey.state` is ``closed``.

    Raises:
        SurveyNotFound (also when deleted), NotAnOfficer, ManagedElsewhere.
    """
    survey = await _officer_survey(db, officer_id, survey_id)
    return survey, tally_of(survey)


async def record_export(db: Database, *, officer_id: int, survey_id: int, file_format: str) -> None:
    """An officer took the survey's results as a file (``file_format`` ``'csv'`` or ``'png'``): one audit
    entry (``survey.export``), written once the file may be given (the caller checked the secrecy rules).

    Raises:
        SurveyNotFound, NotAnOfficer, ManagedElsewhere.
    """
    async with db.transaction() as tx:
        survey = await _officer_survey(tx, officer_id, survey_id)
        await audit.record(tx, audit.Actor.officer(officer_id), "survey.export", audit.Target("survey", survey_id),
                           municipality_code=survey.municipality_code, details={"format": file_format})


async def close_survey(db: Database, *, officer_id: int, survey_id: int) -> Survey:
    """Close a survey early; results go out through the outbox in the same transaction.

    A survey that has not opened yet (:meth:`Survey.state` ``scheduled``) was never announced and has
    no votes: closing it cancels it quietly (status ``deleted``, no results sent to anyone) and the
    returned survey has status ``deleted``.

    Raises:
        SurveyNotFound, NotAnOfficer, ManagedElsewhere, SurveyAlreadyClosed.
    """
    async with db.transaction() as tx:
        survey = await _officer_survey(tx, officer_id, survey_id)
        if survey.status == "closed":
            raise SurveyAlreadyClosed("closed")
        now = clock.now()
        await audit.record(tx, audit.Actor.officer(officer_id), "survey.close", audit.Target("survey", survey_id),
                           municipality_code=survey.municipality_code, details={"ballots": survey.ballots})
        if survey.state(now) == "scheduled":
            return _exists(await store.mark_deleted(tx, survey_id, to_db(now), survey.options), survey_id)
        closes = min(survey.closes_at, now)
        opens = min(survey.opens_at, closes - timedelta(seconds=1))
        moved = _exists(await store.set_times(tx, survey_id, opens_at=to_db(opens), closes_at=to_db(closes),
                                              options=survey.options), survey_id)
        # still scheduled or open here (checked above, in this transaction): close_tx closes it
        return await close_tx(tx, survey_id, now, survey.options) or moved


async def extend_survey(db: Database, *, officer_id: int, survey_id: int, closes_at: datetime) -> Survey:
    """Move the closing time later; those who already voted are told through the outbox.

    Raises:
        SurveyNotFound, NotAnOfficer, ManagedElsewhere, SurveyAlreadyClosed (it has closed),
        ExtensionNotLater (``closes_at`` not after the current closing time), TooFarAhead.
    """
    now = clock.now()
    async with db.transaction() as tx:
        survey = await _officer_survey(tx, officer_id, survey_id)
        if survey.state(now) == "closed":
            raise SurveyAlreadyClosed("closed")
        if closes_at <= survey.closes_at:
            raise ExtensionNotLater("earlier")
        if closes_at - now > MAX_AHEAD:
            raise TooFarAhead(latest=now + MAX_AHEAD)
        survey = _exists(await store.set_times(tx, survey_id, closes_at=to_db(closes_at), options=survey.options),
                         survey_id)
        await audit.record(tx, audit.Actor.officer(officer_id), "survey.extend", audit.Target("survey", survey_id),
                           municipality_code=survey.municipality_code, details={"closes_at": to_db(closes_at)})
        voters = await store.voters_of(tx, survey_id)
        if voters:
            await enqueue(tx, kind=notices.EXTENDED, audience=Audience.residents(voters),
                          content=notices.extended(survey), municipality_code=survey.municipality_code,
                          sender_id=officer_id)
    return survey


async def delete_survey(db: Database, *, officer_id: int, survey_id: int) -> None:
    """Withdraw a survey (kept in the database with status ``deleted``; buttons on it then say so).

    Raises:
        SurveyNotFound, NotAnOfficer, ManagedElsewhere.
    """
    async with db.transaction() as tx:
        survey = await _officer_survey(tx, officer_id, survey_id)
        await store.mark_deleted(tx, survey_id, to_db(clock.now()), survey.options)
        await audit.record(tx, audit.Actor.officer(officer_id), "survey.delete", audit.Target("survey", survey_id),
                           municipality_code=survey.municipality_code)
