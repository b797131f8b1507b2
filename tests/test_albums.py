"""An album (photos sent together) is one message to the bot: one reply, every photo, any caption
(issue 12, "bugs of whole classes"; bot.flows.album)."""

from __future__ import annotations

from bot.db import Database
from bot.flows.album import AlbumMiddleware
from tests.harness import plain
from tests.support import onboard

TEXT = "Көпүрө бузулуп калды, балдар мектепке өтө албай жатышат"


async def _at_photos_step(harness, db: Database, uid: int):
    person = await onboard(harness, db, uid, "ky")
    await person.send("/newproblem")
    await person.press("Жолдор")
    await person.send(TEXT)
    return person


async def _draft(harness, uid: int) -> dict:
    from aiogram.fsm.storage.base import StorageKey

    key = StorageKey(bot_id=harness.bot.id, chat_id=uid, user_id=uid)
    return await harness.dispatcher.storage.get_data(key)


async def test_the_album_middleware_runs_before_the_chat_lock(harness) -> None:
    chain = list(harness.dispatcher.update.outer_middleware)
    position = next(i for i, m in enumerate(chain) if isinstance(m, AlbumMiddleware))
    assert position == chain.index(harness.dispatcher.fsm) - 1


async def test_an_album_of_three_photos_gets_one_reply_and_all_photos(harness, db: Database) -> None:
    person = await _at_photos_step(harness, db, 7101)
    replies = await person.send_album(3)
    assert len(replies) == 1, [plain(m) for m in replies]
    assert len((await _draft(harness, 7101))["photos"]) == 3


async def test_an_album_over_the_limit_is_refused_once(harness, db: Database) -> None:
    person = await _at_photos_step(harness, db, 7102)
    replies = await person.send_album(5)
    texts = [plain(m) for m in replies]
    assert len(replies) == 2 and "3 сүрөттөн ашык" in texts[0], texts  # told once, then the next step
    assert len((await _draft(harness, 7102))["photos"]) == 3


async def test_a_caption_on_the_second_photo_becomes_the_problem_text(harness, db: Database) -> None:
    person = await onboard(harness, db, 7103, "ky")
    await person.send("/newproblem")
    await person.press("Жолдор")
    replies = await person.send_album(2, captions={1: TEXT})
    assert len(replies) == 1, [plain(m) for m in replies]
    draft = await _draft(harness, 7103)
    assert draft["text"] == TEXT and len(draft["photos"]) == 2


async def test_a_caption_in_the_photos_step_is_kept_with_the_text(harness, db: Database) -> None:
    person = await _at_photos_step(harness, db, 7104)
    await person.send_album(2, captions={1: "Сүрөт эртең менен тартылды"})
    draft = await _draft(harness, 7104)
    assert draft["text"] == TEXT + "\n\nСүрөт эртең менен тартылды"


async def test_an_album_outside_any_step_gets_one_answer(harness, db: Database) -> None:
    person = await onboard(harness, db, 7105, "ru")
    await person.send("/menu")
    replies = await person.send_album(4)
    assert len(replies) == 1, [plain(m) for m in replies]
