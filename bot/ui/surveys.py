"""Survey screens: callback data, keyboards, the results chart (PNG) and the results CSV.

Callback data carries ids only (≤ 64 bytes): ``sv:<action>:<survey_id>:<value>`` for residents,
``sa:<action>:<survey_id>:<value>`` for officers. A multi-choice ballot keeps its ticks in the
keyboard itself (``value`` is a bit mask of positions), so toggling writes nothing and survives a
restart; only "Submit" writes the vote.
"""

from __future__ import annotations

import csv
import io

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain.surveys import Survey, Tally
from bot.i18n import _, format_share

BUTTON_TEXT_MAX = 60
"""Characters of an option on a button; the message text shows it whole."""


class SurveyCallback(CallbackData, prefix="sv"):
    """Resident actions: ``open`` (show the ballot), ``vote`` (single choice, ``value`` = position),
    ``tick`` (multi choice, ``value`` = mask after the tick), ``submit`` (``value`` = mask),
    ``results`` (a closed survey's results), ``list`` (open surveys). ``sv:submit:123456:1023`` = 19 bytes."""

    action: str
    survey_id: int = 0
    value: int = 0


class SurveyAdminCallback(CallbackData, prefix="sa"):
    """Officer actions on a survey or draft: ``show``, ``close``, ``close_yes``, ``extend``, ``delete``,
    ``delete_yes``, ``chart``, ``csv``, ``list``; draft steps: ``skip``, ``done``, ``problems``, ``max``
    (``value`` = N), ``now``, ``verified`` (``value`` 0/1), ``publish``, ``discard``."""

    action: str
    survey_id: int = 0
    value: int = 0


def mask_of(positions) -> int:
    """Bit mask of option positions (1..10)."""
    mask = 0
    for p in positions:
        mask |= 1 << (int(p) - 1)
    return mask


def positions_of(mask: int) -> list[int]:
    """Option positions set in a mask (only 1..10 are considered)."""
    return [p for p in range(1, 11) if mask & (1 << (p - 1))]


def _label(text: str) -> str:
    return text if len(text) <= BUTTON_TEXT_MAX else text[: BUTTON_TEXT_MAX - 1] + "…"


def ballot_keyboard(survey: Survey, locale: str, *, mine: frozenset[int] = frozenset(),
                    mask: int | None = None) -> InlineKeyboardMarkup:
    """Buttons to vote: one per option (single choice; ✅ marks the resident's current vote), or
    ☐/☑ toggles and "Submit" (multi choice; ``mask`` = current ticks, default the current vote)."""
    builder = InlineKeyboardBuilder()
    if not survey.multiple:
        for option in survey.options:
            mark = "✅ " if option.position in mine else ""
            builder.row(InlineKeyboardButton(
                text=mark + _label(option.text(locale)),
                callback_data=SurveyCallback(action="vote", survey_id=survey.id, value=option.position).pack()))
        return builder.as_markup()
    ticks = mask_of(mine) if mask is None else mask
    for option in survey.options:
        bit = 1 << (option.position - 1)
        box = "☑ " if ticks & bit else "☐ "
        builder.row(InlineKeyboardButton(
            text=box + _label(option.text(locale)),
            callback_data=SurveyCallback(action="tick", survey_id=survey.id, value=ticks ^ bit).pack()))
    builder.row(InlineKeyboardButton(
        text=_("Submit my vote"),
        callback_data=SurveyCallback(action="submit", survey_id=survey.id, value=ticks).pack()))
    return builder.as_markup()


def survey_list_keyboard(surveys: list[Survey], locale: str, *, action: str = "open") -> InlineKeyboardMarkup:
    """One button per survey (its question), opening the ballot or the results."""
    builder = InlineKeyboardBuilder()
    for survey in surveys:
        builder.row(InlineKeyboardButton(
            text=_label(survey.question(locale)),
            callback_data=SurveyCallback(action=action, survey_id=survey.id).pack()))
    return builder.as_markup()


def officer_list_keyboard(surveys: list[Survey], locale: str) -> InlineKeyboardMarkup:
    """The officer's surveys, one per row, each opening its management card."""
    builder = InlineKeyboardBuilder()
    for survey in surveys:
        builder.row(InlineKeyboardButton(
            text=f"#{survey.id} " + _label(survey.question(locale)),
            callback_data=SurveyAdminCallback(action="show", survey_id=survey.id).pack()))
    return builder.as_markup()


def officer_card_keyboard(survey: Survey, state: str) -> InlineKeyboardMarkup:
    """Management buttons: while scheduled/open — close now, extend, delete; after close — chart, CSV."""
    builder = InlineKeyboardBuilder()
    sid = survey.id
    if state == "closed":
        builder.button(text=_("📊 Chart"), callback_data=SurveyAdminCallback(action="chart", survey_id=sid))
        builder.button(text=_("📄 CSV"), callback_data=SurveyAdminCallback(action="csv", survey_id=sid))
    else:
        builder.button(text=_("🔄 Turnout"), callback_data=SurveyAdminCallback(action="show", survey_id=sid))
        builder.button(text=_("⏹ Close now"), callback_data=SurveyAdminCallback(action="close", survey_id=sid))
        builder.button(text=_("⏳ Extend"), callback_data=SurveyAdminCallback(action="extend", survey_id=sid))
        builder.button(text=_("🗑 Delete"), callback_data=SurveyAdminCallback(action="delete", survey_id=sid))
    builder.adjust(2)
    return builder.as_markup()


def confirm_keyboard(action: str, survey_id: int) -> InlineKeyboardMarkup:
    """"Yes" (``<action>_yes``) / "No" (back to the card)."""
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Yes"), callback_data=SurveyAdminCallback(action=f"{action}_yes", survey_id=survey_id))
    builder.button(text=_("No"), callback_data=SurveyAdminCallback(action="show", survey_id=survey_id))
    return builder.as_markup()


def draft_button(text: str, action: str, value: int = 0) -> InlineKeyboardButton:
    """A button of the creation flow."""
    return InlineKeyboardButton(text=text, callback_data=SurveyAdminCallback(action=action, value=value).pack())


def contact_keyboard() -> ReplyKeyboardMarkup:
    """Telegram's request-contact button: shares the resident's OWN number (Bot API KeyboardButton.request_contact)."""
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=_("📱 Share my phone number"), request_contact=True)]],
        resize_keyboard=True, one_time_keyboard=True,
    )


# -- files ---------------------------------------------------------------------------------------


def results_chart_png(survey: Survey, counts: Tally, locale: str) -> bytes:
    """A horizontal bar chart of the results (counts and percentages of voters), labels in ``locale``.

    Rendered with matplotlib's Agg backend (no display); DejaVu Sans covers Kyrgyz letters ң ө ү.
    Call only when ``counts.hidden`` is false. Options hidden by the secrecy rule
    (:meth:`bot.domain.surveys.Tally.suppressed`) get no bar and the label "hidden".
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
    for bar, option in zip(bars, options):
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

    Options hidden by the secrecy rule (:meth:`bot.domain.surveys.Tally.suppressed`) have ``hidden``
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
