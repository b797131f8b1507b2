"""The officers' registry wizards, on the kit (``bot.flows``), each started from a button of
:mod:`.officer`:

* **move** — "Move to: …" on a card → a comment for the followers (or "Skip"), or, when rejecting,
  the reason (at least ``REASON_MIN`` characters) → moved, followers told, the count shown;
* **edit** — "✏️ Edit the details" → a field → its new value (``-`` clears it) → saved;
* **link** — "🔗 Link a priority problem" → the problem's number → linked;
* **add** — "➕ Add a service" → name → area → registry → provider kind → free or paid → the tariff
  when paid → added.

Every step's text is bounded by the kit and re-checked by the domain; refusals (a number that is
no problem of the municipality, an unreadable date, the only name cleared) are the domain's typed
errors, explained where the officer is, and the step stays.
"""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup

from bot.db import Database
from bot.domain import registry as reg
from bot.domain.officers import Officer
from bot.flows import Ctx, Prompt, TextStep, Wizard
from bot.i18n import N_, _, format_number, ngettext
from bot.ui.messages import esc
from bot.ui.registry import AREA_LABELS, PROVIDER_LABELS, REGISTRY_LABELS, RegCb, choice_keyboard, status_label

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
"""Fields an officer edits from the card (bounds in :data:`bot.domain.registry.EDITABLE`)."""
DATE_MAX = 20
"""Longest typed resolution date (``DD.MM.YYYY`` is 10 characters)."""


def _open(service_id: int, *, back: bool = False) -> InlineKeyboardMarkup:
    options = [(_("Open the service"), RegCb(a="oc", i=service_id))]
    if back:
        options.append((_("« Back"), RegCb(a="ov")))
    return choice_keyboard(options)


def _deps(deps: dict[str, object], **named: object) -> dict[str, object]:
    return {**deps, **named}


# -- move: a status change with a comment, or a reason when rejecting --------------------------------

move = Wizard("rgmove", cancelled=N_("Cancelled."))
comment = move.text("comment", max_len=reg.COMMENT_MAX)
reason = move.text("reason", max_len=reg.COMMENT_MAX, min_len=reg.REASON_MIN)


async def on_move(callback: CallbackQuery, callback_data: RegCb, db: Database, officer: Officer, locale: str,
                  state: FSMContext, **deps: object) -> None:
    """"Move to: …": ask for the comment (the reason, when rejecting).

    Raises:
        ServiceNotFound: not an entry of the officer's municipality.
        InvalidTransition: the move is not allowed from the entry's status (it changed meanwhile).
    """
    service = await reg.service_in(db, callback_data.i, officer.municipality_code)
    target = callback_data.v
    if target not in reg.TRANSITIONS.get(service.status, ()):
        raise reg.InvalidTransition(service.status, target)
    await move.start(callback, state, _deps(deps, db=db, officer=officer, locale=locale),
                     {"service": service.id, "target": target, "expected": service.status,
                      "name": service.name(locale)}, step=reason if target == "rejected" else comment)


@comment.prompt
async def _ask_comment(ctx: Ctx) -> Prompt:
    return Prompt(_(
        "<b>{name}</b> → {status}\nWrite a comment for the residents who follow it (up to {limit} characters), "
        "or tap “⏭ Skip”. /cancel — do not change."
    ).format(name=esc(ctx.data["name"]), status=status_label(ctx.data["target"], ctx.locale), limit=reg.COMMENT_MAX),
        skip=True)


@reason.prompt
async def _ask_reason(ctx: Ctx) -> Prompt:
    return Prompt(_(
        "<b>{name}</b> → {status}\nWrite the reason for rejecting, {minimum} to {limit} characters. "
        "The residents who follow it will receive it. /cancel — do not change."
    ).format(name=esc(ctx.data["name"]), status=status_label(ctx.data["target"], ctx.locale), minimum=reg.REASON_MIN,
             limit=reg.COMMENT_MAX))


