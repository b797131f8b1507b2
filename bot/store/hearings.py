"""Public hearings: the SQL (hearings, notice periods, RSVPs, questions, reminders, accepted problems).

Rules live in :mod:`bot.domain.hearings`; here are the statements. Reads take ``db: Reader``,
writes ``tx: Transaction``; times are UTC ISO text from the domain clock. Problem ids of a hearing
(``hearing_problems``) exist only once it is ``held``: they are written in the transaction that marks
it held (:func:`mark_held`), so a hearing of another status is read without looking for them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from bot.db import Transaction
from bot.domain.hearings.model import Draft, Hearing, Outcome, Question, SurveyChoice, hearing_from_row
from bot.store import Reader

# -- hearings -------------------------------------------------------------------------------------


async def _problem_ids(db: Reader, hearing_ids: Sequence[int]) -> dict[int, tuple[int, ...]]:
    """Accepted problem ids per hearing id, ascending (hearings without any are absent)."""
    if not hearing_ids:
        return {}
    marks = ", ".join("?" for _ in hearing_ids)
    rows = await db.fetchall(f"SELECT hearing_id, problem_id FROM hearing_problems WHERE hearing_id IN ({marks})"
                             " ORDER BY hearing_id, problem_id", tuple(hearing_ids))
    found: dict[int, list[int]] = {}
    for r in rows:
        found.setdefault(r[0], []).append(r[1])
    return {k: tuple(v) for k, v in found.items()}


async def _hearings(db: Reader, rows: list[sqlite3.Row]) -> list[Hearing]:
    """Hearings from ``hearings`` rows, the held ones with their accepted problem ids (one statement)."""
    ids = await _problem_ids(db, [r["id"] for r in rows if r["status"] == "held"])
    return [hearing_from_row(r, ids.get(r["id"], ())) for r in rows]


async def hearing_by_id(db: Reader, hearing_id: int) -> Hearing | None:
    """The hearing with its accepted problem ids (ascending; only a held one has any), or ``None``."""
    row = await db.fetchone("SELECT * FROM hearings WHERE id = ?", (hearing_id,))
    return None if row is None else (await _hearings(db, [row]))[0]


async def upcoming_in(db: Reader, municipality_code: str, now: str, limit: int) -> list[Hearing]:
    """Scheduled hearings of the municipality starting after ``now``, soonest first (no problem ids)."""
    rows = await db.fetchall(
        "SELECT * FROM hearings WHERE municipality_code = ? AND status = 'scheduled' AND starts_at > ?"
        " ORDER BY starts_at, id LIMIT ?", (municipality_code, now, limit))
    return [hearing_from_row(r) for r in rows]


async def past_in(db: Reader, municipality_code: str, now: str, limit: int) -> list[Hearing]:
    """Held hearings and scheduled ones that started by ``now`` (not cancelled), newest start first,
    with their accepted problem ids."""
    rows = await db.fetchall(
        "SELECT * FROM hearings WHERE municipality_code = ? AND (status = 'held' OR"
        " (status = 'scheduled' AND starts_at <= ?)) ORDER BY starts_at DESC, id DESC LIMIT ?",
        (municipality_code, now, limit))
    return await _hearings(db, rows)


async def recent_in(db: Reader, municipality_code: str, limit: int) -> list[Hearing]:
    """Hearings of the municipality of any status, newest start first (no problem ids)."""
    rows = await db.fetchall("SELECT * FROM hearings WHERE municipality_code = ? ORDER BY starts_at DESC, id DESC"
                             " LIMIT ?", (municipality_code, limit))
    return [hearing_from_row(r) for r in rows]


async def insert_hearing(tx: Transaction, draft: Draft, *, municipality_code: str, starts_at: str,
                         created_by: int, now: str) -> Hearing:
    """Insert a scheduled hearing from ``draft`` (its start as ``starts_at``); returns it as stored."""
    row = await tx.fetchone(
        "INSERT INTO hearings (municipality_code, topic, title_ky, title_ru, agenda_ky, agenda_ru, starts_at, place,"
        " latitude, longitude, survey_id, attachment_file_id, attachment_kind, created_by, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
        (municipality_code, draft.topic, draft.title_ky, draft.title_ru, draft.agenda_ky, draft.agenda_ru, starts_at,
         draft.place, draft.latitude, draft.longitude, draft.survey_id, draft.attachment_file_id,
         draft.attachment_kind, created_by, now, now))
    assert row is not None
    return hearing_from_row(row)


async def set_announcement(tx: Transaction, hearing_id: int, broadcast_id: int) -> Hearing:
    """Record the broadcast that announced the hearing; returns the hearing as it now is (no problem ids)."""
    row = await tx.fetchone("UPDATE hearings SET announcement_id = ? WHERE id = ? RETURNING *",
                            (broadcast_id, hearing_id))
    assert row is not None, hearing_id
    return hearing_from_row(row)


EDITABLE = frozenset({"starts_at", "place", "latitude", "longitude", "agenda_ky", "agenda_ru"})
"""Columns :func:`update_hearing` may set."""


async def update_hearing(tx: Transaction, hearing_id: int, changes: dict[str, object], now: str) -> Hearing:
    """Set the ``changes`` (columns of :data:`EDITABLE` → values), ``updated_at`` and ``revision + 1``;
    returns the hearing as it now is (no problem ids: only a scheduled hearing is edited).

    Raises:
        ValueError: a column outside :data:`EDITABLE`.
    """
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    sets = "".join(f"{column} = ?, " for column in changes)
    row = await tx.fetchone(f"UPDATE hearings SET {sets}updated_at = ?, revision = revision + 1 WHERE id = ?"
                            " RETURNING *", (*changes.values(), now, hearing_id))
    assert row is not None, hearing_id
    return hearing_from_row(row)


async def cancel(tx: Transaction, hearing_id: int, reason: str | None, now: str) -> Hearing | None:
    """Mark a scheduled hearing cancelled (with the reason, ``revision + 1``); returns it as it now is,
    or ``None`` when it was not scheduled."""
    row = await tx.fetchone(
        "UPDATE hearings SET status = 'cancelled', cancelled_at = ?, cancel_reason = ?, updated_at = ?,"
        " revision = revision + 1 WHERE id = ? AND status = 'scheduled' RETURNING *",
        (now, reason, now, hearing_id))
    return None if row is None else hearing_from_row(row)


async def mark_held(tx: Transaction, hearing_id: int, outcome: Outcome, now: str) -> Hearing | None:
    """Record the ``outcome`` of a scheduled hearing (decisions, participants, minutes), mark it held
    and link its accepted problems; returns the hearing as it now is (problem ids ascending), or
    ``None`` when it was not scheduled (nothing changed)."""
    row = await tx.fetchone(
        "UPDATE hearings SET status = 'held', decisions_ky = ?, decisions_ru = ?, participants = ?,"
        " minutes_file_id = ?, outcome_at = ?, updated_at = ? WHERE id = ? AND status = 'scheduled' RETURNING *",
        (outcome.decisions_ky, outcome.decisions_ru, outcome.participants, outcome.minutes_file_id, now, now,
         hearing_id))
    if row is None:
        return None
    ids = sorted(set(outcome.problem_ids))
    if ids:
        await tx.executemany("INSERT INTO hearing_problems (hearing_id, problem_id) VALUES (?, ?)"
                             " ON CONFLICT (hearing_id, problem_id) DO NOTHING", [(hearing_id, pid) for pid in ids])
    return hearing_from_row(row, tuple(ids))


async def set_problem_outcome(tx: Transaction, hearing_id: int, problem_id: int, new_status: str | None) -> None:
    """Record the status an accepted problem was moved to (``None``: it was not moved)."""
    await tx.execute("UPDATE hearing_problems SET new_status = ? WHERE hearing_id = ? AND problem_id = ?",
                     (new_status, hearing_id, problem_id))


# -- notice period --------------------------------------------------------------------------------


async def min_notice_days(db: Reader, municipality_code: str) -> int | None:
    """The municipality's stored minimum notice period in days, or ``None`` (no row: the default)."""
    value = await db.fetchval("SELECT min_notice_days FROM hearing_settings WHERE municipality_code = ?",
                              (municipality_code,))
    return None if value is None else int(value)


