"""SQL of reach (migration 0009): officers' alert settings and held alerts, linked chats, link codes,
posts to chats, deep-link visits and joins.

A linked chat is delivered to by the outbox like a resident: :func:`upsert_chat_recipient` keeps a
``residents`` row with the chat's (negative) id, its title, the first language of its posts and no
municipality (municipality broadcasts select residents by municipality, so they never include it).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from bot.db import Transaction
from bot.store import Reader

# -- officers -------------------------------------------------------------------------------------


async def officer_ids(db: Reader, municipality_code: str) -> list[int]:
    """Telegram ids of the municipality's officers who have not blocked the bot."""
    rows = await db.fetchall(
        "SELECT o.telegram_id FROM officers o JOIN residents r ON r.telegram_id = o.telegram_id"
        " WHERE o.municipality_code = ? AND r.active = 1 ORDER BY o.telegram_id", (municipality_code,))
    return [int(r[0]) for r in rows]


async def resident_locale(db: Reader, telegram_id: int) -> str | None:
    """The language the person chose (``ky``/``ru``), ``None`` if none."""
    value = await db.fetchval("SELECT locale FROM residents WHERE telegram_id = ?", (telegram_id,))
    return None if value is None else str(value)


async def officer_municipality(db: Reader, telegram_id: int) -> str | None:
    """The municipality of the officer, ``None`` if not an officer."""
    value = await db.fetchval("SELECT municipality_code FROM officers WHERE telegram_id = ?", (telegram_id,))
    return None if value is None else str(value)


# -- alert settings -------------------------------------------------------------------------------


async def alert_settings(db: Reader, officer_ids: list[int]) -> dict[int, sqlite3.Row]:
    """``digest_hour, quiet_from, quiet_to, last_digest_on`` per officer who has a settings row."""
    if not officer_ids:
        return {}
    marks = ",".join("?" * len(officer_ids))
    rows = await db.fetchall(
        f"SELECT officer_id, digest_hour, quiet_from, quiet_to, last_digest_on FROM reach_alert_settings"
        f" WHERE officer_id IN ({marks})", list(officer_ids))
    return {int(r["officer_id"]): r for r in rows}


async def alert_modes(db: Reader, officer_ids: list[int]) -> dict[tuple[int, str], tuple[str, bool]]:
    """``(mode, urgent)`` per ``(officer_id, kind)`` that was set."""
    if not officer_ids:
        return {}
    marks = ",".join("?" * len(officer_ids))
    rows = await db.fetchall(
        f"SELECT officer_id, kind, mode, urgent FROM reach_alert_modes WHERE officer_id IN ({marks})",
        list(officer_ids))
    return {(int(r["officer_id"]), str(r["kind"])): (str(r["mode"]), bool(r["urgent"])) for r in rows}


async def ensure_settings(tx: Transaction, officer_id: int, at: str) -> None:
    """A settings row with the defaults, if the officer has none."""
    await tx.execute(
        "INSERT INTO reach_alert_settings (officer_id, updated_at) VALUES (?, ?)"
        " ON CONFLICT (officer_id) DO NOTHING", (officer_id, at))


async def set_setting(tx: Transaction, officer_id: int, column: str, value: Any, at: str) -> None:
    """Set one of ``digest_hour``, ``quiet_from``, ``quiet_to``, ``last_digest_on``."""
    if column not in {"digest_hour", "quiet_from", "quiet_to", "last_digest_on"}:
        raise ValueError(column)
    await ensure_settings(tx, officer_id, at)
    await tx.execute(f"UPDATE reach_alert_settings SET {column} = ?, updated_at = ? WHERE officer_id = ?",
                     (value, at, officer_id))


async def set_mode(tx: Transaction, officer_id: int, kind: str, mode: str, urgent: bool) -> None:
    """The officer's mode and urgency for one kind."""
    await tx.execute(
        "INSERT INTO reach_alert_modes (officer_id, kind, mode, urgent) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (officer_id, kind) DO UPDATE SET mode = excluded.mode, urgent = excluded.urgent",
        (officer_id, kind, mode, int(urgent)))


# -- held alerts ----------------------------------------------------------------------------------


