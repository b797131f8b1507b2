"""/announce through the real dispatcher: officers only, both languages, bounds, restart, double tap,
then the delivery worker sends it to the officer's municipality and reports to the officer."""

from __future__ import annotations

import re

from bot.app import build_application
from bot.db import Database
from bot.delivery.worker import DeliveryWorker
from bot.domain.officers import grant_officer
from tests.delivery_helpers import add_residents, drop_updates, open_chats
from tests.harness import Harness, labels, plain
from tests.support import AK_DEBE, ALAMUDUN, SUPERADMIN_ID

OFFICER = 70_001


async def _setup(db: Database, harness: Harness) -> list[int]:
    residents = list(range(70_101, 70_109))  # 8 residents of Ак-Дебе, mixed languages
    await add_residents(db, [OFFICER] + residents)  # the officer reads Kyrgyz (first of the mix)
    await db.fetchval("SELECT 1")
    async with db.transaction() as tx:
        await tx.execute("UPDATE residents SET locale = 'ru' WHERE telegram_id = ?", (OFFICER,))
    await add_residents(db, [70_201, 70_202], municipality=ALAMUDUN)  # another municipality
    await grant_officer(db, actor_id=SUPERADMIN_ID, superadmins=frozenset({SUPERADMIN_ID}), telegram_id=OFFICER,
                        municipality_code=AK_DEBE)
    open_chats(harness.emulator, residents + [70_201, 70_202])
    await drop_updates(harness.emulator.base_url, harness.emulator.token)
    return residents


def _digits(text: str) -> str:
    return re.sub(r"\s", "", text)


async def test_a_resident_gets_the_polite_refusal(db: Database, harness: Harness) -> None:
    await add_residents(db, [70_301, 70_302])  # ky, ru
    ky = await harness.person(70_301).send("/announce")
    ru = await harness.person(70_302).send("/announce")
    assert plain(ky[-1]).startswith("Бул буйрук муниципалитеттин адистери үчүн гана")
    assert plain(ru[-1]).startswith("Эта команда только для специалистов муниципалитета")


