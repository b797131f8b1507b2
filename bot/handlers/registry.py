"""Residents and the registry of services: browse by area, open a card, follow, propose, support, rate.

Entry points: the "Municipal services" main-menu button and /services. Every button carries an
entry id only; the domain checks that the entry belongs to the resident's own municipality, so a
crafted or stale button gets a localized alert and changes nothing.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.db import Database
from bot.domain import InvalidInput, NotFound
from bot.domain import municipalities as geo
from bot.domain import registry as reg
from bot.domain.clock import clock
from bot.domain.residents import Resident, claim_prompt
from bot.handlers.onboarding import continue_onboarding
from bot.i18n import _, format_date, format_number, ngettext
from bot.ui.messages import edit_or_send, esc
from bot.ui.registry import (
    AREA_LABELS,
    bounded_text,
    GROUP_LABELS,
    PAGE_SIZE,
    RegCb,
    area_label,
    card_keyboard,
    card_text,
    choice_keyboard,
    clamp_page,
    home_keyboard,
    list_keyboard,
    proposal_notification,
    too_long_text,
)

RESIDENT_ACTIONS = frozenset({
    "home", "area", "card", "fol", "unf", "mine", "prop", "pskip", "grp", "par", "psend", "pcancel",
    "sup", "rate", "score", "rskip",
})


class Propose(StatesGroup):
    """Proposing a new service, step by step (the draft lives in the FSM storage, so it survives restarts)."""

    name = State()
    description = State()
    recipients = State()
    group = State()
    area = State()
    confirm = State()


class Rate(StatesGroup):
    """A score was chosen; waiting for an optional comment."""

    comment = State()


def not_in_registry() -> str:
    """Alert for a button pointing to an entry outside the resident's municipality (crafted or stale)."""
    return _("This service is not in the registry of your municipality.")


# -- browsing ---------------------------------------------------------------------------------------


async def home_view(db: Database, resident: Resident, locale: str):
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


async def cmd_services(message: Message, db: Database, resident: Resident, locale: str, state: FSMContext) -> None:
    """/services: the registry of the resident's municipality."""
    if not resident.onboarded:
        await continue_onboarding(message, db, resident, locale, state)
        return
    await state.clear()
    text, keyboard = await home_view(db, resident, locale)
    await message.answer(text, reply_markup=keyboard)


async def _area(callback: CallbackQuery, data: RegCb, db: Database, resident: Resident, locale: str) -> None:
    code = resident.municipality_code or ""
    if data.v == "proposals":
        statuses, area, title = reg.SUPPORTABLE, None, _("💡 Residents' proposals")
    elif data.v in AREA_LABELS:
        statuses, area, title = (), data.v, area_label(data.v, locale)
    else:
        await callback.answer(_("This button is out of date. Send /menu to start again."), show_alert=True)
        return
    _items, total = await reg.list_services(db, code, area=area, statuses=statuses, limit=0)
    page = clamp_page(data.p, total)
    services, total = await reg.list_services(db, code, area=area, statuses=statuses, offset=page * PAGE_SIZE,
                                              limit=PAGE_SIZE)
    if total:
        body = ngettext("{count} service. Choose one to open its card.", "{count} services. Choose one to open its card.",
                        total).format(count=format_number(total, locale))
    else:
        body = _("Nothing here yet. You can propose a new service from the previous screen.")
    await callback.answer()
    await edit_or_send(callback, f"<b>{esc(title)}</b>\n{body}",
                       list_keyboard(services, locale, total=total, page=page, action="area", value=data.v,
                                     back=RegCb(a="home")))


async def show_card(
    callback: CallbackQuery, service_id: int, db: Database, resident: Resident, locale: str, *, toast: str | None = None,
    back: RegCb | None = None, alert: bool = False,
) -> None:
    """Render an entry's card in place of the pressed message (or alert when it is not the resident's).

    ``toast`` answers the button (as an alert with ``alert=True``); the callback is answered exactly once.
    """
    try:
        service = await reg.service_in(db, service_id, resident.municipality_code)
    except NotFound:
        await callback.answer(not_in_registry(), show_alert=True)
        return
    events = await reg.history(db, service.id)
    supports = await reg.support_count(db, service.id)
    following = await reg.is_following(db, resident.telegram_id, service.id)
    can_support = (service.status in reg.SUPPORTABLE and service.proposed_by != resident.telegram_id
                   and not await reg.has_supported(db, resident.telegram_id, service.id))
    can_rate = service.status == "included"
    problems, problems_total = await reg.linked_open_problems(db, service.id)
    back = back or RegCb(a="area", v="proposals" if service.origin == "resident" and service.status in reg.SUPPORTABLE
                         else service.area)
    await callback.answer(toast or None, show_alert=alert and bool(toast))
    await edit_or_send(callback, card_text(service, locale, events=events, supports=supports, problems=problems,
                                           problems_total=problems_total),
                       card_keyboard(service, locale, following=following, can_support=can_support,
                                     can_rate=can_rate, back=back, problems=problems))


