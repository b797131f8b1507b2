"""The command line (``python -m bot …``): clear exits on bad settings, the broadcasts table.

The ``slow`` tests start ``python -m bot`` as a process of its own, as an operator would.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.db import Database
from bot.domain.outbox import Audience, Content, LocalizedMessage, enqueue
from tests.support import AK_DEBE

ROOT = Path(__file__).resolve().parent.parent


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "TELEGRAM_API_URL", "DATABASE_PATH")}
    env.update({"PYTHONUNBUFFERED": "1", "DEFAULT_LOCALE": "ky"}, **extra)
    return env


@pytest.mark.slow
def test_a_quoted_token_exits_with_a_clear_message(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "BOT_TOKEN": '"123:abc"',
             "DATABASE_PATH": str(tmp_path / "x.sqlite3")},
    )
    assert result.returncode == 2
    assert "BOT_TOKEN is not a valid bot token" in result.stderr


@pytest.mark.slow
def test_run_without_a_token_says_where_to_get_one(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=_env(PYTHONPATH=str(ROOT)),
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert "BOT_TOKEN is not set" in result.stderr and "@BotFather" in result.stderr


@pytest.mark.slow
def test_a_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    database = tmp_path / "future.sqlite3"
    env = _env(PYTHONPATH=str(ROOT), DATABASE_PATH=str(database))
    first = subprocess.run([sys.executable, "-m", "bot", "migrate"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=60)
    assert first.returncode == 0, first.stderr
    with sqlite3.connect(database) as conn:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        conn.execute(f"PRAGMA user_version = {version + 1}")
    second = subprocess.run([sys.executable, "-m", "bot", "migrate"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    assert second.returncode != 0
    assert "newer version" in second.stderr or "knows migrations only up to" in second.stderr


def test_broadcasts_command_shows_whole_kind_municipality_name_sender_and_local_times(
    db_path, monkeypatch, capsys
) -> None:
    kind = "hearing_reminder_one_hour"  # longer than the 16 characters it used to be cut at
    content = Content({"ky": LocalizedMessage("Салам"), "ru": LocalizedMessage("Привет")})

    async def prepare() -> tuple[int, int]:
        db = await Database.open(db_path)
        try:
            async with db.transaction() as tx:
                first = await enqueue(tx, kind=kind, audience=Audience.residents([]), content=content,
                                      municipality_code=AK_DEBE, sender_id=777000111)
                second = await enqueue(tx, kind="system_notice", audience=Audience.residents([]), content=content)
                await tx.execute("UPDATE broadcasts SET started_at = ?, finished_at = ? WHERE id = ?",
                                 ("2026-11-29T22:44:00Z", "2026-11-29T23:05:00Z", first))
        finally:
            await db.close()
        return first, second

    first, second = asyncio.run(prepare())
    monkeypatch.setenv("DATABASE_PATH", str(db_path))
    monkeypatch.setenv("TIMEZONE", "Asia/Bishkek")
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    assert main(["broadcasts"]) == 0
    out = capsys.readouterr().out.splitlines()
    header = out[0]
    assert "sender" in header and "municipality" in header
    row = next(line for line in out if line.split()[0] == str(first))
    assert kind in row
    assert f"Ак-Дебенский айылный аймак ({AK_DEBE})" in row
    assert "777000111" in row
    assert "2026-11-30 04:44 +06" in row and "2026-11-30 05:05 +06" in row  # 22:44 UTC is 04:44 in Bishkek
    system = next(line for line in out if line.split()[0] == str(second))
    assert "system_notice" in system and "777000111" not in system and "—" in system
    # the columns line up: the kind column starts at the same place in every line
    assert header.index("kind") == row.index(kind) == system.index("system_notice")
    assert header.index("sender") + len("sender") == row.index("777000111") + len("777000111")  # right-aligned


def test_times_are_marked_with_the_zone() -> None:
    from zoneinfo import ZoneInfo

    from bot.delivery.progress import _local_time

    assert _local_time("2026-11-29T22:44:00Z", ZoneInfo("Asia/Bishkek")) == "2026-11-30 04:44 +06"
    assert _local_time(None, ZoneInfo("Asia/Bishkek")) == "—"
