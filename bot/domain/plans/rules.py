"""Pure checks of the plans feature: texts, amounts in som, typed dates, problem lists, CSV."""

from __future__ import annotations

import re
from datetime import date

from bot.domain.errors import InvalidInput, TextTooLong, TextTooShort
from bot.domain.plans.errors import BadAmount, BadDate, BadProblemList
from bot.domain.plans.model import MONEY_MAX, PROBLEMS_MAX
from bot.domain.text import clean_user_text

_DATE = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")
_SPACES = re.compile(r"[\s\u00a0\u202f_'’]")


def check_text(text: str | None, *, limit: int, minimum: int = 0) -> str:
    """``text`` cleaned (:func:`~bot.domain.text.clean_user_text`) and bounded, in characters.

    Raises:
        TextTooLong: over ``limit``. TextTooShort: under ``minimum`` (0 = may be empty).
    """
    value = clean_user_text(text or "")
    if len(value) > limit:
        raise TextTooLong(limit=limit, actual=len(value))
    if len(value) < minimum:
        raise TextTooShort(limit=minimum, actual=len(value))
    return value


def parse_som(text: str | None, *, allow_zero: bool = True) -> int:
    """A whole number of som typed as ``150000``, ``150 000``, ``150,000`` is refused (ambiguous
    decimal comma in ky/ru), ``сом``/``som`` at the end is allowed.

    Raises:
        BadAmount: anything else, negative, over :data:`~.model.MONEY_MAX`, or 0 when not ``allow_zero``.
    """
    raw = (text or "").strip()
    value = re.sub(r"(?i)\s*(сом|som|с\.?)$", "", raw)
    value = _SPACES.sub("", value)
    if not value or len(value) > 15 or not (value.isascii() and value.isdigit()):
        raise BadAmount(raw[:20])
    amount = int(value)
    if amount > MONEY_MAX or (amount == 0 and not allow_zero):
        raise BadAmount(raw[:20])
    return amount


def parse_date(text: str | None) -> date:
    """A date typed as ``DD.MM.YYYY`` (``/`` or ``-`` also separate).

    Raises:
        BadDate: another form, or no such day.
    """
    raw = (text or "").strip()
    match = _DATE.match(raw)
    if not match:
        raise BadDate(raw[:20])
    day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise BadDate(raw[:20]) from None


def parse_problem_ids(text: str | None) -> list[int]:
    """Problem numbers typed as ``12, 15`` or ``#12 #15`` (at most :data:`~.model.PROBLEMS_MAX`, repeats dropped).

    Raises:
        BadProblemList: no number, a part that is no number, or too many.
    """
    raw = (text or "").strip()
    parts = [p.strip().lstrip("#№").strip() for p in re.split(r"[,;\s]+", raw) if p.strip().lstrip("#№")]
    if not parts or len(parts) > PROBLEMS_MAX:
        raise BadProblemList(raw[:20])
    ids: list[int] = []
    for part in parts:
        if not (part.isascii() and part.isdigit()) or len(part) > 15 or int(part) <= 0:
            raise BadProblemList(raw[:20])
        if int(part) not in ids:
            ids.append(int(part))
    return ids


def date_to_db(value: date | None) -> str | None:
    """``YYYY-MM-DD`` or ``None``."""
    return None if value is None else value.isoformat()


def date_from_db(value: str | None) -> date | None:
    """The stored ``YYYY-MM-DD`` back as a date (``None`` stays ``None``)."""
    return None if not value else date.fromisoformat(value)


_STEP_LINE = re.compile(r"^(?P<title>.+?)[\s\u2014\u2013:;,-]+(?P<date>\d{1,2}[./-]\d{1,2}[./-]\d{4})$")


def parse_steps(text: str | None, *, limit: int, most: int) -> list[tuple[str, date]]:
    """Steps typed one per line as ``title — DD.MM.YYYY`` (a dash, colon, comma or space before the date).

    Raises:
        BadDate: a line without a readable date at its end (``text`` is that line), or no line at all.
        TextTooLong: a title over ``limit``. InvalidInput: more than ``most`` lines.
    """
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not lines:
        raise BadDate("")
    if len(lines) > most:
        raise InvalidInput("too many steps", limit=most, actual=len(lines))
    steps = []
    for line in lines:
        match = _STEP_LINE.match(line)
        if not match:
            raise BadDate(line[:40])
        title = check_text(match.group("title").strip(" —–-:;,"), limit=limit, minimum=1)
        steps.append((title, parse_date(match.group("date"))))
    return steps
