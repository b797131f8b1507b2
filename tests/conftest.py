"""Shared fixtures: a migrated database with the real municipality list, the Bot API emulator,
and the real Dispatcher wired to both."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import Settings
from bot.db import Database
from bot.domain.municipalities import import_municipalities
from bot.i18n import build_i18n

SUPERADMIN_ID = 900_000_001


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
    await bot.session.close()
