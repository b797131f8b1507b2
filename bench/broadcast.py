"""Benchmark of the delivery engine: a broadcast to many residents against the Bot API emulator.

Prints figures (not a test). The emulator runs in a child process with Telegram's flood control
on (30 messages/s overall, 1/s per chat, 1,000/s with ``allow_paid_broadcast``), so the bot
process measured here (worker, database, aiogram) is alone in its process, as in production.

Scenarios:
  a  default limit (DELIVERY_RATE 25/s), everyone reachable: the sustained rate when nothing else is
     sent (goal: at least 0.95 of DELIVERY_RATE)
  b  default limit, 5 % of the residents blocked the bot, a 429 (retry_after 1 s) injected every 30 s
  c  paid broadcast (PAID_BROADCAST on, 1,000/s)
  d  the load of a municipality at once: a broadcast to ``--recipients`` residents; 30 of them use the
     bot at human pace (a text every 2–6 s, answered with 1–3 messages, as a preview is) through the
     application's Bot (bot.app.build_bot, the real send path) polled by a Dispatcher; 4 s later a
     50-recipient announcement to another municipality is queued behind it. Measured in the emulator
     (residents' side): replies lost (not all parts within 75 s), reply latency p50/p95/p99 to the
     last part; time from queuing to the small announcement's first copy (goal: within 5 s) and to
     its last; the big broadcast's rate meanwhile. Runs for ``--interact`` seconds, not to the end.

Usage: python bench/broadcast.py [--recipients 10000] [--scenarios abcd] [--interact 120]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TOKEN = "123456:TEST"
FIRST_ID = 1_000_000
OTHER_FIRST_ID = 5_000_000
"""Residents of the other municipality (scenario d's small announcement)."""
SMALL = 50
PEOPLE = 30


def _emulator_process(conn, n: int, blocked_every: int, inject_429_every: float, others: int = 0) -> None:
    """Child: run the emulator until told to stop; answer "stats" with what Telegram would have seen."""
    from bot.sandbox.emulator import BotAPIEmulator
    from tests.delivery_helpers import drop_updates, open_chats

    async def main() -> None:
        emu = BotAPIEmulator(token=TOKEN, rate_limits_enabled=True)
        await emu.start()
        ids = list(range(FIRST_ID, FIRST_ID + n))
        open_chats(emu, ids + list(range(OTHER_FIRST_ID, OTHER_FIRST_ID + others)))
        await drop_updates(emu.base_url, TOKEN)
        blocked = ids[::blocked_every] if blocked_every else []
        for rid in blocked:
            emu.block_bot(rid)
        conn.send(emu.base_url)

        async def inject() -> None:
            while inject_429_every:
                await asyncio.sleep(inject_429_every)
                emu.inject_error("sendMessage", 429, "", retry_after=1)

        injector = asyncio.create_task(inject())
        loop = asyncio.get_running_loop()
        people: list[asyncio.Task[list[float | None]]] = []
        while True:
            command = await loop.run_in_executor(None, conn.recv)
            if isinstance(command, tuple) and command[0] == "residents":
                _, residents, seconds = command
                until = time.monotonic() + seconds
                people = [asyncio.create_task(_resident(emu, rid, until, seed)) for seed, rid in enumerate(residents)]
                conn.send("started")
            elif command == "resident_stats":
                results = await asyncio.gather(*people)
                conn.send([x for r in results for x in r])
            elif command == "stats":
                copies = Counter()
                for rid in ids:
                    copies[sum(1 for m in emu.bot_messages(rid) if m.get("text", "").startswith(("Кулактандыруу", "Объявление")))] += 1
                codes = Counter(m for m, _ in emu.requests)
                conn.send({"copies": dict(copies), "blocked": len(blocked), "requests": dict(codes)})
            else:
                break
        injector.cancel()
        await emu.stop()

    asyncio.run(main())


async def _resident(emu, rid: int, until: float, seed: int) -> list[float | None]:
    """One person using the bot at human pace: a text every 2–6 s, waiting for the whole answer
    (1–3 messages); returns each action's latency to its last message in seconds, ``None`` if lost."""
    import random

    rng = random.Random(seed)
    results: list[float | None] = []
    n = 0
    while True:
        await asyncio.sleep(rng.uniform(2.0, 6.0))
        if time.monotonic() >= until:
            return results
        n += 1
        parts = rng.choices([1, 2, 3], [6, 3, 1])[0]
        update = emu.send_text(rid, f"ping {n} {parts}")
        start = time.monotonic()
        last = f"pong {n} {parts}/{parts}"
        try:
            await emu.wait_for_bot_message(rid, after=update["message"]["message_id"],
                                           predicate=lambda m, last=last: m.get("text") == last, timeout=75)
            results.append(time.monotonic() - start)
        except TimeoutError:
            results.append(None)


async def _prepare(db_path: Path, n: int) -> int:
    from bot.db import Database
    from bot.domain.municipalities import import_municipalities
    from bot.domain.outbox import Audience, Content, LocalizedMessage, enqueue
    from tests.delivery_helpers import AK_DEBE, add_residents

    db = await Database.open(db_path)
    await db.migrate()
    await import_municipalities(db)
    await add_residents(db, list(range(FIRST_ID, FIRST_ID + n)))
    content = Content({"ky": LocalizedMessage("<b>Кулактандыруу</b>: эртең саат 10:00до коомдук угуу."),
                       "ru": LocalizedMessage("<b>Объявление</b>: завтра в 10:00 публичные слушания.")})
    async with db.transaction() as tx:
        bid = await enqueue(tx, kind="announcement", audience=Audience.municipality(AK_DEBE), content=content,
                            sender_id=FIRST_ID + 1)
    await db.close()
    return bid


async def _run(name: str, n: int, *, paid: bool, blocked_every: int, inject_429_every: float) -> None:
    from aiogram import Bot
    from aiogram.client.default import DefaultBotProperties
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer

    from bot.config import Settings
    from bot.db import Database
    from bot.delivery.progress import broadcast_state
    from bot.delivery.worker import DeliveryWorker
    from bot.i18n import build_i18n

    build_i18n("ky")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    parent, child = mp.Pipe()
    proc = mp.get_context("spawn").Process(target=_emulator_process, args=(child, n, blocked_every, inject_429_every))
    proc.start()
    base_url = parent.recv()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.sqlite3"
        bid = await _prepare(db_path, n)
        settings = Settings(_env_file=None, bot_token=TOKEN, paid_broadcast=paid)
        db = await Database.open(db_path)
        bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(base_url)),
                  default=DefaultBotProperties(parse_mode="HTML"))
        worker = DeliveryWorker(db, bot, settings)
        t0 = time.monotonic()
        await worker.start()
        await worker.wait_idle(timeout=n / worker.rate * 3 + 120)
        wall = time.monotonic() - t0
        await worker.stop()
        state = await broadcast_state(db, bid)
        await bot.session.close()
        await db.close()
    parent.send("stats")
    seen = parent.recv()
    parent.send("stop")
    proc.join(10)
    stats = worker.stats
    span = (stats.last_answer or 0) - (stats.first_request or 0)
    requests = seen["requests"].get("sendMessage", 0)
    rate = requests / span if span > 0 else 0.0
    delivered = state.sent
    print(f"\n== {name}: {n:,} recipients, configured {worker.rate:.0f} msg/s, {worker.concurrency} concurrent")
    print(f"   sendMessage requests {requests:,} in {span:.1f} s (first request to last answer): "
          f"{rate:.1f} req/s = {rate / worker.rate:.3f} of the configured limit")
    print(f"   delivered {delivered:,} ({delivered / span:.1f} msg/s), failed {state.failed:,} "
          f"(blocked {state.blocked:,}; emulator had {seen['blocked']:,} blocked), possible duplicates "
          f"{state.possible_duplicates}, 429 answers {stats.rate_limited}, retries {stats.retried}")
    print(f"   copies per recipient (emulator): {dict(sorted(seen['copies'].items()))}; "
          f"wall time incl. start/finish {wall:.1f} s; journal commits {worker.journal.commits:,}")
    print(f"   peak memory so far (maxrss): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MiB; "
          f"before the run: {before / 1024:.1f} MiB")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


