"""Officers' alerts: what residents did that officers must see, routed per officer and kind.

Kinds (:data:`KINDS`): a new problem, a reopened problem, a resident's service proposal, a question
for a hearing, a burst of votes from recent joiners in a survey. A feature calls :func:`raise_alert`
in the transaction of the change with the :class:`~bot.domain.outbox.Notice` an officer would get at
once and a short summary for the digest. Each officer of the municipality chooses per kind
(:data:`MODES`): ``now`` (the default), ``digest`` (one message a day at the hour they chose,
Asia/Bishkek, grouped by kind with counts and the first items) or ``off``. Quiet hours (e.g. 22–8)
hold "now" alerts until they end, except the kinds the officer marked urgent. Linked officers' groups
of the municipality get every alert at once (:mod:`bot.domain.reach.posts`).

Two scheduler jobs (:data:`SCHEDULER_JOBS`): :func:`release_quiet` sends what quiet hours held once
they end; :func:`send_digests` sends each officer's digest at their hour (restart-safe: an item is
removed in the transaction that queues the digest holding it).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.db import Database, Transaction
from bot.domain.clock import clock, to_db
from bot.domain.errors import InvalidInput
from bot.domain.outbox import Audience, Notice, enqueue
from bot.store import reach as store

BISHKEK = ZoneInfo("Asia/Bishkek")
"""Hours officers choose are Bishkek hours (UTC+6, no DST)."""

PROBLEM_NEW = "problem_new"
PROBLEM_REOPENED = "problem_reopened"
SERVICE_PROPOSED = "service_proposed"
HEARING_QUESTION = "hearing_question"
SURVEY_BURST = "survey_burst"
KINDS = (PROBLEM_NEW, PROBLEM_REOPENED, SERVICE_PROPOSED, HEARING_QUESTION, SURVEY_BURST)
"""Alert kinds, in the order the settings screen and the digest show them."""
MODES = ("now", "digest", "off")
DEFAULT_DIGEST_HOUR = 8
DIGEST_TOP = 3
"""Items shown per kind in a digest (the rest are counted)."""
DIGEST_NOTICE = "reach.digest"


@dataclass(frozen=True)
class AlertPrefs:
    """One officer's choices: ``modes`` maps a kind to ``(mode, urgent)`` (absent: ``("now", False)``);
    quiet hours ``quiet_from``–``quiet_to`` (Bishkek hours; ``None``: none)."""

    officer_id: int
    digest_hour: int = DEFAULT_DIGEST_HOUR
    quiet_from: int | None = None
    quiet_to: int | None = None
    modes: dict[str, tuple[str, bool]] = field(default_factory=dict)

    def mode(self, kind: str) -> str:
        return self.modes.get(kind, ("now", False))[0]

    def urgent(self, kind: str) -> bool:
        return self.modes.get(kind, ("now", False))[1]

    def quiet_at(self, moment: datetime) -> bool:
        """Whether ``moment`` falls in the quiet hours."""
        return in_quiet(moment.astimezone(BISHKEK).hour, self.quiet_from, self.quiet_to)


def in_quiet(hour: int, quiet_from: int | None, quiet_to: int | None) -> bool:
    """Whether the Bishkek ``hour`` is quiet: ``from <= hour < to``, wrapping past midnight (22–8
    is quiet from 22:00 to 07:59); equal or missing bounds mean no quiet hours."""
    if quiet_from is None or quiet_to is None or quiet_from == quiet_to:
        return False
    if quiet_from < quiet_to:
        return quiet_from <= hour < quiet_to
    return hour >= quiet_from or hour < quiet_to


def quiet_end(moment: datetime, quiet_to: int) -> datetime:
    """The next ``quiet_to``:00 Bishkek time after ``moment`` (aware UTC)."""
    local = moment.astimezone(BISHKEK)
    end = local.replace(hour=quiet_to, minute=0, second=0, microsecond=0)
    if end <= local:
        end += timedelta(days=1)
    return end.astimezone(UTC)


def last_digest_slot(moment: datetime, hour: int) -> datetime:
    """The latest ``hour``:00 Bishkek time at or before ``moment`` (aware UTC)."""
    local = moment.astimezone(BISHKEK)
    slot = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if slot > local:
        slot -= timedelta(days=1)
    return slot.astimezone(UTC)


def _prefs(officer_id: int, settings: Any, modes: dict[tuple[int, str], tuple[str, bool]]) -> AlertPrefs:
    own = {kind: value for (oid, kind), value in modes.items() if oid == officer_id}
    if settings is None:
        return AlertPrefs(officer_id, modes=own)
    return AlertPrefs(officer_id, int(settings["digest_hour"]), settings["quiet_from"], settings["quiet_to"], own)


async def prefs(db: Database | Transaction, officer_id: int) -> AlertPrefs:
    """The officer's alert choices (defaults when never changed)."""
    settings = (await store.alert_settings(db, [officer_id])).get(officer_id)
    return _prefs(officer_id, settings, await store.alert_modes(db, [officer_id]))


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise InvalidInput("unknown alert kind")


