"""The facts of what residents are told about surveys (worded by ``bot.notices.surveys``).

Kinds: ``survey_announcement`` (a survey opens: question, options, closing time, the hearing it
prepares), ``survey_extended`` (to those who voted: the new closing time) and ``survey_results``
(the municipality and voters who moved away: the results under the secrecy rule). A results notice
carries only the counts that may be shown (``None`` for hidden ones), so a hidden count is never
stored in a broadcast.
"""

from __future__ import annotations

from typing import Any

from bot.domain.clock import to_db
from bot.domain.outbox import Notice
from bot.domain.surveys.model import MIN_GROUP, HearingRef, Survey, Tally

ANNOUNCEMENT = "survey_announcement"
EXTENDED = "survey_extended"
RESULTS = "survey_results"


def survey_facts(survey: Survey) -> dict[str, Any]:
    """Id, question and options in both languages, choices allowed, closing time (UTC ISO), verified-only."""
    return {
        "survey_id": survey.id,
        "question_ky": survey.question_ky,
        "question_ru": survey.question_ru,
        "options": [{"position": o.position, "text_ky": o.text_ky, "text_ru": o.text_ru} for o in survey.options],
        "max_choices": survey.max_choices,
        "closes_at": to_db(survey.closes_at),
        "verified_only": survey.verified_only,
    }


def hearing_facts(hearing: HearingRef | None) -> dict[str, Any] | None:
    """Title in both languages and start (UTC ISO) of a linked hearing, or ``None``."""
    if hearing is None:
        return None
    return {"id": hearing.id, "title_ky": hearing.title_ky, "title_ru": hearing.title_ru,
            "starts_at": to_db(hearing.starts_at)}


def announcement(survey: Survey, hearing: HearingRef | None) -> Notice:
    """A survey opens (with its vote button)."""
    return Notice(ANNOUNCEMENT, {**survey_facts(survey), "hearing": hearing_facts(hearing)})


def extended(survey: Survey) -> Notice:
    """The survey closes later now (to those who voted: they may still change their vote)."""
    return Notice(EXTENDED, survey_facts(survey))


def results_facts(survey: Survey, counts: Tally, *, officer: bool = False) -> dict[str, Any]:
    """The results as they may be shown: turnout, and per option its count or ``None`` when hidden
    (:meth:`Tally.suppressed`); ``too_few`` when fewer than :data:`MIN_GROUP` voted. ``recent``
    (recent-joiner ballots when they form a burst) only for the officer (``officer=True``)."""
    visible = counts.visible(survey)
    facts = survey_facts(survey)
    for option in facts["options"]:
        option["votes"] = visible[option["position"]]
    facts.update(ballots=counts.ballots, too_few=counts.hidden, min_group=MIN_GROUP,
                 recent=counts.recent if officer and counts.burst else 0)
    return facts


def results(survey: Survey, counts: Tally) -> Notice:
    """The survey has closed: its results for residents."""
    return Notice(RESULTS, results_facts(survey, counts))
