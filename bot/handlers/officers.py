"""Officer commands (/officer, /kyname), the invite redemption (/join) and superadmin commands
(/invite, /grant, /revoke, /officers, /find).

Every command checks the role on the server through the domain (``require_officer``, the
superadmin list from settings); anyone else gets a polite refusal in their language.
"""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message

from bot.config import Settings
from bot.db import Database
from bot.domain import InvalidInput, NotFound, PermissionDenied
from bot.domain import municipalities as geo
from bot.domain import officers as roles
from bot.domain.clock import from_db
from bot.domain.residents import Resident, count_residents, get_resident, mark_inactive
from bot.domain.text import clean_user_text
from bot.handlers.texts import officer_tools_text
from bot.i18n import _, choose_locale, format_datetime, format_number, ngettext
from bot.ui.messages import answer_lines, esc, place_label

log = logging.getLogger(__name__)


class KyrgyzName(StatesGroup):
    """/kyname: waiting for the new Kyrgyz name of the officer's municipality."""

    waiting = State()


def refusal_officer() -> str:
    """Answer to a non-officer who tries an officer command."""
    return _(
        "This command is for municipal officers only. If you work at your ayil okmotu or town hall, "
        "ask the programme administrator for an officer invite code."
    )


def refusal_superadmin() -> str:
    """Answer to anyone but a superadmin who tries an administrator command."""
    return _("This command is for the programme administrators only.")


async def _officer_or_refuse(message: Message, db: Database, resident: Resident) -> roles.Officer | None:
    try:
        return await roles.require_officer(db, resident.telegram_id)
    except PermissionDenied:
        log.info("refused officer command %r to %s", (message.text or "")[:32], resident.telegram_id)
        await message.answer(refusal_officer())
        return None


# -- officers -----------------------------------------------------------------------------------


async def cmd_officer(message: Message, db: Database, resident: Resident, locale: str) -> None:
    """/officer: the officer's municipality and tools."""
    officer = await _officer_or_refuse(message, db, resident)
    if officer is None:
        return
    location = await geo.locate(db, officer.municipality_code)
    residents = await count_residents(db, officer.municipality_code)
    header = _("<b>Officer</b> · {place}").format(place=place_label(location, locale))
    count = ngettext(
        "{count} resident of your municipality uses the bot.",
        "{count} residents of your municipality use the bot.",
        residents,
    ).format(count=format_number(residents, locale))
    tools = _("/kyname — set the Kyrgyz name of your municipality")
    await message.answer(f"{header}\n{count}\n\n{officer_tools_text()}\n{tools}")


async def cmd_kyname(message: Message, db: Database, resident: Resident, state: FSMContext) -> None:
    """/kyname: ask for the municipality's Kyrgyz name (shown to Kyrgyz-speaking residents)."""
    officer = await _officer_or_refuse(message, db, resident)
    if officer is None:
        return
    place = await geo.get_municipality(db, officer.municipality_code)
    current = place.name_ky if place and place.name_ky else _("not set")
    await state.set_state(KyrgyzName.waiting)
    await state.update_data(municipality_code=officer.municipality_code)
    await message.answer(
        _(
            "Official Russian name: <b>{name_ru}</b>\n"
            "Kyrgyz name now: <b>{name_ky}</b>\n\n"
            "Send the Kyrgyz name as it is written in your council's documents, "
            "for example <i>Ак-Суу айыл аймагы</i>. /cancel — leave it as it is."
        ).format(name_ru=esc(place.name_ru if place else ""), name_ky=esc(current))
    )


