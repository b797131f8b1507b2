"""Buttons a person can read (issue 12): list buttons say what they open (an icon and the first
words, not a bare "№12"), and every button fits a 360-px phone — about 30 characters alone in a row,
14 each in a row of two (:func:`bot.ui.keyboards.row_limit`).

The check runs over every keyboard the bot sent in the chats of the sweep below (residents in both
languages and an officer: every command, every main-menu button, the problem lists and cards, the
officer's queue), read back from the emulator, so a new keyboard is checked without being listed.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from aiogram.types import InlineKeyboardButton

from bot.db import Database
from bot.ui.keyboards import ROW_WIDTH, fit_rows, item_label, label, row_limit, text_width
from bot.i18n import _
from tests.harness import Harness, labels, plain
from tests.problems_support import raise_problem
from tests.support import officer_person, onboard
from tests.test_dead_ends import _sweep

PENDING: dict[str, str] = {}
"""Labels known to be too wide, with what is done about each; everything else must fit."""

LONG = "Вода не идет третий день по улице Ленина, соседи носят воду из арыка"


def test_label_cuts_at_a_word_and_keeps_short_text() -> None:
    assert label("Суу жок") == "Суу жок"
    cut = label(LONG)
    assert cut.endswith("…") and text_width(cut) <= 30 and LONG.startswith(cut[:-1])
    assert not cut[:-1].endswith(" ")
    assert item_label("💧", "Суу жок үч күндөн бери, көчөдө") .startswith("💧 Суу жок")


def test_long_labels_get_a_row_of_their_own() -> None:
    buttons = [InlineKeyboardButton(text=t, callback_data="x") for t in ("Тил", "Жардам", "Менин муниципалитетим", "Ok")]
    assert [[b.text for b in row] for row in fit_rows(buttons)] == [["Тил", "Жардам"], ["Менин муниципалитетим"], ["Ok"]]


def too_wide(message: dict[str, Any]) -> list[str]:
    """Buttons of ``message`` wider than their row allows, as "label (n in row)"."""
    found = []
    for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
        for button in row:
            if button["text"] in PENDING:
                continue
            if text_width(button["text"]) > row_limit(len(row)):
                found.append(f"{button['text']!r} ({len(row)} in row)")
    return found


async def test_problem_lists_name_what_each_button_opens(harness: Harness, db: Database) -> None:
    author = await onboard(harness, db, 7101, "ru", name="Иван")
    await raise_problem(author, LONG, "Водоснабжение")
    officer = await officer_person(harness, db, 7102)
    [home] = await author.send("/problems")
    lists = await author.press("Приоритет", home) if any("Приоритет" in b for b in labels(home)) else [home]
    buttons = labels(lists[-1])
    assert not any(re.fullmatch(r"[#№]\d+", b) for b in buttons), buttons
    assert any(b.startswith("🚰 Вода не идет") for b in buttons), buttons
    [queue] = await officer.send("/problems_queue")
    assert any("Вода не идет" in b for b in labels(queue)), labels(queue)
    assert not any(re.fullmatch(r"[#№]\d+", b) for b in labels(queue))


@pytest.mark.parametrize("locale", ["ky", "ru"])
async def test_every_button_fits_a_small_phone(harness: Harness, db: Database, locale: str) -> None:
    resident = await onboard(harness, db, 7201, locale)
    await raise_problem(resident, LONG, "Суу" if locale == "ky" else "Водоснабжение")
    officer = await officer_person(harness, db, 7202, locale=locale)
    await _sweep(harness, resident)
    await _sweep(harness, officer)
    for person in (resident, officer):
        [home] = await person.send("/problems")
        for text in labels(home)[:3]:
            await person.press(text, home)
    await officer.send("/problems_queue")
    wide = [w for uid in (7201, 7202) for m in harness.emulator.bot_messages(uid) for w in too_wide(m)]
    assert sorted(set(wide)) == [], "\n".join(sorted(set(wide)))


@pytest.mark.parametrize("locale", ["ky", "ru"])
@pytest.mark.parametrize("mode", ["now", "digest", "off"])
def test_every_alert_mode_button_fits(locale: str, mode: str) -> None:
    """The /alerts screen shows one mode per kind, so the sweep sees only the default ("at once"):
    every kind in every mode must fit too."""
    from bot.domain.reach import alerts
    from bot.i18n import use_locale
    from bot.ui.reach import alerts_keyboard
    from bot.ui.reflow import reflow

    prefs = alerts.AlertPrefs(officer_id=1, modes={kind: (mode, False) for kind in alerts.KINDS})
    with use_locale(locale):
        markup = reflow(alerts_keyboard(prefs))
    message = {"reply_markup": markup.model_dump(exclude_none=True)}
    assert too_wide(message) == []
    modes = [b for row in markup.inline_keyboard for b in row if str(b.callback_data).startswith("al:mode")]
    assert len(modes) == len(alerts.KINDS)


PLAN_TITLE = {"ky": "Ак-Дебе айылынын борбордук көчөсүндөгү суу түтүгүн толугу менен алмаштыруу",
              "ru": "Полная замена водопровода на центральной улице села Ак-Дебе и в переулках"}
STEP_TITLE = {"ky": "Долбоордук-сметалык документтерди даярдоо жана бекитүү",
              "ru": "Подготовка и утверждение проектно-сметной документации"}


@pytest.mark.parametrize("locale", ["ky", "ru"])
async def test_plan_buttons_fit_and_name_the_item(harness: Harness, db: Database, frozen_clock,
                                                  locale: str) -> None:
    """Plan items and steps are named on buttons like problems (:func:`bot.ui.keyboards.item_label`): the
    first words, "…" and the number — not ``title[:40]``, wider than a phone: the officer's plan, the
    resident's, "Mark a step done", "Change a deadline", and "📋 In the action plan" on a problem's card."""
    from datetime import date

    from bot.domain import plans
    from bot.i18n import numbered
    from bot.ui.plans import PlanCb
    from tests.test_plans_flow import press

    resident = await onboard(harness, db, 7301, locale)
    problem_id = await raise_problem(resident, LONG, "Суу" if locale == "ky" else "Водоснабжение")
    officer = await officer_person(harness, db, 7302, locale=locale)
    view = await plans.create_item(db, officer_id=7302, title=PLAN_TITLE[locale], year=2027, responsible="ayil_okmotu",
                                   problem_ids=[problem_id], steps=[(STEP_TITLE[locale], date(2027, 3, 1))])
    item = view.item.id
    [listing] = await officer.send("/plans")
    [resident_list] = await resident.send("/plan")
    await press(officer, PlanCb(a="oc", i=item).pack())
    steps = (await press(officer, PlanCb(a="sdm", i=item).pack()))[-1]
    await officer.send("/plans")
    await press(officer, PlanCb(a="oc", i=item).pack())
    deadline = (await press(officer, PlanCb(a="dl", i=item).pack()))[-1]
    await resident.send("/cancel")
    [home] = await resident.send("/problems")
    [card] = await resident.press_data(home["message_id"], f"pb:open:{problem_id}:0:r")
    for message in (listing, resident_list, steps, deadline, card):
        assert too_wide(message) == [], message.get("text", "")[:40]
    first_words = " ".join(PLAN_TITLE[locale].split()[:2])
    for message in (listing, resident_list):
        [button] = [b for b in labels(message) if first_words in b]
        assert button.startswith(f"📋 {first_words}") and button.endswith(f"… {numbered(item)}"), button
    step_words = STEP_TITLE[locale][:9]
    assert any(b.startswith(f"✔ {step_words}") and b.endswith("…") for b in labels(steps)), labels(steps)
    assert any(b.startswith(step_words) and b.endswith("… · 01.03.2027") for b in labels(deadline)), labels(deadline)
    [in_plan] = [b for b in labels(card) if b.startswith("📋 ")]
    assert in_plan in labels(resident_list), (in_plan, labels(resident_list))  # the item's one label


@pytest.mark.parametrize("locale", ["ky", "ru"])
async def test_survey_buttons_fit(harness: Harness, db: Database, frozen_clock, locale: str) -> None:
    """A survey's long question on the buttons that open it: the resident's list and the officer's."""
    from bot.domain import surveys as sv
    from tests.survey_helpers import START, draft

    frozen_clock.set(START)
    resident = await onboard(harness, db, 7401, locale)
    officer = await officer_person(harness, db, 7402, locale=locale)
    question = "Кайсы көчөгө биринчи кезекте асфальт төшөө жана жарык коюу керек деп ойлойсуз?"
    await sv.create_survey(db, officer_id=7402, draft=draft(question_ky=question, question_ru=question))
    [surveys] = await resident.send("/surveys")
    [admin] = await officer.send("/survey_admin")
    for message in (surveys, admin):
        assert too_wide(message) == []
        assert any(b.startswith("Кайсы көчөгө") or "Кайсы көчөгө" in b for b in labels(message)), labels(message)


