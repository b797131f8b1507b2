"""Joint monitoring and evaluation groups (ky биргелешкен мониторинг жана баалоо тобу, ru группа
совместного мониторинга и оценки): members approved by the council follow the execution of the plan
and report on it (issue 15, point 3; ../shared/domain.md, step 5).

Rules:

* An officer records the council's regulation (number, date) and creates one-time invite codes
  (valid :data:`~.model.INVITE_TTL_DAYS` days); a resident of the same municipality joins with one;
  a member can leave. One current group per resident.
* A member reports only on items of their own municipality (:class:`OtherMunicipalityMember`):
  progress, a note, procurement observations, photos (re-encoded copies without metadata, made by the
  handler with :func:`bot.domain.plans.photos.strip_metadata` before anyone else sees them).
* A report goes to the item's followers — naming the member only if they signed it — and to the
  municipality's officers, who always see who wrote it. Officers answer (the member and the
  followers are told) and may hide a report only with a reason, which the group is told.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date, timedelta

from bot.db import Database
from bot.domain.clock import clock, now_db, to_db
from bot.domain.officers import INVITE_ALPHABET, INVITE_LENGTH, normalize_invite_code, require_officer
from bot.domain.outbox import Audience, enqueue
from bot.domain.plans import audit, notices
from bot.domain.plans.errors import (
    AlreadyMember,
    ItemNotFound,
    MemberInviteInvalid,
    NotAMember,
    NotYourMunicipality,
    OtherMunicipalityMember,
    ReportNotFound,
)
from bot.domain.plans.items import officer_item
from bot.domain.plans.model import (
    INVITE_TTL_DAYS,
    NOTE_MAX,
    PHOTOS_MAX,
    PROGRESS,
    REASON_MAX,
    REASON_MIN,
    RESOLUTION_MAX,
    Group,
    Invite,
    Item,
    Report,
)
from bot.domain.plans.rules import check_text, date_from_db
from bot.domain.errors import InvalidInput
from bot.domain.text import clean_user_text
from bot.store import officers as officers_store
from bot.store import plans as store
from bot.store import residents as residents_store


async def group(db: Database, municipality_code: str) -> Group:
    """The municipality's group: its regulation and how many current members."""
    row = await store.group_row(db, municipality_code)
    members = len(await store.member_ids(db, municipality_code))
    return Group(municipality_code, str(row["regulation_number"]) if row else "",
                 date_from_db(row["regulation_date"]) if row else None, members)


async def membership(db: Database, resident_id: int) -> str | None:
    """The municipality whose group the resident is a current member of, or ``None``."""
    return await store.membership(db, resident_id)


async def set_regulation(db: Database, *, officer_id: int, number: str, on: date) -> Group:
    """An officer records the council's regulation approving the group of their municipality.

    Raises:
        NotAnOfficer. TextTooShort/TextTooLong: the number.
    """
    number = check_text(number, limit=RESOLUTION_MAX, minimum=1)
    async with db.transaction() as tx:
        officer = await require_officer(db, officer_id)
        await store.save_regulation(tx, officer.municipality_code, number, on.isoformat(), by=officer_id, at=now_db())
        await audit.record(tx, officer_id, "monitoring.regulation", municipality_code=officer.municipality_code,
                           kind="monitoring_group", target_id=None, details={"number": number, "date": on.isoformat()})
    return await group(db, officer.municipality_code)


async def create_invite(db: Database, *, officer_id: int) -> Invite:
    """An officer creates a one-time code that makes its redeemer a member of their municipality's group.

    Raises:
        NotAnOfficer.
    """
    expires = to_db(clock.now() + timedelta(days=INVITE_TTL_DAYS))
    async with db.transaction() as tx:
        officer = await require_officer(db, officer_id)
        while True:
            code = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))
            if await store.insert_invite(tx, code, officer.municipality_code, by=officer_id, at=now_db(),
                                         expires_at=expires):
                break
        await audit.record(tx, officer_id, "monitoring.invite", municipality_code=officer.municipality_code,
                           kind="monitoring_group", target_id=None, details={"expires_at": expires})
    return Invite(code, officer.municipality_code, expires)


