"""The municipality's data as an XLSX workbook (openpyxl) and as CSV, for officers.

Sheets: problems with statuses and supports, surveys with totals only (the turnout, and option counts
only as the secrecy rule allows once closed), hearings with their outcomes, the registry of services,
and participation by month. Headers and values are in the officer's language. Never a voter's
identity, a phone number or a resident's Telegram id. Every text cell is formula-safe: one starting
with ``= + - @``, a tab or a carriage return gets a leading apostrophe
(:func:`bot.domain.spreadsheet.spreadsheet_safe`, OWASP's CSV-injection advice).

:func:`_table` gives typed values; each format writes them for its reader. Times are in the display
zone (Asia/Bishkek): in XLSX real date cells (``DD.MM.YYYY HH:MM``, so a column sorts and filters), in
CSV Babel's words. Numbers stay numbers (in CSV a fraction has the locale's decimal comma); a share
of voters is a percentage cell (``0%``) in XLSX and Babel's percentage in CSV.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from bot.db import Database
from bot.domain import problems as pb
from bot.domain.clock import from_db
from bot.domain.spreadsheet import spreadsheet_safe, write_csv
from bot.i18n import NC_, _, display_timezone, format_date, format_datetime, format_share
from bot.store import webapp as store
from bot.webapp import views
from bot.webapp.render import hearing_state_label, survey_state_label
from bot.ui.hearings import TOPIC_LABELS
from bot.ui.registry import PROVIDER_LABELS, REGISTRY_LABELS, STATUS_LABELS, area_label

SHEETS = ("problems", "surveys", "results", "hearings", "registry", "participation")
SHEET_TITLES = {
    "problems": NC_("export sheet", "problems"),
    "surveys": NC_("export sheet", "surveys"),
    "results": NC_("export sheet", "survey results"),
    "hearings": NC_("export sheet", "hearings"),
    "registry": NC_("export sheet", "registry"),
    "participation": NC_("export sheet", "participation by month"),
}


async def collect(db: Database, code: str) -> dict[str, Any]:
    """Everything the workbook holds for one municipality (read once, rendered in a thread)."""
    problems, _total = await store.filtered_problems(db, code, status=None, category=None, words=(), limit=100_000)
    return {"municipality": await views.place(db, code), "problems": [views.problem_brief(p) for p in problems],
            "surveys": (await views.surveys(db, code, limit=1000))["surveys"],
            "hearings": (await views.hearings(db, code, limit=1000))["hearings"],
            "registry": (await views.registry(db, code))["services"],
            "participation": await views.participation(db, code)}


class Share(float):
    """A share of voters 0..1 in a sheet: a percentage cell in XLSX, Babel's percentage in CSV."""


def _date(value: str | None, locale: str) -> datetime | None:
    """A stored UTC time as an aware datetime (``None`` for none); each format localizes it."""
    return from_db(value) if value else None


