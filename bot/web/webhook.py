"""Webhook mode (``WEBHOOK_URL`` set): Telegram posts each update to the bot's web server.

aiogram's aiohttp integration (:class:`aiogram.webhook.aiohttp_server.SimpleRequestHandler`) checks
``X-Telegram-Bot-Api-Secret-Token`` (a request without the right one gets 401 and changes nothing)
and feeds the update to the dispatcher. :class:`WebhookHandler` adds what a clean restart needs:
until the bot is ready, and once it is stopping, an update gets 503 (Telegram keeps it and tries
again later); the requests being handled are counted, so the shutdown waits for them. An update is
answered only when its handler is done (not in the background), so an update cut off by a crash is
delivered again and :mod:`bot.web.once` decides.

The secret is ``WEBHOOK_SECRET``, else one generated at the first start and kept in the database
(``app_state``): a restart keeps it, so Telegram's retries after a restart are accepted.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from typing import Any
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramUnauthorizedError
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from bot.config import Settings
from bot.db import Database, Transaction
from bot.domain.clock import now_db
from bot.store import runtime

log = logging.getLogger(__name__)

SECRET_KEY = "webhook_secret"
"""``app_state`` key of the generated secret."""
WEBHOOK_CHECK_EVERY = 60.0
"""Seconds between two ``getWebhookInfo`` calls: they log Telegram's delivery errors and keep the health
endpoint's Bot API age fresh when residents are quiet."""


def webhook_path(settings: Settings) -> str:
    """The path the webhook is served at: ``WEBHOOK_URL``'s (``/`` when it has none)."""
    return urlsplit(settings.webhook_url or "").path or "/"


async def webhook_secret(db: Database, settings: Settings) -> str:
    """``WEBHOOK_SECRET``, else the stored one, else a new one (43 characters of ``A-Za-z0-9_-``), stored."""
    if settings.webhook_secret is not None:
        return settings.webhook_secret.get_secret_value()
    stored = await runtime.get_state(db, SECRET_KEY)
    if stored:
        return stored
    fresh = secrets.token_urlsafe(32)
    at = now_db()

    async def body(tx: Transaction) -> str:
        return await runtime.put_state_once(tx, SECRET_KEY, fresh, at)

    value = await db.unit(body)
    log.info("webhook: generated a secret token and stored it in the database (set WEBHOOK_SECRET to choose one)")
    return value


class WebhookHandler(SimpleRequestHandler):
    """aiogram's handler, answering 503 while not :attr:`accepting`, counting requests in flight,
    and leaving the Bot's session to the application (it is closed after the shutdown)."""

    def __init__(self, dispatcher: Dispatcher, bot: Bot, secret_token: str, **data: Any) -> None:
        super().__init__(dispatcher, bot, handle_in_background=False, secret_token=secret_token, **data)
        self.accepting = False
        self.inflight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def handle(self, request: web.Request) -> web.Response:
        """401 without the right secret, 503 while starting or stopping, else the update is handled."""
        if not self.verify_secret(request.headers.get("X-Telegram-Bot-Api-Secret-Token", ""), self.bot):
            log.warning("webhook: a request without the right secret token was refused (401)")
            return web.Response(body="Unauthorized", status=401)
        if not self.accepting:
            return web.Response(body="Starting or stopping; try again", status=503, headers={"Retry-After": "5"})
        self.inflight += 1
        self._idle.clear()
        try:
            return await super().handle(request)
        finally:
            self.inflight -= 1
            if self.inflight == 0:
                self._idle.set()

    __call__ = handle

    async def wait_idle(self, timeout: float) -> bool:
        """Wait until no update is being handled, at most ``timeout`` s; ``False`` if some still are."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def close(self) -> None:
        """Nothing: the application closes the Bot's session after the shutdown."""


class WebhookSetupError(RuntimeError):
    """Telegram refused the webhook for a reason a retry will not fix (a bad URL); the message says it."""


async def register_webhook(bot: Bot, dispatcher: Dispatcher, settings: Settings, secret: str,
                           stop: asyncio.Event) -> bool:
    """``setWebhook`` with the secret and the update types the routers handle, retried with backoff
    (1 s doubling to 60 s, a log line per attempt) while the Bot API is unreachable.

    Returns:
        ``True`` once registered, ``False`` when ``stop`` was set first.
    Raises:
        WebhookSetupError: Telegram answered 400 (e.g. the URL is not HTTPS or not reachable).
        TelegramUnauthorizedError: the token was rejected.
    """
    assert settings.webhook_url
    allowed = dispatcher.resolve_used_update_types()
    delay, attempt = 1.0, 0
    while not stop.is_set():
        attempt += 1
        try:
            await bot.set_webhook(settings.webhook_url, secret_token=secret, allowed_updates=allowed,
                                  drop_pending_updates=False, request_timeout=30)
            log.info("webhook registered at %s for %s", settings.webhook_url, ", ".join(allowed))
            return True
        except TelegramUnauthorizedError:
            raise
        except TelegramBadRequest as exc:
            raise WebhookSetupError(f"Telegram refused WEBHOOK_URL {settings.webhook_url}: {exc.message}") from exc
        except TelegramAPIError as exc:
            log.warning("webhook: setWebhook failed (attempt %s): %s; retrying in %.0f s", attempt, exc, delay)
        try:
            await asyncio.wait_for(stop.wait(), delay)
        except TimeoutError:
            pass
        delay = min(60.0, delay * 2)
    return False


async def watch_webhook(bot: Bot, stop: asyncio.Event, every: float = WEBHOOK_CHECK_EVERY) -> None:
    """Until ``stop``: every ``every`` s, ``getWebhookInfo``; logs Telegram's last delivery error when it
    changes (a proxy answering 502, a certificate problem) and a failed call. Never raises."""
    last_error: tuple[Any, Any] | None = None
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), every)
            return
        except TimeoutError:
            pass
        try:
            info = await bot.get_webhook_info(request_timeout=30)
        except TelegramAPIError as exc:
            log.warning("webhook: getWebhookInfo failed: %s", exc)
            continue
        error = (info.last_error_date, info.last_error_message)
        if info.last_error_message and error != last_error:
            log.warning("webhook: Telegram reports a delivery error: %s (%s updates pending)",
                        info.last_error_message, info.pending_update_count)
        last_error = error
