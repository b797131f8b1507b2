"""Pure rules of surveys: reading typed times, cleaning texts, building a draft's options, checking
a draft and a ballot. No database here; each refusal is a typed error of ``errors.py``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.clock import from_db, to_db
from bot.domain.errors import TextTooLong, TextTooShort
from bot.domain.surveys.errors import (
    ChoiceCountOutOfRange,
    ClosesTooEarly,
    ClosingPassed,
    MaxChoicesOutOfRange,
    OptionCountOutOfRange,
    OptionMissing,
    OptionNotFound,
    OptionTooLong,
    QuestionMissing,
    SurveyClosed,
    SurveyNotOpenYet,
    SurveyWithdrawn,
    TimesMissing,
    TooFarAhead,
    TooManyOptions,
    TooManyTicks,
    TranslationCountMismatch,
    TranslationsMissing,
    UnreadableTime,
)
from bot.domain.surveys.model import (
    MAX_AHEAD,
    MAX_OPTIONS,
    MIN_OPTIONS,
    OPTION_MAX,
    QUESTION_MAX,
    YEAR_MAX,
    YEAR_MIN,
    Draft,
    Survey,
)
from bot.domain.text import clean_user_text

DATETIME_INPUT = re.compile(r"^\s*([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})\s+([0-9]{1,2})[:.]([0-9]{2})\s*$")
"""Accepted input of a time: ``DD.MM.YYYY HH:MM`` (``15.12.2026 18:00``), the way dates are written in Kyrgyzstan.

