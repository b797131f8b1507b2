"""The joint action plan: officers build items (steps, deadlines, the responsible party, money by
source) linked to priority problems, and change them with a reason; residents read them.

Rules (issue 15, point 1; ../shared/domain.md, step 3):

* An officer acts only on their own municipality's plan (:func:`~bot.domain.officers.require_officer`
  with the item's municipality, inside the transaction of each change).
* An item's followers are the authors and supporters of its problems; they are told, through the
  outbox in the same transaction, when the item is created (the problem moves to "in the joint action
  plan"), and when a deadline or planned money changes, with the officer's reason (at least
  :data:`~.model.REASON_MIN` characters).
* A linked problem only moves forward along the problems' cycle (never back, never out of
  ``solved``/``rejected``): :func:`advance_problems`.
* A local initiative (``kind = 'initiative'``) is recorded the same way, with the initiative group responsible.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from bot.db import Database, Transaction
from bot.domain.clock import now_db
from bot.domain.errors import InvalidInput
from bot.domain.officers import require_officer
from bot.domain.outbox import Audience, enqueue
from bot.domain.plans import audit, notices
from bot.domain.plans.errors import ItemNotFound, ProblemNotInMunicipality, StepNotFound
from bot.domain.plans.model import (
    ITEM_STATUSES,
    KINDS,
    NAME_MAX,
    REASON_MAX,
    REASON_MIN,
    RESPONSIBLE,
    RESULT_MAX,
    SOURCES,
    STEP_MAX,
    STEPS_MAX,
    TITLE_MAX,
    TITLE_MIN,
    YEARS,
    Item,
    ItemView,
)
from bot.domain.plans.rules import check_text, date_to_db
from bot.domain.problems.model import CHAIN
from bot.store import plans as store
from bot.store import problems as problems_store

PROBLEM_STATUS_OF_ITEM = {"planned": "in_action_plan", "in_progress": "in_progress"}
"""The problem status an item's status moves its problems to (forward only)."""


async def officer_item(db: Database, tx: Database | Transaction, officer_id: int, item_id: int) -> Item:
    """The item, after checking that ``officer_id`` is an officer of its municipality.

    Raises:
        NotAnOfficer: not an officer. ItemNotFound: no such item in the officer's municipality.
    """
    officer = await require_officer(db, officer_id)
    item = await store.item_by_id(tx, item_id)
    if item is None or item.municipality_code != officer.municipality_code:
        raise ItemNotFound(item_id)  # another municipality's item is "not found", never "forbidden"
    return item


async def item_in(db: Database, item_id: int, municipality_code: str | None) -> Item:
    """The item if it belongs to ``municipality_code`` (a reader's own municipality).

    Raises:
        ItemNotFound: no such item there (another municipality's item is "not found", never "forbidden").
    """
    item = await store.item_by_id(db, item_id)
    if item is None or item.municipality_code != municipality_code:
        raise ItemNotFound(item_id)
    return item


async def advance_problems(tx: Transaction, problem_ids: Sequence[int], status: str, *, actor_id: int,
                           comment: str, at: str) -> list[int]:
    """Move each problem forward to ``status`` (a step of the problems' ``CHAIN``) when it is earlier in
    the cycle; returns the ids moved. The change is recorded in the problem's history."""
    moved = []
    target = CHAIN.index(status)
    for problem_id in problem_ids:
        current = await _status_of(tx, problem_id)
        if current in CHAIN and CHAIN.index(current) < target:
            if await store.set_problem_status(tx, problem_id, status=status, actor_id=actor_id, comment=comment, at=at):
                moved.append(problem_id)
    return moved


async def _status_of(tx: Transaction, problem_id: int) -> str | None:
    problem = await problems_store.problem_by_id(tx, problem_id)
    return None if problem is None or problem.hidden else problem.status


