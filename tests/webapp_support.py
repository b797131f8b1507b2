"""What the web app's tests share: a seeded municipality (residents, problems, surveys, a hearing, the
registry), signed ``initData`` for its people, and the web app served on 127.0.0.1.

The web app is mounted on a bare ``aiohttp.web.Application`` with :func:`bot.webapp.setup`, as the
bot's own web server does; nothing here depends on that server's code.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.config import Settings
from bot.db import Database
from bot.domain import hearings as hr
from bot.domain import problems as pb
from bot.domain import surveys as sv
from bot.domain.clock import clock, to_db
from bot.domain.registry.catalogue import ensure_seeded
from bot.webapp import setup
from bot.webapp.auth import sign_init_data
from tests.support import AK_DEBE, ALAMUDUN, SUPERADMIN_ID, grant, make_resident

TOKEN = "123456:TEST"
START = datetime(2026, 12, 10, 6, 0, tzinfo=UTC)  # 12:00 in Bishkek
OFFICER, OFFICER_RU, OTHER_OFFICER = 7_000_000_700, 7_000_000_701, 7_000_000_750
RESIDENTS = tuple(range(5_550_000_801, 5_550_000_813))  # 12 residents of Ak-Debe: 8 read Kyrgyz, 4 Russian
OTHER_RESIDENT = 5_550_000_850
"""Telegram ids long enough that finding one in a response cannot be a coincidence."""
SECRET_USERNAME = "secret_user_name"
SECRET_LAST_NAME = "Secretova"


class Bot:
    """The little of :class:`aiogram.Bot` that :func:`bot.webapp.setup` uses: the token."""

    token = TOKEN


@dataclass
class Seeded:
    """Ids of what :func:`seed` made."""

    problems: list[int]
    closed_survey: int
    open_survey: int
    small_survey: int
    hearing: int


async def seed(db: Database) -> Seeded:
    """Ak-Debe with two officers (ky and ru), 12 residents, 4 problems with supports, a closed survey
    with 12 voters (7 and 5: both counts may be shown), a closed one with 3 (below the secrecy minimum), an open one with 2, an upcoming
    hearing with RSVPs (linked to the open survey) and the starter registry; Alamüdün with its own officer and resident.
    Leaves the domain clock at START + 2 days."""
    clock.set(lambda: START)
    for uid in (OFFICER, *RESIDENTS[:8]):
        await make_resident(db, uid, "ky", AK_DEBE)
    for uid in (OFFICER_RU, *RESIDENTS[8:]):
        await make_resident(db, uid, "ru", AK_DEBE)
    await make_resident(db, OTHER_OFFICER, "ru", ALAMUDUN)
    await make_resident(db, OTHER_RESIDENT, "ru", ALAMUDUN)
    async with db.transaction() as tx:  # one resident with personal data that must never leak
        await tx.execute("UPDATE residents SET username = ?, last_name = ?, joined_at = ? WHERE telegram_id = ?",
                         (SECRET_USERNAME, SECRET_LAST_NAME, to_db(START - timedelta(days=60)), RESIDENTS[0]))
    for uid, code in ((OFFICER, AK_DEBE), (OFFICER_RU, AK_DEBE), (OTHER_OFFICER, ALAMUDUN)):
        await grant(db, uid, code)
    texts = [("water", "Көчөдө ичүүчү суу жок, үч күн болду"), ("roads", "Мектепке баруучу жол бузулуп калды"),
             ("lighting", "Көчө жарыгы күйбөй калды, караңгы"), ("waste", "Таштанды чыгарылбай жатат")]
    problems = []
    for i, (category, text) in enumerate(texts):
        problem = await pb.raise_problem(db, author_id=RESIDENTS[i], category=category, text=text)
        problems.append(problem.id)
        for supporter in RESIDENTS[4:4 + (6 - i)]:
            await pb.support(db, problem_id=problem.id, resident_id=supporter)
    await pb.raise_problem(db, author_id=OTHER_RESIDENT, category="water", text="Аламүдүндө суу жок болуп калды")

    def draft(question: str, hours: int) -> sv.Draft:
        return sv.Draft(question_ky=question, question_ru=question + " (ru)",
                        options=[["Мектеп көчөсү", "Школьная улица", None], ["Көпүрө", "Мост", None]],
                        max_choices=1, opens_at=to_db(START), closes_at=to_db(START + timedelta(hours=hours)))

    closed = await sv.create_survey(db, officer_id=OFFICER, draft=draft("Кайсы жолду оңдойбуз?", 24))
    small = await sv.create_survey(db, officer_id=OFFICER, draft=draft("Кичинекей сурамжылоо", 24))
    opened = await sv.create_survey(db, officer_id=OFFICER, draft=draft("Ачык сурамжылоо", 24 * 5))
    for i, uid in enumerate(RESIDENTS):
        await sv.cast_vote(db, resident_id=uid, survey_id=closed.id, positions=[1 if i < 7 else 2])
    for uid in RESIDENTS[:3]:
        await sv.cast_vote(db, resident_id=uid, survey_id=small.id, positions=[1])
    for uid in RESIDENTS[:2]:
        await sv.cast_vote(db, resident_id=uid, survey_id=opened.id, positions=[2])
    hearing = await hr.create_hearing(db, officer_id=OFFICER, draft=hr.Draft(
        topic="budget_draft", title_ky="2027-жылдын бюджетинин долбоору", title_ru="Проект бюджета на 2027 год",
        agenda_ky="1. Бюджеттин долбоору", agenda_ru="1. Проект бюджета",
        starts_at=to_db(START + timedelta(days=20)), place="Айыл өкмөтүнүн чоң залы", survey_id=opened.id))
    for uid, answer in zip(RESIDENTS[:5], ("going", "going", "going", "not_going", "remind"), strict=True):
        await hr.rsvp(db, resident_id=uid, hearing_id=hearing.id, answer=answer)
    await ensure_seeded(db, AK_DEBE)
    later = START + timedelta(days=2)
    clock.set(lambda: later)
    return Seeded(problems, closed.id, opened.id, small.id, hearing.id)


def init_data(uid: int, *, language_code: str = "ky", age_s: int = 0, token: str = TOKEN) -> str:
    """``initData`` for Telegram user ``uid`` signed with ``token``, ``age_s`` seconds old."""
    user = {"id": uid, "first_name": "Адис", "language_code": language_code}
    return sign_init_data(token, user, auth_date=int(time.time()) - age_s)


def auth(uid: int, **kw: object) -> dict[str, str]:
    """The ``Authorization`` header of a page's API call."""
    return {"Authorization": "tma " + init_data(uid, **kw)}  # type: ignore[arg-type]


def app_settings(settings: Settings) -> Settings:
    """The test settings with the web app's URL set."""
    return settings.model_copy(update={"webapp_url": "https://jamaat.example/webapp/",
                                       "superadmin_ids": frozenset({SUPERADMIN_ID})})


async def serve(db: Database, settings: Settings) -> TestClient:
    """The web app mounted on a bare application, served on 127.0.0.1 (close the client after)."""
    app = web.Application()
    setup(app, db=db, settings=app_settings(settings), bot=Bot())  # type: ignore[arg-type]
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    return client