ASCII digits only (``[0-9]``, not ``\\d``, which would take Arabic-Indic and other Unicode digits)."""

_MARKER = re.compile(r"^\s*(?:\d{1,2}[.)]|[-–—•*])\s*")


def parse_local_datetime(text: str, tz: ZoneInfo) -> datetime:
    """Parse ``DD.MM.YYYY HH:MM`` typed in ``tz`` (Asia/Bishkek) into an aware UTC datetime.

    Raises:
        UnreadableTime: ``reason`` ``format`` when the text is not in that shape (ASCII digits only),
            ``year`` when the year is outside :data:`YEAR_MIN`..:data:`YEAR_MAX`, ``date`` when the
            day or time does not exist (31.02., 24:00). ``str(error)`` is the reason.
    """
    match = DATETIME_INPUT.match(text or "")
    if not match:
        raise UnreadableTime("format")
    day, month, year, hour, minute = (int(g) for g in match.groups())
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise UnreadableTime("year")
    try:
        local = datetime(year, month, day, hour, minute, tzinfo=tz)
    except ValueError as exc:
        raise UnreadableTime("date") from exc
    return from_db(to_db(local))


def opening_time(moment: datetime, now: datetime) -> datetime:
    """The opening time a typed ``moment`` gives: a moment in the past opens now.

    Raises:
        TooFarAhead: more than :data:`MAX_AHEAD` from ``now``.
    """
    if moment - now > MAX_AHEAD:
        raise TooFarAhead(latest=now + MAX_AHEAD)
    return max(moment, now)


def closing_time(moment: datetime, now: datetime, opens: datetime | None) -> datetime:
    """Check a typed closing time against now and the opening time.

    Raises:
        ClosesTooEarly: not later than both (``earliest``). TooFarAhead: beyond :data:`MAX_AHEAD`.
    """
    earliest = max(now, opens or now)
    if moment <= earliest:
        raise ClosesTooEarly(earliest=earliest)
    if moment - now > MAX_AHEAD:
        raise TooFarAhead(latest=now + MAX_AHEAD)
    return moment


def clean_text(text: str | None, limit: int) -> str:
    """Strip controls and surrounding space.

    Raises:
        TextTooLong: over ``limit`` characters (``limit``/``actual``).
    """
    value = clean_user_text(text or "").strip()
    if len(value) > limit:
        raise TextTooLong(limit=limit, actual=len(value))
    return value


def clean_question(text: str | None) -> str:
    """A question as stored (the kit bounds it already; checked again here).

    Raises:
        TextTooShort: empty. TextTooLong: over :data:`QUESTION_MAX`.
    """
    value = clean_text(text, QUESTION_MAX)
    if not value:
        raise TextTooShort(limit=1, actual=0)
    return value


def split_options(text: str) -> list[str]:
    """One option per non-empty line; leading list markers ("1.", "-", "•") are removed."""
    lines = []
    for line in (text or "").splitlines():
        line = _MARKER.sub("", line).strip()
        if line:
            lines.append(line)
    return lines


def add_options(draft: Draft, text: str, *, language: str) -> int:
    """Add the options of one message (one per line) to ``draft`` in ``language`` (``ky``/``ru``).

    In the first language of the survey the options are appended; in the second (``ru`` when the
    draft has a Kyrgyz question) they translate the first language's options in order. All or
    nothing: a refused message adds no option. Returns how many options have text in ``language``.

    Raises:
        TextTooShort: no option in the text. OptionTooLong: a line over :data:`OPTION_MAX`.
        TooManyOptions: more than :data:`MAX_OPTIONS` in all.
        TranslationCountMismatch: more translations than options.
    """
    lines = split_options(text)
    if not lines:
        raise TextTooShort(limit=1, actual=0)
    cleaned = []
    for line in lines:
        value = clean_user_text(line).strip()
        if len(value) > OPTION_MAX:
            raise OptionTooLong(limit=OPTION_MAX, actual=len(value))
        cleaned.append(value)
    index = 0 if language == "ky" else 1
    if translating(draft, language):
        filled = sum(1 for option in draft.options if option[1])
        if filled + len(cleaned) > len(draft.options):
            raise TranslationCountMismatch(limit=len(draft.options), actual=filled + len(cleaned))
        for offset, value in enumerate(cleaned):
            draft.options[filled + offset][1] = value
    else:
        total = len(draft.options) + len(cleaned)
        if total > MAX_OPTIONS:
            raise TooManyOptions(limit=MAX_OPTIONS, actual=total)
        for value in cleaned:
            draft.options.append([value, "", None] if index == 0 else ["", value, None])
    return sum(1 for option in draft.options if option[index])


def rename_options(draft: Draft, text: str, *, language: str) -> None:
    """Replace every option's text in ``language`` with the lines of ``text``, in order (the officer
    edits the titles made from problems). All or nothing.

    Raises:
        TextTooShort: no line. OptionTooLong: a line over :data:`OPTION_MAX`.
        TranslationCountMismatch: not one line per option.
    """
    lines = [clean_user_text(line).strip() for line in split_options(text)]
    if not lines:
        raise TextTooShort(limit=1, actual=0)
    if len(lines) != len(draft.options):
        raise TranslationCountMismatch(limit=len(draft.options), actual=len(lines))
    for value in lines:
        if len(value) > OPTION_MAX:
            raise OptionTooLong(limit=OPTION_MAX, actual=len(value))
    index = 0 if language == "ky" else 1
    for option, value in zip(draft.options, lines, strict=True):
        option[index] = value


def translating(draft: Draft, language: str) -> bool:
    """Whether options typed in ``language`` translate those already made (Russian after Kyrgyz)."""
    return language == "ru" and bool(draft.question_ky)


def options_complete(draft: Draft, language: str) -> bool:
    """Whether "Done" may end the options step of ``language``.

    Raises:
        OptionCountOutOfRange: fewer than :data:`MIN_OPTIONS` options.
        TranslationsMissing: translating and some option has no text in ``language`` yet.
    """
    if len(draft.options) < MIN_OPTIONS:
        raise OptionCountOutOfRange(limit=MAX_OPTIONS, actual=len(draft.options))
    if translating(draft, language) and not all(option[1] for option in draft.options):
        raise TranslationsMissing(limit=len(draft.options))
    return True


def validate_draft(draft: Draft, now: datetime) -> None:
    """Check a draft before publishing.

    Raises:
        QuestionMissing, TextTooLong (question), OptionCountOutOfRange, OptionMissing, OptionTooLong,
        MaxChoicesOutOfRange, TimesMissing, ClosingPassed, TooFarAhead.
    """
    if not (draft.question_ky or draft.question_ru):
        raise QuestionMissing("question")
    for question in (draft.question_ky, draft.question_ru):
        if len(question) > QUESTION_MAX:
            raise TextTooLong(limit=QUESTION_MAX, actual=len(question))
    count = len(draft.options)
    if not MIN_OPTIONS <= count <= MAX_OPTIONS:
        raise OptionCountOutOfRange(limit=MAX_OPTIONS, actual=count)
    for ky, ru, *_rest in draft.options:
        if not (ky or ru):
            raise OptionMissing("option")
        for text in (ky, ru):
            if len(text) > OPTION_MAX:
                raise OptionTooLong(limit=OPTION_MAX, actual=len(text))
    if not 1 <= draft.max_choices <= count:
        raise MaxChoicesOutOfRange(limit=count, actual=draft.max_choices)
    if not draft.opens_at or not draft.closes_at:
        raise TimesMissing("times")
    opens, closes = from_db(draft.opens_at), from_db(draft.closes_at)
    if closes <= now:
        raise ClosingPassed("closes_past")
    if closes <= opens:
        raise TimesMissing("closes before it opens")
    if closes - now > MAX_AHEAD:
        raise TooFarAhead(latest=now + MAX_AHEAD)


def check_ticks(survey: Survey, positions: Sequence[int]) -> None:
    """Ticks of a multi-choice ballot before "Submit".

    Raises:
        OptionNotFound: a position the survey does not have. TooManyTicks: over ``max_choices``.
    """
    valid = {o.position for o in survey.options}
    if not set(positions) <= valid:
        raise OptionNotFound()
    if len(positions) > survey.max_choices:
        raise TooManyTicks(limit=survey.max_choices, actual=len(positions))


def check_choice(max_choices: int, valid: set[int], chosen: Sequence[int]) -> None:
    """A ballot: 1..``max_choices`` positions, each one of ``valid``.

    Raises:
        ChoiceCountOutOfRange, OptionNotFound.
    """
    if not chosen or len(chosen) > max_choices:
        raise ChoiceCountOutOfRange(limit=max_choices, actual=len(chosen))
    if not set(chosen) <= valid:
        raise OptionNotFound()


def require_open(survey: Survey, now: datetime | None = None) -> None:
    """A survey taking votes now (by the clock, whatever the scheduler has done yet).

    Raises:
        SurveyWithdrawn, SurveyClosed, SurveyNotOpenYet.
    """
    state = survey.state(now)
    if state == "deleted":
        raise SurveyWithdrawn("deleted")
    if state == "closed":
        raise SurveyClosed("closed")
    if state == "scheduled":
        raise SurveyNotOpenYet("not open")
