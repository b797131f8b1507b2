"""Property-based tests (hypothesis): random and crafted updates fed to the real dispatcher.

Messages of every content type, edited messages, callback data of any bytes and crafted data with
every callback prefix the bot knows (ids huge, negative, of the other municipality's rows), updates
from groups, supergroups and channels, update types the bot does not use (inline queries, poll
answers, join requests, reactions), from a resident and from an officer of Ак-Дебе. Properties:

* nothing raises out of a handler: the dispatcher's error handlers are reached only by refusals
  (``DomainError``) or a blocked chat, never by an unexpected exception;
* nobody changes anything outside their own municipality (every row of Аламүдүн's, and of the rows
  that belong to them, is the same before and after) and a resident changes nothing officer-only.

The number of examples run is printed at the end of the session (``-s`` or ``-rA`` shows it).
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import Settings
from bot.db import Database
from tests.support import AK_DEBE, ALAMUDUN, SUPERADMIN_ID

pytestmark = pytest.mark.slow

RESIDENT, OFFICER, OTHER_RESIDENT, OTHER_OFFICER, NEWCOMER = 7001, 7002, 7003, 7004, 424242
EXAMPLES = 30
"""Examples per property (each a sequence of up to 6 updates); the whole file runs in well under 60 s."""
RAN = {"examples": 0, "updates": 0}

OFFICER_ONLY = ("officers", "officer_events", "officer_invites", "surveys", "survey_options", "hearings",
                "hearing_settings", "hearing_notice_changes", "problem_settings", "residence_codes", "plan_items",
                "plan_steps", "plan_money", "plan_changes", "budget_proposals", "monitoring_groups",
                "monitoring_invites", "reach_chats", "reach_link_codes")
"""Tables only officers (or the superadmin) write; a resident's updates must leave them as they are."""


@pytest.fixture(scope="session", autouse=True)
def report_examples():
    yield
    if RAN["examples"]:
        print(f"\nfuzz: {RAN['examples']} hypothesis examples, {RAN['updates']} updates fed to the dispatcher, "
              "0 unexpected errors, nothing changed outside an actor's municipality or role")


