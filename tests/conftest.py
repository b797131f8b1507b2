"""Shared fixtures: a migrated database with the real municipality list, the Bot API emulator,
and the real Dispatcher wired to both."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from bot.db import Database
from bot.domain.municipalities import import_municipalities
from bot.i18n import build_i18n
from tests.support import SUPERADMIN_ID

# Every bot the tests start (in process, or `python -m bot` inheriting this environment) serves its web
# server (/healthz, the web app) on a free port: two at once would otherwise both want 127.0.0.1:8080.
os.environ.setdefault("WEB_LISTEN", "127.0.0.1:0")

DEFAULT_START = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
"""Tuesday 1 December 2026, 12:00 in Bishkek: the frozen clock's start unless a module sets ``START``."""


class FrozenClock:
    """The domain clock held at a moment: ``now`` (aware UTC), moved with :meth:`set` or :meth:`advance`."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def set(self, moment: datetime) -> None:
        self.now = moment

    def advance(self, delta: timedelta) -> datetime:
        self.now += delta
        return self.now

    def __getitem__(self, key: str) -> datetime:  # the older tests' ``fixed_clock["t"]``
        assert key == "t"
        return self.now

    def __setitem__(self, key: str, value: datetime) -> None:
        assert key == "t"
        self.now = value


@pytest.fixture
def frozen_clock(request: pytest.FixtureRequest):
    """Freeze ``bot.domain.clock`` at the test module's ``START`` (or :data:`DEFAULT_START`); use with
    ``pytestmark = pytest.mark.usefixtures("frozen_clock")`` or as an argument to move time."""
    from bot.domain.clock import clock

    frozen = FrozenClock(getattr(request.module, "START", DEFAULT_START))
    clock.set(lambda: frozen.now)
    yield frozen
    clock.set(None)


async def close_bot(bot) -> None:
    """Close a test bot's HTTP session at once: aiogram's ``AiohttpSession.close`` waits 250 ms for TLS
    connections to shut down, and the emulator speaks plain HTTP on 127.0.0.1."""
    session = getattr(bot.session, "_session", None)
    if session is not None and not session.closed:
        await session.close()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file migrated and loaded with the bundled 484 municipalities, made once per run."""
    import asyncio

    path = tmp_path_factory.mktemp("template") / "template.sqlite3"

    async def make() -> None:
        db = await Database.open(path)
        await db.migrate()
        await import_municipalities(db)
        await db.fetchval("PRAGMA wal_checkpoint(TRUNCATE)")
        await db.close()

    asyncio.run(make())
    return path


@pytest.fixture
def db_path(template_db: Path, tmp_path: Path) -> Path:
    """A fresh copy of the template database for one test."""
    target = tmp_path / "jamaat.sqlite3"
    shutil.copyfile(template_db, target)
    return target


@pytest.fixture
async def db(db_path: Path):
    """An open :class:`Database` on a fresh copy of the template."""
    database = await Database.open(db_path)
    yield database
    await database.close()


@pytest.fixture(scope="session", autouse=True)
def i18n():
    """Catalogs compiled and loaded once."""
    return build_i18n("ky")


@pytest.fixture
def settings(db_path: Path) -> Settings:
    """Settings for one test; the emulator URL is filled in by the ``chat`` fixture."""
    return Settings(
        _env_file=None,
        bot_token="123456:TEST",
        database_path=db_path,
        superadmin_ids=str(SUPERADMIN_ID),
        default_locale="ky",
    )


@pytest.fixture
async def emulator():
    """A Bot API emulator on 127.0.0.1 with a free port."""
    from bot.sandbox.emulator import BotAPIEmulator

    emu = BotAPIEmulator(token="123456:TEST")
    await emu.start()
    yield emu
    await emu.stop()


@pytest.fixture
async def harness(emulator, settings: Settings, db: Database):
    """The real Dispatcher with the real routers and middlewares, its Bot pointed at the emulator."""
    from bot.app import build_application, build_bot
    from tests.harness import Harness

    settings = settings.model_copy(update={"telegram_api_url": emulator.base_url})
    app = await build_application(settings, db)
    bot = build_bot(settings)
    yield Harness(emulator, bot, app.dispatcher)
    await close_bot(bot)
