"""The flow kit (``bot.flows``) through the real dispatcher: the rules every wizard gets for free.

A small wizard defined here (a report: a title, a kind, a text in parts, a photo, a preview) runs
inside the real application (all middlewares and routers), so what is checked is what every
feature's wizard does: navigation ends a step, bounds and types answered the same way, split pastes
refused, one action per tap, state stored before a prompt, back and cancel, domain refusals keep the
step.
"""

from __future__ import annotations

from typing import Any

import pytest
from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.db import Database
from bot.domain.errors import NumberOutOfRange
from bot.flows import Ctx, Prompt, Wizard
from bot.i18n import N_
from tests.conftest import close_bot
from tests.harness import Harness, labels, plain
from tests.support import AK_DEBE, make_resident, outside_any_form

USER = 60_101

wizard = Wizard("tst", cancelled=N_("Cancelled. Nothing was saved."))
title = wizard.text("title", max_len=50, min_len=3)
kind = wizard.choice("kind")
body = wizard.text("body", max_len=6000, parts=True)
count = wizard.text("count", max_len=5)
photo = wizard.media("photo", accepts=("photo",), wrong=N_("Please send a photo, or press «Skip»."))
preview = wizard.choice("preview")

SEEN: dict[str, Any] = {"states_at_prompt": [], "published": []}


@title.prompt
async def _ask_title(ctx: Ctx) -> Prompt:
    SEEN["states_at_prompt"].append(await ctx.state.get_state())
    return Prompt("TITLE?")


@title.handle
async def _title(ctx: Ctx, text: str | None) -> None:
    ctx.data["title"] = text
    await ctx.goto(kind)


@kind.prompt
async def _ask_kind(ctx: Ctx) -> Prompt:
    SEEN["states_at_prompt"].append(await ctx.state.get_state())
    return Prompt("KIND?", rows=[[kind.button("Water", "water"), kind.button("Road", "road")]])


@kind.handle
async def _kind(ctx: Ctx, value: str) -> None:
    ctx.data["kind"] = value
    await ctx.goto(body)


@body.prompt
async def _ask_body(ctx: Ctx) -> Prompt:
    return Prompt("BODY?")


@body.handle
async def _body(ctx: Ctx, text: str | None) -> None:
    ctx.data["body"] = text
    await ctx.goto(count)


@count.prompt
async def _ask_count(ctx: Ctx) -> Prompt:
    return Prompt("COUNT?")


@count.handle
async def _count(ctx: Ctx, text: str | None) -> None:
    if not (text or "").isdigit() or not 1 <= int(text or "0") <= 99:
        raise NumberOutOfRange(low=1, high=99)  # a domain refusal: the step must stay
    ctx.data["count"] = int(text or "0")
    await ctx.goto(photo)


@photo.prompt
async def _ask_photo(ctx: Ctx) -> Prompt:
    return Prompt("PHOTO?", skip=True)


@photo.handle
async def _photo(ctx: Ctx, message: Message | None) -> None:
    ctx.data["photo"] = message.photo[-1].file_id if message is not None and message.photo else None
    await ctx.goto(preview)


@preview.prompt
async def _ask_preview(ctx: Ctx) -> Prompt:
    SEEN["states_at_prompt"].append(await ctx.state.get_state())
    return Prompt(f"PREVIEW {ctx.data['title']} / {ctx.data['kind']}",
                  rows=[[preview.button("Publish", "go"), preview.button("Publish 500", "500")]])


@preview.handle
async def _publish(ctx: Ctx, value: str) -> None:
    if value != "go":
        raise NumberOutOfRange(low=1, high=99)  # a refused tap: the prompt must keep its buttons
    SEEN["published"].append(dict(ctx.data))
    await ctx.finish("PUBLISHED")


async def _start(message: Message, state: FSMContext, **deps: Any) -> None:
    await wizard.start(message, state, deps, {"started": True})


other = Wizard("tst2")
note = other.text("note", max_len=100)


@note.prompt
async def _ask_note(ctx: Ctx) -> Prompt:
    return Prompt("NOTE?")


@note.handle
async def _noted(ctx: Ctx, text: str | None) -> None:
    await ctx.finish("NOTED")


async def _start_other(message: Message, state: FSMContext, **deps: Any) -> None:
    await other.start(message, state, deps)


