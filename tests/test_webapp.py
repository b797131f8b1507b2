"""The officers' web app over HTTP (issue 13): who may read what, the figures, the status change through
the chat's own use case, the exports and the hearing report. The browser tests are in
tests/test_webapp_browser.py."""

from __future__ import annotations

import io
import json
import re
from urllib.parse import parse_qsl, urlencode

import pytest

from bot.domain import problems as pb
from bot.domain.clock import clock
from bot.webapp.auth import sign_init_data
from tests.support import AK_DEBE, ALAMUDUN, SUPERADMIN_ID
from tests.webapp_support import (
    OFFICER, OFFICER_RU, OTHER_OFFICER, OTHER_RESIDENT, RESIDENTS, SECRET_LAST_NAME, SECRET_USERNAME, auth,
    init_data, seed, serve,
)

API = ("dashboard", "problems", "surveys", "hearings", "registry", "audit")
FILES = ("/webapp/api/export.xlsx", "/webapp/api/export/problems.csv", "/webapp/api/export/registry.csv",
         "/webapp/api/report.png", "/webapp/api/report.pdf")


@pytest.fixture
async def served(db, settings):
    seeded = await seed(db)
    client = await serve(db, settings)
    yield client, seeded
    await client.close()
    clock.set(None)


async def test_dashboard_figures_equal_the_database(served, db) -> None:
    client, seeded = served
    response = await client.get("/webapp/api/dashboard", headers=auth(OFFICER))
    assert response.status == 200
    data = await response.json()
    count = lambda sql, *p: db.fetchval(sql, p)  # noqa: E731
    residents = data["residents"]
    assert residents["total"] == await count("SELECT count(*) FROM residents WHERE municipality_code = ?", AK_DEBE)
    assert residents["total"] == 14 and residents["joined"] == 13  # one joined 60 days ago
    assert residents["by_locale"] == {"ky": 9, "ru": 5, "none": 0}
    assert data["problems"]["by_status"]["new"] == await count(
        "SELECT count(*) FROM problems WHERE municipality_code = ? AND status = 'new'", AK_DEBE) == 4
    assert [p["id"] for p in data["problems"]["top"]] == seeded.problems  # 7, 6, 5, 4 supports
    assert [p["supports"] for p in data["problems"]["top"]] == [7, 6, 5, 4]
    assert [s["id"] for s in data["surveys"]["open"]] == [seeded.open_survey]
    assert data["surveys"]["open"][0]["ballots"] == 2
    assert [o["votes"] for o in data["surveys"]["open"][0]["options"]] == [None, None]  # open: turnout only
    closed = next(s for s in data["surveys"]["recent"] if s["id"] == seeded.closed_survey)
    assert closed["ballots"] == 12 and [o["votes"] for o in closed["options"]] == [7, 5]
    small = next(s for s in data["surveys"]["recent"] if s["id"] == seeded.small_survey)
    assert small["ballots"] == 3 and small["results_shown"] is False and {o["votes"] for o in small["options"]} == {None}
    hearing = data["hearings"][0]
    assert (hearing["id"], hearing["going"], hearing["not_going"]) == (seeded.hearing, 3, 1)
    from bot.store.hearings import rsvp_counts

    assert hearing["remind"] == (await rsvp_counts(db, seeded.hearing)).get("remind", 0) >= 1
    assert data["registry"] == {"included": await count(
        "SELECT count(*) FROM services WHERE municipality_code = ?", AK_DEBE)}


