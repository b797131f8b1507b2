"""What officers read in the hearing wizards (issue 12, the tester's findings), through the real
dispatcher: the cancellation wizard's stop button and answer say the hearing is NOT cancelled (the
kit's per-wizard ``stop``/``cancelled``).
"""

from __future__ import annotations

import pytest

from bot.db import Database
from bot.domain import hearings as hr
from bot.ui.keyboards import ROW_WIDTH, text_width
from tests.harness import labels, plain
from tests.hearings_support import START, broadcasts, fsm, make_hearing, make_officer

pytestmark = pytest.mark.usefixtures("frozen_clock")
__all__ = ["START"]  # the frozen clock's start


# -- stopping the cancellation keeps the hearing ----------------------------------------------------


@pytest.mark.parametrize(("locale", "cancel", "stop", "kept", "time"), [
    ("ru", "Отменить слушания", "✖ Не отменять слушания", "Слушания не отменены", "Изменить время"),
    ("ky", "Угууну жокко чыгаруу", "✖ Угууну жокко чыгарбоо", "Угуу жокко чыгарылган жок", "Убакытты өзгөртүү"),
])
async def test_stopping_the_cancellation_says_the_hearing_is_not_cancelled(
        harness, db: Database, locale: str, cancel: str, stop: str, kept: str, time: str) -> None:
    officer = await make_officer(db, harness, locale=locale)
    hearing = await make_hearing(db)
    await officer.send("/hearing")
    await officer.press(hearing.title(locale)[:15])
    prompt = (await officer.press(cancel))[-1]
    assert stop in labels(prompt), labels(prompt)
    assert not any(b in ("✖ Отмена", "✖ Жокко чыгаруу") for b in labels(prompt))  # not the generic "Cancel"
    assert all(text_width(b) <= ROW_WIDTH for b in labels(prompt))
    said = (await officer.press(stop, prompt))[-1]
    assert kept in plain(said) and labels(said)  # with a way on
    assert (await hr.get_hearing(db, hearing.id)).status == "scheduled"
    assert not await broadcasts(db, "hearing_cancelled") and (await fsm(officer))[0] is None
    # the other wizards keep the kit's own "Cancel" and its answer
    await officer.send("/hearing")
    await officer.press(hearing.title(locale)[:15])
    prompt = (await officer.press(time))[-1]
    generic = "✖ Отмена" if locale == "ru" else "✖ Жокко чыгаруу"
    assert generic in labels(prompt)
    said = (await officer.press(generic, prompt))[-1]
    assert ("Отменено. Ничего не сохранено." if locale == "ru" else "Жокко чыгарылды") in plain(said)
