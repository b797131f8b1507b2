"""Localization: gettext catalogs for ``ky`` and ``ru``, locale choice, Babel formatting.

Catalogs live in ``locales/<locale>/LC_MESSAGES/messages.po`` (msgids in English, extracted with
``pybabel extract``); setup compiles them to ``.mo`` (``make locales``). Should a ``.mo`` be missing
or older than its ``.po``, :func:`build_i18n` compiles it with Babel first, so the bot never
starts without its texts (aiogram's :class:`I18n` refuses uncompiled catalogs).

Plural forms follow CLDR (../shared/domain.md): Kyrgyz ``nplurals=2; plural=(n != 1)`` with the
noun singular after a numeral ("5 добуш"); Russian one/few/many ("1 голос, 2 голоса, 5 голосов").

This package is the aiogram-free core (the domain and the notices import it): catalogs are loaded
with Babel's :class:`~babel.support.Translations`, the locale of the work at hand lives in a
:class:`~contextvars.ContextVar` set by :func:`use_locale`. ``bot.i18n.middleware`` is the thin
aiogram adapter that sets it for each update. Handlers call :func:`_` / :func:`ngettext` inside a
request; background work passes ``locale=`` explicitly (or wraps itself in :func:`use_locale`).

Contexts (gettext ``msgctxt``): one English word can need two words in Kyrgyz or Russian ("Done" on a
wizard's button is «Даяр»/«Готово», an action plan item that is done is «Аткарылды»/«Выполнено").
Such msgids carry a context: :func:`pgettext` / :func:`npgettext` translate at once, :func:`NC_` marks
a label for later (a :class:`ContextMessage`, which :func:`_` translates in its context). The context
is a short lowercase English noun phrase naming the vocabulary ("service status", "plan item status");
it is never shown. ``make locales`` extracts all three (``pybabel extract --keywords``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date as _babel_format_date
from babel.dates import format_datetime as _babel_format_datetime
from babel.dates import format_time as _babel_format_time
from babel.dates import format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import Translations

SUPPORTED_LOCALES: tuple[str, ...] = ("ky", "ru")
"""Locales the bot speaks. ``ky`` is the ISO 639-1 code of Kyrgyz (never ``kg``)."""

log = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).resolve().parent.parent.parent / "locales"
DOMAIN = "messages"
_display_tz: ZoneInfo = ZoneInfo("Asia/Bishkek")


def display_timezone() -> ZoneInfo:
    """The zone in which times are shown and typed (``TIMEZONE``, set at start by
    :func:`set_display_timezone`; Asia/Bishkek until then). A function, not a constant: a module that
    copied a constant at import time kept Bishkek whatever ``TIMEZONE`` said (issue 12)."""
    return _display_tz


def __getattr__(name: str) -> object:
    if name == "DISPLAY_TZ":
        raise AttributeError("bot.i18n.DISPLAY_TZ is gone: call bot.i18n.display_timezone() when the time is "
                             "formatted or parsed (a constant imported at start ignored TIMEZONE)")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

_current: ContextVar[str | None] = ContextVar("jamaat_locale", default=None)


def compile_catalogs(directory: Path = LOCALES_DIR, *, force: bool = False) -> list[Path]:
    """Compile each ``messages.po`` under ``directory`` to ``messages.mo`` when missing or stale.

    Returns the ``.mo`` files written. Raises ``babel.messages.pofile.PoFileError`` on a broken ``.po``.
    """
    written: list[Path] = []
    for po_path in sorted(directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo_path = po_path.with_suffix(".mo")
        if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        locale = po_path.parent.parent.name
        with po_path.open("rb") as fp:
            catalog = read_po(fp, locale=locale, abort_invalid=True)
        with mo_path.open("wb") as fp:
            write_mo(fp, catalog, use_fuzzy=False)
        written.append(mo_path)
        log.info("compiled %s", mo_path)
    return written


class Catalogs:
    """The compiled gettext catalogs of every supported locale.

    ``default_locale`` is used when no locale is set in the context (:func:`use_locale`) and none is
    passed. Lookups never raise: a missing msgid comes back untranslated (English).
    """

    def __init__(self, directory: Path = LOCALES_DIR, default_locale: str = "ky") -> None:
        self.directory = directory
        self.default_locale = default_locale if default_locale in SUPPORTED_LOCALES else SUPPORTED_LOCALES[0]
        self._translations: dict[str, Translations] = {}
        for locale in SUPPORTED_LOCALES:
            loaded = Translations.load(str(directory), locales=[locale], domain=DOMAIN)
            if not isinstance(loaded, Translations):  # Babel returns NullTranslations when no .mo exists
                raise RuntimeError(f"no compiled catalog for {locale} in {directory}")
            self._translations[locale] = loaded

    @property
    def available_locales(self) -> tuple[str, ...]:
        """The locales with a loaded catalog (always :data:`SUPPORTED_LOCALES`)."""
        return tuple(self._translations)

    @property
    def current_locale(self) -> str:
        """The locale of the work at hand (:func:`use_locale`), else ``default_locale``."""
        return _current.get() or self.default_locale

    def _for(self, locale: str | None) -> Translations:
        return self._translations.get(locale or self.current_locale) or self._translations[self.default_locale]

    def gettext(self, singular: str, plural: str | None = None, n: int = 1, *, locale: str | None = None) -> str:
        """``singular`` translated into ``locale`` (default: :attr:`current_locale`); with ``plural``,
        the form for ``n`` by the catalog's plural rule."""
        translations = self._for(locale)
        if plural is None:
            return translations.gettext(singular)
        return translations.ngettext(singular, plural, n)

    def pgettext(self, context: str, singular: str, plural: str | None = None, n: int = 1, *,
                 locale: str | None = None) -> str:
        """Like :meth:`gettext`, for the catalog entry of ``singular`` with ``msgctxt`` ``context``.
        An entry missing in that context comes back untranslated (English), never the context-free one."""
        translations = self._for(locale)
        if plural is None:
            return str(translations.pgettext(context, singular))
        return str(translations.npgettext(context, singular, plural, n))

    @contextmanager
    def use_locale(self, locale: str) -> Iterator[None]:
        """Same as :func:`use_locale` (kept as a method for callers holding the catalogs)."""
        with use_locale(locale):
            yield