async def test_missing_forged_tampered_and_stale_init_data_are_refused(served, settings) -> None:
    client, _seeded = served
    assert (await client.get("/webapp/api/dashboard")).status == 401
    assert (await client.get("/webapp/api/dashboard", headers={"Authorization": "Bearer x"})).status == 401
    forged = sign_init_data("999:OTHER", {"id": OFFICER, "first_name": "X"})
    assert (await client.get("/webapp/api/dashboard", headers={"Authorization": "tma " + forged})).status == 401
    fields = dict(parse_qsl(init_data(OTHER_OFFICER)))
    fields["user"] = fields["user"].replace(str(OTHER_OFFICER), str(OFFICER))  # someone else's id, same hash
    tampered = urlencode(fields)
    assert (await client.get("/webapp/api/dashboard", headers={"Authorization": "tma " + tampered})).status == 401
    stale = auth(OFFICER, age_s=settings.webapp_auth_max_age + 60)
    assert (await client.get("/webapp/api/dashboard", headers=stale)).status == 401
    assert (await client.get("/webapp/api/export.xlsx", headers=stale)).status == 401
    fresh = auth(OFFICER, age_s=settings.webapp_auth_max_age - 60)
    assert (await client.get("/webapp/api/dashboard", headers=fresh)).status == 200
    page = await client.get("/webapp/api/view/dashboard", headers=stale)
    assert page.status == 401 and "Telegram" in await page.text()
    assert (await client.get("/webapp/api/dashboard", headers=auth(RESIDENTS[0]))).status == 403  # a resident


async def test_an_officer_cannot_read_another_municipality(served, db) -> None:
    client, seeded = served
    for name in API:
        for path in (f"/webapp/api/{name}", f"/webapp/api/view/{name}"):
            response = await client.get(f"{path}?m={AK_DEBE}", headers=auth(OTHER_OFFICER))
            assert response.status == 403, path
    for path in FILES:
        assert (await client.get(f"{path}?m={AK_DEBE}", headers=auth(OTHER_OFFICER))).status == 403, path
    assert (await client.get("/webapp/api/national", headers=auth(OFFICER))).status == 403
    own = await (await client.get("/webapp/api/dashboard", headers=auth(OTHER_OFFICER))).json()
    assert own["municipality"]["code"] == ALAMUDUN and own["residents"]["total"] == 2
    assert [p["text"] for p in own["problems"]["top"]] == ["Аламүдүндө суу жок болуп калды"]
    response = await client.post(f"/webapp/api/problems/{seeded.problems[0]}/status?m={AK_DEBE}",
                                 headers=auth(OTHER_OFFICER), json={"status": "solved"})
    assert response.status == 403
    response = await client.post(f"/webapp/api/problems/{seeded.problems[0]}/status",
                                 headers=auth(OTHER_OFFICER), json={"status": "solved"})
    assert response.status == 403  # the domain's own check: not the problem's municipality
    assert await db.fetchval("SELECT status FROM problems WHERE id = ?", (seeded.problems[0],)) == "new"


async def test_a_revoked_officer_is_refused_at_the_next_request(served, db) -> None:
    from bot.domain.officers import revoke_officer

    client, _seeded = served
    assert (await client.get("/webapp/api/dashboard", headers=auth(OFFICER_RU))).status == 200
    await revoke_officer(db, actor_id=SUPERADMIN_ID, superadmins=frozenset({SUPERADMIN_ID}), telegram_id=OFFICER_RU)
    assert (await client.get("/webapp/api/dashboard", headers=auth(OFFICER_RU))).status == 403


async def test_a_superadmin_sees_the_national_view_and_any_municipality(served) -> None:
    client, _seeded = served
    data = await (await client.get("/webapp/api/national", headers=auth(SUPERADMIN_ID))).json()
    assert data["totals"] == {"municipalities": 2, "residents": 16, "raised": 5, "solved": 0, "surveys": 2,
                              "hearings": 0}
    (oblast,) = data["oblasts"]
    assert oblast["code"] == "41708" and [d["code"] for d in oblast["districts"]] == ["41708203"]
    assert {p["code"] for p in oblast["districts"][0]["places"]} == {AK_DEBE, ALAMUDUN}
    for code, total in ((AK_DEBE, 14), (ALAMUDUN, 2)):
        one = await (await client.get(f"/webapp/api/dashboard?m={code}", headers=auth(SUPERADMIN_ID))).json()
        assert one["residents"]["total"] == total
    page = await client.get("/webapp/api/view/dashboard", headers=auth(SUPERADMIN_ID))  # no ?m=: national
    assert 'id="national"' in await page.text()


