"""Surveys before hearings: lightweight, secret votes of a municipality's residents.

An officer asks the residents of THEIR municipality a question with 2–10 options (in Kyrgyz
and/or Russian; residents see their language, else the other), single choice or up to N choices,
open between ``opens_at`` and ``closes_at`` (UTC here; entered and shown in Asia/Bishkek).

Rules and where they live:

* One ballot per resident per survey: the primary key of ``survey_ballots`` (survey, resident),
  so a double tap or two racing taps make one row. Never keyed by municipality: a resident who
  moves cannot vote twice in one survey, and can vote only in their current municipality's surveys.
* The vote is accepted only while ``opens_at <= now < closes_at`` on the server clock (UTC), no
  matter whether the scheduler has closed the survey yet.
* Secrecy: who voted for what is never returned by any function here except to the voter
  themselves (:func:`my_choice`), never exported, never logged. Results are counts only and are
  hidden entirely while fewer than :data:`MIN_GROUP` residents voted; per option, any group
  smaller than that (or derivable from what is shown) is hidden, see :meth:`Tally.suppressed`. Results are shown only
  after the survey closes (no bandwagon effect); while open, only the turnout count.
* Counts are kept by triggers (migration 0004) in the same transaction as each vote, so a tally
  reads ≤ 10 rows whatever the turnout; :func:`recount` checks them with ``COUNT … GROUP BY``.
* Announcements, extensions and results reach residents only through :func:`bot.domain.outbox.enqueue`
  in the same transaction as the change.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.db import Database, Transaction
from bot.domain import DomainError, InvalidInput, NotFound, PermissionDenied
from bot.domain.clock import clock, from_db, to_db
from bot.domain.officers import require_officer
from bot.domain.outbox import Audience, Button, Content, LocalizedMessage, enqueue
from bot.domain.problems import ranked_page
from bot.domain.text import clean_user_text
from bot.i18n import _, format_datetime, format_number, format_share, ngettext

MIN_OPTIONS = 2
MAX_OPTIONS = 10
QUESTION_MAX = 300
"""Characters of a question (one language)."""
OPTION_MAX = 100
"""Characters of an option (one language); long options are cut on buttons, shown whole in the text."""
MIN_GROUP = 5
"""Smallest group of voters whose counts are shown: fewer voters and the results stay hidden (secrecy)."""
RECENT_JOIN = timedelta(hours=1)
"""An account that joined the bot this shortly before its first vote counts as a recent joiner."""
BURST_MIN = 5
"""Recent-joiner ballots from which the officer is warned (also at least :data:`BURST_SHARE` of all ballots)."""
BURST_SHARE = 0.10
MAX_AHEAD = timedelta(days=366)
"""How far ahead a survey may close."""

DATETIME_INPUT = re.compile(r"^\s*([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})\s+([0-9]{1,2})[:.]([0-9]{2})\s*$")
"""Accepted input of a time: ``DD.MM.YYYY HH:MM`` (``15.12.2026 18:00``), the way dates are written in Kyrgyzstan.

ASCII digits only (``[0-9]``, not ``\\d``, which would take Arabic-Indic and other Unicode digits)."""
YEAR_MIN = 2000
YEAR_MAX = 2100
"""Years accepted in typed dates; others (``01.01.0001``) would overflow time-zone arithmetic."""

STATUSES = ("scheduled", "open", "closed", "deleted")


class SurveyUnavailable(DomainError):
    """The survey does not take votes or changes now; ``reason``: ``not_open`` | ``closed`` | ``deleted``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class WrongMunicipality(PermissionDenied):
    """The resident (or officer) belongs to another municipality than the survey."""


class NotVerified(DomainError):
    """The survey is for verified residents only and this resident is not verified (see verification.py)."""


class ResultsNotReady(DomainError):
    """Results are shown only after the survey closes."""


# -- data ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """One answer: ``position`` 1..10, texts (one may be empty), ``votes`` so far, ``problem_id`` if from a problem."""

    position: int
    text_ky: str
    text_ru: str
    votes: int = 0
    problem_id: int | None = None

    def text(self, locale: str) -> str:
        """The text in ``locale``, else the other language's."""
        return pick(self.text_ky, self.text_ru, locale)


@dataclass(frozen=True)
class Survey:
    """A survey as stored; times are aware UTC datetimes."""

    id: int
    municipality_code: str
    question_ky: str
    question_ru: str
    max_choices: int
    opens_at: datetime
    closes_at: datetime
    hearing_id: int | None
    verified_only: bool
    status: str
    ballots: int
    recent_ballots: int
    created_by: int
    closed_at: datetime | None
    options: tuple[Option, ...] = ()

    def question(self, locale: str) -> str:
        """The question in ``locale``, else the other language's."""
        return pick(self.question_ky, self.question_ru, locale)

    def state(self, now: datetime | None = None) -> str:
        """``scheduled`` | ``open`` | ``closed`` | ``deleted`` by the clock, even before the scheduler ran."""
        now = now or clock.now()
        if self.status in ("deleted", "closed"):
            return self.status
        if now >= self.closes_at:
            return "closed"
        if now < self.opens_at:
            return "scheduled"
        return "open"

    @property
    def multiple(self) -> bool:
        """True when more than one option may be chosen."""
        return self.max_choices > 1


