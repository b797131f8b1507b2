"""Texts shared by several handler modules (kept here so those modules do not import each other)."""

from __future__ import annotations

from bot.i18n import _


def officer_tools_text() -> str:
    """The officer's commands for every feature (shown in /help and /officer)."""
    return _(
        "/announce — an announcement to every resident\n"
        "/problems_queue — new problems; /problems_export — the ranked list as CSV and a chart\n"
        "/reopen_threshold — how many supporters reopen a solved problem\n"
        "/newsurvey — a survey; /survey_admin — turnout and results; /codes — residence codes\n"
        "/hearing — announce and run a public hearing; /hearing_notice — minimum notice, days\n"
        "/registry — the registry of services: statuses, new entries, CSV"
    )