async def test_a_status_change_goes_through_the_chat_use_case_and_queues_the_notice(served, db) -> None:
    client, seeded = served
    problem_id = seeded.problems[1]
    before = await db.fetchval("SELECT count(*) FROM broadcasts WHERE kind = 'problem_status'")
    response = await client.post(f"/webapp/api/problems/{problem_id}/status", headers=auth(OFFICER),
                                 json={"status": "under_review", "comment": "Карап жатабыз", "expected_status": "new"})
    assert response.status == 200 and (await response.json())["status"] == "under_review"
    assert await db.fetchval("SELECT status FROM problems WHERE id = ?", (problem_id,)) == "under_review"
    event = await db.fetchone("SELECT * FROM problem_events WHERE problem_id = ? AND action = 'status'", (problem_id,))
    assert (event["actor_id"], event["old_status"], event["new_status"], event["comment"]) == (
        OFFICER, "new", "under_review", "Карап жатабыз")
    broadcast = await db.fetchone("SELECT * FROM broadcasts WHERE kind = 'problem_status' ORDER BY id DESC LIMIT 1")
    assert await db.fetchval("SELECT count(*) FROM broadcasts WHERE kind = 'problem_status'") == before + 1
    told = {r[0] for r in await db.fetchall("SELECT resident_id FROM deliveries WHERE broadcast_id = ?",
                                            (broadcast["id"],))}
    supporters = {r[0] for r in await db.fetchall("SELECT resident_id FROM problem_supports WHERE problem_id = ?",
                                                  (problem_id,))}
    assert told == supporters and RESIDENTS[1] in told  # the author and every supporter
    again = await client.post(f"/webapp/api/problems/{problem_id}/status", headers=auth(OFFICER),
                              json={"status": "prioritized", "expected_status": "new"})  # an old page
    body = await again.json()
    assert again.status == 409 and body["ok"] is False and body["error"]
    reject = await client.post(f"/webapp/api/problems/{problem_id}/status", headers=auth(OFFICER),
                               json={"status": "rejected"})
    assert reject.status == 409  # a reason is required, as in the chat
    assert await db.fetchval("SELECT status FROM problems WHERE id = ?", (problem_id,)) == "under_review"


async def test_the_queue_filters_by_status_category_and_folded_text(served) -> None:
    client, seeded = served
    async def ids(query: str) -> list[int]:
        data = await (await client.get(f"/webapp/api/problems?{query}", headers=auth(OFFICER))).json()
        return [p["id"] for p in data["problems"]]
    assert await ids("") == seeded.problems
    assert await ids("category=roads") == [seeded.problems[1]]
    assert await ids("text=" + "КОЧО") == [seeded.problems[0], seeded.problems[2]]  # «Көчө», typed without ө
    assert await ids("status=solved") == []
    assert await ids("status=bogus&category=water") == [seeded.problems[0]]


PERSONAL = re.compile("|".join([*(str(uid) for uid in (*RESIDENTS, OTHER_RESIDENT)), SECRET_USERNAME,
                                SECRET_LAST_NAME, r"\+996"]))


async def test_no_response_carries_residents_personal_data(served) -> None:
    client, _seeded = served
    for name in API:
        for path in (f"/webapp/api/{name}", f"/webapp/api/view/{name}"):
            text = await (await client.get(path, headers=auth(OFFICER))).text()
            assert not PERSONAL.search(text), path
    for path in ("/webapp/api/national", "/webapp/api/view/national"):
        assert not PERSONAL.search(await (await client.get(path, headers=auth(SUPERADMIN_ID))).text())
    from openpyxl import load_workbook

    body = await (await client.get("/webapp/api/export.xlsx", headers=auth(OFFICER))).read()
    cells = " ".join(str(c.value) for ws in load_workbook(io.BytesIO(body)) for row in ws.iter_rows() for c in row)
    assert not PERSONAL.search(cells)
    for sheet in ("problems", "surveys", "results", "hearings", "registry", "participation"):
        csv = (await (await client.get(f"/webapp/api/export/{sheet}.csv", headers=auth(OFFICER))).read()).decode()
        assert not PERSONAL.search(csv), sheet


