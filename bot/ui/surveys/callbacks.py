"""Survey callback data, defined once: ``sv:<action>:<survey_id>:<value>`` for residents (also on the
announcements in the outbox and on hearings' notices) and ``sa:<action>:<survey_id>:<value>`` for
officers. Ids are bounded (``IdField``): a crafted huge id does not match and is answered "no such
survey" by :func:`bot.handlers.surveys.resident.unknown_survey_button`, never a server error.

A multi-choice ballot keeps its ticks in the keyboard itself (``value`` is a bit mask of positions),
so toggling writes nothing and survives a restart; only "Submit" writes the vote.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

from bot.ui.callbacks import IdField

MAX_MASK = (1 << 10) - 1
"""Largest ``value``: the ticks of all 10 options."""
ValueField = Annotated[int, Field(ge=0, le=MAX_MASK)]
"""An option position (1..10) or a bit mask of positions."""


class SurveyCallback(CallbackData, prefix="sv"):
    """Resident actions: ``open`` (show the ballot), ``vote`` (single choice, ``value`` = position),
    ``tick`` (multi choice, ``value`` = mask after the tick), ``submit`` (``value`` = mask),
    ``results`` (a closed survey's results), ``list`` (open surveys). ``sv:submit:123456:1023`` = 19 bytes.

    ``SurveyCallback(action="open", survey_id=id).pack()`` is the survey-open button other features
    (hearings' notices) put on their messages: ``sv:open:<id>:0``.
    """

    action: str
    survey_id: IdField = 0
    value: ValueField = 0


def survey_open_data(survey_id: int, *, fresh: bool = False) -> str:
    """Callback data of a button that opens the ballot of ``survey_id`` (``sv:open:<id>:0``; ``fresh``,
    on a notification: ``sv:open:<id>:1``, the ballot comes as a new message and the notification stays)."""
    return SurveyCallback(action="open", survey_id=survey_id, value=int(fresh)).pack()


class SurveyAdminCallback(CallbackData, prefix="sa"):
    """Officer actions on a survey: ``list``, ``new`` (the /newsurvey wizard), ``show`` (the card, refreshed turnout), ``close``,
    ``extend``, ``delete`` (each starts its prompt), ``chart``, ``csv``."""

    action: str
    survey_id: IdField = 0
    value: ValueField = 0


def mask_of(positions: Iterable[int]) -> int:
    """Bit mask of option positions (1..10)."""
    mask = 0
    for p in positions:
        mask |= 1 << (int(p) - 1)
    return mask


def positions_of(mask: int) -> list[int]:
    """Option positions set in a mask (only 1..10 are considered)."""
    return [p for p in range(1, 11) if mask & (1 << (p - 1))]
