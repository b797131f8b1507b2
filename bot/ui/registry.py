"""Presentation of the registry of services: callback data, labels, cards, keyboards, notifications.

Every function takes the reader's ``locale`` explicitly, because notifications are rendered for
both languages at once, outside any request. Every stored text goes through :func:`esc`.
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Sequence
from datetime import date

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain import InvalidInput
from bot.domain import registry as reg
from bot.domain.clock import from_db
from bot.domain.outbox import Button, Content, LocalizedMessage
from bot.domain.text import utf16_length
from bot.i18n import N_, _, format_date, format_number, ngettext
from bot.ui.callbacks import IdField
from bot.ui.keyboards import page_count
from bot.ui.messages import esc

PAGE_SIZE = 8
"""Entries per list page: one per row, fits a small phone screen."""
LABEL_MAX = 56
"""Button labels are cut to this many characters (long labels are cut by Telegram clients anyway)."""


class RegCb(CallbackData, prefix="rg"):
    """Registry buttons: ``a`` action, ``i`` entry id, ``p`` page, ``v`` a value (area, status, score…).

    Ids only, never names. Longest: ``rg:mv:2147483647:0:under_consideration`` = 38 bytes (≤ 64).
    """

    a: str
    i: IdField = 0
    p: IdField = 0  # a page, or a problem id (``unl``); bounded so crafted data is a stale button
    v: str = ""


AREA_LABELS = {
    "information": N_("Information from the local authority"),
    "water": N_("Drinking water"),
    "waste": N_("Waste collection"),
    "lighting": N_("Street lighting"),
    "education": N_("Education and kindergartens"),
    "leisure": N_("Leisure and parks"),
    "culture": N_("Culture and the house of culture"),
    "sport": N_("Sport facilities and clubs"),
    "social": N_("Social support"),
    "youth": N_("Children and youth"),
    "maintenance": N_("Public buildings and grounds"),
    "transport": N_("Local transport"),
    "utilities": N_("Utilities"),
    "other": N_("Other services"),
}
STATUS_LABELS = {
    "proposed": N_("Service status: proposed"),
    "under_consideration": N_("Service status: under consideration"),
    "approved": N_("Service status: approved by the council"),
    "included": N_("Service status: included in the registry"),
    "suspended": N_("Service status: suspended"),
    "excluded": N_("Service status: excluded from the registry"),
    "rejected": N_("Service status: rejected"),
}
STATUS_ICONS = {
    "proposed": "💡", "under_consideration": "🔎", "approved": "✅", "included": "📗",
    "suspended": "⏸", "excluded": "⛔", "rejected": "❌",
}
REGISTRY_LABELS = {"basic": N_("Basic registry"), "additional": N_("Additional list")}
PROVIDER_LABELS = {
    "ayil_okmotu": N_("Provider kind: ayil okmotu or town hall"),
    "municipal_enterprise": N_("Provider kind: municipal enterprise"),
    "outsourced": N_("Provider kind: outsourced provider"),
}
GROUP_LABELS = {
    "disabilities": N_("People with disabilities"),
    "elderly": N_("Elderly people"),
    "single_parent": N_("Single-parent families"),
    "other": N_("Another vulnerable group"),
}
ROLE_LABELS = {
    "resident": N_("History actor: a resident"),
    "officer": N_("History actor: the municipality"),
    "system": N_("History actor: starter catalogue"),
}


def area_label(area: str, locale: str) -> str:
    """Localized area name."""
    return _(AREA_LABELS.get(area, AREA_LABELS["other"]), locale=locale)


def status_label(status: str, locale: str) -> str:
    """Localized status with its icon, e.g. "📗 Реестрге киргизилди"."""
    return f"{STATUS_ICONS.get(status, '')} {_(STATUS_LABELS[status], locale=locale)}"


def cut(text: str, limit: int = LABEL_MAX) -> str:
    """Shorten a one-line label to ``limit`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


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
    from bot.domain.problems import open_card_data  # the problems feature's own "open" button

    builder = InlineKeyboardBuilder()
    for problem in problems[:3]:
        builder.button(text=f"📢 #{problem.id}", callback_data=open_card_data(problem.id))
    if following:
        builder.button(text=_("🔕 Unfollow", locale=locale), callback_data=RegCb(a="unf", i=service.id))
    else:
        builder.button(text=_("🔔 Follow", locale=locale), callback_data=RegCb(a="fol", i=service.id))
    if can_support:
        builder.button(text=_("👍 Support this proposal", locale=locale), callback_data=RegCb(a="sup", i=service.id))
    if can_rate:
        builder.button(text=_("⭐ Rate this service", locale=locale), callback_data=RegCb(a="rate", i=service.id))
    builder.button(text=_("« Back", locale=locale), callback_data=back)
    builder.adjust(*([len(problems[:3])] if problems else []), 1)
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
        builder.button(text=cut(f"{area_label(area, locale)} ({count})"), callback_data=RegCb(a="area", v=area))
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
    """Buttons for a fixed choice (groups, areas, scores…)."""
    builder = InlineKeyboardBuilder()
    for text, data in options:
        builder.button(text=text, callback_data=data)
    builder.adjust(columns)
    return builder.as_markup()


# -- notifications (rendered in both languages for the outbox) ----------------------------------


def status_notification(service: reg.Service, from_status: str, comment: str) -> Content:
    """What a follower receives when an entry changes status, in ky and ru, with a button to the card."""
    versions = {}
    for locale in ("ky", "ru"):
        text = _("🔔 <b>{name}</b>\nThe service moved from «{old}» to «{new}».", locale=locale).format(
            name=esc(service.name(locale)), old=status_label(from_status, locale),
            new=status_label(service.status, locale))
        if comment:
            text += "\n" + _("Comment: {comment}", locale=locale).format(comment=esc(comment))
        versions[locale] = LocalizedMessage(
            text, [[Button(_("Open the service", locale=locale), callback_data=RegCb(a="card", i=service.id).pack())]])
    return Content(versions)


def proposal_notification(service: reg.Service) -> Content:
    """What the municipality's officers receive when a resident proposes a service."""
    versions = {}
    for locale in ("ky", "ru"):
        text = _("💡 A resident proposed a new service: <b>{name}</b>", locale=locale).format(
            name=esc(service.name(locale)))
        versions[locale] = LocalizedMessage(
            text, [[Button(_("Open the service", locale=locale), callback_data=RegCb(a="oc", i=service.id).pack())]])
    return Content(versions)


def too_long_text(limit: int, length: int, locale: str) -> str:
    """"Too long: at most {limit} characters, yours has {length}" — the draft is kept."""
    return ngettext(
        "That is too long: at most {limit} characters, yours has {length} character. "
        "Shorten it and send it again; your earlier answers are kept.",
        "That is too long: at most {limit} characters, yours has {length} characters. "
        "Shorten it and send it again; your earlier answers are kept.",
        length, locale=locale,
    ).format(limit=format_number(limit, locale), length=format_number(length, locale))


def too_short_text(minimum: int, length: int, locale: str) -> str:
    """"Too short: at least {minimum} characters, yours has {length}"."""
    return ngettext(
        "That is too short: at least {minimum} characters, yours has {length} character. Write a little more.",
        "That is too short: at least {minimum} characters, yours has {length} characters. Write a little more.",
        length, locale=locale,
    ).format(minimum=format_number(minimum, locale), length=format_number(length, locale))


async def bounded_text(
    message: Message, locale: str, *, limit: int, minimum: int = 0, reply_markup: InlineKeyboardMarkup | None = None
) -> str | None:
    """The cleaned text of ``message`` if it is within ``minimum``..``limit`` characters (see
    :func:`bot.domain.registry.check_text`); otherwise ``None`` after telling the person the bound and
    their length (the draft is kept, ``reply_markup`` offers e.g. "Skip" again)."""
    try:
        return reg.check_text(message.text, limit=limit, minimum=minimum)
    except InvalidInput as exc:
        if minimum and exc.limit == minimum:
            await message.answer(too_short_text(minimum, exc.actual or 0, locale), reply_markup=reply_markup)
        else:
            await message.answer(too_long_text(limit, exc.actual or 0, locale), reply_markup=reply_markup)
        return None


# -- export ---------------------------------------------------------------------------------------

EXPORT_HEADERS = {
    "id": N_("Registry export column: number"),
    "name_ky": N_("Registry export column: name in Kyrgyz"),
    "name_ru": N_("Registry export column: name in Russian"),
    "description_ky": N_("Registry export column: description in Kyrgyz"),
    "description_ru": N_("Registry export column: description in Russian"),
    "area": N_("Registry export column: area"),
    "registry": N_("Registry export column: registry"),
    "provider_kind": N_("Registry export column: provider kind"),
    "provider_name": N_("Registry export column: provider"),
    "recipients": N_("Registry export column: recipients"),
    "paid": N_("Registry export column: cost"),
    "tariff": N_("Registry export column: tariff"),
    "standard": N_("Registry export column: service standard"),
    "resolution_number": N_("Registry export column: council resolution number"),
    "resolution_date": N_("Registry export column: council resolution date"),
    "status": N_("Registry export column: status"),
    "rejection_reason": N_("Registry export column: reason for rejection"),
    "origin": N_("Registry export column: origin"),
    "on_behalf_of": N_("Registry export column: on behalf of"),
    "supports": N_("Registry export column: supports"),
    "followers": N_("Registry export column: followers"),
    "rating_average": N_("Registry export column: average rating"),
    "ratings": N_("Registry export column: ratings"),
    "created_at": N_("Registry export column: created on"),
    "updated_at": N_("Registry export column: updated on"),
}
"""Column key (:data:`bot.domain.registry.EXPORT_COLUMNS`) → msgid of its header."""
ORIGIN_LABELS = {
    "catalogue": N_("Service origin: starter catalogue"),
    "officer": N_("Service origin: added by an officer"),
    "resident": N_("Service origin: proposed by a resident"),
}


def registry_csv(rows: Sequence[dict], locale: str) -> bytes:
    """The registry export for an officer: headers and values in ``locale`` (status, area, registry,
    provider kind, cost, origin, group labels; dates formatted), written by
    :func:`bot.domain.registry.write_csv` (UTF-8 BOM, ``;``, formula-safe cells)."""
    def value(key: str, raw: object) -> object:
        if raw is None or raw == "":
            return ""
        if key == "area":
            return area_label(str(raw), locale)
        if key == "status":
            return _(STATUS_LABELS[str(raw)], locale=locale)
        if key == "registry":
            return _(REGISTRY_LABELS[str(raw)], locale=locale)
        if key == "provider_kind":
            return _(PROVIDER_LABELS[str(raw)], locale=locale)
        if key == "origin":
            return _(ORIGIN_LABELS[str(raw)], locale=locale)
        if key == "on_behalf_of":
            return _(GROUP_LABELS[str(raw)], locale=locale)
        if key == "paid":
            return _("Paid", locale=locale) if raw else _("Free of charge", locale=locale)
        if key == "resolution_date":
            return format_date(date.fromisoformat(str(raw)), locale)
        if key in ("created_at", "updated_at"):
            return format_date(from_db(str(raw)), locale)
        if key == "rating_average":
            return format_number(raw, locale)
        return raw

    header = [_(EXPORT_HEADERS[c], locale=locale) for c in reg.EXPORT_COLUMNS]
    return reg.write_csv(header, [[value(c, row[c]) for c in reg.EXPORT_COLUMNS] for row in rows])
