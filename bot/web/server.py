"""The bot's one aiohttp application, served on ``WEB_LISTEN`` in both modes.

Routes: ``GET /healthz`` (:mod:`bot.web.health`) always; the webhook (``POST`` at ``WEBHOOK_URL``'s
path, :mod:`bot.web.webhook`) in webhook mode; and whatever the officers' web app adds: when the
package ``bot.webapp`` exists and has ``setup``, ``setup(app, db=..., settings=..., bot=...)`` is called
before the server starts.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from typing import Any

from aiogram import Bot
from aiohttp import web

from bot.config import Settings
from bot.db import Database
from bot.web.health import Health
from bot.web.webhook import WebhookHandler, webhook_path

log = logging.getLogger(__name__)

SERVER_SHUTDOWN_TIMEOUT = 5.0
"""Seconds aiohttp gives requests still open when the server stops (the webhook's were waited for before)."""


def build_web_app(settings: Settings, db: Database, bot: Bot, health: Health,
                  webhook: WebhookHandler | None = None) -> web.Application:
    """The application: ``/healthz``, the webhook route when ``webhook`` is given, the officers' web app."""
    app = web.Application()
    app.router.add_get("/healthz", health.handle)
    if webhook is not None:
        webhook.register(app, path=webhook_path(settings))
    mount_webapp(app, db=db, settings=settings, bot=bot)
    return app


def mount_webapp(app: web.Application, **deps: Any) -> bool:
    """Call ``bot.webapp.setup(app, **deps)`` when that package exists and has ``setup``; ``True`` if it did.
    An error inside the package is raised, not hidden."""
    if importlib.util.find_spec("bot.webapp") is None:
        return False
    webapp = importlib.import_module("bot.webapp")
    setup = getattr(webapp, "setup", None)
    if not callable(setup):
        return False
    setup(app, **deps)
    return True


class WebServer:
    """Runs an aiohttp application on ``host:port`` without aiohttp's own signal handling (the bot's
    runner has it). :attr:`url` is the bound address after :meth:`start` (port 0 picks a free one)."""

    def __init__(self, app: web.Application, host: str, port: int) -> None:
        self.app = app
        self.host = host
        self.port = port
        self.url: str | None = None
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Bind and serve.

        Raises:
            OSError: the address cannot be bound (in use, not local, no permission).
        """
        runner = web.AppRunner(self.app, access_log=None, handle_signals=False,
                               shutdown_timeout=SERVER_SHUTDOWN_TIMEOUT)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        host, port = runner.addresses[0][:2]
        self.url = f"http://{host}:{port}" if ":" not in str(host) else f"http://[{host}]:{port}"
        log.info("web server listening on %s (/healthz)", self.url)

    async def stop(self) -> None:
        """Stop listening, let open requests finish (at most :data:`SERVER_SHUTDOWN_TIMEOUT` s), clean up."""
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()
