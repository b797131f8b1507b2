"""Assemble the application from :class:`Settings`: database, i18n, Bot, Dispatcher, routers.

Dependencies reach handlers through the dispatcher's workflow data (``db``, ``settings``), as
aiogram's dependency-injection guide recommends, not through imported globals.
"""

from __future__ import annotations

import gc
import logging
from dataclasses import dataclass

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramAPIError

from bot.config import Settings
from bot.db import Database
from bot.domain.municipalities import import_municipalities
from bot.handlers import build_routers
from bot.handlers.errors import setup_error_handlers
from bot.i18n import Catalogs, build_i18n, set_display_timezone
from bot.flows import DomainErrorMiddleware, NavigationMiddleware, album
from bot.flows.middleware import CallbackAnswers
from bot.middlewares import ChatEventIsolation, ResidentMiddleware
from bot.send import SendBudget, SendPathMiddleware
from bot.send.middleware import PinnedResponseModels, UpdateContextMiddleware
from bot.storage import SQLiteStorage
from bot.ui.reflow import ReflowKeyboards
from bot.web.health import ApiHeartbeat, SchedulerWatch
from bot.web.once import UpdateOnceMiddleware
from bot.web.once import prune as prune_processed_updates

log = logging.getLogger(__name__)

def build_bot(settings: Settings, token: str | None = None) -> Bot:
    """A :class:`Bot` with HTML parse mode, pointed at ``TELEGRAM_API_URL`` when set.

    Raises:
        ValueError: no token (``BOT_TOKEN``) was given.
    """
    token = token or (settings.bot_token.get_secret_value() if settings.bot_token else None)
    if not token:
        raise ValueError("BOT_TOKEN is not set")
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url)) if settings.telegram_api_url \
        else AiohttpSession()
    # the one send path: replies and the outbox share this budget (bot.send; the worker finds it with budget_of)
    session.middleware(PinnedResponseModels())
    session.middleware(ApiHeartbeat())  # the age of the last successful call, for /healthz (bot.web.health)
    session.middleware(ReflowKeyboards())  # buttons too wide to share a row get one each (bot.ui.reflow, issue 12)
    session.middleware(SendPathMiddleware(SendBudget(settings.effective_delivery_rate,
                                                     settings.delivery_per_chat_interval,
                                                     paid=settings.paid_broadcast, total_rate=settings.send_rate)))
    return Bot(token=token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


@dataclass
class Application:
    """Everything a running bot needs; :meth:`close` releases it."""

    settings: Settings
    db: Database
    i18n: Catalogs
    dispatcher: Dispatcher

    async def close(self) -> None:
        """Checkpoint the database's write-ahead log into the file (a copy of the file alone is then
        complete) and close it."""
        try:
            busy, _, _ = tuple(await self.db.fetchone("PRAGMA wal_checkpoint(TRUNCATE)") or (0, 0, 0))
            if busy:
                log.warning("database checkpoint incomplete: another process holds the database")
        except Exception:  # noqa: BLE001 - closing still checkpoints what it can
            log.warning("database checkpoint failed", exc_info=True)
        await self.db.close()


async def prepare_database(settings: Settings) -> Database:
    """Open the database, apply migrations, import the bundled municipality list if it changed.

    Raises:
        bot.db.DatabaseTooNewError: the file was written by a newer version.
    """
    db = await Database.open(settings.database_path)
    try:
        await db.migrate()
        report = await import_municipalities(db)
        if not report.skipped_unchanged_file:
            log.info("municipalities: %s added, %s updated, %s deactivated",
                     report.added, report.updated, report.deactivated)
    except BaseException:
        await db.close()
        raise
    return db


async def build_application(settings: Settings, db: Database | None = None) -> Application:
    """Wire the Dispatcher: SQLite FSM storage, resident/i18n middleware, routers, error handler."""
    set_display_timezone(settings.tz)
    i18n = build_i18n(settings.default_locale)
    db = db or await prepare_database(settings)
    dispatcher = Dispatcher(storage=SQLiteStorage(db), events_isolation=ChatEventIsolation(), db=db, settings=settings)
    dispatcher.update.outer_middleware(UpdateOnceMiddleware())  # an update id once, across restarts (bot.web.once)
    # tags each update's requests and log lines with its update and chat id (bot.send.middleware, bot.ops.logs)
    dispatcher.update.outer_middleware(UpdateContextMiddleware())
    ResidentMiddleware(db, settings).setup(dispatcher)
    album.install(dispatcher)  # before the chat lock: an album's parts reach the handlers once, together
    navigation = NavigationMiddleware()
    dispatcher.message.outer_middleware(navigation)
    dispatcher.callback_query.outer_middleware(navigation)
    dispatcher.callback_query.middleware(CallbackAnswers())  # answers every button once, after its handler
    refusals = DomainErrorMiddleware()  # inside CallbackAnswerMiddleware, so a refusal becomes the button's alert
    dispatcher.message.middleware(refusals)
    dispatcher.callback_query.middleware(refusals)
    dispatcher.include_routers(*build_routers())
    setup_error_handlers(dispatcher)
    dispatcher.startup.register(_on_startup)
    dispatcher.startup.register(_start_delivery)
    dispatcher.shutdown.register(_stop_delivery)
    dispatcher.startup.register(_start_scheduler)
    dispatcher.shutdown.register(_stop_scheduler)
    return Application(settings=settings, db=db, i18n=i18n, dispatcher=dispatcher)


async def _start_scheduler(dispatcher: Dispatcher, db: Database, settings: Settings) -> None:
    """Start the due-work loop (bot.scheduler: survey opening/closing, later reminders) with polling."""
    from bot.scheduler import Scheduler, default_jobs

    watch = SchedulerWatch()  # for /healthz, and a stop between two jobs
    jobs = [watch.tick, *(watch.guard(job) for job in (*default_jobs(), prune_processed_updates))]
    scheduler = Scheduler(db, jobs, interval_s=settings.scheduler_interval_s)
    dispatcher["scheduler"] = scheduler
    dispatcher["scheduler_watch"] = watch
    scheduler.start()


async def _stop_scheduler(dispatcher: Dispatcher) -> None:
    """Stop the due-work loop after the job it is running (the tick's other jobs are skipped)."""
    scheduler = dispatcher.workflow_data.get("scheduler")
    watch = dispatcher.workflow_data.get("scheduler_watch")
    if watch is not None:
        watch.stopping = True
    if scheduler is not None:
        await scheduler.stop()


async def _on_startup(bot: Bot, settings: Settings) -> None:
    """Publish the command list in each language (Telegram shows it by the client's language), then
    freeze what start-up allocated (:func:`gc.freeze`): aiogram, pydantic and the catalogs are some
    hundred thousand long-lived objects that every full collection would otherwise walk again."""
    try:
        await set_commands(bot, settings)
    except TelegramAPIError:
        log.warning("could not set the command list", exc_info=True)
    gc.collect()
    gc.freeze()


async def _start_delivery(bot: Bot, db: Database, settings: Settings, dispatcher: Dispatcher) -> None:
    """Start the outbox worker with the bot (a session of its own on the Bot's send budget, see
    bot.delivery.worker); handlers can reach it as ``delivery_worker`` to wake it after enqueuing.
    """
    from bot.delivery.chats import LinkedChatSends
    from bot.delivery.worker import DeliveryWorker

    worker = DeliveryWorker(db, bot, settings)
    LinkedChatSends.install(worker)  # linked groups and channels: supergroup migration, removal, rights (issue 14)
    await worker.start()
    dispatcher["delivery_worker"] = worker


async def _stop_delivery(dispatcher: Dispatcher) -> None:
    """Stop the outbox worker: requests in flight finish and are recorded, the rest waits for the next start."""
    worker = dispatcher.workflow_data.pop("delivery_worker", None)
    if worker is not None:
        await worker.stop()


async def set_commands(bot: Bot, settings: Settings) -> None:
    """The default command lists (bot.ui.commands); each resident's chat follows their chosen language."""
    from bot.ui.commands import publish_defaults

    await publish_defaults(bot, settings.default_locale)