@dataclass
class Draft:
    """What an officer has typed so far (kept in the FSM as :meth:`to_dict`).

    ``options``: list of ``[text_ky, text_ru, problem_id]``; times are UTC ISO text or ``None``.
    """

    question_ky: str = ""
    question_ru: str = ""
    options: list[list] = field(default_factory=list)
    max_choices: int = 1
    opens_at: str | None = None
    closes_at: str | None = None
    verified_only: bool = False
    hearing_id: int | None = None

    def to_dict(self) -> dict:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, data: dict) -> Draft:
        known = {k: data[k] for k in cls().__dict__ if k in data}
        return cls(**known)


@dataclass(frozen=True)
class Tally:
    """Counts of one survey: ``ballots`` voters, ``votes`` per option position, ``recent`` recent-joiner ballots.

    ``hidden`` is true when fewer than :data:`MIN_GROUP` voted: then no count but the turnout may be shown.
    ``burst`` is true when recent joiners are :data:`BURST_MIN` or more and at least :data:`BURST_SHARE` of all.
    """

    ballots: int
    votes: dict[int, int]
    recent: int

    @property
    def hidden(self) -> bool:
        return self.ballots < MIN_GROUP

    @property
    def burst(self) -> bool:
        return self.recent >= BURST_MIN and self.recent >= BURST_SHARE * max(self.ballots, 1)

    def share(self, position: int) -> float:
        """Share 0..1 of voters who chose this option (multi-choice shares may sum above 1)."""
        return self.votes.get(position, 0) / self.ballots if self.ballots else 0.0

    def suppressed(self, multiple: bool) -> frozenset[int]:
        """Option positions whose count (and share) must not be shown — the secrecy rule (issue #5 rule 6).

        Rule 6 says "result breakdowns hide any group smaller than :data:`MIN_GROUP` voters". A group
        is not only the voters of one option but also what can be worked out from what is shown,
        since the turnout (``ballots``) is public. With ``k`` = :data:`MIN_GROUP`:

        1. Fewer than ``k`` ballots: every option is hidden (only the turnout shows).
        2. An option chosen by fewer than ``k`` voters (0 included) is hidden.
        3. An option whose NON-choosers are fewer than ``k`` is hidden (``ballots - votes < k``;
           0 is a unanimous vote, which would reveal every voter's choice).
        4. Single choice only — the votes add up to the turnout, so ``turnout - shown counts`` is the
           sum ``R`` of the ``h`` hidden options, each known to be below ``k``: unless ``h >= 2`` and
           ``k <= R <= (k - 1) * h - 1``, one hidden count could be worked out (``h = 1``; ``R < k``,
           e.g. all zeros next to a unanimous option; or ``R = (k - 1) * h``, all at ``k - 1``), so
           then EVERY option is hidden and only the turnout shows. Within those bounds each hidden
           count could be any of at least two values, whichever tally produced the display
           (checked exhaustively in tests/test_surveys_fixes.py).
           Multi choice needs no step 4: voters tick 1..N options, so the total of votes is unknown.

        All hidden options carry the same label, in position order after the shown ones.
        O(options); the tally itself stays the trigger-kept counters.
        """
        positions = sorted(self.votes)
        everything = frozenset(positions)
        if self.ballots < MIN_GROUP:
            return everything
        hidden = {p for p in positions
                  if self.votes[p] < MIN_GROUP or self.ballots - self.votes[p] < MIN_GROUP}
        if not multiple and hidden:
            rest = sum(self.votes[p] for p in hidden)
            if len(hidden) < 2 or not MIN_GROUP <= rest <= (MIN_GROUP - 1) * len(hidden) - 1:
                return everything
        return frozenset(hidden)

    def visible(self, survey: Survey) -> dict[int, int | None]:
        """Per option position: its count if it may be shown, ``None`` if hidden (see :meth:`suppressed`)."""
        hidden = self.suppressed(survey.multiple)
        return {o.position: None if o.position in hidden else self.votes.get(o.position, 0) for o in survey.options}


@dataclass(frozen=True)
class VoteResult:
    """``first``: the resident's first ballot in this survey; ``changed``: the choice differs from before."""

    first: bool
    changed: bool


def pick(ky: str, ru: str, locale: str) -> str:
    """``ky`` or ``ru`` text by locale, falling back to the non-empty one."""
    primary, other = (ky, ru) if locale == "ky" else (ru, ky)
    return primary or other


# -- input -------------------------------------------------------------------------------------


