"""The registry of services as followers and officers are told of it (facts from
:mod:`bot.domain.registry.notices`), in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.types import InlineKeyboardButton

from bot.domain.registry import PROPOSED_KIND, STATUS_KIND
from bot.i18n import _, current_locale
from bot.notices import Rendered, esc, pick, renders
from bot.ui.registry import RegCb, status_label


@renders(STATUS_KIND)
def service_status(facts: Mapping[str, Any]) -> Rendered:
    """A followed entry moved from one status to another, with the officer's comment if any, and a
    button to the resident's card."""
    locale = current_locale()
    text = _("🔔 <b>{name}</b>\nThe service moved from «{old}» to «{new}».", locale=locale).format(
        name=esc(pick(facts, "name", locale)), old=status_label(str(facts["from_status"]), locale),
        new=status_label(str(facts["to_status"]), locale))
    if facts.get("comment"):
        text += "\n" + _("Comment: {comment}", locale=locale).format(comment=esc(facts["comment"]))
    button = InlineKeyboardButton(text=_("Open the service", locale=locale),
                                  callback_data=RegCb(a="card", i=int(facts["service_id"]), v="n").pack())
    return Rendered(text, [[button]])


@renders(PROPOSED_KIND)
def service_proposed(facts: Mapping[str, Any]) -> Rendered:
    """A resident proposed a new service: for the municipality's officers, with a button to the officer's card."""
    locale = current_locale()
    text = _("💡 A resident proposed a new service: <b>{name}</b>", locale=locale).format(
        name=esc(pick(facts, "name", locale)))
    button = InlineKeyboardButton(text=_("Open the service", locale=locale),
                                  callback_data=RegCb(a="oc", i=int(facts["service_id"]), v="n").pack())
    return Rendered(text, [[button]])
