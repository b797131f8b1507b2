"""The officer's way into the web app from the chat (issue 13): a web-app button under /officer and the
chat's menu button, for officers only and only when WEBAPP_URL is set; set on a grant, taken back on a
revocation; residents never get either."""

from __future__ import annotations

import pytest

from bot.db import Database
from tests.harness import Harness
from tests.support import AK_DEBE, SUPERADMIN_ID, make_resident, officer_person

URL = "https://jamaat.example/webapp"


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"webapp_url": URL})


async def _menu(harness: Harness, uid: int) -> dict:
    button = await harness.bot.get_chat_menu_button(chat_id=uid)
    return button.model_dump(exclude_none=True)


def _web_apps(message: dict) -> list[dict]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [b for row in rows for b in row if "web_app" in b]


async def test_officers_get_the_workspace_button_and_menu_residents_never(harness: Harness, db: Database) -> None:
    officer = await officer_person(harness, db, 700)
    [panel] = await officer.send("/officer")
    (button,) = _web_apps(panel)
    assert button["web_app"]["url"] == URL + "/"
    menu = await _menu(harness, 700)
    assert menu["type"] == "web_app" and menu["web_app"]["url"] == URL + "/"
    resident = harness.person(801, "Айгүл", language_code="ky")
    await make_resident(db, 801, "ky", AK_DEBE)
    for text in ("/start", "/menu", "/officer"):
        for message in await resident.send(text):
            assert _web_apps(message) == []
    assert (await _menu(harness, 801))["type"] != "web_app"


async def test_a_grant_sets_the_menu_button_and_a_revocation_takes_it_back(harness: Harness, db: Database) -> None:
    admin = harness.person(SUPERADMIN_ID, "Админ", language_code="ru")
    await make_resident(db, SUPERADMIN_ID, "ru", AK_DEBE)
    person = harness.person(206, "Чолпон", language_code="ky")
    await make_resident(db, 206, "ky", AK_DEBE)
    await person.send("/start")
    assert (await _menu(harness, 206))["type"] != "web_app"
    await admin.send(f"/grant 206 {AK_DEBE}")
    assert (await _menu(harness, 206))["type"] == "web_app"
    await admin.send("/revoke 206")
    assert (await _menu(harness, 206))["type"] == "default"
    await person.send("/start")
    assert (await _menu(harness, 206))["type"] == "default"


def test_without_webapp_url_there_is_no_button(settings) -> None:
    from bot.webapp.menu import workspace_keyboard, workspace_url

    plain = settings.model_copy(update={"webapp_url": None})
    assert workspace_url(plain) is None and workspace_keyboard(plain) is None
    assert workspace_url(settings) == URL + "/"


def test_webapp_url_must_be_https_except_on_this_machine() -> None:
    from pydantic import ValidationError

    from bot.config import Settings

    assert Settings(_env_file=None, webapp_url="https://bot.example.kg/webapp/").webapp_url == \
        "https://bot.example.kg/webapp"
    assert Settings(_env_file=None, webapp_url="http://127.0.0.1:8080/webapp").webapp_url  # the sandbox
    assert Settings(_env_file=None, webapp_url=" ").webapp_url is None
    with pytest.raises(ValidationError):
        Settings(_env_file=None, webapp_url="http://bot.example.kg/webapp/")  # Telegram would refuse it