def parse_local_datetime(text: str, tz: ZoneInfo) -> datetime:
    """Parse ``DD.MM.YYYY HH:MM`` typed in ``tz`` (Asia/Bishkek) into an aware UTC datetime.

    Raises:
        InvalidInput: ``"format"`` when the text is not in that shape (ASCII digits only), ``"year"``
            when the year is outside :data:`YEAR_MIN`..:data:`YEAR_MAX` (``limit``/``actual`` = max/year),
            ``"date"`` when the day or time does not exist (31.02., 24:00).
    """
    match = DATETIME_INPUT.match(text or "")
    if not match:
        raise InvalidInput("format")
    day, month, year, hour, minute = (int(g) for g in match.groups())
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise InvalidInput("year", limit=YEAR_MAX, actual=year)
    try:
        local = datetime(year, month, day, hour, minute, tzinfo=tz)
    except ValueError as exc:
        raise InvalidInput("date") from exc
    return from_db(to_db(local))


def clean_text(text: str | None, limit: int) -> str:
    """Strip controls and surrounding space; raise :class:`InvalidInput` (``limit``/``actual``) if too long."""
    value = clean_user_text(text or "").strip()
    if len(value) > limit:
        raise InvalidInput("too long", limit=limit, actual=len(value))
    return value


def split_options(text: str) -> list[str]:
    """One option per non-empty line; leading list markers ("1.", "-", "•") are removed."""
    lines = []
    for line in (text or "").splitlines():
        line = re.sub(r"^\s*(?:\d{1,2}[.)]|[-–—•*])\s*", "", line).strip()
        if line:
            lines.append(line)
    return lines


def validate_draft(draft: Draft, now: datetime) -> None:
    """Check a draft before publishing.

    Raises:
        InvalidInput: message ``question`` | ``options`` | ``option_language`` | ``max_choices`` |
            ``times`` | ``closes_past`` | ``too_far``; ``limit``/``actual`` when a count is off.
    """
    if not (draft.question_ky or draft.question_ru):
        raise InvalidInput("question")
    if len(draft.question_ky) > QUESTION_MAX or len(draft.question_ru) > QUESTION_MAX:
        raise InvalidInput("question", limit=QUESTION_MAX)
    count = len(draft.options)
    if not MIN_OPTIONS <= count <= MAX_OPTIONS:
        raise InvalidInput("options", limit=MAX_OPTIONS, actual=count)
    for ky, ru, *_rest in draft.options:
        if not (ky or ru) or len(ky) > OPTION_MAX or len(ru) > OPTION_MAX:
            raise InvalidInput("option_language", limit=OPTION_MAX)
    if not 1 <= draft.max_choices <= count:
        raise InvalidInput("max_choices", limit=count, actual=draft.max_choices)
    if not draft.opens_at or not draft.closes_at:
        raise InvalidInput("times")
    opens, closes = from_db(draft.opens_at), from_db(draft.closes_at)
    if closes <= now:
        raise InvalidInput("closes_past")
    if closes <= opens:
        raise InvalidInput("times")
    if closes - now > MAX_AHEAD:
        raise InvalidInput("too_far")


# -- reading -----------------------------------------------------------------------------------


def _survey(row, options: Sequence[Option] = ()) -> Survey:
    return Survey(
        id=row["id"], municipality_code=row["municipality_code"], question_ky=row["question_ky"],
        question_ru=row["question_ru"], max_choices=row["max_choices"], opens_at=from_db(row["opens_at"]),
        closes_at=from_db(row["closes_at"]), hearing_id=row["hearing_id"], verified_only=bool(row["verified_only"]),
        status=row["status"], ballots=row["ballots"], recent_ballots=row["recent_ballots"],
        created_by=row["created_by"], closed_at=from_db(row["closed_at"]) if row["closed_at"] else None,
        options=tuple(options),
    )


async def _options(reader: Database | Transaction, survey_id: int) -> list[Option]:
    rows = await reader.fetchall(
        "SELECT position, text_ky, text_ru, votes, problem_id FROM survey_options WHERE survey_id = ? ORDER BY position",
        (survey_id,),
    )
    return [Option(r["position"], r["text_ky"], r["text_ru"], r["votes"], r["problem_id"]) for r in rows]


async def get_survey(db: Database | Transaction, survey_id: int) -> Survey | None:
    """The survey with its options, or ``None``."""
    row = await db.fetchone("SELECT * FROM surveys WHERE id = ?", (survey_id,))
    if row is None:
        return None
    return _survey(row, await _options(db, survey_id))


async def list_open_surveys(db: Database, municipality_code: str, now: datetime | None = None) -> list[Survey]:
    """Surveys of a municipality taking votes now, closing soonest first."""
    now_s = to_db(now or clock.now())
    rows = await db.fetchall(
        "SELECT * FROM surveys WHERE municipality_code = ? AND status IN ('scheduled', 'open')"
        " AND opens_at <= ? AND closes_at > ? ORDER BY closes_at, id",
        (municipality_code, now_s, now_s),
    )
    return [_survey(r, await _options(db, r["id"])) for r in rows]


