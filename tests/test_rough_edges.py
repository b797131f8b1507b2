"""Rough edges found by using the bot as a villager would (issue 12), through the real dispatcher:
an empty list offers what its text invites; a confirmation that the next step follows at once carries
no button of its own; a registry area's button keeps its count when its name is shortened."""

from __future__ import annotations

import re

import pytest

from bot.db import Database
from bot.ui.keyboards import ROW_WIDTH, text_width
from tests.harness import Harness, labels, plain
from tests.support import onboard

EMPTY = {  # list → (its button on the problems home, the text it shows empty, the button it offers, what that opens)
    "ky": {"r": ("Артыкчылыктуу", "Биринчи болуп", "Көйгөй жазуу", "категориясын"),
           "m": ("Менин көйгөйлөрүм", "эч бир көйгөй жаза элексиз", "Көйгөй жазуу", "категориясын"),
           "s": ("Мен колдогон", "колдой элексиз", "Артыкчылыктуу көйгөйлөр", "Артыкчылыктуу көйгөйлөр")},
    "ru": {"r": ("Приоритетные", "Сообщите о проблеме первым", "Сообщить о проблеме", "категорию"),
           "m": ("Мои проблемы", "не сообщили ни об одной", "Сообщить о проблеме", "категорию"),
           "s": ("Поддержанные мной", "не поддержали", "Приоритетные проблемы", "Приоритетные проблемы")},
}


@pytest.mark.parametrize("locale", ["ky", "ru"])
@pytest.mark.parametrize("src", ["r", "m", "s"])
async def test_an_empty_problem_list_offers_what_it_invites(harness: Harness, db: Database, locale: str,
                                                           src: str) -> None:
    list_button, empty_text, offered, opens = EMPTY[locale][src]
    resident = await onboard(harness, db, 7101, locale)
    [home] = await resident.send("/problems")
    [empty] = await resident.press(list_button, home)
    assert empty_text in plain(empty)
    assert any(offered in label for label in labels(empty)), labels(empty)
    replies = await resident.press(offered, empty)
    assert opens in plain(replies[-1])


@pytest.mark.parametrize(("locale", "language", "question"), [("ky", "Кыргызча", "Кайсы жерде жашайсыз?"),
                                                             ("ru", "Русский", "Где вы живёте?")])
async def test_a_confirmation_followed_at_once_by_the_next_step_has_no_button_of_its_own(
        harness: Harness, locale: str, language: str, question: str) -> None:
    """"Language: …" and "✅ Your municipality: …" are followed by the next question or the main menu;
    a "« Main menu" on them led, during onboarding, back to the question itself."""
    person = harness.person(7201, "Айбек", language_code=None)
    await person.send("/start")
    replies = await person.press(language)
    confirmation, picker = replies[0], replies[-1]
    assert language in plain(confirmation) and labels(confirmation) == []
    assert question in plain(picker) and labels(picker)
    replies = await person.send("карабалта")  # typed without its hyphen
    chosen = await person.press("Кара-Балта", replies[-1])
    assert "✅" in plain(chosen[0]) and labels(chosen[0]) == []
    assert labels(chosen[-1]), "the main menu follows with its buttons"


@pytest.mark.parametrize("locale", ["ky", "ru"])
async def test_registry_area_buttons_keep_their_counts_and_fit_a_phone(harness: Harness, db: Database,
                                                                      locale: str) -> None:
    resident = await onboard(harness, db, 7301, locale)
    [home] = await resident.send("/services")
    areas = [label for label in labels(home) if re.search(r"\(\d+\)$", label)]
    assert len(areas) >= 10, labels(home)
    assert all(text_width(label) <= ROW_WIDTH for label in labels(home)), labels(home)
    shortened = [label for label in areas if "…" in label]
    assert all(re.search(r"… \(\d+\)$", label) for label in shortened), shortened


async def test_a_message_inside_a_wizard_step_carries_the_steps_buttons(harness: Harness, db: Database) -> None:
    """``Ctx.say``: a progress note ("1 option so far") or a refusal inside a step is the last word, so it
    carries the step's buttons (here « Back and ✖ Cancel, "Done" once two options are in)."""
    from tests.support import officer_person

    officer = await officer_person(harness, db, 7401, locale="ky")
    await officer.send("/newsurvey")
    await officer.send("Кайсы көчөгө биринчи жарык коюу керек?")
    await officer.press("Өткөрүп жиберүү")  # no Russian question
    [one] = await officer.send("Ленин көчөсү")
    assert "1 вариант" in plain(one)
    assert labels(one) == ["« Артка", "✖ Жокко чыгаруу"]
    [two] = await officer.send("Мектеп көчөсү")
    assert labels(two) == ["Даяр", "« Артка", "✖ Жокко чыгаруу"]
    [sticker] = await officer.send_sticker()  # a refusal: the same step's buttons again
    assert labels(sticker) and labels(sticker)[-1] == "✖ Жокко чыгаруу"
    await officer.press("✖ Жокко чыгаруу", sticker)
    assert "Башкы меню" in " ".join(labels(officer.last()))
