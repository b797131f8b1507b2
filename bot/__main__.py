"""Command line: ``python -m bot run | migrate | backup FILE | sandbox | broadcasts | municipalities import FILE``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from pydantic import ValidationError

from bot.config import Settings
from bot.db import DatabaseTooNewError

log = logging.getLogger("bot")

NO_TOKEN_MESSAGE = (
    "BOT_TOKEN is not set. Create a bot with @BotFather in Telegram (send /newbot), then put its token "
    "into the environment or a .env file: BOT_TOKEN=123456:ABC... "
    "To try the bot without a token, run: python -m bot sandbox"
)


BAD_TOKEN_MESSAGE = (
    "BOT_TOKEN is not a valid bot token: it looks like 123456:ABC-DEF... with no quotes or spaces "
    "(note that `docker run --env-file` keeps quotes: write BOT_TOKEN=123456:ABC... without them)."
)


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        print(f"Invalid settings:\n{exc}", file=sys.stderr)
        raise SystemExit(2) from exc


async def _run(settings: Settings) -> int:
    from aiogram.utils.token import TokenValidationError

    from bot.app import build_bot

    if settings.bot_token is None or not settings.bot_token.get_secret_value().strip():
        print(NO_TOKEN_MESSAGE, file=sys.stderr)
        return 2
    try:
        bot = build_bot(settings)
    except TokenValidationError:
        print(BAD_TOKEN_MESSAGE, file=sys.stderr)
        return 2
    from bot.web.runner import run

    try:
        return await run(settings, bot)
    finally:
        await bot.session.close()


async def _migrate(settings: Settings) -> int:
    from bot.app import prepare_database

    db = await prepare_database(settings)
    version = await db.user_version()
    await db.close()
    print(f"database {settings.database_path}: schema version {version}")
    return 0


async def _import(settings: Settings, path: Path) -> int:
    from bot.app import prepare_database
    from bot.domain import InvalidInput
    from bot.domain.municipalities import import_municipalities

    try:
        data = path.read_bytes()
        data.decode("utf-8")
    except OSError as exc:
        print(f"{path}: cannot read the file ({exc.strerror or exc})", file=sys.stderr)
        return 2
    except UnicodeDecodeError:
        print(f"{path}: the file is not UTF-8 text; save the CSV as UTF-8", file=sys.stderr)
        return 2
    db = await prepare_database(settings)
    try:
        report = await import_municipalities(db, data, force=True)
    except InvalidInput as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return 2
    finally:
        await db.close()
    print(f"{report.total} municipalities: {report.added} added, {report.updated} updated, "
          f"{report.deactivated} no longer listed (kept, hidden)")
    return 0


def _backup(settings: Settings, target: Path, keep: int | None) -> int:
    """``backup FILE [--keep N]``: an online copy of the live database, checked, rotated (bot.ops.backup)."""
    from bot.ops.backup import BackupError, backup

    try:
        report = backup(settings.database_path, target, keep=keep)
    except BackupError as exc:
        print(f"backup failed: {exc}", file=sys.stderr)
        return 1
    print(f"backup {report.path}: {report.size:,} bytes in {report.seconds:.2f} s, integrity ok"
          + (f"; removed {len(report.removed)} older" if report.removed else ""))
    return 0


async def _broadcasts(settings: Settings, limit: int) -> int:
    from bot.app import prepare_database
    from bot.delivery.progress import broadcast_states, broadcasts_table

    db = await prepare_database(settings)
    try:
        states = await broadcast_states(db, limit=limit)
    finally:
        await db.close()
    if not states:
        print("no broadcasts")
        return 0
    for line in broadcasts_table(states, settings.tz):
        print(line)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m bot", description="Jamaat, the citizen-participation bot")
    parser.add_argument("--log-level", default="INFO")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run the bot (long polling, or a webhook when WEBHOOK_URL is set)")
    sub.add_parser("migrate", help="create or upgrade the database")
    sandbox = sub.add_parser("sandbox", help="try the bot in the terminal against a local Bot API emulator")
    sandbox.add_argument("--database", type=Path, default=Path("data/sandbox.sqlite3"))
    sandbox.add_argument("--fresh", action="store_true", help="start from an empty sandbox database")
    bkp = sub.add_parser("backup", help="copy the live database (SQLite online backup), check it, rotate old copies")
    bkp.add_argument("file", type=Path, help="where to write the copy, e.g. /data/backups/jamaat.sqlite3")
    bkp.add_argument("--keep", type=int, default=None, metavar="N",
                     help="name the copy by its UTC time (jamaat-20261202T031500Z.sqlite3) and keep the newest N")
    bcast = sub.add_parser("broadcasts", help="show the state of the newest broadcasts (outbox)")
    bcast.add_argument("--limit", type=int, default=20)
    municipalities = sub.add_parser("municipalities", help="manage the municipality list")
    msub = municipalities.add_subparsers(dest="action", required=True)
    imp = msub.add_parser("import", help="import an updated list (CSV with the columns of kg_municipalities.csv)")
    imp.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    from bot.ops.logs import configure_logging

    configure_logging(args.log_level)
    try:
        if args.command == "sandbox":
            from bot.sandbox.chat import run_sandbox

            return asyncio.run(run_sandbox(database=args.database, fresh=args.fresh))
        settings = _settings()
        configure_logging(args.log_level, settings.log_format, secrets=settings.log_secrets())
        if args.command == "backup":
            return _backup(settings, args.file, args.keep)
        if args.command == "run":
            return asyncio.run(_run(settings))
        if args.command == "migrate":
            return asyncio.run(_migrate(settings))
        if args.command == "broadcasts":
            return asyncio.run(_broadcasts(settings, args.limit))
        if args.command == "municipalities":
            return asyncio.run(_import(settings, args.file))
    except DatabaseTooNewError as exc:
        print(str(exc), file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 130
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