async def set_mode(db: Database, officer_id: int, kind: str, mode: str) -> AlertPrefs:
    """Set how ``kind`` reaches the officer (urgency kept). Raises InvalidInput: unknown kind or mode."""
    _check_kind(kind)
    if mode not in MODES:
        raise InvalidInput("unknown alert mode")
    current = await prefs(db, officer_id)
    async with db.transaction() as tx:
        await store.set_mode(tx, officer_id, kind, mode, current.urgent(kind))
    return await prefs(db, officer_id)


async def toggle_urgent(db: Database, officer_id: int, kind: str) -> AlertPrefs:
    """Mark ``kind`` urgent (sent at once even in quiet hours) or not. Raises InvalidInput: unknown kind."""
    _check_kind(kind)
    current = await prefs(db, officer_id)
    async with db.transaction() as tx:
        await store.set_mode(tx, officer_id, kind, current.mode(kind), not current.urgent(kind))
    return await prefs(db, officer_id)


def _check_hour(hour: int | None) -> None:
    if hour is not None and not 0 <= hour <= 23:
        raise InvalidInput("hour out of range")


async def set_digest_hour(db: Database, officer_id: int, hour: int) -> AlertPrefs:
    """The Bishkek hour of the officer's daily digest (0–23). Raises InvalidInput."""
    _check_hour(hour)
    async with db.transaction() as tx:
        await store.set_setting(tx, officer_id, "digest_hour", hour, to_db(clock.now()))
    return await prefs(db, officer_id)


async def set_quiet_hours(db: Database, officer_id: int, quiet_from: int | None, quiet_to: int | None) -> AlertPrefs:
    """Quiet hours from ``quiet_from``:00 to ``quiet_to``:00 Bishkek time (``None``, ``None``: none).

    Raises:
        InvalidInput: an hour out of 0–23, only one bound, or equal bounds.
    """
    _check_hour(quiet_from)
    _check_hour(quiet_to)
    if (quiet_from is None) != (quiet_to is None) or (quiet_from is not None and quiet_from == quiet_to):
        raise InvalidInput("quiet hours need two different hours")
    now = to_db(clock.now())
    async with db.transaction() as tx:
        await store.set_setting(tx, officer_id, "quiet_from", quiet_from, now)
        await store.set_setting(tx, officer_id, "quiet_to", quiet_to, now)
    return await prefs(db, officer_id)


async def raise_alert(tx: Transaction, *, municipality_code: str, kind: str, notice: Notice,
                      summary: dict[str, Any], broadcast_kind: str | None = None,
                      exclude: frozenset[int] = frozenset()) -> list[int]:
    """Route one alert to the municipality's officers and linked officers' groups, in ``tx``.

    Args:
        kind: one of :data:`KINDS`.
        notice: what an officer gets at once (rendered by ``bot.notices``).
        summary: JSON-able facts for the digest: ``title_ky``/``title_ru`` (or ``title``) and ``ref``.
        broadcast_kind: the outbox ``kind`` of the immediate broadcast (default ``alert.<kind>``).
        exclude: officers not to alert (the one who caused it).
    Returns:
        the officers alerted at once.
    """
    _check_kind(kind)
    now = clock.now()
    at = to_db(now)
    officers = [o for o in await store.officer_ids(tx, municipality_code) if o not in exclude]
    settings = await store.alert_settings(tx, officers)
    modes = await store.alert_modes(tx, officers)
    at_once: list[int] = []
    for officer_id in officers:
        p = _prefs(officer_id, settings.get(officer_id), modes)
        mode = p.mode(kind)
        if mode == "off":
            continue
        if mode == "digest" or (p.quiet_at(now) and not p.urgent(kind)):
            held = "digest" if mode == "digest" else "quiet"
            due = None if held == "digest" else to_db(quiet_end(now, int(p.quiet_to or 0)))
            await store.hold_alert(tx, officer_id=officer_id, kind=kind, held=held,
                                   summary=json.dumps(summary, ensure_ascii=False), notice=notice.to_json(),
                                   municipality_code=municipality_code, at=at, due_at=due)
            continue
        at_once.append(officer_id)
    if at_once:
        await enqueue(tx, kind=broadcast_kind or f"alert.{kind}", audience=Audience.residents(at_once),
                      content=notice, municipality_code=municipality_code)
    from bot.domain.reach.posts import alert_staff_chats

    await alert_staff_chats(tx, municipality_code, notice)
    return at_once


