"""The audit log in the chat (/audit): one line per entry, newest first, with Bishkek times, the actor,
a localized name of the action and the target; an "Older" button pages back. Callback prefix ``aud``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain.clock import from_db
from bot.i18n import N_, NC_, ContextMessage, _, format_date, format_datetime, format_number, numbered
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

PERSON_ACTION_LABELS: dict[str, str] = {
    "officer.grant": N_("Officer role granted to {who}"),
    "officer.revoke": N_("Officer role revoked from {who}"),
}
"""Actions on a person (target ``resident``) named with that person, when the reader may see the name."""


def action_label(entry: AuditEntry, locale: str) -> str:
    """The action's name in ``locale`` (the code itself for a code this version does not know)."""
    template = ACTION_LABELS.get(entry.action)
    if template is None:
        return entry.action
    return _(template, locale=locale).format(id=entry.target_id if entry.target_id is not None else "")


def _status(entry: AuditEntry, status: object, locale: str) -> str:
    """A status code of the entry's kind in words (the code itself when unknown)."""
    from bot.domain.plans import ITEM_STATUSES
    from bot.domain.problems.model import STATUSES as PROBLEM_STATUSES
    from bot.ui.registry import STATUS_LABELS as SERVICE_STATUSES

    kinds: dict[str, Mapping[str, str]] = {"problem.status": PROBLEM_STATUSES, "service.status": SERVICE_STATUSES, "service.add": SERVICE_STATUSES,
              "plan.status": ITEM_STATUSES, "survey.create": SURVEY_STATES}
    labels = kinds.get(entry.action, {})
    label = labels.get(str(status))
    return _(label, locale=locale) if label else str(status)


SURVEY_STATES = {"open": NC_("audit", "open at once"), "scheduled": NC_("audit", "scheduled")}
CHAT_PURPOSES = {"staff": NC_("audit", "officers' group"), "public": NC_("audit", "public chat")}
CHAT_TYPES = {"group": NC_("audit", "group"), "supergroup": NC_("audit", "group"), "channel": NC_("audit", "channel")}
LANGUAGES = {"ky": NC_("audit", "Kyrgyz"), "ru": NC_("audit", "Russian")}
FIELDS = {
    "name_ky": NC_("audit", "name in Kyrgyz"), "name_ru": NC_("audit", "name in Russian"),
    "description_ky": NC_("audit", "description in Kyrgyz"), "description_ru": NC_("audit", "description in Russian"),
    "provider_name": NC_("audit", "provider"), "recipients": NC_("audit", "recipients"),
    "tariff": NC_("audit", "tariff"), "standard": NC_("audit", "standard"),
    "resolution_number": NC_("audit", "resolution number"), "area": NC_("audit", "area"),
    "time": NC_("audit", "time"), "place": NC_("audit", "place"), "agenda": NC_("audit", "agenda"),
}
"""Words for the codes an entry's details carry: a survey's start, a linked chat's purpose and type,
announcement languages, the fields a service or hearing edit changed."""

FACT_LABELS: dict[str, tuple[ContextMessage, str]] = {
    "value": (NC_("audit", "Value: {value}"), "number"),
    "into": (NC_("audit", "Merged into: {value}"), "id"),
    "supports_moved": (NC_("audit", "Supports moved: {value}"), "number"),
    "format": (NC_("audit", "File: {value}"), "text"),
    "number": (NC_("audit", "Regulation No. {value}"), "text"),
    "date": (NC_("audit", "Dated: {value}"), "date"),
    "expires_at": (NC_("audit", "Valid until: {value}"), "datetime"),
    "proposal": (NC_("audit", "Proposal: {value}"), "id"),
    "hearing": (NC_("audit", "Hearing: {value}"), "id"),
    "decision": (NC_("audit", "Decision: {value}"), "decision"),
    "amount": (NC_("audit", "Amount: {value}"), "money"),
    "problems": (NC_("audit", "Problems: {value}"), "ids"),
    "year": (NC_("audit", "Year: {value}"), "text"),
    "kind": (NC_("audit", "Kind: {value}"), "plan kind"),
    "step": (NC_("audit", "Step: {value}"), "id"),
    "source": (NC_("audit", "Source: {value}"), "source"),
    "spent": (NC_("audit", "Spent: {value}"), "money"),
    "requested": (NC_("audit", "Requested: {value}"), "money"),
    "resolution": (NC_("audit", "Council resolution No. {value}"), "text"),
    "steps": (NC_("audit", "Steps: {value}"), "number"),
    "purpose": (NC_("audit", "Purpose: {value}"), "purpose"),
    "chat_type": (NC_("audit", "Chat: {value}"), "chat type"),
    "languages": (NC_("audit", "Languages: {value}"), "languages"),
    "name_ky": (NC_("audit", "Kyrgyz name: {value}"), "text"),
    "count": (NC_("audit", "Count: {value}"), "number"),
    "status": (NC_("audit", "Status: {value}"), "status"),
    "area": (NC_("audit", "Area: {value}"), "area"),
    "fields": (NC_("audit", "Changed: {value}"), "fields"),
    "changed": (NC_("audit", "Changed: {value}"), "fields"),
    "problem": (NC_("audit", "Problem: {value}"), "id"),
    "topic": (NC_("audit", "Topic: {value}"), "topic"),
    "starts_at": (NC_("audit", "Starts: {value}"), "datetime"),
    "participants": (NC_("audit", "Participants: {value}"), "number"),
    "ballots": (NC_("audit", "Votes: {value}"), "number"),
    "closes_at": (NC_("audit", "Closes: {value}"), "datetime"),
    "options": (NC_("audit", "Options: {value}"), "number"),
}
"""How each key of an entry's details is said: a sentence with ``{value}`` (context "audit") and the
kind of value (how it is formatted for the reader). Keys not listed (``chat_id``) are not shown."""


