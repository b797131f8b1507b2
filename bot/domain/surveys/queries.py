"""Reading surveys: lists, a resident's own choice, counts (trigger-kept and recounted), linked
hearings and the municipality's top problems as options.

Secrecy: who voted for what is never returned here except to the voter themselves
(:func:`my_choice`); counts only otherwise.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.db import Database
from bot.domain import problems
from bot.domain.clock import clock, to_db
from bot.domain.surveys.errors import SurveyNotFound
from bot.domain.surveys.model import MAX_OPTIONS, OPTION_TITLE_MAX, HearingRef, Survey, Tally
from bot.domain.text import clean_user_text
from bot.store import Reader
from bot.store import surveys as store


async def get_survey(db: Reader, survey_id: int) -> Survey | None:
    """The survey with its options, or ``None``."""
    return await store.survey_by_id(db, survey_id)


async def require_survey(db: Reader, survey_id: int) -> Survey:
    """The survey with its options.

    Raises:
        SurveyNotFound: no such survey.
    """
    survey = await store.survey_by_id(db, survey_id)
    if survey is None:
        raise SurveyNotFound(survey_id)
    return survey


async def list_open_surveys(db: Database, municipality_code: str, now: datetime | None = None) -> list[Survey]:
    """Surveys of a municipality taking votes now, closing soonest first."""
    return await store.open_in(db, municipality_code, to_db(now or clock.now()))


async def list_recent_closed(db: Database, municipality_code: str, limit: int = 5) -> list[Survey]:
    """The latest closed surveys of a municipality (for "results"), newest first."""
    return await store.closed_in(db, municipality_code, to_db(clock.now()), limit)


async def my_choice(db: Database, resident_id: int, survey_id: int) -> frozenset[int]:
    """The option positions this resident chose (shown to them alone), empty if they have not voted."""
    return await store.chosen_positions(db, survey_id, resident_id)


def tally_of(survey: Survey) -> Tally:
    """The counts a :class:`Survey` just read carries (its counters and its options' votes): the same as
    :func:`tally` would read in the same transaction, without reading again."""
    return Tally(ballots=survey.ballots, votes={o.position: o.votes for o in survey.options},
                 recent=survey.recent_ballots, established=survey.established)


async def tally(db: Reader, survey_id: int) -> Tally:
    """Counts from the trigger-kept counters (migration 0004): reads ≤ 11 rows whatever the turnout.

    Raises:
        SurveyNotFound: no such survey.
    """
    counts = await store.counters(db, survey_id)
    if counts is None:
        raise SurveyNotFound(survey_id)
    return counts


async def recount(db: Database, survey_id: int) -> Tally:
    """Counts straight from the ballots with ``COUNT … GROUP BY`` (covering indexes); checks :func:`tally`."""
    return await store.counted_from_ballots(db, survey_id)


# -- the municipality's top problems as options -----------------------------------------------------


async def priority_problem_options(db: Database, municipality_code: str,
                                   limit: int = MAX_OPTIONS) -> list[list[Any]]:
    """Options ``[title, title, problem_id]`` from the municipality's top open problems by supports
    (:func:`bot.domain.problems.ranked_page`): a short title (the first words, at most
    :data:`OPTION_TITLE_MAX` characters, so it fits a button; issue 12), the same in both languages
    until the officer edits it (:func:`bot.domain.surveys.rules.rename_options`). Voice-only problems
    (no text) are left out."""
    found, _total = await problems.ranked_page(db, municipality_code, page=0, size=limit)
    options = []
    for problem in found:
        text = clean_user_text(problem.text or "").replace("\n", " ").strip()
        if text:
            title = problems.excerpt(text, OPTION_TITLE_MAX)
            options.append([title, title, problem.id])
    return options


# -- hearings (optional link) ----------------------------------------------------------------------


async def upcoming_hearings(db: Reader, municipality_code: str, now: datetime | None = None,
                            limit: int = 5) -> list[HearingRef]:
    """Scheduled hearings of the municipality that have not started, soonest first."""
    return await store.upcoming_hearings(db, municipality_code, to_db(now or clock.now()), limit)


async def get_hearing_ref(db: Reader, hearing_id: int | None, municipality_code: str) -> HearingRef | None:
    """The linked hearing if it exists in that municipality (any status), else ``None``."""
    if not hearing_id:
        return None
    return await store.hearing_ref(db, hearing_id, municipality_code)
