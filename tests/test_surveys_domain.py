"""The survey domain without the bot: voting rules, the secrecy of small groups, times typed in
Bishkek time, closing, extending, scheduling, and what the notices say (in Kyrgyz and Russian)."""

from __future__ import annotations

import asyncio
import csv
import io
import itertools
from datetime import UTC, datetime, timedelta

import pytest

from bot.db import Database
from bot.domain import BadDateTime
from bot.domain import surveys as sv
from bot.domain.clock import to_db
from bot.domain.residents import set_municipality
from bot.i18n import display_timezone
from bot.scheduler import Scheduler
from bot.ui.surveys import SurveyCallback, results_chart_png, results_csv, results_text, survey_open_data, votes_text
from tests.support import AK_DEBE, BISHKEK
from tests.survey_helpers import (
    CLOSE_UTC,
    OFFICER,
    START,
    broadcasts,
    established,
    draft,
    make_officer,
    make_resident,
    rendered,
)

pytestmark = pytest.mark.usefixtures("frozen_clock")
__all__ = ["START"]


async def _closed_with_votes(db: Database, harness, votes: list[list[int]], **kw) -> sv.Survey:
    await make_officer(db, harness)
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft(**kw))
    for uid, positions in enumerate(votes, start=801):
        await make_resident(db, uid, "ru", AK_DEBE)
        await sv.cast_vote(db, resident_id=uid, survey_id=survey.id, positions=positions)
    return await sv.close_survey(db, officer_id=OFFICER, survey_id=survey.id)


def _csv_votes(survey: sv.Survey, counts: sv.Tally) -> list[str]:
    """The votes column of the officer's (Russian) results file; hidden counts read "hidden"."""
    from bot.i18n import _

    rows = list(csv.reader(io.StringIO(results_csv(survey, counts, "ru").decode("utf-8-sig")), delimiter=";"))
    hidden = _("hidden to keep votes secret", locale="ru")
    return ["hidden" if r[3] == hidden else r[3] for r in rows[7:]]


# -- secrecy ---------------------------------------------------------------------------------------


async def test_results_csv_has_no_voters_and_small_groups_are_hidden(db: Database, harness) -> None:
    await make_officer(db, harness)
    for uid in (801, 802):
        await make_resident(db, uid, "ru", AK_DEBE)
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft())
    await sv.cast_vote(db, resident_id=801, survey_id=survey.id, positions=[1])
    await sv.cast_vote(db, resident_id=802, survey_id=survey.id, positions=[2])
    closed = await sv.close_survey(db, officer_id=OFFICER, survey_id=survey.id)
    counts = await sv.tally(db, survey.id)
    text = results_text(closed, counts, "ru")
    assert "2 жителя проголосовали" in text and "Школьная улица" not in text and "меньше 5" in text
    rows = list(csv.reader(io.StringIO(results_csv(closed, counts, "ru").decode("utf-8-sig")), delimiter=";"))
    assert not any("801" in cell or "802" in cell for row in rows for cell in row)


async def test_lone_dissenter_is_not_revealed_anywhere(db: Database, harness) -> None:
    """5 for «Школьная», 1 for «Рыночная»: neither the 1 nor (total − 5) may show, in text, CSV or chart."""
    closed = await _closed_with_votes(db, harness, [[1]] * 5 + [[2]])
    counts = await sv.tally(db, closed.id)
    for loc in ("ru", "ky"):
        text = results_text(closed, counts, loc)
        assert "6" in text  # the turnout is shown
        assert ": 1 голос" not in text and ": 5 голосов" not in text and "%" not in text
        assert ": 1 добуш" not in text and ": 5 добуш" not in text
    assert "меньше 5 человек" in results_text(closed, counts, "ru")
    assert _csv_votes(closed, counts) == ["hidden", "hidden", "hidden"]
    assert results_chart_png(closed, counts, "ru").startswith(b"\x89PNG")
    # the results broadcast to the municipality says the same, and does not even store the counts
    [results] = await broadcasts(db, "survey_results")
    assert "1 голос" not in rendered(results, "ru").text and "5 голосов" not in rendered(results, "ru").text
    assert '"votes": 5' not in results["content"] and '"votes": 1' not in results["content"]


