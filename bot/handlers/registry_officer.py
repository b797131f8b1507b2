"""Officers and the registry: /registry overview with counts, entries by status, moving an entry
through statuses with a comment (a reason for rejecting), adding an entry, CSV export.

The officer's municipality comes from the server (``require_officer``) for every button; the
domain checks the entry's municipality again inside the transaction of each change.
"""

from __future__ import annotations

from datetime import datetime

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.db import Database
from bot.domain import InvalidInput, NotFound, PermissionDenied
from bot.domain import municipalities as geo
from bot.domain import officers as roles
from bot.domain import registry as reg
from bot.domain.clock import clock
from bot.domain.residents import Resident
from bot.handlers.officers import refusal_officer
from bot.i18n import N_, _, format_number, ngettext
from bot.ui.callbacks import parse_id
from bot.ui.messages import edit_or_send, esc
from bot.ui.registry import (
    AREA_LABELS,
    bounded_text,
    PAGE_SIZE,
    PROVIDER_LABELS,
    REGISTRY_LABELS,
    STATUS_LABELS,
    RegCb,
    card_text,
    choice_keyboard,
    clamp_page,
    cut,
    list_keyboard,
    registry_csv,
    status_label,
    status_notification,
    too_long_text,
    too_short_text,
    visible_length,
)

OFFICER_ACTIONS = frozenset({"ov", "ost", "oc", "mv", "mskip", "exp", "add", "aar", "arg", "apk", "apd", "lnk", "unl", "ed", "ef"})

EDIT_FIELDS = {
    "name_ky": N_("Name in Kyrgyz"),
    "name_ru": N_("Name in Russian"),
    "description_ky": N_("Description in Kyrgyz"),
    "description_ru": N_("Description in Russian"),
    "provider_name": N_("Name of the provider"),
    "recipients": N_("Recipients of the service"),
    "tariff": N_("Tariff"),
    "standard": N_("Service standard"),
    "resolution_number": N_("Number of the council resolution"),
    "resolution_date": N_("Date of the council resolution"),
}
"""Fields an officer edits from the card (bounds in bot.domain.registry.EDITABLE)."""


class Move(StatesGroup):
    """An officer chose a new status; waiting for the comment (the reason, when rejecting)."""

    comment = State()


class Edit(StatesGroup):
    """Editing one field of an entry: waiting for the new value."""

    value = State()


class Link(StatesGroup):
    """Linking a priority problem to a service: waiting for the problem's number."""

    number = State()


class Add(StatesGroup):
    """Adding an entry: name (text), area, registry, provider kind, cost (buttons), tariff (text if paid)."""

    name = State()
    choices = State()
    tariff = State()


def not_yours() -> str:
    """Alert for an entry of another municipality (crafted or stale button)."""
    return _("This service is not in the registry of your municipality.")


async def _officer(db: Database, resident: Resident) -> roles.Officer | None:
    try:
        return await roles.require_officer(db, resident.telegram_id)
    except PermissionDenied:
        return None


async def overview_view(db: Database, officer: roles.Officer, locale: str):
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


async def cmd_registry(message: Message, db: Database, resident: Resident, locale: str, state: FSMContext) -> None:
    """/registry: the officer's registry overview."""
    officer = await _officer(db, resident)
    if officer is None:
        await message.answer(refusal_officer())
        return
    await state.clear()
    text, keyboard = await overview_view(db, officer, locale)
    await message.answer(text, reply_markup=keyboard)


async def officer_card(callback: CallbackQuery, service_id: int, db: Database, officer: roles.Officer, locale: str,
                       *, toast: str | None = None) -> None:
    """The card with ratings (average and comments, never who) and the allowed moves."""
    try:
        service = await reg.service_in(db, service_id, officer.municipality_code)
    except NotFound:
        await callback.answer(not_yours(), show_alert=True)
        return
    events = await reg.history(db, service.id)
    problems, problems_total = await reg.linked_open_problems(db, service.id)
    ratings = await reg.rating_summary(db, officer_id=officer.telegram_id, service_id=service.id, comments=5)
    rating_text = ""
    if ratings.count:
        rating_text = "\n\n" + ngettext(
            "<b>Rating</b>: {average} of 5 from {count} rating.", "<b>Rating</b>: {average} of 5 from {count} ratings.",
            ratings.count).format(average=format_number(round(ratings.average or 0, 1), locale),
                                  count=format_number(ratings.count, locale))
        for comment, quarter in ratings.comments:
            rating_text += f"\n• {esc(cut(comment, 200))} ({esc(quarter)})"
    # the whole message is bounded: the card leaves room for the ratings appended to it
    text = card_text(service, locale, events=events, supports=await reg.support_count(db, service.id),
                     followers=await reg.follower_count(db, service.id), problems=problems,
                     problems_total=problems_total, reserve=visible_length(rating_text)) + rating_text
    options = [(_("Move to: {status}").format(status=status_label(target, locale)),
                RegCb(a="mv", i=service.id, v=target)) for target in reg.TRANSITIONS[service.status]]
    options.append((_("✏️ Edit the details"), RegCb(a="ed", i=service.id)))
    options.append((_("🔗 Link a priority problem"), RegCb(a="lnk", i=service.id)))
    options.extend((_("✖ Unlink problem #{id}").format(id=problem.id), RegCb(a="unl", i=service.id, p=problem.id))
                   for problem in problems)
    options.append((_("« Back"), RegCb(a="ost", v=service.status)))
    await callback.answer(toast or None)
    await edit_or_send(callback, text, choice_keyboard(options))


