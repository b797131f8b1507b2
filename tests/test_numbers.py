"""One form for an object's number (issue 12): "№12" on every screen, in both languages.

The catalogs translate the msgids' "#{id}" as "№{id}"; code that prints a number itself goes through
:func:`bot.i18n.numbered`. The tests hold the two together and look for a stray "#12" everywhere the
bot speaks: every request it made to the Bot API while residents (ky and ru) and officers walked every
command, every main-menu button and two levels of the buttons under them in a municipality with
problems, surveys, a hearing, the registry and an action plan with a monitoring report; every notice
it queued; and the officers' web app pages.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

from bot.db import Database
from bot.domain import plans
from bot.domain import registry as reg
from bot.domain.clock import clock
from bot.i18n import LOCALES_DIR, NUMBER_SIGN, SUPPORTED_LOCALES, numbered
from bot.notices import render_stored
from bot.ui.callbacks import LanguageCallback
from tests.harness import Harness, Person, labels
from tests.test_dead_ends import EXCEPTIONS, registered_commands
from tests.support import AK_DEBE
from tests.webapp_support import OFFICER, OFFICER_RU, RESIDENTS, Seeded, auth, seed, serve

HASH_NUMBER = re.compile(r"#\s?\d")
"""A number written with "#" ("#12", "# 12") — the form the screens no longer use."""
PLACEHOLDER = re.compile(r"#\{(\w+)\}")
TEXT_KEYS = ("text", "caption", "description", "title")
"""Bot API fields whose strings a person reads (messages, captions, buttons, toasts, commands)."""
DEPTH = 2
"""Levels of buttons pressed under each command and main-menu button."""
SKIPPED = (f"{LanguageCallback.__prefix__}:",)
"""Callbacks the walk leaves alone: the interface language (the walk stays in the person's language)."""


def test_numbered_is_the_sign_and_the_digits() -> None:
    assert numbered(12) == "№12" and numbered(1234) == "№1234" and numbered("7") == "№7"
    assert NUMBER_SIGN == "№"


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_catalog_number_has_the_form_numbered_prints(locale: str) -> None:
    """Each msgid's "#{id}" is translated as ``numbered("{id}")``; no msgstr keeps a "#" number."""
    with (Path(LOCALES_DIR) / locale / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        catalog = read_po(fp, locale=locale)
    wrong, checked = [], 0
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        names = {name for msgid in ids for name in PLACEHOLDER.findall(msgid)}
        for string in strings:
            checked += bool(names)
            missing = [name for name in names if numbered("{" + name + "}") not in string]
            if missing or HASH_NUMBER.search(string) or "#{" in string:
                wrong.append(f"{ids[0]!r} -> {string!r}")
    assert checked > 40, checked  # the catalogs do have numbered msgids to compare
    assert wrong == [], "\n".join(wrong)


def _strings(value: Any, key: str = "") -> list[str]:
    """Every string under a :data:`TEXT_KEYS` key of a request's parameters (buttons and media included)."""
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(v, k)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v, key)]
    return [value] if isinstance(value, str) and key in TEXT_KEYS else []


def hash_numbers(harness: Harness, since: int = 0) -> list[str]:
    """``method: text`` of every string the bot sent through the Bot API (from request ``since``) that
    writes a number with "#"."""
    return [f"{method}: {text[:120]!r}" for method, params in harness.emulator.requests[since:]
            for text in _strings(params) if HASH_NUMBER.search(text)]


def _callbacks(message: dict[str, Any]) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row if b.get("callback_data")]


async def _press_down(person: Person, frontier: list[dict[str, Any]], pressed: set[str]) -> None:
    for _level in range(DEPTH):
        following = []
        for message in frontier:
            for data in _callbacks(message):
                if data not in pressed and not data.startswith(SKIPPED):
                    pressed.add(data)
                    following.extend(await person.press_data(message["message_id"], data))
        frontier = following


async def walk(harness: Harness, person: Person) -> int:
    """Send every registered command (but :data:`EXCEPTIONS`) and press every main-menu button, then
    every button under what came back, :data:`DEPTH` levels down (each callback once); returns the
    number of presses."""
    pressed: set[str] = set()
    for command in sorted(registered_commands(harness.dispatcher) - set(EXCEPTIONS)):
        await person.send("/cancel")
        await _press_down(person, await person.send(f"/{command}"), pressed)
    [menu] = await person.send("/menu")
    for label in labels(menu):
        await person.send("/cancel")
        [menu] = await person.send("/menu")
        await _press_down(person, await person.press(label, menu), pressed)
    return len(pressed)