async def test_two_small_options_are_hidden_and_the_rest_shown(db: Database, harness) -> None:
    closed = await _closed_with_votes(db, harness, [[1]] * 10 + [[2]] * 3 + [[3]] * 3)
    counts = await sv.tally(db, closed.id)
    text = results_text(closed, counts, "ru")
    assert counts.suppressed(False) == {2, 3}
    assert "Школьная улица: 10 голосов" in text
    assert "Рыночная улица: скрыто" in text and "Мост: скрыто" in text and "3 голоса" not in text
    assert _csv_votes(closed, counts) == ["10", "hidden", "hidden"]


async def test_unanimous_vote_is_not_revealed(db: Database, harness) -> None:
    closed = await _closed_with_votes(db, harness, [[1]] * 7)
    counts = await sv.tally(db, closed.id)
    text = results_text(closed, counts, "ru")
    assert "7 голосов" not in text and "100" not in text
    assert "7" not in _csv_votes(closed, counts)


async def test_multi_choice_everyone_ticking_one_option_is_hidden(db: Database, harness) -> None:
    closed = await _closed_with_votes(db, harness, [[1, 2]] * 5 + [[1, 3]] * 5, max_choices=2)
    counts = await sv.tally(db, closed.id)
    assert counts.suppressed(True) == {1}  # chosen by all 10: would reveal everyone's tick
    text = results_text(closed, counts, "ru")
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
        for _position, n in shown:
            assert n is None or (n >= sv.MIN_GROUP and ballots - n >= sv.MIN_GROUP)


async def test_no_burst_is_flagged_in_a_first_rollout(db: Database, harness, frozen_clock) -> None:
    """The bot has just come to the village: everyone voting joined within the hour; that is no anomaly."""
    await make_officer(db, harness)
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft())
    for uid in range(900, 912):
        await make_resident(db, uid, "ru", AK_DEBE, joined=START + timedelta(minutes=1))
        await sv.cast_vote(db, resident_id=uid, survey_id=survey.id, positions=[1 + uid % 2])
    _survey, counts = await sv.officer_tally(db, officer_id=OFFICER, survey_id=survey.id)
    assert counts.recent == 12 and not counts.burst
    assert "для сведения" not in results_text(survey, counts, "ru", officer=True).lower()


async def test_burst_of_new_accounts_is_flagged_to_the_officer(db: Database, harness, frozen_clock) -> None:
    await make_officer(db, harness)
    await established(db)
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft())
    for uid in range(900, 906):
        await make_resident(db, uid, "ru", AK_DEBE, joined=START - timedelta(minutes=10))
        await sv.cast_vote(db, resident_id=uid, survey_id=survey.id, positions=[1])
    for uid in range(910, 920):
        await make_resident(db, uid, "ru", AK_DEBE)
        await sv.cast_vote(db, resident_id=uid, survey_id=survey.id, positions=[2])
    _survey, counts = await sv.officer_tally(db, officer_id=OFFICER, survey_id=survey.id)
    assert counts.recent == 6 and counts.burst
    frozen_clock["t"] = CLOSE_UTC
    await sv.close_due_surveys(db, CLOSE_UTC)
    closed = await sv.get_survey(db, survey.id)
    text = results_text(closed, counts, "ru", officer=True)
    assert "6 голосов пришли от жителей" in text and "Для сведения" in text  # information, not an accusation
    assert "6 голосов пришли" not in results_text(closed, counts, "ru")  # not in what residents get
    [results] = await broadcasts(db, "survey_results")
    assert "Для сведения" not in rendered(results, "ru").text


# -- integrity -------------------------------------------------------------------------------------


async def test_racing_votes_make_one_ballot(db: Database, harness) -> None:
    await make_officer(db, harness)
    await make_resident(db, 802, "ru", AK_DEBE)
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft())
    await asyncio.gather(*(sv.cast_vote(db, resident_id=802, survey_id=survey.id, positions=[1]) for _ in range(20)))
    counts = await sv.tally(db, survey.id)
    assert counts.ballots == 1 and await sv.recount(db, survey.id) == counts