async def save_notice_days(tx: Transaction, municipality_code: str, *, old: int, new: int, changed_by: int,
                           as_superadmin: bool, now: str) -> None:
    """Store the municipality's notice period ``new`` and record the change from ``old`` (who, when)."""
    await tx.execute(
        "INSERT INTO hearing_settings (municipality_code, min_notice_days, updated_by, updated_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (municipality_code) DO UPDATE SET"
        " min_notice_days = excluded.min_notice_days, updated_by = excluded.updated_by,"
        " updated_at = excluded.updated_at",
        (municipality_code, new, changed_by, now))
    await tx.execute(
        "INSERT INTO hearing_notice_changes (municipality_code, changed_by, changed_at, old_days, new_days,"
        " as_superadmin) VALUES (?, ?, ?, ?, ?, ?)", (municipality_code, changed_by, now, old, new, int(as_superadmin)))


async def municipality_exists(db: Reader, code: str) -> bool:
    """Whether a municipality with this code exists."""
    return bool(await db.fetchval("SELECT 1 FROM municipalities WHERE code = ?", (code,)))


# -- surveys, broadcasts, residents (read for hearings) -------------------------------------------


async def surveys_of_hearing(db: Reader, hearing_id: int, survey_id: int | None,
                             municipality_code: str) -> list[SurveyChoice]:
    """Surveys of the municipality (not deleted) linked to the hearing either way: the hearing's own
    ``survey_id`` and every survey naming ``hearing_id`` as its hearing; oldest first."""
    rows = await db.fetchall(
        "SELECT id, question_ky, question_ru FROM surveys WHERE municipality_code = ? AND status <> 'deleted'"
        " AND (id = ? OR hearing_id = ?) ORDER BY id", (municipality_code, survey_id, hearing_id))
    return [SurveyChoice(r["id"], r["question_ky"], r["question_ru"]) for r in rows]


