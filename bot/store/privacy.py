"""SQL of personal data (migration 0008): what the bot stores about one person, and their erasure.

Every column of the schema that holds a person's Telegram id is listed here once, with what erasure
does to it (tests/test_privacy.py walks the schema and fails for a person column missing from these
lists, so a table added later must be listed here too):

- :data:`MOVED` — re-pointed to the person's anonymous *stub* (a ``residents`` row with a negative id,
  no name, no language, no municipality, ``deleted_at`` set): what they contributed stays and keeps
  counting (problems, supports, ratings, questions, RSVPs, the history of what they did as an officer);
- :data:`DELETED` — rows removed (verification, code attempts, follows, answered prompts);
- survey ballots and votes move to a *second* stub, so the votes stay counted and cannot be tied to
  anything else the person did;
- ``fsm_state`` rows whose key carries their id, ``deliveries`` still to be sent to them (skipped),
  progress messages in their chat and the audit log (:func:`bot.store.audit.replace_person`) are
  handled one by one below.
"""

from __future__ import annotations

import sqlite3

from bot.db import Transaction
from bot.store import Reader
from bot.store import audit as audit_store

MOVED: tuple[tuple[str, str], ...] = (
    ("officers", "granted_by"),
    ("officer_events", "telegram_id"),
    ("officer_events", "actor_id"),
    ("officer_invites", "created_by"),
    ("officer_invites", "used_by"),
    ("municipalities", "name_ky_set_by"),
    ("broadcasts", "sender_id"),
    ("deliveries", "resident_id"),
    ("problems", "author_id"),
    ("problem_supports", "resident_id"),
    ("problem_events", "actor_id"),
    ("problem_still_answers", "resident_id"),
    ("problem_settings", "updated_by"),
    ("surveys", "created_by"),
    ("residence_codes", "created_by"),
    ("residence_codes", "used_by"),
    ("services", "proposed_by"),
    ("service_events", "actor_id"),
    ("service_supports", "resident_id"),
    ("service_ratings", "resident_id"),
    ("service_problem_links", "linked_by"),
    ("hearing_settings", "updated_by"),
    ("hearing_notice_changes", "changed_by"),
    ("hearings", "created_by"),
    ("hearing_rsvps", "resident_id"),
    ("hearing_questions", "resident_id"),
    # 0009 reach
    ("reach_link_codes", "officer_id"),
    ("reach_chats", "linked_by"),
    ("reach_joins", "resident_id"),
    # 0010 plans
    ("plan_items", "created_by"),
    ("plan_changes", "actor_id"),
    ("budget_proposals", "proposed_by"),
    ("budget_proposals", "decided_by"),
    ("monitoring_groups", "updated_by"),
    ("monitoring_invites", "created_by"),
    ("monitoring_invites", "used_by"),
    ("monitoring_members", "resident_id"),
    ("monitoring_reports", "author_id"),
    ("monitoring_reports", "hidden_by"),
    ("monitoring_answers", "officer_id"),
)
"""``(table, column)`` whose value becomes the stub's id. A table not in the schema (a feature's migration
not applied) is skipped."""

DELETED: tuple[tuple[str, str], ...] = (
    ("resident_verifications", "resident_id"),
    ("code_attempts", "resident_id"),
    ("service_followers", "resident_id"),
    ("answered_prompts", "chat_id"),
    ("reach_alert_settings", "officer_id"),
    ("reach_alert_modes", "officer_id"),
    ("reach_alert_queue", "officer_id"),
    ("reach_pending", "resident_id"),
)
"""``(table, column)`` whose rows about the person are removed."""

SPECIAL: tuple[tuple[str, str], ...] = (
    ("residents", "telegram_id"),
    ("officers", "telegram_id"),  # erasure is refused while the person is an officer
    ("survey_ballots", "resident_id"),
    ("survey_votes", "resident_id"),
    ("broadcasts", "progress_chat_id"),
    ("audit_log", "actor_resident_id"),
    ("audit_log", "target_id"),
)
"""Person columns :func:`erase` handles by their own statements."""

NOT_PEOPLE: tuple[tuple[str, str], ...] = (
    ("reach_chats", "chat_id"),
    ("reach_link_codes", "used_chat_id"),
)
"""Columns whose names look like a person's id but hold a group's or channel's chat id."""

STUB_BASE = -(2**53)
"""Stubs count down from here: far below any Telegram chat id (groups and channels are negative too, and
have residents rows of their own, see migration 0009), never shown in a button (``IdField`` is ≥ 0)."""


async def summary(db: Reader, telegram_id: int) -> sqlite3.Row | None:
    """What is stored about one resident, in one statement: the ``residents`` columns (``first_name,
    last_name, username, language_code, locale, municipality_code, joined_at, active``), the
    verification (``verified_method``, ``verified_at``: ``NULL`` when not verified) and counts
    (``problems, supports, ballots, rsvps, questions, proposals, service_supports, ratings, follows``);
    ``None`` when no such resident."""
    return await db.fetchone(
        "SELECT r.first_name, r.last_name, r.username, r.language_code, r.locale, r.municipality_code,"
        " r.joined_at, r.active, v.method AS verified_method, v.verified_at,"
        " (SELECT COUNT(*) FROM problems WHERE author_id = r.telegram_id) AS problems,"
        " (SELECT COUNT(*) FROM problem_supports WHERE resident_id = r.telegram_id) AS supports,"
        " (SELECT COUNT(*) FROM survey_ballots WHERE resident_id = r.telegram_id) AS ballots,"
        " (SELECT COUNT(*) FROM hearing_rsvps WHERE resident_id = r.telegram_id) AS rsvps,"
        " (SELECT COUNT(*) FROM hearing_questions WHERE resident_id = r.telegram_id) AS questions,"
        " (SELECT COUNT(*) FROM services WHERE proposed_by = r.telegram_id) AS proposals,"
        " (SELECT COUNT(*) FROM service_supports WHERE resident_id = r.telegram_id) AS service_supports,"
        " (SELECT COUNT(*) FROM service_ratings WHERE resident_id = r.telegram_id) AS ratings,"
        " (SELECT COUNT(*) FROM service_followers WHERE resident_id = r.telegram_id) AS follows"
        " FROM residents r LEFT JOIN resident_verifications v ON v.resident_id = r.telegram_id"
        " WHERE r.telegram_id = ? AND r.deleted_at IS NULL",
        (telegram_id,),
    )


