"""End to end: the whole cycle from priority to result in the real bot process (`python -m bot run`)
against the Bot API emulator, people acting only through Telegram, notices delivered by the outbox
worker in each reader's language:

a problem raised (ky) and supported (ru) → a budget hearing announced → the officer puts it in the
joint action plan with steps and money → proposed at the budget hearing → accepted by the council with
an amount → a monitoring group member joins with a code and reports with a photo carrying EXIF (the copy
everyone receives has none) → a member of another municipality is refused → the report for the
execution hearing (messages and CSV) → the figures equal the data.

Plan buttons are pressed by their callback data and plan texts matched on language-independent facts
(titles, numbers, Babel dates), so the test holds whatever the state of the catalogs.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
from datetime import datetime, timedelta

import pytest

from bot.domain.plans.photos import has_metadata
from bot.i18n import _, format_number, numbered
from bot.ui.plans import PlanCb
from tests.test_e2e_features import (  # noqa: F401  (bot_process is a fixture)
    BISHKEK_TZ,
    DELIVERY_WAIT,
    WAIT,
    Person,
    _bishkek,
    bot_process,
    community,
    text_of,
)
from tests.test_plans_domain import exif_jpeg
from tests.support import BISHKEK

pytestmark = pytest.mark.slow

TITLE = "Суу түтүгүн алмаштыруу"


async def press_data(person: Person, prefix: str, expect) -> dict:  # noqa: ANN001
    """Press the newest button whose callback data starts with ``prefix``; wait for ``expect``."""
    for message in reversed(person.emulator.bot_messages(person.user_id)):
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if button.get("callback_data", "").startswith(prefix):
                    after = person.mark()
                    person.emulator.press_button(person.user_id, message["message_id"], button["callback_data"])
                    return await person.wait(expect, after=after)
    raise AssertionError(f"no button {prefix!r}; last: {text_of(person.emulator.last_bot_message(person.user_id))!r}")


async def onboard(emulator, user_id: int, name: str, locale: str, place: str) -> Person:  # noqa: ANN001
    person = Person(emulator, user_id, name, locale)
    await person.send("/start", lambda m: True)
    await person.press("Кыргызча" if locale == "ky" else "Русский", lambda m: True)
    if place == "bishkek":
        await person.press("г. Бишкек", lambda m: "меню" in text_of(m).lower())
    else:
        await person.send("аламудун", lambda m: True)
        await person.press("Аламүдүн · Аламүдүн р-ну" if locale == "ky" else "Аламудунский · Аламудунский",
                           lambda m: "меню" in text_of(m).lower())
    return person


async def polling(emulator, timeout: float = 90.0) -> None:  # noqa: ANN001
    """Wait until the bot process polls (its start-up — migrations, the municipality list — may take a
    while on a busy machine; every later step has its own bound)."""
    await emulator.wait_polling(timeout)


def _space(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


async def test_from_priority_to_result(bot_process) -> None:  # noqa: F811
    emulator = bot_process
    await polling(emulator)
    aigul, ivan, officer = await community(emulator)
    member = await onboard(emulator, 4104, "Бакыт", "ky", "alamudun")

    # a problem raised in Kyrgyz and supported in Russian
    await aigul.send("/newproblem", "Көйгөйдүн категориясын тандаңыз")
    await aigul.press("Суу менен камсыздоо", "Көйгөйдү өз сөзүңүз менен жазыңыз")
    await aigul.send("Көчөдө суу жок, үч күндөн бери кран кургак", "Көйгөйдүн 3 сүрөтүнө чейин кошуңуз")
    await aigul.press("⏭", "көйгөйдүн жайгашкан жерин тиркеңиз")
    await aigul.press("⏭", "Көчөдө суу жок")
    published = await aigul.press("✅", "көйгөйүңүз жарыяланды")
    problem_id = int(re.search(r"№(\d+)", text_of(published)).group(1))
    await ivan.send("/problems", lambda m: True)
    await ivan.press("Приоритетные", numbered(problem_id))
    card = await ivan.press(numbered(problem_id), "Көчөдө суу жок")
    assert await ivan.tap("Поддержать", card) == "Ваша поддержка учтена"

    # the budget hearing is announced
    await officer.send("/hearing", "Публичные слушания")
    await officer.press("Новые слушания", "Шаг 1: выберите тему")
    await officer.press("Проект местного бюджета", "Шаг 2: название на кыргызском")
    await officer.send("2027-жылдын бюджети", "Шаг 3: название на русском")
    await officer.send("Бюджет на 2027 год", "Шаг 4: повестка дня на кыргызском")
    await officer.send("Бюджеттин долбоору", lambda m: "✅ Готово" in [b["text"] for r in (m.get("reply_markup") or {}).get("inline_keyboard", []) for b in r])
    await officer.press("Готово", "Шаг 5: повестка дня на русском")
    await officer.send("Проект бюджета", lambda m: "✅ Готово" in [b["text"] for r in (m.get("reply_markup") or {}).get("inline_keyboard", []) for b in r])
    await officer.press("Готово", "Отправьте дату и время слушаний")
    starts = datetime.now(BISHKEK_TZ).replace(hour=18, minute=0, second=0, microsecond=0) + timedelta(days=14)
    await officer.send(_bishkek(starts), "Сохранено:")
    await officer.send("Айыл өкмөтүнүн чоң залы", "Отправьте место на карте")
    await officer.press("Пропустить", "Приложите документ")
    await officer.press("Пропустить", "Предпросмотр.")
    await officer.press("Опубликовать", "Опубликовано.")

    # the officer puts the problem in the joint action plan with steps and money
    await officer.send("/plans", lambda m: PlanCb(a="new").pack() in str(m.get("reply_markup")))
    await press_data(officer, PlanCb(a="new").pack(), lambda m: "2027" in str(m.get("reply_markup")))
    await press_data(officer, "st:plnew:year:2027", "200")
    await officer.send(TITLE, lambda m: "12, 15" in text_of(m))
    await officer.send(f"{problem_id}", lambda m: "municipal_enterprise" in str(m.get("reply_markup")))
    await press_data(officer, "st:plnew:responsible:municipal_enterprise", "200")
    await officer.send("Аламүдүн Суу", "31.05.2027")
    await officer.send("Смета — 01.03.2027\nТүтүк сатып алуу — 31.05.2027", lambda m: "local_budget" in str(m.get("reply_markup")))
    await press_data(officer, "st:plnew:source:local_budget", "150000")
    await officer.send("150 000", lambda m: "150" in text_of(m) and "save" in str(m.get("reply_markup")))
    await press_data(officer, "st:plnew:source:residents_labour", "150000")
    await officer.send("40000", lambda m: "40" in text_of(m) and "save" in str(m.get("reply_markup")))
    saved = await press_data(officer, "st:plnew:source:save", lambda m: numbered(problem_id) in text_of(m))
    item_id = int(re.search(r"\([#№](\d+)\)", text_of(saved)).group(1))
    ky = await aigul.wait(lambda m: TITLE in text_of(m) and "2027-ж., 31-май" in text_of(m), timeout=DELIVERY_WAIT)
    ru = await ivan.wait(lambda m: TITLE in text_of(m) and "31 мая 2027" in _space(text_of(m)), timeout=DELIVERY_WAIT)
    assert "150 000" in _space(text_of(ky)) and "150 000" in _space(text_of(ru))

    # proposed at the budget hearing; accepted by the council with an amount
    await officer.send("/plans", numbered(item_id))
    await press_data(officer, PlanCb(a="oc", i=item_id).pack(), TITLE)
    await press_data(officer, PlanCb(a="prop", i=item_id).pack(), lambda m: "st:plprop:hearing:" in str(m.get("reply_markup")))
    await press_data(officer, "st:plprop:hearing:", "150000")
    await officer.send("150000", "150")
    await aigul.wait(lambda m: "2027-жылдын бюджети" in text_of(m) and TITLE in text_of(m), timeout=DELIVERY_WAIT)
    await ivan.wait(lambda m: "Бюджет на 2027 год" in text_of(m) and TITLE in text_of(m), timeout=DELIVERY_WAIT)
    await officer.send("/plans", numbered(item_id))
    await press_data(officer, PlanCb(a="oc", i=item_id).pack(), TITLE)
    await press_data(officer, PlanCb(a="dec", i=item_id).pack(),
                     lambda m: "st:pldec:decision:accepted" in str(m.get("reply_markup")))
    await press_data(officer, "st:pldec:decision:accepted", lambda m: True)
    await officer.send("150000", "12-3")
    await officer.send("12-3", "20.01.2027")
    await officer.send("20.01.2027", "✅")
    await aigul.wait(lambda m: "12-3" in text_of(m) and "2027-ж., 20-январь" in text_of(m), timeout=DELIVERY_WAIT)
    await ivan.wait(lambda m: "12-3" in text_of(m) and "20 января 2027" in _space(text_of(m)), timeout=DELIVERY_WAIT)

    # a monitoring group member joins with a code and reports with a photo; its EXIF is gone
    await officer.send("/monitoring_group", lambda m: PlanCb(a="inv").pack() in str(m.get("reply_markup")))
    invite = await press_data(officer, PlanCb(a="inv").pack(), "/monitoring")
    code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", text_of(invite)).group(1)
    await member.send(f"/monitoring {code}", numbered(item_id))
    await member.send("/plan", numbered(item_id))
    await press_data(member, PlanCb(a="card", i=item_id).pack(), TITLE)
    await press_data(member, PlanCb(a="rep", i=item_id).pack(),
                     lambda m: "st:plrep:progress:delayed" in str(m.get("reply_markup")))
    await press_data(member, "st:plrep:progress:delayed", lambda m: "1500" in text_of(m) or "1 500" in _space(text_of(m)))
    await member.send("Түтүктөр али келе элек", lambda m: "st:plrep:procurement" in str(m.get("reply_markup")))
    await member.send("Тендер жарыяланган жок", lambda m: "st:plrep:photos" in str(m.get("reply_markup")))
    original = exif_jpeg()
    assert has_metadata(original)
    after = member.mark()
    emulator.send_photo(member.user_id, data=original)
    copy = await member.wait(lambda m: bool(m.get("photo")), after=after)
    await member.wait(lambda m: "st:plrep:photos:done" in str(m.get("reply_markup")), after=copy["message_id"])
    await press_data(member, "st:plrep:photos:done", lambda m: "st:plrep:sign" in str(m.get("reply_markup")))
    await press_data(member, "st:plrep:sign:no", "✅")
    told = await officer.wait(lambda m: bool(m.get("photo")) and "Тендер жарыяланган жок" in text_of(m),
                              timeout=DELIVERY_WAIT)
    assert "Бакыт" in text_of(told)  # officers see the author
    seen = await ivan.wait(lambda m: bool(m.get("photo")) and "Тендер" in text_of(m), timeout=DELIVERY_WAIT)
    assert "Бакыт" not in text_of(seen)  # residents do not: the report is not signed
    for message in (copy, told, seen):
        assert not has_metadata(emulator._files[message["photo"][-1]["file_id"]].data)

    # a member of another municipality's group is refused
    admin = Person(emulator, 900_000_001, "Админ", "ru")
    await admin.send(f"/grant {admin.user_id} {BISHKEK}", f"(id {admin.user_id})")
    await admin.send("/monitoring_group", lambda m: PlanCb(a="inv").pack() in str(m.get("reply_markup")))
    foreign_invite = await press_data(admin, PlanCb(a="inv").pack(), "/monitoring")
    foreign = await onboard(emulator, 4105, "Асан", "ru", "bishkek")
    foreign_code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", text_of(foreign_invite)).group(1)
    await foreign.send(f"/monitoring {foreign_code}", lambda m: True)
    update = emulator.press_button(foreign.user_id, foreign.mark(), PlanCb(a="rep", i=item_id).pack())
    query = update["callback_query"]["id"]
    for _attempt in range(int(WAIT / 0.1)):
        answers = [a for a in emulator.callback_answers if a["callback_query_id"] == query]
        if answers:
            break
        await asyncio.sleep(0.1)
    assert answers and answers[0]["text"] == _(
        "You are a member of another municipality's monitoring group: you can report only on your own.", locale="ru")

    # reported at the execution hearing: messages and the CSV
    after = officer.mark()
    emulator.send_text(officer.user_id, "/plan_report 2027")
    document = await officer.wait(lambda m: bool(m.get("document")), after=after)
    rows = list(csv.reader(io.StringIO(emulator._files[document["document"]["file_id"]].data.decode("utf-8-sig")),
                           delimiter=";"))
    assert rows[1][2] == TITLE and rows[1][6:10] == ["190000", "0", "150000", "1"]
    assert any(TITLE in text_of(m) and "190 000" in _space(text_of(m))
               for m in emulator.bot_messages(officer.user_id) if m["message_id"] > after)

    # the figures equal the data
    shown = await officer.send("/figures", lambda m: "Kyrgyz" in text_of(m) or "Кыргыз" in text_of(m)
                               or _("Kyrgyzstan", locale="ru") in text_of(m))
    assert _("Members of monitoring groups: {count}", locale="ru").format(count=format_number(1, "ru")) in text_of(shown)
    assert _("Action-plan items: {items}; monitored: {monitored}", locale="ru").format(
        items=format_number(1, "ru"), monitored=format_number(1, "ru")) in text_of(shown)
