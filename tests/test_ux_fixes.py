"""Regression tests for UX defects found by a tester (each failed before its fix): choices echoed in
place of the question, a resident's proposal without invented cost/provider, the broadcasts table of
the command line, the hearing wizard's first step, and wording that fits towns and cities too."""

from __future__ import annotations

import asyncio
import pytest
from babel.messages.mofile import read_mo

from bot.__main__ import main
from bot.db import Database
from bot.domain.outbox import Audience, Content, LocalizedMessage, enqueue
from tests.harness import labels, plain
from tests.test_problems_flow import AK_DEBE, BISHKEK, _officer, _onboard


# 1 -- the chosen problem category and registry group are shown where the question was ---------------

@pytest.mark.parametrize(("locale", "button", "shown", "question"), [
    ("ru", "Водоснабжение", "Категория: 🚰 Водоснабжение", "Выберите"),
    ("ky", "Суу менен камсыздоо", "Категория: 🚰 Суу менен камсыздоо", "тандаңыз"),
])
async def test_the_chosen_problem_category_replaces_the_question(harness, db: Database, locale, button, shown,
                                                                question) -> None:
    person = await _onboard(harness, db, 401, locale)
    [prompt] = await person.send("/newproblem")
    assert question in plain(prompt)
    edited, text_prompt = await person.press(button)
    assert edited["message_id"] == prompt["message_id"]
    assert shown in plain(edited) and question not in plain(edited)
    assert not labels(edited)  # the buttons are gone
    assert text_prompt["message_id"] != prompt["message_id"]


# 3 -- python -m bot broadcasts ------------------------------------------------------------------------

def test_broadcasts_command_shows_whole_kind_municipality_name_sender_and_local_times(
    db_path, monkeypatch, capsys
) -> None:
    kind = "hearing_reminder_one_hour"  # longer than the 16 characters it used to be cut at
    content = Content({"ky": LocalizedMessage("Салам"), "ru": LocalizedMessage("Привет")})

    async def prepare() -> tuple[int, int]:
        db = await Database.open(db_path)
        try:
            async with db.transaction() as tx:
                first = await enqueue(tx, kind=kind, audience=Audience.residents([]), content=content,
                                      municipality_code=AK_DEBE, sender_id=777000111)
                second = await enqueue(tx, kind="system_notice", audience=Audience.residents([]), content=content)
                await tx.execute("UPDATE broadcasts SET started_at = ?, finished_at = ? WHERE id = ?",
                                 ("2026-11-29T22:44:00Z", "2026-11-29T23:05:00Z", first))
        finally:
            await db.close()
        return first, second

    first, second = asyncio.run(prepare())
    monkeypatch.setenv("DATABASE_PATH", str(db_path))
    monkeypatch.setenv("TIMEZONE", "Asia/Bishkek")
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    assert main(["broadcasts"]) == 0
    out = capsys.readouterr().out.splitlines()
    header = out[0]
    assert "sender" in header and "municipality" in header
    row = next(line for line in out if line.split()[0] == str(first))
    assert kind in row
    assert f"Ак-Дебенский айылный аймак ({AK_DEBE})" in row
    assert "777000111" in row
    assert "2026-11-30 04:44 +06" in row and "2026-11-30 05:05 +06" in row  # 22:44 UTC is 04:44 in Bishkek
    system = next(line for line in out if line.split()[0] == str(second))
    assert "system_notice" in system and "777000111" not in system and "—" in system
    # the columns line up: the kind column starts at the same place in every line
    assert header.index("kind") == row.index(kind) == system.index("system_notice")
    assert header.index("sender") + len("sender") == row.index("777000111") + len("777000111")  # right-aligned


# 4 -- the hearing wizard's first step -----------------------------------------------------------------

@pytest.mark.parametrize(("locale", "new", "expected"), [
    ("ru", "Новые слушания", ("Сначала выберите тему", "название будет запрошено следующим")),
    ("ky", "Жаңы угуу", ("Адегенде", "темасын тандаңыз", "аталышы андан кийин суралат")),
])
async def test_typing_the_title_before_choosing_the_topic_says_topic_first_title_next(
    harness, db: Database, locale, new, expected
) -> None:
    officer = await _officer(harness, db, 405, locale=locale)
    await officer.send("/hearing")
    await officer.press(new)
    [answer] = await officer.send("Бюджет 2027")
    for part in expected:
        assert part in plain(answer)
    [sticker] = await officer.send_sticker()
    assert expected[0] in plain(sticker)


# 5 -- wording that fits a town or city as well as a rural municipality --------------------------------

@pytest.mark.parametrize(("locale", "expected", "wrong"), [
    ("ru", "Когда муниципалитет начнёт опрос", "айыл окмоту"),
    ("ky", "Муниципалитет жаңы сурамжылоо баштаганда", "Айыл өкмөтү"),
])
async def test_no_surveys_message_in_a_city_does_not_mention_the_ayil_okmotu(harness, db: Database, locale,
                                                                             expected, wrong) -> None:
    person = await _onboard(harness, db, 406, locale, code=BISHKEK)
    [answer] = await person.send("/surveys")
    assert expected in plain(answer) and wrong.lower() not in plain(answer).lower()


@pytest.mark.parametrize("locale", ["ky", "ru"])
def test_no_text_names_the_ayil_okmotu_alone(locale) -> None:
    """Residents of towns and cities deal with a mayor's office: a text naming the ayil okmotu must
    name the town hall too ("айыл өкмөтү же мэрия"); otherwise it says "municipality"."""
    from pathlib import Path

    path = Path(__file__).parent.parent / "locales" / locale / "LC_MESSAGES" / "messages.mo"
    with path.open("rb") as fp:
        catalog = read_mo(fp)
    offenders = []
    for message in catalog:
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        for text in strings:
            lower = (text or "").lower()
            if ("айыл өкмөт" in lower or "айыл окмоту" in lower) and "мэри" not in lower:
                offenders.append(text)
    assert offenders == []


def test_times_are_marked_with_the_zone() -> None:
    from zoneinfo import ZoneInfo

    from bot.delivery.progress import _local_time

    assert _local_time("2026-11-29T22:44:00Z", ZoneInfo("Asia/Bishkek")) == "2026-11-30 04:44 +06"
    assert _local_time(None, ZoneInfo("Asia/Bishkek")) == "—"