@pytest.mark.parametrize("locale", ["ky", "ru"])
async def test_the_queue_filter_names_every_status_whole(harness: Harness, db: Database, locale: str) -> None:
    """"🔎 Status: …" under the queue and the statuses to choose from: each fits a phone without being cut
    ("В совместном…", "Биргелешкен…" did not say which status), through the real dispatcher for every status."""
    from bot.domain import problems as pb
    from bot.ui.problem_filter import QueueFilterCallback

    officer = await officer_person(harness, db, 7501, locale=locale)
    [queue] = await officer.send("/problems_queue")
    cut = []
    for status in pb.STATUSES:
        [picker] = await officer.press("🔎", officer.last())
        assert len(labels(picker)) >= len(pb.STATUSES)
        cut += [b for b in labels(picker) if "…" in b] + too_wide(picker)
        [shown] = await officer.press_data(picker["message_id"], QueueFilterCallback(action="show", status=status).pack())
        cut += [b for b in labels(shown) if b.startswith("🔎") and "…" in b] + too_wide(shown)
    assert sorted(set(cut)) == [], sorted(set(cut))
    assert queue


@pytest.mark.parametrize("locale", ["ky", "ru"])
async def test_alert_urgency_buttons_say_what_they_do(harness: Harness, db: Database, locale: str) -> None:
    """The urgency toggle of each alert kind was a bare 🔕/🔔: now words saying what a tap does, which
    change after the tap."""
    mark, unmark = {"ky": ("🔔 Шашылыш деп белгилөө", "🔕 Шашылыш белгисин алуу"),
                    "ru": ("🔔 Сделать срочным", "🔕 Снять отметку «срочно»")}[locale]
    officer = await officer_person(harness, db, 7601, locale=locale)
    [screen] = await officer.send("/alerts")
    assert not [b for b in labels(screen) if b.strip() in ("🔔", "🔕")], labels(screen)
    assert labels(screen).count(mark) == 5 and too_wide(screen) == []
    [after] = await officer.press(mark, screen)
    assert labels(after).count(mark) == 4 and labels(after).count(unmark) == 1
    assert labels(after).index(unmark) == 1  # under the first kind's mode, the kind it belongs to