async def linkable_surveys_in(db: Reader, municipality_code: str, limit: int) -> list[SurveyChoice]:
    """Open or scheduled surveys of the municipality, newest first."""
    rows = await db.fetchall(
        "SELECT id, question_ky, question_ru FROM surveys WHERE municipality_code = ?"
        " AND status IN ('scheduled', 'open') ORDER BY id DESC LIMIT ?", (municipality_code, limit))
    return [SurveyChoice(r["id"], r["question_ky"], r["question_ru"]) for r in rows]


async def survey_linkable(db: Reader, survey_id: int, municipality_code: str) -> bool:
    """Whether survey ``survey_id`` is an open or scheduled survey of ``municipality_code``."""
    return bool(await db.fetchval(
        "SELECT 1 FROM surveys WHERE id = ? AND municipality_code = ? AND status IN ('scheduled', 'open')",
        (survey_id, municipality_code)))


async def broadcast_total(db: Reader, broadcast_id: int) -> int:
    """How many recipients broadcast ``broadcast_id`` has (0 when there is no such broadcast)."""
    return int(await db.fetchval("SELECT total FROM broadcasts WHERE id = ?", (broadcast_id,)) or 0)


async def broadcast_total_by_key(db: Reader, dedup_key: str) -> int:
    """How many recipients the broadcast queued under ``dedup_key`` has (0 when there is none)."""
    return int(await db.fetchval("SELECT total FROM broadcasts WHERE dedup_key = ?", (dedup_key,)) or 0)


async def resident_municipality(db: Reader, resident_id: int) -> str | None:
    """The municipality code of the resident, or ``None`` (unknown resident or none chosen)."""
    value = await db.fetchval("SELECT municipality_code FROM residents WHERE telegram_id = ?", (resident_id,))
    return None if value is None else str(value)