_catalogs: Catalogs | None = None


def build_i18n(default_locale: str = "ky", directory: Path = LOCALES_DIR) -> Catalogs:
    """Compile stale catalogs and load them (made the current :class:`Catalogs`).

    Raises:
        RuntimeError: a supported locale has no catalog.
    """
    global _catalogs
    compile_catalogs(directory)
    _catalogs = Catalogs(directory, default_locale)
    return _catalogs


def get_i18n() -> Catalogs:
    """The loaded :class:`Catalogs` (loading them with defaults on first use)."""
    return _catalogs if _catalogs is not None else build_i18n()


@contextmanager
def use_locale(locale: str | None) -> Iterator[None]:
    """Run the block in ``locale``: :func:`_` and the ``format_*`` helpers use it when given none.

    Context-local (a :class:`~contextvars.ContextVar`), so concurrent updates never see each other's locale.
    """
    token = _current.set(locale if locale in SUPPORTED_LOCALES else None)
    try:
        yield
    finally:
        _current.reset(token)


def choose_locale(saved: str | None, language_code: str | None, default: str) -> str:
    """The locale to speak: the resident's saved choice, else a supported Telegram ``language_code``
    (``ky``, ``ky-KG``, ``ru``, ``ru-RU``), else ``default``. Never raises; never returns an unsupported locale."""
    if saved in SUPPORTED_LOCALES:
        return saved
    if language_code:
        base = language_code.replace("_", "-").split("-")[0].lower()
        if base in SUPPORTED_LOCALES:
            return base
    return default if default in SUPPORTED_LOCALES else SUPPORTED_LOCALES[0]