async def test_moving_resident_does_not_vote_twice(db: Database, harness) -> None:
    await make_officer(db, harness)
    await make_resident(db, 801, "ky", AK_DEBE)
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft())
    await sv.cast_vote(db, resident_id=801, survey_id=survey.id, positions=[1])
    await set_municipality(db, 801, BISHKEK)
    with pytest.raises(sv.WrongMunicipality):
        await sv.cast_vote(db, resident_id=801, survey_id=survey.id, positions=[2])
    await set_municipality(db, 801, AK_DEBE)
    await sv.cast_vote(db, resident_id=801, survey_id=survey.id, positions=[2])
    assert (await sv.tally(db, survey.id)).ballots == 1


async def test_ballot_rules_raise_typed_errors(db: Database, harness) -> None:
    await make_officer(db, harness)
    await make_resident(db, 801, "ru", AK_DEBE)
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft())
    with pytest.raises(sv.OptionNotFound):
        await sv.cast_vote(db, resident_id=801, survey_id=survey.id, positions=[9])
    with pytest.raises(sv.ChoiceCountOutOfRange) as caught:
        await sv.cast_vote(db, resident_id=801, survey_id=survey.id, positions=[1, 2])
    assert caught.value.limit == 1
    with pytest.raises(sv.SurveyNotFound):
        await sv.cast_vote(db, resident_id=801, survey_id=999_999, positions=[1])
    with pytest.raises(sv.TooManyTicks):
        sv.check_ticks(survey, [1, 2])
    await sv.delete_survey(db, officer_id=OFFICER, survey_id=survey.id)
    with pytest.raises(sv.SurveyWithdrawn):
        await sv.cast_vote(db, resident_id=801, survey_id=survey.id, positions=[1])
    assert (await sv.tally(db, survey.id)).ballots == 0


async def test_extend_tells_voters_and_close_early(db: Database, harness, frozen_clock) -> None:
    await make_officer(db, harness)
    await make_resident(db, 801, "ky", AK_DEBE)
    await make_resident(db, 802, "ky", AK_DEBE)
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft())
    await sv.cast_vote(db, resident_id=801, survey_id=survey.id, positions=[1])
    with pytest.raises(sv.ExtensionNotLater):
        await sv.extend_survey(db, officer_id=OFFICER, survey_id=survey.id, closes_at=CLOSE_UTC - timedelta(hours=1))
    with pytest.raises(sv.TooFarAhead):
        await sv.extend_survey(db, officer_id=OFFICER, survey_id=survey.id, closes_at=START + timedelta(days=400))
    later = CLOSE_UTC + timedelta(days=2)
    await sv.extend_survey(db, officer_id=OFFICER, survey_id=survey.id, closes_at=later)
    [ext] = await broadcasts(db, "survey_extended")
    recipients = [r[0] for r in await db.fetchall("SELECT resident_id FROM deliveries WHERE broadcast_id = ?",
                                                  (ext["id"],))]
    assert recipients == [801]
    notice = rendered(ext, "ky")
    assert "17-декабрь" in notice.text
    assert notice.rows[0][0].callback_data == survey_open_data(survey.id, fresh=True)
    frozen_clock["t"] = CLOSE_UTC + timedelta(hours=1)  # after the old closing time, before the new one
    await sv.cast_vote(db, resident_id=802, survey_id=survey.id, positions=[2])
    await sv.close_survey(db, officer_id=OFFICER, survey_id=survey.id)
    with pytest.raises(sv.SurveyUnavailable):
        await sv.cast_vote(db, resident_id=802, survey_id=survey.id, positions=[1])
    with pytest.raises(sv.SurveyAlreadyClosed):
        await sv.close_survey(db, officer_id=OFFICER, survey_id=survey.id)
    assert len(await broadcasts(db, "survey_results")) == 1


