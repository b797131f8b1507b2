"""No notification is a dead end (issue 12): every notice kind the outbox delivers to a private chat
has a way on — its own buttons, or "« Main menu" in the reader's language when it has none (a problem
hidden, a hearing cancelled, an announcement, survey results, an officer's digest…). Posts to linked
groups and channels carry no private callback button (it would not work there), only the deep link.

The first test renders every registered notice kind, so a kind added later fails here until it has
a sample (and then a way on); the others go through the real delivery worker and the emulator.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.db import Database
from bot.domain import announcements as ann
from bot.domain import problems as pb
from bot.domain.outbox import Button, Content, LocalizedMessage, Notice
from bot.domain.reach import alerts as alert_kinds
from bot.domain.reach.links import CHAT_LINKED, LINK_BROKEN
from bot.domain.reach.posts import CHAT_ALERT_NOTICE, POST_NOTICE
from bot.notices import in_chat, kinds, render, render_stored
from tests.harness import labels, plain
from tests.problems_support import raise_problem
from tests.reach_support import deliver
from tests.support import AK_DEBE, officer_person, onboard

MENU = {"ky": "« Башкы меню", "ru": "« Главное меню"}
START = "2027-03-10T05:00:00+00:00"
HEARING = {"id": 3, "title_ky": "Бюджет", "title_ru": "Бюджет", "starts_at": START, "place": "Айыл өкмөтү",
           "topic": "budget", "agenda_ky": "Күн тартиби", "agenda_ru": "Повестка", "sent_at": START}
SURVEY = {"survey_id": 4, "question_ky": "Суроо?", "question_ru": "Вопрос?", "closes_at": START,
          "options": [{"position": 1, "text_ky": "Ооба", "text_ru": "Да", "votes": 7},
                      {"position": 2, "text_ky": "Жок", "text_ru": "Нет", "votes": 5}],
          "ballots": 12, "min_group": 5, "too_few": False, "max_choices": 1}
PLAN = {"item_id": 5, "year": 2027, "title": "Суу түтүгү", "report_id": 6, "text": "Жооп", "reason": "Себеп",
        "change": "deadline", "step": "Долбоор", "old": "2027-04-01", "new": "2027-05-01", "requested": 100000,
        "decision": "accepted", "amount": 100000, "resolution_number": "12", "resolution_date": "2027-02-01",
        "progress": "on_schedule", "author": "Асан"}
PROBLEM = {"id": 7, "excerpt": "Суу жок", "status": "under_review", "target": 8, "count": 3, "reason": "Орой сөз",
           "category": "water"}
INNER = {"notice": "announcement", "facts": {"municipality_ky": "Ак-Дөбө", "text_ky": "Кулак салыңыздар"},
         "photo": None}

SAMPLES: dict[str, dict[str, Any]] = {
    "announcement": {"municipality_ky": "Ак-Дөбө", "municipality_ru": "Ак-Дебе", "text_ky": "Кулак салыңыздар"},
    "hearing_announcement": HEARING,
    "hearing_changed": {**HEARING, "changed": ["place"]},
    "hearing_cancelled": {**HEARING, "reason": "Жаан"},
    "hearing_reminder_24h": {**HEARING, "kind": "24h"},
    "hearing_reminder_1h": {**HEARING, "kind": "1h"},
    "hearing_outcome": {**HEARING, "decisions_ky": "Чечим", "participants": 40},  # no minutes: no button of its own
    "plan.added": PLAN, "plan.answered": PLAN, "plan.changed": PLAN, "plan.decided": PLAN, "plan.proposed": PLAN,
    "plan.report": PLAN, "plan.report_hidden": PLAN, "plan.report_officers": PLAN,
    "problem.duplicate": PROBLEM, "problem.hidden": PROBLEM, "problem.reopened_officers": PROBLEM,
    "problem.reopened_residents": PROBLEM, "problem.status": PROBLEM,
    alert_kinds.PROBLEM_NEW_NOTICE: PROBLEM,
    alert_kinds.QUESTION_NOTICE: {"hearing_id": 3, "title_ky": "Бюджет", "text": "Качан?"},
    alert_kinds.BURST_NOTICE: {**SURVEY, "recent": 6},
    alert_kinds.DIGEST_NOTICE: {"total": 2, "counts": {alert_kinds.PROBLEM_NEW: 2},
                                "top": {alert_kinds.PROBLEM_NEW: [{"ref": 7, "title": "Суу жок"}]}},
    LINK_BROKEN: {"title": "Ак-Дөбө айылы", "reason": "removed"},
    CHAT_LINKED: {"title": "Ак-Дөбө айыл өкмөтү"},
    CHAT_ALERT_NOTICE: {"inner": INNER, "bot": "jamaat_test_bot", "locales": ["ky", "ru"], "open": "o_p7"},
    POST_NOTICE: {"inner": INNER, "locales": ["ky"], "link": "https://t.me/jamaat_test_bot?start=x"},
    "service_status": {"service_id": 9, "name_ky": "Таштанды", "from_status": "proposed", "to_status": "approved"},
    "service_proposed": {"service_id": 9, "name_ky": "Таштанды"},
    "survey_announcement": SURVEY, "survey_extended": SURVEY, "survey_results": SURVEY,
}
"""Facts of every notice kind; a new kind needs one here (the test below says which is missing)."""

NO_BUTTONS_OF_THEIR_OWN = {"announcement", "hearing_cancelled", "hearing_outcome", "problem.hidden",
                           alert_kinds.DIGEST_NOTICE, LINK_BROKEN, CHAT_LINKED, "survey_results"}


def _buttons(markup: Any) -> list[Any]:
    return [b for row in (markup.inline_keyboard if markup else []) for b in row]


@pytest.mark.parametrize("locale", ["ky", "ru"])
def test_every_notice_kind_has_a_way_on_in_a_private_chat(locale: str) -> None:
    assert set(SAMPLES) == kinds(), f"notice kinds without a sample here: {sorted(kinds() - set(SAMPLES))}"
    assert {CHAT_ALERT_NOTICE, POST_NOTICE} == {k for k in kinds() if in_chat(k)}
    for kind, facts in SAMPLES.items():
        buttons = _buttons(render(Notice(kind, facts), locale).markup)
        texts = [b.text for b in buttons]
        if in_chat(kind):  # a group or channel: the deep link only, no callback that would fail there
            assert buttons and all(b.url and not b.callback_data for b in buttons), (kind, texts)
        elif kind in NO_BUTTONS_OF_THEIR_OWN:
            assert texts == [MENU[locale]], (kind, texts)
        else:  # its own buttons stay, and they are the way on: no menu row added under them
            assert buttons and MENU[locale] not in texts, (kind, texts)


def test_a_public_post_without_a_deep_link_gets_no_private_button() -> None:
    """Before the bot knows its username a public post has no link; it must still not get "« Main menu"."""
    rendered = render(Notice(POST_NOTICE, {**SAMPLES[POST_NOTICE], "link": None}), "ky")
    assert rendered.markup is None


def test_a_broadcast_queued_by_an_earlier_version_gets_the_menu_too() -> None:
    """Stored per-language texts (:class:`Content`): without buttons, "« Main menu"; with, unchanged."""
    plain_text = Content({"ky": LocalizedMessage("Салам"), "ru": LocalizedMessage("Привет")}).to_json()
    assert [b.text for b in _buttons(render_stored(plain_text, "ky").markup)] == [MENU["ky"]]
    with_button = Content({"ru": LocalizedMessage("Привет", [[Button("Барам", callback_data="h:1")]])}).to_json()
    assert [b.text for b in _buttons(render_stored(with_button, "ru").markup)] == ["Барам"]


async def test_a_hidden_problem_notice_leads_back_to_the_menu(harness, db: Database, settings) -> None:
    author = await onboard(harness, db, 6301, "ru", name="Иван")
    problem_id = await raise_problem(author, "Вода не идет третий день по улице Ленина", "Водоснабжение")
    await officer_person(harness, db, 6302)
    await pb.hide_problem(db, officer_id=6302, problem_id=problem_id, reason="Оскорбления")
    await deliver(harness, db, settings)
    notice = author.last()
    assert "скрыта" in plain(notice) and "Оскорбления" in plain(notice)
    assert labels(notice) == ["« Главное меню"]
    [menu] = await author.press("Главное меню", notice)
    assert menu["message_id"] != notice["message_id"] and len(labels(menu)) > 3  # the main menu, as a new message
    kept = next(m for m in harness.emulator.bot_messages(6301) if m["message_id"] == notice["message_id"])
    assert plain(kept) == plain(notice)  # the notification itself is not overwritten


async def test_an_announcement_arrives_with_the_menu_button_in_each_language(harness, db: Database, settings) -> None:
    readers = {6401: "ky", 6402: "ru"}
    for uid, locale in readers.items():
        await (await onboard(harness, db, uid, locale)).send("/menu")  # the chat is open: the bot may write
    await officer_person(harness, db, 6403)
    await ann.announce(db, officer_id=6403, municipality_code=AK_DEBE, text_ky="Эртең суу болбойт.",
                       text_ru="Завтра не будет воды.", draft_id="d1")
    await deliver(harness, db, settings)
    for uid, locale in readers.items():
        [got] = [m for m in harness.emulator.bot_messages(uid) if "📣" in plain(m)]
        assert labels(got) == [MENU[locale]], uid