def _router() -> Router:
    router = Router(name="test-wizard")
    router.message.register(_start, Command("report"))
    router.message.register(_start_other, Command("note"))
    wizard.register(router)
    other.register(router)
    return router


@pytest.fixture
async def kit(emulator, settings, db: Database, monkeypatch):
    """The real application with the test wizard's router in front of the features' routers."""
    import bot.app
    from bot.app import build_application, build_bot

    original = bot.app.build_routers
    monkeypatch.setattr(bot.app, "build_routers", lambda: [_router(), *original()])
    settings = settings.model_copy(update={"telegram_api_url": emulator.base_url})
    app = await build_application(settings, db)
    client = build_bot(settings)
    SEEN["states_at_prompt"].clear()
    SEEN["published"].clear()
    await make_resident(db, USER, "ru", AK_DEBE)
    harness = Harness(emulator, client, app.dispatcher)
    yield harness
    await close_bot(client)


async def _at_kind(harness: Harness):
    person = harness.person(USER, "Айбек", language_code="ru")
    await person.send("/report")
    await person.send("Broken pipe")
    return person


async def test_the_state_is_stored_before_each_prompt_is_sent(kit: Harness) -> None:
    person = await _at_kind(kit)
    await person.press("Water")
    assert SEEN["states_at_prompt"][:2] == ["tst:title", "tst:kind"]


async def test_a_text_out_of_bounds_or_of_the_wrong_type_gets_one_answer_and_keeps_the_step(kit: Harness) -> None:
    person = kit.person(USER, "Айбек", language_code="ru")
    await person.send("/report")
    [reply] = await person.send("ab")
    assert plain(reply).startswith("Слишком коротко: нужно не меньше 3 символов, у вас 2 символа.")
    [reply] = await person.send_sticker()
    assert plain(reply) == "Отправьте это текстом или /cancel."
    too_long = kit.emulator.send_text(USER, "ж" * 80)
    too_long["message"]["date"] -= 60
    await kit.feed(too_long)
    assert plain(person.last()).startswith("Слишком длинно: не больше 50 символов, у вас 80 символов.")
    [reply] = await person.send("Broken pipe")  # a minute later: a new, valid answer
    assert plain(reply) == "KIND?"


async def test_the_tail_of_a_split_paste_is_not_taken_as_a_new_answer(kit: Harness) -> None:
    person = kit.person(USER, "Айбек", language_code="ru")
    await person.send("/report")
    await person.send("ж" * 4096)  # Telegram's first part of a longer paste
    [reply] = await person.send("short tail")  # the rest, within the same second
    assert "конец длинного текста" in plain(reply)
    later = kit.emulator.send_text(USER, "Broken pipe")
    later["message"]["date"] += 30
    await kit.feed(later)
    assert plain(person.last()) == "KIND?"


@pytest.mark.parametrize("leave", ["menu button", "command"])
async def test_a_step_left_by_navigation_ignores_later_text(kit: Harness, db: Database, leave: str) -> None:
    person = await _at_kind(kit)
    stale, data = person.find_button("Road")
    await person.press("Water")  # now at the body step
    if leave == "menu button":
        await person.send("/menu")
        await person.press("Помощь")
    else:
        await person.send("/id")
    replies = await person.send("this text is not the body")
    assert not any("Добавлено" in plain(m) for m in replies)
    assert outside_any_form(replies[-1])
    # the step's old button is stale now: it acts on nothing
    await person.press_data(stale["message_id"], data)
    assert person.alerts()[-1]["text"].startswith("Этот шаг уже пройден")
    assert SEEN["published"] == []


async def test_a_double_tap_acts_once_and_removes_the_buttons(kit: Harness) -> None:
    person = await _at_kind(kit)
    prompt, data = person.find_button("Water")
    first = await person.press_data(prompt["message_id"], data)
    second = await person.press_data(prompt["message_id"], data)
    assert [plain(m) for m in first if plain(m) == "BODY?"] == ["BODY?"]
    assert not [m for m in second if plain(m) == "BODY?"]
    assert person.alerts()[-1]["text"].startswith("Этот шаг уже пройден")
    now = next(m for m in kit.emulator.bot_messages(USER) if m["message_id"] == prompt["message_id"])
    assert not now.get("reply_markup")