@comment.handle
@reason.handle
async def _do_move(ctx: Ctx, text: str | None) -> None:
    try:
        moved = await reg.move_status(
            ctx.db, officer_id=ctx.officer.telegram_id, service_id=int(ctx.data["service"]),
            to_status=ctx.data["target"], comment=text or "", expected_status=ctx.data.get("expected"))
    except (reg.InvalidTransition, reg.ServiceNotFound):
        await ctx.state.clear()  # the entry moved meanwhile or is gone: the step cannot be answered
        raise
    service = moved.service
    await ctx.finish(
        _("✅ <b>{name}</b>: {status}.").format(name=esc(service.name(ctx.locale)),
                                               status=status_label(service.status, ctx.locale))
        + "\n" + ngettext("{count} follower will be notified.", "{count} followers will be notified.",
                          moved.notified).format(count=format_number(moved.notified, ctx.locale)),
        _open(service.id, back=True))


# -- edit: one field's new value ---------------------------------------------------------------------

edit = Wizard("rgedit", cancelled=N_("Cancelled."))
VALUE_STEPS: dict[str, TextStep] = {
    field: edit.text(f"v{number}", max_len=reg.EDITABLE.get(field, DATE_MAX))
    for number, field in enumerate(EDIT_FIELDS)
}
"""One text step per field, so that the kit bounds each value by its own field's limit."""


async def on_edit(callback: CallbackQuery, callback_data: RegCb, db: Database, officer: Officer, locale: str,
                  state: FSMContext, **deps: object) -> None:
    """A field chosen in the edit menu: ask for its new value.

    Raises:
        ServiceNotFound: not an entry of the officer's municipality.
    """
    service = await reg.service_in(db, callback_data.i, officer.municipality_code)
    field = callback_data.v
    await edit.start(callback, state, _deps(deps, db=db, officer=officer, locale=locale),
                     {"service": service.id, "field": field}, step=VALUE_STEPS[field])


async def _ask_value(ctx: Ctx) -> Prompt:
    field = ctx.data["field"]
    if field == "resolution_date":
        return Prompt(_("Send the date of the council resolution as DD.MM.YYYY, for example 03.03.2025. "
                        "Send «-» to clear it. /cancel — keep it as it is."))
    return Prompt(_("Send the new text of «{field}», up to {limit} characters. Send «-» to clear it. "
                    "/cancel — keep it as it is.").format(field=_(EDIT_FIELDS[field]), limit=reg.EDITABLE[field]))


async def _save_value(ctx: Ctx, text: str | None) -> None:
    field = ctx.data["field"]
    service = await reg.edit_service(ctx.db, officer_id=ctx.officer.telegram_id, service_id=int(ctx.data["service"]),
                                     **{field: reg.parse_edit_value(field, text)})
    await ctx.finish(_("✅ Saved: «{field}».").format(field=_(EDIT_FIELDS[field])), _open(service.id))


for _step in VALUE_STEPS.values():
    _step.prompt(_ask_value)
    _step.handle(_save_value)


# -- link: a priority problem to the service ---------------------------------------------------------

link = Wizard("rglink", cancelled=N_("Cancelled."))
number = link.text("number", max_len=30)


async def on_link(callback: CallbackQuery, callback_data: RegCb, db: Database, officer: Officer,
                  state: FSMContext, **deps: object) -> None:
    """"🔗 Link a priority problem": ask for its number.

    Raises:
        ServiceNotFound: not an entry of the officer's municipality.
    """
    service = await reg.service_in(db, callback_data.i, officer.municipality_code)
    await link.start(callback, state, _deps(deps, db=db, officer=officer), {"service": service.id})


@number.prompt
async def _ask_number(ctx: Ctx) -> Prompt:
    return Prompt(_("Which priority problem concerns this service? Send its number, for example 12. /cancel — stop."))


@number.handle
async def _do_link(ctx: Ctx, text: str | None) -> None:
    problem_id = reg.parse_problem_number(text)
    service_id = int(ctx.data["service"])
    await reg.link_problem(ctx.db, officer_id=ctx.officer.telegram_id, service_id=service_id, problem_id=problem_id)
    await ctx.finish(_("✅ Problem #{id} is linked to this service; its card shows it.").format(id=problem_id),
                     _open(service_id))


# -- add: a new entry --------------------------------------------------------------------------------

