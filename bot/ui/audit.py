"""The audit log in the chat (/audit): one line per entry, newest first, with Bishkek times, the actor,
a localized name of the action and the target; an "Older" button pages back. Callback prefix ``aud``.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain.clock import from_db
from bot.i18n import N_, _, format_datetime
from bot.store.audit import AuditEntry
from bot.ui.callbacks import IdField
from bot.ui.messages import esc

PAGE = 20
"""Entries per screen."""


class AuditCallback(CallbackData, prefix="aud"):
    """Show the entries older than ``before`` (an ``audit_log.id``)."""

    before: IdField


ACTION_LABELS: dict[str, str] = {
    "problem.status": N_("Problem #{id}: status changed"),
    "problem.duplicate": N_("Problem #{id}: merged as a duplicate"),
    "problem.hide": N_("Problem #{id}: hidden"),
    "problem.threshold": N_("Setting: answers that reopen a solved problem"),
    "problem.export": N_("Problems exported"),
    "survey.create": N_("Survey #{id}: published"),
    "survey.close": N_("Survey #{id}: closed early"),
    "survey.extend": N_("Survey #{id}: extended"),
    "survey.delete": N_("Survey #{id}: withdrawn"),
    "survey.export": N_("Survey #{id}: results exported"),
    "hearing.create": N_("Hearing #{id}: announced"),
    "hearing.edit": N_("Hearing #{id}: changed"),
    "hearing.cancel": N_("Hearing #{id}: cancelled"),
    "hearing.outcome": N_("Hearing #{id}: outcome published"),
    "hearing.notice_days": N_("Setting: minimum notice for hearings"),
    "service.add": N_("Service #{id}: added to the registry"),
    "service.edit": N_("Service #{id}: edited"),
    "service.status": N_("Service #{id}: status changed"),
    "service.link": N_("Service #{id}: a problem linked"),
    "service.unlink": N_("Service #{id}: a problem unlinked"),
    "registry.export": N_("Registry exported"),
    "officer.grant": N_("Officer role granted"),
    "officer.revoke": N_("Officer role revoked"),
    "officer.invite": N_("Officer invite created"),
    "officer.redeem": N_("Officer invite redeemed"),
    "announcement.send": N_("Announcement sent"),
    "municipality.name_ky": N_("Setting: the municipality's Kyrgyz name"),
    "verification.codes": N_("Residence codes created"),
    "plan.item_create": N_("Action plan item #{id}: created"),
    "plan.deadline": N_("Action plan item #{id}: deadline changed"),
    "plan.money": N_("Action plan item #{id}: money changed"),
    "plan.spent": N_("Action plan item #{id}: spending recorded"),
    "plan.step_done": N_("Action plan item #{id}: a step done"),
    "plan.status": N_("Action plan item #{id}: status changed"),
    "plan.propose": N_("Action plan item #{id}: proposed for the budget"),
    "plan.decide": N_("Action plan item #{id}: council decision recorded"),
    "plan.attach": N_("Execution report attached to hearing #{id}"),
    "plan.export": N_("Action plan report exported"),
    "monitoring.regulation": N_("Setting: the monitoring group's regulation"),
    "monitoring.invite": N_("Monitoring group invite created"),
    "monitoring.answer": N_("Monitoring report #{id}: answered"),
    "monitoring.hide": N_("Monitoring report #{id}: hidden"),
    "chat.link": N_("Chat linked to the municipality"),
    "chat.unlink": N_("Chat unlinked from the municipality"),
    "workspace.export": N_("Exported from the web app"),
}
"""A localized name per action code of :data:`bot.domain.audit.ACTIONS`."""

ROLE_LABELS = {"officer": N_("officer"), "superadmin": N_("superadmin")}


def action_label(entry: AuditEntry, locale: str) -> str:
    """The action's name in ``locale`` (the code itself for a code this version does not know)."""
    template = ACTION_LABELS.get(entry.action)
    if template is None:
        return entry.action
    return _(template, locale=locale).format(id=entry.target_id if entry.target_id is not None else "")


def _status(entry: AuditEntry, status: object, locale: str) -> str:
    """A status code of the entry's kind in words (the code itself when unknown)."""
    from bot.domain.problems.model import STATUSES as PROBLEM_STATUSES
    from bot.ui.registry import STATUS_LABELS as SERVICE_STATUSES

    labels = {"problem.status": PROBLEM_STATUSES, "service.status": SERVICE_STATUSES}.get(entry.action, {})
    label = labels.get(str(status))
    return _(label, locale=locale) if label else str(status)


def _details(entry: AuditEntry, locale: str) -> str:
    facts = entry.facts()
    for before, after in (("from", "to"), ("old", "new")):
        if {before, after} <= set(facts):
            rest = {k: v for k, v in facts.items() if k not in (before, after)}
            change = f"{_status(entry, facts[before], locale)} → {_status(entry, facts[after], locale)}"
            return ", ".join([change, *_pairs(rest)])
    return ", ".join(_pairs(facts))


def details_text(entry: AuditEntry, locale: str) -> str:
    """The entry's small details in words ("Новый → Отклонена", "value: 4"); "" when there are none."""
    return _details(entry, locale)


def _pairs(facts: dict[str, object]) -> list[str]:
    return [f"{key}: {value}" for key, value in sorted(facts.items())
            if isinstance(value, str | int | float) and not isinstance(value, bool)]


def entry_line(entry: AuditEntry, actor: str, locale: str, place: str | None = None) -> str:
    """One entry as HTML: time in Bishkek, who (name and role), what, and its small details; ``place``
    (the municipality's name, already HTML) first when the log covers every municipality."""
    details = _details(entry, locale)
    line = _("{when} · {who} ({role})\n{what}").format(
        when=format_datetime(from_db(entry.at), locale), who=esc(actor),
        role=_(ROLE_LABELS.get(entry.actor_role, entry.actor_role), locale=locale),
        what=esc(action_label(entry, locale)))
    if place:
        line = f"<b>{place}</b>\n{line}"
    return f"{line}\n<i>{esc(details)}</i>" if details else line


def audit_text(lines: Sequence[str], *, scope: str, first_page: bool) -> str:
    """The screen: a heading naming the scope (a municipality, or all for a superadmin), then the lines."""
    if not lines:
        return _("<b>Audit log</b> — {scope}\n\nNo actions recorded yet.").format(scope=scope) if first_page \
            else _("<b>Audit log</b> — {scope}\n\nNo older actions.").format(scope=scope)
    head = _("<b>Audit log</b> — {scope}").format(scope=scope)
    return "\n\n".join([head, *lines])


def audit_keyboard(entries: Sequence[AuditEntry]) -> InlineKeyboardMarkup | None:
    """"Older" when a full page was shown."""
    if len(entries) < PAGE:
        return None
    builder = InlineKeyboardBuilder()
    builder.button(text=_("⬅️ Older"), callback_data=AuditCallback(before=entries[-1].id))
    return builder.as_markup()


def deleted_person() -> str:
    """How a person erased at their request appears as an actor."""
    return _("a deleted person")
