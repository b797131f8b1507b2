"""Screens of the plans feature: callback data (prefix ``pl``), labels, money and dates in the reader's
language, the item card (residents and officers), the figures, and the explanations of the feature's
errors. Every text from a person goes through :func:`bot.ui.messages.esc`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain import plans
from bot.domain.clock import from_db
from bot.domain.plans.photos import NotAPhoto
from bot.i18n import N_, _, format_date, format_number, ngettext, numbered
from bot.ui.callbacks import IdField, PageField
from bot.ui.errors import explains
from bot.ui.keyboards import ROW_WIDTH, item_label
from bot.ui.keyboards import label as button_label
from bot.ui.messages import esc

CARD_REPORTS = 3
"""Monitoring reports shown on an item's card (the newest)."""


class PlanCb(CallbackData, prefix="pl"):
    """A plans button: ``a`` the action, ``i`` an item/report id, ``v`` a value (a step id, a source,
    a decision), ``p`` a page. Longest in use ``pl:sd:9007199254740991:9007199254740991:0`` < 64 bytes."""

    a: str
    i: IdField = 0
    v: str = ""
    p: PageField = 0


def button(text: str, data: PlanCb) -> InlineKeyboardButton:
    """An inline button carrying ``data``."""
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def keyboard(rows: Sequence[Sequence[tuple[str, PlanCb]]]) -> InlineKeyboardMarkup:
    """Rows of ``(label, data)`` as an inline keyboard."""
    return InlineKeyboardMarkup(inline_keyboard=[[button(t, d) for t, d in row] for row in rows if row])


def som(amount: int, locale: str | None = None) -> str:
    """"150 000 som" with the locale's grouping."""
    return _("{amount} som", locale=locale).format(amount=format_number(amount, locale))


def step_label(title: str, tail: str = "") -> str:
    """A button naming a step (or an item) by its first words, shortened like problem list buttons
    (:func:`bot.ui.keyboards.label`) so it fits a 360-px phone; ``tail`` (" · 01.03.2027") stays whole."""
    return button_label(title, ROW_WIDTH - len(tail)) + tail


def day(value: date | str, locale: str | None = None) -> str:
    """A date (or ``YYYY-MM-DD``) in the locale's long form: ky "2027-ж., 31-май", ru "31 мая 2027"."""
    return format_date(date.fromisoformat(value) if isinstance(value, str) else value, locale)


def short_day(value: date | str) -> str:
    """A date as officers type it, "31.05.2027": short enough to share a button with a step's name."""
    return (date.fromisoformat(value) if isinstance(value, str) else value).strftime("%d.%m.%Y")


def label(table: dict[str, str], key: str | None, locale: str | None = None) -> str:
    """The localized label of ``key`` in one of the domain's vocabularies (empty for an unknown key)."""
    return _(table[key], locale=locale) if key in table else ""


def progress_label(progress: str | None, locale: str | None = None) -> str:
    """Icon and label of a monitoring report's progress."""
    icon = {"on_schedule": "🟢", "delayed": "🟡", "stopped": "🔴"}.get(progress or "", "")
    return f"{icon} {label(plans.PROGRESS, progress, locale)}".strip()


def responsible_text(item: plans.Item, locale: str | None = None) -> str:
    """"Municipal enterprise (Ак-Дебе Суу)"."""
    kind = label(plans.RESPONSIBLE, item.responsible, locale)
    return f"{kind} ({esc(item.responsible_name)})" if item.responsible_name else kind


def proposal_text(proposal: plans.Proposal | None, locale: str | None = None) -> str:
    """One sentence on the latest budget proposal, or empty."""
    if proposal is None:
        return ""
    if proposal.decision is None:
        return _("Proposed for the local budget: {amount}; waiting for the council's decision.", locale=locale).format(
            amount=som(proposal.requested, locale))
    resolution = _("resolution No. {number} of {date}", locale=locale).format(
        number=esc(proposal.resolution_number), date=day(proposal.resolution_date, locale) if proposal.resolution_date else "")
    if proposal.decision == "accepted":
        return _("The council accepted it: {amount} in the local budget ({resolution}).", locale=locale).format(
            amount=som(proposal.amount or 0, locale), resolution=resolution)
    if proposal.decision == "partly":
        return _("The council partly accepted it: {amount} of {requested} ({resolution}).", locale=locale).format(
            amount=som(proposal.amount or 0, locale), requested=som(proposal.requested, locale), resolution=resolution)
    return _("The council rejected it: {reason} ({resolution}).", locale=locale).format(
        reason=esc(proposal.reason), resolution=resolution)


