"""The residents' gate of the problems routers: a person who has not finished onboarding (language,
municipality) is led to the missing step instead of reaching a problems handler."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Router
from aiogram.types import CallbackQuery, Message, TelegramObject

from bot.handlers.onboarding import continue_onboarding


class OnboardedGate(BaseMiddleware):
    """Inner middleware: let through residents who chose a language and a municipality."""

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        resident = data.get("resident")
        if resident is None or resident.onboarded:
            return await handler(event, data)
        message = event.message if isinstance(event, CallbackQuery) else event
        if isinstance(message, Message):
            await continue_onboarding(message, data["db"], resident, data["locale"], data["state"])
        return None


def resident_router(name: str) -> Router:
    """A new router whose message and button handlers see only onboarded residents."""
    router = Router(name=name)
    gate = OnboardedGate()
    router.message.middleware(gate)
    router.callback_query.middleware(gate)
    return router