async def _list(callback: CallbackQuery, data: RegCb, db: Database, officer: roles.Officer, locale: str) -> None:
    if data.v not in STATUS_LABELS:
        await callback.answer(_("This button is out of date. Send /menu to start again."), show_alert=True)
        return
    code = officer.municipality_code
    _items, total = await reg.list_services(db, code, statuses=(data.v,), limit=0)
    page = clamp_page(data.p, total)
    services, total = await reg.list_services(db, code, statuses=(data.v,), offset=page * PAGE_SIZE, limit=PAGE_SIZE)
    await callback.answer()
    await edit_or_send(callback, f"<b>{status_label(data.v, locale)}</b>",
                       list_keyboard(services, locale, total=total, page=page, action="ost", value=data.v,
                                     open_action="oc", back=RegCb(a="ov")))


async def _ask_move(callback: CallbackQuery, data: RegCb, db: Database, officer: roles.Officer, locale: str,
                    state: FSMContext) -> None:
    try:
        service = await reg.service_in(db, data.i, officer.municipality_code)
    except NotFound:
        await callback.answer(not_yours(), show_alert=True)
        return
    if data.v not in reg.TRANSITIONS.get(service.status, ()):
        await callback.answer(_("The status of this service has changed meanwhile. Open it again."), show_alert=True)
        return
    await state.set_state(Move.comment)
    await state.update_data(mv_service=service.id, mv_target=data.v, mv_expected=service.status)
    await callback.answer()
    if callback.message is None:
        return
    if data.v == "rejected":
        await callback.message.answer(_(
            "<b>{name}</b> → {status}\nWrite the reason for rejecting, {minimum} to {limit} characters. "
            "The residents who follow it will receive it. /cancel — do not change."
        ).format(name=esc(service.name(locale)), status=status_label(data.v, locale), minimum=reg.REASON_MIN,
                 limit=reg.COMMENT_MAX))
    else:
        await callback.message.answer(_(
            "<b>{name}</b> → {status}\nWrite a comment for the residents who follow it (up to {limit} characters), "
            "or press «Without comment». /cancel — do not change."
        ).format(name=esc(service.name(locale)), status=status_label(data.v, locale), limit=reg.COMMENT_MAX),
            reply_markup=choice_keyboard([(_("Without comment"), RegCb(a="mskip", i=service.id))]))


async def _do_move(answer, db: Database, officer_id: int, locale: str, state: FSMContext, comment: str) -> None:
    data = await state.get_data()
    if data.get("mv_service") is None:
        await state.clear()
        await answer(_("This button is out of date. Send /menu to start again."))
        return
    try:
        service, broadcast_id = await reg.move_status(
            db, officer_id=officer_id, service_id=int(data["mv_service"]), to_status=data["mv_target"],
            comment=comment, expected_status=data.get("mv_expected"), render=status_notification)
    except reg.ReasonRequired:
        await answer(too_short_text(reg.REASON_MIN, len(comment.strip()), locale))
        return
    except InvalidInput as exc:
        await answer(too_long_text(reg.COMMENT_MAX, exc.actual or 0, locale))
        return
    except (PermissionDenied, NotFound):
        await state.clear()
        await answer(not_yours())
        return
    except reg.InvalidTransition:
        await state.clear()
        await answer(_("The status of this service has changed meanwhile. Open it again."))
        return
    await state.clear()
    notified = 0
    if broadcast_id is not None:
        notified = int(await db.fetchval("SELECT total FROM broadcasts WHERE id = ?", (broadcast_id,)) or 0)
    await answer(
        _("✅ <b>{name}</b>: {status}.").format(name=esc(service.name(locale)), status=status_label(service.status, locale))
        + "\n" + ngettext("{count} follower will be notified.", "{count} followers will be notified.", notified).format(
            count=format_number(notified, locale)),
        reply_markup=choice_keyboard([(_("Open the service"), RegCb(a="oc", i=service.id)),
                                      (_("« Back"), RegCb(a="ov"))]))


