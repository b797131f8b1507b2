"""Residents and the registry of services: browse by area, open a card, follow, support; the
proposal and rating wizards start here (:mod:`.propose`, :mod:`.rate`).

Entry points: the "Municipal services" main-menu button and /services. Every button carries an
entry id only; the domain checks that the entry belongs to the resident's own municipality, so a
crafted or stale button gets the explanation of :class:`~bot.domain.registry.ServiceNotFound`
(an alert) and changes nothing. One handler per action (``RegCb.filter(F.a == …)``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, TelegramObject
from aiogram.utils.callback_answer import CallbackAnswer

from bot.db import Database
from bot.domain import municipalities as geo
from bot.domain import registry as reg
from bot.domain.residents import Resident
from bot.handlers.onboarding import continue_onboarding
from bot.i18n import _, format_number, ngettext
from bot.ui.messages import answer_screen, edit_or_send, esc
from bot.ui.registry import (
    AREA_LABELS,
    PAGE_SIZE,
    RegCb,
    area_label,
    card_keyboard,
    card_text,
    clamp_page,
    home_keyboard,
    list_keyboard,
)

LISTS = frozenset(AREA_LABELS) | {"proposals"}
"""Values of the ``area`` action: an area, or the residents' proposals under way."""


class OnboardedGate(BaseMiddleware):
    """Registry buttons need a resident who chose a language and a municipality: anyone else is
    told to send /start (an alert) and nothing runs."""

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        resident: Resident | None = data.get("resident")
        if resident is None or not resident.onboarded:
            answer: CallbackAnswer | None = data.get("callback_answer")
            if answer is not None:
                answer.text = _("First choose your language and municipality: send /start.")
                answer.show_alert = True
            return None
        return await handler(event, data)


async def home_view(db: Database, resident: Resident, locale: str) -> tuple[str, InlineKeyboardMarkup]:
    """Text and keyboard of the registry's first screen (seeds the catalogue on first opening)."""
    code = resident.municipality_code or ""
    await reg.ensure_seeded(db, code)
    place = await geo.get_municipality(db, code)
    counts = await reg.area_counts(db, code)
    _items, proposals = await reg.list_services(db, code, statuses=reg.SUPPORTABLE, limit=0)
    text = _(
        "<b>Municipal services</b> · {municipality}\n"
        "The registry of services of your municipality. Choose an area to see its services; "
        "follow a service to be told when its status changes, or propose a new one."
    ).format(municipality=esc(place.name(locale) if place else code))
    return text, home_keyboard(counts, proposals, locale)


async def card_view(db: Database, resident: Resident, locale: str, service_id: int, *,
                    back: RegCb | None = None) -> tuple[str, InlineKeyboardMarkup]:
    """The resident's card of an entry of their municipality, with its buttons.

    Raises:
        ServiceNotFound: not an entry of the resident's municipality.
    """
    card = await reg.resident_card(db, resident_id=resident.telegram_id,
                                   municipality_code=resident.municipality_code, service_id=service_id)
    service = card.service
    if back is None:
        proposal = service.origin == "resident" and service.status in reg.SUPPORTABLE
        back = RegCb(a="area", v="proposals" if proposal else service.area)
    text = card_text(service, locale, events=card.events, supports=card.supports, problems=card.problems,
                     problems_total=card.problems_total)
    keyboard = card_keyboard(service, locale, following=card.following, can_support=card.can_support,
                             can_rate=card.can_rate, back=back, problems=card.problems)
    return text, keyboard


async def show_card(callback: CallbackQuery, db: Database, resident: Resident, locale: str, service_id: int,
                    *, new: bool = False, **kwargs: Any) -> None:
    """Render the card in place of the pressed message (``new``: as a new message, from a notification)."""
    text, keyboard = await card_view(db, resident, locale, service_id, **kwargs)
    await edit_or_send(callback, text, keyboard, new=new)


async def cmd_services(message: Message, db: Database, resident: Resident, locale: str, state: FSMContext) -> None:
    """/services: the registry of the resident's municipality."""
    if not resident.onboarded:
        await continue_onboarding(message, db, resident, locale, state)
        return
    text, keyboard = await home_view(db, resident, locale)
    await answer_screen(message, text, keyboard)


async def on_home(callback: CallbackQuery, db: Database, resident: Resident, locale: str) -> None:
    """The registry's first screen."""
    text, keyboard = await home_view(db, resident, locale)
    await edit_or_send(callback, text, keyboard)


