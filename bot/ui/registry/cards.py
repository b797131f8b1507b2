"""The registry's cards ("service passports"), lists and keyboards."""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Sequence
from datetime import date

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain import registry as reg
from bot.domain.clock import from_db
from bot.domain.text import utf16_length
from bot.i18n import _, format_date, format_number, ngettext
from bot.ui.keyboards import page_count
from bot.ui.messages import esc
from bot.ui.registry import (
    GROUP_LABELS,
    PAGE_SIZE,
    PROVIDER_LABELS,
    REGISTRY_LABELS,
    ROLE_LABELS,
    STATUS_ICONS,
    RegCb,
    area_label,
    cut,
    status_label,
)
from bot.ui.registry import LABEL_MAX


def resolution_text(service: reg.Service, locale: str) -> str | None:
    """"Council resolution: No. 12 of 3 March 2025" or ``None`` when no number is recorded."""
    if not service.resolution_number:
        return None
    if service.resolution_date:
        return _("Council resolution: No. {number} of {date}", locale=locale).format(
            number=esc(service.resolution_number),
            date=format_date(date.fromisoformat(service.resolution_date), locale))
    return _("Council resolution: No. {number}", locale=locale).format(number=esc(service.resolution_number))


def history_lines(events: Sequence[reg.Event], locale: str) -> list[str]:
    """One line per event: date, what happened, who (a role, never a resident's name), the comment."""
    lines = []
    for event in events:
        when = format_date(from_db(event.at), locale)
        who = _(ROLE_LABELS[event.actor_role], locale=locale)
        if event.kind == "edited":
            line = _("{date} — details updated ({who})", locale=locale).format(date=when, who=who)
        else:
            line = _("{date} — {status} ({who})", locale=locale).format(
                date=when, status=status_label(event.to_status or "", locale), who=who)
        if event.comment and event.kind != "edited":
            line += "\n    " + _("Comment: {comment}", locale=locale).format(comment=esc(cut(event.comment, 200)))
        lines.append("• " + line)
    return lines


_SHRINKABLE = ("description_ky", "description_ru", "standard", "recipients", "tariff", "provider_name",
               "rejection_reason", "resolution_number", "name_ky", "name_ru")


def card_text(
    service: reg.Service, locale: str, *, events: Sequence[reg.Event] = (), supports: int | None = None,
    followers: int | None = None, problems: Sequence[reg.LinkedProblem] = (), problems_total: int = 0,
    reserve: int = 0,
) -> str:
    """The entry's card ("service passport"): what it is, provider, cost, status, history.

    Guaranteed to fit Telegram's 4,096 UTF-16 units of visible text with ``reserve`` units to spare
    (for text the caller appends, e.g. the officer's ratings): the oldest history lines go first,
    then the longest stored texts are cut with "…" (emoji count 2 units each, so a within-bounds
    card of emoji could otherwise be twice too long).
    """
    budget = CARD_MAX - max(0, reserve)
    for _attempt in range(40):
        text = _card_text_once(service, locale, events=events, supports=supports, followers=followers,
                               problems=problems, problems_total=problems_total, budget=budget)
        excess = visible_length(text) - budget
        if excess <= 0:
            return text
        field = max(_SHRINKABLE, key=lambda f: len(getattr(service, f) or ""))
        value = getattr(service, field) or ""
        if not value:
            break
        service = dataclasses.replace(service, **{field: value[: max(0, len(value) - excess - 1)].rstrip() + "…"})
    return text


