"""The dispatcher's error handlers: domain refusals answered in words, everything else logged.

A refusal raised by a handler is explained where it happens, by ``bot.flows.DomainErrorMiddleware``
(an alert under the tapped button, or a message). What reaches these handlers escaped that path (a
refusal raised in an outer middleware, an unexpected error): :func:`on_domain_error` (registered with
aiogram's ``ExceptionTypeFilter``) sends the explanation from :func:`bot.ui.errors.explain` as a
message; :func:`on_unexpected` logs and apologises.

A fault of the machine (the disk full, the database read-only: :class:`bot.db.StorageUnavailable`, or
such an error not yet classified) is not a bug: :func:`on_storage_fault` tells the person, in their
language, that the bot is temporarily unavailable and to try again in a few minutes, answers a
tapped button with the same words when it still can, and puts the tapped message's buttons back. It logs nothing above DEBUG: the database logs
the outage once when it starts and once when it ends (:class:`bot.faults.Outage`).
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent, User

from bot.config import Settings
from bot.db import Database, StorageUnavailable, storage_fault
from bot.domain.errors import DomainError
from bot.domain.residents import get_resident, mark_inactive
from bot.i18n import _, choose_locale, use_locale
from bot.ui.errors import explain
from bot.ui.keyboards import with_menu
from bot.ui.messages import restore_keyboard

log = logging.getLogger(__name__)

def _actor(event: ErrorEvent) -> User | None:
    update = event.update
    for candidate in (update.message, update.callback_query, update.edited_message):
        if candidate is not None and candidate.from_user is not None:
            return candidate.from_user
    return None


async def _locale(db: Database, settings: Settings, user: User) -> str:
    resident = await get_resident(db, user.id)
    return choose_locale(resident.locale if resident else None, user.language_code, settings.default_locale)


async def _tell(event: ErrorEvent, bot: Bot, user: User, text: str) -> None:
    """Say ``text`` as a message. A tapped button was already answered by aiogram's
    ``CallbackAnswerMiddleware`` on the way out (it answers in a ``finally``), so an alert is no longer
    possible here; refusals raised inside handlers become alerts earlier, in ``DomainErrorMiddleware``."""
    try:
        await bot.send_message(user.id, text, reply_markup=with_menu())
    except TelegramAPIError:
        log.info("could not answer update %s", event.update.update_id)


async def on_domain_error(event: ErrorEvent, bot: Bot, db: Database, settings: Settings, **_data: Any) -> bool:
    """A rule refused the action: explain it in the person's language."""
    user = _actor(event)
    exception = event.exception
    assert isinstance(exception, DomainError)
    log.info("update %s refused: %s: %s", event.update.update_id, type(exception).__name__, exception)
    if user is None:
        return True
    with use_locale(await _locale(db, settings, user)):
        await _tell(event, bot, user, explain(exception))
    return True


async def on_blocked(event: ErrorEvent, db: Database, **_data: Any) -> bool:
    """The person blocked the bot while we answered: record it (the outbox skips them from now on;
    during a storage outage it is not recorded, and the outbox records it at its next 403)."""
    user = _actor(event)
    if user is not None:
        try:
            await mark_inactive(db, user.id)
        except StorageUnavailable:
            pass
    return True


def _is_stale_query(event: ErrorEvent) -> bool:
    exception = event.exception
    return isinstance(exception, TelegramBadRequest) and "query is too old" in exception.message.lower()


async def on_stale_query(event: ErrorEvent, **_data: Any) -> bool:
    """A button press answered too late for Telegram (over ~15 s: handled after a restart or a backlog):
    the handler has done its work already; only the answer under the button is lost. No apology."""
    log.info("update %s: the button press was answered too late", event.update.update_id)
    return True


def _is_storage_fault(event: ErrorEvent) -> bool:
    return storage_fault(event.exception) is not None


async def on_storage_fault(event: ErrorEvent, bot: Bot, db: Database, settings: Settings, **_data: Any) -> bool:
    """The database refused a write (disk full, read-only file, I/O error); its transaction was rolled
    back. Tell the person to try again in a few minutes, as an alert on a button that is not answered
    yet (an error raised before aiogram's ``CallbackAnswerMiddleware`` ran) and as a message."""
    log.debug("update %s not saved: %s", event.update.update_id, event.exception)
    user = _actor(event)
    if user is None:
        return True
    try:
        locale = await _locale(db, settings, user)
    except Exception as error:  # noqa: BLE001 - the file may be unreadable too: answer in the client's language
        if storage_fault(error) is None:
            raise
        locale = choose_locale(None, user.language_code, settings.default_locale)
    with use_locale(locale):
        text = _("Sorry, the bot is temporarily unavailable. Please try again in a few minutes.")
    query = event.update.callback_query
    if query is not None:
        try:
            await bot.answer_callback_query(query.id, text=text[:200], show_alert=True)
        except TelegramAPIError:
            pass  # already answered (empty) by CallbackAnswerMiddleware on the way out
        await restore_keyboard(query)
    await _tell(event, bot, user, text)
    return True


async def on_unexpected(event: ErrorEvent, bot: Bot, db: Database, settings: Settings, **_data: Any) -> bool:
    """Last resort: log with the update id and tell the person something went wrong on our side."""
    log.error("update %s failed", event.update.update_id, exc_info=event.exception)
    user = _actor(event)
    if user is None:
        return True
    with use_locale(await _locale(db, settings, user)):
        await _tell(event, bot, user, _("Sorry, something went wrong on our side. Please try again, or send /menu."))
    return True


def setup_error_handlers(dispatcher: Dispatcher) -> None:
    """Register the handlers, most specific first."""
    dispatcher.errors.register(on_storage_fault, _is_storage_fault)
    dispatcher.errors.register(on_stale_query, _is_stale_query)
    dispatcher.errors.register(on_domain_error, ExceptionTypeFilter(DomainError))
    dispatcher.errors.register(on_blocked, ExceptionTypeFilter(TelegramForbiddenError))
    dispatcher.errors.register(on_unexpected)
