"""Every file the bot and the web app give officers speaks the reader's language (issue 12): headers and
values in Kyrgyz or Russian (no English header, no code such as "hidden" or "open"), times in
Asia/Bishkek, the Bishkek day in the file name, rating quarters as a reader says them, and every cell a
resident typed formula-safe. The moment is 20:00 UTC on 31 December, already 1 January in Bishkek."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.db import Database
from bot.domain import plans
from bot.domain import problems as pb
from bot.domain import registry as reg
from bot.domain.clock import clock
from bot.i18n import _, format_date, format_datetime, pgettext
from tests.harness import Harness, plain
from tests.support import AK_DEBE, BISHKEK
from tests.test_registry_resident_flow import _officer, _resident
from tests.webapp_support import OFFICER, OFFICER_RU, RESIDENTS, auth, seed, serve

START = datetime(2026, 12, 31, 20, 0, tzinfo=UTC)  # 02:00 on 1 January 2027 in Bishkek
HOSTILE = ('=HYPERLINK("http://evil.example","Басыңыз")', "+1 суу жок үч күн болду", "@SUM(1+1) жол бузулду",
           "-2 жарык күйбөйт көчөдө")
FORMULA = ("=", "+", "-", "@", "\t", "\r")
ENGLISH_CODES = {"hidden", "open", "closed", "true", "false", "True", "False", "None", "new", "scheduled",
                 "included", "proposed", "water", "roads", "plan", "in_progress"}
CYRILLIC = re.compile("[А-Яа-яЁёӨөҮүҢң]")
LATIN = re.compile("[A-Za-z]")

pytestmark = pytest.mark.usefixtures("frozen_clock")


def _table(raw: bytes) -> list[list[str]]:
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM: Excel on Windows reads the Cyrillic
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def _check_cells(rows: list[list[object]], where: str) -> None:
    """No cell a spreadsheet would run as a formula, no English code as a value."""
    cells = [c for row in rows for c in row if isinstance(c, str)]
    assert not [c for c in cells if c.startswith(FORMULA)], where
    assert not ENGLISH_CODES & set(cells), where


def _check_header(header: list[object], where: str) -> None:
    assert all((CYRILLIC.search(str(h)) or h == "№") and not LATIN.search(str(h)) for h in header), (where, header)


def _document(harness: Harness, uid: int, before: int) -> tuple[str, bytes]:
    [document] = [m["document"] for m in harness.emulator.bot_messages(uid)[before:] if "document" in m]
    return document["file_name"], harness.emulator._files[document["file_id"]].data


async def test_the_bots_exports_in_kyrgyz_and_russian_with_the_bishkek_day(harness: Harness, db: Database) -> None:
    aigul = await _resident(harness, db, 501, "Айгүл", "ky")
    await _resident(harness, db, 502, "Иван", "ru")
    await reg.propose(db, resident_id=501, proposal=reg.Proposal(
        name=HOSTILE[0], description=HOSTILE[1], recipients=HOSTILE[2], on_behalf_of="elderly", area="transport",
        locale="ky"))
    for author, text in ((501, HOSTILE[1]), (502, HOSTILE[2]), (501, HOSTILE[0])):
        await pb.raise_problem(db, author_id=author, category="water", text=text)
    await reg.ensure_seeded(db, BISHKEK)
    service = (await reg.list_services(db, BISHKEK, area="water"))[0][0]
    assert await reg.rate(db, resident_id=501, service_id=service.id, score=4, comment=HOSTILE[3]) == "2027Q1"
    new_year = format_date(date(2027, 1, 1), "ky")
    assert new_year != format_date(date(2026, 12, 31), "ky")
    await aigul.send("/services")  # the chat exists

    for uid, locale in ((503, "ky"), (504, "ru")):
        officer = await _officer(harness, db, uid, locale)
        # the registry: the button of /registry
        [overview] = await officer.send("/registry")
        before = len(harness.emulator.bot_messages(uid))
        await officer.press_data(overview["message_id"], "rg:exp:0:0:")
        name, raw = _document(harness, uid, before)
        assert name == f"registry-{BISHKEK}-2027-01-01.csv"
        header, *body = _table(raw)
        _check_header(header, "registry")
        _check_cells(body, "registry")
        assert header[0] == "Номер" and header[-2] == pgettext("registry export column", "created on", locale=locale)
        proposal = next(row for row in body if "HYPERLINK" in row[1])
        assert proposal[1] == "'" + HOSTILE[0] and proposal[-2] == format_date(date(2027, 1, 1), locale)
        rated = next(row for row in body if row[0] == str(service.id))
        assert rated[header.index(pgettext("registry export column", "average rating", locale=locale))] == "4"

        # the rating's quarter on the officer's card, as a reader says it
        [card] = await officer.press_data(overview["message_id"], f"rg:oc:{service.id}:0:")
        quarter = {"ky": "2027-жылдын 1-чейреги", "ru": "1-й квартал 2027 г."}[locale]
        assert f"{HOSTILE[3]} ({quarter})" in plain(card) and "2027Q1" not in plain(card)

        # the problems: /problems_export
        before = len(harness.emulator.bot_messages(uid))
        await officer.send("/problems_export")
        name, raw = _document(harness, uid, before)
        assert name == f"problems-{BISHKEK}-2027-01-01.csv"
        title, header, *body = _table(raw)
        _check_header(header, "problems")
        _check_cells([title, *body], "problems")
        assert {row[3] for row in body} == {"'" + text for text in HOSTILE[:3]}
        assert {row[6] for row in body} == {format_date(date(2027, 1, 1), locale)}

        # the execution report: /plan_report
        await plans.create_item(db, officer_id=uid, title=HOSTILE[0], year=2026, responsible="ayil_okmotu",
                                steps=[("Материалдарды сатып алуу", date(2026, 6, 1))])
        before = len(harness.emulator.bot_messages(uid))
        await officer.send("/plan_report 2026")
        name, raw = _document(harness, uid, before)
        assert name == f"execution-{BISHKEK}-2026-2027-01-01.csv"
        header, *body = _table(raw)
        _check_header(header, "execution")
        _check_cells(body, "execution")
        assert body[-1][2] == "'" + HOSTILE[0]
        assert body[-1][5] == {"ky": "1 кадамдын ичинен 0", "ru": "0 из 1"}[locale]  # never "0/1", a date in Excel


@pytest.fixture
async def served(db, settings):
    await seed(db)
    client = await serve(db, settings)
    yield client
    await client.close()
    clock.set(None)


async def test_the_web_apps_files_in_both_languages_with_bishkek_times(served, db: Database) -> None:
    from openpyxl import load_workbook

    client = served
    evening = datetime(2026, 12, 12, 20, 0, tzinfo=UTC)  # 02:00 on 13 December in Bishkek
    clock.set(lambda: evening)
    for resident, text in zip(RESIDENTS[8:], HOSTILE, strict=True):
        await pb.raise_problem(db, author_id=resident, category="other", text=text)
    hostile = {"'" + text for text in HOSTILE}
    service = (await reg.list_services(db, AK_DEBE, area="water"))[0][0]
    for resident, score in zip(RESIDENTS[:3], (4, 4, 5), strict=True):
        await reg.rate(db, resident_id=resident, service_id=service.id, score=score)

    for uid, locale in ((OFFICER, "ky"), (OFFICER_RU, "ru")):
        response = await client.get("/webapp/api/export.xlsx", headers=auth(uid))
        assert response.headers["Content-Disposition"] == f'attachment; filename="jamaat-{AK_DEBE}-2026-12-13.xlsx"'
        book = load_workbook(io.BytesIO(await response.read()))
        for ws in book:
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
            _check_header(rows[0], ws.title)
            _check_cells(rows[1:], ws.title)
            assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
        problems = book.worksheets[0]
        header = [c.value for c in problems[1]]
        assert header[:2] == [_("Number", locale=locale), _("Category", locale=locale)]
        rows = list(problems.iter_rows(min_row=2))
        assert hostile <= {r[-1].value for r in rows}
        raised = next(r for r in rows if r[-1].value == "'" + HOSTILE[1])[4]
        assert raised.value == datetime(2026, 12, 13, 2, 0) and raised.number_format == "DD.MM.YYYY HH:MM"
        rated = next(r for r in book.worksheets[4].iter_rows(min_row=2, values_only=True) if r[0] == service.id)
        assert rated[-1] == pytest.approx(4.33)  # a number cell, not a text
        results = list(book.worksheets[2].iter_rows(min_row=2))
        assert [(r[3].value, r[4].value, r[4].number_format) for r in results] == [
            (7, pytest.approx(7 / 12), "0%"), (5, pytest.approx(5 / 12), "0%")]

        for sheet in ("problems", "surveys", "results", "hearings", "registry", "participation"):
            response = await client.get(f"/webapp/api/export/{sheet}.csv", headers=auth(uid))
            assert response.headers["Content-Disposition"] == (
                f'attachment; filename="{sheet}-{AK_DEBE}-2026-12-13.csv"')
            header, *body = _table(await response.read())
            _check_header(header, sheet)
            _check_cells(body, sheet)
            if sheet == "problems":
                assert hostile <= {row[-1] for row in body}
                row = next(row for row in body if row[-1] == "'" + HOSTILE[1])
                assert row[4] == format_datetime(evening, locale) and "02:00" in row[4]
            if sheet == "results":
                assert [row[4] for row in body] == {"ky": ["58%", "42%"], "ru": ["58\xa0%", "42\xa0%"]}[locale]
            if sheet == "registry":
                assert next(row for row in body if row[0] == str(service.id))[-1] == "4,33"  # the decimal comma
            if sheet == "participation":
                assert body[-1][0] == {"ky": "Декабрь 2026", "ru": "декабрь 2026"}[locale]

    response = await client.get("/webapp/api/report.pdf", headers=auth(OFFICER))
    assert response.headers["Content-Disposition"] == f'attachment; filename="hearing-report-{AK_DEBE}-2026-12-13.pdf"'
    assert (await response.read()).startswith(b"%PDF")


def test_the_hearing_reports_months_are_named_not_26_12() -> None:
    from bot.webapp.report import _month_label

    assert _month_label("2026-12", "ky") == "2026-ж. дек."
    assert _month_label("2026-12", "ru") == "дек. 2026\u202fг."


def test_a_time_late_in_the_utc_day_names_the_file_with_the_next_bishkek_day() -> None:
    from bot.domain.spreadsheet import export_filename

    assert export_filename("registry-1", "csv", START) == "registry-1-2027-01-01.csv"
    assert export_filename("registry-1", "csv", START - timedelta(hours=3)) == "registry-1-2026-12-31.csv"  # 23:00 there
    with pytest.raises(ValueError):
        export_filename("registry-1", "csv", datetime(2026, 12, 31, 20, 0))


async def test_the_survey_results_csv_in_kyrgyz_closing_late_in_the_utc_day(harness: Harness, db: Database,
                                                                            frozen_clock) -> None:
    from bot.domain import surveys as sv
    from bot.domain.clock import to_db
    from bot.ui.surveys.callbacks import SurveyAdminCallback
    from tests.survey_helpers import make_officer, make_resident

    frozen_clock.set(START - timedelta(days=2))
    officer = await make_officer(db, harness, uid=700, locale="ky")
    survey = await sv.create_survey(db, officer_id=700, draft=sv.Draft(
        question_ky=HOSTILE[2], question_ru="Какую дорогу ремонтировать?",
        options=[[HOSTILE[0], "Школьная улица", None], ["Көпүрө", "+7 мост", None]],
        max_choices=1, opens_at=to_db(START - timedelta(days=2)), closes_at=to_db(START)))
    for uid in range(901, 911):
        await make_resident(db, uid, "ky", AK_DEBE)
        await sv.cast_vote(db, resident_id=uid, survey_id=survey.id, positions=[1 if uid < 906 else 2])
    frozen_clock.set(START + timedelta(minutes=1))
    [shown] = await officer.send("/survey_admin")
    before = len(harness.emulator.bot_messages(700))
    await officer.press_data(shown["message_id"], SurveyAdminCallback(action="csv", survey_id=survey.id).pack())
    name, raw = _document(harness, 700, before)
    assert name == f"survey-{survey.id}-results-2027-01-01.csv"  # the closing day in Bishkek
    rows = _table(raw)
    _check_cells(rows, "survey")
    header = rows[6]
    _check_header(header, "survey")
    assert rows[1] == [_("Question in Kyrgyz", locale="ky"), "'" + HOSTILE[2]]
    assert rows[4] == [_("Closes", locale="ky"), format_datetime(START, "ky")] and "02:00" in rows[4][1]
    assert rows[7:] == [["1", "'" + HOSTILE[0], "Школьная улица", "5", "50%"], ["2", "Көпүрө", "'+7 мост", "5", "50%"]]
