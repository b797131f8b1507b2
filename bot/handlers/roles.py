"""Role gates for routers: the officer loaded once and injected, superadmins checked in one place.

An officer router is an ordinary :class:`~aiogram.Router` whose message and callback observers carry
:class:`OfficerMiddleware` (an inner middleware, so it runs only for updates a handler of that router
matched). It loads the officer record once per update and hands it to the handler as ``officer``;
for anyone else it raises :class:`~bot.domain.errors.NotAnOfficer`, which the kit's error middleware
answers in the person's language. Every domain use case still checks the officer's municipality on
the server: the gate is for routing and for one clear answer, not the only check.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Router
from aiogram.types import TelegramObject, User

from bot.db import Database
from bot.domain.errors import NotAnOfficer, NotSuperadmin
from bot.domain.officers import get_officer

log = logging.getLogger(__name__)


class OfficerMiddleware(BaseMiddleware):
    """Inject ``officer`` (:class:`bot.domain.officers.Officer`) or refuse with :class:`NotAnOfficer`."""

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        db: Database = data["db"]
        officer = await get_officer(db, user.id) if user is not None else None
        if officer is None:
            log.info("officer action refused to %s", user.id if user else None)
            raise NotAnOfficer("not an officer")
        data["officer"] = officer
        return await handler(event, data)


class SuperadminMiddleware(BaseMiddleware):
    """Let only ``SUPERADMIN_IDS`` through (``is_superadmin`` is set by the resident middleware)."""

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        if not data.get("is_superadmin"):
            raise NotSuperadmin("not a superadmin")
        return await handler(event, data)


def officer_router(name: str) -> Router:
    """A new router whose every message and button handler receives ``officer`` (officers only)."""
    router = Router(name=name)
    gate = OfficerMiddleware()
    router.message.middleware(gate)
    router.callback_query.middleware(gate)
    return router


def superadmin_router(name: str) -> Router:
    """A new router for the programme administrators' commands."""
    router = Router(name=name)
    gate = SuperadminMiddleware()
    router.message.middleware(gate)
    router.callback_query.middleware(gate)
    return router