class World:
    """The real dispatcher on a loop of its own (hypothesis runs examples synchronously), two
    municipalities with a resident and an officer each, problems in both."""

    def __init__(self, template: Path, tmp: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.path = tmp / "fuzz.sqlite3"
        shutil.copyfile(template, self.path)
        self.unexpected: list[BaseException] = []
        self.run(self._start())

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    async def _start(self) -> None:
        from bot.app import build_application, build_bot
        from bot.domain.problems import raise_problem
        from bot.sandbox.emulator import BotAPIEmulator
        from tests.support import grant, make_resident

        self.emulator = BotAPIEmulator(token="123456:TEST")
        await self.emulator.start()
        self.db = await Database.open(self.path)
        self.emulator.add_user(NEWCOMER, "Жаңы", language_code="ky")
        for uid, code in ((RESIDENT, AK_DEBE), (OFFICER, AK_DEBE), (OTHER_RESIDENT, ALAMUDUN),
                          (OTHER_OFFICER, ALAMUDUN)):
            await make_resident(self.db, uid, "ru" if uid % 2 else "ky", code)
            self.emulator.add_user(uid, f"U{uid}", language_code="ru")
        await grant(self.db, OFFICER, AK_DEBE)
        await grant(self.db, OTHER_OFFICER, ALAMUDUN)
        self.own = await raise_problem(self.db, author_id=RESIDENT, category="water",
                                       text="Көчөдө суу жок, үч күндөн бери кран кургак")
        self.other = await raise_problem(self.db, author_id=OTHER_RESIDENT, category="roads",
                                         text="Жол бузулган, көпүрө кулап калды")
        settings_ = Settings(_env_file=None, bot_token="123456:TEST", database_path=self.path,
                             superadmin_ids=str(SUPERADMIN_ID), default_locale="ky",
                             telegram_api_url=self.emulator.base_url)
        app = await build_application(settings_, self.db)
        self.dispatcher = app.dispatcher
        self.bot = build_bot(settings_)
        self.dispatcher.errors.outer_middleware(self._record_error)
        # a chat the bot wrote in, for button presses on real messages
        for uid in (RESIDENT, OFFICER):
            await self.feed(self.emulator.send_text(uid, "/menu"))

    async def _record_error(self, handler: Any, event: Any, data: dict[str, Any]) -> Any:
        from aiogram.exceptions import TelegramForbiddenError

        from bot.domain.errors import DomainError

        if not isinstance(event.exception, (DomainError, TelegramForbiddenError)) and not _stale(event.exception):
            self.unexpected.append(event.exception)
        return await handler(event, data)

    async def feed(self, update: dict[str, Any]) -> None:
        try:
            await self.dispatcher.feed_raw_update(self.bot, update)
        except Exception as error:  # noqa: BLE001 - recorded: the property says nothing escapes
            self.unexpected.append(error)

    def close(self) -> None:
        async def stop() -> None:
            session = getattr(self.bot.session, "_session", None)
            if session is not None and not session.closed:
                await session.close()
            await self.db.close()
            await self.emulator.stop()

        self.run(stop())
        self.loop.close()

    def snapshot(self, *, officer_only: bool) -> dict[str, list[tuple]]:
        """Аламүдүн's rows (tables with a municipality_code, and rows pointing at them by a foreign key);
        with ``officer_only`` also every row of :data:`OFFICER_ONLY` and every problem's status."""
        conn = sqlite3.connect(self.path)
        try:
            tables = [r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
                " AND name NOT LIKE '%fts%'")]
            scoped = {t for t in tables
                      if "municipality_code" in [c[1] for c in conn.execute(f"PRAGMA table_info({t})")]}
            shot: dict[str, list[tuple]] = {}
            for table in sorted(scoped):
                shot[table] = sorted(map(tuple, conn.execute(
                    f"SELECT * FROM {table} WHERE municipality_code = ?", (ALAMUDUN,))), key=repr)
            for table in tables:
                for fk in conn.execute(f"PRAGMA foreign_key_list({table})"):
                    target, column, to = fk[2], fk[3], fk[4] or "rowid"
                    if target in scoped and target != "municipalities":
                        rows = conn.execute(
                            f"SELECT * FROM {table} WHERE {column} IN"
                            f" (SELECT {to} FROM {target} WHERE municipality_code = ?)", (ALAMUDUN,))
                        shot[f"{table}.{column}"] = sorted(map(tuple, rows), key=repr)
            if officer_only:
                for table in OFFICER_ONLY:
                    if table in tables:
                        shot[f"officer:{table}"] = sorted(map(tuple, conn.execute(f"SELECT * FROM {table}")), key=repr)
                shot["officer:problems.status"] = list(conn.execute("SELECT id, status FROM problems ORDER BY id"))
            return shot
        finally:
            conn.close()


@pytest.fixture(scope="module")
def world(template_db: Path, tmp_path_factory: pytest.TempPathFactory):
    w = World(template_db, tmp_path_factory.mktemp("fuzz"))
    yield w
    w.close()


# -- strategies ---------------------------------------------------------------------------------------

_ids = itertools.count(10_000)
BIG = [0, 1, -1, 2, 7, 2**31 - 1, 2**31, 2**53 + 1, 2**63 - 1, 2**64, -(2**63), 10**30]


