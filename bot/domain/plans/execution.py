"""Reporting back at the execution hearing (issue 15, point 4; ../shared/domain.md, steps 4–5): for
one municipality and year, what was planned and what was done, the money planned and spent, the
council's decisions and the monitoring group's findings — as lines for a message series and as a
CSV file the hearing's announcement can attach (:func:`attach_to_hearing`)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.db import Database
from bot.domain.clock import now_db
from bot.domain.errors import InvalidInput, NotFound
from bot.domain.officers import require_officer
from bot.domain.plans import audit
from bot.domain.plans.model import ExecutionLine, ExecutionReport
from bot.domain.spreadsheet import write_csv
from bot.store import plans as store

FINDINGS_SHOWN = 3
"""Monitoring notes per item in the report (the newest visible ones)."""


async def execution_report(db: Database, *, officer_id: int, year: int) -> ExecutionReport:
    """The officer's municipality's report for ``year`` (plan items and local initiatives).

    Raises:
        NotAnOfficer.
    """
    officer = await require_officer(db, officer_id)
    lines = []
    for item in await store.items_of(db, officer.municipality_code, year=year, limit=500):
        steps = await store.steps_of(db, item.id)
        money = await store.money_of(db, item.id)
        proposal = await store.latest_proposal(db, item.id)
        reports = [r for r in await store.reports_of(db, item.id, limit=50) if not r.hidden]
        lines.append(ExecutionLine(
            item=item, steps_total=len(steps), steps_done=sum(1 for s in steps if s.done_at),
            planned=sum(m.planned for m in money), spent=sum(m.spent for m in money),
            accepted=proposal.amount if proposal and proposal.decision in ("accepted", "partly") else None,
            reports=len(reports), last_progress=reports[0].progress if reports else None,
            findings=[r.note for r in reports if r.note][:FINDINGS_SHOWN]))
    return ExecutionReport(officer.municipality_code, year, lines)


def report_csv(report: ExecutionReport, header: Sequence[str], labels: dict[str, dict[str, str]], *,
               steps: str = "{done} / {total}") -> bytes:
    """The report as CSV (:func:`~bot.domain.spreadsheet.write_csv`: UTF-8 with BOM, ``;``, formula-safe).

    ``header`` names the 12 columns in the reader's language; ``labels`` maps ``kind``/``status``/
    ``progress``/``responsible`` codes to words; ``steps`` says "{done} of {total}" in the reader's
    language (never ``3/5``, which Excel reads as a date). Money in whole som.
    """
    if len(header) != 12:
        raise InvalidInput("12 column names")
    rows = []
    for line in report.lines:
        item = line.item
        rows.append([
            item.id, labels["kind"].get(item.kind, item.kind), item.title,
            labels["responsible"].get(item.responsible, item.responsible), labels["status"].get(item.status, item.status),
            steps.format(done=line.steps_done, total=line.steps_total), line.planned, line.spent,
            "" if line.accepted is None else line.accepted, line.reports,
            labels["progress"].get(line.last_progress or "", ""), " | ".join(line.findings) or item.result,
        ])
    return write_csv(header, rows)


async def execution_hearings(db: Database, *, officer_id: int) -> list[dict[str, object]]:
    """Scheduled budget-execution hearings of the officer's municipality a report can be attached to."""
    officer = await require_officer(db, officer_id)
    return [dict(r) for r in await store.budget_hearings(db, officer.municipality_code)
            if r["topic"] == "budget_execution" and r["status"] == "scheduled"]


async def attach_to_hearing(db: Database, *, officer_id: int, hearing_id: int, file_id: str) -> None:
    """Attach the report's file (a Telegram ``file_id`` of the sent document) to a scheduled
    budget-execution hearing of the officer's municipality: its announcement and card then carry it.

    Raises:
        NotAnOfficer. NotFound: no such scheduled execution hearing there.
    """
    async with db.transaction() as tx:
        officer = await require_officer(db, officer_id)
        row = await store.hearing_in(tx, hearing_id, officer.municipality_code)
        if row is None or row["topic"] != "budget_execution" or row["status"] != "scheduled":
            raise NotFound("hearing", id=hearing_id)
        await store.attach_to_hearing(tx, hearing_id, file_id, now_db())
        await audit.record(tx, officer_id, "plan.attach", municipality_code=officer.municipality_code, kind="hearing",
                           target_id=hearing_id)
