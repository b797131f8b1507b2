"""The officer role: an officer's own commands, invite redemption, and the administrators' commands.

- :mod:`.officer` — /officer and the /kyname wizard, on an ``officer_router`` (``officer`` injected);
- :mod:`.invites` — /join and /id, for any resident;
- :mod:`.superadmin` — /invite, /grant, /revoke, /officers, /find, on a ``superadmin_router``.

Refusals are typed errors explained once (:mod:`bot.ui.officers`, :mod:`bot.ui.errors`).
"""

from __future__ import annotations

from aiogram import Router

import bot.ui.officers  # noqa: F401  (registers the explanations of this feature's errors)
from bot.handlers.officers import invites, officer, superadmin
from bot.handlers.officers.invites import redeem_and_reply


def build_router() -> Router:
    """A new router with the role's routers (a router attaches to one dispatcher only)."""
    router = Router(name="officers")
    router.include_routers(invites.build_router(), superadmin.build_router(), officer.build_router())
    return router


__all__ = ["build_router", "redeem_and_reply"]
