"""``python -m bot run``: the running bot's life, in polling and webhook mode alike.

Start: database (migrations) → dispatcher → web server on ``WEB_LISTEN`` (``/healthz``, the officers'
web app, the webhook route) → the Bot API (``getMe``, retried with backoff while unreachable: 1 s
doubling to 60 s, a log line per attempt; 401 ends the run with exit code 2) → the dispatcher's
start-up (command list, outbox worker, scheduler) → updates: long polling (:class:`Poller`) or
``setWebhook`` (:mod:`bot.web.webhook`).

Stop, on SIGTERM or SIGINT (exit code 0): no new updates (polling ends its ``getUpdates``; the
webhook answers 503, and Telegram keeps the update for later) → the handlers still running finish,
at most ``SHUTDOWN_TIMEOUT`` s → the outbox worker stops between two messages (requests in flight
are answered and recorded) and the scheduler between two jobs → the web server stops → the
database is checkpointed and closed (``bot.app.Application.close``). A broadcast cut off this way
goes on at the next start with no second copy (only rows left ``sending`` by a crash can repeat).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError, TelegramUnauthorizedError
from aiogram.methods import TelegramMethod
from aiogram.types import Update, User

from bot.config import Settings
from bot.web.health import Health
from bot.web.server import WebServer, build_web_app
from bot.web.webhook import WebhookHandler, WebhookSetupError, register_webhook, watch_webhook, webhook_secret

log = logging.getLogger("bot")

BACKOFF_START = 1.0
"""Seconds before the first retry when the Bot API cannot be reached; doubles per attempt."""
BACKOFF_CAP = 60.0
"""Most seconds between two attempts."""
UNAUTHORIZED_MESSAGE = "Telegram rejected BOT_TOKEN (401 Unauthorized): check the token with @BotFather."


class Backoff:
    """Delays 1, 2, 4 … capped at 60 s (:data:`BACKOFF_START`, :data:`BACKOFF_CAP`), ``reset`` after a success."""

    def __init__(self) -> None:
        self.attempt = 0
        self.delay = BACKOFF_START

    def failed(self) -> float:
        """Count a failure; returns the seconds to wait before the next attempt."""
        self.attempt += 1
        delay = self.delay
        self.delay = min(BACKOFF_CAP, self.delay * 2)
        return delay

    def reset(self) -> None:
        self.attempt = 0
        self.delay = BACKOFF_START


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def wait_for_api(bot: Bot, settings: Settings, stop: asyncio.Event) -> User | None:
    """``getMe`` until it succeeds; ``None`` when ``stop`` was set first.

    Raises:
        TelegramUnauthorizedError: the token was rejected (retrying would not help).
    """
    where = settings.telegram_api_url or "https://api.telegram.org"
    backoff = Backoff()
    while not stop.is_set():
        try:
            me = await bot.get_me(request_timeout=15)
        except TelegramUnauthorizedError:
            raise
        except (TelegramAPIError, OSError) as exc:
            delay = backoff.failed()
            log.warning("cannot reach the Bot API at %s (attempt %s): %s; retrying in %.0f s",
                        where, backoff.attempt, exc, delay)
            await _sleep_or_stop(stop, delay)
            continue
        if backoff.attempt:
            log.info("the Bot API at %s answered after %s failed attempts", where, backoff.attempt)
        return me
    return None


class Poller:
    """Long polling: ``getUpdates`` in a loop, each update handled in a task of its own (updates of one
    chat still run one after another: the dispatcher's event isolation). Unlike aiogram's
    ``start_polling`` it lets the runner wait for the handlers still running before anything stops,
    and it confirms the handled updates to Telegram at the end (:meth:`confirm`)."""

    def __init__(self, bot: Bot, dispatcher: Dispatcher, settings: Settings) -> None:
        self.bot = bot
        self.dispatcher = dispatcher
        self.settings = settings
        self.offset: int | None = None
        self._confirmed: int | None = None
        self.tasks: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        """Poll until cancelled. Network errors, 5xx and 409 (another instance, a webhook) are retried with
        :class:`Backoff`, a log line per attempt.

        Raises:
            TelegramUnauthorizedError: the token was revoked.
        """
        allowed = self.dispatcher.resolve_used_update_types()
        timeout = self.settings.polling_timeout
        backoff = Backoff()
        while True:
            try:
                updates = await self.bot.get_updates(offset=self.offset, timeout=timeout, allowed_updates=allowed,
                                                     request_timeout=timeout + 30)
            except TelegramUnauthorizedError:
                raise
            except Exception as exc:  # noqa: BLE001 - network, 5xx, 409, a bad answer: wait and try again
                delay = backoff.failed()
                log.warning("getUpdates failed (attempt %s): %s; retrying in %.0f s", backoff.attempt, exc, delay)
                await asyncio.sleep(delay)
                continue
            if backoff.attempt:
                log.info("getUpdates works again after %s failed attempts", backoff.attempt)
                backoff.reset()
            self._confirmed = self.offset
            for update in updates:
                self.offset = update.update_id + 1
                task = asyncio.create_task(self._handle(update), name=f"update-{update.update_id}")
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)

    async def _handle(self, update: Update) -> None:
        try:
            result = await self.dispatcher.feed_update(self.bot, update)
            if isinstance(result, TelegramMethod):
                await self.dispatcher.silent_call_request(self.bot, result)
        except Exception:  # noqa: BLE001 - logged; one update must not stop the others
            log.exception("update %s failed", update.update_id)

    async def wait_handlers(self, timeout: float) -> int:
        """Wait for the handlers still running, at most ``timeout`` s, then cancel the rest; returns how many
        were cancelled."""
        if not self.tasks:
            return 0
        _, pending = await asyncio.wait(set(self.tasks), timeout=timeout)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=2.0)
        return len(pending)

    async def confirm(self) -> None:
        """Tell Telegram the updates taken so far are done (``getUpdates`` with the next offset, no wait), so
        the next start does not receive them again. Best effort: :mod:`bot.web.once` skips them anyway."""
        if self.offset is None or self.offset == self._confirmed:
            return
        with contextlib.suppress(Exception):
            await self.bot.get_updates(offset=self.offset, limit=1, timeout=0, request_timeout=5)
            self._confirmed = self.offset


def _install_signals(stop: asyncio.Event) -> list[signal.Signals]:
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []

    def on_signal(sig: signal.Signals) -> None:
        if stop.is_set():
            log.warning("received %s again: already stopping", sig.name)
            return
        log.warning("received %s: stopping", sig.name)
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, on_signal, sig)
            installed.append(sig)
    return installed


async def run(settings: Settings, bot: Bot) -> int:
    """Run the bot until SIGTERM/SIGINT; returns the exit code (0 after a clean stop, 2 when the token is
    rejected, the webhook URL refused, or the web server cannot listen in webhook mode)."""
    from bot.app import build_application, prepare_database

    stop = asyncio.Event()
    installed = _install_signals(stop)
    db = await prepare_database(settings)
    app = await build_application(settings, db)
    dispatcher = app.dispatcher
    webhook_mode = settings.webhook_url is not None
    health = Health(settings, db, bot, dispatcher, mode="webhook" if webhook_mode else "polling")
    handler = WebhookHandler(dispatcher, bot, await webhook_secret(db, settings)) if webhook_mode else None
    server = WebServer(build_web_app(settings, db, bot, health, handler), *settings.web_host_port)
    workflow: dict[str, Any] = {"dispatcher": dispatcher, "bots": (bot,)}
    poller: Poller | None = None
    background: list[asyncio.Task[Any]] = []
    started = False
    code = 0
    try:
        try:
            await server.start()
        except OSError as exc:
            if webhook_mode:
                log.error("cannot listen on WEB_LISTEN=%s: %s; the webhook needs it", settings.web_listen, exc)
                return 2
            log.error("cannot listen on WEB_LISTEN=%s: %s; running without /healthz and the web app",
                      settings.web_listen, exc)
        try:
            me = await wait_for_api(bot, settings, stop)
        except TelegramUnauthorizedError:
            log.error(UNAUTHORIZED_MESSAGE)
            return 2
        if me is None:
            return 0
        log.info("starting as @%s (%s mode)", me.username, health.mode)
        await dispatcher.emit_startup(bot=bot, **workflow, **dispatcher.workflow_data)
        started = True
        if handler is not None:
            if not await register_webhook(bot, dispatcher, settings, handler.secret_token or "", stop):
                return 0
            handler.accepting = True
            background.append(asyncio.create_task(watch_webhook(bot, stop), name="webhook-watch"))
        else:
            with contextlib.suppress(TelegramAPIError):
                await bot.delete_webhook(drop_pending_updates=False, request_timeout=15)
            poller = Poller(bot, dispatcher, settings)
            background.append(asyncio.create_task(poller.run(), name="polling"))
        health.state = "running"
        waiter = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait([waiter, *background], return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        for task in done:
            if task is not waiter and not task.cancelled() and isinstance(task.exception(), TelegramUnauthorizedError):
                log.error(UNAUTHORIZED_MESSAGE)
                code = 2
    except WebhookSetupError as exc:
        log.error("%s", exc)
        code = 2
    except TelegramUnauthorizedError:
        log.error(UNAUTHORIZED_MESSAGE)
        code = 2
    finally:
        health.state = "stopping"
        stop.set()
        if handler is not None:
            handler.accepting = False
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)
        timeout = settings.shutdown_timeout
        if poller is not None:
            busy = len(poller.tasks)
            if busy:
                log.info("stopping: waiting for %s update(s) being handled (at most %.0f s)", busy, timeout)
            cancelled = await poller.wait_handlers(timeout)
            if cancelled:
                log.warning("stopping: %s update(s) did not finish within %.0f s and were cut off", cancelled, timeout)
            await poller.confirm()
        if handler is not None and not await handler.wait_idle(timeout):
            log.warning("stopping: %s webhook update(s) did not finish within %.0f s", handler.inflight, timeout)
        if started:
            await dispatcher.emit_shutdown(bot=bot, **workflow, **dispatcher.workflow_data)
        await server.stop()
        await app.close()
        loop = asyncio.get_running_loop()
        for sig in installed:
            loop.remove_signal_handler(sig)
        log.info("stopped")
    return code