async def on_move_comment(message: Message, db: Database, resident: Resident, locale: str, state: FSMContext) -> None:
    """The comment (or the reason) for a status move."""
    await _do_move(message.answer, db, resident.telegram_id, locale, state, message.text or "")


async def on_officer_not_text(message: Message) -> None:
    """A sticker, photo… where an officer's text was expected."""
    await message.answer(_("Please send text, or /cancel."))


# -- editing ----------------------------------------------------------------------------------------


async def _edit_menu(callback: CallbackQuery, data: RegCb, db: Database, officer: roles.Officer, locale: str) -> None:
    try:
        service = await reg.service_in(db, data.i, officer.municipality_code)
    except NotFound:
        await callback.answer(not_yours(), show_alert=True)
        return
    await callback.answer()
    options = [(_(label), RegCb(a="ef", i=service.id, v=key)) for key, label in EDIT_FIELDS.items()]
    options.append((_("« Back"), RegCb(a="oc", i=service.id)))
    await edit_or_send(callback, _("<b>{name}</b>\nWhat do you want to change?").format(
        name=esc(service.name(locale))), choice_keyboard(options, 2))


async def _ask_edit(callback: CallbackQuery, data: RegCb, db: Database, officer: roles.Officer,
                    state: FSMContext) -> None:
    try:
        service = await reg.service_in(db, data.i, officer.municipality_code)
    except NotFound:
        await callback.answer(not_yours(), show_alert=True)
        return
    if data.v not in EDIT_FIELDS:
        await callback.answer(_("This button is out of date. Send /menu to start again."), show_alert=True)
        return
    await state.set_state(Edit.value)
    await state.update_data(ed_service=service.id, ed_field=data.v)
    await callback.answer()
    if callback.message is None:
        return
    if data.v == "resolution_date":
        text = _("Send the date of the council resolution as DD.MM.YYYY, for example 03.03.2025. "
                 "Send «-» to clear it. /cancel — keep it as it is.")
    else:
        text = _("Send the new text of «{field}», up to {limit} characters. Send «-» to clear it. "
                 "/cancel — keep it as it is.").format(field=_(EDIT_FIELDS[data.v]), limit=reg.EDITABLE[data.v])
    await callback.message.answer(text)


async def on_edit_value(message: Message, db: Database, resident: Resident, locale: str, state: FSMContext) -> None:
    """The new value of the field being edited; checked and stored by the domain."""
    data = await state.get_data()
    service_id, field = data.get("ed_service"), data.get("ed_field")
    if service_id is None or field not in EDIT_FIELDS:
        await state.clear()
        await message.answer(_("This button is out of date. Send /menu to start again."))
        return
    raw = (message.text or "").strip()
    value: object = "" if raw == "-" else raw
    if field == "resolution_date":
        try:
            value = None if raw == "-" else datetime.strptime(raw, "%d.%m.%Y").date()
        except ValueError:
            await message.answer(_("I could not read the date. Send it as DD.MM.YYYY, for example 03.03.2025."))
            return
    try:
        service = await reg.edit_service(db, officer_id=resident.telegram_id, service_id=int(service_id),
                                         **{field: value})
    except reg.NameRequired:
        await message.answer(_("A service needs a name in at least one language, and this is its only name: "
                               "send a new name instead of «-», or /cancel."))
        return
    except InvalidInput as exc:
        if exc.limit == reg.NAME_MIN and field in ("name_ky", "name_ru"):
            await message.answer(too_short_text(reg.NAME_MIN, exc.actual or 0, locale))
        else:
            await message.answer(too_long_text(reg.EDITABLE.get(field, 0), exc.actual or 0, locale))
        return
    except (NotFound, PermissionDenied):
        await state.clear()
        await message.answer(not_yours())
        return
    await state.clear()
    await message.answer(_("✅ Saved: «{field}».").format(field=_(EDIT_FIELDS[field])),
                         reply_markup=choice_keyboard([(_("Open the service"), RegCb(a="oc", i=service.id))]))


# -- priority problems linked to a service ---------------------------------------------------------


