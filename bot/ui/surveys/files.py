"""Survey results as files for officers: a bar chart (PNG) and a CSV — counts only, never voters."""

from __future__ import annotations

import csv
import io

from bot.domain.surveys import Survey, Tally
from bot.i18n import _, format_share


def results_chart_png(survey: Survey, counts: Tally, locale: str) -> bytes:
    """A horizontal bar chart of the results (counts and percentages of voters), labels in ``locale``.

    Rendered with matplotlib's Agg backend (no display); DejaVu Sans covers Kyrgyz letters ң ө ү.
    Call only when ``counts.hidden`` is false. Options hidden by the secrecy rule
    (:meth:`bot.domain.surveys.model.Tally.suppressed`) get no bar and the label "hidden".
    """
    import textwrap

    import matplotlib

    matplotlib.use("Agg")
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


def results_csv(survey: Survey, counts: Tally) -> bytes:
    """Results only — option, votes, share of voters — never who voted. UTF-8 with BOM (opens in Excel).

    Options hidden by the secrecy rule (:meth:`bot.domain.surveys.model.Tally.suppressed`) have ``hidden``
    in the votes column and an empty share; below the minimum turnout every option is hidden.
    """
    visible = counts.visible(survey)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["survey_id", "question_ky", "question_ru", "voters", "closes_at_utc"])
    writer.writerow([survey.id, survey.question_ky, survey.question_ru, counts.ballots,
                     survey.closes_at.strftime("%Y-%m-%dT%H:%M:%SZ")])
    writer.writerow([])
    writer.writerow(["position", "option_ky", "option_ru", "votes", "share_of_voters"])
    for option in survey.options:
        n = visible[option.position]
        if n is None:
            writer.writerow([option.position, option.text_ky, option.text_ru, "hidden", ""])
        else:
            writer.writerow([option.position, option.text_ky, option.text_ru, n,
                             f"{counts.share(option.position):.4f}"])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