async def test_a_long_text_is_collected_in_parts_until_done(kit: Harness) -> None:
    person = await _at_kind(kit)
    await person.press("Water")
    [added] = await person.send("ж" * 3000)
    assert "3 000".replace(" ", "\xa0") in plain(added) or "3000" in plain(added).replace("\xa0", "").replace(" ", "")
    await person.send("ы" * 2000)
    [refused] = await person.send("ю" * 1500)
    assert "не добавлено" in plain(refused)
    replies = await person.press("Готово")
    assert plain(replies[-1]) == "COUNT?"
    data = await kit.dispatcher.storage.get_data(_key(kit))
    assert data["body"] == "ж" * 3000 + "\n\n" + "ы" * 2000


async def test_a_domain_refusal_is_explained_and_the_step_stays(kit: Harness) -> None:
    person = await _at_kind(kit)
    await person.press("Water")
    await person.send("body text")
    await person.press("Готово")
    [reply] = await person.send("500")
    assert plain(reply) == "Отправьте целое число от 1 до 99."
    assert {"« Назад", "✖ Отмена"} <= set(labels(reply))  # the refusal keeps the step's way on (issue 12)
    [reply] = await person.send("7")
    assert plain(reply) == "PHOTO?"
    [reply] = await person.send("not a photo")
    assert plain(reply).startswith("Please send a photo")  # the wizard's own msgid (not in the catalogs)
    replies = await person.press("Пропустить")
    assert plain(replies[-1]) == "PREVIEW Broken pipe / water"
    refused = _button(person, "Publish 500")
    await person.press_data(*refused)
    assert person.alerts()[-1]["text"] == "Отправьте целое число от 1 до 99."
    shown = next(m for m in kit.emulator.bot_messages(USER) if m["message_id"] == refused[0])
    assert "Publish" in labels(shown) and "✖ Отмена" in labels(shown)  # the refused tap's buttons are back
    publish = _button(person, "Publish")
    await person.press_data(*publish)
    await person.press_data(*publish)  # a late second tap
    assert len(SEEN["published"]) == 1
    assert SEEN["published"][0]["count"] == 7 and SEEN["published"][0]["photo"] is None


async def test_back_returns_to_the_previous_step_and_cancel_ends_the_wizard(kit: Harness) -> None:
    person = await _at_kind(kit)
    assert "« Назад" in labels(person.last())
    replies = await person.press("« Назад")
    assert plain(replies[-1]) == "TITLE?"
    assert "« Назад" not in labels(replies[-1])  # the first step has nowhere to go back to
    await person.send("Another title")
    replies = await person.press("Отмена")
    assert plain(replies[-1]) == "Отменено. Ничего не сохранено."
    assert "« Главное меню" in labels(replies[-1])
    assert await kit.dispatcher.storage.get_state(_key(kit)) is None
    replies = await person.send("more text")
    assert plain(replies[-1]).startswith("Я вас не понял")


async def test_a_form_left_by_a_command_is_kept_and_can_be_continued(kit: Harness) -> None:
    person = await _at_kind(kit)
    await person.press("Water")  # two steps answered, now at the body
    replies = await person.send("/menu")
    note = replies[-1]  # after the menu: the note is the last word
    assert "сохранено" in plain(note) and labels(note) == ["▶ Продолжить"]
    replies = await person.press("▶ Продолжить")
    assert plain(replies[-1]) == "BODY?"
    [added] = await person.send("body text")
    assert "Добавлено" in plain(added)
    await person.press_data(note["message_id"], note["reply_markup"]["inline_keyboard"][0][0]["callback_data"])
    assert "уже не сохранён" in person.alerts()[-1]["text"]  # a second tap of the used note: nothing reopened
    data = await kit.dispatcher.storage.get_data(_key(kit))
    assert data["_parts_body"] == ["body text"] and "_left" not in data


async def test_a_refused_text_shorter_than_a_split_part_does_not_swallow_the_next_answer(kit: Harness) -> None:
    person = kit.person(USER, "Айбек", language_code="ru")
    await person.send("/report")
    [refused] = await person.send("ж" * 600)  # too long for the title, but Telegram never splits 600
    assert plain(refused).startswith("Слишком длинно")
    [reply] = await person.send("Broken pipe")  # the same second: a new, valid answer
    assert plain(reply) == "KIND?"