async def _ask_link(callback: CallbackQuery, data: RegCb, db: Database, officer: roles.Officer,
                    state: FSMContext) -> None:
    try:
        service = await reg.service_in(db, data.i, officer.municipality_code)
    except NotFound:
        await callback.answer(not_yours(), show_alert=True)
        return
    await state.set_state(Link.number)
    await state.update_data(link_service=service.id)
    await callback.answer()
    if callback.message is not None:
        await callback.message.answer(_(
            "Which priority problem concerns this service? Send its number, for example 12. /cancel — stop."))


async def on_link_number(message: Message, db: Database, resident: Resident, state: FSMContext) -> None:
    """The number of the problem to link (``12`` or ``#12``)."""
    problem_id = parse_id((message.text or "").strip().lstrip("#№ ").strip())
    service_id = (await state.get_data()).get("link_service")
    if problem_id is None or service_id is None:
        await message.answer(_("Send the number of the priority problem, for example 12. /cancel — stop."))
        return
    try:
        await reg.link_problem(db, officer_id=resident.telegram_id, service_id=int(service_id), problem_id=problem_id)
    except NotFound:
        await message.answer(_("There is no problem #{id} in your municipality. Send another number, or /cancel.")
                             .format(id=problem_id))
        return
    except PermissionDenied:
        await state.clear()
        await message.answer(not_yours())
        return
    await state.clear()
    await message.answer(_("✅ Problem #{id} is linked to this service; its card shows it.").format(id=problem_id),
                         reply_markup=choice_keyboard([(_("Open the service"), RegCb(a="oc", i=int(service_id)))]))


async def _unlink(callback: CallbackQuery, data: RegCb, db: Database, officer: roles.Officer, locale: str) -> None:
    try:
        await reg.unlink_problem(db, officer_id=officer.telegram_id, service_id=data.i, problem_id=data.p)
    except (NotFound, PermissionDenied):
        await callback.answer(not_yours(), show_alert=True)
        return
    await officer_card(callback, data.i, db, officer, locale,
                       toast=_("Problem #{id} is no longer linked to this service.").format(id=data.p))


# -- export -----------------------------------------------------------------------------------------


async def _export(callback: CallbackQuery, db: Database, officer: roles.Officer, locale: str) -> None:
    data = registry_csv(await reg.export_rows(db, officer_id=officer.telegram_id), locale)
    name = f"registry-{officer.municipality_code}-{clock.now():%Y%m%d}.csv"
    await callback.answer()
    if callback.message is not None:
        await callback.message.answer_document(
            BufferedInputFile(data, filename=name),
            caption=_("The registry of services as a table (CSV, UTF-8). It opens in Excel or LibreOffice."))


# -- adding -----------------------------------------------------------------------------------------


