"""Survey data and the constants its rules use: options, surveys, drafts, tallies (and the secrecy rule).

Times are aware UTC datetimes here; people type and read them in Asia/Bishkek (``bot.i18n.display_timezone()``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.domain.clock import clock

MIN_OPTIONS = 2
MAX_OPTIONS = 10
QUESTION_MAX = 300
"""Characters of a question (one language)."""
OPTION_MAX = 100
"""Characters of an option (one language); long options are cut on buttons, shown whole in the text."""
OPTION_TITLE_MAX = 40
"""Characters of an option's title made from a problem: a ballot button on a 360-px phone shows about 40."""
MIN_GROUP = 5
"""Smallest group of voters whose counts are shown: fewer voters and the results stay hidden (secrecy)."""
RECENT_JOIN = timedelta(hours=1)
"""An account that joined the bot this shortly before its first vote counts as a recent joiner."""
BURST_MIN = 5
"""Recent-joiner ballots from which the officer is warned (also at least :data:`BURST_SHARE` of all ballots)."""
BURST_SHARE = 0.10
ROLLOUT_BASE = 50
"""Residents a municipality had before a survey opened from which a burst of recent joiners is worth
telling the officer: with fewer, the bot is just being rolled out there and nearly everyone is new."""
MAX_AHEAD = timedelta(days=366)
"""How far ahead a survey may open or close."""
YEAR_MIN = 2000
YEAR_MAX = 2100
"""Years accepted in typed dates; others (``01.01.0001``) would overflow time-zone arithmetic."""

STATUSES = ("scheduled", "open", "closed", "deleted")


def pick(ky: str, ru: str, locale: str) -> str:
    """``ky`` or ``ru`` text by locale, falling back to the non-empty one."""
    primary, other = (ky, ru) if locale == "ky" else (ru, ky)
    return primary or other


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
    """A survey as stored; times are aware UTC datetimes; ``status`` one of :data:`STATUSES`."""

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
    established: bool = True
    """The municipality had :data:`ROLLOUT_BASE` residents before the survey opened (not a first rollout)."""

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
    options: list[list[Any]] = field(default_factory=list)
    max_choices: int = 1
    opens_at: str | None = None
    closes_at: str | None = None
    verified_only: bool = False
    hearing_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-able copy (the FSM stores it)."""
        return {**self.__dict__, "options": [list(o) for o in self.options]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Draft:
        """A draft from :meth:`to_dict` output; unknown keys are ignored."""
        known = {k: data[k] for k in cls().__dict__ if k in data}
        return cls(**known)


@dataclass(frozen=True)
class Tally:
    """Counts of one survey: ``ballots`` voters, ``votes`` per option position, ``recent`` recent-joiner ballots.

    ``hidden`` is true when fewer than :data:`MIN_GROUP` voted: then no count but the turnout may be shown.
    ``burst`` is true when recent joiners are :data:`BURST_MIN` or more and at least :data:`BURST_SHARE` of all,
    in an ``established`` municipality (in a first rollout nearly every voter is a recent joiner).
    """

    ballots: int
    votes: dict[int, int]
    recent: int
    established: bool = True
    """The municipality had :data:`ROLLOUT_BASE` residents before the survey opened (not a first rollout)."""

    @property
    def hidden(self) -> bool:
        return self.ballots < MIN_GROUP

    @property
    def burst(self) -> bool:
        return (self.established and self.recent >= BURST_MIN
                and self.recent >= BURST_SHARE * max(self.ballots, 1))

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
           (checked exhaustively in tests/test_surveys_domain.py).
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

    def any_shown(self, survey: Survey) -> bool:
        """Whether results may be shown at all: enough voters and at least one count not suppressed
        (else a chart or a file would show nothing but "hidden")."""
        return not self.hidden and any(n is not None for n in self.visible(survey).values())


@dataclass(frozen=True)
class VoteResult:
    """``first``: the resident's first ballot in this survey; ``changed``: the choice differs from before."""

    first: bool
    changed: bool


@dataclass(frozen=True)
class HearingRef:
    """An upcoming public hearing a survey can be linked to (its results are taken there)."""

    id: int
    title_ky: str
    title_ru: str
    starts_at: datetime

    def title(self, locale: str) -> str:
        return pick(self.title_ky, self.title_ru, locale)
