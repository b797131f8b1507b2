"""SQL of the officers' web app (issue 13): the dashboard's figures, the problem queue's filters, the
national view and participation by month. Reads only; every write goes through the feature's own
domain use case (a status change is :func:`bot.domain.problems.change_status`, as in the chat).

No function here returns a resident's Telegram id, name, username or phone: the web app's pages and
exports are built from counts and from the problems' own texts.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from bot.domain.problems.model import Problem
from bot.store import Reader
from bot.store.problems import problem_from_row


async def resident_counts(db: Reader, municipality_code: str, since: str) -> dict[str, int]:
    """``total``, ``active`` (not blocked) and ``joined`` (``joined_at >= since``, UTC text) residents."""
    row = await db.fetchone(
        "SELECT count(*) AS total, COALESCE(sum(active), 0) AS active,"
        " COALESCE(sum(CASE WHEN joined_at >= ? THEN 1 ELSE 0 END), 0) AS joined"
        " FROM residents WHERE municipality_code = ?", (since, municipality_code))
    assert row is not None
    return {"total": int(row["total"]), "active": int(row["active"]), "joined": int(row["joined"])}


async def residents_by_locale(db: Reader, municipality_code: str) -> dict[str, int]:
    """Residents per chosen locale (``ky``, ``ru``; ``""`` for not chosen yet)."""
    rows = await db.fetchall("SELECT COALESCE(locale, '') AS locale, count(*) AS n FROM residents"
                             " WHERE municipality_code = ? GROUP BY COALESCE(locale, '')", (municipality_code,))
    return {r["locale"]: int(r["n"]) for r in rows}


async def problems_by_status(db: Reader, municipality_code: str) -> dict[str, int]:
    """Problems that are not hidden, per status."""
    rows = await db.fetchall("SELECT status, count(*) AS n FROM problems WHERE municipality_code = ? AND hidden = 0"
                             " GROUP BY status", (municipality_code,))
    return {r["status"]: int(r["n"]) for r in rows}


async def filtered_problems(db: Reader, municipality_code: str, *, status: str | None, category: str | None,
                            words: Sequence[str], limit: int) -> tuple[list[Problem], int]:
    """Not-hidden problems of the municipality matching every given filter, most supported first:
    ``(first limit rows, how many match)``. ``words`` are folded (:func:`bot.domain.text.fold`) and
    each must occur in the problem's folded ``search_key``."""
    where = ["municipality_code = ?", "hidden = 0"]
    params: list[object] = [municipality_code]
    if status:
        where.append("status = ?")
        params.append(status)
    if category:
        where.append("category = ?")
        params.append(category)
    for word in words:
        where.append("search_key LIKE ?")
        params.append("%" + word.replace("%", "").replace("_", "") + "%")
    clause = " AND ".join(where)
    total = int(await db.fetchval(f"SELECT count(*) FROM problems WHERE {clause}", params))
    rows = await db.fetchall(f"SELECT * FROM problems WHERE {clause} ORDER BY supports DESC, id DESC LIMIT ?",
                             (*params, limit))
    return [problem_from_row(r) for r in rows], total


async def broadcasts_in_progress(db: Reader, municipality_code: str, limit: int = 5) -> list[sqlite3.Row]:
    """Unfinished broadcasts of the municipality, newest first: ``id``, ``kind``, ``created_at``,
    ``total`` and ``done`` (deliveries sent, failed or skipped)."""
    return await db.fetchall(
        "SELECT b.id, b.kind, b.created_at, b.total,"
        " (SELECT count(*) FROM deliveries d WHERE d.broadcast_id = b.id"
        "  AND d.status IN ('sent', 'failed', 'skipped')) AS done"
        " FROM broadcasts b WHERE b.municipality_code = ? AND b.finished_at IS NULL"
        " ORDER BY b.id DESC LIMIT ?", (municipality_code, limit))


async def surveys_held(db: Reader, municipality_code: str, now: str) -> list[int]:
    """Ids of the municipality's closed surveys (closed, or past their closing time), newest first."""
    rows = await db.fetchall(
        "SELECT id FROM surveys WHERE municipality_code = ? AND status <> 'deleted'"
        " AND (status = 'closed' OR closes_at <= ?) ORDER BY closes_at DESC, id DESC", (municipality_code, now))
    return [int(r["id"]) for r in rows]


