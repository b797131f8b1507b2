"""Webhook mode (issue 11): the emulator delivers updates to a webhook as Telegram does, and the real bot
process registers its webhook with a secret, answers a request without it with 401 and handles each
update once — Telegram's retries included."""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.sandbox.emulator import BotAPIEmulator
from tests.web_helpers import TOKEN, BotProcess, post, wait_until


async def _hook_server(answers: list[int]) -> tuple[web.AppRunner, str, list[tuple[dict, str | None]]]:
    """A webhook on 127.0.0.1 answering ``answers`` in turn (then 200); records (update, secret header)."""
    seen: list[tuple[dict, str | None]] = []

    async def hook(request: web.Request) -> web.Response:
        seen.append((await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token")))
        return web.Response(status=answers.pop(0) if answers else 200)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}/hook", seen


async def _api(emu: BotAPIEmulator, method: str, **params) -> dict:
    async with aiohttp.ClientSession() as session, session.post(
            f"{emu.base_url}/bot{TOKEN}/{method}", json=params) as response:
        return await response.json()


async def test_the_emulator_posts_updates_with_the_secret_and_retries_until_2xx(emulator: BotAPIEmulator) -> None:
    emulator.webhook_retry_delays = (0.05,)
    runner, url, seen = await _hook_server([500, 502])
    try:
        assert (await _api(emulator, "setWebhook", url=url, secret_token="s3cr3t_-"))["ok"]
        conflict = await _api(emulator, "getUpdates")
        assert conflict["error_code"] == 409
        update = emulator.send_text(5001, "салам")
        await wait_until(lambda: len(seen) >= 3, 10, "three attempts")
        await asyncio.sleep(0.2)
        assert [u["update_id"] for u, _ in seen] == [update["update_id"]] * 3, "retried until a 2xx, then not again"
        assert {secret for _, secret in seen} == {"s3cr3t_-"}
        assert [status for _, status in emulator.webhook_attempts] == [500, 502, 200]
        assert emulator.updates_pending() == 0
        info = (await _api(emulator, "getWebhookInfo"))["result"]
        assert info["url"] == url and "502" in info["last_error_message"]
        assert (await _api(emulator, "deleteWebhook"))["ok"]
        emulator.send_text(5001, "дагы")
        await asyncio.sleep(0.3)
        assert len(seen) == 3, "no delivery without a webhook"
        assert len((await _api(emulator, "getUpdates"))["result"]) == 1
    finally:
        await runner.cleanup()


async def test_a_webhook_nobody_listens_on_is_retried(emulator: BotAPIEmulator) -> None:
    emulator.webhook_retry_delays = (0.05,)
    assert (await _api(emulator, "setWebhook", url="http://127.0.0.1:9/nothing"))["ok"]
    emulator.send_text(5002, "салам")
    await wait_until(lambda: len(emulator.webhook_attempts) >= 2, 10, "two attempts")
    assert {status for _, status in emulator.webhook_attempts} == {None}
    assert emulator.updates_pending() == 1
    info = (await _api(emulator, "getWebhookInfo"))["result"]
    assert info["last_error_message"] == "Connection refused"


@pytest.mark.slow
async def test_the_bot_in_webhook_mode_refuses_a_wrong_secret_and_handles_a_retry_once(
        db_path: Path, tmp_path: Path) -> None:
    emu = BotAPIEmulator(token=TOKEN)
    emu.webhook_retry_delays = (0.2,)
    await emu.start()
    emu.add_user(5101, "Иван", language_code="ru")
    bot = BotProcess(db_path, emu.base_url, tmp_path / "bot.log")
    hook = f"{bot.url}/telegram/hook"
    bot.env["WEBHOOK_URL"] = hook
    try:
        bot.start()
        health = await bot.wait_healthy()
        assert health["mode"] == "webhook" and health["status"] == "ok"
        assert emu._webhook["url"] == hook
        assert {"message", "callback_query"} <= set(emu._webhook["allowed_updates"])
        secret = emu._webhook["secret_token"]
        with sqlite3.connect(db_path) as conn:
            stored = conn.execute("SELECT value FROM app_state WHERE key = 'webhook_secret'").fetchone()[0]
        assert secret == stored and len(secret) >= 32

        # a resident writes: Telegram (the emulator) posts the update to the webhook
        emu.send_text(5101, "/start")
        await emu.wait_for_bot_message(5101, timeout=30)
        await emu.wait_idle(timeout=30)
        replies = len(emu.bot_messages(5101))

        # a forged update: without the secret, or with a wrong one, 401 and nothing changes
        forged = emu.send_text(5102, "/start")
        emu._updates.clear()  # only the forger sends it
        body = json.dumps(forged).encode()
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
            status = await asyncio.to_thread(post, hook, body, {"Content-Type": "application/json", **headers})
            assert status == 401
        await asyncio.sleep(0.5)
        assert emu.bot_messages(5102) == []
        with sqlite3.connect(db_path) as conn:
            assert conn.execute("SELECT count(*) FROM residents WHERE telegram_id = 5102").fetchone()[0] == 0
            assert conn.execute("SELECT count(*) FROM processed_updates WHERE update_id = ?",
                                (forged["update_id"],)).fetchone()[0] == 0

        # Telegram retries an update (its answer was lost): one reply only
        after = emu.last_message_id(5101)
        update = emu.send_text(5101, "/help")
        await emu.wait_for_bot_message(5101, after=after, timeout=30)
        await emu.wait_idle(timeout=30)
        replies = len(emu.bot_messages(5101))
        status = await asyncio.to_thread(post, hook, json.dumps(update).encode(),
                                         {"Content-Type": "application/json",
                                          "X-Telegram-Bot-Api-Secret-Token": secret})
        assert status == 200
        await asyncio.sleep(0.5)
        assert len(emu.bot_messages(5101)) == replies
        assert "already handled, skipped" in bot.tail()

        assert await bot.stop(signal.SIGTERM) == 0, bot.tail()
        # an update while the bot is down waits at Telegram; the restart keeps the secret and gets it
        emu.send_text(5101, "/help")
        bot.start()
        await bot.wait_healthy()
        assert emu._webhook["secret_token"] == secret
        await wait_until(lambda: len(emu.bot_messages(5101)) > replies, 60, "the update sent while down")
        assert await bot.stop(signal.SIGTERM) == 0, bot.tail()
    finally:
        bot.kill()
        await emu.stop()


@pytest.mark.slow
async def test_a_taken_web_listen_port_stops_webhook_mode_but_not_polling(db_path: Path, tmp_path: Path) -> None:
    import socket

    emu = BotAPIEmulator(token=TOKEN)
    await emu.start()
    emu.add_user(5201, "Айгүл", language_code="ky")
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    taken = holder.getsockname()[1]
    polling = BotProcess(db_path, emu.base_url, tmp_path / "polling.log", WEB_LISTEN=f"127.0.0.1:{taken}")
    webhook = BotProcess(db_path, emu.base_url, tmp_path / "webhook.log", WEB_LISTEN=f"127.0.0.1:{taken}",
                         WEBHOOK_URL=f"http://127.0.0.1:{taken}/hook")
    try:
        webhook.start()
        await wait_until(lambda: webhook.process is not None and webhook.process.poll() is not None, 120, "the exit")
        assert webhook.process is not None and webhook.process.returncode == 2
        assert "cannot listen on WEB_LISTEN" in webhook.tail()
        polling.start()
        emu.send_text(5201, "/start")
        await emu.wait_for_bot_message(5201, timeout=120)
        assert "running without /healthz" in polling.tail()
        assert await polling.stop() == 0
    finally:
        polling.kill()
        webhook.kill()
        holder.close()
        await emu.stop()
