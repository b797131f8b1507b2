"""What each page shows, as plain JSON-able dicts: the same dict feeds the JSON API and the page's
template. Counts and the municipality's own texts only — never a resident's Telegram id, name,
username or phone, and never who voted what.

Secrecy of surveys is the domain's rule, reused: while a survey is open only its turnout is shown;
once closed, :meth:`bot.domain.surveys.Tally.visible` says which option counts may be shown (nothing
under :data:`bot.domain.surveys.model.MIN_GROUP` voters, nor what could be worked out from the rest).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.db import Database
from bot.domain import problems as pb
from bot.domain.clock import clock, from_db, to_db
from bot.domain.hearings import queries as hearing_queries
from bot.domain.municipalities import locate
from bot.domain.surveys import Survey
from bot.domain.surveys import queries as survey_queries
from bot.domain.surveys.model import MIN_GROUP
from bot.domain.text import fold
from bot.i18n import display_timezone
from bot.store import hearings as hearings_store
from bot.store import registry as registry_store
from bot.store import surveys as surveys_store
from bot.store import webapp as store

QUEUE_LIMIT = 50
"""Problems listed at once in the queue (the most supported first)."""
TEXT_FILTER_MAX = 60


def month_start(now: datetime, back: int = 0) -> datetime:
    """The start (aware UTC) of the calendar month in the display zone, ``back`` months before ``now``'s."""
    local = now.astimezone(display_timezone())
    year, month = local.year, local.month - back
    while month < 1:
        month += 12
        year -= 1
    return local.replace(year=year, month=month, day=1, hour=0, minute=0, second=0, microsecond=0)


def last_months(now: datetime, count: int = 12) -> list[tuple[str, str, str]]:
    """The last ``count`` months up to ``now``'s, oldest first: ``("YYYY-MM", from, to)`` UTC text bounds."""
    months = []
    for back in range(count - 1, -1, -1):
        start = month_start(now, back)
        end = month_start(start + timedelta(days=40))
        months.append((f"{start.year:04d}-{start.month:02d}", to_db(start), to_db(end)))
    return months


async def place(db: Database, code: str) -> dict[str, Any]:
    """The municipality's names and its district's and oblast's (``ky`` falls back to ``ru``)."""
    location = await locate(db, code)
    if location is None:
        return {"code": code, "name_ky": code, "name_ru": code, "district_ky": "", "district_ru": "",
                "oblast_ky": "", "oblast_ru": ""}
    return {"code": code,
            "name_ky": location.municipality.name("ky"), "name_ru": location.municipality.name("ru"),
            "district_ky": location.district.name("ky"), "district_ru": location.district.name("ru"),
            "oblast_ky": location.oblast.name("ky"), "oblast_ru": location.oblast.name("ru")}


def problem_brief(problem: pb.Problem) -> dict[str, Any]:
    """A problem as listed: number, category, status, supports, dates and its text (no author)."""
    return {"id": problem.id, "category": problem.category, "status": problem.status,
            "supports": problem.supports, "text": problem.text, "voice": problem.text is None,
            "created_at": problem.created_at, "updated_at": problem.updated_at}


def survey_result(survey: Survey, now: datetime, active_residents: int) -> dict[str, Any]:
    """A survey with its turnout; per-option counts only when closed and allowed by the secrecy rule
    (``votes`` ``None`` for a hidden option; ``results_shown`` false while open or under the minimum)."""
    state = survey.state(now)
    tally = survey_queries.tally_of(survey)
    closed = state == "closed"
    visible = tally.visible(survey) if closed else {}
    options = [{"position": o.position, "text_ky": o.text("ky"), "text_ru": o.text("ru"),
                "votes": visible.get(o.position) if closed else None,
                "share": (visible[o.position] or 0) / tally.ballots
                if closed and visible.get(o.position) is not None and tally.ballots else None}
               for o in survey.options]
    return {"id": survey.id, "question_ky": survey.question("ky"), "question_ru": survey.question("ru"),
            "state": state, "multiple": survey.multiple, "opens_at": to_db(survey.opens_at),
            "closes_at": to_db(survey.closes_at), "ballots": tally.ballots,
            "turnout": tally.ballots / active_residents if active_residents else None,
            "results_shown": closed and not tally.hidden and any(o["votes"] is not None for o in options),
            "below_minimum": tally.hidden, "min_group": MIN_GROUP, "options": options}