class ContextMessage(str):
    """A msgid marked by :func:`NC_` for translation later: the English text itself (so it prints,
    compares and hashes as that text) plus :attr:`context`, the ``msgctxt`` of its catalog entry.

    :func:`_` translates it in its context, so a table of labels may mix :func:`N_` and :func:`NC_`
    entries and every display site keeps calling ``_(TABLE[key])`` (chat, exports, Jinja templates).
    """

    __slots__ = ("context",)
    context: str

    def __new__(cls, context: str, message: str) -> ContextMessage:
        obj = super().__new__(cls, message)
        obj.context = context
        return obj

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]  # pickling and copy
        return self.context, str(self)

    def __repr__(self) -> str:
        return f"NC_({self.context!r}, {str(self)!r})"


def _(message: str, *, locale: str | None = None) -> str:
    """Translate ``message`` into ``locale`` (default: the current locale, :func:`use_locale`); a
    :class:`ContextMessage` (from :func:`NC_`) is looked up in its context."""
    if isinstance(message, ContextMessage):
        return get_i18n().pgettext(message.context, str(message), locale=locale)
    return get_i18n().gettext(message, locale=locale)


def ngettext(singular: str, plural: str, n: int, *, locale: str | None = None) -> str:
    """Plural-aware translation; the result still contains ``{n}``-style placeholders to format."""
    return get_i18n().gettext(singular, plural, n, locale=locale)


def pgettext(context: str, message: str, *, locale: str | None = None) -> str:
    """Translate ``message`` as the catalog entry with ``msgctxt`` ``context`` (see the module's
    "Contexts"): ``pgettext("button", "Done")`` is «Даяр», ``pgettext("plan item status", "Done")``
    «Аткарылды». Untranslated (English) when that entry is missing."""
    return get_i18n().pgettext(context, message, locale=locale)


def npgettext(context: str, singular: str, plural: str, n: int, *, locale: str | None = None) -> str:
    """:func:`ngettext` for the entry with ``msgctxt`` ``context``; ``{n}``-style placeholders stay to format."""
    return get_i18n().pgettext(context, singular, plural, n, locale=locale)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now (translate later with :func:`_`)."""
    return message


def NC_(context: str, message: str) -> ContextMessage:
    """Mark ``message`` with its ``msgctxt`` ``context`` for extraction without translating it now:
    a :class:`ContextMessage`, translated later by :func:`_` in that context (``NC_("service status",
    "proposed")`` → ``_(label)`` = «предложена»)."""
    return ContextMessage(context, message)


def current_locale() -> str:
    """The locale of the work at hand (:func:`use_locale`), or the default outside one."""
    return get_i18n().current_locale


NUMBER_SIGN = "№"
"""The sign before an object's number in both languages: "№12" (the catalogs' convention, see
:func:`numbered`). Kept here so that code, templates and tests share one form."""


def numbered(number: int | str) -> str:
    """An object's number as the screens show it: ``numbered(12) == "№12"`` in ky and in ru.

    For every number reference code prints itself (card headers, list lines, button labels, photo
    captions, chart labels, web pages: ``{{ numbered(p.id) }}``) — the same form the catalogs give
    the msgids that say ``#{id}`` (their msgstrs say ``№{id}``; tests/test_numbers.py holds the two
    together). ``number`` is an id, not a quantity: no digit grouping ("№1234", never "№1 234").
    The sign is one character wide on a button, like "#" (:func:`bot.ui.keyboards.text_width`).
    """
    return f"{NUMBER_SIGN}{number}"


# -- Babel formatting -----------------------------------------------------------------------


def set_display_timezone(zone: ZoneInfo) -> None:
    """Set the zone in which times are shown (from ``Settings.timezone``)."""
    global _display_tz
    _display_tz = zone


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime: store and pass times as aware UTC datetimes")
    return value


DATE_PATTERNS: dict[str, dict[str, str]] = {"ru": {"long": "d MMMM y", "full": "EEEE, d MMMM y"}}
"""Where a date reads better than CLDR's form: Russian without the closing "г." ("18 марта 2025"),
because a date often ends a sentence ("…от {date}.") and "2025 г.." would close it twice (issue 12).
Other locales use Babel's ``long`` / ``full`` formats (ky "2025-ж., 18-март")."""


