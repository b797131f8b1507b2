"""End-to-end update handling: Jamaat against a minimal aiogram echo bot, in one run.

Prints figures (not a test). Each bot polls the Bot API emulator from a process of its own (the
real ``python -m bot run`` for Jamaat); this driver process runs the emulator and the simulated
residents, who send texts and press buttons the way people use the bot (main menu, problem list,
a problem card, support, a survey vote, hearings). A reply is "the bot's first message, edit or
button answer in that chat after the update was sent"; reads and writes are timed apart.

Figures: saturation throughput (closed loop, every resident acting back to back) and its ratio to the
echo bot's; CPU milliseconds of the bot process per update; reply latency p50/p95/p99 at an offered
50 and 100 updates/s (open loop), split into reads and writes; SQL statements per update (counted
in-process through the real dispatcher); peak RSS of the bot process.

Usage: python bench/updates.py [--residents 300] [--seconds 20] [--only jamaat|echo]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN = "123456:TEST"
FIRST_ID = 2_000_000
AK_DEBE = "41708203803000"

ECHO_BOT = r'''
import asyncio, sys
from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

KB = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=f"b{i}", callback_data=f"b:{i}")
                                            for i in range(3)]])
dp = Dispatcher()

@dp.message(F.text)
async def echo(message: Message) -> None:
    await message.answer(message.text, reply_markup=KB)

@dp.callback_query()
async def press(callback: CallbackQuery) -> None:
    text = f"pressed {callback.data}" if callback.message.text != f"pressed {callback.data}" else "again"
    await callback.message.edit_text(text, reply_markup=KB)
    await callback.answer()  # last, as Jamaat's CallbackAnswerMiddleware does

async def main() -> None:
    bot = Bot(sys.argv[2], session=AiohttpSession(api=TelegramAPIServer.from_base(sys.argv[1])))
    await dp.start_polling(bot, handle_signals=True, polling_timeout=10)

asyncio.run(main())
'''


@dataclass
class Stats:
    """Latencies in seconds by kind (``read``/``write``) and counts."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    lost: int = 0

    def add(self, kind: str, seconds: float | None) -> None:
        if seconds is None:
            self.lost += 1
        else:
            self.latencies[kind].append(seconds)

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.latencies.values())


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def _peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Watch:
    """Tells when the bot has answered an update: a button press when its callback query is answered
    (both bots answer after their edits and messages), a text when the first message comes back."""

    def __init__(self, emu: Any) -> None:
        from bot.sandbox.emulator import _Method

        self.emu = emu
        self.answered: dict[str, asyncio.Event] = {}
        self.messages: dict[int, asyncio.Event] = defaultdict(asyncio.Event)
        for name in ("sendMessage", "sendPhoto", "sendDocument", "answerCallbackQuery"):
            method = emu._methods[name.lower()]
            emu._methods[name.lower()] = _Method(method.name, self._wrap(name, method.handler))

    def _wrap(self, name: str, handler: Any) -> Any:
        def wrapped(params: dict[str, Any], uploads: Any) -> Any:
            result = handler(params, uploads)
            if name == "answerCallbackQuery":
                event = self.answered.get(str(params.get("callback_query_id")))
                if event is not None:
                    event.set()
            elif params.get("chat_id") is not None:
                self.messages[int(params["chat_id"])].set()
            return result
        return wrapped

    async def reply(self, chat: int, send: Any, timeout: float = 30.0) -> float | None:
        """Run ``send()`` (which enqueues an update) and return seconds until the bot answered it."""
        start = time.perf_counter()
        event = self.messages[chat]
        event.clear()
        update = send()
        query = update.get("callback_query")
        if query is not None:
            event = self.answered.setdefault(str(query["id"]), asyncio.Event())
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            return None
        finally:
            if query is not None:
                self.answered.pop(str(query["id"]), None)
        return time.perf_counter() - start


# -- the residents' actions --------------------------------------------------------------------------

WRITES = ("support", "vote")
CYCLE = ("menu", "problems", "ranked", "card", "support", "menu", "surveys", "ballot", "vote", "menu", "hearings")
"""What a resident does, over and over: the main menu, the problems home, the ranked list, a card,
support (or withdraw), back to the menu, the survey list, the ballot, a vote, the menu, the hearings."""