async def test_scheduled_survey_opens_and_is_announced_once(db: Database, harness) -> None:
    await make_officer(db, harness)
    await make_resident(db, 801, "ky", AK_DEBE)
    opens = START + timedelta(days=1)
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft(opens_at=to_db(opens)))
    assert survey.status == "scheduled" and not await broadcasts(db, "survey_announcement")
    with pytest.raises(sv.SurveyNotOpenYet):
        await sv.cast_vote(db, resident_id=801, survey_id=survey.id, positions=[1])
    scheduler = Scheduler(db, sv.SCHEDULER_JOBS)
    assert (await scheduler.run_once(opens))["open_due_surveys"] == 1
    assert (await scheduler.run_once(opens))["open_due_surveys"] == 0
    assert len(await broadcasts(db, "survey_announcement")) == 1


async def test_closing_an_unopened_survey_cancels_it_quietly_in_the_domain(db: Database, harness) -> None:
    await make_officer(db, harness)
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft(opens_at=to_db(START + timedelta(days=1))))
    cancelled = await sv.close_survey(db, officer_id=OFFICER, survey_id=survey.id)
    assert cancelled.status == "deleted" and not await broadcasts(db, "survey_results")
    assert await sv.open_due_surveys(db, START + timedelta(days=2)) == 0
    assert not await broadcasts(db, "survey_announcement")


async def test_another_municipalitys_officer_cannot_manage(db: Database, harness) -> None:
    await make_officer(db, harness)
    await make_officer(db, harness, uid=701, code=BISHKEK)
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft())
    for action in (sv.close_survey, sv.delete_survey):
        with pytest.raises(sv.ManagedElsewhere):
            await action(db, officer_id=701, survey_id=survey.id)
    assert (await sv.get_survey(db, survey.id)).status == "open"


# -- drafts, input and texts -----------------------------------------------------------------------


def test_time_is_parsed_strictly_in_bishkek_time() -> None:
    assert sv.parse_local_datetime("15.12.2026 18:00", display_timezone()) == CLOSE_UTC
    assert sv.parse_local_datetime(" 5.1.2027 9:05 ", display_timezone()) == datetime(2027, 1, 5, 3, 5, tzinfo=UTC)
    for bad, reason in (("2026-12-15 18:00", "format"), ("15.12.2026", "format"), ("31.02.2027 10:00", "date"),
                        ("15.12.2026 24:00", "date"), ("", "format")):
        with pytest.raises(BadDateTime) as exc:
            sv.parse_local_datetime(bad, display_timezone())
        assert exc.value.reason == reason


@pytest.mark.parametrize("text, reason", [("01.01.0001 00:00", "year"), ("01.01.0999 10:00", "year"),
                                          ("31.12.9999 23:59", "year"), ("١٥.١٢.٢٠٢٦ ١٨:٠٠", "format"),
                                          ("１５.１２.２０２６ １８:００", "format")])
def test_years_out_of_range_and_non_ascii_digits_are_refused(text: str, reason: str) -> None:
    with pytest.raises(sv.UnreadableTime) as caught:
        sv.parse_local_datetime(text, display_timezone())
    assert caught.value.reason == reason
    assert sv.parse_local_datetime("15.12.2026 18:00", display_timezone()).year == 2026


def test_opening_and_closing_times_are_checked() -> None:
    assert sv.opening_time(START - timedelta(hours=1), START) == START  # the past opens now
    with pytest.raises(sv.TooFarAhead):
        sv.opening_time(START + timedelta(days=400), START)
    with pytest.raises(sv.ClosesTooEarly) as caught:
        sv.closing_time(START + timedelta(hours=1), START, START + timedelta(hours=2))
    assert caught.value.earliest == START + timedelta(hours=2)
    assert sv.closing_time(CLOSE_UTC, START, START) == CLOSE_UTC


def test_options_are_added_all_or_nothing() -> None:
    d = sv.Draft(question_ky="Суроо", question_ru="Вопрос")
    assert sv.add_options(d, "1. Суу\n- Жол", language="ky") == 2
    with pytest.raises(sv.OptionTooLong):
        sv.add_options(d, "Мектеп\n" + "ж" * (sv.OPTION_MAX + 1), language="ky")
    with pytest.raises(sv.TooManyOptions):
        sv.add_options(d, "\n".join(f"В{i}" for i in range(9)), language="ky")
    assert len(d.options) == 2
    with pytest.raises(sv.TranslationsMissing):
        sv.options_complete(d, "ru")
    with pytest.raises(sv.TranslationCountMismatch):
        sv.add_options(d, "Вода\nДорога\nШкола", language="ru")
    assert sv.add_options(d, "Вода\nДорога", language="ru") == 2
    assert sv.options_complete(d, "ru") and d.options[1][:2] == ["Жол", "Дорога"]


