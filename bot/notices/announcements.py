"""Officers' announcements (ky кулактандыруу, ru объявление) as residents receive them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.i18n import _, current_locale
from bot.notices import Rendered, esc, pick, renders


@renders("announcement")
def announcement(facts: Mapping[str, Any]) -> Rendered:
    """A header naming the municipality, then the officer's text in the reader's language (the
    Kyrgyz text for everyone when the officer skipped the Russian one)."""
    locale = current_locale()
    header = _("📣 <b>Announcement</b> · {municipality}").format(
        municipality=esc(pick(facts, "municipality", locale)))
    return Rendered(f"{header}\n\n{esc(pick(facts, 'text', locale))}")
