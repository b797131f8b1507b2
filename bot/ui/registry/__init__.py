"""Presentation of the registry of services: the callback format (once, :class:`RegCb`), labels,
cards and keyboards (:mod:`.cards`), the CSV export (:mod:`.export`), and the explanations of the
registry's refusals (:mod:`.errors`, registered on import).

Functions take the reader's ``locale`` explicitly where a text is made for someone else (a notice
rendered per recipient, a card). Every stored text goes through :func:`esc`.
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData

from bot.i18n import N_, NC_, _
from bot.ui.callbacks import IdField

PAGE_SIZE = 8
"""Entries per list page: one per row, fits a small phone screen."""
LABEL_MAX = 30
"""Button labels are cut to this width (a row of its own on a 360-px phone, bot.ui.keyboards.ROW_WIDTH)."""


class RegCb(CallbackData, prefix="rg"):
    """Registry buttons (the one format of this feature): ``a`` the action, ``i`` the entry id,
    ``p`` a page or a problem id (``unl``), ``v`` a value (area, status, field).

    Residents' actions: ``home``, ``area``, ``card``, ``fol``, ``unf``, ``mine``, ``sup``, ``rate``, ``prop``;
    officers': ``ov``, ``ost``, ``oc``, ``mv``, ``ed``, ``ef``, ``lnk``, ``unl``, ``exp``, ``add``. The steps
    of the wizards carry the kit's own buttons (``bot.flows.StepCallback``). Ids and pages are bounded
    (:data:`~bot.ui.callbacks.IdField`): crafted data does not match and is answered as a stale button.
    Longest: ``rg:mv:9007199254740991:0:under_consideration`` = 45 bytes (≤ 64).
    """

    a: str
    i: IdField = 0
    p: IdField = 0
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
    "proposed": NC_("service status", "proposed"),
    "under_consideration": NC_("service status", "under consideration"),
    "approved": NC_("service status", "approved by the council"),
    "included": NC_("service status", "included in the registry"),
    "suspended": NC_("service status", "suspended"),
    "excluded": NC_("service status", "excluded from the registry"),
    "rejected": NC_("service status", "rejected"),
}
STATUS_ICONS = {
    "proposed": "💡", "under_consideration": "🔎", "approved": "✅", "included": "📗",
    "suspended": "⏸", "excluded": "⛔", "rejected": "❌",
}
REGISTRY_LABELS = {"basic": N_("Basic registry"), "additional": N_("Additional list")}
PROVIDER_LABELS = {
    "ayil_okmotu": NC_("provider kind", "ayil okmotu or town hall"),
    "municipal_enterprise": NC_("provider kind", "municipal enterprise"),
    "outsourced": NC_("provider kind", "outsourced provider"),
}
GROUP_LABELS = {
    "disabilities": N_("People with disabilities"),
    "elderly": N_("Elderly people"),
    "single_parent": N_("Single-parent families"),
    "other": N_("Another vulnerable group"),
}
ROLE_LABELS = {
    "resident": NC_("service history actor", "a resident"),
    "officer": NC_("service history actor", "the municipality"),
    "system": NC_("service history actor", "starter catalogue"),
}


def area_label(area: str, locale: str) -> str:
    """Localized area name."""
    return _(AREA_LABELS.get(area, AREA_LABELS["other"]), locale=locale)


def status_label(status: str, locale: str) -> str:
    """Localized status with its icon, e.g. "📗 Реестрге киргизилди"."""
    return f"{STATUS_ICONS.get(status, '')} {_(STATUS_LABELS[status], locale=locale)}"


def cut(text: str, limit: int = LABEL_MAX) -> str:
    """Shorten a one-line label to ``limit`` with an ellipsis, at a word (the shared :func:`bot.ui.keyboards.label`)."""
    from bot.ui.keyboards import label

    return label(text, limit)


# the rest of the package, importable from here as before (they import the names above)
from bot.ui.registry import errors as errors  # noqa: E402  (registers the explanations)
from bot.ui.registry.cards import (  # noqa: E402
    CARD_MAX,
    card_keyboard,
    card_text,
    choice_keyboard,
    clamp_page,
    history_lines,
    home_keyboard,
    list_keyboard,
    resolution_text,
    visible_length,
)
from bot.ui.registry.export import EXPORT_HEADERS, ORIGIN_LABELS, registry_csv  # noqa: E402

__all__ = [
    "AREA_LABELS", "CARD_MAX", "EXPORT_HEADERS", "GROUP_LABELS", "LABEL_MAX", "ORIGIN_LABELS", "PAGE_SIZE",
    "PROVIDER_LABELS", "REGISTRY_LABELS", "ROLE_LABELS", "STATUS_ICONS", "STATUS_LABELS", "RegCb", "area_label",
    "card_keyboard", "card_text", "choice_keyboard", "clamp_page", "cut", "errors", "history_lines",
    "home_keyboard", "list_keyboard", "registry_csv", "resolution_text", "status_label", "visible_length",
]