async def release_quiet(db: Database, now: datetime) -> int:
    """Scheduler job: send the alerts quiet hours held whose end came; returns how many."""
    rows = await store.due_quiet(db, to_db(now))
    if not rows:
        return 0
    async with db.transaction() as tx:
        for row in rows:  # an officer whose role ended meanwhile is not sent it (it is dropped)
            if await store.delete_held(tx, [int(row["id"])]) and row["still_officer"]:
                await enqueue(tx, kind=f"alert.{row['kind']}", audience=Audience.residents([int(row["officer_id"])]),
                              content=Notice.from_json(row["notice"]), municipality_code=row["municipality_code"])
    return len(rows)


async def send_digests(db: Database, now: datetime) -> int:
    """Scheduler job: each officer whose digest hour has come gets one message with the alerts held
    for the digest before that hour (counts per kind, the first :data:`DIGEST_TOP` of each); returns
    the digests queued. An alert that arrives after the hour waits for the next day's digest."""
    sent = 0
    for officer in await store.digest_officers(db):
        officer_id = int(officer["officer_id"])
        slot = to_db(last_digest_slot(now, int(officer["digest_hour"])))
        held = await store.digest_items(db, officer_id, before=slot)
        rows = [r for r in held if r["still_officer"]]  # the rest is dropped: the role ended meanwhile
        if not held:
            continue
        if not rows:
            async with db.transaction() as tx:
                await store.delete_held(tx, [int(r["id"]) for r in held])
            continue
        counts: dict[str, int] = defaultdict(int)
        top: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            counts[row["kind"]] += 1
            if len(top[row["kind"]]) < DIGEST_TOP:
                top[row["kind"]].append(json.loads(row["summary"]))
        facts = {"counts": {k: counts[k] for k in KINDS if counts.get(k)},
                 "top": {k: top[k] for k in KINDS if top.get(k)}, "total": len(rows)}
        async with db.transaction() as tx:
            await store.delete_held(tx, [int(r["id"]) for r in held])
            await enqueue(tx, kind="alert.digest", audience=Audience.residents([officer_id]),
                          content=Notice(DIGEST_NOTICE, facts), municipality_code=rows[0]["municipality_code"])
        sent += 1
    return sent


# -- the facts of the alerts this module words (bot.notices.reach) ---------------------------------

PROBLEM_NEW_NOTICE = "reach.problem_new"
QUESTION_NOTICE = "reach.hearing_question"
BURST_NOTICE = "reach.survey_burst"


def problem_new_notice(problem: Any) -> Notice:
    """A resident raised ``problem`` (a :class:`bot.domain.problems.Problem`)."""
    from bot.domain.problems.model import NOTICE_EXCERPT_LENGTH
    from bot.domain.problems.rules import excerpt

    return Notice(PROBLEM_NEW_NOTICE, {
        "id": problem.id, "category": problem.category, "status": problem.status,
        "excerpt": excerpt(problem.text, NOTICE_EXCERPT_LENGTH) if problem.text else None})


def problem_summary(problem: Any) -> dict[str, Any]:
    """The digest line of a problem alert."""
    from bot.domain.problems.rules import excerpt

    return {"title": excerpt(problem.text, 60) if problem.text else "", "ref": problem.id}


def question_notice(hearing_id: int, title_ky: str, title_ru: str, text: str) -> Notice:
    """A resident asked ``text`` for the hearing."""
    return Notice(QUESTION_NOTICE, {"hearing_id": hearing_id, "title_ky": title_ky, "title_ru": title_ru,
                                    "text": text[:500]})


async def check_vote_burst(tx: Transaction, survey_id: int) -> bool:
    """After a recent joiner's first ballot: when recent joiners' ballots now form a burst
    (:attr:`bot.domain.surveys.Tally.burst`: never in a first rollout, where nearly every voter is a
    recent joiner), alert the officers once per survey. Returns whether it did."""
    from bot.domain.surveys.model import Tally

    row = await store.survey_counters(tx, survey_id)
    if row is None:
        return False
    ballots, recent = int(row["ballots"]), int(row["recent_ballots"])
    if not Tally(ballots=ballots, votes={}, recent=recent, established=bool(row["established"])).burst:
        return False
    if not await store.flag_burst(tx, survey_id, to_db(clock.now())):
        return False
    facts = {"survey_id": survey_id, "title_ky": row["title_ky"], "title_ru": row["title_ru"],
             "recent": recent, "ballots": ballots}
    await raise_alert(tx, municipality_code=str(row["municipality_code"]), kind=SURVEY_BURST,
                      notice=Notice(BURST_NOTICE, facts),
                      summary={"title_ky": row["title_ky"], "title_ru": row["title_ru"], "ref": survey_id})
    return True


SCHEDULER_JOBS = (release_quiet, send_digests)
"""Jobs for :func:`bot.scheduler.default_jobs`."""