async def create_item(
    db: Database, *, officer_id: int, title: str, year: int, responsible: str, responsible_name: str = "",
    problem_ids: Sequence[int] = (), steps: Sequence[tuple[str, date]] = (), money: Mapping[str, int] | None = None,
    kind: str = "plan",
) -> ItemView:
    """An officer adds an item (or a local initiative) to their municipality's plan of ``year``.

    Its problems move forward to "in the joint action plan" and their followers are told (one notice:
    the item, its steps and money).

    Raises:
        NotAnOfficer. TextTooLong, TextTooShort: a text out of bounds.
        InvalidInput: unknown kind/responsible/source, a year out of range, too many steps.
        ProblemNotInMunicipality: a number that is no visible problem of the municipality.
    """
    title = check_text(title, limit=TITLE_MAX, minimum=TITLE_MIN)
    name = check_text(responsible_name, limit=NAME_MAX)
    if kind not in KINDS or responsible not in RESPONSIBLE or not YEARS[0] <= year <= YEARS[1]:
        raise InvalidInput("kind, responsible or year")
    if len(steps) > STEPS_MAX or any(source not in SOURCES or amount < 0 for source, amount in (money or {}).items()):
        raise InvalidInput("steps or money")
    clean_steps = [(check_text(t, limit=STEP_MAX, minimum=1), d) for t, d in steps]
    async with db.transaction() as tx:
        officer = await require_officer(db, officer_id)
        code = officer.municipality_code
        found = await store.visible_problems_in(tx, list(problem_ids), code)
        for problem_id in problem_ids:
            if problem_id not in found:
                raise ProblemNotInMunicipality(problem_id)
        now = now_db()
        item = await store.insert_item(tx, municipality_code=code, year=year, kind=kind, title=title,
                                       responsible=responsible, responsible_name=name, created_by=officer_id, at=now)
        await store.link_problems(tx, item.id, list(problem_ids))
        for step_title, deadline in clean_steps:
            await store.insert_step(tx, item.id, step_title, date_to_db(deadline) or "")
        for source, amount in (money or {}).items():
            await store.set_planned(tx, item.id, source, amount)
        await store.insert_change(tx, item.id, kind="created", actor_id=officer_id, at=now)
        await advance_problems(tx, list(problem_ids), "in_action_plan", actor_id=officer_id, comment=title, at=now)
        await audit.record(tx, officer_id, "plan.item_create", municipality_code=code, kind="plan_item",
                           target_id=item.id, details={"problems": list(problem_ids), "year": year, "kind": kind})
        view = await _view(tx, item)
        followers = await store.followers_of(tx, item.id)
        if followers:
            await enqueue(tx, kind=notices.ADDED, audience=Audience.residents(followers),
                          content=notices.added(view), municipality_code=code, sender_id=officer_id)
    return view


async def _view(db: Database | Transaction, item: Item) -> ItemView:
    return ItemView(item=item, problems=await store.problems_of(db, item.id), steps=await store.steps_of(db, item.id),
                    money=await store.money_of(db, item.id), proposal=await store.latest_proposal(db, item.id),
                    followers=len(await store.followers_of(db, item.id)), reports=await store.count_reports(db, item.id))


async def item_view(db: Database, item: Item) -> ItemView:
    """Everything the item's card shows."""
    return await _view(db, item)


async def plan_of(db: Database, municipality_code: str, *, year: int | None = None, kind: str | None = None) -> list[Item]:
    """The municipality's items (of ``year``, of ``kind``), oldest first."""
    return await store.items_of(db, municipality_code, year=year, kind=kind)


async def items_for_problem(db: Database, problem_id: int) -> list[Item]:
    """Items linked to a problem (for its card: "In the action plan: …")."""
    return await store.items_for_problem(db, problem_id)


async def _tell(tx: Transaction, item: Item, officer_id: int, content: notices.Notice) -> int:
    followers = await store.followers_of(tx, item.id)
    if not followers:
        return 0
    await enqueue(tx, kind=content.kind, audience=Audience.residents(followers), content=content,
                  municipality_code=item.municipality_code, sender_id=officer_id)
    return len(followers)


