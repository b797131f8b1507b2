"""What officers do with their municipality's registry: move entries through statuses, add and
edit entries, link priority problems, read counts and ratings, export.

Officers act only on their own municipality: every function calls
:func:`~bot.domain.officers.require_officer` with the entry's municipality inside its transaction.
Followers are told of status changes only through :func:`bot.domain.outbox.enqueue`, in the
transaction of the change (a ``service_status`` notice, rendered per follower's language).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.db import Database, Transaction
from bot.domain import audit
from bot.domain.clock import now_db
from bot.domain.errors import InvalidInput
from bot.domain.officers import require_officer
from bot.domain.outbox import Audience, enqueue
from bot.domain.registry.catalogue import ensure_seeded
from bot.domain.registry.errors import (
    InvalidTransition,
    NameRequired,
    ProblemNotFound,
    ReasonRequired,
    ServiceNotFound,
)
from bot.domain.registry.model import (
    COMMENT_MAX,
    EXPORT_COLUMNS,
    NAME_MAX,
    NAME_MIN,
    REASON_MIN,
    STATUS_KIND,
    STATUSES,
    TRANSITIONS,
    OfficerCard,
    Overview,
    RatingSummary,
    Service,
    StatusMoved,
)
from bot.domain.registry.notices import status_notice
from bot.domain.registry.queries import (
    follower_count,
    get_service,
    history,
    linked_open_problems,
    ratings_of,
    service_in,
    support_count,
)
from bot.domain.registry.rules import check_fields, check_text
from bot.domain.spreadsheet import write_csv
from bot.store import registry as store


async def _entry(tx: Database | Transaction, db: Database, officer_id: int, service_id: int) -> Service:
    """The entry, after checking that ``officer_id`` is an officer of its municipality."""
    service = await get_service(tx, service_id)
    if service is None:
        raise ServiceNotFound(service_id)
    await require_officer(db, officer_id, service.municipality_code)
    return service


async def move_status(
    db: Database, *, officer_id: int, service_id: int, to_status: str, comment: str = "",
    expected_status: str | None = None,
) -> StatusMoved:
    """An officer moves an entry of their municipality to ``to_status`` with a comment.

    The change is recorded in the history and the entry's followers are told through the outbox
    in the same transaction (each in their own language; residents who blocked the bot are not queued).

    Args:
        expected_status: the status the officer saw; if it changed meanwhile, the move is refused
            (two officers, or a double tap on an old button).
    Raises:
        ServiceNotFound: no such entry.
        PermissionDenied: not an officer of the entry's municipality (nothing changes).
        InvalidTransition: ``to_status`` is not reachable from the current status.
        ReasonRequired: rejecting without a reason of at least :data:`~.model.REASON_MIN` characters.
        TextTooLong: comment over :data:`~.model.COMMENT_MAX`.
    """
    comment = check_text(comment, limit=COMMENT_MAX)
    if to_status == "rejected" and len(comment) < REASON_MIN:
        raise ReasonRequired(limit=REASON_MIN, actual=len(comment))
    async with db.transaction() as tx:
        service = await _entry(tx, db, officer_id, service_id)
        current = service.status
        if to_status not in TRANSITIONS.get(current, ()) or (expected_status and expected_status != current):
            raise InvalidTransition(current, to_status)
        now = now_db()
        updated = await store.set_status(tx, service_id, status=to_status,
                                         rejection_reason=comment if to_status == "rejected" else None, at=now)
        assert updated is not None  # read in this transaction
        await store.insert_event(tx, service_id, kind="status", from_status=current, to_status=to_status,
                                 actor_id=officer_id, actor_role="officer", comment=comment, at=now)
        await audit.record(tx, audit.Actor.officer(officer_id), "service.status", audit.Target("service", service_id),
                           municipality_code=service.municipality_code, details={"from": current, "to": to_status})
        followers = await store.follower_ids(tx, service_id)
        if not followers:
            return StatusMoved(updated, None, 0)
        broadcast_id = await enqueue(
            tx, kind=STATUS_KIND, audience=Audience.residents(followers),
            content=status_notice(updated, current, comment), municipality_code=service.municipality_code,
            sender_id=officer_id)
        notified = await store.broadcast_total(tx, broadcast_id)
    return StatusMoved(updated, broadcast_id, notified)


async def add_service(
    db: Database, *, officer_id: int, name: str, locale: str, area: str, registry: str,
    provider_kind: str = "ayil_okmotu", provider_name: str = "", paid: bool = False, tariff: str = "",
    status: str = "included",
) -> Service:
    """An officer adds an entry to their own municipality's registry (``origin = 'officer'``).

    ``name`` is stored in ``locale``; the other name can be added later with :func:`edit_service`.

    Raises:
        NotAnOfficer: not an officer.
        TextTooLong, TextTooShort: a text out of bounds.
        InvalidInput: an unknown area/registry/provider/status/locale.
    """
    if locale not in ("ky", "ru") or status not in STATUSES or status == "rejected":
        raise InvalidInput("locale or status")
    name = check_text(name, limit=NAME_MAX, minimum=NAME_MIN)
    fields = check_fields({"area": area, "registry": registry, "provider_kind": provider_kind,
                           "provider_name": provider_name, "paid": paid, "tariff": tariff})
    if len(fields) != 6:
        raise InvalidInput("area, registry or provider kind")
    async with db.transaction() as tx:
        officer = await require_officer(db, officer_id)
        now = now_db()
        service = await store.insert_service(tx, {
            "municipality_code": officer.municipality_code, "name_ky": name if locale == "ky" else "",
            "name_ru": name if locale == "ru" else "", "area": area, "registry": registry,
            "provider_kind": provider_kind, "provider_name": fields["provider_name"], "paid": int(paid),
            "tariff": fields["tariff"], "status": status, "origin": "officer", "created_at": now, "updated_at": now,
        })
        await store.insert_event(tx, service.id, kind="created", to_status=status, actor_id=officer_id,
                                 actor_role="officer", at=now)
        await audit.record(tx, audit.Actor.officer(officer_id), "service.add", audit.Target("service", service.id),
                           municipality_code=officer.municipality_code, details={"status": status, "area": area})
    return service


async def edit_service(db: Database, *, officer_id: int, service_id: int, **fields: object) -> Service:
    """An officer edits fields of an entry of their municipality (see :func:`~.rules.check_fields`).

    The edit is recorded in the history (the changed field names) and marks a catalogue copy as confirmed.

    Raises:
        ServiceNotFound: no such entry.
        PermissionDenied: not an officer of the entry's municipality.
        TextTooLong, TextTooShort: a text out of bounds (a non-empty name shorter than ``NAME_MIN``).
        InvalidInput: unknown field or bad value.
        NameRequired: the edit would leave the entry without a name in both languages.
    """
    clean = check_fields(fields)
    if not clean:
        raise InvalidInput("nothing to change")
    async with db.transaction() as tx:
        service = await _entry(tx, db, officer_id, service_id)
        names = (clean.get("name_ky", service.name_ky), clean.get("name_ru", service.name_ru))
        if not any(names):
            raise NameRequired("a service needs a name in at least one language", limit=NAME_MIN, actual=0)
        now = now_db()
        # the event first: the updated entry's cost_set/provider_set count this edit
        await store.insert_event(tx, service_id, kind="edited", actor_id=officer_id, actor_role="officer",
                                 comment=", ".join(sorted(clean)), at=now)
        updated = await store.update_fields(tx, service_id, clean, at=now)
        await audit.record(tx, audit.Actor.officer(officer_id), "service.edit", audit.Target("service", service_id),
                           municipality_code=service.municipality_code, details={"fields": sorted(clean)})
    assert updated is not None
    return updated


async def overview(db: Database, *, officer_id: int) -> Overview:
    """Counts for the officer's municipality (seeding its catalogue first if never opened).

    Raises:
        NotAnOfficer: not an officer.
    """
    officer = await require_officer(db, officer_id)
    code = officer.municipality_code
    await ensure_seeded(db, code)
    counts = await store.count_by_status(db, code)
    initiated, approved, included, followers = await store.initiative_counts(db, code)
    return Overview({s: counts.get(s, 0) for s in STATUSES}, initiated, approved, included, followers)


async def rating_summary(db: Database, *, officer_id: int, service_id: int, comments: int = 10) -> RatingSummary:
    """Average, count and the latest ``comments`` comments of a service's ratings, without who gave them.

    Raises:
        ServiceNotFound: no such entry.
        PermissionDenied: not an officer of the entry's municipality.
    """
    await _entry(db, db, officer_id, service_id)
    return await ratings_of(db, service_id, comments=comments)


async def officer_card(db: Database, *, officer_id: int, municipality_code: str, service_id: int) -> OfficerCard:
    """Everything the officer's card of an entry shows (ratings: the latest five comments).

    Raises:
        ServiceNotFound: no such entry in the officer's municipality ``municipality_code``.
        PermissionDenied: not an officer of it.
    """
    service = await service_in(db, service_id, municipality_code)
    ratings = await rating_summary(db, officer_id=officer_id, service_id=service.id, comments=5)
    problems, total = await linked_open_problems(db, service.id)
    return OfficerCard(service=service, events=await history(db, service.id),
                       supports=await support_count(db, service.id), followers=await follower_count(db, service.id),
                       problems=problems, problems_total=total, ratings=ratings)


async def export_rows(db: Database, *, officer_id: int) -> list[dict[str, object]]:
    """The officer's municipality registry, one dict per entry with :data:`~.model.EXPORT_COLUMNS`
    (machine values: status/area codes, ``paid`` 0/1, ``None`` for missing). No resident ids.

    Raises:
        NotAnOfficer: not an officer.
    """
    officer = await require_officer(db, officer_id)
    await ensure_seeded(db, officer.municipality_code)
    await audit.record_alone(db, audit.Actor.officer(officer_id), "registry.export", audit.Target("municipality"),
                             municipality_code=officer.municipality_code)
    rows = await store.export_rows(db, officer.municipality_code)
    return [{c: row[c] for c in EXPORT_COLUMNS} for row in rows]


async def export_csv(db: Database, *, officer_id: int, headers: Sequence[str] | None = None) -> bytes:
    """The registry as machine-readable CSV (:func:`bot.domain.spreadsheet.write_csv`; codes, not labels), header
    :data:`~.model.EXPORT_COLUMNS` or ``headers`` (same length). Officers get the localized file from
    :func:`bot.ui.registry.registry_csv`.

    Raises:
        NotAnOfficer: not an officer.
    """
    rows = await export_rows(db, officer_id=officer_id)
    header = list(headers) if headers and len(headers) == len(EXPORT_COLUMNS) else list(EXPORT_COLUMNS)
    return write_csv(header, [[row[c] for c in EXPORT_COLUMNS] for row in rows])


async def link_problem(db: Database, *, officer_id: int, service_id: int, problem_id: int) -> bool:
    """An officer links a priority problem to the registry service it concerns (both of their municipality).

    Returns ``False`` when the link existed already.

    Raises:
        ServiceNotFound: no such entry.
        ProblemNotFound: no such (visible) problem in the entry's municipality.
        PermissionDenied: not an officer of the entry's municipality.
    """
    async with db.transaction() as tx:
        service = await _entry(tx, db, officer_id, service_id)
        if not await store.visible_problem_exists(tx, problem_id, service.municipality_code):
            raise ProblemNotFound(problem_id)
        linked = await store.add_problem_link(tx, service_id, problem_id, linked_by=officer_id, at=now_db())
        if linked:
            await audit.record(tx, audit.Actor.officer(officer_id), "service.link", audit.Target("service", service_id),
                               municipality_code=service.municipality_code, details={"problem": problem_id})
        return linked


async def unlink_problem(db: Database, *, officer_id: int, service_id: int, problem_id: int) -> bool:
    """Remove a link. Returns ``False`` when there was none.

    Raises:
        ServiceNotFound: no such entry.
        PermissionDenied: not an officer of the entry's municipality.
    """
    async with db.transaction() as tx:
        service = await _entry(tx, db, officer_id, service_id)
        unlinked = await store.remove_problem_link(tx, service_id, problem_id)
        if unlinked:
            await audit.record(tx, audit.Actor.officer(officer_id), "service.unlink",
                               audit.Target("service", service_id), municipality_code=service.municipality_code,
                               details={"problem": problem_id})
        return unlinked