async def join(db: Database, *, resident_id: int, code: str) -> str:
    """A resident joins the group with an invite code; returns the municipality's code.

    Raises:
        MemberInviteInvalid: not a code, unknown, used or expired. AlreadyMember: a current member somewhere.
        NotYourMunicipality: the code is for another municipality than the resident's.
    """
    normalized = normalize_invite_code(code)
    if len(normalized) != INVITE_LENGTH:
        raise MemberInviteInvalid("unknown")
    now = now_db()
    async with db.transaction() as tx:
        invite = await store.invite_row(tx, normalized)
        if invite is None:
            raise MemberInviteInvalid("unknown")
        current = await store.membership(tx, resident_id)
        if current is not None:
            raise AlreadyMember(current)
        if invite["used_by"] is not None:
            raise MemberInviteInvalid("used")
        if invite["expires_at"] <= now:
            raise MemberInviteInvalid("expired")
        resident = await residents_store.resident_by_id(tx, resident_id)
        if resident is None or resident["municipality_code"] != invite["municipality_code"]:
            raise NotYourMunicipality("invite of another municipality")
        if not await store.use_invite(tx, normalized, resident_id, now):
            raise MemberInviteInvalid("used")
        await store.insert_member(tx, str(invite["municipality_code"]), resident_id, normalized, now)
    return str(invite["municipality_code"])


async def leave(db: Database, *, resident_id: int) -> str:
    """A member leaves their group; returns its municipality.

    Raises:
        NotAMember: not a current member.
    """
    async with db.transaction() as tx:
        code = await store.leave(tx, resident_id, now_db())
    if code is None:
        raise NotAMember("not a member")
    return code


async def _member_item(db: Database, resident_id: int, item_id: int) -> tuple[str, Item]:
    code = await store.membership(db, resident_id)
    if code is None:
        raise NotAMember("not a member")
    item = await store.item_by_id(db, item_id)
    if item is None:
        raise ItemNotFound(item_id)
    if item.municipality_code != code:
        raise OtherMunicipalityMember("member of another municipality")
    return code, item


async def check_can_report(db: Database, *, resident_id: int, item_id: int) -> Item:
    """The item, if the resident is a current member of its municipality's group.

    Raises:
        NotAMember, ItemNotFound, OtherMunicipalityMember.
    """
    return (await _member_item(db, resident_id, item_id))[1]


async def post_report(db: Database, *, resident_id: int, item_id: int, progress: str, note: str = "",
                      procurement: str = "", photos: Sequence[str] = (), signed: bool = False,
                      author_name: str = "") -> Report:
    """A member posts a report on an item of their municipality; followers and officers are told.

    ``photos`` must be file_ids of re-encoded copies (no metadata). ``author_name`` is shown to
    officers always, to residents only when ``signed``.

    Raises:
        NotAMember, ItemNotFound, OtherMunicipalityMember. InvalidInput: unknown progress, too many photos.
        TextTooLong: the note or the procurement observations.
    """
    if progress not in PROGRESS or len(photos) > PHOTOS_MAX:
        raise InvalidInput("progress or photos")
    note = check_text(note, limit=NOTE_MAX)
    procurement = check_text(procurement, limit=NOTE_MAX)
    code, item = await _member_item(db, resident_id, item_id)
    async with db.transaction() as tx:
        if await store.membership(tx, resident_id) != code:  # left meanwhile
            raise NotAMember("not a member")
        report = await store.insert_report(tx, item_id=item.id, municipality_code=code, author_id=resident_id,
                                           progress=progress, note=note, procurement=procurement, photos=photos,
                                           signed=signed, at=now_db())
        followers = [f for f in await store.followers_of(tx, item.id) if f != resident_id]
        officers = [int(r["telegram_id"]) for r in await officers_store.officers_of(tx, code)]
        residents = [f for f in followers if f not in officers]
        if residents:
            await enqueue(tx, kind=notices.REPORT_RESIDENTS, audience=Audience.residents(residents),
                          content=notices.report(item, report, author=author_name if signed else None,
                                                 for_officers=False), municipality_code=code)
        if officers:
            await enqueue(tx, kind=notices.REPORT_OFFICERS, audience=Audience.residents(officers),
                          content=notices.report(item, report, author=author_name, for_officers=True),
                          municipality_code=code)
    return report