async def _municipality(db: Database) -> tuple[Seeded, int]:
    """The web app's seeded Ak-Debe, plus a service with a linked problem, a plan item on two problems
    and a monitoring report on it; returns the seed and the item's id."""
    seeded = await seed(db)
    [service, *_rest], _total = await reg.list_services(db, AK_DEBE)
    await reg.link_problem(db, officer_id=OFFICER, service_id=service.id, problem_id=seeded.problems[0])
    view = await plans.create_item(
        db, officer_id=OFFICER, title="Суу түтүгүн алмаштыруу", year=2027, responsible="municipal_enterprise",
        problem_ids=seeded.problems[:2], steps=[("Смета", date(2027, 3, 1))], money={"local_budget": 150_000})
    invite = await plans.create_invite(db, officer_id=OFFICER)
    await plans.join(db, resident_id=RESIDENTS[1], code=invite.code)
    progress = next(iter(plans.PROGRESS))
    await plans.post_report(db, resident_id=RESIDENTS[1], item_id=view.item.id, progress=progress,
                            note="Түтүктөр келди")
    return seeded, view.item.id


@pytest.fixture
async def municipality(db: Database):
    made = await _municipality(db)
    yield made
    clock.set(None)


@pytest.mark.parametrize(("uid", "locale", "officer"), [
    (RESIDENTS[1], "ky", False), (RESIDENTS[9], "ru", False), (OFFICER, "ky", True), (OFFICER_RU, "ru", True)])
async def test_no_screen_writes_a_number_with_a_hash(harness: Harness, db: Database, municipality: tuple[Seeded, int],
                                                     uid: int, locale: str, officer: bool) -> None:
    seeded, item_id = municipality
    person = harness.person(uid, "Адис" if officer else "Жашоочу", language_code=locale)
    since = len(harness.emulator.requests)
    presses = await walk(harness, person)
    assert hash_numbers(harness, since) == [], "\n".join(hash_numbers(harness, since))
    said = " ".join(text for _m, params in harness.emulator.requests[since:] for text in _strings(params))
    assert presses > 30, presses  # the walk went past the first screens
    assert await db.fetchval("SELECT locale FROM residents WHERE telegram_id = ?", (uid,)) == locale
    assert numbered(seeded.problems[0]) in said  # problem lists and cards were on screen, in the new form
    if officer:
        assert numbered(seeded.open_survey) in said and numbered(item_id) in said


async def test_no_notice_writes_a_number_with_a_hash(db: Database, municipality: tuple[Seeded, int]) -> None:
    """The notices the seed queued (a plan item on two problems, a monitoring report…), in both languages."""
    seeded, _item = municipality
    rows = await db.fetchall("SELECT kind, content FROM broadcasts ORDER BY id")
    texts = [(row["kind"], locale, render_stored(row["content"], locale)) for row in rows for locale in SUPPORTED_LOCALES]
    wrong = [f"{kind} ({locale}): {text!r}" for kind, locale, rendered in texts
             for text in [rendered.text, *(b.text for line in rendered.rows for b in line)] if HASH_NUMBER.search(text)]
    assert wrong == [], "\n".join(wrong)
    assert any(numbered(seeded.problems[0]) in rendered.text for kind, _l, rendered in texts if kind == "plan.added")


VISIBLE = re.compile(r"<(style|script)\b.*?</\1>|<[^>]+>", re.S)


@pytest.mark.parametrize("uid", [OFFICER, OFFICER_RU])
async def test_the_web_app_pages_write_numbers_with_the_sign(db: Database, settings, municipality, uid: int) -> None:
    seeded, _item = municipality
    client = await serve(db, settings)
    try:
        pages = {name: await (await client.get(f"/webapp/api/view/{name}", headers=auth(uid))).text()
                 for name in ("dashboard", "problems", "surveys", "hearings", "registry", "audit")}
    finally:
        await client.close()
    for name, html in pages.items():
        text = VISIBLE.sub(" ", html)
        assert not HASH_NUMBER.search(text), (name, HASH_NUMBER.findall(text))
    assert numbered(seeded.problems[0]) in VISIBLE.sub(" ", pages["problems"])
    assert numbered(seeded.problems[0]) in VISIBLE.sub(" ", pages["dashboard"])