async def list_recent_closed(db: Database, municipality_code: str, limit: int = 5) -> list[Survey]:
    """The latest closed surveys of a municipality (for "results"), newest first."""
    now_s = to_db(clock.now())
    rows = await db.fetchall(
        "SELECT * FROM surveys WHERE municipality_code = ? AND (status = 'closed'"
        " OR (status IN ('scheduled', 'open') AND closes_at <= ?)) ORDER BY closes_at DESC LIMIT ?",
        (municipality_code, now_s, limit),
    )
    return [_survey(r, await _options(db, r["id"])) for r in rows]


async def list_officer_surveys(db: Database, officer_id: int, limit: int = 20) -> list[Survey]:
    """The officer's municipality's surveys (not deleted), newest first.

    Raises:
        PermissionDenied: not an officer.
    """
    officer = await require_officer(db, officer_id)
    rows = await db.fetchall(
        "SELECT * FROM surveys WHERE municipality_code = ? AND status <> 'deleted' ORDER BY id DESC LIMIT ?",
        (officer.municipality_code, limit),
    )
    return [_survey(r, await _options(db, r["id"])) for r in rows]


async def my_choice(db: Database, resident_id: int, survey_id: int) -> frozenset[int]:
    """The option positions this resident chose (shown to them alone), empty if they have not voted."""
    rows = await db.fetchall(
        "SELECT position FROM survey_votes WHERE survey_id = ? AND resident_id = ?", (survey_id, resident_id)
    )
    return frozenset(r[0] for r in rows)


async def tally(db: Database | Transaction, survey_id: int) -> Tally:
    """Counts from the trigger-kept counters: reads ≤ 11 rows whatever the turnout.

    Raises:
        NotFound: no such survey.
    """
    row = await db.fetchone("SELECT ballots, recent_ballots FROM surveys WHERE id = ?", (survey_id,))
    if row is None:
        raise NotFound("survey")
    rows = await db.fetchall("SELECT position, votes FROM survey_options WHERE survey_id = ?", (survey_id,))
    return Tally(ballots=row["ballots"], votes={r[0]: r[1] for r in rows}, recent=row["recent_ballots"])


async def recount(db: Database, survey_id: int) -> Tally:
    """Counts straight from the ballots with ``COUNT … GROUP BY`` (covering indexes); checks :func:`tally`."""
    ballots = await db.fetchval("SELECT count(*) FROM survey_ballots WHERE survey_id = ?", (survey_id,))
    recent = await db.fetchval(
        "SELECT count(*) FROM survey_ballots WHERE survey_id = ? AND recent_joiner = 1", (survey_id,))
    rows = await db.fetchall(
        "SELECT position, count(*) FROM survey_votes WHERE survey_id = ? GROUP BY position", (survey_id,))
    votes = {r[0]: r[1] for r in rows}
    for position in await db.fetchall("SELECT position FROM survey_options WHERE survey_id = ?", (survey_id,)):
        votes.setdefault(position[0], 0)
    return Tally(ballots=int(ballots), votes=votes, recent=int(recent))


async def officer_tally(db: Database, *, officer_id: int, survey_id: int) -> tuple[Survey, Tally]:
    """The survey and its counts for an officer of its municipality.

    While the survey is open the caller must show the turnout only (``tally.ballots``); the
    results (per option) only once :meth:`Survey.state` is ``closed``.

    Raises:
        NotFound: no such survey (or deleted). PermissionDenied: not an officer of its municipality.
    """
    survey = await get_survey(db, survey_id)
    if survey is None or survey.status == "deleted":
        raise NotFound("survey")
    await require_officer(db, officer_id, survey.municipality_code)
    return survey, await tally(db, survey_id)


async def resident_results(db: Database, *, resident_id: int, survey_id: int) -> tuple[Survey, Tally]:
    """Results of a closed survey of the resident's municipality (or one they voted in).

    Raises:
        NotFound: no such survey or deleted. ResultsNotReady: still open or scheduled.
        WrongMunicipality: another municipality's survey the resident did not vote in.
    """
    survey = await get_survey(db, survey_id)
    if survey is None or survey.status == "deleted":
        raise NotFound("survey")
    code = await db.fetchval("SELECT municipality_code FROM residents WHERE telegram_id = ?", (resident_id,))
    if code != survey.municipality_code and not await db.fetchval(
        "SELECT 1 FROM survey_ballots WHERE survey_id = ? AND resident_id = ?", (survey_id, resident_id)
    ):
        raise WrongMunicipality("survey of another municipality")
    if survey.state() != "closed":
        raise ResultsNotReady(survey.state())
    return survey, await tally(db, survey_id)


# -- priority problems as options ----------------------------------------------------