async def _follow(callback: CallbackQuery, data: RegCb, db: Database, resident: Resident, locale: str) -> None:
    try:
        await reg.follow(db, resident_id=resident.telegram_id, service_id=data.i)
    except NotFound:
        await callback.answer(not_in_registry(), show_alert=True)
        return
    await show_card(callback, data.i, db, resident, locale,
                    toast=_("You follow this service now: you will be told when its status changes."))


async def _unfollow(callback: CallbackQuery, data: RegCb, db: Database, resident: Resident, locale: str) -> None:
    await reg.unfollow(db, resident_id=resident.telegram_id, service_id=data.i)
    await show_card(callback, data.i, db, resident, locale, toast=_("You no longer follow this service."))


async def _mine(callback: CallbackQuery, data: RegCb, db: Database, resident: Resident, locale: str) -> None:
    code = resident.municipality_code or ""
    _items, total = await reg.followed_services(db, resident.telegram_id, code, limit=0)
    page = clamp_page(data.p, total)
    services, total = await reg.followed_services(db, resident.telegram_id, code, offset=page * PAGE_SIZE,
                                                  limit=PAGE_SIZE)
    text = _("<b>🔔 Services I follow</b>") + "\n" + (
        ngettext("You follow {count} service.", "You follow {count} services.", total).format(
            count=format_number(total, locale))
        if total else _("You do not follow any service yet. Open a service and press «Follow»."))
    await callback.answer()
    await edit_or_send(callback, text, list_keyboard(services, locale, total=total, page=page, action="mine", value="",
                                                     back=RegCb(a="home")))


async def _support(callback: CallbackQuery, data: RegCb, db: Database, resident: Resident, locale: str) -> None:
    try:
        count = await reg.support(db, resident_id=resident.telegram_id, service_id=data.i)
    except NotFound:
        await callback.answer(not_in_registry(), show_alert=True)
        return
    except reg.OwnProposal:
        await callback.answer(_("This is your own proposal: it already counts as yours."), show_alert=True)
        return
    except reg.AlreadyDone:
        await callback.answer(_("You have already supported this proposal."), show_alert=True)
        return
    except reg.NotSupportable:
        await callback.answer(_("Only proposals that are still being considered can be supported."), show_alert=True)
        return
    await show_card(callback, data.i, db, resident, locale, toast=ngettext(
        "Thank you! {count} resident supports it now; you will be told when its status changes.",
        "Thank you! {count} residents support it now; you will be told when its status changes.",
        count).format(count=format_number(count, locale)))


# -- rating -----------------------------------------------------------------------------------------


def _next_rating_date(locale: str) -> str:
    return format_date(reg.next_quarter_start(clock.now()), locale)


async def _rate(callback: CallbackQuery, data: RegCb, db: Database, resident: Resident, locale: str) -> None:
    try:
        service = await reg.service_in(db, data.i, resident.municipality_code)
    except NotFound:
        await callback.answer(not_in_registry(), show_alert=True)
        return
    if service.status != "included":
        await callback.answer(_("Only services included in the registry can be rated."), show_alert=True)
        return
    if await reg.rated_this_quarter(db, resident.telegram_id, service.id):
        await callback.answer(_("You have already rated this service this quarter. You can rate it again from {date}.")
                              .format(date=_next_rating_date(locale)), show_alert=True)
        return
    await callback.answer()
    keyboard = choice_keyboard([(f"{n} ⭐", RegCb(a="score", i=service.id, v=str(n))) for n in range(1, 6)], columns=5)
    if callback.message is not None:
        await callback.message.answer(
            _("How well does «{name}» work for you? 1 — very badly, 5 — very well.").format(
                name=esc(service.name(locale))), reply_markup=keyboard)