async def change_deadline(db: Database, *, officer_id: int, item_id: int, step_id: int, deadline: date,
                          reason: str) -> int:
    """An officer moves a step's deadline with a reason; followers are told. Returns how many.

    Raises:
        ItemNotFound, StepNotFound, NotAnOfficer, WrongMunicipality. TextTooShort/TextTooLong: the reason.
        Unchanged-like InvalidInput: the same deadline.
    """
    reason = check_text(reason, limit=REASON_MAX, minimum=REASON_MIN)
    async with db.transaction() as tx:
        item = await officer_item(db, tx, officer_id, item_id)
        step = next((s for s in await store.steps_of(tx, item.id) if s.id == step_id), None)
        if step is None:
            raise StepNotFound(step_id)
        if step.deadline == deadline:
            raise InvalidInput("the same deadline")
        now = now_db()
        await store.set_deadline(tx, step.id, deadline.isoformat())
        await audit.record(tx, officer_id, "plan.deadline", municipality_code=item.municipality_code, kind="plan_item",
                           target_id=item.id, details={"step": step.id, "old": step.deadline.isoformat(),
                                                       "new": deadline.isoformat()})
        await store.insert_change(tx, item.id, kind="deadline", subject=str(step.id), old=step.deadline.isoformat(),
                                  new=deadline.isoformat(), reason=reason, actor_id=officer_id, at=now)
        await store.touch_item(tx, item.id, now)
        return await _tell(tx, item, officer_id, notices.deadline_changed(item, step, deadline, reason))


async def change_money(db: Database, *, officer_id: int, item_id: int, source: str, amount: int, reason: str) -> int:
    """An officer changes the planned money of one source with a reason; followers are told. Returns how many.

    Raises:
        ItemNotFound, NotAnOfficer, WrongMunicipality. InvalidInput: unknown source, negative, the same amount.
        TextTooShort/TextTooLong: the reason.
    """
    reason = check_text(reason, limit=REASON_MAX, minimum=REASON_MIN)
    if source not in SOURCES or amount < 0:
        raise InvalidInput("source or amount")
    async with db.transaction() as tx:
        item = await officer_item(db, tx, officer_id, item_id)
        old = next((m.planned for m in await store.money_of(tx, item.id) if m.source == source), 0)
        if old == amount:
            raise InvalidInput("the same amount")
        now = now_db()
        await store.set_planned(tx, item.id, source, amount)
        await audit.record(tx, officer_id, "plan.money", municipality_code=item.municipality_code, kind="plan_item",
                           target_id=item.id, details={"source": source, "old": old, "new": amount})
        await store.insert_change(tx, item.id, kind="money", subject=source, old=str(old), new=str(amount),
                                  reason=reason, actor_id=officer_id, at=now)
        await store.touch_item(tx, item.id, now)
        return await _tell(tx, item, officer_id, notices.money_changed(item, source, old, amount, reason))


async def record_spent(db: Database, *, officer_id: int, item_id: int, source: str, amount: int) -> None:
    """An officer records the money spent from one source (for the execution hearing; nobody is told).

    Raises:
        ItemNotFound, NotAnOfficer, WrongMunicipality. InvalidInput: unknown source or negative.
    """
    if source not in SOURCES or amount < 0:
        raise InvalidInput("source or amount")
    async with db.transaction() as tx:
        item = await officer_item(db, tx, officer_id, item_id)
        now = now_db()
        await store.set_spent(tx, item.id, source, amount)
        await audit.record(tx, officer_id, "plan.spent", municipality_code=item.municipality_code, kind="plan_item",
                           target_id=item.id, details={"source": source, "spent": amount})
        await store.insert_change(tx, item.id, kind="spent", subject=source, new=str(amount), actor_id=officer_id, at=now)
        await store.touch_item(tx, item.id, now)


async def check_problems(db: Database, *, officer_id: int, problem_ids: Sequence[int]) -> list[int]:
    """``problem_ids`` if each is a visible problem of the officer's municipality (a wizard checks them
    at once; the use case checks again in its transaction).

    Raises:
        NotAnOfficer. ProblemNotInMunicipality: the first number that is not.
    """
    officer = await require_officer(db, officer_id)
    found = await store.visible_problems_in(db, list(problem_ids), officer.municipality_code)
    for problem_id in problem_ids:
        if problem_id not in found:
            raise ProblemNotInMunicipality(problem_id)
    return list(problem_ids)