async def priority_problem_options(db: Database, municipality_code: str, limit: int = MAX_OPTIONS) -> list[list]:
    """Options ``[text, text, problem_id]`` from the municipality's top open problems by supports
    (:func:`bot.domain.problems.ranked_page`). A problem's text is shown in both languages as its author
    wrote it, cut to :data:`OPTION_MAX`; voice-only problems (no text) are left out."""
    problems, _total = await ranked_page(db, municipality_code, page=0, size=limit)
    options = []
    for problem in problems:
        text = clean_user_text(problem.text or "").replace("\n", " ")
        if len(text) > OPTION_MAX:
            text = text[: OPTION_MAX - 1].rstrip() + "…"
        if text:
            options.append([text, text, problem.id])
    return options


# -- hearings (optional link) ------------------------------------------------------------------


@dataclass(frozen=True)
class HearingRef:
    """An upcoming public hearing a survey can be linked to (its results are taken there)."""

    id: int
    title_ky: str
    title_ru: str
    starts_at: datetime

    def title(self, locale: str) -> str:
        return pick(self.title_ky, self.title_ru, locale)


async def upcoming_hearings(db: Database | Transaction, municipality_code: str, now: datetime | None = None,
                            limit: int = 5) -> list[HearingRef]:
    """Scheduled hearings of the municipality that have not started, soonest first."""
    rows = await db.fetchall(
        "SELECT id, title_ky, title_ru, starts_at FROM hearings WHERE municipality_code = ?"
        " AND status = 'scheduled' AND starts_at > ? ORDER BY starts_at LIMIT ?",
        (municipality_code, to_db(now or clock.now()), limit))
    return [HearingRef(r["id"], r["title_ky"], r["title_ru"], from_db(r["starts_at"])) for r in rows]


async def get_hearing_ref(db: Database | Transaction, hearing_id: int | None, municipality_code: str) -> HearingRef | None:
    """The linked hearing if it exists in that municipality (any status), else ``None``."""
    if not hearing_id:
        return None
    row = await db.fetchone("SELECT id, title_ky, title_ru, starts_at FROM hearings WHERE id = ?"
                            " AND municipality_code = ?", (hearing_id, municipality_code))
    return None if row is None else HearingRef(row["id"], row["title_ky"], row["title_ru"], from_db(row["starts_at"]))


# -- officer actions ---------------------------------------------------------------------------


async def create_survey(db: Database, *, officer_id: int, draft: Draft) -> Survey:
    """Publish a survey in the officer's municipality.

    Opens at once (and is announced to every active resident of the municipality through the
    outbox, in the same transaction) when ``opens_at`` is not in the future; otherwise it waits
    for :func:`open_due_surveys`. An ``opens_at`` in the past is moved to now.

    Raises:
        PermissionDenied: not an officer. InvalidInput: see :func:`validate_draft`.
    """
    officer = await require_officer(db, officer_id)
    now = clock.now()
    validate_draft(draft, now)
    opens = max(from_db(draft.opens_at), now)
    status = "open" if opens <= now else "scheduled"
    async with db.transaction() as tx:
        if draft.hearing_id and await get_hearing_ref(tx, draft.hearing_id, officer.municipality_code) is None:
            raise InvalidInput("hearing")
        survey_id = await tx.insert(
            "INSERT INTO surveys (municipality_code, question_ky, question_ru, max_choices, opens_at, closes_at,"
            " hearing_id, verified_only, status, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (officer.municipality_code, draft.question_ky, draft.question_ru, draft.max_choices, to_db(opens),
             draft.closes_at, draft.hearing_id, int(draft.verified_only), status, officer_id, to_db(now)),
        )
        await tx.executemany(
            "INSERT INTO survey_options (survey_id, position, text_ky, text_ru, problem_id) VALUES (?, ?, ?, ?, ?)",
            [(survey_id, i, opt[0], opt[1], opt[2] if len(opt) > 2 else None)
             for i, opt in enumerate(draft.options, start=1)],
        )
        survey = await get_survey(tx, survey_id)
        assert survey is not None
        if status == "open":
            await _announce(tx, survey, sender_id=officer_id)
    return survey


async def _officer_survey(tx: Transaction, officer_id: int, survey_id: int) -> Survey:
    survey = await get_survey(tx, survey_id)
    if survey is None or survey.status == "deleted":
        raise NotFound("survey")
    officer = await tx.fetchval("SELECT municipality_code FROM officers WHERE telegram_id = ?", (officer_id,))
    if officer is None:
        raise PermissionDenied("not an officer")
    if officer != survey.municipality_code:
        raise WrongMunicipality("officer of another municipality")
    return survey


