"""A notification's "Open" button sends the card as a new message and never overwrites the
notification (issue 12), and a solved problem's card itself offers "still a problem?" to its
supporters."""

from __future__ import annotations

from bot.db import Database
from bot.domain import problems as pb
from tests.harness import labels, plain
from tests.problems_support import open_card, raise_problem
from tests.support import officer_person, onboard

TEXT = "Вода не идет третий день по улице Ленина"


async def _delivered(harness, db: Database, settings) -> None:
    from bot.delivery.worker import DeliveryWorker

    worker = DeliveryWorker(db, harness.bot, settings.model_copy(update={"telegram_api_url": harness.emulator.base_url}),
                            own_session=False)
    await worker.start()
    try:
        worker.wake()
        await worker.wait_idle(timeout=20)
    finally:
        await worker.stop()


async def test_open_on_a_notification_sends_the_card_and_keeps_the_notification(harness, db: Database, settings) -> None:
    author = await onboard(harness, db, 6101, "ru", name="Иван")
    problem_id = await raise_problem(author, TEXT, "Водоснабжение")
    await officer_person(harness, db, 6102)
    await pb.change_status(db, officer_id=6102, problem_id=problem_id, status="solved", comment="Трубу заменили")
    await _delivered(harness, db, settings)
    notice = author.last()
    assert "Решена" in plain(notice) and "Проблема осталась" in labels(notice)

    replies = await author.press("Открыть", notice)
    [card] = replies
    assert card["message_id"] != notice["message_id"]  # a new message, not an edit of the notification
    assert TEXT in plain(card)
    kept = next(m for m in harness.emulator.bot_messages(6101) if m["message_id"] == notice["message_id"])
    assert plain(kept) == plain(notice) and labels(kept) == labels(notice)  # its own buttons are still there


async def test_a_solved_card_asks_its_supporters_still_a_problem(harness, db: Database) -> None:
    author = await onboard(harness, db, 6201, "ru", name="Иван")
    neighbour = await onboard(harness, db, 6202, "ru", name="Бакыт")
    stranger = await onboard(harness, db, 6203, "ru", name="Нурлан")
    problem_id = await raise_problem(author, TEXT, "Водоснабжение")
    await pb.support(db, problem_id=problem_id, resident_id=6202)
    await officer_person(harness, db, 6204)
    await pb.change_status(db, officer_id=6204, problem_id=problem_id, status="solved")

    [card] = await open_card(neighbour, problem_id)
    assert "Проблема осталась" in labels(card)
    await neighbour.press("Проблема осталась", card)
    assert "Спасибо" in neighbour.alerts()[-1]["text"]
    assert await db.fetchval("SELECT count(*) FROM problem_still_answers WHERE problem_id = ?", (problem_id,)) == 1

    [card] = await open_card(stranger, problem_id)  # not a supporter: no answer to give
    assert "Проблема осталась" not in labels(card)


async def test_vote_on_a_survey_announcement_keeps_the_announcement(harness, db: Database, settings, frozen_clock) -> None:
    from bot.domain import surveys as sv
    from tests.survey_helpers import OFFICER, START, draft, make_officer, make_resident

    frozen_clock.set(START)
    await make_officer(db, harness)
    voter = harness.person(6301, "Иван", language_code="ru")
    await make_resident(db, 6301, "ru")
    await voter.send("/menu")  # Telegram delivers only to people who have started the bot
    await sv.create_survey(db, officer_id=OFFICER, draft=draft())
    await _delivered(harness, db, settings)
    announcement = voter.last()
    assert "Какую дорогу ремонтировать?" in plain(announcement)

    [ballot] = await voter.press("Голосовать", announcement)
    assert ballot["message_id"] != announcement["message_id"] and "Школьная улица" in " ".join(labels(ballot))
    kept = next(m for m in harness.emulator.bot_messages(6301) if m["message_id"] == announcement["message_id"])
    assert plain(kept) == plain(announcement)