async def test_the_workbook_in_the_officers_language_formula_safe(served, db) -> None:
    from openpyxl import load_workbook

    client, seeded = served
    await pb.raise_problem(db, author_id=RESIDENTS[5], category="other", text="=HYPERLINK(\"http://x\",\"click\")")
    body = await (await client.get("/webapp/api/export.xlsx", headers=auth(OFFICER))).read()
    book = load_workbook(io.BytesIO(body))
    assert len(book.sheetnames) == 6
    problems = book.worksheets[0]
    rows = list(problems.iter_rows(values_only=True))
    assert len(rows) == 1 + 5
    texts = [r[-1] for r in rows[1:]]
    assert "'=HYPERLINK(\"http://x\",\"click\")" in texts  # stays text, never a formula
    assert all(c.data_type != "f" for ws in book for row in ws.iter_rows() for c in row)
    results = [r for r in book.worksheets[2].iter_rows(values_only=True)][1:]
    assert [(r[0], r[3]) for r in results] == [(seeded.closed_survey, 7), (seeded.closed_survey, 5)]
    assert len(list(book.worksheets[5].iter_rows())) == 13  # header + twelve months
    ru = load_workbook(io.BytesIO(await (await client.get("/webapp/api/export.xlsx", headers=auth(OFFICER_RU))).read()))
    status_ky = problems["C2"].value
    assert status_ky == pb_label("new", "ky") and ru.worksheets[0]["C2"].value == pb_label("new", "ru")
    # sheet names and states in words, each in its own vocabulary (msgctxt "export sheet", "survey state", "hearing state")
    assert book.sheetnames == ["Көйгөйлөр", "Сурамжылоолор", "Сурамжылоолордун жыйынтыктары", "Коомдук угуулар",
                               "Кызматтар реестри", "Айлар боюнча катышуу"]
    assert ru.sheetnames == ["Проблемы", "Опросы", "Итоги опросов", "Слушания", "Реестр услуг", "Участие по месяцам"]
    states = {r[0]: r[2] for r in list(ru.worksheets[1].iter_rows(values_only=True))[1:]}
    assert states[seeded.closed_survey] == "Закрыт" and states[seeded.open_survey] == "Открыт"
    assert {r[0]: r[3] for r in list(book.worksheets[3].iter_rows(values_only=True))[1:]}[seeded.hearing] == "Пландалган"


def pb_label(status: str, locale: str) -> str:
    from bot.i18n import _

    return _(pb.STATUSES[status], locale=locale)


async def test_the_hearing_report_has_kyrgyz_letters_in_a_font_that_has_them(served, db) -> None:
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font
    from matplotlib.text import Text

    from bot.webapp import report

    client, _seeded = served
    png = await client.get("/webapp/api/report.png", headers=auth(OFFICER))
    assert png.status == 200 and (await png.read()).startswith(b"\x89PNG")
    pdf = await (await client.get("/webapp/api/report.pdf", headers=auth(OFFICER))).read()
    assert pdf.startswith(b"%PDF") and b"DejaVuSans" in pdf  # the font is embedded
    data = await report.collect(db, AK_DEBE)
    fig = report.figure(data, "ky")
    texts = [t for t in fig.findobj(Text) if t.get_text()]
    drawn = " ".join(t.get_text() for t in texts)
    assert {"ң", "ө", "ү"} <= set(drawn), drawn
    for text in texts:
        if set(text.get_text()) & {"ң", "ө", "ү"}:
            font = FT2Font(font_manager.findfont(text.get_fontproperties(), fallback_to_default=False))
            assert all(font.get_char_index(ord(ch)) for ch in "ңөүҢӨҮ"), font.fname
    assert "Көчөдө ичүүчү суу жок" in drawn  # the top problem


async def test_the_page_shell_carries_no_data_and_no_secrets(served) -> None:
    client, _seeded = served
    response = await client.get("/webapp/")
    html = await response.text()
    assert response.status == 200 and "telegram-web-app.js" in html and "async" in html
    assert "Ак-Деб" not in html and "Көчөдө" not in html
    assert response.headers["Cache-Control"] == "no-store"
    assert (await client.get("/webapp/nope")).status == 404