def _prefixes() -> list[tuple[str, int]]:
    """Every callback prefix the bot knows and how many fields its data has."""
    import bot.handlers  # noqa: F401 - imports every router and its callback classes
    from aiogram.filters.callback_data import CallbackData

    found: list[tuple[str, int]] = []
    stack = list(CallbackData.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        prefix = getattr(cls, "__prefix__", None)
        if prefix:
            found.append((prefix, len(cls.model_fields)))
    return sorted(set(found))


PREFIXES = _prefixes()
ids = st.one_of(st.sampled_from(BIG), st.integers(min_value=-(2**70), max_value=2**70))
field = st.one_of(ids.map(str), st.sampled_from(["", "r", "o", "x", "publish", "ky", "ru", "back", "cancel",
                                                 "-", "None", "1e9", "%00", "\u202e", "🚰"]),
                  st.text(max_size=8))


@st.composite
def crafted_data(draw: st.DrawFn, own: int, other: int) -> str:
    prefix, fields = draw(st.sampled_from(PREFIXES))
    values = [draw(st.one_of(field, st.sampled_from([str(own), str(other)]))) for _ in range(fields + draw(
        st.integers(-1, 1)))]
    return ":".join([prefix, *values])[:64]


any_bytes = st.binary(min_size=0, max_size=64).map(lambda b: b.decode("latin-1"))
COMMANDS = ["/start", "/menu", "/help", "/problems", "/newproblem", "/surveys", "/hearings", "/services",
            "/municipality", "/language", "/cancel", "/problems_queue", "/officer", "/announce", "/grant",
            "/revoke", "/privacy", "/delete_me", "/stats", "/start deep_link_payload", "/menu@jamaat_bot"]
texts = st.one_of(st.sampled_from(COMMANDS), st.text(max_size=300),
                  st.sampled_from(["", " ", "<b>x</b>", "&amp;", "1", "✅", "a" * 5000]))


def _content(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["text", "sticker", "photo", "voice", "document", "location", "contact", "video",
                                 "animation", "audio", "video_note", "dice", "venue", "caption_photo",
                                 "new_chat_members", "left_chat_member", "forward"]))
    fid = {"file_id": f"F{next(_ids)}", "file_unique_id": f"U{next(_ids)}"}
    if kind == "text":
        return {"text": draw(texts)}
    if kind == "sticker":
        return {"sticker": {**fid, "type": "regular", "width": 512, "height": 512, "is_animated": False,
                            "is_video": False}}
    if kind in ("photo", "caption_photo"):
        extra = {"caption": draw(texts)} if kind == "caption_photo" else {}
        return {"photo": [{**fid, "width": 90, "height": 90}], **extra}
    if kind == "voice":
        return {"voice": {**fid, "duration": draw(st.integers(0, 10**6))}}
    if kind == "document":
        return {"document": {**fid, "file_name": draw(st.text(max_size=20)) or "x", "file_size": 3}}
    if kind == "location":
        return {"location": {"latitude": draw(st.floats(-90, 90)), "longitude": draw(st.floats(-180, 180))}}
    if kind == "contact":
        return {"contact": {"phone_number": "+996555000000", "first_name": "A", "user_id": draw(ids)}}
    if kind in ("video", "animation"):
        return {kind: {**fid, "width": 1, "height": 1, "duration": 1}}
    if kind == "audio":
        return {"audio": {**fid, "duration": 1}}
    if kind == "video_note":
        return {"video_note": {**fid, "length": 1, "duration": 1}}
    if kind == "dice":
        return {"dice": {"emoji": "🎲", "value": 3}}
    if kind == "venue":
        return {"venue": {"location": {"latitude": 42.8, "longitude": 74.6}, "title": "t", "address": "a"}}
    if kind == "new_chat_members":
        return {"new_chat_members": [{"id": draw(ids.filter(lambda i: 0 < i < 2**52)), "is_bot": False,
                                      "first_name": "N"}]}
    if kind == "left_chat_member":
        return {"left_chat_member": {"id": 5, "is_bot": False, "first_name": "L"}}
    return {"text": draw(texts), "forward_origin": {"type": "hidden_user", "date": 1, "sender_user_name": "x"}}


