"""No dead ends (issue 12): every message the bot leaves as the last word in a chat has a way on — not
merely some button (a toggle or a list of areas leads nowhere once it is used), but "« Main menu" (or
the main menu itself), a back button ("«"), Cancel, or the next step's own buttons (a wizard prompt,
the language question).

The test does not list the commands by hand: it collects every command the real routers register
(their ``Command`` filters), sends each one as a resident and as an officer through the real
dispatcher, presses every button of the main menu, and checks the bot's last message each time.
"""

from __future__ import annotations

from typing import Any

import pytest
from aiogram import Dispatcher, Router
from aiogram.filters import Command

from bot.db import Database
from bot.i18n import _
from bot.ui.callbacks import MenuCallback
from tests.harness import Harness, Person, labels, plain
from tests.support import officer_person, onboard

EXCEPTIONS: dict[str, str] = {
    "start": "starts onboarding again; covered by tests/test_onboarding.py (the language prompt has buttons)",
    "delete_me": "asks for a typed confirmation word (a deliberate extra step before erasing personal data)",
    "verify": "a wizard prompt whose keyboard is Telegram's reply keyboard (Share my phone number; a message "
              "carries one keyboard only) and which names /cancel; the emulator keeps no reply keyboards",
    "link": "in a private chat it explains how to link a group; the group commands are tested in test_reach_links",
    "unlink": "group-only command (linked chats), see test_reach_links",
}
"""Commands whose last message may deliberately lack buttons, with the reason."""

PENDING: dict[str, str] = {}
"""Commands still a dead end, sent in the sweep (their buttons are measured) but not yet checked, each with
what is due; everything else must have a way on."""


def _routers(router: Router) -> list[Router]:
    found = [router]
    for sub in router.sub_routers:
        found.extend(_routers(sub))
    return found


def registered_commands(dispatcher: Dispatcher) -> set[str]:
    """Every command name some router's ``Command`` filter accepts."""
    names: set[str] = set()
    for router in _routers(dispatcher):
        for handler in router.message.handlers:
            for flt in handler.filters or []:
                if isinstance(flt.callback, Command):
                    names.update(c for c in flt.callback.commands if isinstance(c, str))
    return names


CANCEL = {_("✖ Cancel", locale=locale) for locale in ("ky", "ru")}
"""Cancel as a screen's own button (the erasure question), in either language."""
NEXT_STEP = ("st:", "lang:")
"""Callback prefixes of a next step's own buttons: a wizard prompt (its choices, Skip, Back, Cancel) and
the language question, whose answer leads on by itself."""


def way_on(button: dict[str, Any]) -> bool:
    """Whether ``button`` leads somewhere from a screen that is over: the main menu (``MenuCallback``:
    "« Main menu", or a button of the main menu itself), back ("«…"), Cancel, a next step's own button."""
    data = button.get("callback_data") or ""
    return (data.startswith(MenuCallback.__prefix__ + ":") or button["text"].startswith("«")
            or button["text"] in CANCEL or data.startswith(NEXT_STEP))


def has_way_on(message: dict[str, Any]) -> bool:
    """An inline keyboard with a way on (:func:`way_on`), or Telegram's reply keyboard (/verify's
    "Share my phone number", which the wizard pairs with typing a code)."""
    markup = message.get("reply_markup") or {}
    buttons = [b for row in markup.get("inline_keyboard", []) for b in row]
    return any(way_on(b) for b in buttons) or bool(markup.get("keyboard"))


async def _check(person: Person, action: str) -> str | None:
    last = person.last()
    if has_way_on(last):
        return None
    return f"{action}: {plain(last)[:80]!r} {labels(last)}"


async def _sweep(harness: Harness, person: Person) -> list[str]:
    dead: list[str] = []
    for command in sorted(registered_commands(harness.dispatcher) - set(EXCEPTIONS)):
        await person.send("/cancel")
        await person.send(f"/{command}")
        if command not in PENDING and (problem := await _check(person, f"/{command}")) is not None:
            dead.append(problem)
    await person.send("/cancel")
    await person.send("hello there")
    if (problem := await _check(person, "free text")) is not None:
        dead.append(problem)
    await person.send("/nosuchcommand")
    if (problem := await _check(person, "unknown command")) is not None:
        dead.append(problem)
    [menu] = await person.send("/menu")
    for label in labels(menu):
        await person.send("/cancel")
        [menu] = await person.send("/menu")
        await person.press(label, menu)
        if (problem := await _check(person, f"menu button {label!r}")) is not None:
            dead.append(problem)
    return dead


def test_the_commands_are_collected_from_the_routers(harness: Harness) -> None:
    commands = registered_commands(harness.dispatcher)
    assert {"menu", "help", "problems", "surveys", "hearings", "services", "problems_queue"} <= commands


@pytest.mark.parametrize("locale", ["ky", "ru"])
async def test_no_resident_screen_is_a_dead_end(harness: Harness, db: Database, locale: str) -> None:
    resident = await onboard(harness, db, 5101, locale)
    dead = await _sweep(harness, resident)
    assert dead == [], "\n".join(dead)