async def on_list(callback: CallbackQuery, callback_data: RegCb, db: Database, resident: Resident,
                  locale: str) -> None:
    """A page of an area's entries, or of the residents' proposals under way."""
    code = resident.municipality_code or ""
    if callback_data.v == "proposals":
        statuses, area, title = reg.SUPPORTABLE, None, _("💡 Residents' proposals")
    else:
        statuses, area, title = (), callback_data.v, area_label(callback_data.v, locale)
    _items, total = await reg.list_services(db, code, area=area, statuses=statuses, limit=0)
    page = clamp_page(callback_data.p, total)
    services, total = await reg.list_services(db, code, area=area, statuses=statuses, offset=page * PAGE_SIZE,
                                              limit=PAGE_SIZE)
    if total:
        body = ngettext("{count} service. Choose one to open its card.", "{count} services. Choose one to open its card.",
                        total).format(count=format_number(total, locale))
    else:
        body = _("Nothing here yet. You can propose a new service from the previous screen.")
    await edit_or_send(callback, f"<b>{esc(title)}</b>\n{body}",
                       list_keyboard(services, locale, total=total, page=page, action="area", value=callback_data.v,
                                     back=RegCb(a="home")))


async def on_card(callback: CallbackQuery, callback_data: RegCb, db: Database, resident: Resident,
                  locale: str) -> None:
    """Open an entry's card (``v`` "n": the button of a notification, the card comes as a new message)."""
    await show_card(callback, db, resident, locale, callback_data.i, new=callback_data.v == "n")


async def on_follow(callback: CallbackQuery, callback_data: RegCb, db: Database, resident: Resident, locale: str,
                    callback_answer: CallbackAnswer) -> None:
    """Follow the entry: its status changes will be sent to the resident."""
    await reg.follow(db, resident_id=resident.telegram_id, service_id=callback_data.i)
    await show_card(callback, db, resident, locale, callback_data.i)
    callback_answer.text = _("You follow this service now: you will be told when its status changes.")


async def on_unfollow(callback: CallbackQuery, callback_data: RegCb, db: Database, resident: Resident, locale: str,
                      callback_answer: CallbackAnswer) -> None:
    """Stop following the entry."""
    await reg.unfollow(db, resident_id=resident.telegram_id, service_id=callback_data.i)
    await show_card(callback, db, resident, locale, callback_data.i)
    callback_answer.text = _("You no longer follow this service.")


async def on_mine(callback: CallbackQuery, callback_data: RegCb, db: Database, resident: Resident,
                  locale: str) -> None:
    """A page of the entries the resident follows."""
    code = resident.municipality_code or ""
    _items, total = await reg.followed_services(db, resident.telegram_id, code, limit=0)
    page = clamp_page(callback_data.p, total)
    services, total = await reg.followed_services(db, resident.telegram_id, code, offset=page * PAGE_SIZE,
                                                  limit=PAGE_SIZE)
    text = _("<b>🔔 Services I follow</b>") + "\n" + (
        ngettext("You follow {count} service.", "You follow {count} services.", total).format(
            count=format_number(total, locale))
        if total else _("You do not follow any service yet. Open a service and press «Follow»."))
    await edit_or_send(callback, text, list_keyboard(services, locale, total=total, page=page, action="mine", value="",
                                                     back=RegCb(a="home")))


async def on_support(callback: CallbackQuery, callback_data: RegCb, db: Database, resident: Resident, locale: str,
                     callback_answer: CallbackAnswer) -> None:
    """Support a proposal (the supporter then follows it)."""
    count = await reg.support(db, resident_id=resident.telegram_id, service_id=callback_data.i)
    await show_card(callback, db, resident, locale, callback_data.i)
    callback_answer.text = ngettext(
        "Thank you! {count} resident supports it now; you will be told when its status changes.",
        "Thank you! {count} residents support it now; you will be told when its status changes.",
        count).format(count=format_number(count, locale))


def build_router() -> Router:
    """A new router with the residents' screens and wizards (register before the fallback)."""
    from bot.handlers.registry import propose, rate

    router = Router(name="registry")
    router.callback_query.middleware(OnboardedGate())
    router.message.register(cmd_services, Command("services"))
    router.callback_query.register(on_home, RegCb.filter(F.a == "home"))
    router.callback_query.register(on_list, RegCb.filter((F.a == "area") & F.v.in_(LISTS)))
    router.callback_query.register(on_card, RegCb.filter(F.a == "card"))
    router.callback_query.register(on_follow, RegCb.filter(F.a == "fol"))
    router.callback_query.register(on_unfollow, RegCb.filter(F.a == "unf"))
    router.callback_query.register(on_mine, RegCb.filter(F.a == "mine"))
    router.callback_query.register(on_support, RegCb.filter(F.a == "sup"))
    router.callback_query.register(rate.on_rate, RegCb.filter(F.a == "rate"))
    router.callback_query.register(propose.on_propose, RegCb.filter(F.a == "prop"))
    propose.wizard.register(router)
    rate.wizard.register(router)
    return router