async def _hearing(db: Database, hearing: Any) -> dict[str, Any]:
    counts = await hearings_store.rsvp_counts(db, hearing.id)
    return {"id": hearing.id, "topic": hearing.topic, "title_ky": hearing.title("ky"),
            "title_ru": hearing.title("ru"), "starts_at": hearing.starts_at, "place": hearing.place,
            "status": hearing.status, "going": counts.get("going", 0), "not_going": counts.get("not_going", 0),
            "remind": counts.get("remind", 0), "participants": hearing.participants,
            "decisions_ky": hearing.decisions("ky"), "decisions_ru": hearing.decisions("ru"),
            "cancel_reason": hearing.cancel_reason or "", "survey_id": hearing.survey_id}


async def dashboard(db: Database, code: str, now: datetime | None = None) -> dict[str, Any]:
    """Everything the dashboard shows for one municipality (see the module's secrecy note)."""
    now = now or clock.now()
    residents = await store.resident_counts(db, code, to_db(month_start(now)))
    by_locale = await store.residents_by_locale(db, code)
    statuses = await store.problems_by_status(db, code)
    top = await pb.ranked_page(db, code, page=0, size=5)
    open_surveys = await survey_queries.list_open_surveys(db, code, now)
    recent = await survey_queries.list_recent_closed(db, code, limit=5)
    hearings = await hearing_queries.list_upcoming(db, code, now, limit=5)
    broadcasts = await store.broadcasts_in_progress(db, code)
    return {
        "municipality": await place(db, code),
        "residents": {**residents, "by_locale": {"ky": by_locale.get("ky", 0), "ru": by_locale.get("ru", 0),
                                                 "none": by_locale.get("", 0)}},
        "problems": {"by_status": {s: statuses.get(s, 0) for s in pb.STATUSES},
                     "open": sum(statuses.get(s, 0) for s in pb.OPEN_STATUSES),
                     "top": [problem_brief(p) for p in top[0]]},
        "surveys": {"open": [survey_result(s, now, residents["active"]) for s in open_surveys],
                    "recent": [survey_result(s, now, residents["active"]) for s in recent]},
        "hearings": [await _hearing(db, h) for h in hearings],
        "registry": await registry_store.count_by_status(db, code),
        "broadcasts": [{"id": b["id"], "kind": b["kind"], "created_at": b["created_at"], "total": b["total"],
                        "done": b["done"], "progress": b["done"] / b["total"] if b["total"] else 0.0}
                       for b in broadcasts],
    }


async def queue(db: Database, code: str, *, status: str | None = None, category: str | None = None,
                text: str | None = None) -> dict[str, Any]:
    """The problem queue under filters (unknown status/category values are ignored; the text is
    folded, so "кок" finds "көк")."""
    status = status if status in pb.STATUSES else None
    category = category if category in pb.CATEGORIES else None
    words = fold((text or "")[:TEXT_FILTER_MAX]).split()
    problems, total = await store.filtered_problems(db, code, status=status, category=category, words=words,
                                                    limit=QUEUE_LIMIT)
    return {"municipality": await place(db, code), "filters": {"status": status or "", "category": category or "",
                                                                "text": (text or "")[:TEXT_FILTER_MAX]},
            "total": total, "problems": [problem_brief(p) for p in problems]}


async def surveys(db: Database, code: str, now: datetime | None = None, limit: int = 20) -> dict[str, Any]:
    """The municipality's surveys (not deleted), newest first, with results as the secrecy rule allows."""
    now = now or clock.now()
    active = (await store.resident_counts(db, code, to_db(now)))["active"]
    rows = await surveys_store.not_deleted_in(db, code, limit)
    return {"municipality": await place(db, code), "surveys": [survey_result(s, now, active) for s in rows]}


async def hearings(db: Database, code: str, limit: int = 20, now: datetime | None = None) -> dict[str, Any]:
    """The municipality's hearings, latest start first, with RSVPs and outcomes (counts, no names) and
    the linked survey's results as the secrecy rule allows (``survey``, ``None`` without one)."""
    now = now or clock.now()
    rows = await hearings_store.recent_in(db, code, limit)
    active = (await store.resident_counts(db, code, to_db(now)))["active"]
    result = []
    for hearing in rows:
        item = await _hearing(db, hearing)
        survey = await survey_queries.get_survey(db, hearing.survey_id) if hearing.survey_id else None
        item["survey"] = (survey_result(survey, now, active)
                          if survey is not None and survey.municipality_code == code and survey.status != "deleted"
                          else None)
        result.append(item)
    return {"municipality": await place(db, code), "hearings": result}


