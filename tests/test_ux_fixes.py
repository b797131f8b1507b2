"""Regression tests for UX defects found by a tester (each failed before its fix): choices echoed in
place of the question, a resident's proposal without invented cost/provider, the broadcasts table of
the command line, the hearing wizard's first step, and wording that fits towns and cities too."""

from __future__ import annotations

import pytest

from bot.db import Database
from tests.harness import plain
from tests.support import AK_DEBE, BISHKEK
from tests.support import officer_person as _officer
from tests.support import onboard as _onboard


# 4 -- the hearing wizard's first step -----------------------------------------------------------------

@pytest.mark.parametrize(("locale", "new", "expected"), [
    ("ru", "Новые слушания", ("Сначала выберите тему", "название будет запрошено следующим")),
    ("ky", "Жаңы угуу", ("Адегенде", "темасын тандаңыз", "аталышы андан кийин суралат")),
])
async def test_typing_the_title_before_choosing_the_topic_says_topic_first_title_next(
    harness, db: Database, locale, new, expected
) -> None:
    officer = await _officer(harness, db, 405, locale=locale)
    await officer.send("/hearing")
    await officer.press(new)
    [answer] = await officer.send("Бюджет 2027")
    for part in expected:
        assert part in plain(answer)
    [sticker] = await officer.send_sticker()
    assert expected[0] in plain(sticker)

