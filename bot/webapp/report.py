"""A one-page report for a public hearing (A4, printable), as PNG or PDF, drawn with matplotlib.

Three parts: the open problems with the most supports, the latest closed survey's results (as the
secrecy rule allows: options under the minimum are labelled hidden, and nothing is drawn under the
minimum turnout), and participation over the last twelve months. Texts are set in DejaVu Sans,
which ships with matplotlib and has the Kyrgyz letters ң ө ү; the PDF embeds it as a TrueType
(Type 42) font so the text stays searchable.
"""

from __future__ import annotations

import io
import textwrap
from typing import Any

from bot.db import Database
from bot.domain.clock import clock
from bot.i18n import _, format_date, format_number, format_share, numbered
from bot.store import webapp as store
from bot.webapp import views

FONT = "DejaVu Sans"
TOP_PROBLEMS = 8


async def collect(db: Database, code: str) -> dict[str, Any]:
    """What the report shows for one municipality (read once; drawn in a thread)."""
    top, _total = await store.filtered_problems(db, code, status=None, category=None, words=(), limit=200)
    open_top = [views.problem_brief(p) for p in top if p.is_open][:TOP_PROBLEMS]
    surveys = (await views.surveys(db, code, limit=50))["surveys"]
    latest = next((s for s in surveys if s["state"] == "closed"), None)
    return {"municipality": await views.place(db, code), "problems": open_top, "survey": latest,
            "participation": await views.participation(db, code), "today": clock.now()}


def figure(data: dict[str, Any], locale: str) -> Any:
    """The report as a matplotlib :class:`~matplotlib.figure.Figure` (A4 portrait), texts in ``locale``."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    def t(msgid: str) -> str:
        return _(msgid, locale=locale)

    place = data["municipality"]
    name = place["name_" + locale] or place["name_ru"]
    fig = Figure(figsize=(8.27, 11.69), dpi=100)
    fig.text(0.06, 0.965, _("Report for the public hearing", locale=locale), fontsize=16, fontweight="bold", family=FONT)
    fig.text(0.06, 0.94, f"{name} · {format_date(data['today'], locale)}", fontsize=11, family=FONT)
    grid = fig.add_gridspec(3, 1, left=0.36, right=0.95, top=0.9, bottom=0.06, hspace=0.45)

    ax = fig.add_subplot(grid[0])
    problems = data["problems"]
    ax.set_title(_("Open problems with the most supports", locale=locale), fontsize=12, loc="left", family=FONT)
    if problems:
        labels = [textwrap.shorten(f"{numbered(p['id'])} " + (p["text"] or _("Voice message", locale=locale)), 48, placeholder="…")
                  for p in problems]
        values = [p["supports"] for p in problems]
        ax.barh(range(len(values)), values, color="#2a7ae2")
        ax.set_yticks(range(len(values)), labels=labels, fontsize=8, family=FONT)
        ax.invert_yaxis()
        for i, v in enumerate(values):
            ax.text(v, i, f" {format_number(v, locale)}", va="center", fontsize=8, family=FONT)
    else:
        _empty(ax, _("No open problems.", locale=locale))

    ax = fig.add_subplot(grid[1])
    survey = data["survey"]
    if survey is None:
        ax.set_title(_("Latest survey", locale=locale), fontsize=12, loc="left", family=FONT)
        _empty(ax, _("No survey has closed yet.", locale=locale))
    else:
        question = survey["question_" + locale]
        voters = _("Voters: {n}", locale=locale).format(n=format_number(survey["ballots"], locale))
        ax.set_title("\n".join((_("Latest survey", locale=locale), textwrap.shorten(question, 70, placeholder="…"),
                                voters)), fontsize=11, loc="left", family=FONT)
        if survey["results_shown"]:
            options = survey["options"]
            values = [o["votes"] or 0 for o in options]
            ax.barh(range(len(options)), values, color="#27ae60")
            ax.set_yticks(range(len(options)), fontsize=8, family=FONT,
                          labels=[textwrap.shorten(o["text_" + locale], 48, placeholder="…") for o in options])
            ax.invert_yaxis()
            for i, o in enumerate(options):
                label = (_("hidden to keep votes secret", locale=locale) if o["votes"] is None
                         else f"{format_number(o['votes'], locale)} ({format_share(o['share'] or 0, locale)})")
                ax.text(values[i], i, " " + label, va="center", fontsize=8, family=FONT)
        else:
            _empty(ax, _("Results are not shown: too few people voted, and votes stay secret.", locale=locale))

    ax = fig.add_subplot(grid[2])
    ax.set_title(_("Participation over twelve months", locale=locale), fontsize=12, loc="left", family=FONT)
    months = data["participation"]
    xs = range(len(months))
    for key, label, color in (("raised", _("Problems raised", locale=locale), "#2a7ae2"), ("supports", _("Supports given", locale=locale), "#e67e22"),
                              ("ballots", _("Survey voters", locale=locale), "#27ae60")):
        ax.plot(xs, [m[key] for m in months], marker="o", label=label, color=color)
    ax.set_xticks(list(xs), labels=[_month_label(m["month"], locale) for m in months], fontsize=7, rotation=45,
                  family=FONT)
    legend = ax.legend(fontsize=8, loc="upper left")
    for text in legend.get_texts():
        text.set_fontfamily(FONT)
    for axis in fig.axes:
        for side in ("top", "right"):
            axis.spines[side].set_visible(False)
    return fig


def _month_label(key: str, locale: str) -> str:
    """``"2026-12"`` as a short month and year in ``locale`` (Babel's ``yMMM``): ky "2026-ж. дек.",
    ru "дек. 2026 г." ("26.12" read as the 26th of December)."""
    from datetime import date

    from babel.dates import format_skeleton

    year, month = (int(x) for x in key.split("-"))
    return format_skeleton("yMMM", date(year, month, 1), locale=locale)


def _empty(ax: Any, message: str) -> None:
    ax.set_axis_off()
    ax.text(0.0, 0.5, textwrap.fill(message, 60), fontsize=10, family=FONT, transform=ax.transAxes, va="center")


def render_report(data: dict[str, Any], locale: str, kind: str = "png") -> bytes:
    """The report as ``png`` (150 dpi) or ``pdf`` bytes."""
    from matplotlib import rc_context

    with rc_context({"pdf.fonttype": 42, "font.family": FONT}):
        fig = figure(data, locale)
        buffer = io.BytesIO()
        fig.savefig(buffer, format=kind, dpi=150 if kind == "png" else 100)
    return buffer.getvalue()