async def on_kyname(message: Message, db: Database, resident: Resident, state: FSMContext) -> None:
    """The new Kyrgyz name; checked against the officer's municipality on the server."""
    data = await state.get_data()
    code = data.get("municipality_code", "")
    try:
        place = await geo.set_name_ky(db, officer_id=resident.telegram_id, municipality_code=code, name_ky=message.text)
    except PermissionDenied:
        await state.clear()
        await message.answer(refusal_officer())
        return
    except InvalidInput as exc:
        if "\n" in (message.text or "").strip():
            await message.answer(_("The name must be one line. Send it again without line breaks."))
            return
        await message.answer(
            ngettext(
                "The name must be one line of 1 to {limit} characters; yours has {length} character. Send it again.",
                "The name must be one line of 1 to {limit} characters; yours has {length} characters. Send it again.",
                exc.actual or 0,
            ).format(limit=geo.NAME_MAX_LENGTH, length=format_number(exc.actual or 0))
        )
        return
    except NotFound:
        await state.clear()
        await message.answer(_("This municipality is no longer in the list."))
        return
    await state.clear()
    await message.answer(_("Saved. Kyrgyz-speaking residents now see: <b>{name}</b>").format(name=esc(place.name_ky)))


async def on_kyname_not_text(message: Message) -> None:
    """A sticker, photo… where the name was expected."""
    await message.answer(_("Please send the name as text, or /cancel."))


# -- invite redemption (any resident) -------------------------------------------------------------


async def redeem_and_reply(message: Message, db: Database, code: str, locale: str) -> bool:
    """Redeem an officer invite for the sender and answer in their language. Returns ``True`` on success."""
    user = message.from_user
    if user is None:
        return False
    try:
        officer = await roles.redeem_invite(db, telegram_id=user.id, code=code)
    except InvalidInput:
        await message.answer(_("That does not look like an invite code. A code has 8 letters and digits, like K7QM-4XPD."))
        return False
    except roles.InviteInvalid as exc:
        texts = {
            "used": _("This invite code has already been used. Ask the administrator for a new one."),
            "expired": _("This invite code has expired. Ask the administrator for a new one."),
        }
        await message.answer(texts.get(exc.reason, _("This invite code is not valid. Check it and try again.")))
        return False
    location = await geo.locate(db, officer.municipality_code)
    await message.answer(
        _("✅ You are now an officer of <b>{municipality}</b>. Send /officer to see your tools.").format(
            municipality=esc(location.municipality.name(locale)))
    )
    return True


async def cmd_join(message: Message, command: CommandObject, db: Database, locale: str) -> None:
    """/join CODE: become an officer with a one-time invite code."""
    if not command.args:
        await message.answer(_("Send the command with your invite code, for example: /join K7QM-4XPD"))
        return
    await redeem_and_reply(message, db, command.args, locale)


async def cmd_id(message: Message, resident: Resident) -> None:
    """/id: the sender's Telegram id (administrators need it for SUPERADMIN_IDS and /grant)."""
    await message.answer(_("Your Telegram id: <code>{id}</code>").format(id=resident.telegram_id))


# -- superadmins ----------------------------------------------------------------------------------


async def _resolve_municipality(message: Message, db: Database, arg: str, locale: str) -> geo.Place | None:
    """A SOATE code, or a name that matches exactly one municipality; otherwise explain and return ``None``."""
    arg = clean_user_text(arg)
    if arg.isascii() and arg.isdigit():
        place = await geo.get_municipality(db, arg, active_only=True) if len(arg) == 14 else None
        if place is None:
            await message.answer(_("No municipality has the SOATE code {code}.").format(code=esc(arg[:20])))
        return place
    try:
        places, total = await geo.search_municipalities(db, arg, limit=10)
    except InvalidInput:
        await message.answer(_("Give a 14-digit SOATE code or a part of the name (2 to 60 characters)."))
        return None
    if total == 1:
        return places[0]
    if not places:
        await message.answer(_("Nothing found for «{query}».").format(query=esc(arg)))
        return None
    await message.answer(await _codes_text(db, places, total, locale))
    return None


async def _superadmin_place(
    message: Message, command: CommandObject, db: Database, locale: str, is_superadmin: bool, usage: str
) -> geo.Place | None:
    """For a superadmin command taking a municipality: refuse non-superadmins, show ``usage`` when the
    argument is missing, else resolve it (see :func:`_resolve_municipality`). ``None``: already answered."""
    if not is_superadmin:
        await message.answer(refusal_superadmin())
        return None
    if not command.args:
        await message.answer(usage)
        return None
    return await _resolve_municipality(message, db, command.args, locale)


