"""Survey benchmark: tally time with 1,000,000 votes, and vote throughput through the emulator.

    python bench/surveys.py [--votes 1000000] [--voters 2000] [--concurrency 100]

Part 1 bulk-inserts ``--votes`` ballots of distinct residents into one survey of a temporary,
fully migrated database (the counting triggers run, as in production), then times
:func:`bot.domain.surveys.tally` (the trigger-kept counters; goal < 50 ms) and
:func:`bot.domain.surveys.recount` (``COUNT … GROUP BY`` over the covering index) — median of runs.

Part 2 starts the Bot API emulator on 127.0.0.1 and the real Dispatcher (middlewares, routers,
handlers, SQLite FSM storage), gives ``--voters`` residents a ballot message, and has them all press
a vote button at once (``--concurrency`` updates in flight), then all change their vote. Each
press is a full update: resident load, survey checks, the vote transaction, answerCallbackQuery and
editMessageText against the emulator. Prints votes per second. (The emulator's Telegram rate limits
are off: they limit what the bot sends, not what the database can take.)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import Settings  # noqa: E402
from bot.db import Database  # noqa: E402
from bot.domain import surveys as sv  # noqa: E402
from bot.domain.clock import to_db  # noqa: E402
from bot.domain.municipalities import import_municipalities  # noqa: E402

AK_DEBE = "41708203803000"
OFFICER = 1


async def fresh_db(path: Path) -> Database:
    db = await Database.open(path)
    await db.migrate()
    await import_municipalities(db)
    return db


def bulk_survey(path: Path, voters: int, *, first_id: int = 10_000_000, options: int = 10) -> int:
    """Residents, one open survey and one ballot per resident, inserted with plain sqlite3. Returns the survey id."""
    now = datetime.now(UTC)
    joined = to_db(now - timedelta(days=30))
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    with conn:
        conn.execute("INSERT OR IGNORE INTO residents (telegram_id, first_name, locale, municipality_code, joined_at,"
                     " updated_at) VALUES (?, 'Officer', 'ru', ?, ?, ?)", (OFFICER, AK_DEBE, joined, joined))
        conn.execute("INSERT OR IGNORE INTO officers (telegram_id, municipality_code, granted_by, granted_at)"
                     " VALUES (?, ?, 0, ?)", (OFFICER, AK_DEBE, joined))
        conn.executemany(
            "INSERT INTO residents (telegram_id, first_name, locale, municipality_code, joined_at, updated_at)"
            " VALUES (?, 'R', ?, ?, ?, ?)",
            ((first_id + i, "ky" if i % 2 else "ru", AK_DEBE, joined, joined) for i in range(voters)))
        survey_id = conn.execute(
            "INSERT INTO surveys (municipality_code, question_ky, question_ru, max_choices, opens_at, closes_at,"
            " status, created_by, created_at) VALUES (?, 'Суроо?', 'Вопрос?', 1, ?, ?, 'open', ?, ?)",
            (AK_DEBE, to_db(now - timedelta(hours=1)), to_db(now + timedelta(days=7)), OFFICER, to_db(now)),
        ).lastrowid
        conn.executemany("INSERT INTO survey_options (survey_id, position, text_ky, text_ru) VALUES (?, ?, ?, ?)",
                         ((survey_id, p, f"Вариант {p}", f"Вариант {p}") for p in range(1, options + 1)))
    return survey_id


def bulk_votes(path: Path, survey_id: int, voters: int, *, first_id: int = 10_000_000, options: int = 10) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    stamp = to_db(datetime.now(UTC))
    rng = random.Random(5)
    with conn:
        conn.executemany("INSERT INTO survey_ballots (survey_id, resident_id, recent_joiner, cast_at, updated_at)"
                         " VALUES (?, ?, 0, ?, ?)", ((survey_id, first_id + i, stamp, stamp) for i in range(voters)))
        conn.executemany("INSERT INTO survey_votes (survey_id, resident_id, position) VALUES (?, ?, ?)",
                         ((survey_id, first_id + i, rng.randint(1, options)) for i in range(voters)))
    conn.close()


async def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


async def tally_benchmark(workdir: Path, votes: int) -> None:
    path = workdir / "tally.sqlite3"
    db = await fresh_db(path)
    await db.close()
    started = time.perf_counter()
    survey_id = bulk_survey(path, votes)
    bulk_votes(path, survey_id, votes)
    load_s = time.perf_counter() - started
    db = await Database.open(path)
    counts = await sv.tally(db, survey_id)
    assert counts.ballots == votes and sum(counts.votes.values()) == votes
    tally_ms = await median_ms(lambda: sv.tally(db, survey_id), 51)
    recount_ms = await median_ms(lambda: sv.recount(db, survey_id), 7)
    assert await sv.recount(db, survey_id) == counts
    vote_ms = await median_ms(lambda: sv.cast_vote(db, resident_id=10_000_000 + random.randrange(votes),
                                                   survey_id=survey_id, positions=[random.randint(1, 10)]), 201)
    await db.close()
    size_mb = sum(p.stat().st_size for p in workdir.glob("tally.sqlite3*")) / 1e6
    print(f"[tally] {votes:,} votes in one survey (bulk load with triggers: {load_s:.1f} s, database {size_mb:.0f} MB)")
    print(f"[tally] tally() from counters: median {tally_ms:.3f} ms  (goal < 50 ms: {'OK' if tally_ms < 50 else 'MISSED'})")
    print(f"[tally] recount() COUNT … GROUP BY: median {recount_ms:.1f} ms  (cross-check, equal counts)")
    print(f"[tally] one vote change at this size: median {vote_ms:.2f} ms")


async def throughput_benchmark(workdir: Path, voters: int, concurrency: int) -> None:
    from bot.app import build_application, build_bot
    from bot.i18n import build_i18n
    from bot.sandbox.emulator import BotAPIEmulator

    path = workdir / "throughput.sqlite3"
    db = await fresh_db(path)
    await db.close()
    first = 20_000_000
    survey_id = bulk_survey(path, voters, first_id=first, options=3)
    db = await Database.open(path)
    build_i18n("ky")
    emulator = BotAPIEmulator(token="123456:BENCH")
    await emulator.start()
    settings = Settings(_env_file=None, bot_token="123456:BENCH", database_path=path,
                        telegram_api_url=emulator.base_url, default_locale="ky")
    app = await build_application(settings, db)
    bot = build_bot(settings)
    try:
        await _run_presses(app, bot, emulator, db, survey_id, voters, first, concurrency)
    finally:
        await bot.session.close()
        await emulator.stop()
        await db.close()


async def _run_presses(app, bot, emulator, db: Database, survey_id: int, voters: int, first: int,
                       concurrency: int) -> None:
    from bot.ui.surveys import SurveyCallback, ballot_keyboard

    survey = await sv.get_survey(db, survey_id)
    message_ids: dict[int, int] = {}

    for i in range(voters):
        uid = first + i
        emulator.add_user(uid, "R")  # same profile as stored: the middleware only reads
        emulator.send_text(uid, "/start")  # the person opened the chat (not fed: setup only)
        sent = await bot.send_message(uid, "ballot", reply_markup=ballot_keyboard(survey, "ru"))
        message_ids[uid] = sent.message_id

    semaphore = asyncio.Semaphore(concurrency)

    async def press(uid: int, position: int) -> None:
        data = SurveyCallback(action="vote", survey_id=survey_id, value=position).pack()
        update = emulator.press_button(uid, message_ids[uid], data)
        async with semaphore:
            await app.dispatcher.feed_raw_update(bot, update)

    for label, offset in (("first votes", 0), ("changed votes", 1)):
        answers_before = len(emulator.callback_answers)
        started = time.perf_counter()
        await asyncio.gather(*(press(first + i, (i + offset) % 3 + 1) for i in range(voters)))
        elapsed = time.perf_counter() - started
        answers = emulator.callback_answers[answers_before:]
        ok = sum(1 for a in answers if a.get("text") and "✅" in a["text"])
        counts = await sv.tally(db, survey_id)
        print(f"[throughput] {label}: {voters:,} residents pressing at once (concurrency {concurrency}): "
              f"{elapsed:.2f} s = {voters / elapsed:,.0f} votes/s; confirmed {ok:,}; ballots in DB {counts.ballots:,}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--votes", type=int, default=1_000_000)
    parser.add_argument("--voters", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="jamaat-bench-") as tmp:
        workdir = Path(tmp)
        await tally_benchmark(workdir, args.votes)
        await throughput_benchmark(workdir, args.voters, args.concurrency)
    print(f"[machine] {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}")


if __name__ == "__main__":
    asyncio.run(main())