SEARCHES = {"ky": ("ак-дебе", "алай", "кара", "бишкек", "акдобе", "Бишкекъъъ Сити"),
            "ru": ("ак-дебе", "алай", "кара", "бишкек", "ак-дибе", "Бишкекъъъ Сити")}
"""Typed municipality searches: namesakes (three Ак-Дебенский), the longest names (Алайский … имени
К.Белекбаева), many hits (кара: pages and districts to narrow by), a city, a misspelled name (close
names) and one so wrong that only the closest names are offered."""


def _municipality_buttons(message: dict[str, Any]) -> list[str]:
    """Labels of the municipality buttons (``mun:…``) of ``message``."""
    return [b["text"] for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row
            if str(b.get("callback_data", "")).startswith("mun:")]


def _check_municipality_buttons(message: dict[str, Any]) -> list[str]:
    """What is wrong with the municipality buttons of ``message``: a label two buttons share, a short
    name the message above does not name in full."""
    buttons = _municipality_buttons(message)
    wrong = [f"twice: {b}" for b in sorted(set(buttons)) if buttons.count(b) > 1]
    lines = plain(message).splitlines()
    for button in buttons:  # every word of the short name (and the district) on one line of the message
        words = [w.rstrip("…") for w in button.replace(" · ", " ").split() if w not in ("им.", "р-н", "р-ну", "обл.")]
        if not any(all(w in line for w in words) for line in lines):
            wrong.append(f"not in the message: {button}")
    return wrong