REGISTRY_COLUMNS = ("id", "name_ky", "name_ru", "area", "registry", "provider_kind", "provider_name", "paid",
                    "tariff", "status", "resolution_number", "resolution_date", "supports", "followers",
                    "rating_average", "ratings")


async def registry(db: Database, code: str) -> dict[str, Any]:
    """The registry of services as rows of :data:`REGISTRY_COLUMNS` (machine values; no resident ids)."""
    rows = await registry_store.export_rows(db, code)
    return {"municipality": await place(db, code), "columns": list(REGISTRY_COLUMNS),
            "services": [{c: r[c] for c in REGISTRY_COLUMNS} for r in rows]}


async def participation(db: Database, code: str, now: datetime | None = None) -> list[dict[str, Any]]:
    """Twelve months up to now, oldest first: month key and what residents did (counts)."""
    rows = await store.participation_by_month(db, code, last_months(now or clock.now()))
    return [{"month": r["k"], "joined": r["joined"], "raised": r["raised"], "supports": r["supports"],
             "ballots": r["ballots"], "going": r["going"]} for r in rows]


async def national(db: Database, now: datetime | None = None) -> dict[str, Any]:
    """Per oblast, its districts and their municipalities using the bot, with residents, problems
    raised and solved, surveys and hearings held (sums over the municipalities)."""
    rows = await store.national_by_municipality(db, to_db(now or clock.now()))
    keys = ("residents", "raised", "solved", "surveys", "hearings")
    oblasts: dict[str, dict[str, Any]] = {}
    for r in rows:
        oblast = oblasts.setdefault(r["oblast_code"], {
            "code": r["oblast_code"], "name_ru": r["oblast_ru"], "name_ky": r["oblast_ky"] or r["oblast_ru"],
            "municipalities": 0, **dict.fromkeys(keys, 0), "districts": {}})
        district = oblast["districts"].setdefault(r["district_code"], {
            "code": r["district_code"], "name_ru": r["district_ru"], "name_ky": r["district_ky"] or r["district_ru"],
            "municipalities": 0, **dict.fromkeys(keys, 0), "places": []})
        district["places"].append({"code": r["code"], "name_ru": r["name_ru"], "name_ky": r["name_ky"] or r["name_ru"],
                                   **{k: r[k] for k in keys}})
        for group in (oblast, district):
            group["municipalities"] += 1
            for k in keys:
                group[k] += r[k]
    result = []
    for oblast in oblasts.values():
        oblast["districts"] = list(oblast["districts"].values())
        result.append(oblast)
    totals = {k: sum(o[k] for o in result) for k in ("municipalities", *keys)}
    return {"oblasts": result, "totals": totals}


async def audit(db: Database, code: str | None, *, limit: int = 100, before_id: int | None = None) -> dict[str, Any]:
    """The audit log of a municipality (``None``: every municipality, for superadmins), newest first.
    ``available`` is false while ``bot.store.audit`` (the compliance work) is not installed."""
    try:
        from bot.store.audit import list_entries  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return {"available": False, "entries": []}
    entries = await list_entries(db, code, limit, before_id)
    return {"available": True, "entries": [_audit_entry(e) for e in entries]}


def _audit_entry(entry: Any) -> dict[str, Any]:
    """An entry's columns (without the Telegram id of a person acted on), plus its action and details in
    words per locale (``bot.ui.audit``, the same names the chat's /audit shows) when that module is there."""
    fields = ("id", "at", "actor_resident_id", "actor_role", "municipality_code", "action", "target_kind",
              "target_id", "details")
    row = {f: getattr(entry, f, None) for f in fields}
    if row["target_kind"] == "resident":
        row["target_id"] = None  # a person's Telegram id stays out of the web app
    try:
        from bot.ui.audit import action_label, details_text
    except ImportError:
        return {**row, "what": {"ky": row["action"], "ru": row["action"]}, "facts": {"ky": "", "ru": ""}}
    return {**row, "what": {loc: action_label(entry, loc) for loc in ("ky", "ru")},
            "facts": {loc: details_text(entry, loc) for loc in ("ky", "ru")}}


def when(value: str) -> datetime:
    """A stored UTC text as an aware datetime (for templates)."""
    return from_db(value)