@pytest.mark.parametrize("n, ru, ky", [
    (0, "0 голосов", "0 добуш"), (1, "1 голос", "1 добуш"), (2, "2 голоса", "2 добуш"), (5, "5 голосов", "5 добуш"),
    (11, "11 голосов", "11 добуш"), (21, "21 голос", "21 добуш"), (22, "22 голоса", "22 добуш"),
    (111, "111 голосов", "111 добуш"),
])
def test_vote_count_plurals(n: int, ru: str, ky: str) -> None:
    assert votes_text(n, "ru") == ru
    assert votes_text(n, "ky") == ky


def test_split_options_and_callback_data_fit() -> None:
    assert sv.split_options("1. Суу\n- Жол\n\n  • Мектеп  ") == ["Суу", "Жол", "Мектеп"]
    assert survey_open_data(5) == SurveyCallback(action="open", survey_id=5).pack() == "sv:open:5:0"
    assert len(SurveyCallback(action="submit", survey_id=10**9, value=1023).pack().encode()) <= 64


async def test_options_from_the_top_open_priority_problems(db: Database, harness) -> None:
    await make_officer(db, harness)
    assert await sv.priority_problem_options(db, AK_DEBE) == []
    async with db.transaction() as tx:
        for i, supports in enumerate((3, 9, 1)):
            await tx.execute(
                "INSERT INTO problems (municipality_code, author_id, category, text, supports, created_at, updated_at)"
                " VALUES (?, ?, 'roads', ?, ?, ?, ?)",
                (AK_DEBE, OFFICER, f"Көйгөй {i}", supports, to_db(START), to_db(START)))
    options = await sv.priority_problem_options(db, AK_DEBE)
    assert [o[0] for o in options][:3] == ["Көйгөй 1", "Көйгөй 0", "Көйгөй 2"]


async def test_linked_hearing_is_named_in_the_announcement(db: Database, harness) -> None:
    await make_officer(db, harness)
    assert await sv.upcoming_hearings(db, AK_DEBE) == []
    hearing_start = START + timedelta(days=10)
    async with db.transaction() as tx:
        hearing_id = await tx.insert(
            "INSERT INTO hearings (municipality_code, topic, title_ky, title_ru, starts_at, place, created_by,"
            " created_at, updated_at, agenda_ru) VALUES (?, 'budget_draft', 'Бюджет 2027', 'Бюджет 2027', ?,"
            " 'Айыл өкмөтү', ?, ?, ?, 'Проект')",
            (AK_DEBE, to_db(hearing_start), OFFICER, to_db(START), to_db(START)))
        other = await tx.insert(
            "INSERT INTO hearings (municipality_code, topic, title_ky, title_ru, starts_at, place, created_by,"
            " created_at, updated_at, agenda_ru) VALUES (?, 'other', 'Башка', 'Другое', ?, 'Мэрия', ?, ?, ?,"
            " 'Повестка')",
            (BISHKEK, to_db(hearing_start), OFFICER, to_db(START), to_db(START)))
    assert [h.id for h in await sv.upcoming_hearings(db, AK_DEBE)] == [hearing_id]
    with pytest.raises(sv.HearingUnavailable):  # another municipality's hearing
        await sv.create_survey(db, officer_id=OFFICER, draft=draft(hearing_id=other))
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft(hearing_id=hearing_id))
    assert survey.hearing_id == hearing_id
    [announcement] = await broadcasts(db, "survey_announcement")
    assert "публичных слушаниях «Бюджет 2027» (20 декабря 2026" in rendered(announcement, "ru").text


def test_importing_the_survey_domain_loads_no_aiogram() -> None:
    import subprocess
    import sys

    code = ("import sys, bot.domain.surveys, bot.domain.verification; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'aiogram'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