async def hold_alert(tx: Transaction, *, officer_id: int, kind: str, held: str, summary: str, notice: str,
                     municipality_code: str, at: str, due_at: str | None) -> None:
    """An alert kept for the digest (``held='digest'``) or until quiet hours end (``'quiet'``)."""
    await tx.execute(
        "INSERT INTO reach_alert_queue (officer_id, kind, held, summary, notice, municipality_code, created_at,"
        " due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (officer_id, kind, held, summary, notice, municipality_code, at, due_at))


async def due_quiet(db: Reader, now: str, limit: int = 500) -> list[sqlite3.Row]:
    """Alerts held by quiet hours whose time came: ``id, officer_id, kind, notice, municipality_code``
    (and ``still_officer``: 1 if the person is still an officer of that municipality)."""
    return await db.fetchall(
        "SELECT q.id, q.officer_id, q.kind, q.notice, q.municipality_code,"
        " CASE WHEN o.telegram_id IS NULL THEN 0 ELSE 1 END AS still_officer FROM reach_alert_queue q"
        " LEFT JOIN officers o ON o.telegram_id = q.officer_id AND o.municipality_code = q.municipality_code"
        " WHERE q.held = 'quiet' AND q.due_at <= ? ORDER BY q.id LIMIT ?", (now, limit))


async def digest_officers(db: Reader) -> list[sqlite3.Row]:
    """Officers with alerts waiting for their digest: ``officer_id, digest_hour, last_digest_on``."""
    return await db.fetchall(
        "SELECT DISTINCT q.officer_id, coalesce(s.digest_hour, 8) AS digest_hour, s.last_digest_on"
        " FROM reach_alert_queue q LEFT JOIN reach_alert_settings s ON s.officer_id = q.officer_id"
        " WHERE q.held = 'digest' ORDER BY q.officer_id")


async def digest_items(db: Reader, officer_id: int, *, before: str) -> list[sqlite3.Row]:
    """The officer's alerts held for the digest since before ``before`` (UTC text), oldest first:
    ``id, kind, summary, municipality_code`` and ``still_officer`` (1: still an officer there)."""
    return await db.fetchall(
        "SELECT q.id, q.kind, q.summary, q.municipality_code,"
        " CASE WHEN o.telegram_id IS NULL THEN 0 ELSE 1 END AS still_officer FROM reach_alert_queue q"
        " LEFT JOIN officers o ON o.telegram_id = q.officer_id AND o.municipality_code = q.municipality_code"
        " WHERE q.officer_id = ? AND q.held = 'digest' AND q.created_at <= ? ORDER BY q.id", (officer_id, before))


async def delete_held(tx: Transaction, ids: list[int]) -> int:
    """Remove held alerts (sent); returns how many were still there."""
    if not ids:
        return 0
    marks = ",".join("?" * len(ids))
    return await tx.execute(f"DELETE FROM reach_alert_queue WHERE id IN ({marks})", list(ids))


async def flag_burst(tx: Transaction, survey_id: int, at: str) -> bool:
    """Record that the survey's burst was flagged; ``False`` if it already was."""
    return bool(await tx.execute(
        "INSERT INTO reach_survey_bursts (survey_id, flagged_at) VALUES (?, ?) ON CONFLICT (survey_id) DO NOTHING",
        (survey_id, at)))


async def survey_counters(db: Reader, survey_id: int) -> sqlite3.Row | None:
    """``ballots, recent_ballots, established``, the question as ``title_ky``/``title_ru``,
    ``municipality_code`` of a survey."""
    return await db.fetchone(
        "SELECT ballots, recent_ballots, established, question_ky AS title_ky, question_ru AS title_ru,"
        " municipality_code FROM surveys WHERE id = ?",
        (survey_id,))


# -- link codes -----------------------------------------------------------------------------------


async def insert_code(tx: Transaction, *, code: str, officer_id: int, municipality_code: str, purpose: str,
                      at: str, expires_at: str) -> None:
    """A new one-time link code."""
    await tx.execute(
        "INSERT INTO reach_link_codes (code, officer_id, municipality_code, purpose, created_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?, ?)", (code, officer_id, municipality_code, purpose, at, expires_at))


async def take_code(tx: Transaction, code: str, now: str, chat_id: int) -> sqlite3.Row | None:
    """Use the code if it is unused and unexpired: its ``officer_id, municipality_code, purpose``."""
    return await tx.fetchone(
        "UPDATE reach_link_codes SET used_at = ?, used_chat_id = ? WHERE code = ? AND used_at IS NULL"
        " AND expires_at > ? RETURNING officer_id, municipality_code, purpose", (now, chat_id, code, now))


async def code_row(db: Reader, code: str) -> sqlite3.Row | None:
    """The code's row, used or not."""
    return await db.fetchone("SELECT * FROM reach_link_codes WHERE code = ?", (code,))


# -- chats ----------------------------------------------------------------------------------------

_CHAT = "SELECT * FROM reach_chats"


async def chat_by_id(db: Reader, chat_id: int) -> sqlite3.Row | None:
    """The linked chat with this Telegram chat id (any status)."""
    return await db.fetchone(f"{_CHAT} WHERE chat_id = ?", (chat_id,))


async def chat_by_ref(db: Reader, ref: int) -> sqlite3.Row | None:
    """The linked chat with this reference (``reach_chats.id``)."""
    return await db.fetchone(f"{_CHAT} WHERE id = ?", (ref,))


async def chats_of(db: Reader, municipality_code: str, *, purpose: str | None = None,
                   active_only: bool = False) -> list[sqlite3.Row]:
    """The municipality's linked chats (not unlinked), oldest first."""
    sql = f"{_CHAT} WHERE municipality_code = ? AND status <> 'unlinked'"
    params: list[Any] = [municipality_code]
    if purpose is not None:
        sql += " AND purpose = ?"
        params.append(purpose)
    if active_only:
        sql += " AND status = 'active'"
    return await db.fetchall(sql + " ORDER BY id", params)


async def upsert_chat(tx: Transaction, *, chat_id: int, municipality_code: str, chat_type: str, purpose: str,
                      title: str, linked_by: int, at: str) -> sqlite3.Row:
    """Link the chat (again): active, for this municipality and purpose; its languages are kept."""
    row = await tx.fetchone(
        "INSERT INTO reach_chats (chat_id, municipality_code, chat_type, purpose, title, linked_by, linked_at,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (chat_id) DO UPDATE SET municipality_code = excluded.municipality_code,"
        " chat_type = excluded.chat_type, purpose = excluded.purpose, title = excluded.title,"
        " status = 'active', broken_reason = NULL, linked_by = excluded.linked_by, linked_at = excluded.linked_at,"
        " updated_at = excluded.updated_at RETURNING *",
        (chat_id, municipality_code, chat_type, purpose, title, linked_by, at, at))
    assert row is not None
    return row


async def set_chat_status(tx: Transaction, ref: int, status: str, reason: str | None, at: str) -> sqlite3.Row | None:
    """Change the chat's status (and reason); returns the row as it was *before*, ``None`` if absent."""
    before = await tx.fetchone(f"{_CHAT} WHERE id = ?", (ref,))
    if before is not None:
        await tx.execute("UPDATE reach_chats SET status = ?, broken_reason = ?, updated_at = ? WHERE id = ?",
                         (status, reason, at, ref))
    return before


async def set_locales(tx: Transaction, ref: int, locales: str, at: str) -> None:
    """The languages of the chat's posts (``'ky'``, ``'ru'`` or ``'ky,ru'``)."""
    await tx.execute("UPDATE reach_chats SET locales = ?, updated_at = ? WHERE id = ?", (locales, at, ref))


async def migrate_chat(tx: Transaction, old_chat_id: int, new_chat_id: int, at: str) -> sqlite3.Row | None:
    """The group became a supergroup: its link moves to ``new_chat_id``; the row after, or ``None``."""
    return await tx.fetchone(
        "UPDATE reach_chats SET chat_id = ?, migrated_from = ?, chat_type = 'supergroup', updated_at = ?"
        " WHERE chat_id = ? RETURNING *", (new_chat_id, old_chat_id, at, old_chat_id))


async def upsert_chat_recipient(tx: Transaction, chat_id: int, title: str, locale: str, at: str,
                                active: bool = True) -> None:
    """The ``residents`` row the outbox delivers to for a linked chat (no municipality)."""
    await tx.execute(
        "INSERT INTO residents (telegram_id, first_name, locale, joined_at, updated_at, active)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (telegram_id) DO UPDATE SET first_name = excluded.first_name,"
        " locale = excluded.locale, updated_at = excluded.updated_at, active = excluded.active,"
        " inactive_since = NULL",
        (chat_id, title[:128] or "chat", locale, at, at, int(active)))


async def set_recipient_active(tx: Transaction, chat_id: int, active: bool, at: str) -> None:
    """Let the outbox deliver to the chat's row, or not."""
    await tx.execute(
        "UPDATE residents SET active = ?, inactive_since = CASE WHEN ? = 1 THEN NULL ELSE ? END, updated_at = ?"
        " WHERE telegram_id = ?", (int(active), int(active), at, at, chat_id))


async def insert_post(tx: Transaction, chat_ref: int, broadcast_id: int, kind: str, at: str) -> None:
    """Record a post queued to a linked chat."""
    await tx.execute("INSERT INTO reach_posts (chat_ref, broadcast_id, kind, created_at) VALUES (?, ?, ?, ?)",
                     (chat_ref, broadcast_id, kind, at))


async def meta(db: Reader, key: str) -> str | None:
    """A value of the ``meta`` table."""
    value = await db.fetchval("SELECT value FROM meta WHERE key = ?", (key,))
    return None if value is None else str(value)


async def set_meta(tx: Transaction, key: str, value: str) -> None:
    """Set a value of the ``meta`` table."""
    await tx.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                     (key, value))