def _card_text_once(
    service: reg.Service, locale: str, *, events: Sequence[reg.Event], supports: int | None,
    followers: int | None, problems: Sequence[reg.LinkedProblem], problems_total: int, budget: int,
) -> str:
    lines = [f"{STATUS_ICONS.get(service.status, '')} <b>{esc(service.name(locale))}</b>"]
    description = service.description(locale)
    if description:
        lines.append(esc(description))
    lines.append("")
    lines.append(_("Area: {area}", locale=locale).format(area=area_label(service.area, locale)) + " · "
                 + _(REGISTRY_LABELS[service.registry], locale=locale))
    # a resident's proposal was never asked its provider or cost: the stored defaults ("ayil okmotu",
    # "free") are shown only once an officer has set them
    pending = service.details_pending
    if not pending or service.provider_set:
        provider = _(PROVIDER_LABELS[service.provider_kind], locale=locale)
        if service.provider_name:
            provider += f" — {esc(service.provider_name)}"
        lines.append(_("Provided by: {provider}", locale=locale).format(provider=provider))
    if service.recipients:
        lines.append(_("Who receives it: {recipients}", locale=locale).format(recipients=esc(service.recipients)))
    if pending and not service.cost_set:
        if not service.provider_set:
            lines.append(_("Provider and cost: not decided yet.", locale=locale))
    elif not service.confirmed:
        pass  # a catalogue copy does not know the local cost; say nothing rather than "free"
    elif service.paid:
        tariff = esc(service.tariff) if service.tariff else _("the tariff is not given yet", locale=locale)
        lines.append(_("Cost: paid, tariff {tariff}", locale=locale).format(tariff=tariff))
    else:
        lines.append(_("Cost: free of charge", locale=locale))
    if service.standard:
        lines.append(_("Service standard: {standard}", locale=locale).format(standard=esc(service.standard)))
    resolution = resolution_text(service, locale)
    if resolution:
        lines.append(resolution)
    lines.append(_("Status: {status}", locale=locale).format(status=status_label(service.status, locale)))
    if service.status == "rejected" and service.rejection_reason:
        lines.append(_("Reason for rejection: {reason}", locale=locale).format(reason=esc(service.rejection_reason)))
    if service.origin == "resident":
        if service.on_behalf_of:
            lines.append(_("Proposed by a resident on behalf of: {group}", locale=locale).format(
                group=_(GROUP_LABELS[service.on_behalf_of], locale=locale)))
        else:
            lines.append(_("Proposed by a resident.", locale=locale))
    if supports is not None and (service.origin == "resident" or supports):
        lines.append(ngettext("{count} resident supports this proposal.", "{count} residents support this proposal.",
                              supports, locale=locale).format(count=format_number(supports, locale)))
    if followers:
        lines.append(ngettext("{count} person follows this service.", "{count} people follow this service.",
                              followers, locale=locale).format(count=format_number(followers, locale)))
    if not service.confirmed:
        lines.append(_("<i>From the starter catalogue: the municipality has not confirmed the details yet.</i>",
                       locale=locale))
    if problems_total:
        lines.append("")
        lines.append(ngettext("<b>{count} open priority problem concerns this service:</b>",
                              "<b>{count} open priority problems concern this service:</b>",
                              problems_total, locale=locale).format(count=format_number(problems_total, locale)))
        for problem in problems:
            text = esc(cut(problem.text, 80)) if problem.text else "🎤"
            lines.append("• " + ngettext("#{id} «{text}» — {count} support", "#{id} «{text}» — {count} supports",
                                         problem.supports, locale=locale).format(
                id=problem.id, text=text, count=format_number(problem.supports, locale)))
    history = history_lines(events, locale)
    while True:
        text = "\n".join(lines + (["", _("<b>History</b>", locale=locale), *history] if history else []))
        if visible_length(text) <= budget or not history:
            break
        history = history[1:]  # drop the oldest lines first
    return text


CARD_MAX = 4000
"""Telegram's limit is 4,096 UTF-16 units of visible text; a little is kept spare."""
_TAG = re.compile(r"<[^>]+>")


def visible_length(html_text: str) -> int:
    """Length of an HTML message as Telegram counts it: tags removed, entities decoded, UTF-16 units."""
    return utf16_length(html.unescape(_TAG.sub("", html_text)))


