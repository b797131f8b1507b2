"""The plans feature as followers, officers and monitoring groups are told of it (facts from
:mod:`bot.domain.plans.notices`), in the reader's language: money in som with Babel's grouping,
dates in the reader's long form."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.domain import plans
from bot.domain.plans import notices as kinds
from bot.i18n import _, current_locale, numbered
from bot.notices import Rendered, esc, renders
from bot.ui.plans import PlanCb, button, day, label, progress_label, som


def _open(facts: Mapping[str, Any]) -> list[list[Any]]:
    return [[button(_("Open the item"), PlanCb(a="card", i=int(facts["item_id"])))]]


@renders(kinds.ADDED)
def added(facts: Mapping[str, Any]) -> Rendered:
    """An item (or a local initiative) solving problems the reader raised or supports is in the plan."""
    locale = current_locale()
    if facts.get("kind") == "initiative":
        head = _("🌱 A local initiative is recorded for {year}: <b>{title}</b>").format(
            year=facts["year"], title=esc(facts["title"]))
    else:
        head = _("📋 In the joint action plan for {year}: <b>{title}</b>").format(
            year=facts["year"], title=esc(facts["title"]))
    lines = [head]
    if facts.get("problems"):
        lines.append(_("It solves the priority problems {numbers}, which you raised or support.").format(
            numbers=", ".join(numbered(p) for p in facts["problems"])))
    lines.append(_("Responsible: {responsible}").format(responsible=label(plans.RESPONSIBLE, facts.get("responsible"))))
    for title, deadline in facts.get("steps") or []:
        lines.append(_("▫️ {step} — until {date}").format(step=esc(title), date=day(deadline, locale)))
    for source, amount in facts.get("money") or []:
        lines.append(_("• {source}: {amount}").format(source=label(plans.SOURCES, source), amount=som(amount, locale)))
    return Rendered("\n".join(lines), _open(facts))


@renders(kinds.CHANGED)
def changed(facts: Mapping[str, Any]) -> Rendered:
    """A deadline or the planned money of an item the reader follows changed, with the reason."""
    locale = current_locale()
    if facts.get("change") == "deadline":
        text = _("🗓 <b>{title}</b>: the deadline of «{step}» moved from {old} to {new}.").format(
            title=esc(facts["title"]), step=esc(facts["step"]), old=day(facts["old"], locale),
            new=day(facts["new"], locale))
    else:
        text = _("💰 <b>{title}</b>: the planned money from «{source}» changed from {old} to {new}.").format(
            title=esc(facts["title"]), source=label(plans.SOURCES, facts.get("source")),
            old=som(int(facts["old"]), locale), new=som(int(facts["new"]), locale))
    text += "\n" + _("Reason: {reason}").format(reason=esc(facts["reason"]))
    return Rendered(text, _open(facts))


@renders(kinds.PROPOSED)
def proposed(facts: Mapping[str, Any]) -> Rendered:
    """An item the reader follows was proposed for the local budget (at a budget hearing)."""
    locale = current_locale()
    text = _("🏛 <b>{title}</b> is proposed for the local budget: {amount}.").format(
        title=esc(facts["title"]), amount=som(int(facts["requested"]), locale))
    hearing = facts.get("hearing")
    if hearing:
        title = hearing.get(f"title_{locale}") or hearing.get("title_ru") or hearing.get("title_ky") or ""
        text += "\n" + _("It is on the agenda of the budget hearing «{hearing}» on {date}.").format(
            hearing=esc(title), date=day(str(hearing["starts_at"])[:10], locale))
    return Rendered(text, _open(facts))


@renders(kinds.DECIDED)
def decided(facts: Mapping[str, Any]) -> Rendered:
    """The council decided on the proposal of an item the reader follows."""
    locale = current_locale()
    resolution = _("Council resolution No. {number} of {date}.").format(
        number=esc(facts.get("resolution_number") or ""),
        date=day(facts["resolution_date"], locale) if facts.get("resolution_date") else "")
    decision = facts.get("decision")
    if decision == "accepted":
        text = _("✅ The council accepted the proposal <b>{title}</b>: {amount} in the local budget.").format(
            title=esc(facts["title"]), amount=som(int(facts["amount"] or 0), locale))
    elif decision == "partly":
        text = _("☑️ The council partly accepted the proposal <b>{title}</b>: {amount} of {requested} in the local "
                 "budget.").format(title=esc(facts["title"]), amount=som(int(facts["amount"] or 0), locale),
                                   requested=som(int(facts["requested"]), locale))
    else:
        text = _("❌ The council rejected the proposal <b>{title}</b>. Reason: {reason}").format(
            title=esc(facts["title"]), reason=esc(facts.get("reason") or ""))
    return Rendered(text + "\n" + resolution, _open(facts))


def _report_text(facts: Mapping[str, Any]) -> str:
    lines = [_("🔎 Monitoring report on <b>{title}</b>: {progress}").format(
        title=esc(facts["title"]), progress=progress_label(facts.get("progress")))]
    if facts.get("note"):
        lines.append(esc(facts["note"]))
    if facts.get("procurement"):
        lines.append(_("Procurement: {text}").format(text=esc(facts["procurement"])))
    return "\n".join(lines)


@renders(kinds.REPORT_RESIDENTS)
def report(facts: Mapping[str, Any]) -> Rendered:
    """A monitoring group's report on an item the reader follows; the author only when signed."""
    text = _report_text(facts) + "\n"
    if facts.get("signed") and facts.get("author"):
        text += _("Signed: {name}, member of the monitoring group.").format(name=esc(facts["author"]))
    else:
        text += _("From a member of the joint monitoring and evaluation group.")
    return Rendered(text, _open(facts))


@renders(kinds.REPORT_OFFICERS)
def report_for_officers(facts: Mapping[str, Any]) -> Rendered:
    """The same report for the municipality's officers: always with its author, with Answer and Hide."""
    text = _report_text(facts) + "\n" + _("Author: {name}").format(name=esc(facts.get("author") or "—"))
    if not facts.get("signed"):
        text += "\n" + _("Not signed: residents do not see the author's name.")
    report_id = int(facts["report_id"])
    rows = [[button(_("💬 Answer"), PlanCb(a="ans", i=report_id)), button(_("🙈 Hide"), PlanCb(a="hide", i=report_id))],
            [button(_("Open the item"), PlanCb(a="oc", i=int(facts["item_id"])))]]
    return Rendered(text, rows)


@renders(kinds.ANSWERED)
def answered(facts: Mapping[str, Any]) -> Rendered:
    """An officer answered a monitoring report on an item the reader follows or reported on."""
    text = _("💬 The ayil okmotu answered the monitoring report #{id} on <b>{title}</b>:\n{text}").format(
        id=int(facts["report_id"]), title=esc(facts["title"]), text=esc(facts["text"]))
    return Rendered(text, _open(facts))


@renders(kinds.HIDDEN)
def hidden(facts: Mapping[str, Any]) -> Rendered:
    """For the monitoring group: an officer hid a report, and why."""
    text = _("🙈 An officer hid the monitoring report #{id} on <b>{title}</b>.\nReason: {reason}").format(
        id=int(facts["report_id"]), title=esc(facts["title"]), reason=esc(facts["reason"]))
    return Rendered(text, _open(facts))
