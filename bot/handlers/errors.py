"""The dispatcher's error handlers: domain refusals answered in words, everything else logged.

A refusal raised by a handler is explained where it happens, by ``bot.flows.DomainErrorMiddleware``
(an alert under the tapped button, or a message). What reaches these handlers escaped that path (a
refusal raised in an outer middleware, an unexpected error): :func:`on_domain_error` (registered with
aiogram's ``ExceptionTypeFilter``) sends the explanation from :func:`bot.ui.errors.explain` as a
message; :func:`on_unexpected` logs and apologises.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent, User

from bot.config import Settings
from bot.db import Database
from bot.domain.errors import DomainError
from bot.domain.residents import get_resident, mark_inactive
from bot.i18n import _, choose_locale, use_locale
from bot.ui.errors import explain

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
        await bot.send_message(user.id, text)
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
    """The person blocked the bot while we answered: record it (the outbox skips them from now on)."""
    user = _actor(event)
    if user is not None:
        await mark_inactive(db, user.id)
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
    """Register the three handlers, most specific first."""
    dispatcher.errors.register(on_domain_error, ExceptionTypeFilter(DomainError))
    dispatcher.errors.register(on_blocked, ExceptionTypeFilter(TelegramForbiddenError))
    dispatcher.errors.register(on_unexpected)