def item_card(view: plans.ItemView, reports: Sequence[plans.Report], locale: str, *, officer: bool = False,
              authors: Mapping[int, str] | None = None) -> str:
    """The card of an item: kind, year, status, the responsible party, problems, steps with deadlines,
    money by source (planned and spent), the budget proposal, the newest monitoring reports (a hidden
    report shows only the officer's reason; an unsigned one never names its author)."""
    item = view.item
    icon = "🌱" if item.kind == "initiative" else "📋"
    lines = [f"{icon} <b>{esc(item.title)}</b>",
             _("{kind} · {year} · {status}", locale=locale).format(
                 kind=label(plans.KINDS, item.kind, locale), year=item.year,
                 status=label(plans.ITEM_STATUSES, item.status, locale)),
             _("Responsible: {responsible}", locale=locale).format(responsible=responsible_text(item, locale))]
    if view.problems:
        lines.append(_("Priority problems: {numbers}", locale=locale).format(
            numbers=", ".join(numbered(p) for p in view.problems)))
    if view.steps:
        lines.append("\n" + _("<b>Steps</b>", locale=locale))
        for step in view.steps:
            mark = "✅" if step.done_at else "▫️"
            lines.append(_("{mark} {step} — until {date}", locale=locale).format(
                mark=mark, step=esc(step.title), date=day(step.deadline, locale)))
    if view.money:
        lines.append("\n" + _("<b>Money</b>", locale=locale))
        for money in view.money:
            lines.append(_("• {source}: planned {planned}, spent {spent}", locale=locale).format(
                source=label(plans.SOURCES, money.source, locale), planned=som(money.planned, locale),
                spent=som(money.spent, locale)))
        lines.append(_("In all: planned {planned}, spent {spent}", locale=locale).format(
            planned=som(view.planned, locale), spent=som(view.spent, locale)))
    if view.proposal is not None:
        lines.append("\n" + proposal_text(view.proposal, locale))
    if item.result:
        lines.append("\n" + _("Result: {result}", locale=locale).format(result=esc(item.result)))
    if reports:
        lines.append("\n" + _("<b>Monitoring reports</b>", locale=locale))
        for report in list(reports)[:CARD_REPORTS]:
            lines.append(report_line(report, locale, officer=officer, author=(authors or {}).get(report.id)))
    return "\n".join(lines)


def report_line(report: plans.Report, locale: str, *, officer: bool = False, author: str | None = None) -> str:
    """One report on a card: its date and progress, note, procurement, photos, the author's name when
    given (``author``: pass it only for a signed report, or to an officer); hidden ones show only the reason."""
    when = day(from_db(report.created_at).date(), locale)
    if report.hidden:
        return _("#{id} · {date}: hidden by an officer. Reason: {reason}", locale=locale).format(
            id=report.id, date=when, reason=esc(report.hidden_reason))
    text = f"{numbered(report.id)} · {when} · {progress_label(report.progress, locale)}"
    if report.note:
        text += "\n" + esc(report.note[:300])
    if report.procurement:
        text += "\n" + _("Procurement: {text}", locale=locale).format(text=esc(report.procurement[:300]))
    if report.photos:
        text += "\n" + ngettext("📷 {count} photo", "📷 {count} photos", len(report.photos), locale=locale).format(
            count=len(report.photos))
    if author and report.signed:
        text += "\n" + _("Signed: {name}, member of the monitoring group.", locale=locale).format(name=esc(author))
    elif author and officer:
        text += "\n" + _("Author: {name}", locale=locale).format(name=esc(author))
    for answer in report.answers:
        text += "\n" + _("💬 Answer of the ayil okmotu: {text}", locale=locale).format(text=esc(answer[:300]))
    return text


def item_list(items: Sequence[plans.Item], locale: str, title: str, *, action: str = "card",
              back: PlanCb | None = None, extra: Sequence[tuple[str, PlanCb]] = ()) -> tuple[str, InlineKeyboardMarkup]:
    """A list of items (one line and one button each), with ``extra`` buttons and Back."""
    lines = [title]
    if not items:
        lines.append(_("Nothing in the action plan yet.", locale=locale))
    rows: list[list[tuple[str, PlanCb]]] = []
    for item in items:
        icon = "🌱" if item.kind == "initiative" else "📋"
        lines.append(f"{icon} <b>{numbered(item.id)}</b> {esc(item.title)} · {item.year} · "
                     f"<i>{label(plans.ITEM_STATUSES, item.status, locale)}</i>")
        rows.append([(item_label(icon, item.title, number=item.id), PlanCb(a=action, i=item.id))])
    rows.extend([entry] for entry in extra)
    if back is not None:
        rows.append([(_("« Back", locale=locale), back)])
    return "\n".join(lines), keyboard(rows)