async def close_survey(db: Database, *, officer_id: int, survey_id: int) -> Survey:
    """Close a survey early; results go out through the outbox in the same transaction.

    A survey that has not opened yet (:meth:`Survey.state` ``scheduled``) was never announced and has
    no votes: closing it cancels it quietly (status ``deleted``, no results sent to anyone) and the
    returned survey has status ``deleted``.

    Raises:
        NotFound, PermissionDenied/WrongMunicipality, SurveyUnavailable(``closed``).
    """
    async with db.transaction() as tx:
        survey = await _officer_survey(tx, officer_id, survey_id)
        if survey.status == "closed":
            raise SurveyUnavailable("closed")
        now = clock.now()
        if survey.state(now) == "scheduled":
            await tx.execute("UPDATE surveys SET status = 'deleted', closed_at = ? WHERE id = ?",
                             (to_db(now), survey_id))
            cancelled = await get_survey(tx, survey_id)
            assert cancelled is not None
            return cancelled
        closes = min(survey.closes_at, now)
        opens = min(survey.opens_at, closes - timedelta(seconds=1))
        await tx.execute("UPDATE surveys SET opens_at = ?, closes_at = ? WHERE id = ?",
                         (to_db(opens), to_db(closes), survey_id))
        await _close(tx, survey_id, now)
        result = await get_survey(tx, survey_id)
    assert result is not None
    return result


async def extend_survey(db: Database, *, officer_id: int, survey_id: int, closes_at: datetime) -> Survey:
    """Move the closing time later; those who already voted are told through the outbox.

    Raises:
        NotFound, PermissionDenied/WrongMunicipality, SurveyUnavailable(``closed``) when it has closed,
        InvalidInput(``earlier``) when ``closes_at`` is not after the current closing time,
        InvalidInput(``too_far``) beyond :data:`MAX_AHEAD`.
    """
    now = clock.now()
    async with db.transaction() as tx:
        survey = await _officer_survey(tx, officer_id, survey_id)
        if survey.state(now) == "closed":
            raise SurveyUnavailable("closed")
        if closes_at <= survey.closes_at:
            raise InvalidInput("earlier")
        if closes_at - now > MAX_AHEAD:
            raise InvalidInput("too_far")
        await tx.execute("UPDATE surveys SET closes_at = ? WHERE id = ?", (to_db(closes_at), survey_id))
        survey = await get_survey(tx, survey_id)
        assert survey is not None
        voters = [r[0] for r in await tx.fetchall(
            "SELECT resident_id FROM survey_ballots WHERE survey_id = ?", (survey_id,))]
        if voters:
            versions = {}
            for loc in ("ky", "ru"):
                text = _("⏳ The survey «{question}» is extended. It now closes on {closes}. "
                         "You can still change your vote.", locale=loc).format(
                    question=_esc(survey.question(loc)), closes=format_datetime(survey.closes_at, loc))
                versions[loc] = LocalizedMessage(text, [[Button(_("Open the survey", locale=loc),
                                                               callback_data=vote_data("open", survey_id))]])
            await enqueue(tx, kind="survey_extended", audience=Audience.residents(voters),
                          content=Content(versions), municipality_code=survey.municipality_code, sender_id=officer_id)
    return survey


async def delete_survey(db: Database, *, officer_id: int, survey_id: int) -> None:
    """Withdraw a survey (kept in the database with status ``deleted``; buttons on it then say so).

    Raises:
        NotFound, PermissionDenied/WrongMunicipality.
    """
    async with db.transaction() as tx:
        await _officer_survey(tx, officer_id, survey_id)
        await tx.execute("UPDATE surveys SET status = 'deleted', closed_at = ? WHERE id = ?",
                         (to_db(clock.now()), survey_id))


# -- residents ---------------------------------------------------------------------------------