async def _add_start(callback: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await state.set_state(Add.name)
    await callback.answer()
    if callback.message is not None:
        await callback.message.answer(_(
            "<b>New service</b> · step 1 of 5\nSend the name of the service, {minimum} to {limit} characters. "
            "/cancel — stop."
        ).format(minimum=reg.NAME_MIN, limit=reg.NAME_MAX))


async def on_add_name(message: Message, state: FSMContext, locale: str) -> None:
    """Step 1 of adding: the name, in the officer's language."""
    name = await bounded_text(message, locale, limit=reg.NAME_MAX, minimum=reg.NAME_MIN)
    if name is None:
        return
    await state.update_data(add_name=name)
    await state.set_state(Add.choices)
    options = [(_(label), RegCb(a="aar", v=key)) for key, label in AREA_LABELS.items()]
    await message.answer(_("Step 2 of 5. Area of the service:"), reply_markup=choice_keyboard(options, 2))


async def _create(answer, db: Database, officer: roles.Officer, locale: str, state: FSMContext, tariff: str) -> None:
    data = await state.get_data()
    try:
        service = await reg.add_service(
            db, officer_id=officer.telegram_id, name=data.get("add_name", ""), locale=locale,
            area=data.get("add_area", ""), registry=data.get("add_registry", ""),
            provider_kind=data.get("add_provider", ""), paid=bool(data.get("add_paid")), tariff=tariff)
    except InvalidInput as exc:
        if exc.limit == reg.TARIFF_MAX:
            await answer(too_long_text(reg.TARIFF_MAX, exc.actual or 0, locale))
            return
        await state.clear()
        await answer(_("This button is out of date. Send /menu to start again."))
        return
    await state.clear()
    await answer(_("✅ Added to the registry: <b>{name}</b>").format(name=esc(service.name(locale))),
                 reply_markup=choice_keyboard([(_("Open the service"), RegCb(a="oc", i=service.id))]))


async def _add_choice(callback: CallbackQuery, data: RegCb, db: Database, officer: roles.Officer, locale: str,
                      state: FSMContext) -> None:
    if await state.get_state() != Add.choices.state:
        await callback.answer(_("This button is out of date. Send /menu to start again."), show_alert=True)
        return
    await callback.answer()
    if data.a == "aar" and data.v in AREA_LABELS:
        await state.update_data(add_area=data.v)
        options = [(_(label), RegCb(a="arg", v=key)) for key, label in REGISTRY_LABELS.items()]
        await edit_or_send(callback, _("Step 3 of 5. Which registry?"), choice_keyboard(options))
    elif data.a == "arg" and data.v in REGISTRY_LABELS:
        await state.update_data(add_registry=data.v)
        options = [(_(label), RegCb(a="apk", v=key)) for key, label in PROVIDER_LABELS.items()]
        await edit_or_send(callback, _("Step 4 of 5. Who provides it?"), choice_keyboard(options))
    elif data.a == "apk" and data.v in PROVIDER_LABELS:
        await state.update_data(add_provider=data.v)
        await edit_or_send(callback, _("Step 5 of 5. Is the service free or paid?"), choice_keyboard(
            [(_("Free of charge"), RegCb(a="apd", v="free")), (_("Paid"), RegCb(a="apd", v="paid"))], 2))
    elif data.a == "apd" and data.v in ("free", "paid"):
        await state.update_data(add_paid=data.v == "paid")
        if data.v == "paid":
            await state.set_state(Add.tariff)
            await edit_or_send(callback, _("Send the tariff, up to {limit} characters (for example: <i>50 som per "
                                           "month per household</i>).").format(limit=reg.TARIFF_MAX))
        elif callback.message is not None:
            await _create(callback.message.answer, db, officer, locale, state, "")


async def on_add_tariff(message: Message, db: Database, resident: Resident, locale: str, state: FSMContext) -> None:
    """The tariff of a paid service being added."""
    officer = await _officer(db, resident)
    if officer is None:
        await state.clear()
        await message.answer(refusal_officer())
        return
    await _create(message.answer, db, officer, locale, state, message.text or "")


# -- dispatch ---------------------------------------------------------------------------------------


async def on_button(
    callback: CallbackQuery, callback_data: RegCb, db: Database, resident: Resident, locale: str, state: FSMContext
) -> None:
    """Every officer registry button, checked against the officer's own municipality."""
    officer = await _officer(db, resident)
    if officer is None:
        await callback.answer(refusal_officer(), show_alert=True)
        return
    action = callback_data.a
    if action == "ov":
        text, keyboard = await overview_view(db, officer, locale)
        await callback.answer()
        await edit_or_send(callback, text, keyboard)
    elif action == "ost":
        await _list(callback, callback_data, db, officer, locale)
    elif action == "oc":
        await officer_card(callback, callback_data.i, db, officer, locale)
    elif action == "mv":
        await _ask_move(callback, callback_data, db, officer, locale, state)
    elif action == "mskip":
        await callback.answer()
        if callback.message is not None and await state.get_state() == Move.comment.state:
            await _do_move(callback.message.answer, db, officer.telegram_id, locale, state, "")
    elif action == "exp":
        await _export(callback, db, officer, locale)
    elif action == "add":
        await _add_start(callback, state)
    elif action == "ed":
        await _edit_menu(callback, callback_data, db, officer, locale)
    elif action == "ef":
        await _ask_edit(callback, callback_data, db, officer, state)
    elif action == "lnk":
        await _ask_link(callback, callback_data, db, officer, state)
    elif action == "unl":
        await _unlink(callback, callback_data, db, officer, locale)
    else:
        await _add_choice(callback, callback_data, db, officer, locale, state)


def build_router() -> Router:
    """A new router with the officers' registry handlers (register before the fallback)."""
    router = Router(name="registry_officer")
    router.message.register(cmd_registry, Command("registry"))
    router.callback_query.register(on_button, RegCb.filter(F.a.in_(OFFICER_ACTIONS)))
    texts = (F.text, ~F.text.startswith("/"))
    router.message.register(on_move_comment, StateFilter(Move.comment), *texts)
    router.message.register(on_add_name, StateFilter(Add.name), *texts)
    router.message.register(on_add_tariff, StateFilter(Add.tariff), *texts)
    router.message.register(on_link_number, StateFilter(Link.number), *texts)
    router.message.register(on_edit_value, StateFilter(Edit.value), *texts)
    router.message.register(on_officer_not_text, StateFilter(Move.comment, Add.name, Add.tariff, Link.number,
                                                             Edit.value), ~F.text)
    return router
