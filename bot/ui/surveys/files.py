"""Survey results as files for officers: a bar chart (PNG) and a CSV — counts only, never voters."""

from __future__ import annotations

import io

from bot.domain.spreadsheet import export_filename, write_csv
from bot.domain.surveys import Survey, Tally
from bot.i18n import _, format_datetime, format_share


def results_chart_png(survey: Survey, counts: Tally, locale: str) -> bytes:
    """A horizontal bar chart of the results (counts and percentages of voters), labels in ``locale``.

    Rendered with matplotlib's Agg backend (no display); DejaVu Sans covers Kyrgyz letters ң ө ү.
    Blocking and TeX-sensitive: call it through :func:`bot.ui.charts.render`, which draws in a thread
    with every label as plain text.
    Call only when ``counts.hidden`` is false. Options hidden by the secrecy rule
    (:meth:`bot.domain.surveys.model.Tally.suppressed`) get no bar and the label "hidden".
    """
    import textwrap

    from matplotlib.figure import Figure

    options = list(survey.options)
    labels = [textwrap.fill(o.text(locale), 32) for o in options]
    visible = counts.visible(survey)
    values = [visible[o.position] or 0 for o in options]
    height = 1.6 + 0.7 * len(options)
    fig = Figure(figsize=(9, height), dpi=100)
    ax = fig.add_subplot()
    bars = ax.barh(range(len(options)), values, color="#2a7ae2")
    ax.set_yticks(range(len(options)), labels=labels, fontsize=10)
    ax.invert_yaxis()
    ax.set_title(textwrap.fill(survey.question(locale), 70), fontsize=12)
    ax.set_xlabel(_("Votes", locale=locale))
    top = max(values) if values else 0
    ax.set_xlim(0, max(top * 1.25, 1))
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    for bar, option in zip(bars, options, strict=True):
        n = visible[option.position]
        label = (_("hidden to keep votes secret", locale=locale) if n is None
                 else f"{n} ({format_share(counts.share(option.position), locale)})")
        ax.text(bar.get_width() + top * 0.01, bar.get_y() + bar.get_height() / 2, label, va="center", fontsize=10)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def results_csv(survey: Survey, counts: Tally, locale: str) -> bytes:
    """Results only — option, votes, share of voters — never who voted, in the reader's ``locale``:
    headers, the closing time (``TIMEZONE``, Babel), shares as Babel percentages. Written like every
    export (:func:`bot.domain.spreadsheet.write_csv`): UTF-8 with BOM, ``;``-separated, formula-safe.

    Options hidden by the secrecy rule (:meth:`bot.domain.surveys.model.Tally.suppressed`) say so in the
    votes column and have an empty share; below the minimum turnout every option is hidden.
    """
    visible = counts.visible(survey)
    hidden = _("hidden to keep votes secret", locale=locale)
    rows: list[list[object]] = [
        [_("Survey", locale=locale), survey.id],
        [_("Question in Kyrgyz", locale=locale), survey.question_ky],
        [_("Question in Russian", locale=locale), survey.question_ru],
        [_("Voters", locale=locale), counts.ballots],
        [_("Closes", locale=locale), format_datetime(survey.closes_at, locale)],
        [],
        [_("No.", locale=locale), _("Option in Kyrgyz", locale=locale), _("Option in Russian", locale=locale),
         _("Votes", locale=locale), _("Share of voters", locale=locale)],
    ]
    for option in survey.options:
        n = visible[option.position]
        rows.append([option.position, option.text_ky, option.text_ru, hidden if n is None else n,
                     "" if n is None else format_share(counts.share(option.position), locale)])
    return write_csv(rows[0], rows[1:])


def results_filename(survey: Survey, extension: str) -> str:
    """``survey-12-results-2026-12-15.csv``: the closing day in ``TIMEZONE``, not in UTC."""
    return export_filename(f"survey-{survey.id}-results", extension, survey.closes_at)