def _button(emu: Any, chat: int, predicate: Any) -> tuple[int, str] | None:
    for message in reversed(emu.bot_messages(chat)[-4:]):
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data and predicate(button["text"], data):
                    return message["message_id"], data
    return None


class Jamaat:
    """The cycle on Jamaat's real screens (Russian labels; residents onboarded in Ак-Дебе)."""

    name = "jamaat"
    labels = {
        "problems": lambda t, d: t.startswith("📢"),
        "ranked": lambda t, d: t.startswith("📋"),
        "card": lambda t, d: d.startswith("pb:open:"),  # list buttons carry a title: match the data
        "support": lambda t, d: "Поддержать" in t or "Отозвать" in t,
        "surveys": lambda t, d: t.startswith("🗳"),
        "ballot": lambda t, d: d.startswith("sv:open:"),
        "vote": lambda t, d: d.startswith("sv:vote:"),
        "hearings": lambda t, d: t.startswith("📣"),
    }

    def __init__(self, emu: Any) -> None:
        self.emu = emu
        self.misses: dict[str, int] = defaultdict(int)

    def step(self, chat: int, action: str) -> tuple[str, Any]:
        emu = self.emu
        kind = "write" if action in WRITES else "read"
        press = _button(emu, chat, self.labels[action]) if action in self.labels else None
        if press is None:
            if action != "menu":
                self.misses[action] += 1
                if os.environ.get("BENCH_DEBUG") and self.misses[action] == 1:
                    last = emu.bot_messages(chat)[-1:]
                    print(action, "missing; last:", [(m.get("text", "")[:60], [b["text"] for r in
                          (m.get("reply_markup") or {}).get("inline_keyboard", []) for b in r]) for m in last])
            return "read", lambda: emu.send_text(chat, "/menu")
        return kind, lambda: emu.press_button(chat, press[0], press[1])


class Echo:
    """The same cycle on the echo bot: texts are echoed, buttons edit the message."""

    name = "echo"

    def __init__(self, emu: Any) -> None:
        self.emu = emu
        self.misses: dict[str, int] = defaultdict(int)

    def step(self, chat: int, action: str) -> tuple[str, Any]:
        kind = "write" if action in WRITES else "read"
        press = _button(self.emu, chat, lambda t, d: True) if action != "menu" else None
        if press is None:
            return "read", lambda: self.emu.send_text(chat, "/menu")
        return kind, lambda: self.emu.press_button(chat, press[0], press[1])


async def closed_loop(watch: Watch, driver: Any, ids: list[int], seconds: float) -> Stats:
    stats = Stats()
    stop = time.perf_counter() + seconds

    async def resident(chat: int) -> None:
        position = random.Random(chat).randrange(len(CYCLE))
        while time.perf_counter() < stop:
            kind, send = driver.step(chat, CYCLE[position % len(CYCLE)])
            position += 1
            stats.add(kind, await watch.reply(chat, send))

    await asyncio.gather(*(resident(chat) for chat in ids))
    return stats


async def open_loop(watch: Watch, driver: Any, ids: list[int], rate: float, seconds: float) -> Stats:
    stats = Stats()
    busy: set[int] = set()
    rng = random.Random(rate)
    tasks: list[asyncio.Task[None]] = []
    positions = {chat: random.Random(chat).randrange(len(CYCLE)) for chat in ids}

    async def act(chat: int) -> None:
        busy.add(chat)
        try:
            kind, send = driver.step(chat, CYCLE[positions[chat] % len(CYCLE)])
            positions[chat] += 1
            stats.add(kind, await watch.reply(chat, send))
        finally:
            busy.discard(chat)

    start = time.perf_counter()
    n = 0
    while (now := time.perf_counter()) - start < seconds:
        due = start + n / rate
        if due > now:
            await asyncio.sleep(due - now)
        free = [c for c in rng.sample(ids, min(len(ids), 20)) if c not in busy]
        if free:
            tasks.append(asyncio.create_task(act(free[0])))
        n += 1
    await asyncio.gather(*tasks)
    return stats


# -- set-up -------------------------------------------------------------------------------------------