def _date_format(locale: str, width: str) -> str:
    return DATE_PATTERNS.get(locale.split("_")[0], {}).get(width, width)


def format_datetime(value: datetime, locale: str | None = None) -> str:
    """Date and time in the display zone: ky "2025-ж., 18-март, 20:05", ru "18 марта 2025, 20:05"."""
    loc = locale or current_locale()
    local = _aware(value).astimezone(_display_tz)
    return f"{_babel_format_date(local, _date_format(loc, 'long'), locale=loc)}, " \
           f"{_babel_format_time(local, 'HH:mm', locale=loc)}"


def format_date(value: date | datetime, locale: str | None = None, *, weekday: bool = False) -> str:
    """A date (a datetime is first moved to the display zone): ky "2025-ж., 18-март", ru "18 марта 2025";
    ``weekday`` adds the day name (ru "вторник, 18 марта 2025"). Patterns: Babel's, see :data:`DATE_PATTERNS`."""
    loc = locale or current_locale()
    if isinstance(value, datetime):
        value = _aware(value).astimezone(_display_tz)
    return _babel_format_date(value, _date_format(loc, "full" if weekday else "long"), locale=loc)


def format_time(value: datetime, locale: str | None = None) -> str:
    """24-hour time HH:mm in the display zone (as used in both languages)."""
    loc = locale or current_locale()
    return _babel_format_time(_aware(value).astimezone(_display_tz), "HH:mm", locale=loc)


def format_short_datetime(value: datetime, locale: str | None = None) -> str:
    """Weekday, day and month, and the time, short enough for a button, in the display zone:
    ky "4-дек., жума, 18:00", ru "пт, 4 дек., 18:00" (Babel's ``MMMEd`` skeleton and ``HH:mm``)."""
    loc = locale or current_locale()
    local = _aware(value).astimezone(_display_tz)
    return f"{format_skeleton('MMMEd', local, locale=loc, fuzzy=True)}, {_babel_format_time(local, 'HH:mm', locale=loc)}"


def format_number(value: int | float, locale: str | None = None) -> str:
    """A number with the locale's grouping: "1 234 567" (ky and ru both group with a narrow space)."""
    return format_decimal(value, locale=locale or current_locale())


def format_share(value: float, locale: str | None = None) -> str:
    """A share 0..1 as a percentage: ky "46%", ru "46 %"."""
    return format_percent(value, locale=locale or current_locale())


def format_timestamp(value: datetime, locale: str | None = None) -> str:
    """Full Babel medium date-time (for logs and exports)."""
    return _babel_format_datetime(_aware(value), "medium", tzinfo=_display_tz, locale=locale or current_locale())


def format_quarter(key: str, locale: str | None = None) -> str:
    """A rating quarter as a reader says it: ``"2026Q4"`` (:func:`bot.domain.registry.quarter_of`) →
    ky "2026-жылдын 4-чейреги", ru "4-й квартал 2026 г.". Babel's ``yQQQQ`` skeleton gives the same
    Russian, but for Kyrgyz only the table form "2026-ж., 4-чейрек"; the catalog's sentence reads as
    Kyrgyz is written (the genitive year, the quarter with its possessive ending). A key that is not
    ``YYYYQn`` is returned as it is."""
    year, sep, quarter = key.partition("Q")
    if not (sep and year.isdigit() and quarter in ("1", "2", "3", "4")):
        return key
    return _("Quarter {quarter} of {year}", locale=locale).format(quarter=quarter, year=year)