async def _run_interactive(n: int, interact: float) -> None:
    """Scenario d (see the module docstring)."""
    from aiogram import Dispatcher, F
    from aiogram.exceptions import TelegramAPIError
    from aiogram.types import Message

    from bot.app import build_bot
    from bot.config import Settings
    from bot.db import Database
    from bot.delivery.progress import broadcast_state
    from bot.delivery.worker import DeliveryWorker
    from bot.domain.outbox import Audience, Content, LocalizedMessage, enqueue
    from bot.i18n import build_i18n
    from tests.delivery_helpers import AK_DEBE, add_residents

    build_i18n("ky")
    parent, child = mp.Pipe()
    proc = mp.get_context("spawn").Process(target=_emulator_process, args=(child, n, 0, 0.0, SMALL))
    proc.start()
    base_url = parent.recv()
    people = list(range(FIRST_ID + 7, FIRST_ID + n, max(1, n // PEOPLE)))[:PEOPLE]
    handler_errors = 0
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.sqlite3"
        big = await _prepare(db_path, n)
        db = await Database.open(db_path)
        other = await db.fetchval("SELECT code FROM municipalities WHERE code != ? ORDER BY code LIMIT 1", (AK_DEBE,))
        await add_residents(db, list(range(OTHER_FIRST_ID, OTHER_FIRST_ID + SMALL)), municipality=other)
        settings = Settings(_env_file=None, bot_token=TOKEN, telegram_api_url=base_url)
        bot = build_bot(settings)
        dp = Dispatcher()

        @dp.message(F.text.startswith("ping "))
        async def ping(message: Message) -> None:
            nonlocal handler_errors
            _, number, parts = (message.text or "").split()
            try:
                for j in range(1, int(parts) + 1):
                    await message.answer(f"pong {number} {j}/{parts}")
            except TelegramAPIError:
                handler_errors += 1

        polling = asyncio.create_task(dp.start_polling(bot, polling_timeout=1, handle_signals=False,
                                                       close_bot_session=False))
        worker = DeliveryWorker(db, bot, settings)
        parent.send(("residents", people, interact))
        await asyncio.get_running_loop().run_in_executor(None, parent.recv)
        t0 = time.monotonic()
        await worker.start()
        await asyncio.sleep(4.0)
        content = Content({"ky": LocalizedMessage("<b>Кулактандыруу</b>: жолугушуу саат 18:00до."),
                           "ru": LocalizedMessage("<b>Объявление</b>: встреча в 18:00.")})
        async with db.transaction() as tx:
            small = await enqueue(tx, kind="announcement", audience=Audience.municipality(other), content=content,
                                  sender_id=OTHER_FIRST_ID)
        queued_at = time.monotonic()
        worker.wake()
        first = last = None
        while time.monotonic() - t0 < interact:
            sent = await db.fetchval("SELECT count(*) FROM deliveries WHERE broadcast_id = ? AND status = 'sent'",
                                     (small,))
            if sent and first is None:
                first = time.monotonic() - queued_at
            if sent >= SMALL and last is None:
                last = time.monotonic() - queued_at
            await asyncio.sleep(0.05)
        big_state = await broadcast_state(db, big)
        elapsed = time.monotonic() - t0
        parent.send("resident_stats")  # the residents still waiting get their answers meanwhile
        latencies = await asyncio.get_running_loop().run_in_executor(None, parent.recv)
        await worker.stop()
        await dp.stop_polling()
        await polling
        send_path = next((m for m in bot.session.middleware if hasattr(m, "gave_up")), None)
        await bot.session.close()
        await db.close()
    parent.send("stop")
    proc.join(10)
    done = [x for x in latencies if x is not None]
    lost = len(latencies) - len(done)
    print(f"\n== d) {n:,}-recipient broadcast, {len(people)} residents using the bot for {interact:.0f} s, "
          f"a {SMALL}-recipient announcement queued 4 s after it")
    print(f"   replies: {len(latencies):,} actions, lost {lost}, handler errors {handler_errors}; latency to the "
          f"last part p50 {_percentile(done, 50) * 1000:.0f} ms, p95 {_percentile(done, 95) * 1000:.0f} ms, "
          f"p99 {_percentile(done, 99) * 1000:.0f} ms, max {max(done, default=0) * 1000:.0f} ms")
    if send_path is not None:
        print(f"   send path: 429s waited out {send_path.retried}, given up {send_path.gave_up}; "
              f"budget {send_path.budget.stats.as_dict()}")
    print(f"   small announcement: first copy after {first if first is None else round(first, 2)} s, "
          f"all {SMALL} after {last if last is None else round(last, 2)} s")
    print(f"   big broadcast meanwhile: {big_state.sent:,} sent in {elapsed:.1f} s = {big_state.sent / elapsed:.1f} msg/s; "
          f"outbox 429 answers {worker.stats.rate_limited}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--scenarios", default="abcd")
    parser.add_argument("--interact", type=float, default=120.0, help="seconds residents use the bot in scenario d")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    n = args.recipients
    if "a" in args.scenarios:
        asyncio.run(_run("a) default limit", n, paid=False, blocked_every=0, inject_429_every=0))
    if "b" in args.scenarios:
        asyncio.run(_run("b) default limit, 5% blocked, a 429 every 30 s", n, paid=False, blocked_every=20,
                         inject_429_every=30.0))
    if "c" in args.scenarios:
        asyncio.run(_run("c) paid broadcast", n, paid=True, blocked_every=0, inject_429_every=0))
    if "d" in args.scenarios:
        asyncio.run(_run_interactive(n, args.interact))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rss = next((line.split()[1] for line in Path("/proc/self/status").read_text().splitlines()
                if line.startswith("VmRSS:")), "0") if Path("/proc/self/status").exists() else "0"
    print(f"\npeak memory (maxrss) of the bot process: {peak / 1024:.1f} MiB, resident now {int(rss) / 1024:.1f} MiB "
          f"(the emulator runs in a child process, not counted; importing aiogram alone peaks at ~165 MiB)")


if __name__ == "__main__":
    main()