async def told_of(db: Reader, hearing_id: int, announcement_id: int | None) -> list[int]:
    """Resident ids of everyone who got the announcement (its deliveries), then everyone who answered
    the hearing (a resident in both appears twice)."""
    rows = await db.fetchall(
        "SELECT resident_id FROM deliveries WHERE broadcast_id = ?"
        " UNION ALL SELECT resident_id FROM hearing_rsvps WHERE hearing_id = ?", (announcement_id or 0, hearing_id))
    return [r[0] for r in rows]


# -- RSVPs and questions --------------------------------------------------------------------------


async def rsvp_of(db: Reader, hearing_id: int, resident_id: int) -> tuple[str, bool, bool] | None:
    """The resident's answer, hall-list consent and reminder flag, or ``None`` when they have not answered."""
    row = await db.fetchone(
        "SELECT answer, share_name, reminder FROM hearing_rsvps WHERE hearing_id = ? AND resident_id = ?",
        (hearing_id, resident_id))
    return None if row is None else (row["answer"], bool(row["share_name"]), bool(row["reminder"]))


async def save_rsvp(tx: Transaction, hearing_id: int, resident_id: int, answer: str, reminder: bool,
                    now: str) -> None:
    """Insert or change the resident's answer and reminder flag (the consent stays as it was)."""
    await tx.execute(
        "INSERT INTO hearing_rsvps (hearing_id, resident_id, answer, reminder, updated_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (hearing_id, resident_id) DO UPDATE SET answer = excluded.answer,"
        " reminder = excluded.reminder, updated_at = excluded.updated_at",
        (hearing_id, resident_id, answer, int(reminder), now))


async def set_share_name_if_going(tx: Transaction, hearing_id: int, resident_id: int, share: bool, now: str) -> bool:
    """Set the hall-list consent of a resident who answered ``going``; whether such an answer exists."""
    return bool(await tx.execute(
        "UPDATE hearing_rsvps SET share_name = ?, updated_at = ? WHERE hearing_id = ? AND resident_id = ?"
        " AND answer = 'going'", (int(share), now, hearing_id, resident_id)))


async def rsvp_residents(db: Reader, hearing_id: int, answers: Iterable[str] | None = None) -> list[int]:
    """Resident ids who answered the hearing (only those with one of ``answers``, when given)."""
    if answers is None:
        rows = await db.fetchall("SELECT resident_id FROM hearing_rsvps WHERE hearing_id = ?", (hearing_id,))
    else:
        wanted = tuple(answers)
        marks = ", ".join("?" for _ in wanted)
        rows = await db.fetchall(f"SELECT resident_id FROM hearing_rsvps WHERE hearing_id = ? AND answer IN ({marks})",
                                 (hearing_id, *wanted))
    return [r[0] for r in rows]


async def rsvp_counts(db: Reader, hearing_id: int) -> dict[str, int]:
    """``going`` and ``not_going``: residents who gave that answer; ``remind``: residents who will be
    reminded, whatever their answer (answers nobody gave are absent)."""
    rows = await db.fetchall("SELECT answer, count(*) FROM hearing_rsvps WHERE hearing_id = ?"
                             " AND answer IN ('going', 'not_going') GROUP BY answer", (hearing_id,))
    counts = {r[0]: int(r[1]) for r in rows}
    reminded = int(await db.fetchval(
        "SELECT count(*) FROM hearing_rsvps WHERE hearing_id = ? AND reminder = 1", (hearing_id,)) or 0)
    if reminded:
        counts["remind"] = reminded
    return counts


async def reminded_residents(db: Reader, hearing_id: int) -> list[int]:
    """Resident ids who asked to be reminded of the hearing (by "Remind me" or with "I will come")."""
    rows = await db.fetchall("SELECT resident_id FROM hearing_rsvps WHERE hearing_id = ? AND reminder = 1",
                             (hearing_id,))
    return [r[0] for r in rows]