def _value(entry: AuditEntry, kind: str, value: object, locale: str) -> str | None:
    """``value`` of ``kind`` in words for ``locale``; ``None`` when its shape is not the expected one."""
    from datetime import date

    from bot.domain.plans import DECISIONS, KINDS, SOURCES
    from bot.ui.hearings import TOPIC_LABELS
    from bot.ui.registry import AREA_LABELS

    def word(labels: Mapping[str, str], code: object) -> str:
        label = labels.get(str(code))
        return _(label, locale=locale) if label else str(code)

    try:
        if kind == "number" and isinstance(value, int | float) and not isinstance(value, bool):
            return format_number(value, locale)
        if kind == "money" and isinstance(value, int | float) and not isinstance(value, bool):
            return _("{amount} som", locale=locale).format(amount=format_number(value, locale))
        if kind == "id" and isinstance(value, int):
            return numbered(value)
        if kind == "ids" and isinstance(value, list):
            return ", ".join(numbered(v) for v in value)
        if kind == "date" and isinstance(value, str):
            return format_date(date.fromisoformat(value[:10]), locale)
        if kind == "datetime" and isinstance(value, str):
            return format_datetime(from_db(value), locale)
        if kind in ("fields", "languages") and isinstance(value, list):
            return ", ".join(word(FIELDS if kind == "fields" else LANGUAGES, v) for v in value)
        if kind == "status":
            return _status(entry, value, locale)
        maps: dict[str, Mapping[str, str]] = {
            "decision": DECISIONS, "plan kind": KINDS, "source": SOURCES, "purpose": CHAT_PURPOSES,
            "chat type": CHAT_TYPES, "area": AREA_LABELS, "topic": TOPIC_LABELS}
        if kind in maps:
            return word(maps[kind], value)
        if kind == "text" and isinstance(value, str | int):
            return str(value)
    except ValueError:
        return None
    return None


CHANGE_KINDS = {"plan.money": "money", "plan.deadline": "date", "hearing.notice_days": "number"}
"""Entries whose before → after values are not statuses: amounts, deadlines, days of notice."""


def _details(entry: AuditEntry, locale: str) -> str:
    """The entry's details in words: a change "Новый → Отклонена" first, then one sentence per fact."""
    facts = entry.facts()
    parts: list[str] = []
    for before, after in (("from", "to"), ("old", "new")):
        if {before, after} <= set(facts):
            kind = CHANGE_KINDS.get(entry.action, "status")
            old, new = (_value(entry, kind, facts.pop(k), locale) for k in (before, after))
            if old is not None and new is not None:
                parts.append(f"{old} → {new}")
            break
    for key in sorted(facts):
        known = FACT_LABELS.get(key)
        if known is None:
            continue
        template, kind = known
        shown = _value(entry, kind, facts[key], locale)
        if shown is not None:
            parts.append(_(template, locale=locale).format(value=shown))
    return "; ".join(parts)


def details_text(entry: AuditEntry, locale: str) -> str:
    """The entry's details in ``locale``'s words ("Новый → Отклонена; Поддержек перенесено: 3"), for
    the chat's /audit and the web app's audit page; "" when there are none."""
    return _details(entry, locale)


def entry_line(entry: AuditEntry, actor: str, locale: str, place: str | None = None,
               subject: str | None = None) -> str:
    """One entry as HTML: time in Bishkek, who (name and role), what, and its small details; ``place``
    (the municipality's name, already HTML) first when the log covers every municipality; ``subject``
    the name of the person acted on (a grant, a revocation), named in the action when given."""
    details = _details(entry, locale)
    person_label = PERSON_ACTION_LABELS.get(entry.action)
    what = _(person_label, locale=locale).format(who=subject) if subject and person_label \
        else action_label(entry, locale)
    line = _("{when} · {who} ({role})\n{what}").format(
        when=format_datetime(from_db(entry.at), locale), who=esc(actor),
        role=_(ROLE_LABELS.get(entry.actor_role, entry.actor_role), locale=locale),
        what=esc(what))
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


def unknown_person(telegram_id: int) -> str:
    """How a person who never wrote to the bot (a superadmin named in settings) appears."""
    return _("Telegram user {id}").format(id=telegram_id)


def deleted_person() -> str:
    """How a person erased at their request appears as an actor."""
    return _("a deleted person")