@st.composite
def update(draw: st.DrawFn, actors: list[int], own: int, other: int) -> dict[str, Any]:
    uid = draw(st.sampled_from(actors))
    user = {"id": uid, "is_bot": draw(st.sampled_from([False, False, False, True])), "first_name": f"U{uid}",
            "language_code": draw(st.sampled_from(["ru", "ky", "en", None]))}
    user = {k: v for k, v in user.items() if v is not None}
    where = draw(st.sampled_from(["private", "private", "private", "group", "supergroup", "channel"]))
    chat = ({"id": uid, "type": "private", "first_name": user["first_name"]} if where == "private"
            else {"id": -1000000000000 - draw(st.integers(0, 10**6)), "type": where, "title": "Жамаат"})
    message_id = draw(st.one_of(st.integers(1, 50), st.sampled_from([2**31 - 1, 10**9])))
    base = {"message_id": message_id, "date": 1_764_000_000, "chat": chat}
    if where != "channel":
        base["from"] = user
    else:
        base["sender_chat"] = chat
    kind = draw(st.sampled_from(["message", "message", "edited_message", "callback_query", "callback_query",
                                 "channel_post", "edited_channel_post", "my_chat_member", "other"]))
    update_id = next(_ids)
    if kind == "other":  # update types the bot does not use: inline mode, polls, join requests, reactions
        return {"update_id": update_id, **draw(st.sampled_from([
            {"inline_query": {"id": "iq", "from": user, "query": "суу", "offset": ""}},
            {"poll_answer": {"poll_id": "p", "user": user, "option_ids": [0], "option_persistent_ids": ["a"]}},
            {"chat_join_request": {"chat": {"id": -1001, "type": "supergroup", "title": "g"}, "from": user,
                                   "user_chat_id": uid, "date": 1_764_000_000}},
            {"message_reaction": {"chat": chat, "message_id": message_id, "user": user, "date": 1_764_000_000,
                                  "old_reaction": [], "new_reaction": [{"type": "emoji", "emoji": "👍"}]}},
        ]))}
    if kind == "callback_query":
        data = draw(st.one_of(crafted_data(own, other), any_bytes, st.text(max_size=64)))
        query: dict[str, Any] = {"id": str(next(_ids)), "from": user, "chat_instance": "ci", "data": data}
        if draw(st.booleans()):
            query["message"] = {**base, "from": {"id": 1, "is_bot": True, "first_name": "Jamaat"},
                                "text": "old screen"}
        else:
            query["inline_message_id"] = "inl"
        return {"update_id": update_id, "callback_query": query}
    if kind == "my_chat_member":
        member = {"user": {"id": 1, "is_bot": True, "first_name": "Jamaat"}}
        return {"update_id": update_id, "my_chat_member": {
            "chat": chat, "from": user, "date": 1_764_000_000,
            "old_chat_member": {**member, "status": "member"}, "new_chat_member": {**member, "status": "kicked",
                                                                                   "until_date": 0}}}
    content = _content(draw)
    message = {**base, **content}
    if kind == "edited_message":
        message["edit_date"] = 1_764_000_100
    if kind in ("channel_post", "edited_channel_post"):
        message = {**message, "chat": {"id": -1001, "type": "channel", "title": "c"}, "sender_chat":
                   {"id": -1001, "type": "channel", "title": "c"}}
        message.pop("from", None)
    return {"update_id": update_id, kind: message}


def _stale(error: BaseException) -> bool:
    """A press of a button the emulator never showed (a made-up query id) is, to Telegram, a query too
    old to answer: the bot's handler for that (bot.handlers.errors.on_stale_query) is expected."""
    from aiogram.exceptions import TelegramBadRequest

    return isinstance(error, TelegramBadRequest) and "query is too old" in error.message


def _check(world: World, updates: list[dict[str, Any]], *, officer_only: bool) -> None:
    world.unexpected.clear()
    before = world.snapshot(officer_only=officer_only)
    for raw in updates:
        world.run(world.feed(raw))
    RAN["examples"] += 1
    RAN["updates"] += len(updates)
    assert not world.unexpected, f"unexpected errors: {world.unexpected!r} for {updates!r}"
    after = world.snapshot(officer_only=officer_only)
    changed = {k for k in before if before[k] != after.get(k)}
    assert not changed, f"changed outside the actor's municipality or role: {sorted(changed)} by {updates!r}"


FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=False, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])


@FUZZ
@given(data=st.data())
def test_a_resident_changes_nothing_outside_their_municipality_or_role(world: World, data: st.DataObject) -> None:
    updates = data.draw(st.lists(update([RESIDENT, NEWCOMER], world.own.id, world.other.id), min_size=1, max_size=6))
    _check(world, updates, officer_only=True)


@FUZZ
@given(data=st.data())
def test_an_officer_changes_nothing_in_another_municipality(world: World, data: st.DataObject) -> None:
    updates = data.draw(st.lists(update([OFFICER], world.own.id, world.other.id), min_size=1, max_size=6))
    _check(world, updates, officer_only=False)


def test_crafted_callbacks_cover_every_prefix() -> None:
    """The crafted data reaches every router: the bot's callback prefixes are all found."""
    prefixes = {p for p, _n in PREFIXES}
    assert {"pb", "st"} <= prefixes and len(prefixes) >= 10