async def participation_by_month(db: Reader, municipality_code: str,
                                 months: Sequence[tuple[str, str, str]]) -> list[dict[str, object]]:
    """Per month ``(key, from, to)`` (UTC text bounds, ``from`` inclusive), in the given order: ``k`` (the
    key), residents ``joined``, problems ``raised``, ``supports`` given, survey ``ballots`` cast and
    hearing RSVPs ``going`` (by the hearing's start). One pass over the municipality's rows per figure:
    the municipality's rows first, then their supports/ballots/RSVPs by primary key, the months last
    (SQLite keeps a ``CROSS JOIN``'s order), so no table is scanned twelve times or across the country."""
    if not months:
        return []
    values = ", ".join("(?, ?, ?)" for _ in months)
    bounds: list[object] = [p for month in months for p in month]
    figures = {
        "joined": "FROM residents x CROSS JOIN months m WHERE x.municipality_code = ?"
                  " AND x.joined_at >= m.lo AND x.joined_at < m.hi",
        "raised": "FROM problems x CROSS JOIN months m WHERE x.municipality_code = ?"
                  " AND x.created_at >= m.lo AND x.created_at < m.hi",
        "supports": "FROM problems p CROSS JOIN problem_supports x CROSS JOIN months m WHERE x.problem_id = p.id"
                    " AND p.municipality_code = ? AND x.created_at >= m.lo AND x.created_at < m.hi",
        "ballots": "FROM surveys v CROSS JOIN survey_ballots x CROSS JOIN months m WHERE x.survey_id = v.id"
                   " AND v.municipality_code = ? AND x.cast_at >= m.lo AND x.cast_at < m.hi",
        "going": "FROM hearings g CROSS JOIN hearing_rsvps x CROSS JOIN months m WHERE x.hearing_id = g.id"
                 " AND g.municipality_code = ? AND x.answer = 'going' AND g.starts_at >= m.lo AND g.starts_at < m.hi",
    }
    parts = " UNION ALL ".join(f"SELECT m.k AS k, '{name}' AS figure, count(*) AS n {body} GROUP BY m.k"
                               for name, body in figures.items())
    rows = await db.fetchall(f"WITH months(k, lo, hi) AS (VALUES {values}) {parts}",
                             (*bounds, *([municipality_code] * len(figures))))
    table: dict[str, dict[str, object]] = {m[0]: {"k": m[0], **dict.fromkeys(figures, 0)} for m in months}
    for row in rows:
        table[row["k"]][row["figure"]] = int(row["n"])
    return list(table.values())


async def national_by_municipality(db: Reader, now: str) -> list[sqlite3.Row]:
    """Every municipality using the bot (a resident or an officer there) with its district and oblast
    (``district_code``, ``district_ru``, ``district_ky``, ``oblast_code``, ``oblast_ru``, ``oblast_ky``),
    ``code``, ``name_ru``, ``name_ky``, ``residents``, problems ``raised`` (not hidden) and ``solved``,
    ``surveys`` held (closed) and ``hearings`` held; ordered by oblast, district and name."""
    return await db.fetchall(
        "WITH used AS (SELECT municipality_code AS code FROM residents WHERE municipality_code IS NOT NULL"
        "  UNION SELECT municipality_code FROM officers),"
        " res AS (SELECT municipality_code AS code, count(*) AS n FROM residents"
        "  WHERE municipality_code IS NOT NULL GROUP BY municipality_code),"
        " pr AS (SELECT municipality_code AS code, count(*) AS raised,"
        "  sum(CASE WHEN status = 'solved' THEN 1 ELSE 0 END) AS solved FROM problems WHERE hidden = 0"
        "  GROUP BY municipality_code),"
        " sv AS (SELECT municipality_code AS code, count(*) AS n FROM surveys WHERE status <> 'deleted'"
        "  AND (status = 'closed' OR closes_at <= ?) GROUP BY municipality_code),"
        " hr AS (SELECT municipality_code AS code, count(*) AS n FROM hearings WHERE status = 'held'"
        "  GROUP BY municipality_code)"
        " SELECT m.code, m.name_ru, m.name_ky, d.code AS district_code, d.name_ru AS district_ru,"
        "  d.name_ky AS district_ky, o.code AS oblast_code, o.name_ru AS oblast_ru, o.name_ky AS oblast_ky,"
        "  COALESCE(res.n, 0) AS residents, COALESCE(pr.raised, 0) AS raised, COALESCE(pr.solved, 0) AS solved,"
        "  COALESCE(sv.n, 0) AS surveys, COALESCE(hr.n, 0) AS hearings"
        " FROM used JOIN municipalities m ON m.code = used.code"
        " JOIN districts d ON d.code = m.district_code JOIN oblasts o ON o.code = d.oblast_code"
        " LEFT JOIN res ON res.code = m.code LEFT JOIN pr ON pr.code = m.code"
        " LEFT JOIN sv ON sv.code = m.code LEFT JOIN hr ON hr.code = m.code"
        " ORDER BY o.code, d.code, m.name_ru", (now,))