async def cast_vote(db: Database, *, resident_id: int, survey_id: int, positions: Sequence[int]) -> VoteResult:
    """Record (or change) a resident's vote; idempotent for the same choice.

    The whole check-and-write is one transaction; the ballot's primary key makes racing taps one vote.

    Raises:
        NotFound: no such survey or option. SurveyUnavailable: ``not_open`` | ``closed`` | ``deleted``.
        WrongMunicipality: the survey is not of the resident's current municipality.
        InvalidInput: no option, or more than ``max_choices`` (``limit``/``actual``).
        NotVerified: verified-only survey and the resident is not verified.
    """
    chosen = sorted(set(int(p) for p in positions))
    now = clock.now()
    now_s = to_db(now)
    async with db.transaction() as tx:
        s = await tx.fetchone(
            "SELECT municipality_code, status, opens_at, closes_at, max_choices, verified_only FROM surveys WHERE id = ?",
            (survey_id,))
        if s is None:
            raise NotFound("survey")
        if s["status"] == "deleted":
            raise SurveyUnavailable("deleted")
        if s["status"] == "closed" or now_s >= s["closes_at"]:
            raise SurveyUnavailable("closed")
        if now_s < s["opens_at"]:
            raise SurveyUnavailable("not_open")
        person = await tx.fetchone("SELECT municipality_code, joined_at FROM residents WHERE telegram_id = ?",
                                   (resident_id,))
        if person is None or person["municipality_code"] != s["municipality_code"]:
            raise WrongMunicipality("survey of another municipality")
        if not chosen or len(chosen) > s["max_choices"]:
            raise InvalidInput("choices", limit=s["max_choices"], actual=len(chosen))
        valid = {r[0] for r in await tx.fetchall("SELECT position FROM survey_options WHERE survey_id = ?",
                                                  (survey_id,))}
        if not set(chosen) <= valid:
            raise NotFound("option")
        if s["verified_only"]:
            from bot.domain.verification import is_verified_tx

            if not await is_verified_tx(tx, resident_id, s["municipality_code"]):
                raise NotVerified()
        before = {r[0] for r in await tx.fetchall(
            "SELECT position FROM survey_votes WHERE survey_id = ? AND resident_id = ?", (survey_id, resident_id))}
        recent = int(person["joined_at"] > to_db(now - RECENT_JOIN))
        first = bool(await tx.execute(
            "INSERT INTO survey_ballots (survey_id, resident_id, recent_joiner, cast_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (survey_id, resident_id) DO NOTHING",
            (survey_id, resident_id, recent, now_s, now_s)))
        if before == set(chosen):
            return VoteResult(first=first, changed=False)
        if not first:
            await tx.execute("UPDATE survey_ballots SET updated_at = ? WHERE survey_id = ? AND resident_id = ?",
                             (now_s, survey_id, resident_id))
        gone = before - set(chosen)
        if gone:
            await tx.executemany("DELETE FROM survey_votes WHERE survey_id = ? AND resident_id = ? AND position = ?",
                                 [(survey_id, resident_id, p) for p in gone])
        await tx.executemany(
            "INSERT OR IGNORE INTO survey_votes (survey_id, resident_id, position) VALUES (?, ?, ?)",
            [(survey_id, resident_id, p) for p in chosen if p not in before])
    return VoteResult(first=first, changed=True)


# -- scheduler jobs ----------------------------------------------------------------------------


async def open_due_surveys(db: Database, now: datetime) -> int:
    """Scheduler job: open scheduled surveys whose opening time has come, announcing each.

    Each survey is opened and announced in one transaction (status test inside it), so a restart
    or two runs never announce twice. Returns how many were opened.
    """
    now_s = to_db(now)
    ids = [r[0] for r in await db.fetchall(
        "SELECT id FROM surveys WHERE status = 'scheduled' AND opens_at <= ? AND closes_at > ?", (now_s, now_s))]
    done = 0
    for survey_id in ids:
        async with db.transaction() as tx:
            changed = await tx.execute("UPDATE surveys SET status = 'open' WHERE id = ? AND status = 'scheduled'",
                                       (survey_id,))
            if changed:
                survey = await get_survey(tx, survey_id)
                assert survey is not None
                await _announce(tx, survey, sender_id=None)
                done += 1
    return done


async def close_due_surveys(db: Database, now: datetime) -> int:
    """Scheduler job: close surveys whose closing time passed and queue their results.

    Restart-safe: the status test and the change happen in one transaction per survey, with the
    results notification, so a survey is closed and announced exactly once. Returns how many closed.
    """
    now_s = to_db(now)
    ids = [r[0] for r in await db.fetchall(
        "SELECT id FROM surveys WHERE status IN ('scheduled', 'open') AND closes_at <= ?", (now_s,))]
    done = 0
    for survey_id in ids:
        async with db.transaction() as tx:
            if await _close(tx, survey_id, now):
                done += 1
    return done


SCHEDULER_JOBS = (open_due_surveys, close_due_surveys)
"""The jobs this module gives :class:`bot.scheduler.Scheduler`."""


async def _close(tx: Transaction, survey_id: int, now: datetime) -> bool:
    changed = await tx.execute(
        "UPDATE surveys SET status = 'closed', closed_at = ? WHERE id = ? AND status IN ('scheduled', 'open')",
        (to_db(now), survey_id))
    if not changed:
        return False
    survey = await get_survey(tx, survey_id)
    assert survey is not None
    counts = await tally(tx, survey_id)
    versions = {}
    for loc in ("ky", "ru"):
        text = _("🗳 The survey has closed.", locale=loc) + "\n\n" + results_text(survey, counts, loc)
        versions[loc] = LocalizedMessage(text)
    # Everyone in the municipality, plus voters who have moved away since they voted.
    moved = [r[0] for r in await tx.fetchall(
        "SELECT b.resident_id FROM survey_ballots b JOIN residents r ON r.telegram_id = b.resident_id"
        " WHERE b.survey_id = ? AND (r.municipality_code IS NULL OR r.municipality_code <> ?)",
        (survey_id, survey.municipality_code))]
    audience = Audience(municipality_code=survey.municipality_code, resident_ids=tuple(moved))
    await enqueue(tx, kind="survey_results", audience=audience, content=Content(versions),
                  municipality_code=survey.municipality_code)
    return True


