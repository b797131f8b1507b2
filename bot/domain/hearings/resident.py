"""Public hearings: what residents do — read, answer (RSVP), consent to the hall list, ask a question.

One RSVP row per resident: the answer (``going`` / ``not_going``, or ``remind`` for "no answer, only
a reminder"), changeable, a reminder flag of its own (someone coming also wants a reminder: "I will
come" turns it on, "Can't come" off, "Remind me" on, "Don't remind me" off — never a toggle, so a
double tap or a late tap on an old card cannot undo what the resident asked), and a separate
consent to show the resident's name on the hall list; officers see names only of consenting
residents who are coming, and counts for everything else. A resident acts only on hearings of
their own municipality (a crafted button for another one is :class:`HearingElsewhere`).
"""

from __future__ import annotations

from bot.db import Database
from bot.domain.clock import clock, now_db
from bot.domain.errors import InvalidInput, TextTooShort
from bot.domain.hearings.errors import (
    HearingElsewhere,
    HearingNotFound,
    HearingStarted,
    NotGoing,
    TooManyQuestions,
    closed,
)
from bot.domain.hearings.model import ACTIONS, QUESTION_MAX, QUESTIONS_PER_RESIDENT, Hearing
from bot.domain.hearings.rules import clean_text
from bot.domain.hearings.queries import get_hearing, list_past, problem_excerpts
from bot.store import Reader
from bot.store import hearings as store


async def hearing_for_resident(db: Reader, *, resident_id: int, hearing_id: int) -> Hearing:
    """A hearing of the resident's own municipality (any status).

    Raises:
        HearingNotFound: no such hearing. HearingElsewhere: another municipality's hearing.
    """
    hearing = await get_hearing(db, hearing_id)
    if hearing is None:
        raise HearingNotFound(hearing_id)
    if await store.resident_municipality(db, resident_id) != hearing.municipality_code:
        raise HearingElsewhere("hearing of another municipality")
    return hearing


async def open_hearing(db: Reader, *, resident_id: int, hearing_id: int) -> Hearing:
    """A scheduled hearing of the resident's municipality that has not begun (one that can be answered).

    Raises:
        HearingNotFound, HearingElsewhere; HearingCancelled, HearingHeld; HearingStarted.
    """
    hearing = await hearing_for_resident(db, resident_id=resident_id, hearing_id=hearing_id)
    if hearing.status != "scheduled":
        raise closed(hearing.status)
    if hearing.starts <= clock.now():
        raise HearingStarted()
    return hearing


async def my_rsvp(db: Database, resident_id: int, hearing_id: int) -> tuple[str | None, bool, bool]:
    """The resident's answer (``None`` when none), their hall-list consent and whether they will be reminded."""
    answer = await store.rsvp_of(db, hearing_id, resident_id)
    return (None, False, False) if answer is None else answer


async def rsvp(db: Database, *, resident_id: int, hearing_id: int, answer: str) -> tuple[Hearing, bool]:
    """Record the resident's button (one of :data:`ACTIONS`); one row per resident and hearing.

    Every action is idempotent, never a toggle: ``remind`` turns the reminder on and ``mute`` turns it
    off (the answer kept; ``mute`` without any row stores nothing); a new answer ``going`` comes with
    a reminder, ``not_going`` drops it; the answer the resident already gave changes nothing (a double
    tap, or a late tap on an old card, keeps a reminder switched on or off since).

    Returns:
        the hearing and whether the resident will now be reminded.
    Raises:
        InvalidInput: unknown action. See :func:`open_hearing`.
    """
    if answer not in ACTIONS:
        raise InvalidInput("answer")
    async with db.transaction() as tx:
        hearing = await open_hearing(tx, resident_id=resident_id, hearing_id=hearing_id)
        before = await store.rsvp_of(tx, hearing_id, resident_id)
        given, reminded = (before[0], before[2]) if before is not None else (None, False)
        if answer == "mute" and before is None:
            return hearing, False
        if answer in ("remind", "mute"):
            kept, reminder = given or "remind", answer == "remind"
        elif answer == given:
            kept, reminder = given, reminded
        else:
            kept, reminder = answer, answer == "going"
        if (kept, reminder) != (given, reminded):
            await store.save_rsvp(tx, hearing_id, resident_id, kept, reminder, now_db())
    return hearing, reminder


async def set_share_name(db: Database, *, resident_id: int, hearing_id: int, share: bool) -> Hearing:
    """Consent (or withdraw consent) to show the resident's name on the officer's hall list.

    Raises:
        NotGoing: the resident has not answered "I will come". See :func:`open_hearing`.
    """
    async with db.transaction() as tx:
        hearing = await open_hearing(tx, resident_id=resident_id, hearing_id=hearing_id)
        if not await store.set_share_name_if_going(tx, hearing_id, resident_id, share, now_db()):
            raise NotGoing("not going")
    return hearing


async def may_ask(db: Database, *, resident_id: int, hearing_id: int) -> Hearing:
    """The hearing, when the resident may still send it a question.

    Raises:
        TooManyQuestions: :data:`QUESTIONS_PER_RESIDENT` sent already. See :func:`open_hearing`.
    """
    hearing = await open_hearing(db, resident_id=resident_id, hearing_id=hearing_id)
    if await store.question_count(db, hearing_id, resident_id) >= QUESTIONS_PER_RESIDENT:
        raise TooManyQuestions("too many", limit=QUESTIONS_PER_RESIDENT)
    return hearing


async def ask_question(db: Database, *, resident_id: int, hearing_id: int, text: str) -> int:
    """Save a resident's question for the hearing (up to :data:`QUESTION_MAX` characters, at most
    :data:`QUESTIONS_PER_RESIDENT` per resident and hearing). Returns its id.

    Raises:
        TextTooShort: empty. TextTooLong. TooManyQuestions (``limit``). See :func:`open_hearing`.
    """
    value = clean_text(text, QUESTION_MAX)
    if not value:
        raise TextTooShort(limit=1, actual=0)
    async with db.transaction() as tx:
        hearing = await open_hearing(tx, resident_id=resident_id, hearing_id=hearing_id)
        count = await store.question_count(tx, hearing_id, resident_id)
        if count >= QUESTIONS_PER_RESIDENT:
            raise TooManyQuestions("too many", limit=QUESTIONS_PER_RESIDENT, actual=count)
        question_id = await store.insert_question(tx, hearing_id, resident_id, value, now_db())
        from bot.domain.reach import alerts  # the municipality's officers are alerted (issue 14)

        await alerts.raise_alert(tx, municipality_code=hearing.municipality_code, kind=alerts.HEARING_QUESTION,
                                 notice=alerts.question_notice(hearing.id, hearing.title_ky, hearing.title_ru, value),
                                 summary={"title_ky": hearing.title_ky, "title_ru": hearing.title_ru,
                                          "text": value[:80], "ref": hearing.id})
        return question_id


async def past_hearings(db: Database, municipality_code: str) -> list[tuple[Hearing, dict[int, str | None]]]:
    """Past hearings of the municipality (newest first), each with the texts of its accepted problems
    (see :func:`problem_excerpts`)."""
    return [(h, await problem_excerpts(db, h.problem_ids) if h.status == "held" else {})
            for h in await list_past(db, municipality_code)]
