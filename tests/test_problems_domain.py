"""Problems domain on a migrated database: ranking, supports, merges, statuses, reopening, export
files, the notices queued for followers, and the layer rule (no aiogram in the domain)."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from bot.db import Database
from bot.domain import InvalidInput, NumberOutOfRange, PermissionDenied, TextTooLong, TextTooShort, Unchanged
from bot.domain import problems as pb
from bot.i18n import numbered
from bot.store import problems as problems_store
from bot.ui.problems import ProblemCallback, open_card_data, still_data
from bot.domain.spreadsheet import spreadsheet_safe
from bot.ui.problems_export import ranked_csv, top_chart_png
from tests.problems_support import buttons_of, text_of
from tests.support import AK_DEBE, ALAMUDUN, grant, make_resident

START = datetime(2026, 3, 10, 12, tzinfo=UTC)


async def _resident(db: Database, telegram_id: int, code: str = AK_DEBE, locale: str = "ky") -> int:
    await make_resident(db, telegram_id, locale, code, name="Бакыт")
    return telegram_id


async def _officer(db: Database, telegram_id: int, code: str = AK_DEBE) -> int:
    await _resident(db, telegram_id, code)
    await grant(db, telegram_id, code)
    return telegram_id


async def _problem(db: Database, author: int, text: str = "Көчөдө суу жок, кран кургак", category: str = "water") -> int:
    return (await pb.raise_problem(db, author_id=author, category=category, text=text)).id


def test_the_domain_loads_no_aiogram() -> None:
    code = ("import sys, bot.domain.problems, bot.domain.problems.notices; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'aiogram'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_store_imports_before_the_domain() -> None:
    # the store imports the domain's model and the domain imports the store: either order must work
    code = ("import bot.store.problems, bot.domain.problems as pb; "
            "print(pb.get_problem.__module__, bot.store.problems.OPEN_WHERE != '')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("True")


async def test_returned_problems_are_what_is_stored(db: Database) -> None:
    # use cases return the problem from RETURNING or with the trigger's supports counted, not re-read
    officer = await _officer(db, 60)
    a, b, c = [await _resident(db, i) for i in (61, 62, 63)]
    raised = await pb.raise_problem(db, author_id=a, category="roads", text="Көпүрө кулап калды, өтүүгө болбойт")
    assert raised == await pb.get_problem(db, raised.id) and raised.supports == 1
    other = (await pb.raise_problem(db, author_id=b, category="roads", text="Көпүрө кулап калды, жол жабык")).id
    for act, problem_id, resident_id in ((pb.support, raised.id, b), (pb.support, raised.id, b),
                                         (pb.withdraw, raised.id, b), (pb.withdraw, raised.id, b),
                                         (pb.support, other, c), (pb.support, raised.id, c)):
        result = await act(db, problem_id=problem_id, resident_id=resident_id)
        assert result.problem == await pb.get_problem(db, problem_id)
    moved = await pb.change_status(db, officer_id=officer, problem_id=raised.id, status="under_review", comment="ok")
    assert moved == await pb.get_problem(db, raised.id) and moved.status == "under_review"
    target = await pb.mark_duplicate(db, officer_id=officer, problem_id=other, target_id=raised.id)
    assert target == await pb.get_problem(db, raised.id) and target.supports == 3
    events = await pb.history(db, other) + (await pb.history(db, raised.id))[-1:]
    assert [(e.action, e.old_status, e.new_status, e.related_id, e.comment) for e in events[-2:]] == [
        ("duplicate", "new", "duplicate", raised.id, None), ("merged_in", None, None, other, "1")]
    await pb.change_status(db, officer_id=officer, problem_id=raised.id, status="solved")
    kept = await pb.answer_still(db, problem_id=raised.id, resident_id=a, still=True, default_threshold=2)
    assert kept.problem == await pb.get_problem(db, raised.id) and not kept.reopened
    back = await pb.answer_still(db, problem_id=raised.id, resident_id=c, still=True, default_threshold=2)
    assert back.reopened and back.problem == await pb.get_problem(db, raised.id)
    hidden = await pb.hide_problem(db, officer_id=officer, problem_id=raised.id, reason="Текшерүү")
    assert hidden == await pb.get_problem(db, raised.id) and hidden.hidden


async def test_ranked_page_orders_by_supports_then_newer_and_pages(db: Database) -> None:
    authors = [await _resident(db, i) for i in range(10, 22)]
    ids = [await _problem(db, a, f"Көйгөй номер {a} боюнча узун текст") for a in authors]
    # ids[3] gets 3 extra supports, ids[7] gets 1; the rest stay at 1 (the author)
    for supporter in authors[:3]:
        await pb.support(db, problem_id=ids[3], resident_id=supporter)
    await pb.support(db, problem_id=ids[7], resident_id=authors[0])
    page, total = await pb.ranked_page(db, AK_DEBE, page=0, size=5)
    assert total == 12
    assert [p.id for p in page] == [ids[3], ids[7], ids[11], ids[10], ids[9]]
    last, _total = await pb.ranked_page(db, AK_DEBE, page=99, size=5)  # clamped to the last page
    assert [p.id for p in last] == [ids[1], ids[0]]
    other, other_total = await pb.ranked_page(db, ALAMUDUN)
    assert other == [] and other_total == 0


async def test_ranked_query_uses_the_partial_index(db: Database) -> None:
    plan = await db.fetchall(
        "EXPLAIN QUERY PLAN SELECT * FROM problems WHERE municipality_code = ? AND "
        f"{problems_store.OPEN_WHERE} ORDER BY supports DESC, id DESC LIMIT 5", (AK_DEBE,))
    detail = " ".join(r["detail"] for r in plan)
    assert "problems_ranked" in detail and "TEMP B-TREE" not in detail


async def test_support_rules(db: Database) -> None:
    author = await _resident(db, 30)
    neighbour = await _resident(db, 31)
    stranger = await _resident(db, 32, ALAMUDUN)
    problem_id = await _problem(db, author)
    first = await pb.support(db, problem_id=problem_id, resident_id=neighbour)
    again = await pb.support(db, problem_id=problem_id, resident_id=neighbour)
    assert first.changed and not again.changed and again.problem.supports == 2
    with pytest.raises(pb.NotYourMunicipality):
        await pb.support(db, problem_id=problem_id, resident_id=stranger)
    with pytest.raises(pb.ProblemNotFound):
        await pb.support(db, problem_id=999_999, resident_id=neighbour)
    out = await pb.withdraw(db, problem_id=problem_id, resident_id=neighbour)
    assert out.changed and out.problem.supports == 1
    assert not (await pb.withdraw(db, problem_id=problem_id, resident_id=neighbour)).changed
    supported, total = await pb.supported_problems(db, neighbour)
    assert total == 0
    mine, total = await pb.my_problems(db, author)
    assert total == 1 and mine[0].id == problem_id


async def test_text_bounds_voice_photos_location(db: Database) -> None:
    author = await _resident(db, 40)
    with pytest.raises(TextTooShort) as short:
        await pb.raise_problem(db, author_id=author, category="roads", text="  жол  ")
    assert (short.value.limit, short.value.actual) == (10, 3)
    with pytest.raises(TextTooLong) as long:
        await pb.raise_problem(db, author_id=author, category="roads", text="ңөү" * 1000)
    assert (long.value.limit, long.value.actual) == (2000, 3000)
    with pytest.raises(InvalidInput):
        await pb.raise_problem(db, author_id=author, category="nonsense", text="Жол бузулган, өтүү кыйын")
    with pytest.raises(pb.TooManyPhotos):
        await pb.raise_problem(db, author_id=author, category="roads", text="Жол бузулган, өтүү кыйын",
                               photos=["a", "b", "c", "d"])
    with pytest.raises(InvalidInput):
        await pb.raise_problem(db, author_id=author, category="roads", text="Жол бузулган, өтүү кыйын",
                               latitude=95.0, longitude=74.0)
    voice = await pb.raise_problem(db, author_id=author, category="roads", voice_file_id="VOICE", voice_duration=9)
    assert voice.text is None and voice.supports == 1
    clean = await pb.raise_problem(db, author_id=author, category="roads", text="\u200bЖол\u202e бузулган  ")
    assert clean.text == "Жол бузулган"
    assert await db.fetchval("SELECT count(*) FROM problems") == 2


async def test_invisible_characters_are_removed_and_blank_text_is_too_short(db: Database) -> None:
    author = await _resident(db, 41, locale="ru")
    problem = await pb.raise_problem(
        db, author_id=author, category="water",
        text="Вода\u061c не идет\u180e третий\u034f день\U000e0041 по улице\u2028Ленина")
    assert problem.text == "Вода не идет третий день по улице\nЛенина"
    with pytest.raises(TextTooShort):
        await pb.raise_problem(db, author_id=author, category="water", text="\u3164" * 12)


async def test_same_draft_token_publishes_once(db: Database) -> None:
    author = await _resident(db, 42, locale="ru")
    first = await pb.raise_problem(db, author_id=author, category="water", text="Вода не идет третий день", draft_token="t1")
    with pytest.raises(pb.AlreadyPublished) as caught:
        await pb.raise_problem(db, author_id=author, category="water", text="Вода не идет третий день", draft_token="t1")
    assert caught.value.problem_id == first.id


async def test_duplicate_moves_supports_without_counting_twice(db: Database) -> None:
    officer = await _officer(db, 50)
    a, b, c = [await _resident(db, i) for i in (51, 52, 53)]
    original = await _problem(db, a, "Жол бузулган, чуңкурлар көп")
    repeat = await _problem(db, b, "Жолдо чуңкурлар көп, бузулган")
    await pb.support(db, problem_id=original, resident_id=c)
    await pb.support(db, problem_id=repeat, resident_id=c)   # c supports both
    await pb.support(db, problem_id=repeat, resident_id=a)   # a (author of the original) too
    target = await pb.mark_duplicate(db, officer_id=officer, problem_id=repeat, target_id=original, comment="Бир эле жол")
    assert target.supports == 3  # a, b, c once each
    merged = await pb.get_problem(db, repeat)
    assert merged.status == "duplicate" and merged.duplicate_of == original and merged.supports == 0
    with pytest.raises(pb.ProblemMerged) as gone:
        await pb.support(db, problem_id=repeat, resident_id=c)
    assert gone.value.target_id == original
    with pytest.raises(pb.MergedLocked):
        await pb.change_status(db, officer_id=officer, problem_id=repeat, status="under_review")
    notices = await db.fetchall("SELECT d.resident_id, b.content FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id"
                                " WHERE b.kind = 'problem_duplicate' ORDER BY d.resident_id")
    assert [r[0] for r in notices] == [51, 52, 53]
    content = notices[0][1]
    assert numbered(original) in text_of(content, "ru") and "Бир эле жол" in text_of(content, "ky")
    assert buttons_of(content, "ru")[-1][1] == open_card_data(original, fresh=True)  # the card as a new message
    assert [(e.action, e.related_id) for e in await pb.history(db, original)][-1] == ("merged_in", repeat)


async def test_duplicate_rules(db: Database) -> None:
    officer = await _officer(db, 60)
    here = await _problem(db, await _resident(db, 61))
    there = await _problem(db, await _resident(db, 62, ALAMUDUN))
    with pytest.raises(pb.TargetInOtherMunicipality) as foreign:
        await pb.mark_duplicate(db, officer_id=officer, problem_id=here, target_id=there)
    assert foreign.value.target_id == there
    with pytest.raises(pb.DuplicateOfItself):
        await pb.mark_duplicate(db, officer_id=officer, problem_id=here, target_id=here)
    with pytest.raises(pb.TargetNotFound):
        await pb.mark_duplicate(db, officer_id=officer, problem_id=here, target_id=424242)
    with pytest.raises(pb.ForeignProblem):
        await pb.mark_duplicate(db, officer_id=officer, problem_id=there, target_id=here)
    closed = await _problem(db, await _resident(db, 63), "Суу жок, кран кургак эки жума")
    await pb.change_status(db, officer_id=officer, problem_id=closed, status="rejected", comment="акча жок")
    with pytest.raises(pb.TargetClosed):
        await pb.mark_duplicate(db, officer_id=officer, problem_id=here, target_id=closed)
    assert (await pb.get_problem(db, here)).status == "new"
    # the typed number: ASCII digits only, with an optional "#" or "№"
    assert [pb.parse_problem_number(t) for t in ("12", "#12", "№ 12")] == [12, 12, 12]
    for typed in ("¹²", "abc", "", "0", "-3", "1" * 30):
        with pytest.raises(pb.BadProblemNumber):
            pb.parse_problem_number(typed)


async def test_status_changes_are_checked_recorded_and_notified(db: Database) -> None:
    officer = await _officer(db, 70)
    stranger = await _officer(db, 71, ALAMUDUN)
    author = await _resident(db, 72, locale="ru")
    problem_id = await _problem(db, author)
    with pytest.raises(pb.ForeignProblem):
        await pb.change_status(db, officer_id=stranger, problem_id=problem_id, status="prioritized")
    with pytest.raises(PermissionDenied):
        await pb.change_status(db, officer_id=author, problem_id=problem_id, status="prioritized")
    with pytest.raises(pb.ReasonRequired):
        await pb.change_status(db, officer_id=officer, problem_id=problem_id, status="rejected", comment="  ")
    with pytest.raises(TextTooLong) as too_long:
        await pb.change_status(db, officer_id=officer, problem_id=problem_id, status="prioritized", comment="ы" * 501)
    assert (too_long.value.limit, too_long.value.actual) == (500, 501)
    with pytest.raises(pb.StatusUnchanged) as unchanged:
        await pb.change_status(db, officer_id=officer, problem_id=problem_id, status="new")
    assert isinstance(unchanged.value, Unchanged) and isinstance(unchanged.value, InvalidInput)  # hearings rely on it
    with pytest.raises(InvalidInput):
        await pb.change_status(db, officer_id=officer, problem_id=problem_id, status="duplicate")
    with pytest.raises(pb.ProblemNotFound):
        await pb.change_status(db, officer_id=officer, problem_id=999_999, status="solved")
    assert await db.fetchval("SELECT count(*) FROM broadcasts WHERE kind NOT LIKE 'alert.%'") == 0  # officers' alerts aside
    for status in ("prioritized", "at_hearing", "in_budget"):
        await pb.change_status(db, officer_id=officer, problem_id=problem_id, status=status, comment=f"шаг {status}")
    events = await pb.history(db, problem_id)
    assert [(e.old_status, e.new_status, e.actor_id) for e in events[1:]] == [
        ("new", "prioritized", officer), ("prioritized", "at_hearing", officer), ("at_hearing", "in_budget", officer)]
    assert await db.fetchval("SELECT count(*) FROM broadcasts WHERE kind = 'problem_status' AND sender_id = ?",
                             (officer,)) == 3
    raw = await db.fetchval("SELECT content FROM broadcasts ORDER BY id DESC LIMIT 1")
    assert "В местном бюджете" in text_of(raw, "ru") and "шаг in_budget" in text_of(raw, "ru")
    assert "Жергиликтүү бюджетте" in text_of(raw, "ky")
    assert ProblemCallback.unpack(buttons_of(raw, "ru")[0][1]).id == problem_id
    with pytest.raises(pb.StatusChanged) as changed:
        await pb.change_status(db, officer_id=officer, problem_id=problem_id, status="solved", expected_status="new")
    assert changed.value.problem.status == "in_budget"


async def test_solved_notice_asks_still_a_problem_and_rejection_gives_the_reason(db: Database) -> None:
    officer = await _officer(db, 75)
    author = await _resident(db, 76, locale="ru")
    solved = await _problem(db, author)
    rejected = await _problem(db, author, "Жолдо чоң чуңкурлар бар, жол бузулган")
    await pb.change_status(db, officer_id=officer, problem_id=solved, status="solved", comment="Кран оңдолду")
    await pb.change_status(db, officer_id=officer, problem_id=rejected, status="rejected", comment="<райондун> иши")
    still, done = await db.fetchall("SELECT content FROM broadcasts WHERE kind NOT LIKE 'alert.%' ORDER BY id")
    assert buttons_of(still[0], "ru")[:2] == [("Проблема осталась", still_data(solved, True)),
                                              (buttons_of(still[0], "ru")[1][0], still_data(solved, False))]
    assert "Кран оңдолду" in text_of(still[0], "ky")
    assert "отклонена" in text_of(done[0], "ru") and "&lt;райондун&gt; иши" in text_of(done[0], "ru")


async def test_hidden_problem_leaves_lists_but_stays(db: Database) -> None:
    officer = await _officer(db, 80)
    author = await _resident(db, 81)
    problem_id = await _problem(db, author, "Кошунам жаман адам, аны жазалагыла")
    with pytest.raises(pb.ReasonRequired):
        await pb.hide_problem(db, officer_id=officer, problem_id=problem_id, reason="")
    await pb.hide_problem(db, officer_id=officer, problem_id=problem_id, reason="Жеке адамга каршы")
    assert (await pb.ranked_page(db, AK_DEBE))[1] == 0
    assert (await pb.my_problems(db, author))[1] == 0
    stored = await pb.get_problem(db, problem_id)
    assert stored.hidden and stored.hidden_reason == "Жеке адамга каршы" and stored.text
    with pytest.raises(pb.HiddenLocked):
        await pb.hide_problem(db, officer_id=officer, problem_id=problem_id, reason="again")
    with pytest.raises(pb.ProblemHidden):
        await pb.support(db, problem_id=problem_id, resident_id=author)
    [raw] = [r[0] for r in await db.fetchall("SELECT content FROM broadcasts WHERE kind = 'problem_hidden'")]
    assert "Жеке адамга каршы" in text_of(raw, "ky") and "жашырылды" in text_of(raw, "ky")


async def test_similar_problems_fold_kyrgyz_letters(db: Database) -> None:
    author = await _resident(db, 90)
    water = await _problem(db, author, "Көчөдө суу жок, түтүк жарылды")
    await _problem(db, author, "Мектептин чатыры агат", category="schools")
    await _problem(db, author, "Электр жарыгы өчүп калат", category="water")
    typed = "кочодо суу жок, тутук жарылган"  # typed on a Russian keyboard
    found = await pb.similar_problems(db, AK_DEBE, "water", typed)
    assert [p.id for p in found][0] == water and len(found) == 1
    # filed under another category ("Other"): the same problem is still found (issue 12)
    assert [p.id for p in await pb.similar_problems(db, AK_DEBE, "other", typed)] == [water]
    assert await pb.similar_problems(db, AK_DEBE, "roads", "жаңы көпүрө керек") == []
    assert len(await pb.similar_problems(db, AK_DEBE, "water", None)) == 2  # voice: the category's top


async def test_similar_problems_prefer_the_same_category_on_a_tie(db: Database) -> None:
    author = await _resident(db, 91)
    other = await _problem(db, author, "Суу түтүгү жарылды", category="other")
    water = await _problem(db, author, "Суу түтүгү жарылды", category="water")
    found = await pb.similar_problems(db, AK_DEBE, "water", "суу түтүгү")
    assert [p.id for p in found] == [water, other]


async def test_still_a_problem_threshold_per_municipality_and_new_round(db: Database) -> None:
    officer = await _officer(db, 100)
    author = await _resident(db, 101)
    helper = await _resident(db, 102)
    outsider = await _resident(db, 103)
    problem_id = await _problem(db, author)
    await pb.support(db, problem_id=problem_id, resident_id=helper)
    await pb.set_reopen_threshold(db, officer_id=officer, value=2)
    for wrong in (0, 1001, None):
        with pytest.raises(NumberOutOfRange):
            await pb.set_reopen_threshold(db, officer_id=officer, value=wrong)
    with pytest.raises(pb.NoLongerSolved):
        await pb.answer_still(db, problem_id=problem_id, resident_id=author, still=True, default_threshold=3)
    await pb.change_status(db, officer_id=officer, problem_id=problem_id, status="solved")
    with pytest.raises(pb.NotASupporter):
        await pb.answer_still(db, problem_id=problem_id, resident_id=outsider, still=True, default_threshold=3)
    first = await pb.answer_still(db, problem_id=problem_id, resident_id=author, still=True, default_threshold=3)
    assert (first.still_count, first.threshold, first.reopened) == (1, 2, False)
    changed_mind = await pb.answer_still(db, problem_id=problem_id, resident_id=author, still=False, default_threshold=3)
    assert changed_mind.still_count == 0
    await pb.answer_still(db, problem_id=problem_id, resident_id=author, still=True, default_threshold=3)
    second = await pb.answer_still(db, problem_id=problem_id, resident_id=helper, still=True, default_threshold=3)
    assert second.reopened and second.problem.status == "under_review"
    # solved again: earlier answers do not count for the new round
    await pb.change_status(db, officer_id=officer, problem_id=problem_id, status="solved")
    again = await pb.answer_still(db, problem_id=problem_id, resident_id=helper, still=True, default_threshold=3)
    assert again.still_count == 1 and not again.reopened
    assert await pb.reopen_threshold(db, ALAMUDUN, 3) == 3


async def test_reopening_is_told_to_officers_author_and_supporters(db: Database) -> None:
    officer = await _officer(db, 120)
    author = await _resident(db, 121, locale="ru")
    helpers = [await _resident(db, 122 + i, locale="ru") for i in range(3)]
    problem_id = await _problem(db, author)
    for helper in helpers:
        await pb.support(db, problem_id=problem_id, resident_id=helper)
    await pb.change_status(db, officer_id=officer, problem_id=problem_id, status="solved")
    for helper in helpers:
        result = await pb.answer_still(db, problem_id=problem_id, resident_id=helper, still=True, default_threshold=3)
    assert result.reopened
    rows = await db.fetchall("SELECT d.resident_id, b.content FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id"
                             " WHERE b.kind = 'problem_reopened' ORDER BY d.resident_id")
    told = {r[0]: r[1] for r in rows}
    assert set(told) == {officer, author, *helpers}
    assert "3 жителя" in text_of(told[officer], "ru") and "3 жителя" in text_of(told[author], "ru")
    assert text_of(told[officer], "ru") != text_of(told[author], "ru")  # officers get their own text
    events = await pb.history(db, problem_id)
    assert (events[-1].action, events[-1].actor_id) == ("reopened", None)


async def test_export_csv_and_chart(db: Database) -> None:
    officer = await _officer(db, 110)
    author = await _resident(db, 111)
    await _problem(db, author, '=HYPERLINK("x") суу жок; "тырмакча" бар')
    await pb.raise_problem(db, author_id=author, category="roads", voice_file_id="V", voice_duration=3)
    code, problems = await pb.ranked_for_export(db, officer)
    data = ranked_csv(problems, "ru", "Ак-Дебе")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][:4] == ["Место", "Номер", "Категория", "Проблема"]
    texts = {row[3] for row in rows[2:]}
    assert "'=HYPERLINK(\"x\") суу жок; \"тырмакча\" бар" in texts and "(голосовое сообщение)" in texts
    png = top_chart_png(problems, "ky", "Ак-Дебе")
    assert png.startswith(b"\x89PNG") and len(png) > 5000
    with pytest.raises(PermissionDenied):
        await pb.ranked_for_export(db, author)


def test_csv_cells_starting_like_formulas_are_neutralized() -> None:
    assert [spreadsheet_safe(t) for t in ("=1+1", "\tx", "\rx", "@a", "ok")] == ["'=1+1", "'\tx", "'\rx", "'@a", "ok"]


def test_callback_formats_are_bounded_and_stable() -> None:
    assert open_card_data(12) == "pb:open:12:0:r" and still_data(12, True) == "pb:still:12:1:r"
    for crafted in ("pb:open:99999999999999999999:0:r", "pb:sup:-1:0:r", "pb:list:0:99999999999999999999:r"):
        with pytest.raises(ValueError):
            ProblemCallback.unpack(crafted)


def test_age_and_supports_texts(frozen_clock) -> None:
    from bot.ui.problems import age_text, supports_text

    now = frozen_clock.now
    assert age_text(now - timedelta(hours=3), "ru") == "сегодня"
    assert age_text(now - timedelta(days=2), "ru") == "2 дня назад"
    assert age_text(now - timedelta(days=5), "ky") == "5 күн мурун"
    assert supports_text(1, "ru") == "Поддерживает 1 житель"
    assert supports_text(21, "ru") == "Поддерживает 21 житель"
    assert supports_text(5, "ru") == "Поддерживают 5 жителей"
    assert supports_text(5, "ky") == "5 тургун колдойт"