async def test_the_audit_log_shows_each_municipality_its_own_and_records_exports(served, db) -> None:
    client, seeded = served
    await client.post(f"/webapp/api/problems/{seeded.problems[2]}/status", headers=auth(OFFICER),
                      json={"status": "under_review"})
    assert (await client.get("/webapp/api/export.xlsx", headers=auth(OFFICER))).status == 200
    assert (await client.get(f"/webapp/api/report.pdf?m={ALAMUDUN}", headers=auth(SUPERADMIN_ID))).status == 200
    own = await (await client.get("/webapp/api/audit", headers=auth(OFFICER))).json()
    assert own["available"] is True
    entries = own["entries"]
    assert {e["municipality_code"] for e in entries} == {AK_DEBE}
    export = next(e for e in entries if e["action"] == "workspace.export")
    assert (export["actor_resident_id"], export["actor_role"], json.loads(export["details"])) == (
        OFFICER, "officer", {"format": "xlsx"})
    other = await (await client.get("/webapp/api/audit", headers=auth(OTHER_OFFICER))).json()
    assert all(e["municipality_code"] == ALAMUDUN for e in other["entries"])
    everything = await (await client.get("/webapp/api/audit", headers=auth(SUPERADMIN_ID))).json()
    report = next(e for e in everything["entries"] if e["action"] == "workspace.export"
                  and e["municipality_code"] == ALAMUDUN)
    assert (report["actor_role"], json.loads(report["details"])) == ("superadmin", {"format": "report:pdf"})
    page = await (await client.get("/webapp/api/view/audit", headers=auth(OFFICER))).text()
    assert f'data-entry="{export["id"]}"' in page


async def test_hearing_results_show_the_linked_survey_under_the_secrecy_rule(served, db) -> None:
    client, seeded = served
    data = await (await client.get("/webapp/api/hearings", headers=auth(OFFICER))).json()
    (hearing,) = data["hearings"]
    assert hearing["survey"]["id"] == seeded.open_survey and hearing["survey"]["ballots"] == 2
    assert {o["votes"] for o in hearing["survey"]["options"]} == {None}  # open: turnout only
    page = await (await client.get("/webapp/api/view/hearings", headers=auth(OFFICER_RU))).text()
    assert "Ачык сурамжылоо (ru)" in page and "Мост" not in page.split("Ачык сурамжылоо (ru)")[1].split("</div>")[0]


async def test_hidden_problems_stay_out_and_a_superadmin_only_reads(served, db) -> None:
    client, seeded = served
    hidden = seeded.problems[3]
    await pb.hide_problem(db, officer_id=OFFICER, problem_id=hidden, reason="Орой сөздөр бар")
    queue = await (await client.get("/webapp/api/problems", headers=auth(OFFICER))).json()
    assert hidden not in [p["id"] for p in queue["problems"]]
    csv = (await (await client.get("/webapp/api/export/problems.csv", headers=auth(OFFICER))).read()).decode()
    assert "Таштанды чыгарылбай" not in csv
    response = await client.post(f"/webapp/api/problems/{seeded.problems[0]}/status?m={AK_DEBE}",
                                 headers=auth(SUPERADMIN_ID), json={"status": "under_review"})
    assert response.status == 403  # status changes are the municipality's officers' (as in the chat)
    assert await db.fetchval("SELECT status FROM problems WHERE id = ?", (seeded.problems[0],)) == "new"
    page = await (await client.get(f"/webapp/api/view/problems?m={AK_DEBE}", headers=auth(SUPERADMIN_ID))).text()
    assert "data-post" not in page and f'data-problem="{seeded.problems[0]}"' in page


async def test_participation_by_month_counts_each_figure_in_its_bishkek_month(served, db) -> None:
    from bot.webapp import views

    months = await views.participation(db, AK_DEBE)
    assert len(months) == 12 and months[-1]["month"] == "2026-12" and months[0]["month"] == "2026-01"
    december, october = months[-1], months[-3]
    supports = await db.fetchval("SELECT count(*) FROM problem_supports s JOIN problems p ON p.id = s.problem_id"
                                 " WHERE p.municipality_code = ?", (AK_DEBE,))
    assert (december["joined"], december["raised"], december["supports"], december["ballots"], december["going"]) \
        == (13, 4, supports, 12 + 3 + 2, 3)
    assert october["joined"] == 1  # the resident who joined sixty days before
    assert sum(m["raised"] for m in months[:-1]) == 0
