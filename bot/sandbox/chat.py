"""``python -m bot sandbox``: try the real bot in a terminal, without a token or the internet.

Starts the Bot API emulator on 127.0.0.1, the real bot (same Dispatcher, middlewares, routers and
background workers as ``run``) polling it, and a terminal chat. You type as one of several
simulated Telegram users and see what Telegram would show (drawn by :mod:`bot.sandbox.render`):
messages with their number and numbered buttons (any message's buttons can be pressed, not only
the newest), photos, files, locations and contacts, the keyboard under the input field (its
"share my phone number" sends a contact), and the toasts and alerts answering a button press.
One simulated user is a superadmin, so the officer tools can be tried too; ``:voters``
(:mod:`bot.sandbox.voters`) adds residents who vote, so a survey's results can be seen.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import shutil
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from bot.config import Settings
from bot.sandbox.emulator import BotAPIEmulator
from bot.sandbox.render import (
    attachment,
    bold_entities,
    button_label,
    callback_answer_lines,
    keyboard_buttons,
    reply_keyboard_lines,
)
from bot.sandbox.webapp import SandboxWebApp, free_port, webapp_help

SANDBOX_TOKEN = "7000000001:SANDBOX"


@dataclass(frozen=True)
class SimUser:
    """A simulated Telegram user of the sandbox."""

    user_id: int
    first_name: str
    language_code: str | None
    note: str


USERS: tuple[SimUser, ...] = (
    SimUser(1001, "Айгүл", "ky", "resident, Telegram in Kyrgyz"),
    SimUser(1002, "Иван", "ru", "resident, Telegram in Russian"),
    SimUser(1003, "Админ", "en", "superadmin (can /invite, /grant)"),
)
SUPERADMIN = USERS[2].user_id

HELP = """Sandbox commands (everything else is sent to the bot as text):
  <n>             press button n of the newest message that has buttons
  <m>.<n>         press button n of message #m (any message still on screen, e.g. 12.3)
  k<n>            press button n of the keyboard under the input field (e.g. share my phone number)
  :as <n>         switch to simulated user n (:users lists them)
  :users          list the simulated users
  :sticker :photo :voice   send a sticker / photo / voice message
  :location <lat> <lon>    send a location
  :contact        share your own phone number (+996…)
  :voters <n> [survey id]  n simulated residents vote in the newest open survey of your
                  municipality: results stay hidden until every option has 5 votes (or none),
                  and the first 5 × options voters go round the options
  :block :unblock block / unblock the bot as this user
  :help           this help
  :webapp         a link opening the officers' web app as this user (in a browser)
  :quit           leave (Ctrl-D works too)"""

BISHKEK_POINT = (42.87462, 74.56976)
"""Where a "share my location" keyboard button says the user is (Ala-Too square, Bishkek)."""
BUTTON = re.compile(r"(?:(\d+)\.)?(\d+)")
"""A typed button press: ``3`` (newest message with buttons) or ``12.3`` (button 3 of message #12)."""
KEY = re.compile(r"[kK](\d+)")
"""A typed reply-keyboard press: ``k1``."""


class SandboxChat:
    """The terminal side: prints what the bot sends to simulated users (text, media, buttons, reply
    keyboards, the answers to button presses), turns typed lines into updates."""

    def __init__(self, emulator: BotAPIEmulator, out: TextIO = sys.stdout, *, color: bool | None = None) -> None:
        self.emulator = emulator
        self.out = out
        self.color = out.isatty() if color is None else color
        self.current = USERS[0]
        self.db: Any = None  # the bot's database, for :voters (set by run_sandbox)
        self._seen = 0
        self._answers_seen = 0
        self._newest: dict[int, int] = {}  # user → id of the newest message with buttons shown
        self._keyboards: dict[int, Any] = {}  # user → the reply keyboard last shown
        self._unseen: dict[int, list[tuple[str, int]]] = {}
        for user in USERS:
            emulator.add_user(user.user_id, user.first_name, language_code=user.language_code)

    def print(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def show_users(self) -> None:
        for number, user in enumerate(USERS, start=1):
            marker = "*" if user == self.current else " "
            self.print(f" {marker}{number}. {user.first_name} (id {user.user_id}) — {user.note}")

    def flush_bot_output(self) -> bool:
        """Print what arrived since the last call: bot messages (new ones and edits), answers to the
        current user's button presses, a changed reply keyboard; ``True`` if anything arrived."""
        events = self.emulator.bot_events(self._seen)
        self._seen += len(events)
        ids = {u.user_id: u for u in USERS}
        for kind, chat_id, message_id in events:
            message = next((m for m in self.emulator.messages(chat_id) if m["message_id"] == message_id), None)
            if message is None:
                continue
            user = ids.get(chat_id)
            if user is None:  # a simulated voter (:voters): never shown
                continue
            if user != self.current:
                self._unseen.setdefault(user.user_id, []).append((kind, message_id))
                self.print(f"   (new message for {user.first_name}: ':as {USERS.index(user) + 1}' to read it)")
                continue
            self._show(message, edited=kind == "edit")
        answers = self._show_answers()
        keyboard = self._show_keyboard()
        return bool(events) or answers or keyboard

    def _show_answers(self) -> bool:
        """Toasts and alerts answering the current user's presses (others' have faded: not shown)."""
        answers = self.emulator.callback_answers[self._answers_seen:]
        self._answers_seen += len(answers)
        shown = False
        for answer in answers:
            chat_id = self.emulator.callback_answer_chat(answer["callback_query_id"])
            if answer.get("text") and chat_id == self.current.user_id:
                for line in callback_answer_lines(answer["text"], alert=bool(answer.get("show_alert"))):
                    self.print(line)
                shown = True
        return shown

    def _show_keyboard(self) -> bool:
        """The reply keyboard under the input field, when it appeared, changed or was removed."""
        uid = self.current.user_id
        keyboard = self.emulator.reply_keyboard(uid)
        if keyboard == self._keyboards.get(uid):
            return False
        self._keyboards[uid] = keyboard
        if keyboard is None:
            self.print("   (the keyboard under the input field is gone)")
        else:
            for line in reply_keyboard_lines(keyboard):
                self.print(line)
        return True

    def _show_unseen(self) -> None:
        """Show what arrived for the current user while another user was active, in order."""
        uid = self.current.user_id
        pending = self._unseen.pop(uid, [])
        current = {m["message_id"]: m for m in self.emulator.messages(uid)}
        shown: set[int] = set()
        for kind, message_id in pending:
            if message_id in current and message_id not in shown:
                shown.add(message_id)
                self._show(current[message_id], edited=kind == "edit")
        self._keyboards.pop(uid, None)
        self._show_keyboard()

    def _show(self, message: dict[str, Any], *, edited: bool) -> None:
        label = "bot (edited)" if edited else "bot"
        self.print(f"\n── #{message['message_id']} {label} → {self.current.first_name} ──")
        extra = attachment(message)
        if extra:
            self.print(extra)
        body = bold_entities(message, color=self.color)
        if body or not extra:
            self.print(body)
        rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        number = 0
        for row in rows:
            cells = []
            for button in row:
                number += 1
                cells.append(f"[{number}] {button_label(button)}")
            self.print("   " + "   ".join(cells))
        if number:
            self._newest[self.current.user_id] = message["message_id"]
            mid = message["message_id"]
            self.print(f"   (press 1 now, or {mid}.1 at any time)" if number == 1 else
                       f"   (press 1–{number} now, or {mid}.1–{mid}.{number} at any time)")

    def handle_line(self, line: str) -> bool:
        """Act on one typed line; returns ``False`` when the user wants to leave."""
        try:
            return self._handle_line(line)
        except (ValueError, KeyError) as exc:  # e.g. writing while the bot is blocked
            self.print(f"   ({exc}; :unblock first)" if "blocked" in str(exc) else f"   ({exc})")
            return True

    async def handle(self, line: str) -> bool:
        """Like :meth:`handle_line`, with the commands that need the bot's database (``:voters``)."""
        word, _, rest = line.strip().partition(" ")
        if word != ":voters":
            return self.handle_line(line)
        from bot.domain import DomainError
        from bot.domain.residents import get_resident
        from bot.sandbox.voters import add_voters

        try:
            parts = rest.split()
            count = int(parts[0]) if parts else 5
            survey_id = int(parts[1]) if len(parts) > 1 else None
            me = await get_resident(self.db, self.current.user_id)
            done = await add_voters(self.db, self.emulator, count=count, survey_id=survey_id,
                                    municipality_code=me.municipality_code if me else None,
                                    locale=(me.locale if me else None) or "ky")
        except (ValueError, DomainError) as exc:
            self.print(f"   (:voters: {exc or type(exc).__name__})")
            return True
        self.print(f"   {done.added} simulated residents voted in survey {done.survey_id} "
                   f"«{done.question}»; it has {done.voters} voters now")
        return True

    def prompt(self) -> None:
        """Show whose turn it is, after the bot's output."""
        self.out.write(f"{self.current.first_name}> ")
        self.out.flush()

    def _press(self, message_id: int, index: int) -> None:
        """Press button ``index`` (1-based) of the bot's message ``message_id`` as it is now."""
        uid = self.current.user_id
        message = next((m for m in self.emulator.bot_messages(uid) if m["message_id"] == message_id), None)
        buttons = [b for row in self.emulator.buttons(message) for b in row] if message else []
        if not 1 <= index <= len(buttons):
            self.print(f"   (message #{message_id} has no button {index})")
            return
        button = buttons[index - 1]
        if "callback_data" in button:
            self.emulator.press_button(uid, message_id, button["callback_data"])
        elif "web_app" in button:
            self.print(_webapp_link(self))
        else:
            self.print(f"   (a link button: {button.get('url', '')})")

    def _press_key(self, index: int) -> None:
        """Press button ``index`` of the reply keyboard: it sends its text, or shares a contact or location."""
        uid = self.current.user_id
        keyboard = self.emulator.reply_keyboard(uid)
        buttons = keyboard_buttons(keyboard) if keyboard else []
        if not 1 <= index <= len(buttons):
            self.print("   (no such keyboard button)" if buttons else "   (no keyboard under the input field now)")
            return
        button = buttons[index - 1]
        if button.get("request_contact"):
            self.emulator.send_contact(uid, f"+99670{uid:07d}", contact_user_id=uid, first_name=self.current.first_name)
            self.print(f"   (you shared your contact: {self.current.first_name} +99670{uid:07d})")
        elif button.get("request_location"):
            self.emulator.send_location(uid, *BISHKEK_POINT)
            self.print(f"   (you shared your location: {BISHKEK_POINT[0]}, {BISHKEK_POINT[1]})")
        else:
            self.emulator.send_text(uid, str(button.get("text", "")))

    def _handle_line(self, line: str) -> bool:
        line = line.rstrip("\n")
        if not line.strip():
            return True
        uid = self.current.user_id
        word, _, rest = line.strip().partition(" ")
        pressed = BUTTON.fullmatch(line.strip())
        if pressed and (pressed.group(1) or uid in self._newest):
            message_id = int(pressed.group(1)) if pressed.group(1) else self._newest[uid]
            self._press(message_id, int(pressed.group(2)))
            return True
        key = KEY.fullmatch(line.strip())
        if key:
            self._press_key(int(key.group(1)))
            return True
        if word == ":quit":
            return False
        if word == ":help":
            self.print(HELP)
        elif word == ":users":
            self.show_users()
        elif word == ":as":
            try:
                self.current = USERS[int(rest) - 1]
            except (ValueError, IndexError):
                self.print("   :as takes a number from :users")
                return True
            self.print(f"   now you are {self.current.first_name} (id {self.current.user_id})")
            self._show_unseen()
        elif word == ":sticker":
            self.emulator.send_sticker(uid)
        elif word == ":photo":
            self.emulator.send_photo(uid, caption=rest or None)
        elif word == ":voice":
            self.emulator.send_voice(uid)
        elif word == ":location":
            try:
                lat, lon = (float(x) for x in rest.split())
            except ValueError:
                self.print("   :location <lat> <lon>, e.g. :location 42.87 74.59")
                return True
            self.emulator.send_location(uid, lat, lon)
        elif word == ":webapp":
            self.print(_webapp_link(self))
        elif word == ":contact":
            self.emulator.send_contact(uid, f"+99670{uid:07d}", contact_user_id=uid, first_name=self.current.first_name)
        elif word == ":block":
            self.emulator.block_bot(uid)
            self.print("   you blocked the bot")
        elif word == ":unblock":
            self.emulator.unblock_bot(uid)
            self.print("   you unblocked the bot; send /start")
        elif word.startswith(":"):
            self.print("   unknown sandbox command; :help lists them")
        else:
            self.emulator.send_text(uid, line)
        return True


# -- the officers' web app (bot.sandbox.webapp) ---------------------------------------------------


def sandbox_webapp() -> SandboxWebApp:
    """The sandbox's web app on a free local port (started once the bot is built)."""
    return SandboxWebApp(free_port(), SANDBOX_TOKEN)


def _webapp_link(chat: SandboxChat) -> str:
    """``:webapp``: a link opening the web app as the current simulated user."""
    web_app = getattr(chat, "web_app", None)
    if web_app is None:
        return "   (the web app is not running)"
    user = chat.current
    return f"   open in a browser: {web_app.link(user.user_id, user.first_name, user.language_code)}"


def _start_reader(queue: asyncio.Queue[str | None]) -> threading.Thread:
    """Read stdin in a daemon thread (``input()`` blocks; a daemon thread never delays exit)."""
    loop = asyncio.get_running_loop()

    def read() -> None:
        while True:
            try:
                line = input()
            except (EOFError, KeyboardInterrupt):
                loop.call_soon_threadsafe(queue.put_nowait, None)
                return
            loop.call_soon_threadsafe(queue.put_nowait, line)

    thread = threading.Thread(target=read, name="sandbox-stdin", daemon=True)
    thread.start()
    return thread


async def run_sandbox(*, database: Path, out: TextIO = sys.stdout, fresh: bool = False) -> int:
    """Run emulator + bot + terminal chat until ``:quit`` or end of input. Returns the exit code.

    ``database``: the sandbox's own SQLite file (kept between runs; ``fresh`` deletes it first).
    """
    from bot.app import build_application, build_bot, prepare_database

    if fresh and database.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(str(database) + suffix).unlink(missing_ok=True)
    logging.getLogger().setLevel(logging.WARNING)
    emulator = BotAPIEmulator(token=SANDBOX_TOKEN, bot_username="jamaat_sandbox_bot")
    await emulator.start()
    web_app = sandbox_webapp()
    settings = Settings(
        _env_file=None,
        bot_token=SANDBOX_TOKEN,
        telegram_api_url=emulator.base_url,
        database_path=database,
        superadmin_ids=str(SUPERADMIN),
        polling_timeout=5,
        webapp_url=web_app.base_url,
    )
    db = await prepare_database(settings)
    from bot.web.once import forget_all

    await forget_all(db)  # this emulator numbers updates from 1 again: the last session's ids mean nothing
    app = await build_application(settings, db)
    bot = build_bot(settings)
    await web_app.start(db, settings, bot)
    chat = SandboxChat(emulator, out)
    chat.web_app = web_app
    chat.db = db
    polling = asyncio.create_task(app.dispatcher.start_polling(bot, handle_signals=False, polling_timeout=5))
    width = min(shutil.get_terminal_size((80, 20)).columns, 100)
    chat.print("=" * width)
    chat.print(f"Jamaat sandbox: the real bot against a local Telegram emulator at {emulator.base_url}")
    chat.print(f"Database: {database}")
    chat.print(HELP)
    chat.print("Simulated users:")
    chat.show_users()
    chat.print(webapp_help(web_app))
    chat.print("Type /start to begin.")
    chat.print("=" * width)
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    _start_reader(queue)
    chat.prompt()
    try:
        while True:
            try:
                line = await asyncio.wait_for(queue.get(), timeout=0.1)
            except TimeoutError:
                if chat.flush_bot_output():
                    chat.prompt()
                continue
            if line is None or not await chat.handle(line):
                break
            with contextlib.suppress(TimeoutError):
                await emulator.wait_idle(timeout=5)
            chat.flush_bot_output()
            chat.prompt()
    finally:
        with contextlib.suppress(RuntimeError):
            await app.dispatcher.stop_polling()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(polling, timeout=10)
        await bot.session.close()
        await app.close()
        await web_app.stop()
        await emulator.stop()
    chat.print("bye")
    return 0
