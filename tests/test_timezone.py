"""``TIMEZONE`` is honoured everywhere a time is typed or shown, also by modules imported before the
setting was read (issue 12: one module had fixed Asia/Bishkek at import time)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings
from bot.db import Database
from bot.domain import surveys as sv
from bot.i18n import display_timezone, numbered, set_display_timezone
from tests.harness import plain
from tests.support import SUPERADMIN_ID
from tests.survey_helpers import OFFICER, START, draft, make_officer

pytestmark = pytest.mark.usefixtures("frozen_clock")
__all__ = ["START"]


@pytest.fixture
def settings(db_path: Path):
    """The test settings with Tashkent's zone (UTC+5, one hour behind Bishkek)."""
    yield Settings(_env_file=None, bot_token="123456:TEST", database_path=db_path,
                   superadmin_ids=str(SUPERADMIN_ID), default_locale="ky", timezone="Asia/Tashkent")
    set_display_timezone(ZoneInfo("Asia/Bishkek"))


async def test_an_officer_types_a_closing_time_in_the_configured_zone(db: Database, harness) -> None:
    assert display_timezone() == ZoneInfo("Asia/Tashkent")
    officer = await make_officer(db, harness)
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft())
    await officer.send("/survey_admin")
    await officer.press(numbered(survey.id))
    await officer.press("Продлить")
    [done] = await officer.send("20.12.2026 18:00")
    assert "20 декабря 2026" in plain(done) and "18:00" in plain(done)  # shown back in the same zone
    stored = (await sv.get_survey(db, survey.id)).closes_at
    assert stored == datetime(2026, 12, 20, 13, 0, tzinfo=UTC)  # 18:00 in Tashkent, not in Bishkek (12:00Z)


def test_the_old_constant_cannot_be_imported_any_more() -> None:
    with pytest.raises(ImportError, match="DISPLAY_TZ"):
        from bot.i18n import DISPLAY_TZ  # noqa: F401