def card_keyboard(
    service: reg.Service, locale: str, *, following: bool, can_support: bool, can_rate: bool, back: RegCb,
    problems: Sequence[reg.LinkedProblem] = (),
) -> InlineKeyboardMarkup:
    """Resident buttons under a card: follow/unfollow, support, rate, linked problems, back."""
    from bot.domain.problems import excerpt
    from bot.ui.keyboards import item_label
    from bot.ui.problems import ProblemCallback  # the problems feature's own "open" button (imports cycle)

    builder = InlineKeyboardBuilder()
    for problem in problems[:3]:
        builder.button(text=item_label("📢", excerpt(problem.text) if problem.text else _("🎤 voice message", locale=locale),
                                       number=problem.id),
                       callback_data=ProblemCallback(action="open", id=problem.id))
    if following:
        builder.button(text=_("🔕 Unfollow", locale=locale), callback_data=RegCb(a="unf", i=service.id))
    else:
        builder.button(text=_("🔔 Follow", locale=locale), callback_data=RegCb(a="fol", i=service.id))
    if can_support:
        builder.button(text=_("👍 Support this proposal", locale=locale), callback_data=RegCb(a="sup", i=service.id))
    if can_rate:
        builder.button(text=_("⭐ Rate this service", locale=locale), callback_data=RegCb(a="rate", i=service.id))
    builder.button(text=_("« Back", locale=locale), callback_data=back)
    builder.adjust(*([1] * len(problems[:3])), 1)  # each linked problem on a row of its own: its words fit
    return builder.as_markup()


def list_keyboard(
    services: Sequence[reg.Service], locale: str, *, total: int, page: int, action: str, value: str,
    open_action: str = "card", back: RegCb | None = None,
) -> InlineKeyboardMarkup:
    """A page of entries, one per row ("📗 Name"), with ‹ n/m › paging (``action``/``value`` rebuild the list)."""
    pages = page_count(total, PAGE_SIZE)
    builder = InlineKeyboardBuilder()
    for service in services:
        builder.button(text=cut(f"{STATUS_ICONS.get(service.status, '')} {service.name(locale)}"),
                       callback_data=RegCb(a=open_action, i=service.id))
    builder.adjust(1)
    nav: list[InlineKeyboardButton] = []
    if page > 0:
        nav.append(InlineKeyboardButton(text="‹", callback_data=RegCb(a=action, p=page - 1, v=value).pack()))
    if pages > 1:
        nav.append(InlineKeyboardButton(text=f"{page + 1}/{pages}",
                                        callback_data=RegCb(a=action, p=page, v=value).pack()))
    if page < pages - 1:
        nav.append(InlineKeyboardButton(text="›", callback_data=RegCb(a=action, p=page + 1, v=value).pack()))
    if nav:
        builder.row(*nav)
    if back is not None:
        builder.row(InlineKeyboardButton(text=_("« Back", locale=locale), callback_data=back.pack()))
    return builder.as_markup()


def clamp_page(page: int, total: int) -> int:
    """A page number forced into range (stale buttons never fail)."""
    return min(max(page, 0), page_count(total, PAGE_SIZE) - 1)


def home_keyboard(counts: dict[str, int], proposals: int, locale: str) -> InlineKeyboardMarkup:
    """Areas with their entry counts, then residents' proposals, services I follow, propose."""
    builder = InlineKeyboardBuilder()
    for area, count in counts.items():
        tail = f" ({count})"  # the count stays whole: only the area's name is shortened
        builder.button(text=cut(area_label(area, locale), LABEL_MAX - len(tail)) + tail,
                       callback_data=RegCb(a="area", v=area))
    builder.adjust(1)
    builder.row(InlineKeyboardButton(
        text=_("💡 Residents' proposals ({count})", locale=locale).format(count=proposals),
        callback_data=RegCb(a="area", v="proposals").pack()))
    builder.row(InlineKeyboardButton(text=_("🔔 Services I follow", locale=locale),
                                     callback_data=RegCb(a="mine").pack()))
    builder.row(InlineKeyboardButton(text=_("➕ Propose a new service", locale=locale),
                                     callback_data=RegCb(a="prop").pack()))
    return builder.as_markup()


def choice_keyboard(options: Sequence[tuple[str, RegCb]], columns: int = 1) -> InlineKeyboardMarkup:
    """Buttons of a screen (not a wizard step): ``(label, callback data)``, ``columns`` per row."""
    builder = InlineKeyboardBuilder()
    for text, data in options:
        builder.button(text=text, callback_data=data)
    builder.adjust(columns)
    return builder.as_markup()