def _table(data: dict[str, Any], sheet: str, locale: str) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of one sheet, in ``locale``."""
    t: Callable[[str], str] = lambda msgid: _(msgid, locale=locale)  # noqa: E731
    if sheet == "problems":
        header = [_("Number", locale=locale), _("Category", locale=locale), _("Status", locale=locale), _("Supports", locale=locale), _("Raised on", locale=locale), _("Last change", locale=locale), _("Text", locale=locale)]
        rows = [[p["id"], t(pb.CATEGORIES[p["category"]]), t(pb.STATUSES[p["status"]]), p["supports"],
                 _date(p["created_at"], locale), _date(p["updated_at"], locale),
                 _("Voice message", locale=locale) if p["voice"] else p["text"]] for p in data["problems"]]
    elif sheet == "surveys":
        header = [_("Number", locale=locale), _("Question", locale=locale), _("State", locale=locale), _("Opens", locale=locale), _("Closes", locale=locale), _("Voters", locale=locale)]
        rows = [[s["id"], s["question_" + locale] or s["question_ky"] or s["question_ru"],
                 survey_state_label(s["state"], locale), _date(s["opens_at"], locale), _date(s["closes_at"], locale),
                 s["ballots"]] for s in data["surveys"]]
    elif sheet == "results":
        header = [_("Survey number", locale=locale), _("Question", locale=locale), _("Answer", locale=locale), _("Votes", locale=locale),
                  _("Share of voters", locale=locale)]
        rows = []
        for s in data["surveys"]:
            if not s["results_shown"]:
                continue
            for o in s["options"]:
                rows.append([s["id"], s["question_" + locale], o["text_" + locale],
                             _("hidden to keep votes secret", locale=locale) if o["votes"] is None else o["votes"],
                             None if o["share"] is None else Share(o["share"])])
    elif sheet == "hearings":
        header = [_("Number", locale=locale), _("Title", locale=locale), _("Topic", locale=locale), _("State", locale=locale), _("Starts", locale=locale), _("Place", locale=locale), _("Coming", locale=locale),
                  _("Not coming", locale=locale), _("Participants", locale=locale), _("Decisions", locale=locale), _("Reason for cancelling", locale=locale)]
        rows = [[h["id"], h["title_" + locale], t(TOPIC_LABELS.get(h["topic"], h["topic"])),
                 hearing_state_label(h["status"], locale), _date(h["starts_at"], locale), h["place"], h["going"],
                 h["not_going"], h["participants"], h["decisions_" + locale], h["cancel_reason"]]
                for h in data["hearings"]]
    elif sheet == "registry":
        header = [_("Number", locale=locale), _("Service", locale=locale), _("Area", locale=locale), _("Registry", locale=locale), _("Status", locale=locale), _("Provider", locale=locale), _("Cost", locale=locale),
                  _("Council resolution", locale=locale), _("Supports", locale=locale), _("Followers", locale=locale), _("Average rating", locale=locale)]
        rows = [[s["id"], s["name_" + locale] or s["name_ky"] or s["name_ru"], area_label(s["area"], locale),
                 t(REGISTRY_LABELS[s["registry"]]), t(STATUS_LABELS[s["status"]]),
                 " — ".join(x for x in (t(PROVIDER_LABELS[s["provider_kind"]]), s["provider_name"]) if x),
                 (_("Paid", locale=locale) + (f": {s['tariff']}" if s["tariff"] else "")) if s["paid"] else _("Free of charge", locale=locale),
                 " ".join(x for x in (s["resolution_number"] or "", format_date(
                     date.fromisoformat(s["resolution_date"]), locale)
                     if s["resolution_date"] else "") if x),  # one text: "№12 2026-ж., 2-декабрь"
                 s["supports"], s["followers"], s["rating_average"]] for s in data["registry"]]
    else:
        header = [_("Month", locale=locale), _("Residents joined", locale=locale), _("Problems raised", locale=locale), _("Supports given", locale=locale),
                  _("Survey voters", locale=locale), _("Coming to hearings", locale=locale)]
        rows = [[_month(m["month"], locale), m["joined"], m["raised"], m["supports"], m["ballots"], m["going"]]
                for m in data["participation"]]
    return header, rows


def _month(key: str, locale: str) -> str:
    """``"2026-12"`` as the month's name and year in ``locale`` (Babel's stand-alone month, ``LLLL y``)."""
    from babel.dates import format_date as babel_date

    year, month = (int(x) for x in key.split("-"))
    return babel_date(date(year, month, 1), "LLLL y", locale=locale)


def workbook(data: dict[str, Any], locale: str) -> bytes:
    """The XLSX workbook, one sheet per :data:`SHEETS` entry (sheet names in ``locale``), written in
    openpyxl's streaming (write-only) mode: thousands of problems stay fast and small in memory."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for sheet in SHEETS:
        header, rows = _table(data, sheet, locale)
        title = "".join(" " if ch in '[]:*?/\\' else ch for ch in _(SHEET_TITLES[sheet], locale=locale))
        ws = book.create_sheet(" ".join(title.split())[:31])
        for number, name in enumerate(header, start=1):
            timed = any(isinstance(row[number - 1], datetime) for row in rows[:50])
            ws.column_dimensions[get_column_letter(number)].width = min(max(len(str(name)) + 2, 18 if timed else 10), 60)
        cells = []
        for name in header:
            cell = WriteOnlyCell(ws, value=spreadsheet_safe(name))
            cell.font = bold
            cells.append(cell)
        ws.append(cells)
        for row in rows:
            ws.append([_cell(ws, v, WriteOnlyCell) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


XLSX_DATETIME = "DD.MM.YYYY HH:MM"
"""Number format of a time cell: day.month.year as both languages write it in Kyrgyzstan, 24-hour."""
XLSX_SHARE = "0%"


def _cell(ws: Any, value: Any, cell_type: Any) -> Any:
    """A cell: numbers stay numbers, ``None`` stays empty, a :class:`Share` is a percentage cell, a time
    is a date cell in the display zone (Excel has no zones: the Bishkek wall time is written), texts
    are formula-safe. openpyxl stores a string starting with ``=`` as a formula, so the apostrophe is
    what keeps it text."""
    if isinstance(value, datetime):
        cell = cell_type(ws, value=value.astimezone(display_timezone()).replace(tzinfo=None))
        cell.number_format = XLSX_DATETIME
        return cell
    if isinstance(value, Share):
        cell = cell_type(ws, value=float(value))
        cell.number_format = XLSX_SHARE
        return cell
    if value is None or isinstance(value, (int, float)):
        return value
    return spreadsheet_safe(str(value))


def _text(value: Any, locale: str) -> Any:
    """A CSV cell: a time in words (Babel, display zone), a share as Babel's percentage."""
    if isinstance(value, datetime):
        return format_datetime(value, locale)
    if isinstance(value, Share):
        return format_share(float(value), locale)
    return value


def csv_sheet(data: dict[str, Any], sheet: str, locale: str) -> bytes:
    """One sheet as CSV in ``locale`` (UTF-8 with BOM, ``;``, formula-safe, fractions with the decimal
    comma: :func:`bot.domain.spreadsheet.write_csv`)."""
    header, rows = _table(data, sheet, locale)
    return write_csv(header, [[_text(v, locale) for v in row] for row in rows], locale=locale)