async def prepare_database(path: Path, ids: list[int]) -> None:
    """Residents onboarded in Ак-Дебе (Russian), 40 problems with supports, an open survey, a hearing."""
    from datetime import timedelta

    from bot.db import Database
    from bot.domain.clock import clock, to_db
    from bot.domain.municipalities import import_municipalities

    db = await Database.open(path)
    await db.migrate()
    await import_municipalities(db)
    now = clock.now()
    async with db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO residents (telegram_id, first_name, language_code, locale, municipality_code, joined_at,"
            " updated_at) VALUES (?, ?, 'ru', 'ru', ?, ?, ?)",
            [(rid, f"R{rid}", AK_DEBE, to_db(now - timedelta(days=30)), to_db(now)) for rid in ids])
        await tx.execute("INSERT INTO officers (telegram_id, municipality_code, granted_by, granted_at)"
                         " VALUES (?, ?, 0, ?)", (ids[0], AK_DEBE, to_db(now)))
    await db.close()
    await _seed_features(path, ids)


async def _seed_features(path: Path, ids: list[int]) -> None:
    """Problems with supports and an open survey through the domain (so the data is what the bot writes)."""
    from datetime import timedelta

    from bot.db import Database
    from bot.domain import problems as pb
    from bot.domain import surveys as sv
    from bot.domain.clock import clock, to_db

    db = await Database.open(path)
    try:
        for n in range(40):
            problem = await pb.raise_problem(db, author_id=ids[n % len(ids)], category="water" if n % 2 else "roads",
                                             text=f"Проблема номер {n}: нет воды на улице {n}, трубы старые")
            for rid in ids[n + 1: n + 6]:
                await pb.support(db, problem_id=problem.id, resident_id=rid)
        now = clock.now()
        draft = sv.Draft(question_ky="Кайсы жолду оңдойбуз?", question_ru="Какую дорогу ремонтировать?",
                         options=[["Мектеп көчөсү", "Вариант 1: Школьная", None],
                                  ["Базар көчөсү", "Вариант 2: Рыночная", None], ["Көпүрө", "Вариант 3: Мост", None]],
                         max_choices=1, opens_at=to_db(now - timedelta(minutes=1)),
                         closes_at=to_db(now + timedelta(days=7)))
        await sv.create_survey(db, officer_id=ids[0], draft=draft)
    finally:
        await db.close()


def start_bot(which: str, base_url: str, db_path: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": base_url, "DATABASE_PATH": str(db_path),
           "SUPERADMIN_IDS": "1", "POLLING_TIMEOUT": "10", "PYTHONPATH": str(ROOT),
           # the emulator runs without Telegram's limits here, for both bots: measure handling, not the 30/s cap
           "SEND_RATE": "5000"}
    if which == "echo":
        cmd = [sys.executable, "-c", ECHO_BOT, base_url, TOKEN]
    else:
        cmd = [sys.executable, "-m", "bot", "run"]
    log = open(Path(tempfile.gettempdir()) / f"jamaat-bench-{which}.log", "wb")  # a pipe nobody reads would fill and block the bot
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)