async def _codes_text(db: Database, places: list[geo.Place], total: int, locale: str) -> str:
    lines = []
    for place in places:
        location = await geo.locate(db, place.code)
        district = location.district.name(locale) if location else ""
        lines.append(f"<code>{place.code}</code> {esc(place.name(locale))} ({esc(district)})")
    header = _("Several municipalities match ({count}). Repeat the command with the SOATE code:").format(
        count=format_number(total, locale))
    return header + "\n" + "\n".join(lines)


async def cmd_find(message: Message, command: CommandObject, db: Database, locale: str, is_superadmin: bool) -> None:
    """/find NAME: SOATE codes of matching municipalities (administrators)."""
    if not is_superadmin:
        await message.answer(refusal_superadmin())
        return
    if not command.args:
        await message.answer(_("Send the command with a part of the name, for example: /find Ак-Суу"))
        return
    try:
        places, total = await geo.search_municipalities(db, command.args, limit=10)
    except InvalidInput:
        await message.answer(_("Give a 14-digit SOATE code or a part of the name (2 to 60 characters)."))
        return
    if not places:
        await message.answer(_("Nothing found for «{query}».").format(query=esc(command.args)))
        return
    await message.answer(await _codes_text(db, places, total, locale))


async def cmd_invite(
    message: Message, command: CommandObject, db: Database, resident: Resident, locale: str,
    settings: Settings, is_superadmin: bool, bot: Bot,
) -> None:
    """/invite CODE-or-NAME: a one-time officer invite for that municipality."""
    place = await _superadmin_place(
        message, command, db, locale, is_superadmin,
        _("Send the command with a SOATE code or a name, for example: /invite Ак-Суу"))
    if place is None:
        return
    invite = await roles.create_invite(
        db, actor_id=resident.telegram_id, superadmins=settings.superadmin_ids,
        municipality_code=place.code, ttl_hours=settings.invite_ttl_hours,
    )
    me = await bot.me()
    link = f"https://t.me/{me.username}?start=join-{invite.code}" if me.username else ""
    await message.answer(
        _(
            "Officer invite for <b>{municipality}</b>:\n\n"
            "<code>{code}</code>\n\n"
            "Valid once, until {expires}. The officer sends <code>/join {code}</code> to the bot "
            "or opens this link: {link}"
        ).format(
            municipality=esc(place.name(locale)),
            code=roles.format_invite_code(invite.code),
            expires=format_datetime(from_db(invite.expires_at), locale),
            link=esc(link),
        )
    )


def _parse_id(text: str) -> int | None:
    """A Telegram user id: ASCII digits only (not full-width ３２０), at most 15 of them."""
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 15 else None


async def cmd_grant(
    message: Message, command: CommandObject, db: Database, resident: Resident, locale: str,
    settings: Settings, is_superadmin: bool, bot: Bot,
) -> None:
    """/grant TELEGRAM_ID SOATE_CODE: make a registered resident an officer."""
    if not is_superadmin:
        await message.answer(refusal_superadmin())
        return
    parts = (command.args or "").split(maxsplit=1)
    target = _parse_id(parts[0]) if parts else None
    if target is None or len(parts) < 2:
        await message.answer(_("Usage: /grant &lt;Telegram id&gt; &lt;SOATE code&gt;, for example: /grant 123456789 41708203803000"))
        return
    place = await _resolve_municipality(message, db, parts[1], locale)
    if place is None:
        return
    try:
        await roles.grant_officer(db, actor_id=resident.telegram_id, superadmins=settings.superadmin_ids,
                                  telegram_id=target, municipality_code=place.code)
    except roles.NotRegistered:
        await message.answer(_(
            "The person with id {id} has not started the bot yet. Ask them to send /start first, "
            "or give them an invite code (/invite)."
        ).format(id=target))
        return
    person = await get_resident(db, target)
    await message.answer(_("✅ {name} (id {id}) is now an officer of <b>{municipality}</b>.").format(
        name=esc(person.display_name), id=target, municipality=esc(place.name(locale))))
    if person is not None:
        their = choose_locale(person.locale, person.language_code, settings.default_locale)
        await _tell(bot, db, target, _(
            "✅ You are now an officer of <b>{municipality}</b>. Send /officer to see your tools.", locale=their
        ).format(municipality=esc(place.name(their))))


