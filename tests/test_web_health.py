"""``GET /healthz`` (issue 11): 200 with the figures while all is well, 503 naming what is not — the
database not writable, the outbox worker or the scheduler stopped or stuck, the Bot API silent — and
the Docker HEALTHCHECK command follows it."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import time

import pytest

from bot.app import build_application, build_bot
from bot.db import Database
from bot.domain.outbox import Audience, Content, LocalizedMessage, enqueue
from bot.web.health import BOT_API_STALE, HEALTHCHECK_COMMAND, Health, heartbeat_of
from bot.web.server import WebServer, build_web_app
from tests.conftest import close_bot
from tests.delivery_helpers import add_residents
from tests.support import AK_DEBE
from tests.web_helpers import get_json


@pytest.fixture
async def running(emulator, settings, db: Database):
    """The application started as ``run`` starts it (worker, scheduler), its Health, its web server."""
    settings = settings.model_copy(update={"telegram_api_url": emulator.base_url, "web_listen": "127.0.0.1:0"})
    app = await build_application(settings, db)
    bot = build_bot(settings)
    workflow = {"dispatcher": app.dispatcher, "bots": (bot,)}
    await app.dispatcher.emit_startup(bot=bot, **workflow, **app.dispatcher.workflow_data)
    await bot.get_me()  # a first successful Bot API call
    health = Health(settings, db, bot, app.dispatcher, state="running")
    server = WebServer(build_web_app(settings, db, bot, health), "127.0.0.1", 0)
    await server.start()
    for _ in range(100):  # the scheduler's first tick runs at start
        if app.dispatcher.workflow_data["scheduler_watch"].last_tick is not None:
            break
        await asyncio.sleep(0.02)
    yield health, server, app, bot
    await server.stop()
    await app.dispatcher.emit_shutdown(bot=bot, **workflow, **app.dispatcher.workflow_data)
    await close_bot(bot)


async def _get(server: WebServer) -> tuple[int, dict]:
    return await asyncio.to_thread(get_json, f"{server.url}/healthz")


async def test_all_well_is_200_with_the_figures(running) -> None:
    health, server, _app, _bot = running
    status, body = await _get(server)
    assert status == 200, body
    assert body["status"] == "ok" and body["failing"] == [] and body["mode"] == "polling"
    assert body["database_writable"] and body["delivery_worker_alive"] and body["scheduler_alive"]
    assert 0 <= body["bot_api_last_success_age_s"] < 30
    assert 0 <= body["scheduler_last_tick_age_s"] < 30
    assert body["queued_deliveries"] == 0


async def test_a_silent_bot_api_is_503(running) -> None:
    health, server, _app, bot = running
    heartbeat = heartbeat_of(bot)
    assert heartbeat is not None
    heartbeat.last_success = time.monotonic() - BOT_API_STALE - 1
    status, body = await _get(server)
    assert status == 503 and body["failing"] == ["bot_api_ok"]
    await bot.get_me()
    assert (await _get(server))[0] == 200, "well again after the next successful call"


async def test_a_database_that_refuses_writes_is_503(running, db: Database, monkeypatch) -> None:
    health, server, _app, _bot = running

    async def refused(body):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(db, "unit", refused)
    await asyncio.sleep(2.1)  # past the probe's cache
    status, body = await _get(server)
    assert status == 503 and body["failing"] == ["database_writable"]
    assert "readonly" in body["database_error"]


async def test_a_stuck_scheduler_and_a_stopped_worker_are_503(running, db: Database) -> None:
    health, server, app, _bot = running
    watch = app.dispatcher.workflow_data["scheduler_watch"]
    watch.last_tick = time.monotonic() - 3 * app.settings.scheduler_interval_s - 1
    status, body = await _get(server)
    assert status == 503 and body["failing"] == ["scheduler_alive"]
    watch.last_tick = time.monotonic()
    await app.dispatcher.workflow_data["delivery_worker"].stop()
    await add_residents(db, [81_001, 81_002, 81_003])
    async with db.transaction() as tx:
        await enqueue(tx, kind="announcement", audience=Audience.municipality(AK_DEBE),
                      content=Content({"ky": LocalizedMessage("Салам"), "ru": LocalizedMessage("Привет")}))
    status, body = await _get(server)
    assert status == 503 and body["failing"] == ["delivery_worker_alive"]
    assert body["queued_deliveries"] == 3


async def test_starting_and_stopping_are_503(running) -> None:
    health, server, _app, _bot = running
    for state in ("starting", "stopping"):
        health.state = state
        status, body = await _get(server)
        assert status == 503 and body["state"] == state


async def test_the_docker_healthcheck_command_follows_the_endpoint(running) -> None:
    health, server, _app, bot = running
    port = server.url.rsplit(":", 1)[1]
    command = HEALTHCHECK_COMMAND.replace('python -c "', "").rstrip('"').replace("\\'", "'")

    def check() -> int:
        return subprocess.run([sys.executable, "-c", command], env={"WEB_LISTEN": f"0.0.0.0:{port}"},
                              capture_output=True, timeout=30).returncode

    assert await asyncio.to_thread(check) == 0
    heartbeat = heartbeat_of(bot)
    assert heartbeat is not None
    heartbeat.last_success = None
    assert await asyncio.to_thread(check) != 0
