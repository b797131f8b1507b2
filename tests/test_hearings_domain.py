"""The hearings domain without the chat: reminders (when, to whom, once, after moves), the day a
reminder names, the typed start, the calendar file, the notice period, wording of the catalogs, and
that the domain loads no aiogram.

The scheduler is driven with ``run_once``; a "restart" is a new :class:`Scheduler` on the same database.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.db import Database
from bot.domain import hearings as hr
from bot.domain.clock import to_db
from bot.i18n import _, ngettext
from bot.notices import render
from bot.scheduler import Scheduler, default_jobs
from bot.ui.hearings import ics_file
from tests.hearings_support import (
    HEARING_AT,
    KY_RES,
    OFFICER,
    RU_RES,
    START,
    broadcasts,
    make_hearing,
    text_of,
)
from tests.support import AK_DEBE, BISHKEK, SUPERADMIN_ID, grant, make_resident

__all__ = ["START"]  # the frozen clock's start


@pytest.fixture
async def officer(db: Database) -> int:
    await make_resident(db, OFFICER, "ru")
    await grant(db, OFFICER)
    return OFFICER


async def _set_notice_as_superadmin(db: Database, days: int) -> None:
    await hr.set_notice_days(db, officer_id=SUPERADMIN_ID, days=days, superadmin=True, municipality_code=AK_DEBE)


def test_importing_the_domain_loads_no_aiogram() -> None:
    code = ("import sys, bot.domain.hearings, bot.domain.hearings.jobs;"
            " print(sorted(m for m in sys.modules if m.split('.')[0] == 'aiogram'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# -- the typed start --------------------------------------------------------------------------------


def test_typed_start_is_read_in_bishkek_time_and_refused_with_the_reason() -> None:
    tz = ZoneInfo("Asia/Bishkek")
    assert hr.parse_start("16.12.2026 00:30", tz) == datetime(2026, 12, 15, 18, 30, tzinfo=UTC)
    assert hr.parse_start(" 1.2.2027 9.05 ", tz) == datetime(2027, 2, 1, 3, 5, tzinfo=UTC)
    for text, reason in (("завтра", "format"), ("15.12.26 18:00", "year"), ("31.02.2027 18:00", "date"),
                         ("15.12.2026 24:00", "date"), ("１５.12.2026 18:00", "format")):
        with pytest.raises(hr.BadDateTime) as refused:
            hr.parse_start(text, tz)
        assert refused.value.reason == reason, text


async def test_start_against_the_clock_and_the_notice_period(db: Database, frozen_clock) -> None:
    with pytest.raises(hr.BadDateTime) as past:
        await hr.check_start(db, AK_DEBE, START - timedelta(minutes=1))
    assert past.value.reason == "past"
    with pytest.raises(hr.BadDateTime) as far:
        await hr.check_start(db, AK_DEBE, START + timedelta(days=400))
    assert far.value.reason == "too_far" and far.value.latest == START + hr.MAX_AHEAD
    with pytest.raises(hr.NoticeTooShort) as early:
        await hr.check_start(db, AK_DEBE, START + timedelta(days=4))
    assert early.value.days == 10 and early.value.earliest == START + timedelta(days=10)
    await hr.check_start(db, AK_DEBE, START + timedelta(days=10))


async def test_hearing_at_half_past_midnight_bishkek_shows_that_day(db: Database, officer, frozen_clock) -> None:
    await make_resident(db, RU_RES, "ru")
    # 00:30 on Wednesday 16 December in Bishkek = 18:30 UTC on Tuesday 15 December
    starts = hr.parse_start("16.12.2026 00:30", ZoneInfo("Asia/Bishkek"))
    assert starts == datetime(2026, 12, 15, 18, 30, tzinfo=UTC)
    hearing = await make_hearing(db, starts_at=to_db(starts))
    [announcement] = await broadcasts(db, "hearing_announcement")
    assert "среда, 16 декабря 2026" in text_of(announcement, "ru") and "00:30" in text_of(announcement, "ru")
    assert "шаршемби" in text_of(announcement, "ky") and "16-декабрь" in text_of(announcement, "ky")
    assert hearing.starts_at == "2026-12-15T18:30:00Z"


# -- reminders --------------------------------------------------------------------------------------


async def test_restart_between_due_and_sent_sends_once(db: Database, officer, frozen_clock) -> None:
    await make_resident(db, KY_RES, "ky")
    hearing = await make_hearing(db)
    await hr.rsvp(db, resident_id=KY_RES, hearing_id=hearing.id, answer="going")
    # the bot was down from before the 24 h reminder until after the 1 h one was due: only the latest goes
    frozen_clock.set(HEARING_AT - timedelta(minutes=20))
    assert (await Scheduler(db, default_jobs()).run_once())["send_due_reminders"] == 1
    assert (await Scheduler(db, default_jobs()).run_once())["send_due_reminders"] == 0
    assert len(await broadcasts(db, "hearing_reminder_1h")) == 1 and not await broadcasts(db, "hearing_reminder_24h")
    # after the start nothing more goes out
    frozen_clock.set(HEARING_AT + timedelta(minutes=5))
    assert (await Scheduler(db, default_jobs()).run_once())["send_due_reminders"] == 0


async def test_24h_reminder_on_the_same_day_says_today(db: Database, officer, frozen_clock) -> None:
    await make_resident(db, KY_RES, "ky")
    await make_resident(db, RU_RES, "ru")
    await _set_notice_as_superadmin(db, 0)
    h = await make_hearing(db, starts_at=to_db(START + timedelta(hours=3)))  # 15:00 Bishkek, same day
    for uid in (KY_RES, RU_RES):
        await hr.rsvp(db, resident_id=uid, hearing_id=h.id, answer="going")
    frozen_clock.set(START + timedelta(minutes=1))
    await Scheduler(db, default_jobs()).run_once()
    [row] = await broadcasts(db, "hearing_reminder_24h")
    assert "сегодня в 15:00" in text_of(row, "ru") and "завтра" not in text_of(row, "ru")
    assert "бүгүн" in text_of(row, "ky") and "эртең" not in text_of(row, "ky")


async def test_24h_reminder_after_downtime_on_the_day_says_today(db: Database, officer, frozen_clock) -> None:
    await make_resident(db, RU_RES, "ru")
    h = await make_hearing(db)  # 15.12 18:00 Bishkek
    await hr.rsvp(db, resident_id=RU_RES, hearing_id=h.id, answer="remind")
    frozen_clock.set(datetime(2026, 12, 15, 1, 0, tzinfo=UTC))  # 07:00 Bishkek on the day: the bot was down
    await Scheduler(db, default_jobs()).run_once()
    [row] = await broadcasts(db, "hearing_reminder_24h")
    assert "сегодня в 18:00" in text_of(row, "ru")


def test_reminder_names_tomorrow_and_a_later_date() -> None:
    h = hr.Hearing(id=1, municipality_code=AK_DEBE, topic="other", title_ky="Т", title_ru="Т", agenda_ky="",
                   agenda_ru="а", starts_at=to_db(HEARING_AT), place="Клуб", latitude=None, longitude=None,
                   survey_id=None, attachment_file_id=None, attachment_kind=None, status="scheduled",
                   announcement_id=None, created_by=0, cancel_reason=None, decisions_ky="", decisions_ru="",
                   participants=None, minutes_file_id=None)

    def reminder(now: datetime) -> str:
        return render(hr.notices.reminder(h, "24h", now), "ru").text

    assert "завтра" in reminder(HEARING_AT - timedelta(hours=24))
    # 00:30 Bishkek on the 14th is still "tomorrow"; 23:59 on the 13th is two days ahead: the date
    assert "завтра" in reminder(datetime(2026, 12, 13, 18, 30, tzinfo=UTC))
    assert "15 декабря" in reminder(datetime(2026, 12, 13, 17, 59, tzinfo=UTC))
    assert "завтра" not in reminder(datetime(2026, 12, 13, 17, 59, tzinfo=UTC))


async def test_reminder_not_sent_twice_after_a_small_postponement(db: Database, officer, frozen_clock) -> None:
    await make_resident(db, KY_RES, "ky")
    h = await make_hearing(db)
    await hr.rsvp(db, resident_id=KY_RES, hearing_id=h.id, answer="going")
    t = HEARING_AT - timedelta(hours=24)
    assert (await Scheduler(db, default_jobs()).run_once(t))["send_due_reminders"] == 1
    frozen_clock.set(t + timedelta(minutes=5))
    await hr.edit_hearing(db, officer_id=OFFICER, hearing_id=h.id, starts_at=HEARING_AT + timedelta(minutes=30))
    later = HEARING_AT + timedelta(minutes=30) - timedelta(hours=24)
    assert (await Scheduler(db, default_jobs()).run_once(later))["send_due_reminders"] == 0
    assert len(await broadcasts(db, "hearing_reminder_24h")) == 1
    # the 1-hour reminder still comes, at the new time
    one_hour = HEARING_AT + timedelta(minutes=30) - timedelta(hours=1)
    assert (await Scheduler(db, default_jobs()).run_once(one_hour))["send_due_reminders"] == 1
    [row] = await broadcasts(db, "hearing_reminder_1h")
    assert "18:30" in text_of(row, "ru")


async def test_reminder_sent_again_after_a_move_of_more_than_three_hours(db: Database, officer, frozen_clock) -> None:
    await make_resident(db, KY_RES, "ky")
    h = await make_hearing(db)
    await hr.rsvp(db, resident_id=KY_RES, hearing_id=h.id, answer="going")
    t = HEARING_AT - timedelta(hours=24)
    assert (await Scheduler(db, default_jobs()).run_once(t))["send_due_reminders"] == 1
    frozen_clock.set(t + timedelta(minutes=5))
    new = HEARING_AT + timedelta(hours=4)  # same day, 22:00 instead of 18:00: more than 3 hours
    await hr.edit_hearing(db, officer_id=OFFICER, hearing_id=h.id, starts_at=new)
    assert (await Scheduler(db, default_jobs()).run_once(new - timedelta(hours=24)))["send_due_reminders"] == 1
    assert len(await broadcasts(db, "hearing_reminder_24h")) == 2


# -- officers' rules ----------------------------------------------------------------------------------


async def test_officer_rules_are_typed(db: Database, officer, frozen_clock) -> None:
    hearing = await make_hearing(db)
    with pytest.raises(hr.Unchanged):
        await hr.edit_hearing(db, officer_id=OFFICER, hearing_id=hearing.id, starts_at=HEARING_AT)
    with pytest.raises(hr.TextTooLong):
        await hr.edit_hearing(db, officer_id=OFFICER, hearing_id=hearing.id, place="x" * (hr.PLACE_MAX + 1))
    with pytest.raises(hr.AgendaMissing):
        await hr.edit_hearing(db, officer_id=OFFICER, hearing_id=hearing.id, agenda_ky="", agenda_ru="")
    with pytest.raises(hr.HearingNotStarted):
        await hr.publish_outcome(db, officer_id=OFFICER, hearing_id=hearing.id, outcome=hr.Outcome(decisions_ru="Да"))
    with pytest.raises(hr.HearingNotFound):
        await hr.hearing_for_officer(db, officer_id=OFFICER, hearing_id=hearing.id + 1000)
    with pytest.raises(hr.TitleMissing):
        await make_hearing(db, title_ky="", title_ru="")
    await make_resident(db, OFFICER + 1, "ru", code=BISHKEK)
    await grant(db, OFFICER + 1, BISHKEK)
    with pytest.raises(hr.HearingElsewhere):
        await hr.cancel_hearing(db, officer_id=OFFICER + 1, hearing_id=hearing.id)
    await hr.cancel_hearing(db, officer_id=OFFICER, hearing_id=hearing.id)
    with pytest.raises(hr.HearingCancelled):
        await hr.cancel_hearing(db, officer_id=OFFICER, hearing_id=hearing.id)
    with pytest.raises(hr.HearingCancelled):
        await hr.rsvp(db, resident_id=OFFICER, hearing_id=hearing.id, answer="going")


async def test_notice_period_rules(db: Database, officer) -> None:
    assert hr.parse_notice_days("3", superadmin=False) == 3
    with pytest.raises(hr.NoticeBelowFloor):
        hr.parse_notice_days("1", superadmin=False)
    assert hr.parse_notice_days("0", superadmin=True) == 0
    for text in ("", "abc", "500", "-1", "²"):
        with pytest.raises(hr.NoticeDaysOutOfRange):
            hr.parse_notice_days(text, superadmin=False)
    with pytest.raises(hr.NoticeBelowFloor):
        await hr.set_notice_days(db, officer_id=OFFICER, days=1)
    assert await hr.notice_days(db, BISHKEK) == hr.DEFAULT_NOTICE_DAYS


def test_numbers_typed_in_the_outcome() -> None:
    assert hr.parse_participants("1 200") == 1200
    for text in ("много", "-5", "10000001"):
        with pytest.raises(hr.ParticipantsOutOfRange):
            hr.parse_participants(text)
    assert hr.parse_problem_ids("#12, #15 и #12") == [12, 15]
    with pytest.raises(hr.NoProblemNumbers):
        hr.parse_problem_ids("никакие")


# -- the calendar file --------------------------------------------------------------------------------


def _event(data: bytes):
    return [c for c in Calendar.from_ical(data).walk() if c.name == "VEVENT"][0]


async def test_ics_stamp_sequence_last_modified_and_cancelled(db: Database, officer, frozen_clock) -> None:
    h = await make_hearing(db)
    frozen_clock.set(START + timedelta(days=1, minutes=7))
    first = _event(ics_file(h, "ru"))
    assert first.decoded("dtstamp") == START + timedelta(days=1, minutes=7)  # generated now, in UTC
    assert int(first["sequence"]) == 0 and first.decoded("last-modified") == START
    moved, _changed = await hr.edit_hearing(db, officer_id=OFFICER, hearing_id=h.id,
                                            starts_at=HEARING_AT + timedelta(days=1))
    second = _event(ics_file(moved, "ru"))
    assert second["uid"] == first["uid"] and int(second["sequence"]) == 1
    assert second.decoded("last-modified") == START + timedelta(days=1, minutes=7)
    frozen_clock.set(START + timedelta(days=2))
    cancelled = await hr.cancel_hearing(db, officer_id=OFFICER, hearing_id=h.id)
    third = _event(ics_file(cancelled, "ru"))
    assert third["uid"] == first["uid"] and int(third["sequence"]) == 2 and str(third["status"]) == "CANCELLED"


# -- wording ----------------------------------------------------------------------------------------


def test_plurals_and_kyrgyz_wording() -> None:
    forms = {n: ngettext("{n} participant took part.", "{n} participants took part.", n, locale="ru").format(n=n)
             for n in (1, 2, 5, 21, 22, 111)}
    # one noun throughout (not "человека" next to "участников"), the verb agreeing with the numeral
    assert all("участник" in f for f in forms.values()) or all("человек" in f for f in forms.values()), forms
    assert forms[1].startswith("Был ") and forms[21].startswith("Был ") and forms[5].startswith("Было ")
    assert "участников" in forms[5] and "участника" in forms[2] and "участника" in forms[22]
    assert _("Other questions", locale="ky") == "Башка маселелер"
    assert "өттү" in _("✅ This hearing has taken place.", locale="ky")
    assert "өтүп кетти" not in _("✅ This hearing has taken place.", locale="ky")
    step3 = _("Step 3: send the options in Kyrgyz, {min} to {max}: one per message, or several lines in one "
              "message. Press «Done» when all are in.", locale="ky")
    assert step3.startswith("3-кадам")
    for msgid in (step_msgid := "Step 3: send the options in Kyrgyz, {min} to {max}: one per message, or several "
                  "lines in one message. Press «Done» when all are in.",
                  "Send the number of codes from 1 to {max}, for example: /codes 20",
                  "Send the number of days from {min} to {max}, for example: /hearing_notice 10"):
        text = _(msgid, locale="ky")
        assert text != msgid and not re.search(r"\}-?[а-яөүңА-ЯӨҮҢ]", text), text  # no suffix glued to a number
    assert "10га" not in _(step_msgid, locale="ky").format(min=2, max=10)