async def test_an_edited_message_in_a_form_is_answered_with_the_steps_buttons(kit: Harness) -> None:
    person = kit.person(USER, "Айбек", language_code="ru")
    await person.send("/report")
    await person.send("ab")  # too short: refused, the step stays
    [sent] = [m for m in kit.emulator.messages(USER) if not kit.emulator._is_bot_message(m)][-1:]
    replies = await person._act(kit.emulator.edit_text(USER, sent["message_id"], "Broken pipe, edited"))
    assert "не читаю исправленные" in plain(replies[-1]) and "✖ Отмена" in labels(replies[-1])
    assert await kit.dispatcher.storage.get_state(_key(kit)) == "tst:title"  # the step goes on


async def test_help_in_the_middle_of_a_form_leaves_it_kept(kit: Harness) -> None:
    person = await _at_kind(kit)
    await person.press("Water")
    replies = await person.send("/help")
    assert labels(replies[-1]) == ["▶ Продолжить"]
    replies = await person.send("this is not the body")
    assert outside_any_form(replies[-1])  # not taken as the form's answer…
    assert plain(replies[-1]).startswith("Это не принято") and "▶ Продолжить" in labels(replies[-1])  # …the way back
    replies = await person.press("▶ Продолжить")
    assert plain(replies[-1]) == "BODY?"


@pytest.mark.parametrize("end", ["finished", "cancelled"])
async def test_a_form_started_over_another_gives_it_back_when_it_ends(kit: Harness, end: str) -> None:
    person = await _at_kind(kit)
    await person.press("Water")  # the report is at its body step
    replies = await person.send("/note")  # another form, opened over it
    assert [plain(m) for m in replies] == ["NOTE?"]  # nothing else in between
    replies = await person.send("a short note") if end == "finished" else await person.press("✖ Отмена")
    assert {"NOTED", "Отменено. Ничего не сохранено."} & {plain(m) for m in replies}
    assert "начали раньше" in plain(replies[-1]) and labels(replies[-1]) == ["▶ Продолжить"]
    replies = await person.press("▶ Продолжить")
    assert plain(replies[-1]) == "BODY?"
    data = await kit.dispatcher.storage.get_data(_key(kit))
    assert data["title"] == "Broken pipe" and data["kind"] == "water"  # the report's answers are all there


async def test_a_text_long_after_leaving_a_form_is_read_as_a_new_message(kit: Harness) -> None:
    from datetime import UTC, datetime, timedelta

    from bot.domain.clock import clock

    person = await _at_kind(kit)
    await person.press("Water")
    await person.send("/menu")
    clock.set(lambda: datetime.now(UTC) + timedelta(minutes=20))
    try:
        replies = await person.send("На нашей улице третий месяц не горят фонари")
    finally:
        clock.set(None)
    assert plain(replies[-1]).startswith("Это проблема")  # the offer, not "meant for the form?"
    assert (await kit.dispatcher.storage.get_data(_key(kit)))["title"] == "Broken pipe"  # still kept


async def test_a_form_replaced_by_another_one_is_not_said_to_be_kept(kit: Harness) -> None:
    person = await _at_kind(kit)
    await person.press("Water")
    replies = await person.send("/report")  # the same form afresh replaces the draft: no note
    assert [plain(m) for m in replies] == ["TITLE?"]
    [only] = await person.send("/menu")  # left at its first step: nothing filled in, no note either
    assert "▶ Продолжить" not in labels(only)


async def test_a_stale_continue_says_the_draft_is_gone(kit: Harness) -> None:
    person = await _at_kind(kit)
    await person.press("Water")
    note = (await person.send("/id"))[-1]
    assert labels(note) == ["▶ Продолжить"]
    await person.send("/report")  # another form replaced the kept draft
    await person.press_data(note["message_id"], note["reply_markup"]["inline_keyboard"][0][0]["callback_data"])
    assert "уже не сохранён" in person.alerts()[-1]["text"]
    assert await kit.dispatcher.storage.get_state(_key(kit)) == "tst:title"  # the new form is untouched


async def test_a_text_in_parts_offers_done_once(kit: Harness) -> None:
    person = await _at_kind(kit)
    await person.press("Water")
    [added] = await person.send("ж" * 100)
    assert labels(added).count("✅ Готово") == 1 and "✖ Отмена" in labels(added)


def _button(person, label: str) -> tuple[int, str]:
    message, data = person.find_button(label)
    return message["message_id"], data


def _key(harness: Harness):
    from aiogram.fsm.storage.base import StorageKey

    return StorageKey(bot_id=harness.bot.id, chat_id=USER, user_id=USER)
