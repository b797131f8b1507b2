"""/help names every command a person may use in their role, this session's included (privacy, the
action plan, alerts, linked chats, the audit log)."""

from __future__ import annotations

from bot.db import Database
from tests.harness import plain
from tests.support import officer_person, onboard


async def test_a_resident_is_told_of_the_plan_the_monitoring_group_and_their_data(harness, db: Database) -> None:
    person = await onboard(harness, db, 7401, "ky")
    text = plain((await person.send("/help"))[-1])
    for command in ("/plan", "/monitoring", "/privacy", "/delete_me"):
        assert command in text
    assert "/audit" not in text and "/alerts" not in text  # officers' commands stay with officers


async def test_an_officer_is_told_of_alerts_chats_plans_and_the_audit_log(harness, db: Database) -> None:
    officer = await officer_person(harness, db, 7402, locale="ru")
    text = "\n".join(plain(m) for m in await officer.send("/help"))
    for command in ("/plans", "/plan_report", "/figures", "/alerts", "/link", "/reach", "/audit"):
        assert command in text
    assert "совместный план действий" in text