async def test_no_officer_screen_is_a_dead_end(harness: Harness, db: Database) -> None:
    officer = await officer_person(harness, db, 5201)
    dead = await _sweep(harness, officer)
    assert dead == [], "\n".join(dead)


async def test_the_end_of_a_flow_is_not_a_dead_end(harness: Harness, db: Database) -> None:
    """A wizard's last message (``ctx.finish``) and an edited card (``edit_or_send``) carry the way on
    by construction; here through real flows: publishing a problem, cancelling one, the card."""
    from tests.problems_support import raise_problem

    resident = await onboard(harness, db, 5301, "ru")
    problem_id = await raise_problem(resident, "Вода не идет третий день по улице Ленина", "Водоснабжение")
    assert has_way_on(resident.last()) and "Главное меню" in " ".join(labels(resident.last()))
    await resident.send("/newproblem")
    await resident.press("✖")
    assert has_way_on(resident.last())
    [home] = await resident.send("/problems")
    [card] = await resident.press_data(home["message_id"], f"pb:open:{problem_id}:0:r")
    assert has_way_on(card)


async def test_officer_and_superadmin_command_replies_have_a_way_on(harness: Harness, db: Database) -> None:
    """Replies that end a command with arguments (the sweep sends commands bare): the reopen threshold
    saved, the superadmin's usage hints, searches and results."""
    from tests.support import SUPERADMIN_ID

    officer = await officer_person(harness, db, 5401)
    [saved] = await officer.send("/reopen_threshold 5")
    assert "5" in plain(saved) and has_way_on(saved)
    admin = await onboard(harness, db, SUPERADMIN_ID, "ru")
    dead = []
    for command in ("/find", "/find Ак-Дебе", "/find Нетакого", "/invite", "/grant", "/grant 5401 41708203803000",
                    "/revoke", "/officers", "/officers 41708203803000"):
        await admin.send(command)
        if (problem := await _check(admin, command)) is not None:
            dead.append(problem)
    assert dead == [], "\n".join(dead)


MENU = {"ky": "« Башкы меню", "ru": "« Главное меню"}


@pytest.mark.parametrize("locale", ["ky", "ru"])
async def test_the_screens_of_issue_12_end_with_the_main_menu(harness: Harness, db: Database, locale: str) -> None:
    """Each of these was the last word with buttons of its own only (the registry's areas, the alert
    toggles, the plan's actions, the empty queue's filter): sent as a command, a screen now ends like the
    same screen opened by a button, with "« Main menu" (:func:`bot.ui.messages.answer_screen`)."""
    resident = await onboard(harness, db, 5501, locale)
    officer = await officer_person(harness, db, 5502, locale=locale)
    dead = []
    for person, command in [(resident, "/services"), (resident, "/help"), (resident, "/privacy"),
                            (resident, "/registry"), (resident, "/plans"), (resident, "просто текст"),
                            (officer, "/services"), (officer, "/registry"), (officer, "/plans"),
                            (officer, "/alerts"), (officer, "/problems_queue"), (officer, "/monitoring_group"),
                            (officer, "/help"), (officer, "/privacy"), (officer, "просто текст")]:
        await person.send("/cancel")
        replies = await person.send(command)
        last = person.last()
        if not replies or MENU[locale] not in labels(last):
            dead.append(f"{command} ({'officer' if person is officer else 'resident'}): "
                        f"{plain(last)[:60]!r} {labels(last)}")
    assert dead == [], "\n".join(dead)
    [queue] = await officer.send("/problems_queue")
    assert ("0" in plain(queue)) and labels(queue)[-1] == MENU[locale]  # the queue is empty here


@pytest.mark.parametrize(("cancel_scheduled", "text"), [(False, "удалён"), (True, "отменён")])
async def test_the_reply_after_a_survey_is_deleted_has_a_way_on(harness: Harness, db: Database, frozen_clock,
                                                                 cancel_scheduled: bool, text: str) -> None:
    """"Survey №N is deleted." (and "…had not opened yet, so it is cancelled") replaced the card with
    no button: now the officer's surveys and the main menu."""
    from datetime import timedelta

    from bot.domain import surveys as sv
    from bot.domain.clock import to_db
    from tests.survey_helpers import CLOSE_UTC, START, draft, make_officer

    frozen_clock.set(START)
    officer = await make_officer(db, harness)
    opens = START + timedelta(days=1) if cancel_scheduled else START
    survey = await sv.create_survey(db, officer_id=700, draft=draft(opens_at=to_db(opens),
                                                                   closes_at=to_db(CLOSE_UTC)))
    [listing] = await officer.send("/survey_admin")
    [card] = await officer.press(str(survey.id), listing)
    await officer.press("Закрыть" if cancel_scheduled else "Удалить", card)
    [done] = await officer.press("Да")
    assert text in plain(done)
    assert labels(done) == ["🛠 Управление опросами", MENU["ru"]]
    [surveys] = await officer.press("Управление опросами", done)
    assert "Опросы вашего муниципалитета" in plain(surveys)
