"""The officers' web app (issue 13): a Telegram Mini App served by the bot's own aiohttp server.

Pages under ``/webapp/`` (dashboard, problem queue, survey and hearing results, registry, audit log,
and the national view for superadmins), a JSON API and the exports under ``/webapp/api/``. Telegram
clients open it at ``WEBAPP_URL`` (public HTTPS); every API request carries Telegram's signed
``initData`` and is authorized from scratch (:mod:`bot.webapp.auth`).

Modules: ``auth`` (initData, roles), ``views`` (what each page shows, as dicts), ``render`` (Jinja2
templates in ``templates/``), ``routes`` (aiohttp handlers), ``exports`` (XLSX/CSV), ``report``
(the one-page hearing report, PNG/PDF), ``menu`` (the officer's web-app buttons).
"""

from __future__ import annotations

from aiohttp import web
from aiogram import Bot

from bot.config import Settings
from bot.db import Database

PREFIX = "/webapp/"
"""Where the web app is mounted on the bot's web server."""


def setup(web_app: web.Application, *, db: Database, settings: Settings, bot: Bot) -> None:
    """Mount the web app on ``web_app`` at :data:`PREFIX` (pages) and ``/webapp/api/`` (JSON, exports).

    ``bot``'s token verifies the ``initData`` signatures. Call before ``web_app`` starts (aiohttp
    freezes an application's routes when it starts).
    """
    from bot.webapp.routes import build

    web_app.add_subapp(PREFIX.rstrip("/"), build(db, settings, bot.token))


__all__ = ["PREFIX", "setup"]