async def test_officer_announces_in_kyrgyz_only_after_a_restart_and_a_double_tap(
    db: Database, harness: Harness, settings
) -> None:
    residents = await _setup(db, harness)
    officer = harness.person(OFFICER, "Нурлан", language_code="ru")
    reply = await officer.send("/announce")
    assert "кыргызском" in plain(reply[-1]) and "3 500" in plain(reply[-1]).replace("\xa0", " ")
    reply = await officer.send_sticker()
    assert plain(reply[-1]) == "Отправьте это текстом или /cancel."
    reply = await officer.send("ж" * 4096)  # the first part of a longer paste: Telegram cuts at 4,096
    assert "3500" in _digits(plain(reply[-1])) and "4096" in _digits(plain(reply[-1]))
    # the rest of a pasted text that Telegram split arrives at once: not taken as the announcement
    reply = await officer.send("жж хвост")
    assert "конец длинного текста" in plain(reply[-1])
    # the officer's shortened text comes later (a person needs more than a few seconds to edit)
    later = harness.emulator.send_text(OFFICER, "Эртең саат 10:00до айыл өкмөтүндө <бюджет> боюнча коомдук угуу болот.")
    later["message"]["date"] += 30
    count = len(harness.emulator.bot_messages(OFFICER))
    await harness.feed(later)
    reply = harness.emulator.bot_messages(OFFICER)[count:]
    assert plain(reply[-1]).startswith("Теперь отправьте это же объявление на русском")

    # the bot restarts: a new dispatcher on the same database keeps the draft
    app = await build_application(settings.model_copy(update={"telegram_api_url": harness.emulator.base_url}), db)
    harness = Harness(harness.emulator, harness.bot, app.dispatcher)
    officer = harness.person(OFFICER, "Нурлан", language_code="ru")
    preview = await officer.press("Пропустить")
    texts = [plain(m) for m in preview]
    assert any(t.startswith("📣 Кулактандыруу · Ак-Дебе") and "<бюджет>" in t for t in texts)
    assert "все получат текст на кыргызском" in texts[-1] and "Его получат 9 жителей" in texts[-1]

    confirm = officer.find_button("Отправить")[0]
    await officer.press("Отправить", confirm)
    again = await officer.press_data(confirm["message_id"], officer.find_button("Отправить", confirm)[1]) \
        if officer.emulator.bot_messages(OFFICER) else []  # a double tap on the same button
    assert await db.fetchval("SELECT count(*) FROM broadcasts") == 1
    assert officer.alerts()[-1]["text"].startswith("Этот шаг уже пройден")
    assert not [m for m in again if "поставлено" in plain(m)]
    queued = officer.last()
    assert plain(queued).startswith("📣 Объявление поставлено в очередь для 9 жителей")

    worker = DeliveryWorker(db, harness.bot, settings.model_copy(update={"delivery_rate": 100}))
    await worker.start()
    try:
        await worker.wait_idle(timeout=15)
    finally:
        await worker.stop()
    for rid in residents + [OFFICER]:
        got = [plain(m) for m in harness.emulator.bot_messages(rid)
               if plain(m).startswith(("📣 Кулактандыруу ·", "📣 Объявление ·")) and "<бюджет>" in plain(m)]
        # Russian readers get the Kyrgyz text too (Russian was skipped), under a header in their language;
        # the officer also saw the preview
        assert len(got) == (2 if rid == OFFICER else 1), rid
    for rid in (70_201, 70_202):  # another municipality hears nothing
        assert not [m for m in harness.emulator.bot_messages(rid) if "Кулактандыруу" in plain(m)]
    # a small broadcast (issue 12): the "queued" message itself becomes the summary, no second message
    edited = next(m for m in harness.emulator.bot_messages(OFFICER) if m["message_id"] == queued["message_id"])
    assert plain(edited).startswith("✅ Рассылка завершена.\nДоставлено: 9 из 9")
    assert labels(edited) == ["« Главное меню"]  # the summary is the last word: a way on (issue 12)
    summaries = [m for m in harness.emulator.bot_messages(OFFICER) if "Рассылка завершена" in plain(m)
                 or "Отправлено жителям" in plain(m)]
    assert [m["message_id"] for m in summaries] == [queued["message_id"]]


async def test_officer_announces_in_both_languages_and_can_cancel(db: Database, harness: Harness) -> None:
    await _setup(db, harness)
    officer = harness.person(OFFICER, "Нурлан", language_code="ru")
    await officer.send("/announce")
    await officer.send("Кулак салыңыздар")
    preview = await officer.send("Внимание & слушайте")
    texts = [plain(m) for m in preview]
    # no attested Kyrgyz name for Ак-Дебе in the data: the Russian one is shown
    assert texts[0] == "📣 Кулактандыруу · Ак-Дебенский айылный аймак\n\nКулак салыңыздар"
    assert texts[1].startswith("📣 Объявление · ") and texts[1].endswith("Внимание & слушайте")
    assert "на кыргызском и на русском" in texts[2]
    reply = await officer.send("ещё текст")
    assert plain(reply[-1]).startswith("Воспользуйтесь кнопками под последним сообщением")
    stale, send_data = officer.find_button("Отправить")
    reply = await officer.press("Отмена")
    assert plain(reply[-1]) == "Отменено. Ничего не отправлено."
    assert await db.fetchval("SELECT count(*) FROM broadcasts") == 0
    now = next(m for m in officer.emulator.bot_messages(OFFICER) if m["message_id"] == stale["message_id"])
    assert not now.get("reply_markup"), "the preview's buttons are removed after cancelling"
    await officer.press_data(stale["message_id"], send_data)  # a stale "Send" (e.g. from another device)
    assert officer.alerts()[-1]["text"].startswith("Этот шаг уже пройден")
    assert await db.fetchval("SELECT count(*) FROM broadcasts") == 0