async def _announce(tx: Transaction, survey: Survey, *, sender_id: int | None) -> None:
    hearing = await get_hearing_ref(tx, survey.hearing_id, survey.municipality_code)
    versions = {}
    for loc in ("ky", "ru"):
        versions[loc] = LocalizedMessage(
            announcement_text(survey, loc, hearing),
            [[Button(_("Vote", locale=loc), callback_data=vote_data("open", survey.id))]],
        )
    await enqueue(tx, kind="survey_announcement", audience=Audience.municipality(survey.municipality_code),
                  content=Content(versions), municipality_code=survey.municipality_code, sender_id=sender_id)


# -- texts (rendered here because the outbox needs them in the domain transaction) ---------------


def vote_data(action: str, survey_id: int, value: int = 0) -> str:
    """Callback data of a resident survey button; the same string as ``bot.ui.surveys.SurveyCallback(...).pack()``."""
    return f"sv:{action}:{survey_id}:{value}"


def _esc(value: str) -> str:
    import html

    return html.escape(value, quote=False)


def votes_text(n: int, locale: str) -> str:
    """"5 votes" with the right plural form: ru "1 голос, 2 голоса, 5 голосов", ky "5 добуш"."""
    return ngettext("{n} vote", "{n} votes", n, locale=locale).format(n=format_number(n, locale))


def voters_text(n: int, locale: str) -> str:
    """Turnout: "{n} residents voted" in the right plural form."""
    return ngettext("{n} resident has voted.", "{n} residents have voted.", n, locale=locale).format(
        n=format_number(n, locale))


def announcement_text(survey: Survey, locale: str, hearing: HearingRef | None = None) -> str:
    """The announcement a resident receives when a survey opens (with the hearing it prepares, if linked)."""
    lines = [_("🗳 <b>New survey</b>", locale=locale), "", f"<b>{_esc(survey.question(locale))}</b>", ""]
    lines += [f"{o.position}. {_esc(o.text(locale))}" for o in survey.options]
    lines.append("")
    lines.append(_("Voting is open until {closes}.", locale=locale).format(
        closes=format_datetime(survey.closes_at, locale)))
    if survey.verified_only:
        lines.append(_("Only verified residents can vote in this survey.", locale=locale))
    if hearing is not None:
        lines.append(hearing_line(hearing, locale))
    return "\n".join(lines)


def hearing_line(hearing: HearingRef, locale: str) -> str:
    """"The results will be presented at the public hearing …" line."""
    return _("The results will be presented at the public hearing «{title}» on {date}.", locale=locale).format(
        title=_esc(hearing.title(locale)), date=format_datetime(hearing.starts_at, locale))


def results_text(survey: Survey, counts: Tally, locale: str, *, officer: bool = False) -> str:
    """Question, turnout and per-option counts with percentages of voters, under the secrecy rule.

    Options that :meth:`Tally.suppressed` hides show "hidden to keep votes secret" (neither count nor
    share), after the shown ones, in position order; when every option is hidden only the turnout
    shows. For the officer (``officer=True``) a burst of recent joiners is flagged (a count, no identities).
    """
    lines = [f"<b>{_esc(survey.question(locale))}</b>", voters_text(counts.ballots, locale)]
    visible = counts.visible(survey)
    if counts.hidden:
        lines.append(_("Fewer than {min} residents voted, so the results are not shown: "
                       "this keeps every vote secret.", locale=locale).format(min=MIN_GROUP))
    elif all(n is None for n in visible.values()):
        lines.append(_("The votes per option are not shown: with so few votes for some options, "
                       "how a group of fewer than {min} residents voted could be worked out.",
                       locale=locale).format(min=MIN_GROUP))
    else:
        lines.append("")
        shown = [o for o in survey.options if visible[o.position] is not None]
        shown.sort(key=lambda o: (-(visible[o.position] or 0), o.position))
        for option in shown:
            n = visible[option.position] or 0
            lines.append(_("{option}: {votes} ({share})", locale=locale).format(
                option=_esc(option.text(locale)), votes=votes_text(n, locale),
                share=format_share(counts.share(option.position), locale)))
        hidden = [o for o in survey.options if visible[o.position] is None]
        for option in hidden:
            lines.append(_("{option}: hidden to keep votes secret", locale=locale).format(
                option=_esc(option.text(locale))))
        if hidden:
            lines.append("")
            lines.append(_("Options chosen by fewer than {min} voters are hidden, and so is any count "
                           "from which their votes could be worked out.", locale=locale).format(min=MIN_GROUP))
        if survey.multiple:
            lines.append("")
            lines.append(_("Each voter could choose up to {n} options; percentages are of voters.",
                           locale=locale).format(n=survey.max_choices))
    if officer and counts.burst:
        lines.append("")
        lines.append(ngettext(
            "⚠️ {n} vote came from an account that joined the bot less than an hour before voting.",
            "⚠️ {n} votes came from accounts that joined the bot less than an hour before voting.",
            counts.recent, locale=locale).format(n=format_number(counts.recent, locale)))
    return "\n".join(lines)
