"""The ranked list of priority problems as files an officer takes to a public hearing.

* CSV through :func:`bot.domain.spreadsheet.write_csv`, as every export: UTF-8 with a BOM, so Excel on
  Windows opens Cyrillic correctly; ``;``-separated, as Excel expects in ru/ky regional settings where
  the comma is the decimal sign; every cell formula-safe.
* PNG bar chart of the top problems by supports (matplotlib, Agg backend: no display needed),
  with the title and axis labels in the officer's language.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence

from bot.domain import problems as pb
from bot.domain.spreadsheet import write_csv
from bot.i18n import _, format_date, numbered

TOP_N = 10


def ranked_csv(problems: Sequence[pb.Problem], locale: str, municipality: str) -> bytes:
    """The ranked problems as CSV bytes in ``locale``: a title row, then rank, number, category, text,
    status, supports, date raised (display zone), location. Written by
    :func:`bot.domain.spreadsheet.write_csv` like every export (UTF-8 with BOM, ``;``, formula-safe
    cells: a text typed as ``=HYPERLINK(…)`` stays text)."""
    title = [_("Problems of {municipality}", locale=locale).format(municipality=municipality)]
    header = [
        _("Rank", locale=locale), _("Number", locale=locale), _("Category", locale=locale),
        _("Problem", locale=locale), _("Status", locale=locale), _("Supports", locale=locale),
        _("Raised on", locale=locale), _("Location", locale=locale),
    ]
    rows: list[list[object]] = [header]
    for rank, problem in enumerate(problems, start=1):
        text = problem.text if problem.text else _("(voice message)", locale=locale)
        location = f"{problem.latitude:.6f}, {problem.longitude:.6f}" if problem.latitude is not None else ""
        rows.append([
            rank, problem.id, _(pb.CATEGORIES[problem.category], locale=locale), text,
            _(pb.STATUSES[problem.status], locale=locale), problem.supports,
            format_date(problem.created, locale), location,
        ])
    return write_csv(title, rows, locale=locale)


def top_chart_png(problems: Sequence[pb.Problem], locale: str, municipality: str) -> bytes:
    """A horizontal bar chart of the :data:`TOP_N` most supported problems as PNG bytes.

    Blocking and TeX-sensitive: call it through :func:`bot.ui.charts.render`, which draws in a thread
    with every label as plain text (a "$" typed by a resident is drawn as "$")."""
    from matplotlib import pyplot as plt
    from matplotlib.figure import Figure

    return _draw(problems, locale, municipality, plt, Figure)


def _draw(problems, locale, municipality, plt, Figure) -> bytes:  # noqa: N803 - the class is passed in

    top = list(problems[:TOP_N])
    labels = []
    for problem in top:
        body = pb.excerpt(problem.text, 40) if problem.text else _("(voice message)", locale=locale)
        labels.append("\n".join(textwrap.wrap(f"{numbered(problem.id)} {body}", 34)[:2]))
    figure = Figure(figsize=(9, 1.2 + 0.6 * max(1, len(top))), dpi=110)
    axes = figure.add_subplot()
    positions = list(range(len(top)))[::-1]
    axes.barh(positions, [p.supports for p in top], color="#2a7ae2")
    axes.set_yticks(positions, labels, fontsize=8, parse_math=False)
    for y, problem in zip(positions, top, strict=True):
        axes.text(problem.supports, y, f" {problem.supports}", va="center", fontsize=8)
    axes.set_xlabel(_("Residents who support the problem", locale=locale))
    axes.set_title(_("Top problems of {municipality} by support", locale=locale).format(municipality=municipality),
                   fontsize=11, parse_math=False)
    axes.xaxis.get_major_locator().set_params(integer=True)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    plt.close("all")
    return out.getvalue()
