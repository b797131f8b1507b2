"""``:voters N [survey id]`` in the terminal sandbox: N simulated residents vote in a survey.

Results of a survey are hidden under five voters (secrecy of small groups), and the sandbox has
only three users, so without these no result could ever be seen. The voters are residents of the
survey's municipality made through the real domain functions (``touch_resident``, ``set_locale``,
``set_municipality``, ``verify_by_contact`` for a verified-only survey, ``cast_vote``); their
Telegram chats are open in the emulator, so notices to them are delivered (and not shown).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from bot.db import Database
from bot.domain import residents, verification
from bot.domain.surveys import queries, resident
from bot.sandbox.emulator import BotAPIEmulator

FIRST_VOTER_ID = 2_000_001
"""Telegram ids of simulated voters start here (real users of the sandbox are 1001–1003)."""
MAX_VOTERS = 500
"""Most voters one command adds (a survey's results show from 5; a few dozen show shares)."""
NAMES = ("Асан", "Үсөн", "Гүлнара", "Бакыт", "Жылдыз", "Нурбек", "Айжан", "Эрмек", "Чолпон", "Талант")


@dataclass(frozen=True)
class VotersAdded:
    """What :func:`add_voters` did: the survey, how many voted, the number of voters it has now."""

    survey_id: int
    question: str
    added: int
    voters: int


async def _next_id(db: Database) -> int:
    """The first simulated-voter id not taken yet (they are taken in order, also in earlier runs)."""
    low, step = FIRST_VOTER_ID, 1
    while await residents.get_resident(db, low + step - 1) is not None:  # gallop past the taken ones
        low, step = low + step, step * 2
    high = low + step - 1  # free; everything below ``low`` is taken
    while low < high:
        middle = (low + high) // 2
        if await residents.get_resident(db, middle) is None:
            high = middle
        else:
            low = middle + 1
    return low


def _choice(rng: random.Random, positions: list[int], max_choices: int, number: int) -> list[int]:
    """The options voter ``number`` (0, 1, … over all runs) picks: the first ``5 × options`` voters go
    round the options (so each gets the 5 votes under which results stay hidden), later ones choose
    at random, favouring the first options; up to ``max_choices`` each."""
    if number < 5 * len(positions):
        first = positions[number % len(positions)]
    else:
        first = rng.choices(positions, weights=range(len(positions), 0, -1))[0]
    extra = [p for p in positions if p != first]
    more = rng.randint(0, max(0, min(max_choices, len(positions)) - 1))
    return [first, *rng.sample(extra, k=more)]


async def add_voters(db: Database, emulator: BotAPIEmulator, *, count: int, municipality_code: str | None,
                     survey_id: int | None, locale: str = "ru", seed: int | None = None) -> VotersAdded:
    """``count`` new simulated residents of the survey's municipality vote in it (:func:`_choice`);
    ``locale`` is the language of the question in the result.

    ``survey_id`` ``None`` takes the newest open survey of ``municipality_code`` (the sandbox user's).

    Raises:
        ValueError: no such survey, none open, or ``count`` outside 1..:data:`MAX_VOTERS`
            (the sandbox prints the message).
        bot.domain errors of voting (a closed survey: ``SurveyClosed``).
    """
    if not 1 <= count <= MAX_VOTERS:
        raise ValueError(f":voters takes a number from 1 to {MAX_VOTERS}")
    if survey_id is None:
        if municipality_code is None:
            raise ValueError("choose your municipality first, or give a survey id: :voters 5 <id>")
        open_now = await queries.list_open_surveys(db, municipality_code)
        if not open_now:
            raise ValueError("no open survey in your municipality; give a survey id: :voters 5 <id>")
        survey = max(open_now, key=lambda s: s.id)
    else:
        found = await queries.get_survey(db, survey_id)
        if found is None:
            raise ValueError(f"no survey {survey_id}")
        survey = found
    rng = random.Random(seed)
    first = await _next_id(db)
    positions = [o.position for o in survey.options]
    for telegram_id in range(first, first + count):
        name = f"{NAMES[telegram_id % len(NAMES)]} {telegram_id - FIRST_VOTER_ID + 1}"
        locale = rng.choice(("ky", "ru"))
        emulator.add_user(telegram_id, name, language_code=locale)
        emulator.open_chat(telegram_id)
        await residents.touch_resident(db, telegram_id, first_name=name, last_name=None, username=None,
                                       language_code=locale)
        await residents.set_locale(db, telegram_id, locale)
        await residents.set_municipality(db, telegram_id, survey.municipality_code)
        if survey.verified_only:
            await verification.verify_by_contact(db, sender_id=telegram_id, contact_user_id=telegram_id,
                                                 phone_number=f"+99670{telegram_id % 10_000_000:07d}")
        chosen = _choice(rng, positions, survey.max_choices, telegram_id - FIRST_VOTER_ID)
        await resident.cast_vote(db, resident_id=telegram_id, survey_id=survey.id, positions=chosen)
    now = await queries.get_survey(db, survey.id)
    return VotersAdded(survey.id, survey.question(locale), count, now.ballots if now else count)
