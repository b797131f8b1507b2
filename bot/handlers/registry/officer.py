"""Officers and the registry: /registry overview with counts, entries by status, the officer's card
with ratings, unlinking problems, CSV export; the wizards (status move, edit, link, add) start here
and live in :mod:`.officer_flows`.

Every handler is behind :func:`bot.handlers.roles.officer_router` (``officer`` injected, anyone else
gets the "officers only" explanation); the domain checks the entry's municipality again inside the
transaction of each change. One handler per action (``RegCb.filter(F.a == …)``).
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.db import Database
from bot.domain import municipalities as geo
from bot.domain import registry as reg
from bot.domain.clock import clock
from bot.domain.officers import Officer
from bot.domain.spreadsheet import export_filename
from bot.handlers.roles import officer_router
from bot.i18n import _, format_number, format_quarter, ngettext
from bot.ui.keyboards import with_menu
from bot.ui.messages import answer_screen, edit_or_send, esc
from bot.ui.registry import (
    PAGE_SIZE,
    STATUS_LABELS,
    RegCb,
    card_text,
    choice_keyboard,
    clamp_page,
    cut,
    list_keyboard,
    registry_csv,
    status_label,
    visible_length,
)


async def overview_view(db: Database, officer: Officer, locale: str) -> tuple[str, InlineKeyboardMarkup]:
    """Text and keyboard of the officer's registry overview."""
    data = await reg.overview(db, officer_id=officer.telegram_id)
    place = await geo.get_municipality(db, officer.municipality_code)
    lines = [_("<b>Registry of services</b> · {municipality}").format(
        municipality=esc(place.name(locale) if place else officer.municipality_code))]
    for status in reg.STATUSES:
        lines.append(_("{status}: {count}").format(status=status_label(status, locale),
                                                   count=format_number(data.by_status[status], locale)))
    lines.append("")
    lines.append(ngettext(
        "Residents initiated {initiated} service; approved by the council: {approved}; included in the registry: {included}.",
        "Residents initiated {initiated} services; approved by the council: {approved}; included in the registry: {included}.",
        data.initiated,
    ).format(initiated=format_number(data.initiated, locale), approved=format_number(data.approved, locale),
             included=format_number(data.included, locale)))
    lines.append(ngettext("{count} resident follows services of the registry.",
                          "{count} residents follow services of the registry.", data.followers).format(
        count=format_number(data.followers, locale)))
    options = [(f"{status_label(s, locale)} ({data.by_status[s]})", RegCb(a="ost", v=s))
               for s in reg.STATUSES if data.by_status[s]]
    options.append((_("➕ Add a service"), RegCb(a="add")))
    options.append((_("⬇️ Export as CSV"), RegCb(a="exp")))
    return "\n".join(lines), choice_keyboard(options)


async def card_view(db: Database, officer: Officer, locale: str, service_id: int) -> tuple[str, InlineKeyboardMarkup]:
    """The officer's card: the passport with ratings (average and comments, never who) and the allowed moves.

    Raises:
        ServiceNotFound: not an entry of the officer's municipality.
    """
    card = await reg.officer_card(db, officer_id=officer.telegram_id, municipality_code=officer.municipality_code,
                                  service_id=service_id)
    service, ratings = card.service, card.ratings
    rating_text = ""
    if ratings.count:
        rating_text = "\n\n" + ngettext(
            "<b>Rating</b>: {average} of 5 from {count} rating.", "<b>Rating</b>: {average} of 5 from {count} ratings.",
            ratings.count).format(average=format_number(round(ratings.average or 0, 1), locale),
                                  count=format_number(ratings.count, locale))
        for comment, quarter in ratings.comments:
            rating_text += f"\n• {esc(cut(comment, 200))} ({esc(format_quarter(quarter, locale))})"
    # the whole message is bounded: the card leaves room for the ratings appended to it
    text = card_text(service, locale, events=card.events, supports=card.supports, followers=card.followers,
                     problems=card.problems, problems_total=card.problems_total,
                     reserve=visible_length(rating_text)) + rating_text
    options = [(_("Move to: {status}").format(status=status_label(target, locale)),
                RegCb(a="mv", i=service.id, v=target)) for target in reg.TRANSITIONS[service.status]]
    options.append((_("✏️ Edit the details"), RegCb(a="ed", i=service.id)))
    options.append((_("🔗 Link a priority problem"), RegCb(a="lnk", i=service.id)))
    options.extend((_("✖ Unlink problem #{id}").format(id=problem.id), RegCb(a="unl", i=service.id, p=problem.id))
                   for problem in card.problems)
    options.append((_("« Back"), RegCb(a="ost", v=service.status)))
    return text, choice_keyboard(options)