async def _score(
    callback: CallbackQuery, data: RegCb, db: Database, resident: Resident, locale: str, state: FSMContext
) -> None:
    if data.v not in {"1", "2", "3", "4", "5"}:
        await callback.answer(_("This button is out of date. Send /menu to start again."), show_alert=True)
        return
    try:
        await reg.service_in(db, data.i, resident.municipality_code)
    except NotFound:
        await callback.answer(not_in_registry(), show_alert=True)
        return
    await state.set_state(Rate.comment)
    await state.update_data(rate_service=data.i, rate_score=int(data.v))
    await callback.answer()
    await edit_or_send(
        callback,
        _("Your score: {score} of 5. Add a comment of up to {limit} characters, or press «Without comment».").format(
            score=data.v, limit=reg.COMMENT_MAX),
        choice_keyboard([(_("Without comment"), RegCb(a="rskip", i=data.i))]),
    )


async def _save_rating(answer, db: Database, resident: Resident, locale: str, state: FSMContext, comment: str) -> None:
    """Store the rating from the state; ``answer`` sends the reply (message.answer or callback message)."""
    data = await state.get_data()
    service_id, score = data.get("rate_service"), data.get("rate_score")
    if service_id is None or score is None:
        await state.clear()
        await answer(_("This button is out of date. Send /menu to start again."))
        return
    try:
        await reg.rate(db, resident_id=resident.telegram_id, service_id=int(service_id), score=int(score),
                       comment=comment)
    except InvalidInput as exc:
        if exc.limit == reg.COMMENT_MAX:
            await answer(too_long_text(exc.limit, exc.actual or 0, locale))
            return
        raise
    except reg.AlreadyDone:
        await state.clear()
        await answer(_("You have already rated this service this quarter. You can rate it again from {date}.")
                     .format(date=_next_rating_date(locale)))
        return
    except (NotFound, reg.NotRateable):
        await state.clear()
        await answer(_("Only services included in the registry can be rated."))
        return
    await state.clear()
    await answer(_("Thank you! Your rating is saved; municipal officers see ratings without names. "
                   "You can rate this service again from {date}.").format(date=_next_rating_date(locale)))


async def on_rating_comment(message: Message, db: Database, resident: Resident, locale: str, state: FSMContext) -> None:
    """The optional comment of a rating."""
    await _save_rating(message.answer, db, resident, locale, state, message.text or "")


async def on_rating_not_text(message: Message) -> None:
    """A sticker, photo… where the rating comment was expected."""
    await message.answer(_("Please write the comment as text, or press «Without comment». /cancel — stop."))


# -- proposing --------------------------------------------------------------------------------------


def _step1() -> str:
    return _(
        "<b>Propose a new service</b> · step 1 of 5\n"
        "What service is needed? Name it in a few words, {minimum} to {limit} characters. "
        "For example: <i>Transport for elderly people to the district hospital</i>.\n"
        "/cancel — stop."
    ).format(minimum=reg.NAME_MIN, limit=reg.NAME_MAX)


