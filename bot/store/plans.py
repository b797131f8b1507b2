"""SQL of the plans feature (:mod:`bot.domain.plans`): action-plan items and local initiatives, their
steps, money, changes and linked problems; budget proposals; monitoring groups, invites, members,
reports and answers; and the counts of the programme's figures.

Tables: migrations/0010_plans.sql. Every function takes the reader or transaction first (see
:mod:`bot.store`); times and dates come from the domain as text. Column names in statements are
never taken from callers.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from bot.db import Transaction
from bot.domain.plans.model import Item, Money, Proposal, Report, Step
from bot.domain.plans.rules import date_from_db
from bot.store import Reader

_ITEM = ("id, municipality_code, year, kind, title, responsible, responsible_name, status, result, created_by,"
         " created_at, updated_at")
_PROPOSAL = ("id, item_id, municipality_code, hearing_id, requested, proposed_at, decision, amount, reason,"
             " resolution_number, resolution_date, decided_at")
_REPORT = ("id, item_id, municipality_code, author_id, progress, note, procurement, photos, signed, hidden,"
           " hidden_reason, created_at")


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)


def _item(row: sqlite3.Row) -> Item:
    return Item(**dict(row))


def _step(row: sqlite3.Row) -> Step:
    deadline = date_from_db(row["deadline"])
    assert deadline is not None
    return Step(int(row["id"]), int(row["item_id"]), str(row["title"]), deadline, row["done_at"])


def _proposal(row: sqlite3.Row) -> Proposal:
    data = dict(row)
    data["resolution_date"] = date_from_db(data["resolution_date"])
    return Proposal(**data)


def _report(row: sqlite3.Row, answers: tuple[str, ...] = ()) -> Report:
    data = dict(row)
    data["photos"] = tuple(json.loads(data["photos"] or "[]"))
    data["signed"], data["hidden"] = bool(data["signed"]), bool(data["hidden"])
    return Report(**data, answers=answers)


# -- items ----------------------------------------------------------------------------------------


async def insert_item(tx: Transaction, *, municipality_code: str, year: int, kind: str, title: str,
                      responsible: str, responsible_name: str, created_by: int, at: str) -> Item:
    """A new item (status ``planned``)."""
    row = await tx.fetchone(
        "INSERT INTO plan_items (municipality_code, year, kind, title, responsible, responsible_name, created_by,"
        f" created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {_ITEM}",
        (municipality_code, year, kind, title, responsible, responsible_name, created_by, at, at))
    assert row is not None
    return _item(row)


async def item_by_id(db: Reader, item_id: int) -> Item | None:
    """The item with this id (any municipality), or ``None``."""
    row = await db.fetchone(f"SELECT {_ITEM} FROM plan_items WHERE id = ?", (item_id,))
    return None if row is None else _item(row)


async def items_of(db: Reader, municipality_code: str, *, year: int | None = None, kind: str | None = None,
                   limit: int = 50) -> list[Item]:
    """Items of a municipality (of ``year`` / ``kind`` when given), oldest first, at most ``limit``."""
    where, params = ["municipality_code = ?"], [municipality_code]
    if year is not None:
        where.append("year = ?")
        params.append(year)  # type: ignore[arg-type]
    if kind is not None:
        where.append("kind = ?")
        params.append(kind)
    rows = await db.fetchall(f"SELECT {_ITEM} FROM plan_items WHERE {' AND '.join(where)} ORDER BY id LIMIT ?",
                             (*params, limit))
    return [_item(r) for r in rows]


async def set_item_status(tx: Transaction, item_id: int, *, status: str, result: str | None, at: str) -> Item:
    """Set the status (and the result text when given)."""
    row = await tx.fetchone(
        f"UPDATE plan_items SET status = ?, result = COALESCE(?, result), updated_at = ? WHERE id = ? RETURNING {_ITEM}",
        (status, result, at, item_id))
    assert row is not None
    return _item(row)


async def touch_item(tx: Transaction, item_id: int, at: str) -> None:
    """Mark the item changed now."""
    await tx.execute("UPDATE plan_items SET updated_at = ? WHERE id = ?", (at, item_id))


async def visible_problems_in(db: Reader, problem_ids: Sequence[int], municipality_code: str) -> list[int]:
    """Of ``problem_ids``, those of visible, not merged problems of the municipality."""
    if not problem_ids:
        return []
    rows = await db.fetchall(
        f"SELECT id FROM problems WHERE id IN ({_marks(problem_ids)}) AND municipality_code = ? AND hidden = 0"
        " AND status <> 'duplicate'", (*problem_ids, municipality_code))
    return [int(r["id"]) for r in rows]


async def link_problems(tx: Transaction, item_id: int, problem_ids: Sequence[int]) -> None:
    """Link the item to these problems (existing links stay)."""
    await tx.executemany(
        "INSERT INTO plan_item_problems (item_id, problem_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
        [(item_id, pid) for pid in problem_ids])


async def problems_of(db: Reader, item_id: int) -> list[int]:
    """Ids of the problems the item is linked to, ascending."""
    rows = await db.fetchall("SELECT problem_id FROM plan_item_problems WHERE item_id = ? ORDER BY problem_id",
                             (item_id,))
    return [int(r["problem_id"]) for r in rows]


async def items_for_problem(db: Reader, problem_id: int) -> list[Item]:
    """Items linked to the problem, oldest first."""
    rows = await db.fetchall(
        f"SELECT {', '.join('i.' + c.strip() for c in _ITEM.split(','))} FROM plan_items i"
        " JOIN plan_item_problems l ON l.item_id = i.id WHERE l.problem_id = ? ORDER BY i.id", (problem_id,))
    return [_item(r) for r in rows]


async def followers_of(db: Reader, item_id: int) -> list[int]:
    """The authors and supporters of the item's problems (each once)."""
    rows = await db.fetchall(
        "SELECT p.author_id AS rid FROM plan_item_problems l JOIN problems p ON p.id = l.problem_id"
        " WHERE l.item_id = ? UNION SELECT s.resident_id FROM plan_item_problems l"
        " JOIN problem_supports s ON s.problem_id = l.problem_id WHERE l.item_id = ?", (item_id, item_id))
    return sorted(int(r[0]) for r in rows)


