"""The registry as a table for officers: localized headers and values, written by
:func:`bot.domain.spreadsheet.write_csv` (UTF-8 BOM, ``;``, formula-safe cells)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.domain import registry as reg
from bot.domain.clock import from_db
from bot.domain.spreadsheet import write_csv
from bot.i18n import N_, _, format_date
from bot.ui.registry import GROUP_LABELS, PROVIDER_LABELS, REGISTRY_LABELS, STATUS_LABELS, area_label

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


def registry_csv(rows: Sequence[dict[str, Any]], locale: str) -> bytes:
    """The registry export for an officer: headers and values in ``locale`` (status, area, registry,
    provider kind, cost, origin, group labels; dates formatted), written by
    :func:`bot.domain.spreadsheet.write_csv` (UTF-8 BOM, ``;``, formula-safe cells; the average rating
    with the locale's decimal comma)."""
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
            return float(str(raw))  # written with the locale's decimal comma (write_csv)
        return raw

    header = [_(EXPORT_HEADERS[c], locale=locale) for c in reg.EXPORT_COLUMNS]
    return write_csv(header, [[value(c, row[c]) for c in reg.EXPORT_COLUMNS] for row in rows], locale=locale)