async def _propose_start(callback: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await state.set_state(Propose.name)
    await callback.answer()
    if callback.message is not None:
        await callback.message.answer(_step1())


def _skip(step: str) -> object:
    return choice_keyboard([(_("Skip this step"), RegCb(a="pskip", v=step))])


async def on_propose_name(message: Message, state: FSMContext, locale: str) -> None:
    """Step 1: the name of the needed service."""
    name = await bounded_text(message, locale, limit=reg.NAME_MAX, minimum=reg.NAME_MIN)
    if name is None:
        return
    await state.update_data(p_name=name)
    await state.set_state(Propose.description)
    await message.answer(_(
        "Step 2 of 5. Describe what is needed and why, up to {limit} characters."
    ).format(limit=format_number(reg.DESCRIPTION_MAX, locale)), reply_markup=_skip("description"))


async def _ask_recipients(answer, locale: str) -> None:
    await answer(_(
        "Step 3 of 5. For whom? Who would receive the service, up to {limit} characters "
        "(for example: <i>children with special needs</i>)."
    ).format(limit=reg.RECIPIENTS_MAX), reply_markup=_skip("recipients"))


async def _ask_group(answer) -> None:
    options = [(_(label), RegCb(a="grp", v=key)) for key, label in GROUP_LABELS.items()]
    options.append((_("No, not on behalf of a group"), RegCb(a="grp", v="none")))
    await answer(_("Step 4 of 5. Do you propose it on behalf of a group?"), reply_markup=choice_keyboard(options))


async def on_propose_description(message: Message, state: FSMContext, locale: str) -> None:
    """Step 2: what is needed and why."""
    text = await bounded_text(message, locale, limit=reg.DESCRIPTION_MAX, reply_markup=_skip("description"))
    if text is None:
        return
    await state.update_data(p_description=text)
    await state.set_state(Propose.recipients)
    await _ask_recipients(message.answer, locale)


async def on_propose_recipients(message: Message, state: FSMContext, locale: str) -> None:
    """Step 3: for whom."""
    text = await bounded_text(message, locale, limit=reg.RECIPIENTS_MAX, reply_markup=_skip("recipients"))
    if text is None:
        return
    await state.update_data(p_recipients=text)
    await state.set_state(Propose.group)
    await _ask_group(message.answer)


async def on_propose_not_text(message: Message) -> None:
    """A sticker, photo, voice… at a step that asks for text."""
    await message.answer(_("Please write your answer as text: stickers, photos and voice messages "
                           "cannot be added to a proposal. /cancel — stop."))


async def on_propose_waiting_button(message: Message) -> None:
    """Text typed where a button choice is expected."""
    await message.answer(_("Please choose one of the buttons above. /cancel — stop."))


async def _propose_skip(callback: CallbackQuery, data: RegCb, state: FSMContext, locale: str) -> None:
    current = await state.get_state()
    await callback.answer()
    if callback.message is None:
        return
    if data.v == "description" and current == Propose.description.state:
        await state.update_data(p_description="")
        await state.set_state(Propose.recipients)
        await _ask_recipients(callback.message.answer, locale)
    elif data.v == "recipients" and current == Propose.recipients.state:
        await state.update_data(p_recipients="")
        await state.set_state(Propose.group)
        await _ask_group(callback.message.answer)


async def _propose_group(callback: CallbackQuery, data: RegCb, state: FSMContext) -> None:
    if await state.get_state() != Propose.group.state or (data.v != "none" and data.v not in GROUP_LABELS):
        await callback.answer(_("This button is out of date. Send /menu to start again."), show_alert=True)
        return
    await state.update_data(p_group=None if data.v == "none" else data.v)
    await state.set_state(Propose.area)
    await callback.answer()
    # step 4's question is replaced by the answer (the chat keeps a record of the choice); step 5 follows
    if data.v == "none":
        chosen = _("Step 4 of 5. On behalf of a group: no.")
    else:
        chosen = _("Step 4 of 5. On behalf of: {group}").format(group=_(GROUP_LABELS[data.v]))
    await edit_or_send(callback, chosen)
    options = [(_(label), RegCb(a="par", v=key)) for key, label in AREA_LABELS.items()]
    question = _("Step 5 of 5. Which area does the service belong to?")
    if isinstance(callback.message, Message):
        await callback.message.answer(question, reply_markup=choice_keyboard(options, 2))
    elif callback.bot is not None:
        await callback.bot.send_message(callback.from_user.id, question, reply_markup=choice_keyboard(options, 2))


def _draft(data: dict, locale: str) -> reg.Proposal:
    return reg.Proposal(name=data.get("p_name", ""), description=data.get("p_description", ""),
                        recipients=data.get("p_recipients", ""), on_behalf_of=data.get("p_group"),
                        area=data.get("p_area", "other"), locale=locale)


async def _propose_area(callback: CallbackQuery, data: RegCb, state: FSMContext, locale: str) -> None:
    if await state.get_state() != Propose.area.state or data.v not in AREA_LABELS:
        await callback.answer(_("This button is out of date. Send /menu to start again."), show_alert=True)
        return
    await state.update_data(p_area=data.v)
    await state.set_state(Propose.confirm)
    draft = _draft(await state.get_data(), locale)
    lines = [_("<b>Check your proposal</b>"), _("Service: {name}").format(name=esc(draft.name))]
    if draft.description:
        lines.append(_("What is needed: {text}").format(text=esc(draft.description)))
    if draft.recipients:
        lines.append(_("For whom: {text}").format(text=esc(draft.recipients)))
    if draft.on_behalf_of:
        lines.append(_("On behalf of: {group}").format(group=_(GROUP_LABELS[draft.on_behalf_of])))
    lines.append(_("Area: {area}").format(area=area_label(draft.area, locale)))
    lines.append("")
    lines.append(_("Residents of your municipality will see it and can support it; the municipality considers it."))
    await callback.answer()
    await edit_or_send(callback, "\n".join(lines), choice_keyboard([
        (_("✅ Send the proposal"), RegCb(a="psend")), (_("✖️ Cancel"), RegCb(a="pcancel"))]))


async def _propose_send(
    callback: CallbackQuery, db: Database, resident: Resident, locale: str, state: FSMContext
) -> None:
    if await state.get_state() != Propose.confirm.state:
        await callback.answer(_("This button is out of date. Send /menu to start again."), show_alert=True)
        return
    # two racing taps both find the confirm step: claiming the preview message (atomic, a primary
    # key) lets exactly one of them create the proposal
    if callback.message is None or not await claim_prompt(db, callback.message.chat.id, callback.message.message_id):
        await callback.answer(_("This proposal is already sent."), show_alert=True)
        return
    draft = _draft(await state.get_data(), locale)
    try:
        service = await reg.propose(db, resident_id=resident.telegram_id, proposal=draft,
                                    render=proposal_notification)
    except (InvalidInput, NotFound):
        await state.clear()
        await callback.answer(_("This button is out of date. Send /menu to start again."), show_alert=True)
        return
    await state.clear()
    await show_card(callback, service.id, db, resident, locale, back=RegCb(a="area", v="proposals"), alert=True,
                    toast=_("✅ Your proposal is registered. You follow it and will be told when its status changes."))


async def _propose_cancel(callback: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await callback.answer()
    await edit_or_send(callback, _("Cancelled."))


# -- dispatch ---------------------------------------------------------------------------------------


async def on_button(
    callback: CallbackQuery, callback_data: RegCb, db: Database, resident: Resident, locale: str, state: FSMContext
) -> None:
    """Every resident registry button; each action re-checks the resident's municipality on the server."""
    if not resident.onboarded:
        await callback.answer(_("First choose your language and municipality: send /start."), show_alert=True)
        return
    action = callback_data.a
    if action == "home":
        text, keyboard = await home_view(db, resident, locale)
        await callback.answer()
        await edit_or_send(callback, text, keyboard)
    elif action == "area":
        await _area(callback, callback_data, db, resident, locale)
    elif action == "card":
        await show_card(callback, callback_data.i, db, resident, locale)
    elif action == "fol":
        await _follow(callback, callback_data, db, resident, locale)
    elif action == "unf":
        await _unfollow(callback, callback_data, db, resident, locale)
    elif action == "mine":
        await _mine(callback, callback_data, db, resident, locale)
    elif action == "sup":
        await _support(callback, callback_data, db, resident, locale)
    elif action == "rate":
        await _rate(callback, callback_data, db, resident, locale)
    elif action == "score":
        await _score(callback, callback_data, db, resident, locale, state)
    elif action == "rskip":
        await callback.answer()
        if callback.message is not None:
            await _save_rating(callback.message.answer, db, resident, locale, state, "")
    elif action == "prop":
        await _propose_start(callback, state)
    elif action == "pskip":
        await _propose_skip(callback, callback_data, state, locale)
    elif action == "grp":
        await _propose_group(callback, callback_data, state)
    elif action == "par":
        await _propose_area(callback, callback_data, state, locale)
    elif action == "psend":
        await _propose_send(callback, db, resident, locale, state)
    elif action == "pcancel":
        await _propose_cancel(callback, state)


def build_router() -> Router:
    """A new router with the residents' registry handlers (register before the fallback)."""
    router = Router(name="registry")
    router.message.register(cmd_services, Command("services"))
    router.callback_query.register(on_button, RegCb.filter(F.a.in_(RESIDENT_ACTIONS)))
    texts = (F.text, ~F.text.startswith("/"))
    router.message.register(on_propose_name, StateFilter(Propose.name), *texts)
    router.message.register(on_propose_description, StateFilter(Propose.description), *texts)
    router.message.register(on_propose_recipients, StateFilter(Propose.recipients), *texts)
    router.message.register(on_propose_not_text, StateFilter(Propose.name, Propose.description, Propose.recipients),
                            ~F.text)
    router.message.register(on_propose_waiting_button, StateFilter(Propose.group, Propose.area, Propose.confirm),
                            ~F.text.startswith("/"))
    router.message.register(on_rating_comment, StateFilter(Rate.comment), *texts)
    router.message.register(on_rating_not_text, StateFilter(Rate.comment), ~F.text)
    return router
