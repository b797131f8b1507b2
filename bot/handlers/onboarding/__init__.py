"""Onboarding and the always-available commands: /start, /language, /municipality, /menu, /cancel, /help.

- :mod:`.start` — /start (with an officer invite deep link), the language buttons, /menu, /cancel,
  and :func:`continue_onboarding`, which other features call to lead a person to the missing step;
- :mod:`.picker` — the municipality picker (a wizard on the kit: paged buttons or a typed name);
- :mod:`.menu` — the main menu's own buttons and /help;
- :mod:`.home` — the language question and the main menu screen.

The commands' routers come before the picker's, so /help and /cancel (which the kit lets through a
step) reach their handlers and are never taken for a municipality's name.
"""

from __future__ import annotations

from aiogram import Router

import bot.ui.onboarding  # noqa: F401  (registers the explanations of this feature's errors)
from bot.handlers.onboarding import menu, picker, start
from bot.handlers.onboarding.home import send_home, send_language_prompt
from bot.handlers.onboarding.start import INVITE_PAYLOAD_PREFIX, continue_onboarding


def build_router() -> Router:
    """A new router with the onboarding routers, commands first (a router attaches to one dispatcher only)."""
    router = Router(name="onboarding")
    router.include_routers(start.build_router(), menu.build_router(), picker.build_router())
    return router


__all__ = ["INVITE_PAYLOAD_PREFIX", "build_router", "continue_onboarding", "send_home", "send_language_prompt"]