async def cmd_revoke(
    message: Message, command: CommandObject, db: Database, resident: Resident, locale: str,
    settings: Settings, is_superadmin: bool, bot: Bot,
) -> None:
    """/revoke TELEGRAM_ID: take the officer role away."""
    if not is_superadmin:
        await message.answer(refusal_superadmin())
        return
    target = _parse_id(command.args or "")
    if target is None:
        await message.answer(_("Usage: /revoke &lt;Telegram id&gt;, for example: /revoke 123456789"))
        return
    try:
        officer = await roles.revoke_officer(db, actor_id=resident.telegram_id, superadmins=settings.superadmin_ids,
                                             telegram_id=target)
    except NotFound:
        await message.answer(_("The person with id {id} is not an officer.").format(id=target))
        return
    place = await geo.get_municipality(db, officer.municipality_code)
    await message.answer(_("The officer role of id {id} in <b>{municipality}</b> is revoked.").format(
        id=target, municipality=esc(place.name(locale) if place else officer.municipality_code)))
    person = await get_resident(db, target)
    if person is not None:
        their = choose_locale(person.locale, person.language_code, settings.default_locale)
        await _tell(bot, db, target, _("You are no longer an officer of <b>{municipality}</b>.", locale=their).format(
            municipality=esc(place.name(their) if place else officer.municipality_code)))


async def cmd_officers(
    message: Message, command: CommandObject, db: Database, locale: str, is_superadmin: bool
) -> None:
    """/officers CODE-or-NAME: who is an officer of that municipality."""
    place = await _superadmin_place(
        message, command, db, locale, is_superadmin,
        _("Send the command with a SOATE code or a name, for example: /officers Ак-Суу"))
    if place is None:
        return
    officers = await roles.list_officers(db, place.code)
    if not officers:
        await message.answer(_("<b>{municipality}</b> has no officers yet.").format(municipality=esc(place.name(locale))))
        return
    lines = []
    for officer in officers:
        person = await get_resident(db, officer.telegram_id)
        name = person.display_name if person else str(officer.telegram_id)
        lines.append(_("{name} (id {id}), appointed {date}").format(
            name=esc(name), id=officer.telegram_id, date=format_datetime(from_db(officer.granted_at), locale)))
    await answer_lines(message, _("Officers of <b>{municipality}</b>:").format(municipality=esc(place.name(locale))), lines)


async def _tell(bot: Bot, db: Database, chat_id: int, text: str) -> None:
    """A direct message to the person a command concerns; their blocked chat must not fail the command."""
    try:
        await bot.send_message(chat_id, text)
    except TelegramForbiddenError:
        await mark_inactive(db, chat_id)
    except TelegramAPIError:
        log.info("could not tell %s", chat_id, exc_info=True)


def build_router() -> Router:
    """A new router with this module's handlers, in order (a router attaches to one dispatcher only)."""
    router = Router(name="officers")
    router.message.register(cmd_officer, Command("officer", ignore_case=True))
    router.message.register(cmd_kyname, Command("kyname", ignore_case=True))
    router.message.register(on_kyname, StateFilter(KyrgyzName.waiting), F.text, ~F.text.startswith("/"))
    router.message.register(on_kyname_not_text, StateFilter(KyrgyzName.waiting), ~F.text)
    router.message.register(cmd_join, Command("join", ignore_case=True))
    router.message.register(cmd_id, Command("id", ignore_case=True))
    router.message.register(cmd_find, Command("find", ignore_case=True))
    router.message.register(cmd_invite, Command("invite", ignore_case=True))
    router.message.register(cmd_grant, Command("grant", ignore_case=True))
    router.message.register(cmd_revoke, Command("revoke", ignore_case=True))
    router.message.register(cmd_officers, Command("officers", ignore_case=True))
    return router