async def set_problem_status(tx: Transaction, problem_id: int, *, status: str, actor_id: int, comment: str,
                             at: str) -> str | None:
    """Move a problem to ``status`` recording the event (as the problems feature does); returns the old
    status, or ``None`` when nothing changed (already there, hidden or merged)."""
    old = await tx.fetchval("SELECT status FROM problems WHERE id = ? AND hidden = 0 AND status <> 'duplicate'",
                            (problem_id,))
    if old is None or old == status:
        return None
    await tx.execute("UPDATE problems SET status = ?, updated_at = ? WHERE id = ?", (status, at, problem_id))
    await tx.execute(
        "INSERT INTO problem_events (problem_id, actor_id, action, old_status, new_status, comment, at)"
        " VALUES (?, ?, 'status', ?, ?, ?, ?)", (problem_id, actor_id, old, status, comment or None, at))
    return str(old)


# -- steps, money, changes ----------------------------------------------------------------------------


async def insert_step(tx: Transaction, item_id: int, title: str, deadline: str) -> Step:
    """A new step of the item."""
    row = await tx.fetchone(
        "INSERT INTO plan_steps (item_id, title, deadline) VALUES (?, ?, ?) RETURNING id, item_id, title, deadline,"
        " done_at", (item_id, title, deadline))
    assert row is not None
    return _step(row)


async def steps_of(db: Reader, item_id: int) -> list[Step]:
    """The item's steps in the order they were added."""
    rows = await db.fetchall("SELECT id, item_id, title, deadline, done_at FROM plan_steps WHERE item_id = ?"
                             " ORDER BY id", (item_id,))
    return [_step(r) for r in rows]


async def set_deadline(tx: Transaction, step_id: int, deadline: str) -> None:
    """Move a step's deadline."""
    await tx.execute("UPDATE plan_steps SET deadline = ? WHERE id = ?", (deadline, step_id))


async def set_step_done(tx: Transaction, step_id: int, at: str) -> bool:
    """Mark a step done; ``False`` when it was done already."""
    return await tx.execute("UPDATE plan_steps SET done_at = ? WHERE id = ? AND done_at IS NULL", (at, step_id)) > 0


async def money_of(db: Reader, item_id: int) -> list[Money]:
    """The item's money by source (sources without a row are absent)."""
    rows = await db.fetchall("SELECT source, planned, spent FROM plan_money WHERE item_id = ? ORDER BY source",
                             (item_id,))
    return [Money(str(r["source"]), int(r["planned"]), int(r["spent"])) for r in rows]


