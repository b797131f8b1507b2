"""Regressions from the attack on surveys: vote secrecy of small groups, dates out of range, closing
an unopened survey, residence-code guessing and a second code for a verified resident."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import timedelta

import pytest

from bot.db import Database
from bot.domain import InvalidInput
from bot.domain import surveys as sv
from bot.domain import verification as ver
from bot.domain.clock import clock, to_db
from bot.i18n import DISPLAY_TZ
from bot.ui.surveys import results_csv, results_chart_png
from tests.harness import plain
from tests.test_surveys import AK_DEBE, OFFICER, START, anchor, broadcasts, draft, make_officer, make_resident


@pytest.fixture(autouse=True)
def fixed_clock():
    now = {"t": START}
    clock.set(lambda: now["t"])
    yield now
    clock.set(None)


async def _closed_with_votes(db: Database, harness, votes: list[list[int]], **kw) -> sv.Survey:
    await make_officer(db, harness)
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft(**kw))
    for uid, positions in enumerate(votes, start=801):
        await make_resident(db, uid, "ru", AK_DEBE)
        await sv.cast_vote(db, resident_id=uid, survey_id=survey.id, positions=positions)
    return await sv.close_survey(db, officer_id=OFFICER, survey_id=survey.id)


# -- 1. secrecy ------------------------------------------------------------------------------------


async def test_lone_dissenter_is_not_revealed_anywhere(db: Database, harness) -> None:
    """5 for «Школьная», 1 for «Рыночная»: neither the 1 nor (total − 5) may show, in text, CSV or chart."""
    closed = await _closed_with_votes(db, harness, [[1]] * 5 + [[2]])
    counts = await sv.tally(db, closed.id)
    for loc in ("ru", "ky"):
        text = sv.results_text(closed, counts, loc)
        assert "6" in text  # the turnout is shown
        assert ": 1 голос" not in text and ": 5 голосов" not in text and "%" not in text
        assert ": 1 добуш" not in text and ": 5 добуш" not in text
    assert "меньше 5 человек" in sv.results_text(closed, counts, "ru")
    rows = list(csv.reader(io.StringIO(results_csv(closed, counts).decode("utf-8-sig"))))
    assert [r[3] for r in rows[4:]] == ["hidden", "hidden", "hidden"]
    assert results_chart_png(closed, counts, "ru").startswith(b"\x89PNG")
    # the results broadcast to the municipality says the same
    [results] = await broadcasts(db, "survey_results")
    assert "1 голос" not in results["content"] and "5 голосов" not in results["content"]


async def test_resident_results_through_the_bot_hide_the_small_option(db: Database, harness, fixed_clock) -> None:
    closed = await _closed_with_votes(db, harness, [[1]] * 10 + [[2]] * 6 + [[3]] * 2)
    ivan = harness.person(801, "Иван", language_code="ru")
    reply = await ivan.press_data(await anchor(ivan), f"sv:results:{closed.id}:0")
    text = plain(reply[-1])
    assert "Школьная улица" not in text and "10 голосов" not in text and "2 голоса" not in text
    assert "меньше 5 человек" in text  # 18 − 10 − 6 would give «Мост» = 2: no breakdown at all


async def test_two_small_options_are_hidden_and_the_rest_shown(db: Database, harness) -> None:
    closed = await _closed_with_votes(db, harness, [[1]] * 10 + [[2]] * 3 + [[3]] * 3)
    counts = await sv.tally(db, closed.id)
    text = sv.results_text(closed, counts, "ru")
    assert counts.suppressed(False) == {2, 3}
    assert "Школьная улица: 10 голосов" in text
    assert "Рыночная улица: скрыто" in text and "Мост: скрыто" in text and "3 голоса" not in text
    rows = list(csv.reader(io.StringIO(results_csv(closed, counts).decode("utf-8-sig"))))
    assert [r[3] for r in rows[4:]] == ["10", "hidden", "hidden"]


async def test_unanimous_vote_is_not_revealed(db: Database, harness) -> None:
    closed = await _closed_with_votes(db, harness, [[1]] * 7)
    counts = await sv.tally(db, closed.id)
    text = sv.results_text(closed, counts, "ru")
    assert "7 голосов" not in text and "100" not in text
    rows = list(csv.reader(io.StringIO(results_csv(closed, counts).decode("utf-8-sig"))))
    assert "7" not in [r[3] for r in rows[4:]]


async def test_multi_choice_everyone_ticking_one_option_is_hidden(db: Database, harness) -> None:
    closed = await _closed_with_votes(db, harness, [[1, 2]] * 5 + [[1, 3]] * 5, max_choices=2)
    counts = await sv.tally(db, closed.id)
    assert counts.suppressed(True) == {1}  # chosen by all 10: would reveal everyone's tick
    text = sv.results_text(closed, counts, "ru")
    assert "Рыночная улица: 5 голосов" in text and "Мост: 5 голосов" in text and "10 голосов" not in text


def test_no_hidden_count_can_be_worked_out_from_what_is_shown() -> None:
    """Exhaustive over single-choice tallies of 3 options and 0..14 voters: for every display, each
    hidden option could have had at least two different counts (turnout and shown counts known)."""
    survey = sv.Survey(id=1, municipality_code="x", question_ky="q", question_ru="q", max_choices=1,
                       opens_at=START, closes_at=START, hearing_id=None, verified_only=False, status="closed",
                       ballots=0, recent_ballots=0, created_by=0, closed_at=None,
                       options=tuple(sv.Option(p, "o", "o") for p in (1, 2, 3)))
    seen: dict[tuple, list[dict[int, int]]] = {}
    for a, b, c in itertools.product(range(15), repeat=3):
        if a + b + c > 14:
            continue
        counts = sv.Tally(ballots=a + b + c, votes={1: a, 2: b, 3: c}, recent=0)
        shown = counts.visible(survey)
        seen.setdefault((counts.ballots, tuple(sorted(shown.items(), key=lambda kv: kv[0]))), []).append(
            counts.votes)
    for (ballots, shown), tallies in seen.items():
        hidden = [p for p, n in shown if n is None]
        for p in hidden:
            values = {t[p] for t in tallies}
            assert len(values) >= 2 or ballots < sv.MIN_GROUP, (ballots, shown, p, values)
        for p, n in shown:
            assert n is None or (n >= sv.MIN_GROUP and ballots - n >= sv.MIN_GROUP)


# -- 4. dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, reason", [("01.01.0001 00:00", "year"), ("01.01.0999 10:00", "year"),
                                          ("31.12.9999 23:59", "year"), ("١٥.١٢.٢٠٢٦ ١٨:٠٠", "format"),
                                          ("１５.１２.２０２６ １８:００", "format")])
def test_years_out_of_range_and_non_ascii_digits_are_refused(text: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        sv.parse_local_datetime(text, DISPLAY_TZ)
    assert str(caught.value) == reason
    assert sv.parse_local_datetime("15.12.2026 18:00", DISPLAY_TZ).year == 2026


async def test_officer_typing_year_0001_gets_the_range_hint(db: Database, harness) -> None:
    officer = await make_officer(db, harness)
    await officer.send("/newsurvey")
    await officer.send("Суроо?")
    await officer.send("Вопрос?")
    await officer.send("А\nБ")
    await officer.press("Готово")
    await officer.send("A\nB")
    await officer.press("Готово")
    await officer.press("Один ответ")
    for typed in ("01.01.0001 00:00", "01.01.0999 10:00"):
        [reply] = await officer.send(typed)
        assert "Год должен быть от 2000 до 2100" in plain(reply), plain(reply)


# -- 6. closing a survey that has not opened ------------------------------------------------------


async def test_closing_an_unopened_survey_cancels_it_quietly(db: Database, harness) -> None:
    officer = await make_officer(db, harness)
    for uid in (801, 802):
        await make_resident(db, uid, "ky", AK_DEBE)
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft(opens_at=to_db(START + timedelta(days=1))))
    await officer.send("/survey_admin")
    await officer.press(f"#{survey.id}")
    [confirm] = await officer.press("Закрыть")
    assert "ещё не открылся" in plain(confirm)
    [done] = await officer.press("Да")
    assert "отменён" in plain(done) and "ничего не отправлено" in plain(done)
    assert not await broadcasts(db, "survey_results")
    assert (await sv.get_survey(db, survey.id)).status == "deleted"
    # and it never opens later
    assert await sv.open_due_surveys(db, START + timedelta(days=2)) == 0
    assert not await broadcasts(db, "survey_announcement")


# -- 10, 11. residence codes ----------------------------------------------------------------------


async def test_code_guessing_is_throttled_per_resident(db: Database, harness, fixed_clock) -> None:
    await make_officer(db, harness)
    [code] = await ver.generate_codes(db, officer_id=OFFICER, count=1)
    guesser = harness.person(801, "Иван", language_code="ru")
    await make_resident(db, 801, "ru", AK_DEBE)
    await guesser.send("/verify")
    for i in range(ver.CODE_ATTEMPTS):
        [reply] = await guesser.send("ABCDEFG" + "23456789"[i])
        assert "Слишком много" not in plain(reply)
    [blocked] = await guesser.send(code)  # even the right code waits: guessing must not pay off
    assert "Слишком много неверных кодов" in plain(blocked) and "60 минут" in plain(blocked)
    assert not await ver.is_verified(db, 801, AK_DEBE)
    fixed_clock["t"] = START + timedelta(minutes=45)
    [still] = await guesser.send(code)
    assert "15 минут" in plain(still)
    fixed_clock["t"] = START + timedelta(hours=1, minutes=1)
    [ok] = await guesser.send(code)
    assert "✅" in plain(ok) and await ver.is_verified(db, 801, AK_DEBE)
    # another resident is not throttled by this one's failures
    await make_resident(db, 802, "ru", AK_DEBE)
    with pytest.raises(ver.VerificationRefused):
        await ver.redeem_code(db, resident_id=802, code="ABCDEFGH")


async def test_verified_resident_does_not_use_up_a_second_code(db: Database, harness) -> None:
    await make_officer(db, harness)
    first, second = await ver.generate_codes(db, officer_id=OFFICER, count=2)
    person = harness.person(801, "Айгүл", language_code="ky")
    await make_resident(db, 801, "ky", AK_DEBE)
    await person.send(f"/verify {first}")
    [reply] = await person.send(f"/verify {second}")
    assert "буга чейин эле тастыкталгансыз" in plain(reply)
    assert await db.fetchval("SELECT used_by FROM residence_codes WHERE code = ?", (second,)) is None
    # a phone-verified resident too
    await make_resident(db, 802, "ru", AK_DEBE)
    await ver.verify_by_contact(db, sender_id=802, contact_user_id=802, phone_number="+996700123456")
    with pytest.raises(ver.VerificationRefused) as caught:
        await ver.redeem_code(db, resident_id=802, code=second)
    assert caught.value.reason == "already"
    assert await db.fetchval("SELECT used_by FROM residence_codes WHERE code = ?", (second,)) is None