@pytest.mark.parametrize("locale", ["ky", "ru"])
async def test_municipality_buttons_fit_and_tell_namesakes_apart(harness: Harness, db: Database, locale: str) -> None:
    """Typed-search results, the closest names, the next page, the districts to narrow by, "… району →",
    a district's list and "Yes, change to B"/"No, keep A" fit a phone (issue 12): the short name first
    and the district that tells namesakes apart (the three Ак-Дебенский looked alike, cut before their
    districts); the message above names each in full."""
    uid = 7701 if locale == "ky" else 7702
    user = harness.person(uid, "Айгүл", language_code=locale)
    await user.send("/start")
    await user.press("Кыргызча" if locale == "ky" else "Русский")  # the picker: a typed text is a search
    narrow = _("Narrow by district", locale=locale)
    problems: list[str] = []
    shown: dict[str, dict[str, Any]] = {}
    for query in SEARCHES[locale]:
        [results] = await user.send(query)
        shown[query] = results
        screens = [results]
        if "›" in labels(results):
            screens += await user.press("›", results)
        if narrow in labels(results):
            [districts] = await user.press(narrow, results)
            screens += await user.press(labels(districts)[0], districts)
        offers = [b for b in labels(results) if b.endswith("→")]
        if offers:
            screens += await user.press(offers[0], results)
        for screen in screens:
            assert _municipality_buttons(screen), (query, plain(screen)[:80], labels(screen))
            problems += [f"{query}: {w}" for w in _check_municipality_buttons(screen)]
    ak_debe = _municipality_buttons(shown["ак-дебе"])
    districts = {"ky": ("Жети-Өгүз р-ну", "Бакай-Ата р-ну", "Аламүдүн р-ну"),
                 "ru": ("Жети-Огузский", "Бакай-Атинский", "Аламудунский")}[locale]
    for district in districts:  # each namesake's district is on its button, not cut away
        assert [b for b in ak_debe if b.startswith("Ак-Дебенский · ") and district in b], (district, ak_debe)
    assert "Ак-Дебенский айылный аймак" in plain(shown["ак-дебе"])
    assert "К.Белекбаева" in plain(shown["алай"])
    # registered by the first Ак-Дебенский, then the second from the same results: the question first
    await user.press(ak_debe[0], shown["ак-дебе"])
    [question] = await user.press(ak_debe[1], shown["ак-дебе"])
    assert len(labels(question)) == 2 and all("Ак-Дебенский" in b for b in labels(question)), labels(question)
    wide = [w for m in harness.emulator.bot_messages(uid) for w in too_wide(m)]
    assert sorted(set(wide)) == [] and problems == [], "\n".join(sorted(set(wide)) + problems)


@pytest.mark.parametrize("locale", ["ky", "ru"])
async def test_every_municipality_of_the_list_fits_and_every_namesake_differs(db: Database, locale: str) -> None:
    """The class, over all 484 municipalities: every district's list (two per row, or one when wide) and
    every group of namesakes shown together (all that share a short name, as a search for it shows them)
    gives labels within a row and all different; no Kyrgyz name is made up (a name without an attested
    one stays Russian, only shortened)."""
    from bot.domain import municipalities as geo
    from bot.ui.keyboards import PAGE_SIZE, municipality_labels, places_keyboard, short_name
    from bot.ui.municipality_search import area_of

    by_short: dict[str, list[geo.Location]] = {}
    problems: list[str] = []
    for oblast in await geo.list_oblasts(db, locale):
        for district in await geo.list_districts(db, oblast.code, locale):
            places = await geo.list_municipalities(db, district.code, locale)
            for page in range(-(-len(places) // PAGE_SIZE)):
                markup = places_keyboard(places, locale, level="district", code=district.code, page=page, back=None)
                texts = [b.text for row in markup.inline_keyboard for b in row if str(b.callback_data).startswith("mun:")]
                problems += [f"{district.name_ru}: {t}" for t in texts if text_width(t) > ROW_WIDTH]
                if len(set(texts)) != len(texts):
                    problems.append(f"{district.name_ru}: twice among {texts}")
            for place in places:
                location = await geo.locate(db, place.code)
                assert location is not None
                by_short.setdefault(short_name(place.name(locale)).casefold(), []).append(location)
    namesakes = [group for group in by_short.values() if len(group) > 1]
    assert len(namesakes) > 5  # Ак-Дебенский (3), …
    for group in namesakes:
        texts = municipality_labels([(loc.municipality.name(locale), area_of(loc, locale)) for loc in group])
        problems += [t for t in texts if text_width(t) > ROW_WIDTH]
        if len(set(texts)) != len(texts):
            problems.append(f"alike: {texts}")
    assert problems == [], "\n".join(problems)