async def set_planned(tx: Transaction, item_id: int, source: str, amount: int) -> None:
    """Set the planned amount of one source (creating its row)."""
    await tx.execute(
        "INSERT INTO plan_money (item_id, source, planned) VALUES (?, ?, ?)"
        " ON CONFLICT (item_id, source) DO UPDATE SET planned = excluded.planned", (item_id, source, amount))


async def set_spent(tx: Transaction, item_id: int, source: str, amount: int) -> None:
    """Set the spent amount of one source (creating its row)."""
    await tx.execute(
        "INSERT INTO plan_money (item_id, source, spent) VALUES (?, ?, ?)"
        " ON CONFLICT (item_id, source) DO UPDATE SET spent = excluded.spent", (item_id, source, amount))


async def insert_change(tx: Transaction, item_id: int, *, kind: str, subject: str = "", old: str = "",
                        new: str = "", reason: str = "", actor_id: int, at: str) -> None:
    """Record a change of the item (``plan_changes``)."""
    await tx.execute(
        "INSERT INTO plan_changes (item_id, kind, subject, old_value, new_value, reason, actor_id, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (item_id, kind, subject, old, new, reason, actor_id, at))


async def changes_of(db: Reader, item_id: int) -> list[sqlite3.Row]:
    """The item's recorded changes, oldest first (``kind, subject, old_value, new_value, reason, at``)."""
    return await db.fetchall("SELECT kind, subject, old_value, new_value, reason, at FROM plan_changes"
                             " WHERE item_id = ? ORDER BY id", (item_id,))


# -- budget proposals ---------------------------------------------------------------------------------


async def insert_proposal(tx: Transaction, *, item_id: int, municipality_code: str, hearing_id: int | None,
                          requested: int, proposed_by: int, at: str) -> Proposal:
    """A new proposal waiting for the council's decision."""
    row = await tx.fetchone(
        "INSERT INTO budget_proposals (item_id, municipality_code, hearing_id, requested, proposed_by, proposed_at)"
        f" VALUES (?, ?, ?, ?, ?, ?) RETURNING {_PROPOSAL}",
        (item_id, municipality_code, hearing_id, requested, proposed_by, at))
    assert row is not None
    return _proposal(row)


async def latest_proposal(db: Reader, item_id: int) -> Proposal | None:
    """The item's newest proposal, or ``None``."""
    row = await db.fetchone(f"SELECT {_PROPOSAL} FROM budget_proposals WHERE item_id = ? ORDER BY id DESC LIMIT 1",
                            (item_id,))
    return None if row is None else _proposal(row)


async def decide_proposal(tx: Transaction, proposal_id: int, *, decision: str, amount: int | None, reason: str,
                          resolution_number: str, resolution_date: str, decided_by: int, at: str) -> Proposal | None:
    """Record the council's decision on a pending proposal; ``None`` when it was decided already."""
    row = await tx.fetchone(
        "UPDATE budget_proposals SET decision = ?, amount = ?, reason = ?, resolution_number = ?,"
        " resolution_date = ?, decided_by = ?, decided_at = ? WHERE id = ? AND decision IS NULL"
        f" RETURNING {_PROPOSAL}",
        (decision, amount, reason, resolution_number, resolution_date, decided_by, at, proposal_id))
    return None if row is None else _proposal(row)


async def budget_hearings(db: Reader, municipality_code: str, limit: int = 8) -> list[sqlite3.Row]:
    """Budget hearings (draft or execution, not cancelled) of the municipality, newest first
    (``id, topic, title_ky, title_ru, starts_at, status``)."""
    return await db.fetchall(
        "SELECT id, topic, title_ky, title_ru, starts_at, status FROM hearings WHERE municipality_code = ?"
        " AND topic IN ('budget_draft', 'budget_execution') AND status <> 'cancelled' ORDER BY starts_at DESC"
        " LIMIT ?", (municipality_code, limit))


async def hearing_in(db: Reader, hearing_id: int, municipality_code: str) -> sqlite3.Row | None:
    """A not cancelled hearing of the municipality (``id, topic, status, attachment_file_id``), or ``None``."""
    return await db.fetchone(
        "SELECT id, topic, status, attachment_file_id FROM hearings WHERE id = ? AND municipality_code = ?"
        " AND status <> 'cancelled'", (hearing_id, municipality_code))


async def attach_to_hearing(tx: Transaction, hearing_id: int, file_id: str, at: str) -> None:
    """Attach a document to the hearing's announcement (``attachment_file_id``, kind ``document``)."""
    await tx.execute("UPDATE hearings SET attachment_file_id = ?, attachment_kind = 'document', updated_at = ?"
                     " WHERE id = ?", (file_id, at, hearing_id))


# -- monitoring groups ----------------------------------------------------------------------------------


async def group_row(db: Reader, municipality_code: str) -> sqlite3.Row | None:
    """The group's regulation row (``regulation_number, regulation_date``), or ``None``."""
    return await db.fetchone("SELECT regulation_number, regulation_date FROM monitoring_groups"
                             " WHERE municipality_code = ?", (municipality_code,))


async def save_regulation(tx: Transaction, municipality_code: str, number: str, on: str, *, by: int, at: str) -> None:
    """Record the council's regulation approving the group."""
    await tx.execute(
        "INSERT INTO monitoring_groups (municipality_code, regulation_number, regulation_date, updated_by, updated_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (municipality_code) DO UPDATE SET"
        " regulation_number = excluded.regulation_number, regulation_date = excluded.regulation_date,"
        " updated_by = excluded.updated_by, updated_at = excluded.updated_at", (municipality_code, number, on, by, at))


async def member_ids(db: Reader, municipality_code: str) -> list[int]:
    """Current members of the municipality's group, by joining order."""
    rows = await db.fetchall("SELECT resident_id FROM monitoring_members WHERE municipality_code = ?"
                             " AND left_at IS NULL ORDER BY id", (municipality_code,))
    return [int(r[0]) for r in rows]


async def membership(db: Reader, resident_id: int) -> str | None:
    """The municipality of the resident's current group, or ``None``."""
    code = await db.fetchval("SELECT municipality_code FROM monitoring_members WHERE resident_id = ?"
                             " AND left_at IS NULL", (resident_id,))
    return None if code is None else str(code)


async def insert_invite(tx: Transaction, code: str, municipality_code: str, *, by: int, at: str, expires_at: str) -> bool:
    """Store a new invite; ``False`` when the code is taken."""
    return await tx.execute(
        "INSERT INTO monitoring_invites (code, municipality_code, created_by, created_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", (code, municipality_code, by, at, expires_at)) > 0


async def invite_row(db: Reader, code: str) -> sqlite3.Row | None:
    """``municipality_code, expires_at, used_by`` of an invite, or ``None``."""
    return await db.fetchone("SELECT municipality_code, expires_at, used_by FROM monitoring_invites WHERE code = ?",
                             (code,))


async def use_invite(tx: Transaction, code: str, resident_id: int, at: str) -> bool:
    """Mark the invite used; ``False`` when someone used it first."""
    return await tx.execute("UPDATE monitoring_invites SET used_by = ?, used_at = ? WHERE code = ? AND used_by IS NULL",
                            (resident_id, at, code)) > 0


async def insert_member(tx: Transaction, municipality_code: str, resident_id: int, code: str, at: str) -> None:
    """A new current membership."""
    await tx.execute("INSERT INTO monitoring_members (municipality_code, resident_id, invite_code, joined_at)"
                     " VALUES (?, ?, ?, ?)", (municipality_code, resident_id, code, at))


async def leave(tx: Transaction, resident_id: int, at: str) -> str | None:
    """End the resident's current membership; returns its municipality, or ``None`` (not a member)."""
    row = await tx.fetchone("UPDATE monitoring_members SET left_at = ? WHERE resident_id = ? AND left_at IS NULL"
                            " RETURNING municipality_code", (at, resident_id))
    return None if row is None else str(row[0])


# -- monitoring reports -----------------------------------------------------------------------------------


async def insert_report(tx: Transaction, *, item_id: int, municipality_code: str, author_id: int, progress: str,
                        note: str, procurement: str, photos: Sequence[str], signed: bool, at: str) -> Report:
    """A new monitoring report."""
    row = await tx.fetchone(
        "INSERT INTO monitoring_reports (item_id, municipality_code, author_id, progress, note, procurement, photos,"
        f" signed, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {_REPORT}",
        (item_id, municipality_code, author_id, progress, note, procurement, json.dumps(list(photos)), int(signed), at))
    assert row is not None
    return _report(row)


async def report_by_id(db: Reader, report_id: int) -> Report | None:
    """The report with its officers' answers (oldest first), or ``None``."""
    row = await db.fetchone(f"SELECT {_REPORT} FROM monitoring_reports WHERE id = ?", (report_id,))
    if row is None:
        return None
    answers = await db.fetchall("SELECT text FROM monitoring_answers WHERE report_id = ? ORDER BY id", (report_id,))
    return _report(row, tuple(str(a[0]) for a in answers))


async def reports_of(db: Reader, item_id: int, limit: int = 10) -> list[Report]:
    """The item's reports, newest first (hidden ones too: the caller shows their reason)."""
    rows = await db.fetchall(f"SELECT {_REPORT} FROM monitoring_reports WHERE item_id = ? ORDER BY id DESC LIMIT ?",
                             (item_id, limit))
    return [_report(r) for r in rows]


async def resident_names(db: Reader, resident_ids: Sequence[int]) -> dict[int, tuple[str, str | None]]:
    """``{id: (first_name, last_name)}`` of these residents (absent ids are left out)."""
    if not resident_ids:
        return {}
    rows = await db.fetchall(f"SELECT telegram_id, first_name, last_name FROM residents WHERE telegram_id IN"
                             f" ({_marks(resident_ids)})", tuple(resident_ids))
    return {int(r[0]): (str(r[1] or ""), r[2]) for r in rows}


async def count_reports(db: Reader, item_id: int) -> int:
    """Visible reports on the item."""
    return int(await db.fetchval("SELECT count(*) FROM monitoring_reports WHERE item_id = ? AND hidden = 0",
                                 (item_id,)) or 0)


async def hide_report(tx: Transaction, report_id: int, reason: str, by: int) -> bool:
    """Hide a report with a reason; ``False`` when hidden already."""
    return await tx.execute("UPDATE monitoring_reports SET hidden = 1, hidden_reason = ?, hidden_by = ?"
                            " WHERE id = ? AND hidden = 0", (reason, by, report_id)) > 0


async def insert_answer(tx: Transaction, report_id: int, officer_id: int, text: str, at: str) -> None:
    """An officer's answer to a report."""
    await tx.execute("INSERT INTO monitoring_answers (report_id, officer_id, text, at) VALUES (?, ?, ?, ?)",
                     (report_id, officer_id, text, at))


# -- figures --------------------------------------------------------------------------------------------


async def figure_counts(db: Reader, municipality_code: str | None) -> dict[str, int]:
    """The programme's counts for one municipality, or nationally (``None``): residents who chose
    problems (raised or supported one), budget hearings held and their participants, decided budget
    changes from citizens' proposals (accepted or partly) and their som, current monitoring-group
    members, items with a visible report, local initiatives, items in the action plans."""
    where = "" if municipality_code is None else " AND p.municipality_code = ?"
    params: tuple[object, ...] = () if municipality_code is None else (municipality_code,)
    one = "" if municipality_code is None else " AND municipality_code = ?"
    if municipality_code is None:  # every resident with a support or a problem: two index probes each
        residents = ("(SELECT count(*) FROM residents r WHERE EXISTS (SELECT 1 FROM problem_supports s"
                     " WHERE s.resident_id = r.telegram_id) OR EXISTS (SELECT 1 FROM problems p"
                     " WHERE p.author_id = r.telegram_id))")
    else:  # authors and supporters of the municipality's problems
        residents = (f"(SELECT count(*) FROM (SELECT p.author_id FROM problems p WHERE 1 = 1{where}"
                     f" UNION SELECT s.resident_id FROM problem_supports s JOIN problems p ON p.id = s.problem_id"
                     f" WHERE 1 = 1{where}))")
    row = await db.fetchone(
        f"SELECT {residents} AS residents,"
        f" (SELECT count(*) FROM hearings WHERE status = 'held'{one}) AS hearings,"
        f" (SELECT COALESCE(sum(participants), 0) FROM hearings WHERE status = 'held'{one}) AS participants,"
        f" (SELECT count(*) FROM budget_proposals WHERE decision IN ('accepted', 'partly'){one}) AS changes,"
        f" (SELECT COALESCE(sum(amount), 0) FROM budget_proposals WHERE decision IN ('accepted', 'partly'){one})"
        "  AS changes_som,"
        f" (SELECT count(*) FROM budget_proposals WHERE 1 = 1{one}) AS proposals,"
        f" (SELECT count(*) FROM monitoring_members WHERE left_at IS NULL{one}) AS members,"
        f" (SELECT count(DISTINCT item_id) FROM monitoring_reports WHERE hidden = 0{one}) AS monitored,"
        f" (SELECT count(*) FROM plan_items WHERE kind = 'initiative'{one}) AS initiatives,"
        f" (SELECT count(*) FROM plan_items WHERE kind = 'plan'{one}) AS items",
        params * 2 + params * 9)
    assert row is not None
    return {key: int(row[key]) for key in row.keys()}