async def hall_list(db: Reader, hearing_id: int) -> list[sqlite3.Row]:
    """Residents coming who consented to the hall list: rows of ``first_name``, ``last_name``,
    ``username``, ``telegram_id`` (unordered)."""
    return await db.fetchall(
        "SELECT r.first_name, r.last_name, r.username, r.telegram_id FROM hearing_rsvps v"
        " JOIN residents r ON r.telegram_id = v.resident_id"
        " WHERE v.hearing_id = ? AND v.answer = 'going' AND v.share_name = 1", (hearing_id,))


async def question_count(db: Reader, hearing_id: int, resident_id: int | None = None) -> int:
    """How many questions the hearing has (from ``resident_id`` only, when given)."""
    if resident_id is None:
        return int(await db.fetchval("SELECT count(*) FROM hearing_questions WHERE hearing_id = ?", (hearing_id,)))
    return int(await db.fetchval("SELECT count(*) FROM hearing_questions WHERE hearing_id = ? AND resident_id = ?",
                                 (hearing_id, resident_id)))


async def questions_of(db: Reader, hearing_id: int) -> list[Question]:
    """The hearing's questions, oldest first."""
    rows = await db.fetchall("SELECT id, text, asked_at FROM hearing_questions WHERE hearing_id = ? ORDER BY id",
                             (hearing_id,))
    return [Question(r["id"], r["text"], r["asked_at"]) for r in rows]


async def insert_question(tx: Transaction, hearing_id: int, resident_id: int, text: str, now: str) -> int:
    """Save a resident's question; returns its id."""
    return int(await tx.fetchval("INSERT INTO hearing_questions (hearing_id, resident_id, text, asked_at)"
                                 " VALUES (?, ?, ?, ?) RETURNING id", (hearing_id, resident_id, text, now)))


# -- reminders ------------------------------------------------------------------------------------


async def plan_reminders(tx: Transaction, hearing_id: int, due: Sequence[tuple[str, str]], *, resend: bool) -> None:
    """Insert or move the hearing's reminders: ``due`` is ``(kind, due_at)`` pairs. With ``resend`` a
    moved reminder is unsent again (``sent_at`` cleared, not skipped); without, it keeps its state."""
    reset = ", sent_at = NULL, skipped = 0" if resend else ""
    await tx.executemany(
        "INSERT INTO hearing_reminders (hearing_id, kind, due_at) VALUES (?, ?, ?)"
        f" ON CONFLICT (hearing_id, kind) DO UPDATE SET due_at = excluded.due_at{reset}",
        [(hearing_id, kind, due_at) for kind, due_at in due])


async def hearings_with_due_reminders(db: Reader, now: str) -> list[int]:
    """Ids of hearings with an unsent reminder due by ``now``."""
    return [r[0] for r in await db.fetchall(
        "SELECT DISTINCT hearing_id FROM hearing_reminders WHERE sent_at IS NULL AND due_at <= ?", (now,))]


async def due_reminders(db: Reader, hearing_id: int, now: str) -> list[str]:
    """Kinds of the hearing's unsent reminders due by ``now``, latest due first."""
    return [r[0] for r in await db.fetchall(
        "SELECT kind FROM hearing_reminders WHERE hearing_id = ? AND sent_at IS NULL AND due_at <= ?"
        " ORDER BY due_at DESC", (hearing_id, now))]


async def close_due_reminders(tx: Transaction, hearing_id: int, now: str, sent_kind: str | None) -> None:
    """Mark the hearing's unsent reminders due by ``now`` as sent at ``now``: the ``sent_kind`` one
    as sent, the others (all, with ``None``) as skipped."""
    await tx.execute(
        "UPDATE hearing_reminders SET sent_at = ?, skipped = CASE WHEN kind = ? THEN 0 ELSE 1 END"
        " WHERE hearing_id = ? AND sent_at IS NULL AND due_at <= ?", (now, sent_kind, hearing_id, now))


async def skip_unsent_reminders(tx: Transaction, hearing_id: int, now: str) -> None:
    """Mark every unsent reminder of the hearing skipped (it will never be sent)."""
    await tx.execute("UPDATE hearing_reminders SET skipped = 1, sent_at = ? WHERE hearing_id = ? AND sent_at IS NULL",
                     (now, hearing_id))
