"""What every file for officers shares (issue 12): formula-safe cells, CSV as Excel in Kyrgyzstan opens
it, and file names dated in the display zone. The one place these rules live: the bot's exports
(problems, registry, survey results, the execution report) and the web app's CSV and XLSX all go
through :func:`spreadsheet_safe` and :func:`write_csv`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime

from babel.numbers import format_decimal

from bot.i18n import display_timezone

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
"""First characters that make a spreadsheet read a cell as a formula: OWASP's list (= + - @, tab,
carriage return), the line feed, and the full-width forms some Excel versions also accept."""


def spreadsheet_safe(value: object) -> object:
    """Keep spreadsheet programs from running a cell as a formula (CSV injection, OWASP's advice): a
    text starting with one of :data:`FORMULA_START` gets a leading apostrophe, so Excel and LibreOffice
    show it as text (``=HYPERLINK(…)`` → ``'=HYPERLINK(…)``). Anything that is not a ``str`` (numbers,
    ``None``, dates) passes unchanged: a number is never a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_number(value: float, locale: str) -> str:
    """A fractional number as CSV text Excel with ky/ru regional settings reads as a number: the
    locale's decimal sign (a comma in both), at most two decimals, no group separators (Babel's
    ``0.##`` pattern): ``4.3333`` → ``"4,33"``."""
    return format_decimal(value, format="0.##", locale=locale)


def write_csv(header: Sequence[object], rows: Sequence[Sequence[object]], *, locale: str | None = None) -> bytes:
    """CSV bytes as officers open them in Excel with ru/ky regional settings: UTF-8 with a BOM (Excel
    on Windows then reads Cyrillic), ``;``-separated (the comma is the decimal sign there), CRLF, every
    cell through :func:`spreadsheet_safe`, ``None`` as an empty cell. With ``locale``, a ``float`` is
    written by :func:`csv_number` (``4,5``, not ``4.5``, which Excel there reads as a date or a text);
    integers are plain digits either way."""
    def cell(value: object) -> object:
        if value is None:
            return ""
        if locale is not None and isinstance(value, float):
            return csv_number(value, locale)
        return spreadsheet_safe(value)

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([cell(c) for c in header])
    for row in rows:
        writer.writerow([cell(c) for c in row])
    return buffer.getvalue().encode("utf-8-sig")


def export_filename(stem: str, extension: str, moment: datetime) -> str:
    """``registry-41708203807000-2026-12-02.csv``: ``stem`` and the day of ``moment`` (aware) in the
    display zone (:func:`bot.i18n.display_timezone`, Asia/Bishkek) — at 20:00 UTC it is already the
    next day there. Keep ``stem`` ASCII: some Telegram clients and browsers mangle other file names."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass an aware UTC time")
    return f"{stem}-{moment.astimezone(display_timezone()).date().isoformat()}.{extension}"
