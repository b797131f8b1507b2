"""Pure rules of the registry: text bounds, quarters of ratings, proposals and edits checked, typed
numbers and dates read (CSV lives in :mod:`bot.domain.spreadsheet`). No database here."""

from __future__ import annotations

from datetime import date, datetime

from bot.domain.errors import InvalidInput, NumberOutOfRange, TextTooLong, TextTooShort
from bot.domain.registry.errors import BadProblemNumber, BadResolutionDate
from bot.domain.registry.model import (
    AREAS,
    DESCRIPTION_MAX,
    EDITABLE,
    GROUPS,
    NAME_MAX,
    NAME_MIN,
    PROVIDER_KINDS,
    RECIPIENTS_MAX,
    REGISTRIES,
    Proposal,
)
from bot.domain.text import clean_user_text
from bot.i18n import display_timezone


def check_text(text: str | None, *, limit: int, minimum: int = 0) -> str:
    """Clean a typed text (:func:`clean_user_text`, line/paragraph separators as newlines) and check
    its length in characters.

    Raises:
        TextTooLong: longer than ``limit``.
        TextTooShort: shorter than ``minimum`` (``limit`` is ``minimum``).
    """
    value = clean_user_text((text or "").replace("\u2028", "\n").replace("\u2029", "\n"))
    if len(value) > limit:
        raise TextTooLong(limit=limit, actual=len(value))
    if len(value) < minimum:
        raise TextTooShort(limit=minimum, actual=len(value))
    return value


def check_score(score: object) -> int:
    """A rating score 1–5.

    Raises:
        NumberOutOfRange: not an integer from 1 to 5.
    """
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise NumberOutOfRange(low=1, high=5, actual=score if isinstance(score, int) else None)
    return score


def quarter_of(moment: datetime) -> str:
    """Calendar quarter in ``TIMEZONE`` (Asia/Bishkek): ``2026-12-31T19:00Z`` (01:00 on 1 January in
    Bishkek) → ``2027Q1``."""
    local = moment.astimezone(display_timezone())
    return f"{local.year}Q{(local.month - 1) // 3 + 1}"


def next_quarter_start(moment: datetime) -> date:
    """First day of the quarter after the one ``moment`` falls in (``TIMEZONE``, Asia/Bishkek)."""
    local = moment.astimezone(display_timezone())
    month = ((local.month - 1) // 3 + 1) * 3 + 1
    return date(local.year + (month > 12), (month - 1) % 12 + 1, 1)


def check_proposal(proposal: Proposal) -> Proposal:
    """Validate and clean every field of a proposal.

    Raises:
        TextTooLong, TextTooShort: a text out of bounds (``limit``/``actual`` set).
        InvalidInput: an unknown group/area/locale.
    """
    if proposal.area not in AREAS or proposal.locale not in ("ky", "ru"):
        raise InvalidInput("area or locale")
    if proposal.on_behalf_of is not None and proposal.on_behalf_of not in GROUPS:
        raise InvalidInput("group")
    return Proposal(
        name=check_text(proposal.name, limit=NAME_MAX, minimum=NAME_MIN),
        description=check_text(proposal.description, limit=DESCRIPTION_MAX),
        recipients=check_text(proposal.recipients, limit=RECIPIENTS_MAX),
        on_behalf_of=proposal.on_behalf_of,
        area=proposal.area,
        locale=proposal.locale,
    )


def check_fields(fields: dict[str, object]) -> dict[str, object]:
    """The officer's edit, cleaned into column values (see :data:`~.model.EDITABLE`, plus ``area``,
    ``registry``, ``provider_kind``, ``paid`` (bool → 0/1), ``resolution_date`` (date or None → ISO)).

    A name may be cleared (``""``: the other language's name is shown), never made 1–2 letters.

    Raises:
        TextTooLong, TextTooShort: a text out of bounds.
        InvalidInput: unknown field or bad value.
    """
    clean: dict[str, object] = {}
    for key, value in fields.items():
        if key in ("name_ky", "name_ru"):
            text = check_text(str(value or ""), limit=EDITABLE[key])
            clean[key] = text if not text else check_text(text, limit=NAME_MAX, minimum=NAME_MIN)
        elif key in EDITABLE:
            clean[key] = check_text(str(value or ""), limit=EDITABLE[key])
        elif key == "area" and value in AREAS:
            clean[key] = value
        elif key == "registry" and value in REGISTRIES:
            clean[key] = value
        elif key == "provider_kind" and value in PROVIDER_KINDS:
            clean[key] = value
        elif key == "paid" and isinstance(value, bool):
            clean[key] = int(value)
        elif key == "resolution_date" and (value is None or isinstance(value, date)):
            clean[key] = value.isoformat() if isinstance(value, date) else None
        else:
            raise InvalidInput(f"field {key!r}")
    return clean


CLEAR = "-"
"""What an officer sends to clear a field."""


def parse_edit_value(field: str, raw: str | None) -> object:
    """The value an officer typed for ``field``: ``-`` clears it (``""``, or ``None`` for the date);
    the resolution date is read as ``DD.MM.YYYY``; other texts are passed on to :func:`check_fields`.

    Raises:
        BadResolutionDate: the date cannot be read.
    """
    text = (raw or "").strip()
    if field == "resolution_date":
        if text == CLEAR:
            return None
        try:
            return datetime.strptime(text, "%d.%m.%Y").date()
        except ValueError:
            raise BadResolutionDate(text[:20]) from None
    return "" if text == CLEAR else text


def parse_problem_number(text: str | None) -> int:
    """A problem number typed as ``12``, ``#12`` or ``№12`` (ASCII digits only: ``"²".isdigit()`` is
    true but ``int("²")`` fails).

    Raises:
        BadProblemNumber: anything else, or a number beyond SQLite's integers.
    """
    value = (text or "").strip().lstrip("#№ ").strip()
    if not value or len(value) > 15 or not (value.isascii() and value.isdigit()) or int(value) <= 0:
        raise BadProblemNumber(value[:20])
    return int(value)
