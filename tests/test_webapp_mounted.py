"""The bot's own web server mounts the officers' web app (``bot.web.server.mount_webapp`` calls
``bot.webapp.setup``), and ``initData`` signed with the running bot's token opens it."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import build_bot
from bot.domain.clock import clock
from bot.web.server import mount_webapp
from tests.conftest import close_bot
from tests.support import AK_DEBE
from tests.webapp_support import OFFICER, app_settings, auth, seed


async def test_the_bots_web_server_serves_the_web_app(db, settings) -> None:
    await seed(db)
    settings = app_settings(settings)
    bot = build_bot(settings)
    app = web.Application()
    assert mount_webapp(app, db=db, settings=settings, bot=bot) is True
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        assert (await client.get("/webapp/")).status == 200
        response = await client.get("/webapp/api/dashboard", headers=auth(OFFICER, token=bot.token))
        assert response.status == 200 and (await response.json())["municipality"]["code"] == AK_DEBE
        assert (await client.get("/webapp/api/dashboard", headers=auth(OFFICER, token="1:OTHER"))).status == 401
    finally:
        await client.close()
        await close_bot(bot)
        clock.set(None)
