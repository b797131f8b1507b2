"""End to end: the features in the real bot process (`python -m bot run`) against the Bot API emulator.

As in tests/test_e2e.py, the bot runs as a separate process with TELEGRAM_API_URL pointed at the
emulator; here the scheduler runs every second and the delivery worker sends what the outbox holds.
People act only through Telegram: commands, typed text and button presses, and the test waits (bounded)
for what each of them would see in their own chat, in their own language:

* a priority problem raised in Kyrgyz, supported in Russian, moved on by the officer with a comment,
  and the status notice delivered to the author and the supporter;
* a survey created by the officer, announced, voted on by both residents, closed early, and the
  (suppressed: fewer than 5 voters) results delivered to both;
* a public hearing announced (respecting the 10-day notice period) and "I will come" pressed.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import numbered
from bot.sandbox.emulator import BotAPIEmulator
from tests.support import ALAMUDUN
from tests.support import SUPERADMIN_ID as ADMIN
from tests.web_helpers import STARTUP

pytestmark = pytest.mark.slow  # starts `python -m bot` as a process of its own

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "5550002:E2EFEATURES"
BISHKEK_TZ = ZoneInfo("Asia/Bishkek")
WAIT = 15.0  # seconds: the most any single step may take
DELIVERY_WAIT = 20.0  # seconds: a notification through the outbox, the delivery worker and 1 msg/s per chat

Expect = str | Callable[[dict[str, Any]], bool]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "TELEGRAM_API_URL", "DATABASE_PATH")}
    env.update({"PYTHONUNBUFFERED": "1", "DEFAULT_LOCALE": "ky"}, **extra)
    return env


def text_of(message: dict[str, Any]) -> str:
    return message.get("text") or message.get("caption") or ""


def labels(message: dict[str, Any]) -> list[str]:
    return [b["text"] for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


def _predicate(expect: Expect) -> Callable[[dict[str, Any]], bool]:
    if callable(expect):
        return expect
    return lambda m: expect in text_of(m)


class Person:
    """One simulated person in a private chat with the bot process."""

    def __init__(self, emulator: BotAPIEmulator, user_id: int, first_name: str, language_code: str | None) -> None:
        self.emulator = emulator
        self.user_id = user_id
        emulator.add_user(user_id, first_name, language_code=language_code)

    def mark(self) -> int:
        """The newest message id in the chat: messages after it are new."""
        return self.emulator.last_message_id(self.user_id)

    async def wait(self, expect: Expect, *, after: int = 0, timeout: float = WAIT) -> dict[str, Any]:
        """A bot message (new after ``after``, or edited while waiting) matching ``expect``.

        Then, like a person reading it, wait until the bot has gone quiet: a handler may still save its
        step after sending (e.g. the problem preview is sent, then its draft token is stored), and no
        human taps a button within milliseconds of it appearing.
        """
        message = await self.emulator.wait_for_bot_message(self.user_id, after=after, predicate=_predicate(expect),
                                                           timeout=timeout)
        await self.emulator.wait_idle(timeout=timeout)
        return message

    async def send(self, text: str, expect: Expect) -> dict[str, Any]:
        """Send ``text``; wait for the bot's message matching ``expect``."""
        after = self.mark()
        self.emulator.send_text(self.user_id, text)
        return await self.wait(expect, after=after)

    def find(self, label: str, message: dict[str, Any] | None = None) -> tuple[dict[str, Any], str]:
        """The newest bot message with a button whose label contains ``label`` (or that of ``message``)."""
        messages = [message] if message else list(reversed(self.emulator.bot_messages(self.user_id)))
        for msg in messages:
            current = next((m for m in self.emulator.bot_messages(self.user_id)
                            if m["message_id"] == msg["message_id"]), msg)
            for row in (current.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if label in button["text"] and "callback_data" in button:
                        return current, button["callback_data"]
        last = self.emulator.last_bot_message(self.user_id)
        raise AssertionError(f"user {self.user_id}: no button {label!r}; last message: "
                             f"{text_of(last) if last else None!r} {labels(last) if last else []}")

    async def press(self, label: str, expect: Expect, message: dict[str, Any] | None = None) -> dict[str, Any]:
        """Press the button labelled ``label``; wait for the bot's message (new or edited) matching ``expect``."""
        msg, data = self.find(label, message)
        after = self.mark()
        self.emulator.press_button(self.user_id, msg["message_id"], data)
        return await self.wait(expect, after=after)

    async def tap(self, label: str, message: dict[str, Any] | None = None) -> str:
        """Press the button labelled ``label``; return the toast/alert text the bot answered with."""
        msg, data = self.find(label, message)
        update = self.emulator.press_button(self.user_id, msg["message_id"], data)
        query_id = update["callback_query"]["id"]
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            for answer in self.emulator.callback_answers:
                if answer["callback_query_id"] == query_id:
                    return answer["text"] or ""
            await asyncio.sleep(0.02)
        raise AssertionError(f"user {self.user_id}: the button {label!r} was never answered")


@pytest.fixture
async def bot_process(tmp_path: Path) -> AsyncIterator[BotAPIEmulator]:
    """The real bot process (scheduler every second, fast delivery) talking to a fresh emulator."""
    emulator = BotAPIEmulator(token=TOKEN)
    emulator.idle_quiet_period = 0.2  # seconds without a bot request: "the bot has finished this step"
    await emulator.start()
    log_path = tmp_path / "bot.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=ROOT,
        env=_env(BOT_TOKEN=TOKEN, TELEGRAM_API_URL=emulator.base_url, DATABASE_PATH=str(tmp_path / "e2e.sqlite3"),
                 SUPERADMIN_IDS=str(ADMIN), POLLING_TIMEOUT="2", SCHEDULER_INTERVAL_S="1", DELIVERY_RATE="100"),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        await emulator.wait_polling(STARTUP, alive=lambda: process.poll() is None)
        yield emulator
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(process.wait, 20)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()
        await emulator.stop()
        output = log_path.read_text()
        print(output[-4000:])
        assert "Traceback" not in output, "the bot process logged an exception (see the output above)"


async def community(emulator: BotAPIEmulator) -> tuple[Person, Person, Person]:
    """Aigul (Kyrgyz), Ivan (Russian) and the officer (Russian) of Аламүдүн, all onboarded through /start;
    the officer made one by the superadmin's /grant."""
    aigul = Person(emulator, 4101, "Айгүл", "ky")
    await aigul.send("/start", "Тилди тандаңыз.")
    await aigul.press("Кыргызча", "Кайсы жерде жашайсыз?")
    await aigul.send("аламудун", "Муниципалитетиңизди тандаңыз")
    await aigul.press("Аламүдүн · Аламүдүн р-ну", "Башкы меню")

    ivan = Person(emulator, 4102, "Иван", "ru")
    await ivan.send("/start", "Выберите язык.")
    await ivan.press("Русский", "Где вы живёте?")
    await ivan.send("аламудун", "Выберите свой муниципалитет")
    await ivan.press("Аламудунский · Аламудунский", "Главное меню")

    officer = Person(emulator, 4103, "Адис", "ru")
    await officer.send("/start", "Выберите язык.")
    await officer.press("Русский", "Где вы живёте?")
    await officer.send("аламудун", "Выберите свой муниципалитет")
    await officer.press("Аламудунский · Аламудунский", "Главное меню")

    admin = Person(emulator, ADMIN, "Админ", "ru")
    await admin.send("/start", "Выберите язык.")
    await admin.press("Русский", "Где вы живёте?")
    await admin.press("г. Бишкек", "Главное меню")
    granted = await admin.send(f"/grant {officer.user_id} {ALAMUDUN}", f"(id {officer.user_id})")
    assert "теперь специалист" in text_of(granted) and "Аламудунский" in text_of(granted)
    return aigul, ivan, officer


def _bishkek(moment: datetime) -> str:
    """A moment as an officer types it: DD.MM.YYYY HH:MM in Bishkek time."""
    return moment.astimezone(BISHKEK_TZ).strftime("%d.%m.%Y %H:%M")


# -- a priority problem -----------------------------------------------------------------------------


async def test_problem_raised_supported_and_status_notice_delivered_in_both_languages(bot_process) -> None:
    emulator = bot_process
    aigul, ivan, officer = await community(emulator)

    # Aigul raises it in Kyrgyz: category → text → no photos → no location → publish
    await aigul.send("/newproblem", "Көйгөйдүн категориясын тандаңыз")
    await aigul.press("Суу менен камсыздоо", "Көйгөйдү өз сөзүңүз менен жазыңыз")
    await aigul.send("Көчөдө суу жок, үч күндөн бери кран кургак", "Көйгөйдүн 3 сүрөтүнө чейин кошуңуз")
    await aigul.press("⏭", "көйгөйдүн жайгашкан жерин тиркеңиз")
    preview = await aigul.press("⏭", "Көчөдө суу жок, үч күндөн бери кран кургак")
    assert "✅" in " ".join(labels(preview))
    published = await aigul.press("✅", "көйгөйүңүз жарыяланды")
    problem_id = int(re.search(r"№(\d+)", text_of(published)).group(1))

    # Ivan finds it in the ranked list (Russian interface) and supports it
    await ivan.send("/problems", lambda m: "📋 Приоритетные проблемы" in labels(m))
    page = await ivan.press("Приоритетные", numbered(problem_id))
    assert "Поддерживает 1 житель" in text_of(page)
    card = await ivan.press(numbered(problem_id), "Көчөдө суу жок")
    assert "Поддержать" in " ".join(labels(card))
    assert await ivan.tap("Поддержать", card) == "Ваша поддержка учтена"
    card = await ivan.wait("Поддерживают 2 жителя")
    assert "Отозвать" in " ".join(labels(card))

    # the officer moves it to "under review" with a comment, from the queue
    queue = await officer.send("/problems_queue", numbered(problem_id))
    await officer.press(numbered(problem_id), lambda m: "→" in " ".join(labels(m)), queue)
    await officer.press("→", f"Проблема {numbered(problem_id)} → «На рассмотрении»")
    done = await officer.send("Рассмотрим на сессии кенеша в пятницу",
                              f"✅ У проблемы {numbered(problem_id)} теперь статус «На рассмотрении»")
    assert "Автор и поддержавшие получат уведомление" in text_of(done)

    # the delivery worker tells the author and the supporter, each in their own language
    ky_notice = await aigul.wait(lambda m: "Каралууда" in text_of(m), after=published["message_id"],
                                 timeout=DELIVERY_WAIT)
    ru_notice = await ivan.wait(lambda m: "На рассмотрении" in text_of(m), after=card["message_id"],
                                timeout=DELIVERY_WAIT)
    for notice in (ky_notice, ru_notice):
        assert f"{problem_id}" in text_of(notice)
        assert "Рассмотрим на сессии кенеша в пятницу" in text_of(notice)
    assert "На рассмотрении" not in text_of(ky_notice) and "Каралууда" not in text_of(ru_notice)

    # the author's own card now shows the new status and the comment, in Kyrgyz
    await aigul.send("/problems", lambda m: any("🙋" in label for label in labels(m)))
    mine = await aigul.press("🙋", numbered(problem_id))
    card = await aigul.press(numbered(problem_id), "Абалы: Каралууда", mine)
    assert "Рассмотрим на сессии кенеша в пятницу" in text_of(card)


# -- a survey -------------------------------------------------------------------------------------


async def test_survey_announced_voted_closed_early_and_results_delivered_in_both_languages(bot_process) -> None:
    emulator = bot_process
    aigul, ivan, officer = await community(emulator)

    await officer.send("/newsurvey", "Шаг 1")
    await officer.send("Кайсы көчөгө жарык орнотобуз?", "Шаг 2")
    await officer.send("На какой улице поставить фонари?", "Шаг 3: отправьте варианты ответа на кыргызском")
    await officer.send("Мектеп көчөсү\nБазар көчөсү", lambda m: "Готово" in labels(m))
    await officer.press("Готово", "Теперь отправьте те же 2 варианта на русском, в том же порядке.")
    await officer.send("Школьная улица\nРыночная улица", lambda m: "Готово" in labels(m))
    await officer.press("Готово", "Шаг 4")
    await officer.press("Один ответ", "Шаг 5")
    await officer.press("Сейчас", "Шаг 6")
    closes = datetime.now(BISHKEK_TZ) + timedelta(minutes=30)
    await officer.send(_bishkek(closes), "Шаг 7")
    preview = await officer.press("Все жители", "Предпросмотр")
    assert "Кайсы көчөгө жарык орнотобуз?" in text_of(preview) and "Школьная улица" in text_of(preview)
    published = await officer.press("Опубликовать", "опубликован, жителям отправляется объявление")
    survey_id = int(re.search(r"№(\d+)", text_of(published)).group(1))

    # both residents receive the announcement in their language, through the delivery worker
    ky_news = await aigul.wait("Жаңы сурамжылоо", timeout=DELIVERY_WAIT)
    ru_news = await ivan.wait("Новый опрос", timeout=DELIVERY_WAIT)
    assert "Кайсы көчөгө жарык орнотобуз?" in text_of(ky_news) and "Мектеп көчөсү" in text_of(ky_news)
    assert "Добуш берүү ачык" in text_of(ky_news)
    assert "На какой улице поставить фонари?" in text_of(ru_news) and "Рыночная улица" in text_of(ru_news)
    assert "Голосование открыто до" in text_of(ru_news)

    # they vote from the announcement's button: single choice, one tap
    await aigul.press("Добуш берүү", lambda m: "Мектеп көчөсү" in " ".join(labels(m)), ky_news)
    assert "Добушуңуз эсептелди" in await aigul.tap("Мектеп көчөсү")
    await ivan.press("Голосовать", lambda m: "Рыночная улица" in " ".join(labels(m)), ru_news)
    assert "Ваш голос учтён" in await ivan.tap("Рыночная улица")

    # the officer sees the turnout and closes it early
    await officer.send("/survey_admin", "Опросы вашего муниципалитета")
    card = await officer.press(numbered(survey_id), "2 жителя проголосовали")
    assert "%" not in text_of(card)  # no results while open
    await officer.press("Закрыть сейчас", f"Закрыть опрос {numbered(survey_id)} сейчас?", card)
    assert "Результаты отправляются жителям" in await officer.tap("Да")

    # the results notice reaches both; with 2 voters the per-option counts are withheld
    ky_results = await aigul.wait("Сурамжылоо жабылды", after=ky_news["message_id"], timeout=DELIVERY_WAIT)
    ru_results = await ivan.wait("Опрос закрыт", after=ru_news["message_id"], timeout=DELIVERY_WAIT)
    assert "5 тургундан аз добуш берди, ошондуктан жыйынтыктар көрсөтүлбөйт" in text_of(ky_results)
    assert "Проголосовало меньше 5 жителей, поэтому результаты не показываются" in text_of(ru_results)
    assert "2 жителя проголосовали" in text_of(ru_results)
    for text, option in ((text_of(ky_results), "Мектеп көчөсү"), (text_of(ru_results), "Рыночная улица")):
        assert option not in text and "%" not in text

    # a late vote is refused, in the voter's language
    assert "жабылды" in await aigul.tap("Мектеп көчөсү")


# -- a public hearing -----------------------------------------------------------------------------


async def test_hearing_announced_and_rsvp_in_both_languages(bot_process) -> None:
    emulator = bot_process
    aigul, ivan, officer = await community(emulator)

    await officer.send("/hearing", "Публичные слушания")
    await officer.press("Новые слушания", "Шаг 1: выберите тему")
    await officer.press("Проект местного бюджета", "Шаг 2: название на кыргызском")
    await officer.send("2027-жылдын бюджетинин долбоору", "Шаг 3: название на русском")
    await officer.send("Проект бюджета на 2027 год", "Шаг 4: повестка дня на кыргызском")
    await officer.send("1. Бюджеттин долбоору\n2. Сунуштар", lambda m: "✅ Готово" in labels(m))
    await officer.press("Готово", "Шаг 5: повестка дня на русском")
    await officer.send("1. Проект бюджета\n2. Предложения", lambda m: "✅ Готово" in labels(m))
    await officer.press("Готово", "Отправьте дату и время слушаний")

    # sooner than the 10-day notice period: refused, with the reason
    too_soon = datetime.now(BISHKEK_TZ).replace(hour=18, minute=0, second=0, microsecond=0) + timedelta(days=5)
    refused = await officer.send(_bishkek(too_soon), "10 дней")
    assert "Шаг" not in text_of(refused)
    starts = too_soon + timedelta(days=9)  # 14 days ahead, 18:00 Bishkek time
    await officer.send(_bishkek(starts), "Сохранено:")
    await officer.send("Айыл өкмөтүнүн чоң залы", "Отправьте место на карте")
    await officer.press("Пропустить", "Приложите документ")
    preview = await officer.press("Пропустить", "Предпросмотр.")
    assert "Проект бюджета на 2027 год" in text_of(preview)
    published = await officer.press("Опубликовать", "Опубликовано. Объявление отправляется")
    assert "3 жителям" in text_of(published)

    # the announcement reaches both residents in their language, with the date and the buttons
    ky_card = await aigul.wait("Коомдук угуу", timeout=DELIVERY_WAIT)
    ru_card = await ivan.wait("Публичные слушания", timeout=DELIVERY_WAIT)
    assert "2027-жылдын бюджетинин долбоору" in text_of(ky_card) and "Айыл өкмөтүнүн чоң залы" in text_of(ky_card)
    assert "Проект бюджета на 2027 год" in text_of(ru_card) and "18:00" in text_of(ru_card)
    assert "✅ Барам" in labels(ky_card) and "✅ Приду" in labels(ru_card)

    # Aigul will come: the toast says so in Kyrgyz and the button is marked
    assert "Сакталды: сиз келесиз" in await aigul.tap("Барам", ky_card)
    marked = await aigul.wait(lambda m: "✔️ Барам" in labels(m), after=ky_card["message_id"] - 1)
    assert marked["message_id"] == ky_card["message_id"]

    # the officer sees one person coming
    await officer.send("/hearing", "Публичные слушания")
    await officer.press("Проект бюджета", "Придут: 1 · не смогут: 0")
