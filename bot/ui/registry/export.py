"""The registry as a table for officers: localized headers and values, written by
:func:`bot.domain.spreadsheet.write_csv` (UTF-8 BOM, ``;``, formula-safe cells)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.domain import registry as reg
from bot.domain.clock import from_db
from bot.domain.spreadsheet import write_csv
from bot.i18n import NC_, _, format_date
from bot.ui.registry import GROUP_LABELS, PROVIDER_LABELS, REGISTRY_LABELS, STATUS_LABELS, area_label

EXPORT_HEADERS = {
    "id": NC_("registry export column", "number"),
    "name_ky": NC_("registry export column", "name in Kyrgyz"),
    "name_ru": NC_("registry export column", "name in Russian"),
    "description_ky": NC_("registry export column", "description in Kyrgyz"),
    "description_ru": NC_("registry export column", "description in Russian"),
    "area": NC_("registry export column", "area"),
    "registry": NC_("registry export column", "registry"),
    "provider_kind": NC_("registry export column", "provider kind"),
    "provider_name": NC_("registry export column", "provider"),
    "recipients": NC_("registry export column", "recipients"),
    "paid": NC_("registry export column", "cost"),
    "tariff": NC_("registry export column", "tariff"),
    "standard": NC_("registry export column", "service standard"),
    "resolution_number": NC_("registry export column", "council resolution number"),
    "resolution_date": NC_("registry export column", "council resolution date"),
    "status": NC_("registry export column", "status"),
    "rejection_reason": NC_("registry export column", "reason for rejection"),
    "origin": NC_("registry export column", "origin"),
    "on_behalf_of": NC_("registry export column", "on behalf of"),
    "supports": NC_("registry export column", "supports"),
    "followers": NC_("registry export column", "followers"),
    "rating_average": NC_("registry export column", "average rating"),
    "ratings": NC_("registry export column", "ratings"),
    "created_at": NC_("registry export column", "created on"),
    "updated_at": NC_("registry export column", "updated on"),
}
"""Column key (:data:`bot.domain.registry.EXPORT_COLUMNS`) → msgid of its header."""
ORIGIN_LABELS = {
    "catalogue": NC_("service origin", "starter catalogue"),
    "officer": NC_("service origin", "added by an officer"),
    "resident": NC_("service origin", "proposed by a resident"),
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
