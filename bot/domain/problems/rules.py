"""Pure rules of the problems feature: text bounds, comments, locations, search stems, excerpts."""

from __future__ import annotations

import re

from bot.domain.errors import InvalidInput, TextTooLong, TextTooShort
from bot.domain.problems.errors import BadProblemNumber, ReasonRequired
from bot.domain.problems.model import COMMENT_MAX, EXCERPT_LENGTH, MAX_PHOTOS, TARGET_MAX
from bot.domain.problems.errors import TooManyPhotos
from bot.domain.text import clean_user_text, fold

_WORD = re.compile(r"\w+")
_STOPWORDS = frozenset({
    "что", "это", "как", "для", "нет", "все", "уже", "очень", "наш", "наши", "нас", "нам", "или", "так",
    "жана", "менен", "бул", "деп", "учун", "эмес", "биз", "биздин", "бизде", "дагы", "абдан", "жок", "бар",
})

LINE_SEPARATORS = re.compile("[\u2028\u2029]")
"""Unicode line/paragraph separators: kept as line breaks (clean_user_text would drop them)."""


def search_stems(text: str) -> list[str]:
    """Folded word stems of ``text`` for "similar problems": words of 3+ letters after
    :func:`fold`, cut to 5 letters (a crude stem that lets "суу"/"сууну", "дорога"/"дороги"
    meet), stop words dropped, each stem once, in order of first use."""
    stems: dict[str, None] = {}
    for word in _WORD.findall(fold(text)):
        if len(word) < 3 or word.isdigit() or word in _STOPWORDS:
            continue
        stems[word[:5]] = None
    return list(stems)


def check_text(text: str | None, *, text_min: int, text_max: int) -> str:
    """The problem text as it will be stored (:func:`clean_user_text`; U+2028/U+2029 become line
    breaks). Invisible characters (zero-width, bidi, Hangul fillers…) are removed BEFORE the length
    is counted, so a "text" of 12 blank fillers is too short.

    Raises:
        TextTooShort: shorter than ``text_min`` characters (``limit``/``actual``).
        TextTooLong: longer than ``text_max`` characters (settings ``PROBLEM_TEXT_MIN``/``MAX``).
    """
    cleaned = clean_user_text(LINE_SEPARATORS.sub("\n", text or ""))
    if len(cleaned) < text_min:
        raise TextTooShort(limit=text_min, actual=len(cleaned))
    if len(cleaned) > text_max:
        raise TextTooLong(limit=text_max, actual=len(cleaned))
    return cleaned


def check_comment(comment: str | None, *, required: bool) -> str | None:
    """An officer's comment or reason, cleaned; ``None`` when empty and not required.

    Raises:
        ReasonRequired: empty while ``required`` (rejecting, hiding).
        TextTooLong: over :data:`COMMENT_MAX` characters.
    """
    cleaned = clean_user_text(comment or "")
    if required and not cleaned:
        raise ReasonRequired()
    if len(cleaned) > COMMENT_MAX:
        raise TextTooLong(limit=COMMENT_MAX, actual=len(cleaned))
    return cleaned or None


def check_photos(photos: list[str] | tuple[str, ...]) -> None:
    """Raises :class:`TooManyPhotos` over :data:`MAX_PHOTOS`."""
    if len(photos) > MAX_PHOTOS:
        raise TooManyPhotos("too many photos", limit=MAX_PHOTOS, actual=len(photos))


def check_location(latitude: float | None, longitude: float | None) -> None:
    """Both or neither, within -90..90 and -180..180 degrees; raises :class:`InvalidInput` otherwise."""
    if (latitude is None) != (longitude is None):
        raise InvalidInput("bad location")
    if latitude is not None and longitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InvalidInput("bad location")


def parse_problem_number(text: str | None) -> int:
    """A problem number typed by an officer: ``12``, ``#12``, ``№ 12`` (ASCII digits only, so
    "²" or "١٢" never become a number).

    Raises:
        BadProblemNumber: anything else.
    """
    raw = (text or "").strip().lstrip("#№").strip()
    if not raw or len(raw) > min(TARGET_MAX, 16) or not (raw.isascii() and raw.isdigit()) or int(raw) <= 0:
        raise BadProblemNumber("not a problem number")
    return int(raw)


def excerpt(text: str, length: int = EXCERPT_LENGTH) -> str:
    """The first ``length`` characters of ``text`` on one line, cut at a word with "…".
    Cut BEFORE escaping, so an HTML entity is never split."""
    flat = " ".join(text.split())
    if len(flat) <= length:
        return flat
    cut = flat[:length]
    if " " in cut[length // 2:]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip() + "…"
