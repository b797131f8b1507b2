"""Officers (issue 12): the officer's tools from the main menu, the problem queue filtered by status
(rejected and solved problems can be found and their status undone), the next status first."""

from __future__ import annotations

from bot.db import Database
from bot.domain import problems as pb
from bot.i18n import numbered
from tests.harness import labels, plain
from tests.problems_support import raise_problem
from tests.support import officer_person, onboard


async def test_the_officer_main_menu_has_the_tools_and_a_resident_menu_does_not(harness, db: Database) -> None:
    resident = await onboard(harness, db, 8101, "ru")
    officer = await officer_person(harness, db, 8102)
    [menu] = await resident.send("/menu")
    assert not any("Инструменты специалиста" in b or "Officer tools" in b for b in labels(menu))
    [menu] = await officer.send("/menu")
    tools = next(b for b in labels(menu) if "🛠" in b)
    [panel] = await officer.press(tools, menu)
    assert "/kyname" in plain(panel)
    assert len(labels(panel)) >= 5  # the queue, surveys, hearings, registry, « Main menu
    queue = await officer.press("📥", panel)
    assert queue and labels(queue[-1])


async def test_a_rejected_problem_is_found_by_status_and_put_back(harness, db: Database) -> None:
    author = await onboard(harness, db, 8201, "ru", name="Иван")
    officer = await officer_person(harness, db, 8202)
    problem_id = await raise_problem(author, "Вода не идет третий день по улице Ленина", "Водоснабжение")
    await pb.change_status(db, officer_id=8202, problem_id=problem_id, status="rejected", comment="Это вопрос района")
    [queue] = await officer.send("/problems_queue")
    assert numbered(problem_id) not in plain(queue)  # the default queue: new problems only

    [statuses] = await officer.press("🔎", queue)
    assert "Отклонена" in labels(statuses) and "Решена" in labels(statuses)
    [rejected] = await officer.press("Отклонена", statuses)
    assert numbered(problem_id) in plain(rejected) and "Отклонена" in plain(rejected)
    [card] = await officer.press(numbered(problem_id), rejected)
    [options] = await officer.press("Другой статус", card)
    await officer.press("На рассмотрении", options)
    await officer.press("Применить без комментария")
    assert (await pb.get_problem(db, problem_id)).status == "under_review"


async def test_other_statuses_offer_the_next_one_of_the_cycle_first(harness, db: Database) -> None:
    author = await onboard(harness, db, 8301, "ru", name="Иван")
    officer = await officer_person(harness, db, 8302)
    problem_id = await raise_problem(author, "Вода не идет третий день по улице Ленина", "Водоснабжение")
    await pb.change_status(db, officer_id=8302, problem_id=problem_id, status="under_review")
    [queue] = await officer.send("/problems_queue")
    [statuses] = await officer.press("🔎", queue)
    [listed] = await officer.press("На рассмотрении", statuses)
    [card] = await officer.press(numbered(problem_id), listed)
    [options] = await officer.press("Другой статус", card)
    assert labels(options)[0] == "Признана приоритетной"  # prioritized: the step after under review
    await officer.press(labels(options)[0], options)  # two taps: the status, then apply
    await officer.press("Применить без комментария")
    assert (await pb.get_problem(db, problem_id)).status == "prioritized"


async def test_search_hints_name_the_command_to_send_next(harness, db: Database) -> None:
    from tests.support import AK_DEBE, SUPERADMIN_ID

    admin = await onboard(harness, db, SUPERADMIN_ID, "ru", name="Админ")
    [found] = await admin.send("/find Ак-Дебе")
    assert AK_DEBE in plain(found) and "/grant" in plain(found) and "/invite" in plain(found)
    [ambiguous] = await admin.send("/officers Ак-Дебе")
    assert AK_DEBE in plain(ambiguous) and "/officers" in plain(ambiguous) and "/grant" not in plain(ambiguous)
    assert not any(f"({n})" in plain(ambiguous) for n in range(1, 20))
