"""The officers' web app in the sandbox: served on 127.0.0.1 beside the emulator, opened in any browser
with ``initData`` signed for a simulated user exactly as Telegram would sign it (the sandbox's token
is the bot's token), so the workspace can be tried without Telegram and without HTTPS.

The link carries ``initData`` in the URL's fragment (``#tgWebAppData=…``), as Telegram's own launch
links do: browsers never send a fragment to a server, and the page keeps it in its tab's
``sessionStorage`` only.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from urllib.parse import quote

from aiohttp import web
from aiogram import Bot

from bot.config import Settings
from bot.db import Database
from bot.webapp import setup
from bot.webapp.auth import sign_init_data


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (for the sandbox's ``WEBAPP_URL``, known before start)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class SandboxWebApp:
    """The web app served for the sandbox at ``http://127.0.0.1:<port>/webapp/``."""

    port: int
    token: str
    runner: web.AppRunner | None = field(default=None)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webapp"

    async def start(self, db: Database, settings: Settings, bot: Bot) -> None:
        app = web.Application()
        setup(app, db=db, settings=settings, bot=bot)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None

    def link(self, user_id: int, first_name: str, language_code: str | None) -> str:
        """A link that opens the workspace as this simulated user (fresh ``auth_date``: valid for
        ``WEBAPP_AUTH_MAX_AGE`` seconds; ask for a new one after that)."""
        user: dict[str, object] = {"id": user_id, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        data = sign_init_data(self.token, user)
        return f"{self.base_url}/#tgWebAppData={quote(data, safe='')}&tgWebAppVersion=8.0&tgWebAppPlatform=sandbox"


def webapp_help(web_app: SandboxWebApp) -> str:
    """The lines the sandbox prints about the workspace."""
    return (f"Officers' web app: {web_app.base_url}/ — type :webapp for a link signed for the current user\n"
            "  (make them an officer first: as the superadmin, /grant <id> <SOATE code>).")