# -- deep links -----------------------------------------------------------------------------------


async def set_pending(tx: Transaction, resident_id: int, municipality_code: str, target: str,
                      chat_ref: int | None, at: str) -> None:
    """Remember the deep link the resident opened (the latest wins)."""
    await tx.execute(
        "INSERT INTO reach_pending (resident_id, municipality_code, target, chat_ref, created_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (resident_id) DO UPDATE SET municipality_code = excluded.municipality_code,"
        " target = excluded.target, chat_ref = excluded.chat_ref, created_at = excluded.created_at",
        (resident_id, municipality_code, target, chat_ref, at))


async def pending(db: Reader, resident_id: int) -> sqlite3.Row | None:
    """The deep link the resident opened and has not finished: ``municipality_code, target, chat_ref``."""
    return await db.fetchone("SELECT municipality_code, target, chat_ref FROM reach_pending WHERE resident_id = ?",
                             (resident_id,))


async def drop_pending(tx: Transaction, resident_id: int) -> None:
    """Forget the resident's pending deep link."""
    await tx.execute("DELETE FROM reach_pending WHERE resident_id = ?", (resident_id,))


async def insert_join(tx: Transaction, resident_id: int, chat_ref: int | None, municipality_code: str,
                      at: str) -> bool:
    """Count the resident as joined through the chat (once per resident); ``False`` if already counted."""
    return bool(await tx.execute(
        "INSERT INTO reach_joins (resident_id, chat_ref, municipality_code, joined_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (resident_id) DO NOTHING", (resident_id, chat_ref, municipality_code, at)))


async def figures(db: Reader, municipality_code: str) -> list[sqlite3.Row]:
    """Per linked chat of the municipality (not unlinked): the chat's columns and ``posts`` (queued),
    ``posts_sent`` (delivered), ``joins`` (residents who joined through its links)."""
    return await db.fetchall(
        "SELECT c.*,"
        " (SELECT count(*) FROM reach_posts p WHERE p.chat_ref = c.id) AS posts,"
        " (SELECT count(*) FROM reach_posts p JOIN deliveries d ON d.broadcast_id = p.broadcast_id"
        "  WHERE p.chat_ref = c.id AND d.status = 'sent') AS posts_sent,"
        " (SELECT count(*) FROM reach_joins j WHERE j.chat_ref = c.id) AS joins"
        " FROM reach_chats c WHERE c.municipality_code = ? AND c.status <> 'unlinked' ORDER BY c.id",
        (municipality_code,))
