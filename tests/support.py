"""What many tests share: real municipalities (SOATE codes from the bundled list) and ways to make
residents and officers in a test database."""

from __future__ import annotations

from bot.db import Database
from bot.domain import officers as roles
from bot.domain.residents import set_locale, set_municipality, touch_resident

SUPERADMIN_ID = 900_000_001
"""The superadmin of the test settings (``SUPERADMIN_IDS``)."""

AK_DEBE = "41708203803000"
"""Ак-Дебе айыл аймагы, Аламүдүн district, Chüy oblast (no attested Kyrgyz name in the data)."""
ALAMUDUN = "41708203807000"
"""Аламүдүн айыл аймагы, Chüy oblast (has an attested Kyrgyz name)."""
BISHKEK = "41711000000000"
"""The city of Bishkek (filed as its own oblast and district)."""


async def make_resident(db: Database, uid: int, locale: str = "ky", code: str = AK_DEBE,
                        name: str | None = None) -> None:
    """A resident who chose ``locale`` and registered in ``code``."""
    await touch_resident(db, uid, first_name=name or f"R{uid}", last_name=None, username=None, language_code=locale)
    await set_locale(db, uid, locale)
    await set_municipality(db, uid, code)


async def grant(db: Database, uid: int, code: str = AK_DEBE) -> roles.Officer:
    """Make an existing resident an officer of ``code`` (as the superadmin would)."""
    return await roles.grant_officer(db, actor_id=SUPERADMIN_ID, superadmins=frozenset({SUPERADMIN_ID}),
                                     telegram_id=uid, municipality_code=code)


async def onboard(harness, db: Database, uid: int, locale: str = "ky", code: str = AK_DEBE, name: str = "Айгүл"):
    """A resident of ``code`` reading ``locale`` who will write to the bot through ``harness``
    (a :class:`tests.harness.Person`)."""
    person = harness.person(uid, name, language_code=locale)
    await make_resident(db, uid, locale, code, name)
    return person


async def officer_person(harness, db: Database, uid: int, code: str = AK_DEBE, locale: str = "ru"):
    """An officer of ``code`` reading ``locale`` who will write to the bot through ``harness``."""
    person = await onboard(harness, db, uid, locale, code, name="Адис")
    await grant(db, uid, code)
    return person


OUTSIDE_ANY_FORM_RU = ("Я вас не понял", "Это проблема вашего муниципалитета?", "Это не принято: форма")
"""How the fallback answers a Russian reader's message outside any form: the menu hint, or (for a text
that could be a problem) the offer to raise it, or (a form was just left) the way back to that form —
never a step's answer."""


def outside_any_form(message: dict) -> bool:
    """Whether ``message`` is the fallback's answer (:data:`OUTSIDE_ANY_FORM_RU`), i.e. the text before
    it was not taken by a step that had been left."""
    from tests.harness import plain

    return plain(message).startswith(OUTSIDE_ANY_FORM_RU)