async def add_to_item(db: Database, *, officer_id: int, item_id: int, problem_ids: Sequence[int] = (),
                      steps: Sequence[tuple[str, date]] = ()) -> ItemView:
    """An officer links more problems to an item and/or adds steps. Newly linked problems move forward
    to "in the joint action plan" and their followers who did not follow the item yet are told of it.

    Raises:
        ItemNotFound, NotAnOfficer. ProblemNotInMunicipality: a number that is no visible problem there.
        InvalidInput: nothing to add, or over :data:`~.model.STEPS_MAX` steps in all. TextTooLong: a step.
    """
    clean_steps = [(check_text(t, limit=STEP_MAX, minimum=1), d) for t, d in steps]
    if not problem_ids and not clean_steps:
        raise InvalidInput("nothing to add")
    async with db.transaction() as tx:
        item = await officer_item(db, tx, officer_id, item_id)
        if len(await store.steps_of(tx, item.id)) + len(clean_steps) > STEPS_MAX:
            raise InvalidInput("too many steps", limit=STEPS_MAX)
        found = await store.visible_problems_in(tx, list(problem_ids), item.municipality_code)
        for problem_id in problem_ids:
            if problem_id not in found:
                raise ProblemNotInMunicipality(problem_id)
        now = now_db()
        before = set(await store.followers_of(tx, item.id))
        new_problems = [p for p in problem_ids if p not in await store.problems_of(tx, item.id)]
        await store.link_problems(tx, item.id, new_problems)
        for step_title, deadline in clean_steps:
            await store.insert_step(tx, item.id, step_title, deadline.isoformat())
        await store.touch_item(tx, item.id, now)
        await advance_problems(tx, new_problems, "in_action_plan", actor_id=officer_id, comment=item.title, at=now)
        await audit.record(tx, officer_id, "plan.item_edit", municipality_code=item.municipality_code,
                           kind="plan_item", target_id=item.id, details={"problems": new_problems,
                                                                         "steps": len(clean_steps)})
        view = await _view(tx, item)
        newcomers = [f for f in await store.followers_of(tx, item.id) if f not in before]
        if newcomers:
            await enqueue(tx, kind=notices.ADDED, audience=Audience.residents(newcomers), content=notices.added(view),
                          municipality_code=item.municipality_code, sender_id=officer_id)
    return view


async def mark_step_done(db: Database, *, officer_id: int, item_id: int, step_id: int) -> bool:
    """An officer marks a step done; ``False`` when it was done already.

    Raises:
        ItemNotFound, StepNotFound, NotAnOfficer, WrongMunicipality.
    """
    async with db.transaction() as tx:
        item = await officer_item(db, tx, officer_id, item_id)
        if step_id not in [s.id for s in await store.steps_of(tx, item.id)]:
            raise StepNotFound(step_id)
        now = now_db()
        done = await store.set_step_done(tx, step_id, now)
        if done:
            await audit.record(tx, officer_id, "plan.step_done", municipality_code=item.municipality_code,
                               kind="plan_item", target_id=item.id, details={"step": step_id})
            await store.insert_change(tx, item.id, kind="step_done", subject=str(step_id), actor_id=officer_id, at=now)
        return done


async def set_status(db: Database, *, officer_id: int, item_id: int, status: str, result: str | None = None) -> Item:
    """An officer sets the item's status (and what was achieved); "in progress" moves its problems forward.

    Raises:
        ItemNotFound, NotAnOfficer, WrongMunicipality. InvalidInput: unknown status. TextTooLong: the result.
    """
    if status not in ITEM_STATUSES:
        raise InvalidInput("status")
    clean = None if result is None else check_text(result, limit=RESULT_MAX)
    async with db.transaction() as tx:
        item = await officer_item(db, tx, officer_id, item_id)
        now = now_db()
        updated = await store.set_item_status(tx, item.id, status=status, result=clean, at=now)
        await store.insert_change(tx, item.id, kind="status", old=item.status, new=status, actor_id=officer_id, at=now)
        await audit.record(tx, officer_id, "plan.status", municipality_code=item.municipality_code, kind="plan_item",
                           target_id=item.id, details={"old": item.status, "new": status})
        if status in PROBLEM_STATUS_OF_ITEM:
            await advance_problems(tx, await store.problems_of(tx, item.id), PROBLEM_STATUS_OF_ITEM[status],
                                   actor_id=officer_id, comment=item.title, at=now)
    return updated
