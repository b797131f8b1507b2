"""Officers and problems through the real dispatcher: the queue and card, the wizards (status with a
comment, reject with a reason, duplicate of a typed number, hide, reopen threshold) — each one's step
ends when the officer goes elsewhere — refusals for other municipalities and non-officers, export."""

from __future__ import annotations

import logging

import pytest

from bot.db import Database
from bot.domain import problems as pb
from bot.i18n import numbered
from tests.harness import labels, plain
from tests.problems_support import deliveries, raise_problem, send_later, text_of
from tests.support import BISHKEK
from tests.support import officer_person as _officer
from tests.support import onboard as _onboard

TEXT = "Вода не идет третий день по улице Ленина"
STALE_RU = "Эта кнопка устарела"


def _errors(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def _state(db: Database, user_id: int) -> str | None:
    row = await db.fetchone("SELECT state FROM fsm_state WHERE storage_key LIKE ?", (f"%{user_id}%",))
    return row["state"] if row else None


async def test_officer_reject_duplicate_hide_and_export(harness, db: Database) -> None:
    aigul = await _onboard(harness, db, 201, "ky")
    officer = await _officer(harness, db, 202, locale="ky")
    first = await raise_problem(aigul, "Сугат суу жетпей жатат, эгин куурап калды", "Сугат")
    second = await raise_problem(aigul, "Арыкка суу келбей жатат, сугат суу жетпейт", "Сугат")
    third = await raise_problem(aigul, "Бул жерде кимдир бирөө жөнүндө жаман сөздөр", "Башка")
    open_target = await raise_problem(aigul, "Жогорку көчөдө суу түтүгү жарылып, суу агып жатат", "Суу менен камсыздоо")

    [queue] = await officer.send("/problems_queue")
    assert all(numbered(i) in plain(queue) for i in (first, second, third))
    # reject: a reason is required, as text
    await officer.press_data(queue["message_id"], f"po:reject:{first}::")
    [answer] = await officer.send_sticker()
    assert "текст" in plain(answer).lower()
    await officer.send("Бул маселе райондун карамагында")
    assert (await pb.get_problem(db, first)).status == "rejected"
    [(rid, content)] = await deliveries(db, "problem_status")
    assert rid == 201 and "Бул маселе райондун карамагында" in text_of(content, "ky")
    assert "отклонена" in text_of(content, "ru")
    # duplicate of #N: typed mistakes keep the step
    await officer.press_data(queue["message_id"], f"po:dup:{second}::")
    [answer] = await officer.send(f"#{second}")
    assert "өзүн өзү" in plain(answer)
    [answer] = await send_later(officer, str(first))  # rejected: only an open problem takes in a duplicate
    assert "чечилген же четке кагылган" in plain(answer)
    [answer] = await send_later(officer, "¹²")
    assert "номерин" in plain(answer).lower() or "12" in plain(answer)
    assert (await pb.get_problem(db, second)).status == "new"
    [ask] = await send_later(officer, str(open_target))  # a merge cannot be undone: asked first
    assert "Жогорку көчөдө суу түтүгү" in plain(ask) and (await pb.get_problem(db, second)).status == "new"
    assert "✖ Жокко чыгаруу" in labels(ask) and "« Артка" in labels(ask)
    replies = await officer.press("« Артка")  # a wrong number: back to type another
    assert "номерин" in plain(replies[-1]).lower() or "кайсы" in plain(replies[-1]).lower()
    [ask] = await send_later(officer, str(open_target))
    await officer.press(f"🔗 {numbered(open_target)}")
    assert (await pb.get_problem(db, second)).duplicate_of == open_target
    # hide with a reason
    await officer.press_data(queue["message_id"], f"po:hide:{third}::")
    await officer.send("Кемсинткен сөздөр")
    assert (await pb.get_problem(db, third)).hidden
    history = [(e.action, e.actor_id) for e in await pb.history(db, third)]
    assert history == [("created", 201), ("hidden", 202)]

    # export for the hearing: CSV and chart
    fourth = await raise_problem(aigul, "Клубдун чатыры агып жатат, жыйындар өтпөй калды", "Маданият жана спорт")
    emu = harness.emulator
    before = len(emu.bot_messages(202))
    await officer.send("/problems_export")
    sent = emu.bot_messages(202)[before:]
    assert [("document" in m, "photo" in m) for m in sent] == [(True, False), (False, True)]
    assert sent[0]["document"]["file_name"].endswith(".csv")
    assert numbered(fourth) not in plain(sent[0])


async def test_a_comment_step_left_by_navigation_ignores_later_text(harness, db: Database) -> None:
    """The bug of issue 16: asked for a comment, the officer taps elsewhere, later types "спасибо":
    the status must not change and nobody is told anything."""
    await _onboard(harness, db, 101, "ru")
    officer = await _officer(harness, db, 103)
    problem = await pb.raise_problem(db, author_id=101, category="water", text=TEXT)
    for leave in ("queue button", "menu button", "command"):
        [queue] = await officer.send("/problems_queue")
        [card] = await officer.press_data(queue["message_id"], f"po:open:{problem.id}::")
        [prompt] = await officer.press("→", card)
        assert "комментарий" in plain(prompt).lower()
        if leave == "queue button":
            await officer.press("« Очередь", card)
        elif leave == "menu button":
            await officer.press_data(card["message_id"], "menu:home")
        else:
            await officer.send("/problems")
        replies = await send_later(officer, "спасибо")
        assert not any("✅" in plain(m) for m in replies), leave
        assert (await pb.get_problem(db, problem.id)).status == "new", leave
        assert await db.fetchval("SELECT count(*) FROM broadcasts WHERE kind NOT LIKE 'alert.%'") == 0, leave
        assert await _state(db, 103) is None, leave
    # the step itself still works
    [queue] = await officer.send("/problems_queue")
    [card] = await officer.press_data(queue["message_id"], f"po:open:{problem.id}::")
    await officer.press("→", card)
    [done] = await officer.send("Рассмотрим на сессии")
    assert "✅" in plain(done) and (await pb.get_problem(db, problem.id)).status == "under_review"


@pytest.mark.parametrize("wizard", ["reject", "dup", "hide", "threshold"])
async def test_officer_steps_left_by_navigation_ignore_later_text(harness, db: Database, wizard) -> None:
    await _onboard(harness, db, 101, "ru")
    officer = await _officer(harness, db, 103)
    problem = await pb.raise_problem(db, author_id=101, category="water", text=TEXT)
    other = await pb.raise_problem(db, author_id=101, category="water", text="Воды нет на улице Ленина неделю")
    [queue] = await officer.send("/problems_queue")
    if wizard == "threshold":
        [prompt] = await officer.send("/reopen_threshold")
        assert "1" in plain(prompt) and "1000" in plain(prompt).replace("\xa0", "").replace(" ", "")
        typed = "5"
    else:
        await officer.press_data(queue["message_id"], f"po:{wizard}:{problem.id}::")
        typed = str(other.id) if wizard == "dup" else "Оскорбления"
    assert await _state(db, 103)
    await officer.press_data(queue["message_id"], f"po:open:{other.id}::")  # another card: the step ends
    replies = await send_later(officer, typed)
    assert not any("✅" in plain(m) or "Сохранено" in plain(m) for m in replies)
    now = await pb.get_problem(db, problem.id)
    assert (now.status, now.hidden, now.duplicate_of) == ("new", False, None)
    assert await db.fetchval("SELECT count(*) FROM broadcasts WHERE kind NOT LIKE 'alert.%'") == 0
    assert await db.fetchval("SELECT count(*) FROM problem_settings") == 0
    assert await _state(db, 103) is None


async def test_reopen_threshold_by_command_or_step(harness, db: Database, caplog) -> None:
    officer = await _officer(harness, db, 103)
    caplog.clear()
    [answer] = await officer.send("/reopen_threshold ²")
    assert "от1до1000" in plain(answer).replace("\xa0", "").replace(" ", "")
    [answer] = await officer.send("/reopen_threshold 4")
    assert "4" in plain(answer) and await pb.reopen_threshold(db, "41708203803000", 3) == 4
    [prompt] = await officer.send("/reopen_threshold")
    assert "4" in plain(prompt)  # the current value
    [answer] = await send_later(officer, "5000")
    assert "от1до1000" in plain(answer).replace("\xa0", "").replace(" ", "") and await _state(db, 103)
    [answer] = await send_later(officer, "2")
    assert await pb.reopen_threshold(db, "41708203803000", 3) == 2 and await _state(db, 103) is None
    assert not _errors(caplog), _errors(caplog)


async def test_officer_of_another_municipality_is_refused(harness, db: Database, caplog) -> None:
    aigul = await _onboard(harness, db, 191, "ky")
    problem_id = await raise_problem(aigul, "Бала бакчада орун жетишсиз, кезек чоң", "Бала бакчалар")
    stranger = await _officer(harness, db, 192, code=BISHKEK)
    [queue] = await stranger.send("/problems_queue")
    assert numbered(problem_id) not in plain(queue)
    caplog.set_level(logging.WARNING)
    for data in (f"po:status:{problem_id}:solved:new", f"po:open:{problem_id}::", f"po:reject:{problem_id}::",
                 f"po:hide:{problem_id}::", f"po:dup:{problem_id}::"):
        await stranger.press_data(queue["message_id"], data)
        assert "другому муниципалитету" in stranger.alerts()[-1]["text"], data
    assert sum("refused" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING) == 5
    problem = await pb.get_problem(db, problem_id)
    assert problem.status == "new" and not problem.hidden
    assert await db.fetchval("SELECT count(*) FROM problem_events WHERE problem_id = ?", (problem_id,)) == 1
    assert await db.fetchval("SELECT count(*) FROM broadcasts WHERE kind NOT LIKE 'alert.%'") == 0
    assert await _state(db, 192) is None


async def test_non_officer_gets_the_officers_only_refusal(harness, db: Database) -> None:
    aigul = await _onboard(harness, db, 101, "ru")
    problem = await pb.raise_problem(db, author_id=101, category="water", text=TEXT)
    [home] = await aigul.send("/problems")
    await aigul.press_data(home["message_id"], f"po:status:{problem.id}:solved:new")
    text = aigul.alerts()[-1]["text"]
    assert "другому муниципалитету" not in text and "специалист" in text.lower()
    [answer] = await aigul.send("/problems_queue")
    assert "специалист" in plain(answer).lower()
    assert (await pb.get_problem(db, problem.id)).status == "new"


async def test_crafted_officer_buttons_are_stale_not_crashes(harness, db: Database, caplog) -> None:
    officer = await _officer(harness, db, 103)
    [queue] = await officer.send("/problems_queue")
    for data in ("po:open:99999999999999999999::", "po:status:99999999999999999999:solved:new",
                 "po:status:1:nonsense:new", "pq:page:abc", "pq:page:99999999999999999999", "po:queue:0:abc:"):
        caplog.clear()
        await officer.press_data(queue["message_id"], data)
        assert not _errors(caplog), (data, _errors(caplog))
        assert STALE_RU in officer.alerts()[-1]["text"], data


async def test_status_button_of_an_old_card_is_refused(harness, db: Database) -> None:
    await _onboard(harness, db, 101, "ru")
    officer = await _officer(harness, db, 103)
    await _officer(harness, db, 104)
    problem = await pb.raise_problem(db, author_id=101, category="water", text=TEXT)
    [queue] = await officer.send("/problems_queue")
    [card] = await officer.press_data(queue["message_id"], f"po:open:{problem.id}::")
    await pb.change_status(db, officer_id=104, problem_id=problem.id, status="in_budget", comment="В бюджете")
    _message, data = officer.find_button("→", card)
    assert data.endswith(":new")  # the button carries the status the officer saw
    replies = await officer.press_data(card["message_id"], data)
    assert "изменился" in officer.alerts()[-1]["text"]
    assert "В местном бюджете" in plain(replies[-1])
    assert await _state(db, 103) is None  # no comment is asked for
    assert (await pb.get_problem(db, problem.id)).status == "in_budget"


async def test_a_change_made_while_the_comment_is_typed_is_refused(harness, db: Database) -> None:
    await _onboard(harness, db, 101, "ru")
    officer = await _officer(harness, db, 103)
    await _officer(harness, db, 104)
    problem = await pb.raise_problem(db, author_id=101, category="water", text=TEXT)
    [queue] = await officer.send("/problems_queue")
    [card] = await officer.press_data(queue["message_id"], f"po:open:{problem.id}::")
    await officer.press("→", card)
    await pb.change_status(db, officer_id=104, problem_id=problem.id, status="in_budget")
    replies = await officer.send("Рассмотрим")
    assert "изменился" in plain(replies[0]) and "В местном бюджете" in plain(replies[-1])
    assert (await pb.get_problem(db, problem.id)).status == "in_budget"
    assert await _state(db, 103) is None


async def test_dollar_signs_do_not_break_the_export(harness, db: Database, caplog) -> None:
    await _onboard(harness, db, 101, "ru")
    officer = await _officer(harness, db, 103)
    for text in (r"Формула $\frac{1}{$ сломана совсем", "Цена воды 5$ а было 3$ в прошлом году"):
        await pb.raise_problem(db, author_id=101, category="water", text=text)
    caplog.clear()
    before = len(harness.emulator.bot_messages(103))
    await officer.send("/problems_export")
    sent = harness.emulator.bot_messages(103)[before:]
    assert [("document" in m, "photo" in m) for m in sent] == [(True, False), (False, True)]
    assert not _errors(caplog), _errors(caplog)


async def test_a_failing_chart_still_sends_the_table(harness, db: Database, monkeypatch) -> None:
    from bot.ui import problems_export

    await _onboard(harness, db, 101, "ky")
    officer = await _officer(harness, db, 103, locale="ky")
    await pb.raise_problem(db, author_id=101, category="water", text=TEXT)

    def broken(*args, **kwargs):
        raise ValueError("chart failed")

    monkeypatch.setattr(problems_export, "top_chart_png", broken)
    before = len(harness.emulator.bot_messages(103))
    await officer.send("/problems_export")
    sent = harness.emulator.bot_messages(103)[before:]
    assert "document" in sent[0] and "диаграмма" in plain(sent[1]).lower()


@pytest.mark.parametrize(("locale", "one", "two"), [
    ("ky", "🔁 1 тургун көйгөй дагы эле бар дейт.", "🔁 2 тургун көйгөй дагы эле бар дейт."),
    ("ru", "🔁 1 житель сообщил, что проблема осталась.", "🔁 2 жителя сообщили, что проблема осталась."),
])
async def test_the_officers_card_counts_still_a_problem_answers(harness, db: Database, locale: str, one: str,
                                                                two: str) -> None:
    """A solved problem's card tells the officer how many residents answered "still a problem" (below the
    reopen threshold, 3, so it stays solved); a "solved, thank you" is not counted, nor before any answer."""
    from bot.ui.problems import OfficerProblemCallback

    author = await _onboard(harness, db, 251, "ru")
    problem_id = await raise_problem(author, TEXT, "Водоснабжение")
    for uid in (252, 253):
        await _onboard(harness, db, uid, "ky")
        await pb.support(db, problem_id=problem_id, resident_id=uid)
    officer = await _officer(harness, db, 254, locale=locale)
    await pb.change_status(db, officer_id=254, problem_id=problem_id, status="solved")
    [queue] = await officer.send("/problems_queue")
    open_card = OfficerProblemCallback(action="open", id=problem_id).pack()

    async def card() -> str:
        return plain((await officer.press_data(queue["message_id"], open_card))[-1])

    assert "🔁" not in await card()
    await pb.answer_still(db, problem_id=problem_id, resident_id=251, still=True, default_threshold=3)
    await pb.answer_still(db, problem_id=problem_id, resident_id=253, still=False, default_threshold=3)
    assert one in await card()
    await pb.answer_still(db, problem_id=problem_id, resident_id=252, still=True, default_threshold=3)
    shown = await card()
    assert two in shown and one not in shown
    await pb.change_status(db, officer_id=254, problem_id=problem_id, status="in_progress")
    assert "🔁" not in await card()  # no longer solved: the answers belonged to that solved status