async def next_stub_id(tx: Transaction) -> int:
    """The next free anonymous stub id: one below the lowest stub stored, or below :data:`STUB_BASE`."""
    lowest = await tx.fetchval("SELECT MIN(telegram_id) FROM residents WHERE deleted_at IS NOT NULL")
    return min(int(lowest if lowest is not None else 0), STUB_BASE) - 1


async def tables(db: Reader) -> set[str]:
    """Names of the tables in the schema (SQLite's catalogue; a PostgreSQL backend reads
    ``information_schema.tables``)."""
    return {str(r["name"]) for r in await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")}


async def insert_stub(tx: Transaction, stub_id: int, at: str) -> None:
    """An anonymous ``residents`` row: no name, username, language, locale or municipality; inactive (never
    messaged); ``joined_at``/``updated_at``/``deleted_at`` the erasure time."""
    await tx.execute(
        "INSERT INTO residents (telegram_id, first_name, last_name, username, language_code, locale,"
        " municipality_code, joined_at, updated_at, active, inactive_since, deleted_at)"
        " VALUES (?, '', NULL, NULL, NULL, NULL, NULL, ?, ?, 0, ?, ?)",
        (stub_id, at, at, at, at),
    )


async def erase(tx: Transaction, telegram_id: int, *, stub_id: int, ballot_stub_id: int, at: str) -> None:
    """Remove the person's identity, keeping what they contributed (see the module's docstring).

    ``stub_id`` and ``ballot_stub_id`` must be rows made by :func:`insert_stub` in this transaction.
    The person's own ``residents`` row is deleted last, so they start afresh if they write again.
    """
    # Outbox: nothing more is sent to them; what was sent stays counted, tied to the stub.
    await tx.execute(
        "UPDATE deliveries SET status = 'skipped', error = 'erased', updated_at = ?"
        " WHERE resident_id = ? AND status IN ('queued', 'sending')", (at, telegram_id))
    await tx.execute("UPDATE deliveries SET message_id = NULL WHERE resident_id = ?", (telegram_id,))
    await tx.execute(
        "UPDATE broadcasts SET progress_chat_id = NULL, progress_message_id = NULL, show_progress = 0"
        " WHERE sender_id = ? OR progress_chat_id = ?", (telegram_id, telegram_id))
    await tx.execute("UPDATE hearing_rsvps SET share_name = 0 WHERE resident_id = ?", (telegram_id,))
    present = await tables(tx)
    for table, column in MOVED:
        if table in present:
            await tx.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ?", (stub_id, telegram_id))
    for table, column in DELETED:
        if table in present:
            await tx.execute(f"DELETE FROM {table} WHERE {column} = ?", (telegram_id,))
    # Ballots: copy to the ballot stub (the count triggers add one), move the votes, drop the originals
    # (the triggers take the one away again): every total stays as it was.
    await tx.execute(
        "INSERT INTO survey_ballots (survey_id, resident_id, recent_joiner, cast_at, updated_at)"
        " SELECT survey_id, ?, recent_joiner, cast_at, updated_at FROM survey_ballots WHERE resident_id = ?",
        (ballot_stub_id, telegram_id))
    await tx.execute("UPDATE survey_votes SET resident_id = ? WHERE resident_id = ?", (ballot_stub_id, telegram_id))
    await tx.execute("DELETE FROM survey_ballots WHERE resident_id = ?", (telegram_id,))
    # Conversation state: aiogram's keys are 'fsm:<bot>:<chat>:<user>:<destiny>' (private chat = user).
    await tx.execute("DELETE FROM fsm_state WHERE storage_key LIKE ? OR storage_key LIKE ?",
                     (f"%:{telegram_id}:{telegram_id}:%", f"%:{telegram_id}:{telegram_id}"))
    await audit_store.replace_person(tx, telegram_id, stub_id)
    await tx.execute("DELETE FROM residents WHERE telegram_id = ?", (telegram_id,))


async def broadcasts_mentioning(tx: Transaction, text: str) -> list[sqlite3.Row]:
    """``id, content`` of every broadcast whose stored content contains ``text`` (a name to scrub)."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return await tx.fetchall("SELECT id, content FROM broadcasts WHERE content LIKE ? ESCAPE '\\'", (pattern,))


async def set_broadcast_content(tx: Transaction, broadcast_id: int, content: str) -> None:
    """Replace a broadcast's stored content (the privacy scrub only)."""
    await tx.execute("UPDATE broadcasts SET content = ? WHERE id = ?", (content, broadcast_id))


async def is_stub(db: Reader, resident_id: int) -> bool:
    """Whether this residents row is an anonymous stub of a deleted person."""
    return await db.fetchval("SELECT 1 FROM residents WHERE telegram_id = ? AND deleted_at IS NOT NULL",
                             (resident_id,)) is not None