def figures_text(figures: plans.Figures, place: str, locale: str) -> str:
    """The programme's figures of one place (a municipality's name, or "Kyrgyzstan")."""
    def n(value: int) -> str:
        return format_number(value, locale)

    return "\n".join([
        _("<b>Figures: {place}</b>", locale=locale).format(place=esc(place)),
        _("Residents who chose priority problems: {count}", locale=locale).format(count=n(figures.residents)),
        _("Public hearings held: {count}, participants: {participants}", locale=locale).format(
            count=n(figures.hearings), participants=n(figures.participants)),
        _("Changes made to the local budget on citizens' proposals: {count} ({amount}) of {proposals} proposals",
          locale=locale).format(count=n(figures.budget_changes), amount=som(figures.budget_changes_som, locale),
                                proposals=n(figures.proposals)),
        _("Members of monitoring groups: {count}", locale=locale).format(count=n(figures.members)),
        _("Action-plan items: {items}; monitored: {monitored}", locale=locale).format(
            items=n(figures.items), monitored=n(figures.monitored)),
        _("Local initiatives recorded: {count}", locale=locale).format(count=n(figures.initiatives)),
    ])


EXPORT_HEADER = (N_("No."), N_("Kind"), N_("Title"), N_("Responsible"), N_("Status"), N_("Steps done"),
                 N_("Money planned, som"), N_("Money spent, som"), N_("Accepted in the budget, som"),
                 N_("Monitoring reports"), N_("Last progress"), N_("Findings"))
"""Column names of the execution report's CSV (msgids)."""


def export_header(locale: str) -> list[str]:
    """The execution report's CSV column names in ``locale``."""
    return [_(name, locale=locale) for name in EXPORT_HEADER]


def export_steps(locale: str) -> str:
    """The "steps done" cell of the execution report's CSV: ``{done}`` of ``{total}`` in ``locale``."""
    return _("{done} of {total} steps", locale=locale)


def export_labels(locale: str) -> dict[str, dict[str, str]]:
    """Code → word maps for :func:`bot.domain.plans.report_csv`."""
    return {"kind": {k: _(v, locale=locale) for k, v in plans.KINDS.items()},
            "status": {k: _(v, locale=locale) for k, v in plans.ITEM_STATUSES.items()},
            "progress": {k: _(v, locale=locale) for k, v in plans.PROGRESS.items()},
            "responsible": {k: _(v, locale=locale) for k, v in plans.RESPONSIBLE.items()}}


# -- explanations of the feature's errors --------------------------------------------------------------


@explains(plans.ItemNotFound)
def _item_not_found(error: plans.ItemNotFound) -> str:
    return _("This item of the action plan is not there: it may belong to another municipality.")


@explains(plans.ProblemNotInMunicipality)
def _problem_not_found(error: plans.ProblemNotInMunicipality) -> str:
    return _("There is no problem #{id} in your municipality. Check the number and send it again.").format(id=error.id)


@explains(plans.BadAmount)
def _bad_amount(error: plans.BadAmount) -> str:
    return _("Please send the amount in whole som, digits only, for example 150000.")


@explains(plans.BadDate)
def _bad_date(error: plans.BadDate) -> str:
    return _("Please send the date as DD.MM.YYYY, for example 31.05.2027.")


@explains(plans.BadProblemList)
def _bad_list(error: plans.BadProblemList) -> str:
    return _("Please send the problem numbers separated by commas, for example: 12, 15.")


@explains(plans.ProposalPending)
def _pending(error: plans.ProposalPending) -> str:
    return _("This item has already been proposed and waits for the council's decision.")


@explains(plans.NoPendingProposal)
def _no_pending(error: plans.NoPendingProposal) -> str:
    return _("No proposal of this item waits for the council's decision.")


@explains(plans.NotAMember)
def _not_member(error: plans.NotAMember) -> str:
    return _("Only members of the monitoring group can do this. Ask your ayil okmotu for an invite code.")


@explains(plans.OtherMunicipalityMember)
def _other_member(error: plans.OtherMunicipalityMember) -> str:
    return _("You are a member of another municipality's monitoring group: you can report only on your own.")


@explains(plans.AlreadyMember)
def _already_member(error: plans.AlreadyMember) -> str:
    return _("You are already a member of a monitoring group. To join another, leave it first.")


@explains(plans.MemberInviteInvalid)
def _bad_invite(error: plans.MemberInviteInvalid) -> str:
    if error.reason == "used":
        return _("This invite code has already been used. Ask the ayil okmotu for a new one.")
    if error.reason == "expired":
        return _("This invite code has expired. Ask the ayil okmotu for a new one.")
    return _("There is no such invite code. Check it and send it again.")


@explains(plans.NotYourMunicipality)
def _not_yours(error: plans.NotYourMunicipality) -> str:
    return _("This invite code is for another municipality's monitoring group.")


@explains(plans.ReportNotFound)
def _report_not_found(error: plans.ReportNotFound) -> str:
    return _("This monitoring report is not there.")


@explains(plans.StepNotFound)
def _step_not_found(error: plans.StepNotFound) -> str:
    return _("This step is not in the item any more.")


@explains(NotAPhoto)
def _not_a_photo(error: NotAPhoto) -> str:
    return _("This photo cannot be read. Please send another one.")
