"""Officers' alerts through the real dispatcher and the emulator: at once with buttons that act, in a
daily digest at the hour the officer chose, off, held by quiet hours unless marked urgent, and a
burst of recent joiners' votes flagged once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from bot.db import Database
from bot.domain import problems as pb
from bot.domain.reach import alerts
from bot.i18n import numbered
from bot.notices import render_stored
from bot.ui.reach import AlertsCallback
from tests.harness import plain
from tests.problems_support import raise_problem, send_later
from tests.reach_support import broadcasts_to, deliver
from tests.support import ALAMUDUN, make_resident
from tests.support import officer_person as make_officer
from tests.support import onboard

START = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 07:00 in Bishkek
OFFICER, OTHER_OFFICER, RESIDENT = 301, 302, 303


def _data(message: dict, prefix: str) -> list[str]:
    return [b["callback_data"] for row in (message.get("reply_markup") or {}).get("inline_keyboard", [])
            for b in row if b.get("callback_data", "").startswith(prefix)]


async def test_new_problem_reaches_the_officer_at_once_and_the_button_acts(harness, db: Database, settings) -> None:
    officer = await make_officer(harness, db, OFFICER, locale="ru")
    await make_officer(harness, db, OTHER_OFFICER, code=ALAMUDUN)  # another municipality: not told
    aigul = await onboard(harness, db, RESIDENT, "ky")
    await officer.send("/menu")  # the officer has a chat with the bot
    problem_id = await raise_problem(aigul, "Көпүрө кулап калды, балдар мектепке бара албайт", "Жолдор")
    await deliver(harness, db, settings)
    alert = officer.last()
    assert numbered(problem_id) in plain(alert) and "Көпүрө кулап калды" in plain(alert)
    assert not await broadcasts_to(db, OTHER_OFFICER)
    status_button = next(d for d in _data(alert, "po:status:"))
    assert _data(alert, "po:open:")  # "open" is there too
    await officer.press_data(alert["message_id"], status_button)  # change status right from the alert
    await send_later(officer, "Карап чыгабыз")  # the status step's comment
    problem = await pb.get_problem(db, problem_id)
    assert problem is not None and problem.status == "under_review"


async def test_alerts_go_in_a_digest_at_the_chosen_hour(harness, db: Database, settings, frozen_clock) -> None:
    officer = await make_officer(harness, db, OFFICER, locale="ru")
    screen = (await officer.send("/alerts"))[-1]
    # "new problems: at once" -> "in the digest" with one tap, then 09:00 as the digest hour
    await officer.press_data(screen["message_id"], AlertsCallback(action="mode", kind=0).pack())
    await officer.press_data(screen["message_id"], AlertsCallback(action="hours").pack())
    await officer.press_data(screen["message_id"], AlertsCallback(action="hour", value=9).pack())
    assert "09:00" in plain(officer.last())
    prefs = await alerts.prefs(db, OFFICER)
    assert prefs.mode(alerts.PROBLEM_NEW) == "digest" and prefs.digest_hour == 9
    await make_resident(db, RESIDENT, "ky")
    ids = [(await pb.raise_problem(db, author_id=RESIDENT, category="roads", text=f"Жол бузулган, чуңкур {n}-көчөдө")).id
           for n in range(1, 5)]
    assert not await broadcasts_to(db, OFFICER, "alert.problem_new")  # nothing at once
    assert await alerts.send_digests(db, START + timedelta(hours=1, minutes=59)) == 0  # 08:59 Bishkek
    assert await alerts.send_digests(db, START + timedelta(hours=2)) == 1  # 09:00 Bishkek
    assert await alerts.send_digests(db, START + timedelta(hours=2, minutes=1)) == 0  # once
    (row,) = await broadcasts_to(db, OFFICER, "alert.digest")
    text = render_stored(row["content"], "ru").text
    assert "4" in text and all(numbered(pid) in text for pid in ids[:3]) and numbered(ids[3]) not in text  # top 3 + count
    await deliver(harness, db, settings)
    assert numbered(ids[0]) in plain(officer.last())


async def test_off_quiet_hours_and_urgent(harness, db: Database, settings, frozen_clock) -> None:
    await make_officer(harness, db, OFFICER, locale="ky")
    await make_resident(db, RESIDENT, "ky")

    async def problem() -> int:
        return (await pb.raise_problem(db, author_id=RESIDENT, category="water", text="Суу үч күндөн бери жок")).id

    await alerts.set_mode(db, OFFICER, alerts.PROBLEM_NEW, "off")
    await problem()
    assert not await broadcasts_to(db, OFFICER)
    assert not await db.fetchall("SELECT id FROM reach_alert_queue")  # off is off: not kept for later either

    await alerts.set_mode(db, OFFICER, alerts.PROBLEM_NEW, "now")
    await alerts.set_quiet_hours(db, OFFICER, 22, 8)
    frozen_clock.set(datetime(2026, 12, 1, 17, 30, tzinfo=UTC))  # 23:30 in Bishkek
    held = await problem()
    assert not await broadcasts_to(db, OFFICER)
    assert await alerts.release_quiet(db, datetime(2026, 12, 2, 1, 59, tzinfo=UTC)) == 0  # 07:59
    assert await alerts.release_quiet(db, datetime(2026, 12, 2, 2, 0, tzinfo=UTC)) == 1  # 08:00
    (row,) = await broadcasts_to(db, OFFICER, "alert.problem_new")
    assert numbered(held) in render_stored(row["content"], "ky").text

    await alerts.toggle_urgent(db, OFFICER, alerts.PROBLEM_NEW)  # urgent: at once even at night
    urgent = await problem()
    rows = await broadcasts_to(db, OFFICER, "alert.problem_new")
    assert len(rows) == 2 and numbered(urgent) in render_stored(rows[-1]["content"], "ky").text


async def test_a_burst_of_recent_joiners_votes_is_flagged_once(db: Database, frozen_clock) -> None:
    from bot.domain import surveys as sv
    from tests.survey_helpers import draft, established
    from tests.support import grant

    await make_resident(db, OFFICER, "ru")
    await grant(db, OFFICER)
    await established(db)  # not a first rollout: a burst is worth an alert
    frozen_clock.set(START + timedelta(days=1))
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft(
        opens_at="2026-12-02T01:00:00Z", closes_at="2026-12-09T01:00:00Z"))
    for uid in range(400, 412):  # each joined minutes before voting: recent joiners
        await make_resident(db, uid, "ky")
        await sv.cast_vote(db, resident_id=uid, survey_id=survey.id, positions=[1])
    rows = await broadcasts_to(db, OFFICER, "alert.survey_burst")
    assert len(rows) == 1  # flagged once, not at every further vote
    facts = json.loads(rows[0]["content"])["facts"]
    assert (facts["recent"], facts["ballots"]) == (5, 5)  # flagged at the 5th recent joiner (BURST_MIN)
    assert facts["survey_id"] == survey.id and "5" in render_stored(rows[0]["content"], "ru").text


async def test_held_alerts_are_dropped_when_the_role_ends(db: Database, frozen_clock) -> None:
    from bot.domain import officers as roles
    from tests.support import SUPERADMIN_ID, grant

    await make_resident(db, OFFICER, "ru")
    await grant(db, OFFICER)
    await make_resident(db, RESIDENT, "ky")
    await alerts.set_quiet_hours(db, OFFICER, 22, 8)
    await alerts.set_mode(db, OFFICER, alerts.SERVICE_PROPOSED, "digest")
    frozen_clock.set(datetime(2026, 12, 1, 17, 30, tzinfo=UTC))  # 23:30 in Bishkek: held until 08:00
    await pb.raise_problem(db, author_id=RESIDENT, category="water", text="Суу үч күндөн бери жок")
    await roles.revoke_officer(db, actor_id=SUPERADMIN_ID, superadmins=frozenset({SUPERADMIN_ID}), telegram_id=OFFICER)
    assert await alerts.release_quiet(db, datetime(2026, 12, 2, 2, 0, tzinfo=UTC)) == 1  # taken off the queue…
    assert not await broadcasts_to(db, OFFICER)  # …but not sent to a former officer
    assert not await db.fetchall("SELECT id FROM reach_alert_queue")


async def test_no_burst_alert_in_a_first_rollout(db: Database, frozen_clock) -> None:
    from bot.domain import surveys as sv
    from tests.survey_helpers import draft
    from tests.support import grant

    await make_resident(db, OFFICER, "ru", code=ALAMUDUN)
    await grant(db, OFFICER, ALAMUDUN)
    frozen_clock.set(START + timedelta(days=1))
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft(
        opens_at="2026-12-02T01:00:00Z", closes_at="2026-12-09T01:00:00Z"))
    for uid in range(600, 612):  # everyone is new where the bot has just arrived
        await make_resident(db, uid, "ky", code=ALAMUDUN)
        await sv.cast_vote(db, resident_id=uid, survey_id=survey.id, positions=[1])
    assert (await sv.tally(db, survey.id)).recent == 12
    assert not await broadcasts_to(db, OFFICER, "alert.survey_burst")