async def cmd_registry(message: Message, db: Database, officer: Officer, locale: str) -> None:
    """/registry: the officer's registry overview."""
    text, keyboard = await overview_view(db, officer, locale)
    await answer_screen(message, text, keyboard)


async def on_overview(callback: CallbackQuery, db: Database, officer: Officer, locale: str) -> None:
    """The overview, in place of the pressed message."""
    text, keyboard = await overview_view(db, officer, locale)
    await edit_or_send(callback, text, keyboard)


async def on_list(callback: CallbackQuery, callback_data: RegCb, db: Database, officer: Officer,
                  locale: str) -> None:
    """A page of the entries in one status."""
    code, status = officer.municipality_code, callback_data.v
    _items, total = await reg.list_services(db, code, statuses=(status,), limit=0)
    page = clamp_page(callback_data.p, total)
    services, total = await reg.list_services(db, code, statuses=(status,), offset=page * PAGE_SIZE, limit=PAGE_SIZE)
    await edit_or_send(callback, f"<b>{status_label(status, locale)}</b>",
                       list_keyboard(services, locale, total=total, page=page, action="ost", value=status,
                                     open_action="oc", back=RegCb(a="ov")))


async def on_card(callback: CallbackQuery, callback_data: RegCb, db: Database, officer: Officer,
                  locale: str) -> None:
    """Open the officer's card of an entry (``v`` "n": from a notification, as a new message)."""
    text, keyboard = await card_view(db, officer, locale, callback_data.i)
    await edit_or_send(callback, text, keyboard, new=callback_data.v == "n")


async def on_unlink(callback: CallbackQuery, callback_data: RegCb, db: Database, officer: Officer, locale: str,
                    callback_answer: CallbackAnswer) -> None:
    """Unlink a priority problem from the entry (``p`` is the problem's id)."""
    await reg.unlink_problem(db, officer_id=officer.telegram_id, service_id=callback_data.i,
                             problem_id=callback_data.p)
    text, keyboard = await card_view(db, officer, locale, callback_data.i)
    await edit_or_send(callback, text, keyboard)
    callback_answer.text = _("Problem #{id} is no longer linked to this service.").format(id=callback_data.p)


async def on_export(callback: CallbackQuery, db: Database, officer: Officer, locale: str) -> None:
    """The registry as a localized CSV document."""
    data = registry_csv(await reg.export_rows(db, officer_id=officer.telegram_id), locale)
    name = export_filename(f"registry-{officer.municipality_code}", "csv", clock.now())
    if callback.bot is not None:
        await callback.bot.send_document(
            callback.from_user.id, BufferedInputFile(data, filename=name),
            caption=_("The registry of services as a table (CSV, UTF-8). It opens in Excel or LibreOffice."),
            reply_markup=with_menu())


async def on_edit_menu(callback: CallbackQuery, callback_data: RegCb, db: Database, officer: Officer,
                       locale: str) -> None:
    """Which field of the entry to change (each starts the edit wizard)."""
    from bot.handlers.registry.officer_flows import EDIT_FIELDS

    service = await reg.service_in(db, callback_data.i, officer.municipality_code)
    options = [(_(label), RegCb(a="ef", i=service.id, v=key)) for key, label in EDIT_FIELDS.items()]
    options.append((_("« Back"), RegCb(a="oc", i=service.id)))
    await edit_or_send(callback, _("<b>{name}</b>\nWhat do you want to change?").format(
        name=esc(service.name(locale))), choice_keyboard(options, 2))


def build_router() -> Router:
    """A new router with the officers' registry screens and wizards (register before the fallback)."""
    from bot.handlers.registry import officer_flows as flows

    router = officer_router("registry_officer")
    router.message.register(cmd_registry, Command("registry"))
    router.callback_query.register(on_overview, RegCb.filter(F.a == "ov"))
    router.callback_query.register(on_list, RegCb.filter((F.a == "ost") & F.v.in_(set(STATUS_LABELS))))
    router.callback_query.register(on_card, RegCb.filter(F.a == "oc"))
    router.callback_query.register(on_unlink, RegCb.filter(F.a == "unl"))
    router.callback_query.register(on_export, RegCb.filter(F.a == "exp"))
    router.callback_query.register(on_edit_menu, RegCb.filter(F.a == "ed"))
    router.callback_query.register(flows.on_move, RegCb.filter(F.a == "mv"))
    router.callback_query.register(flows.on_edit, RegCb.filter((F.a == "ef") & F.v.in_(set(flows.EDIT_FIELDS))))
    router.callback_query.register(flows.on_link, RegCb.filter(F.a == "lnk"))
    router.callback_query.register(flows.on_add, RegCb.filter(F.a == "add"))
    for wizard in flows.WIZARDS:
        wizard.register(router)
    return router