add = Wizard("rgadd", cancelled=N_("Cancelled."))
add_name = add.text("name", max_len=reg.NAME_MAX, min_len=reg.NAME_MIN)
add_area = add.choice("area")
add_registry = add.choice("registry")
add_provider = add.choice("provider")
add_cost = add.choice("cost")
add_tariff = add.text("tariff", max_len=reg.TARIFF_MAX)


async def on_add(callback: CallbackQuery, state: FSMContext, **deps: object) -> None:
    """"➕ Add a service": ask for its name."""
    await add.start(callback, state, dict(deps), {})


@add_name.prompt
async def _ask_add_name(ctx: Ctx) -> Prompt:
    return Prompt(_(
        "<b>New service</b> · step 1 of 5\nSend the name of the service, {minimum} to {limit} characters. "
        "/cancel — stop."
    ).format(minimum=reg.NAME_MIN, limit=reg.NAME_MAX))


@add_name.handle
async def _got_add_name(ctx: Ctx, text: str | None) -> None:
    ctx.data["name"] = reg.check_text(text, limit=reg.NAME_MAX, minimum=reg.NAME_MIN)
    await ctx.goto(add_area)


@add_area.prompt
async def _ask_add_area(ctx: Ctx) -> Prompt:
    buttons = [add_area.button(_(label), key) for key, label in AREA_LABELS.items()]
    return Prompt(_("Step 2 of 5. Area of the service:"), rows=[buttons[i:i + 2] for i in range(0, len(buttons), 2)])


@add_area.handle
async def _got_add_area(ctx: Ctx, value: str | None) -> None:
    if value in AREA_LABELS:
        ctx.data["area"] = value
        await ctx.goto(add_registry)


@add_registry.prompt
async def _ask_add_registry(ctx: Ctx) -> Prompt:
    return Prompt(_("Step 3 of 5. Which registry?"),
                  rows=[[add_registry.button(_(label), key)] for key, label in REGISTRY_LABELS.items()])


@add_registry.handle
async def _got_add_registry(ctx: Ctx, value: str | None) -> None:
    if value in REGISTRY_LABELS:
        ctx.data["registry"] = value
        await ctx.goto(add_provider)


@add_provider.prompt
async def _ask_add_provider(ctx: Ctx) -> Prompt:
    return Prompt(_("Step 4 of 5. Who provides it?"),
                  rows=[[add_provider.button(_(label), key)] for key, label in PROVIDER_LABELS.items()])


@add_provider.handle
async def _got_add_provider(ctx: Ctx, value: str | None) -> None:
    if value in PROVIDER_LABELS:
        ctx.data["provider"] = value
        await ctx.goto(add_cost)


@add_cost.prompt
async def _ask_add_cost(ctx: Ctx) -> Prompt:
    return Prompt(_("Step 5 of 5. Is the service free or paid?"),
                  rows=[[add_cost.button(_("Free of charge"), "free"), add_cost.button(_("Paid"), "paid")]])


@add_cost.handle
async def _got_add_cost(ctx: Ctx, value: str | None) -> None:
    if value == "paid":
        await ctx.goto(add_tariff)
    elif value == "free":
        await _create(ctx, paid=False, tariff="")


@add_tariff.prompt
async def _ask_add_tariff(ctx: Ctx) -> Prompt:
    return Prompt(_("Send the tariff, up to {limit} characters (for example: <i>50 som per "
                    "month per household</i>).").format(limit=reg.TARIFF_MAX))


@add_tariff.handle
async def _got_add_tariff(ctx: Ctx, text: str | None) -> None:
    await _create(ctx, paid=True, tariff=text or "")


async def _create(ctx: Ctx, *, paid: bool, tariff: str) -> None:
    data = ctx.data
    service = await reg.add_service(
        ctx.db, officer_id=ctx.officer.telegram_id, name=data["name"], locale=ctx.locale, area=data["area"],
        registry=data["registry"], provider_kind=data["provider"], paid=paid, tariff=tariff)
    await ctx.finish(_("✅ Added to the registry: <b>{name}</b>").format(name=esc(service.name(ctx.locale))),
                     _open(service.id))


WIZARDS = (move, edit, link, add)
"""The officers' wizards of the registry (registered on the officer router)."""
