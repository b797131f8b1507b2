"""What residents do with surveys: see a ballot, vote (or change their vote), read the results.

Rules: one ballot per resident per survey (the primary key of ``survey_ballots``, so racing taps
make one row; never keyed by municipality, so a resident who moves cannot vote twice); a vote is
accepted only while ``opens_at <= now < closes_at`` on the server clock and only in the resident's
current municipality; results only after the survey closes, counts only (``Tally.suppressed``).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.db import Database, Transaction
from bot.domain import verification
from bot.domain.clock import clock, to_db
from bot.domain.surveys.errors import (
    NotVerified,
    ResultsNotReady,
    SurveyClosed,
    SurveyNotFound,
    SurveyNotOpenYet,
    SurveyOfAnotherMunicipality,
    SurveyWithdrawn,
)
from bot.domain.surveys.model import RECENT_JOIN, Survey, Tally, VoteResult
from bot.domain.surveys.queries import require_survey, tally_of
from bot.domain.surveys.rules import check_choice
from bot.store import surveys as store


async def voter_survey(db: Database, *, municipality_code: str | None, survey_id: int) -> Survey:
    """A survey of the resident's municipality (``municipality_code``), to show its ballot or results.

    Raises:
        SurveyNotFound, SurveyWithdrawn (deleted), SurveyOfAnotherMunicipality.
    """
    survey = await require_survey(db, survey_id)
    if survey.status == "deleted":
        raise SurveyWithdrawn("deleted")
    if survey.municipality_code != municipality_code:
        raise SurveyOfAnotherMunicipality("survey of another municipality")
    return survey


async def cast_vote(db: Database, *, resident_id: int, survey_id: int, positions: Sequence[int]) -> VoteResult:
    """Record (or change) a resident's vote; idempotent for the same choice.

    The whole check-and-write is one transaction; the ballot's primary key makes racing taps one vote.

    Raises:
        SurveyNotFound, OptionNotFound. SurveyWithdrawn, SurveyClosed, SurveyNotOpenYet.
        SurveyOfAnotherMunicipality: not of the resident's current municipality.
        ChoiceCountOutOfRange: no option, or more than ``max_choices`` (``limit``/``actual``).
        NotVerified: verified-only survey and the resident is not verified.
    """
    chosen = sorted({int(p) for p in positions})
    now = clock.now()
    now_s = to_db(now)
    async def unit(tx: Transaction) -> VoteResult:  # one round trip (Database.unit): votes come in bursts
        s = await store.ballot_terms(tx, survey_id)
        if s is None:
            raise SurveyNotFound(survey_id)
        if s["status"] == "deleted":
            raise SurveyWithdrawn("deleted")
        if s["status"] == "closed" or now_s >= s["closes_at"]:
            raise SurveyClosed("closed")
        if now_s < s["opens_at"]:
            raise SurveyNotOpenYet("not open")
        person = await store.resident_home(tx, resident_id)
        if person is None or person["municipality_code"] != s["municipality_code"]:
            raise SurveyOfAnotherMunicipality("survey of another municipality")
        check_choice(s["max_choices"], await store.option_positions(tx, survey_id), chosen)
        if s["verified_only"] and not await verification.is_verified_tx(tx, resident_id, s["municipality_code"]):
            raise NotVerified("not verified")
        before = await store.chosen_positions(tx, survey_id, resident_id)
        recent = person["joined_at"] > to_db(now - RECENT_JOIN)
        first = await store.insert_ballot(tx, survey_id, resident_id, recent_joiner=recent, at=now_s)
        if first and recent:  # a burst of recent joiners' votes is flagged to the officers once
            from bot.domain.reach.alerts import check_vote_burst

            await check_vote_burst(tx, survey_id)
        if before == set(chosen):
            return VoteResult(first=first, changed=False)
        if not first:
            await store.touch_ballot(tx, survey_id, resident_id, now_s)
        gone = before - set(chosen)
        if gone:
            await store.delete_votes(tx, survey_id, resident_id, gone)
        await store.insert_votes(tx, survey_id, resident_id, [p for p in chosen if p not in before])
        return VoteResult(first=first, changed=True)

    return await db.unit(unit)


async def resident_results(db: Database, *, resident_id: int, survey_id: int) -> tuple[Survey, Tally]:
    """Results of a closed survey of the resident's municipality (or one they voted in).

    Raises:
        SurveyNotFound. SurveyWithdrawn: deleted. ResultsNotReady: still open or scheduled.
        SurveyOfAnotherMunicipality: another municipality's survey the resident did not vote in.
    """
    survey = await require_survey(db, survey_id)
    if survey.status == "deleted":
        raise SurveyWithdrawn("deleted")
    home = await store.resident_home(db, resident_id)
    code = None if home is None else home["municipality_code"]
    if code != survey.municipality_code and not await store.has_ballot(db, survey_id, resident_id):
        raise SurveyOfAnotherMunicipality("survey of another municipality")
    if survey.state() != "closed":
        raise ResultsNotReady(survey.state())
    return survey, tally_of(survey)