async def run_one(which: str, n: int, seconds: float) -> dict[str, Any]:
    from bot.sandbox.emulator import BotAPIEmulator

    emu = BotAPIEmulator(token=TOKEN)
    await emu.start()
    watch = Watch(emu)
    ids = list(range(FIRST_ID, FIRST_ID + n))
    for rid in ids:
        emu.add_user(rid, f"R{rid}", language_code="ru")
    tmp = Path(tempfile.mkdtemp(prefix="jamaat-bench-"))
    db_path = tmp / "bench.sqlite3"
    if which == "jamaat":
        await prepare_database(db_path, ids)
    driver = Jamaat(emu) if which == "jamaat" else Echo(emu)
    proc = start_bot(which, emu.base_url, db_path)
    try:
        # warm-up: every resident opens the menu once (the bot starts polling; chats open)
        warm = await asyncio.gather(*(watch.reply(c, lambda c=c: emu.send_text(c, "/menu"), 60) for c in ids))
        if any(w is None for w in warm):
            raise RuntimeError(f"{which}: no answer during warm-up; see {tempfile.gettempdir()}/jamaat-bench-{which}.log")
        cpu0, t0 = _cpu_seconds(proc.pid), time.perf_counter()
        saturated = await closed_loop(watch, driver, ids, seconds)
        elapsed = time.perf_counter() - t0
        cpu = _cpu_seconds(proc.pid) - cpu0
        offered = {rate: await open_loop(watch, driver, ids, rate, seconds) for rate in (50, 100)}
        rss = _peak_rss_mib(proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        await emu.stop()
    return {"name": which, "throughput": saturated.count / elapsed, "cpu_ms": 1000 * cpu / max(1, saturated.count),
            "saturated": saturated, "offered": offered, "rss": rss, "misses": dict(driver.misses)}


async def statements_per_update(n_updates: int = 200) -> dict[str, float]:
    """SQL statements per update by action, counted in-process through the real dispatcher."""
    from bot.app import build_application, build_bot
    from bot.config import Settings
    from bot.db import Database
    from bot.sandbox.emulator import BotAPIEmulator

    ids = list(range(FIRST_ID, FIRST_ID + 50))
    tmp = Path(tempfile.mkdtemp(prefix="jamaat-bench-sql-"))
    path = tmp / "bench.sqlite3"
    await prepare_database(path, ids)
    emu = BotAPIEmulator(token=TOKEN)
    await emu.start()
    for rid in ids:
        emu.add_user(rid, f"R{rid}", language_code="ru")
    settings = Settings(_env_file=None, bot_token=TOKEN, database_path=path, telegram_api_url=emu.base_url)
    db = await Database.open(path)
    app = await build_application(settings, db)
    bot = build_bot(settings)
    driver = Jamaat(emu)
    counts: dict[str, list[int]] = defaultdict(list)
    try:
        for chat in ids:
            await app.dispatcher.feed_raw_update(bot, emu.send_text(chat, "/menu"))
        emu._updates.clear()
        for i in range(n_updates):
            chat = ids[i % len(ids)]
            action = CYCLE[(i // len(ids)) % len(CYCLE)]
            _kind, send = driver.step(chat, action)
            update = send()
            before = db.statements
            await app.dispatcher.feed_raw_update(bot, update)
            counts[action].append(db.statements - before)
        emu._updates.clear()
    finally:
        await bot.session.close()
        await db.close()
        await emu.stop()
    result = {action: statistics.mean(v) for action, v in sorted(counts.items())}
    result["all"] = statistics.mean([x for v in counts.values() for x in v])
    return result


def report(results: list[dict[str, Any]], sql: dict[str, float] | None) -> None:
    by = {r["name"]: r for r in results}
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    for r in results:
        sat: Stats = r["saturated"]
        print(f"\n== {r['name']} ==")
        print(f"saturation: {r['throughput']:.0f} updates/s, {r['cpu_ms']:.2f} CPU ms/update, peak RSS {r['rss']:.0f} MiB"
              f", lost {sat.lost}" + (f"; buttons not found (fell back to /menu): {r['misses']}" if r["misses"] else ""))
        for kind in ("read", "write"):
            v = sat.latencies.get(kind, [])
            print(f"  at saturation {kind:5}: p50 {_pct(v, .5):6.1f} ms  p95 {_pct(v, .95):6.1f}  p99 {_pct(v, .99):6.1f}"
                  f"  (n={len(v)})")
        for rate, stats in r["offered"].items():
            for kind in ("read", "write"):
                v = stats.latencies.get(kind, [])
                print(f"  offered {rate:3}/s {kind:5}: p50 {_pct(v, .5):6.1f} ms  p95 {_pct(v, .95):6.1f}"
                      f"  p99 {_pct(v, .99):6.1f}  (n={len(v)}, lost {stats.lost})")
    if "jamaat" in by and "echo" in by:
        print(f"\nthroughput ratio jamaat/echo: {by['jamaat']['throughput'] / by['echo']['throughput']:.2f}"
              f"; CPU per update ratio: {by['jamaat']['cpu_ms'] / by['echo']['cpu_ms']:.2f}")
    if sql:
        print("SQL statements per update: " + ", ".join(f"{k} {v:.1f}" for k, v in sql.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--only", choices=("jamaat", "echo"))
    args = parser.parse_args()
    from bot.i18n import build_i18n

    build_i18n("ru")
    names = [args.only] if args.only else ["echo", "jamaat"]
    results = [asyncio.run(run_one(name, args.residents, args.seconds)) for name in names]
    sql = asyncio.run(statements_per_update()) if "jamaat" in names else None
    report(results, sql)


if __name__ == "__main__":
    main()
