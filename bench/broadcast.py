"""Benchmark of the delivery engine: a broadcast to many residents against the Bot API emulator.

Prints figures (not a test). The emulator runs in a child process with Telegram's flood control
on (30 messages/s overall, 1/s per chat, 1,000/s with ``allow_paid_broadcast``), so the bot
process measured here (worker, database, aiogram) is alone in its process, as in production.

Scenarios:
  a  default limit (DELIVERY_RATE 25/s), everyone reachable
  b  default limit, 5 % of the residents blocked the bot, a 429 (retry_after 1 s) injected every 30 s
  c  paid broadcast (PAID_BROADCAST on, 1,000/s)

Usage: python bench/broadcast.py [--recipients 10000] [--scenarios abc]
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


def _emulator_process(conn, n: int, blocked_every: int, inject_429_every: float) -> None:
    """Child: run the emulator until told to stop; answer "stats" with what Telegram would have seen."""
    from bot.sandbox.emulator import BotAPIEmulator
    from tests.delivery_helpers import drop_updates, open_chats

    async def main() -> None:
        emu = BotAPIEmulator(token=TOKEN, rate_limits_enabled=True)
        await emu.start()
        ids = list(range(FIRST_ID, FIRST_ID + n))
        open_chats(emu, ids)
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
        while True:
            command = await loop.run_in_executor(None, conn.recv)
            if command == "stats":
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--scenarios", default="abc")
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
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rss = next((line.split()[1] for line in Path("/proc/self/status").read_text().splitlines()
                if line.startswith("VmRSS:")), "0") if Path("/proc/self/status").exists() else "0"
    print(f"\npeak memory (maxrss) of the bot process: {peak / 1024:.1f} MiB, resident now {int(rss) / 1024:.1f} MiB "
          f"(the emulator runs in a child process, not counted; importing aiogram alone peaks at ~165 MiB)")


if __name__ == "__main__":
    main()