async def reports_on(db: Database, item: Item) -> list[Report]:
    """The item's reports, newest first (hidden ones carry their reason instead of their content)."""
    return await store.reports_of(db, item.id)


async def visible_report(db: Database, *, report_id: int, municipality_code: str | None) -> Report:
    """A report that is not hidden, on an item of ``municipality_code`` (the reader's).

    Raises:
        ReportNotFound: no such visible report there.
    """
    report = await store.report_by_id(db, report_id)
    if report is None or report.hidden or report.municipality_code != municipality_code:
        raise ReportNotFound(report_id)
    return report


async def authors(db: Database, reports: Sequence[Report], *, officer: bool) -> dict[int, str]:
    """``{report id: the author's name}`` for the reports whose author the reader may see: the signed
    ones, or all of them for an officer of the municipality (names cleaned of bidi/zero-width controls)."""
    shown = [r for r in reports if r.signed or officer]
    names = await store.resident_names(db, sorted({r.author_id for r in shown}))
    result = {}
    for report in shown:
        first, last = names.get(report.author_id, ("", None))
        result[report.id] = clean_user_text(" ".join(p for p in (first, last) if p and p.strip()))
    return result


async def _officer_report(db: Database, officer_id: int, report_id: int) -> tuple[Item, Report]:
    report = await store.report_by_id(db, report_id)
    if report is None:
        raise ReportNotFound(report_id)
    item = await officer_item(db, db, officer_id, report.item_id)
    return item, report


async def report_for_officer(db: Database, *, officer_id: int, report_id: int) -> tuple[Item, Report]:
    """A report of the officer's municipality with its item.

    Raises:
        ReportNotFound, NotAnOfficer, WrongMunicipality.
    """
    return await _officer_report(db, officer_id, report_id)


async def answer(db: Database, *, officer_id: int, report_id: int, text: str) -> int:
    """An officer answers a report; its author and the item's followers are told. Returns how many.

    Raises:
        ReportNotFound, NotAnOfficer, WrongMunicipality. TextTooShort/TextTooLong.
    """
    text = check_text(text, limit=NOTE_MAX, minimum=2)
    item, report = await _officer_report(db, officer_id, report_id)
    async with db.transaction() as tx:
        await store.insert_answer(tx, report.id, officer_id, text, now_db())
        await audit.record(tx, officer_id, "monitoring.answer", municipality_code=item.municipality_code,
                           kind="monitoring_report", target_id=report.id)
        audience = [report.author_id, *await store.followers_of(tx, item.id)]
        await enqueue(tx, kind=notices.ANSWERED, audience=Audience.residents(audience),
                      content=notices.answered(item, report, text), municipality_code=item.municipality_code,
                      sender_id=officer_id)
    return len(set(audience))


async def hide(db: Database, *, officer_id: int, report_id: int, reason: str) -> bool:
    """An officer hides a report with a reason; the group's members are told the reason (it stays
    on the item's list of reports in place of the report). ``False`` when it was hidden already.

    Raises:
        ReportNotFound, NotAnOfficer, WrongMunicipality. TextTooShort/TextTooLong: the reason.
    """
    reason = check_text(reason, limit=REASON_MAX, minimum=REASON_MIN)
    item, report = await _officer_report(db, officer_id, report_id)
    async with db.transaction() as tx:
        if not await store.hide_report(tx, report.id, reason, officer_id):
            return False
        await audit.record(tx, officer_id, "monitoring.hide", municipality_code=item.municipality_code,
                           kind="monitoring_report", target_id=report.id)
        members = await store.member_ids(tx, item.municipality_code)
        if members:
            await enqueue(tx, kind=notices.HIDDEN, audience=Audience.residents(members),
                          content=notices.hidden(item, report, reason), municipality_code=item.municipality_code,
                          sender_id=officer_id)
    return True
