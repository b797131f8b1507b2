"""Priority problems: residents raise and support them; officers move them through the cycle.

Rules (from ../shared/domain.md, "The participation cycle" and "Problem statuses", and issue #4):

* A resident raises a problem in their own municipality: a category, a text of
  ``text_min``..``text_max`` characters (counted after :func:`clean_user_text`) or a voice
  message instead, up to :data:`MAX_PHOTOS` photos, an optional location. The author supports
  their own problem from the start.
* One support per resident per problem (``PRIMARY KEY (problem_id, resident_id)``): a double tap
  or two racing taps count once. Only residents of the problem's municipality support it, and only
  while it is open (:data:`OPEN_STATUSES`) and not hidden.
* Statuses go along :data:`CHAIN` (officers may skip steps or step back), or leave it to
  ``rejected`` (a reason is mandatory) or ``duplicate`` of another problem of the same
  municipality, whose supports move to the target without counting anyone twice.
  ``duplicate`` is final. Every change is a row in ``problem_events`` (who, when, comment).
* An officer may hide an abusive problem (reason mandatory): it stays in the database, disappears
  from every list, its buttons stop working, and the author is told why.
* When a problem is marked solved, its author and supporters get a one-tap "still a problem?";
  when the number of "still" answers reaches the municipality's threshold (``problem_settings``,
  default from settings), the problem goes back to ``under_review`` and the officers are told.
* Everyone else learns about a change only through :func:`bot.domain.outbox.enqueue`, in the
  same transaction as the change. Notification texts are rendered here in both languages.

Officer functions check :func:`bot.domain.officers.require_officer` against the problem's own
municipality inside their transaction.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

from bot.db import Database, Transaction
from bot.domain import DomainError, InvalidInput, NotFound, PermissionDenied
from bot.domain.clock import from_db, now_db
from bot.domain.officers import require_officer
from bot.domain.outbox import Audience, Button, Content, LocalizedMessage, enqueue
from bot.domain.text import clean_user_text, fold
from bot.i18n import N_, _

# -- vocabulary -------------------------------------------------------------------------------------

CATEGORIES: dict[str, str] = {
    "water": N_("Water supply"),
    "roads": N_("Roads"),
    "irrigation": N_("Irrigation"),
    "schools": N_("Schools"),
    "kindergartens": N_("Kindergartens"),
    "health": N_("Health"),
    "lighting": N_("Street lighting"),
    "waste": N_("Waste"),
    "culture_sport": N_("Culture and sport"),
    "social": N_("Social support"),
    "safety": N_("Public safety"),
    "other": N_("Other"),
}
"""Category key → English msgid of its label (translate with ``_(label, locale=…)``)."""

CATEGORY_ICONS: dict[str, str] = {
    "water": "🚰", "roads": "🛣", "irrigation": "🌾", "schools": "🏫", "kindergartens": "🧸", "health": "🏥",
    "lighting": "💡", "waste": "🗑", "culture_sport": "⚽", "social": "🤝", "safety": "🛡", "other": "📌",
}

CHAIN: tuple[str, ...] = (
    "new", "under_review", "prioritized", "in_action_plan", "at_hearing", "in_budget", "in_progress", "solved",
)
"""The participation cycle, in order (design decision of this project, ../shared/domain.md)."""

STATUSES: dict[str, str] = {
    "new": N_("New"),
    "under_review": N_("Under review"),
    "prioritized": N_("Prioritized"),
    "in_action_plan": N_("In the joint action plan"),
    "at_hearing": N_("At the public hearing"),
    "in_budget": N_("In the local budget"),
    "in_progress": N_("In progress"),
    "solved": N_("Solved"),
    "rejected": N_("Rejected"),
    "duplicate": N_("Duplicate"),
}
"""Status key → English msgid of its label."""

OPEN_STATUSES: tuple[str, ...] = CHAIN[:-1]
"""Statuses in which a problem is listed and can be supported."""
CLOSED_SQL = "('solved', 'rejected', 'duplicate')"

MAX_PHOTOS = 3
COMMENT_MAX = 500
"""Longest officer comment or reason, in characters."""
EXCERPT_LENGTH = 120
NOTICE_EXCERPT_LENGTH = 80

CALLBACK_PREFIX = "pb"
"""Prefix of :class:`bot.ui.callbacks.ProblemCallback`; outbox buttons are packed here by hand
(the domain does not import aiogram). ``tests/test_problems.py`` checks both agree."""


def open_card_data(problem_id: int) -> str:
    """Callback data of the "open the problem" button (``pb:open:<id>:0:r``)."""
    return f"{CALLBACK_PREFIX}:open:{problem_id}:0:r"


def still_data(problem_id: int, still: bool) -> str:
    """Callback data of a "still a problem?" answer (``pb:still:<id>:<1|0>:r``)."""
    return f"{CALLBACK_PREFIX}:still:{problem_id}:{int(still)}:r"


# -- errors -----------------------------------------------------------------------------------------


class ProblemGone(DomainError):
    """The problem cannot be acted on any more: ``reason`` is ``hidden``, ``duplicate`` (see
    ``problem.duplicate_of``) or ``closed`` (solved or rejected)."""

    def __init__(self, problem: Problem, reason: str) -> None:
        super().__init__(reason)
        self.problem = problem
        self.reason = reason


class AlreadyPublished(DomainError):
    """This draft (its ``draft_token``) was already published as problem ``problem_id``."""

    def __init__(self, problem_id: int) -> None:
        super().__init__("already published")
        self.problem_id = problem_id


class StatusChanged(DomainError):
    """The problem's status is no longer the one the officer saw (another officer changed it
    meanwhile); ``problem`` is the problem as it is now."""

    def __init__(self, problem: Problem) -> None:
        super().__init__("status changed")
        self.problem = problem


# -- records ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """A problem as stored. ``text`` is ``None`` for a voice problem; ``photos`` are file_ids;
    times are UTC ISO text (use :func:`bot.domain.clock.from_db`)."""

    id: int
    municipality_code: str
    author_id: int
    category: str
    text: str | None
    voice_file_id: str | None
    voice_duration: int | None
    photos: tuple[str, ...]
    latitude: float | None
    longitude: float | None
    status: str
    duplicate_of: int | None
    hidden: bool
    hidden_reason: str | None
    supports: int
    created_at: str
    updated_at: str

    @property
    def is_open(self) -> bool:
        """Listed and supportable: not hidden and not solved/rejected/duplicate."""
        return not self.hidden and self.status in OPEN_STATUSES

    @property
    def created(self) -> datetime:
        return from_db(self.created_at)


@dataclass(frozen=True)
class ProblemEvent:
    """One row of a problem's history. ``actor_id`` is ``None`` for the system (a reopening)."""

    id: int
    problem_id: int
    actor_id: int | None
    action: str
    old_status: str | None
    new_status: str | None
    related_id: int | None
    comment: str | None
    at: str


@dataclass(frozen=True)
class SupportResult:
    """After a support or withdrawal: the problem as it is now; ``changed`` is ``False`` when the
    tap changed nothing (already supported / not supported)."""

    problem: Problem
    supporting: bool
    changed: bool


@dataclass(frozen=True)
class StillResult:
    """After a "still a problem?" answer: the problem now, the count of "still" answers for the
    current solved status, the threshold, and whether this answer reopened the problem."""

    problem: Problem
    still_count: int
    threshold: int
    reopened: bool


def _problem(row) -> Problem:
    return Problem(
        id=row["id"], municipality_code=row["municipality_code"], author_id=row["author_id"],
        category=row["category"], text=row["text"], voice_file_id=row["voice_file_id"],
        voice_duration=row["voice_duration"], photos=tuple(json.loads(row["photos"] or "[]")),
        latitude=row["latitude"], longitude=row["longitude"], status=row["status"],
        duplicate_of=row["duplicate_of"], hidden=bool(row["hidden"]), hidden_reason=row["hidden_reason"],
        supports=row["supports"], created_at=row["created_at"], updated_at=row["updated_at"],
    )


def _event(row) -> ProblemEvent:
    return ProblemEvent(
        id=row["id"], problem_id=row["problem_id"], actor_id=row["actor_id"], action=row["action"],
        old_status=row["old_status"], new_status=row["new_status"], related_id=row["related_id"],
        comment=row["comment"], at=row["at"],
    )


# -- text -------------------------------------------------------------------------------------------

_WORD = re.compile(r"\w+")
_STOPWORDS = frozenset({
    "что", "это", "как", "для", "нет", "все", "уже", "очень", "наш", "наши", "нас", "нам", "или", "так",
    "жана", "менен", "бул", "деп", "учун", "эмес", "биз", "биздин", "бизде", "дагы", "абдан", "жок", "бар",
})


def search_stems(text: str) -> list[str]:
    """Folded word stems of ``text`` for "similar problems": words of 3+ letters after
    :func:`fold`, cut to 5 letters (a crude stem that lets "суу"/"сууну", "дорога"/"дороги"
    meet), stop words dropped, each stem once, in order of first use."""
    stems: dict[str, None] = {}
    for word in _WORD.findall(fold(text)):
        if len(word) < 3 or word.isdigit() or word in _STOPWORDS:
            continue
        stems[word[:5]] = None
    return list(stems)


_LINE_SEPARATORS = re.compile("[\u2028\u2029]")
"""Unicode line/paragraph separators: kept as line breaks (clean_user_text would drop them)."""


def check_text(text: str | None, *, text_min: int, text_max: int) -> str:
    """The problem text as it will be stored (:func:`clean_user_text`; U+2028/U+2029 become line
    breaks). Invisible characters (zero-width, bidi, Hangul fillers…) are removed BEFORE the length
    is counted, so a "text" of 12 blank fillers is too short.

    Raises:
        InvalidInput: shorter than ``text_min`` or longer than ``text_max`` characters
            (``limit`` = the bound broken, ``actual`` = the length).
    """
    cleaned = clean_user_text(_LINE_SEPARATORS.sub("\n", text or ""))
    if len(cleaned) < text_min:
        raise InvalidInput("text too short", limit=text_min, actual=len(cleaned))
    if len(cleaned) > text_max:
        raise InvalidInput("text too long", limit=text_max, actual=len(cleaned))
    return cleaned


def _check_comment(comment: str | None, *, required: bool) -> str | None:
    cleaned = clean_user_text(comment or "")
    if required and not cleaned:
        raise InvalidInput("reason required", limit=COMMENT_MAX, actual=0)
    if len(cleaned) > COMMENT_MAX:
        raise InvalidInput("comment too long", limit=COMMENT_MAX, actual=len(cleaned))
    return cleaned or None


def excerpt(text: str, length: int = EXCERPT_LENGTH) -> str:
    """The first ``length`` characters of ``text`` on one line, cut at a word with "…".
    Cut BEFORE escaping, so an HTML entity is never split."""
    flat = " ".join(text.split())
    if len(flat) <= length:
        return flat
    cut = flat[:length]
    if " " in cut[length // 2:]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip() + "…"


# -- reads ------------------------------------------------------------------------------------------

_OPEN_WHERE = f"hidden = 0 AND status NOT IN {CLOSED_SQL}"  # the partial indexes' WHERE, word for word


async def get_problem(db: Database | Transaction, problem_id: int) -> Problem | None:
    """The problem with this id (hidden ones too), or ``None``."""
    row = await db.fetchone("SELECT * FROM problems WHERE id = ?", (problem_id,))
    return None if row is None else _problem(row)


async def is_supporting(db: Database, problem_id: int, resident_id: int) -> bool:
    """Whether the resident supports the problem."""
    return bool(await db.fetchval(
        "SELECT 1 FROM problem_supports WHERE problem_id = ? AND resident_id = ?", (problem_id, resident_id)))


async def ranked_page(db: Database, municipality_code: str, *, page: int = 0, size: int = 5) -> tuple[list[Problem], int]:
    """One page of the municipality's open problems, most supported first, newer first on ties
    (higher id = newer). Returns ``(problems, total open problems)``; ``page`` is 0-based and
    clamped into range. Uses the partial index ``problems_ranked``."""
    total = await db.fetchval(
        f"SELECT count(*) FROM problems WHERE municipality_code = ? AND {_OPEN_WHERE}", (municipality_code,))
    page = _clamp(page, total, size)
    rows = await db.fetchall(
        f"SELECT * FROM problems WHERE municipality_code = ? AND {_OPEN_WHERE}"
        " ORDER BY supports DESC, id DESC LIMIT ? OFFSET ?",
        (municipality_code, size, page * size),
    )
    return [_problem(r) for r in rows], total


def _clamp(page: int, total: int, size: int) -> int:
    pages = max(1, -(-total // size))
    return min(max(page, 0), pages - 1)


async def my_problems(db: Database, resident_id: int, *, page: int = 0, size: int = 5) -> tuple[list[Problem], int]:
    """Problems the resident raised (any status, not hidden), newest first; ``(page, total)``."""
    total = await db.fetchval("SELECT count(*) FROM problems WHERE author_id = ? AND hidden = 0", (resident_id,))
    page = _clamp(page, total, size)
    rows = await db.fetchall(
        "SELECT * FROM problems WHERE author_id = ? AND hidden = 0 ORDER BY id DESC LIMIT ? OFFSET ?",
        (resident_id, size, page * size))
    return [_problem(r) for r in rows], total


async def supported_problems(db: Database, resident_id: int, *, page: int = 0, size: int = 5) -> tuple[list[Problem], int]:
    """Problems of others the resident supports (not hidden), newest first; ``(page, total)``."""
    where = ("FROM problem_supports s JOIN problems p ON p.id = s.problem_id"
             " WHERE s.resident_id = ? AND p.author_id != ? AND p.hidden = 0")
    total = await db.fetchval(f"SELECT count(*) {where}", (resident_id, resident_id))
    page = _clamp(page, total, size)
    rows = await db.fetchall(f"SELECT p.* {where} ORDER BY p.id DESC LIMIT ? OFFSET ?",
                             (resident_id, resident_id, size, page * size))
    return [_problem(r) for r in rows], total


async def similar_problems(
    db: Database, municipality_code: str, category: str, text: str | None, *, limit: int = 3, scan: int = 500,
) -> list[Problem]:
    """Up to ``limit`` open problems of the municipality in the same category that share folded
    word stems with ``text`` (:func:`search_stems`), most shared stems first, then most supported.
    With no text (a voice problem) the most supported of the category are returned.
    Only the ``scan`` most supported problems of the category are compared."""
    rows = await db.fetchall(
        f"SELECT * FROM problems WHERE municipality_code = ? AND category = ? AND {_OPEN_WHERE}"
        " ORDER BY supports DESC LIMIT ?",
        (municipality_code, category, scan),
    )
    if not text:
        return [_problem(r) for r in rows[:limit]]
    wanted = set(search_stems(text))
    scored = []
    for position, row in enumerate(rows):
        shared = len(wanted & set(row["search_key"].split()))
        if shared:
            scored.append((-shared, position, row))
    scored.sort(key=lambda item: (item[0], item[1]))
    return [_problem(row) for _, _, row in scored[:limit]]


async def history(db: Database, problem_id: int) -> list[ProblemEvent]:
    """The problem's events, oldest first."""
    rows = await db.fetchall("SELECT * FROM problem_events WHERE problem_id = ? ORDER BY id", (problem_id,))
    return [_event(r) for r in rows]


async def reopen_threshold(db: Database | Transaction, municipality_code: str, default: int) -> int:
    """"Still a problem" answers needed to reopen a solved problem in this municipality."""
    value = await db.fetchval(
        "SELECT reopen_threshold FROM problem_settings WHERE municipality_code = ?", (municipality_code,))
    return int(value) if value is not None else default


# -- residents --------------------------------------------------------------------------------------


async def raise_problem(
    db: Database,
    *,
    author_id: int,
    category: str,
    text: str | None = None,
    voice_file_id: str | None = None,
    voice_duration: int | None = None,
    photos: list[str] | tuple[str, ...] = (),
    latitude: float | None = None,
    longitude: float | None = None,
    text_min: int = 10,
    text_max: int = 2000,
    draft_token: str | None = None,
) -> Problem:
    """A resident raises a problem in their own municipality; they support it from the start.

    Give ``text`` or ``voice_file_id`` (a voice message instead of text; a text given along is
    kept too). Returns the stored problem.

    Raises:
        InvalidInput: unknown category; text out of ``text_min..text_max`` (``limit``/``actual``);
            neither text nor voice; more than :data:`MAX_PHOTOS` photos; a location out of range.
        PermissionDenied: the author has not chosen a municipality.
        AlreadyPublished: a problem of this author with this ``draft_token`` exists (a second tap
            on "Publish", possibly racing the first: checked inside the serialized write
            transaction, and ``UNIQUE (author_id, draft_token)`` backs it up).
    """
    if category not in CATEGORIES:
        raise InvalidInput("unknown category")
    cleaned = check_text(text, text_min=text_min, text_max=text_max) if (text or not voice_file_id) else None
    if len(photos) > MAX_PHOTOS:
        raise InvalidInput("too many photos", limit=MAX_PHOTOS, actual=len(photos))
    if (latitude is None) != (longitude is None) or (
        latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180)  # type: ignore[operator]
    ):
        raise InvalidInput("bad location")
    now = now_db()
    async with db.transaction() as tx:
        code = await tx.fetchval("SELECT municipality_code FROM residents WHERE telegram_id = ?", (author_id,))
        if code is None:
            raise PermissionDenied("no municipality chosen")
        if draft_token is not None:
            existing = await tx.fetchval(
                "SELECT id FROM problems WHERE author_id = ? AND draft_token = ?", (author_id, draft_token))
            if existing is not None:
                raise AlreadyPublished(int(existing))
        problem_id = await tx.insert(
            "INSERT INTO problems (municipality_code, author_id, category, text, search_key, voice_file_id,"
            " voice_duration, photos, latitude, longitude, draft_token, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (code, author_id, category, cleaned, " ".join(search_stems(cleaned or "")), voice_file_id,
             voice_duration, json.dumps(list(photos)), latitude, longitude, draft_token, now, now),
        )
        await tx.execute(
            "INSERT INTO problem_supports (problem_id, resident_id, created_at) VALUES (?, ?, ?)",
            (problem_id, author_id, now))
        await tx.execute(
            "INSERT INTO problem_events (problem_id, actor_id, action, new_status, at) VALUES (?, ?, 'created', 'new', ?)",
            (problem_id, author_id, now))
        problem = await get_problem(tx, problem_id)
    assert problem is not None
    return problem


async def _supportable(tx: Transaction, problem_id: int, resident_id: int, *, withdrawing: bool) -> Problem:
    problem = await get_problem(tx, problem_id)
    if problem is None:
        raise NotFound("problem")
    if problem.hidden:
        raise ProblemGone(problem, "hidden")
    if problem.status == "duplicate":
        raise ProblemGone(problem, "duplicate")
    if not withdrawing and problem.status not in OPEN_STATUSES:
        raise ProblemGone(problem, "closed")
    code = await tx.fetchval("SELECT municipality_code FROM residents WHERE telegram_id = ?", (resident_id,))
    if code != problem.municipality_code:
        raise PermissionDenied("problem of another municipality")
    return problem


async def support(db: Database, *, problem_id: int, resident_id: int) -> SupportResult:
    """Support a problem of one's own municipality. A repeated support changes nothing
    (``changed=False``): the primary key of ``problem_supports`` makes it count once.

    Raises:
        NotFound: no such problem.
        ProblemGone: hidden, merged into another (``reason='duplicate'``), solved or rejected.
        PermissionDenied: the problem belongs to another municipality than the resident's.
    """
    async with db.transaction() as tx:
        await _supportable(tx, problem_id, resident_id, withdrawing=False)
        changed = await tx.execute(
            "INSERT OR IGNORE INTO problem_supports (problem_id, resident_id, created_at) VALUES (?, ?, ?)",
            (problem_id, resident_id, now_db()))
        problem = await get_problem(tx, problem_id)
    assert problem is not None
    return SupportResult(problem, True, changed > 0)


async def withdraw(db: Database, *, problem_id: int, resident_id: int) -> SupportResult:
    """Withdraw one's support (also from a solved or rejected problem). Repeating changes nothing.

    Raises:
        NotFound, ProblemGone (hidden or merged), PermissionDenied: as :func:`support`.
    """
    async with db.transaction() as tx:
        await _supportable(tx, problem_id, resident_id, withdrawing=True)
        changed = await tx.execute(
            "DELETE FROM problem_supports WHERE problem_id = ? AND resident_id = ?", (problem_id, resident_id))
        problem = await get_problem(tx, problem_id)
    assert problem is not None
    return SupportResult(problem, False, changed > 0)


async def answer_still(db: Database, *, problem_id: int, resident_id: int, still: bool, default_threshold: int) -> StillResult:
    """A supporter answers "still a problem?" about a problem marked solved (one answer per person
    per solved status; a new answer replaces the old one). When the "still" answers reach the
    municipality's threshold, the problem goes back to ``under_review`` (event ``reopened``, actor
    ``None``) and the municipality's officers, the author and the supporters are told through the
    outbox, in the same transaction.

    Raises:
        NotFound: no such problem. ProblemGone: hidden, merged, or no longer solved (``closed``).
        PermissionDenied: the resident neither raised nor supports the problem.
    """
    now = now_db()
    async with db.transaction() as tx:
        problem = await get_problem(tx, problem_id)
        if problem is None:
            raise NotFound("problem")
        if problem.hidden or problem.status == "duplicate":
            raise ProblemGone(problem, "hidden" if problem.hidden else "duplicate")
        if problem.status != "solved":
            raise ProblemGone(problem, "closed")
        involved = problem.author_id == resident_id or await tx.fetchval(
            "SELECT 1 FROM problem_supports WHERE problem_id = ? AND resident_id = ?", (problem_id, resident_id))
        if not involved:
            raise PermissionDenied("not a supporter")
        solved_event = await tx.fetchval(
            "SELECT max(id) FROM problem_events WHERE problem_id = ? AND new_status = 'solved'", (problem_id,))
        await tx.execute(
            "INSERT INTO problem_still_answers (problem_id, solved_event_id, resident_id, still, at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (problem_id, solved_event_id, resident_id) DO UPDATE SET still = excluded.still, at = excluded.at",
            (problem_id, solved_event, resident_id, int(still), now))
        count = await tx.fetchval(
            "SELECT count(*) FROM problem_still_answers WHERE problem_id = ? AND solved_event_id = ? AND still = 1",
            (problem_id, solved_event))
        threshold = await reopen_threshold(tx, problem.municipality_code, default_threshold)
        reopened = still and count >= threshold
        if reopened:
            await tx.execute("UPDATE problems SET status = 'under_review', updated_at = ? WHERE id = ?", (now, problem_id))
            await tx.execute(
                "INSERT INTO problem_events (problem_id, actor_id, action, old_status, new_status, at)"
                " VALUES (?, NULL, 'reopened', 'solved', 'under_review', ?)", (problem_id, now))
            officers = [r[0] for r in await tx.fetchall(
                "SELECT telegram_id FROM officers WHERE municipality_code = ?", (problem.municipality_code,))]
            if officers:
                await enqueue(tx, kind="problem_reopened", audience=Audience.residents(officers),
                              content=_reopened_content(problem, count), municipality_code=problem.municipality_code)
            # the author and supporters learn it too (issue #4, item 3); officers got their own text
            residents = [r for r in await _followers(tx, problem) if r not in set(officers)]
            if residents:
                await enqueue(tx, kind="problem_reopened", audience=Audience.residents(residents),
                              content=_reopened_residents_content(problem, count),
                              municipality_code=problem.municipality_code)
        problem = await get_problem(tx, problem_id)
    assert problem is not None
    return StillResult(problem, count, threshold, reopened)


# -- officers ---------------------------------------------------------------------------------------


async def officer_queue(db: Database, officer_id: int, *, page: int = 0, size: int = 5) -> tuple[list[Problem], int]:
    """New problems of the officer's municipality, oldest first; ``(page, total)``.

    Raises:
        PermissionDenied: not an officer.
    """
    officer = await require_officer(db, officer_id)
    code = officer.municipality_code
    total = await db.fetchval(
        "SELECT count(*) FROM problems WHERE municipality_code = ? AND status = 'new' AND hidden = 0", (code,))
    page = _clamp(page, total, size)
    rows = await db.fetchall(
        "SELECT * FROM problems WHERE municipality_code = ? AND status = 'new' AND hidden = 0"
        " ORDER BY id LIMIT ? OFFSET ?", (code, size, page * size))
    return [_problem(r) for r in rows], total


async def problem_for_officer(db: Database, officer_id: int, problem_id: int) -> Problem:
    """The problem, if it belongs to the officer's municipality.

    Raises:
        NotFound: no such problem. PermissionDenied: not an officer, or another municipality's problem.
    """
    problem = await get_problem(db, problem_id)
    if problem is None:
        raise NotFound("problem")
    await require_officer(db, officer_id, problem.municipality_code)
    return problem


async def ranked_for_export(db: Database, officer_id: int) -> tuple[str, list[Problem]]:
    """All open problems of the officer's municipality in ranked order, for the hearing.
    Returns ``(municipality_code, problems)``.

    Raises:
        PermissionDenied: not an officer.
    """
    officer = await require_officer(db, officer_id)
    rows = await db.fetchall(
        f"SELECT * FROM problems WHERE municipality_code = ? AND {_OPEN_WHERE} ORDER BY supports DESC, id DESC",
        (officer.municipality_code,))
    return officer.municipality_code, [_problem(r) for r in rows]


async def _followers(tx: Transaction, problem: Problem) -> list[int]:
    rows = await tx.fetchall("SELECT resident_id FROM problem_supports WHERE problem_id = ?", (problem.id,))
    return [problem.author_id, *(r[0] for r in rows)]


async def _officer_problem(tx: Transaction, db: Database, officer_id: int, problem_id: int) -> Problem:
    problem = await get_problem(tx, problem_id)
    if problem is None:
        raise NotFound("problem")
    await require_officer(db, officer_id, problem.municipality_code)
    if problem.hidden:
        raise ProblemGone(problem, "hidden")
    if problem.status == "duplicate":
        raise ProblemGone(problem, "duplicate")
    return problem


async def change_status(
    db: Database, *, officer_id: int, problem_id: int, status: str, comment: str | None = None,
    expected_status: str | None = None,
) -> Problem:
    """An officer moves a problem of their municipality to ``status`` (any of :data:`CHAIN` or
    ``rejected``; steps may be skipped or taken back), with an optional comment (a reason is
    required for ``rejected``). The author and supporters are notified in both languages through
    the outbox; for ``solved`` the notice carries the "still a problem?" buttons.

    Raises:
        NotFound: no such problem. PermissionDenied: not an officer of the problem's municipality.
        ProblemGone: hidden or merged. InvalidInput: unknown status, ``duplicate`` (use
            :func:`mark_duplicate`), the status it already has (``"unchanged"``), a missing
            reason or a comment over :data:`COMMENT_MAX` (``limit``/``actual``).
        StatusChanged: ``expected_status`` is given (the status the officer saw on the card) and the
            problem has another status now — nothing is changed (two officers, or an old card).
    """
    if status not in STATUSES or status == "duplicate":
        raise InvalidInput("unknown status")
    comment = _check_comment(comment, required=status == "rejected")
    now = now_db()
    async with db.transaction() as tx:
        problem = await _officer_problem(tx, db, officer_id, problem_id)
        if expected_status is not None and problem.status != expected_status:
            raise StatusChanged(problem)
        if problem.status == status:
            raise InvalidInput("unchanged")
        await tx.execute("UPDATE problems SET status = ?, updated_at = ? WHERE id = ?", (status, now, problem_id))
        await tx.execute(
            "INSERT INTO problem_events (problem_id, actor_id, action, old_status, new_status, comment, at)"
            " VALUES (?, ?, 'status', ?, ?, ?, ?)", (problem_id, officer_id, problem.status, status, comment, now))
        await enqueue(tx, kind="problem_status", audience=Audience.residents(await _followers(tx, problem)),
                      content=_status_content(problem, status, comment),
                      municipality_code=problem.municipality_code, sender_id=officer_id)
        updated = await get_problem(tx, problem_id)
    assert updated is not None
    return updated


async def mark_duplicate(
    db: Database, *, officer_id: int, problem_id: int, target_id: int, comment: str | None = None,
) -> Problem:
    """An officer marks a problem as a duplicate of another OPEN problem of the same
    municipality (merging supports into a solved or rejected problem would bury them). Its supports move to the target (a resident who supports both counts once);
    its author and supporters are told. Returns the target as it is now.

    Raises:
        NotFound: either problem missing (or the target hidden). PermissionDenied: not an officer
            of the problem's municipality. ProblemGone: the problem is hidden or already merged.
        InvalidInput: target is the problem itself (``"self"``), of another municipality
            (``"other municipality"``), itself a duplicate (``"target is duplicate"``), or solved
            or rejected (``"target closed"``; ``exc.actual`` is not used, read the target's status).
    """
    comment = _check_comment(comment, required=False)
    now = now_db()
    async with db.transaction() as tx:
        problem = await _officer_problem(tx, db, officer_id, problem_id)
        target = await get_problem(tx, target_id)
        if target is None or target.hidden:
            raise NotFound("target")
        if target.id == problem.id:
            raise InvalidInput("self")
        if target.municipality_code != problem.municipality_code:
            raise InvalidInput("other municipality")
        if target.status == "duplicate":
            raise InvalidInput("target is duplicate")
        if target.status not in OPEN_STATUSES:
            raise InvalidInput("target closed")
        followers = await _followers(tx, problem)
        moved = await tx.execute(
            "INSERT OR IGNORE INTO problem_supports (problem_id, resident_id, created_at)"
            " SELECT ?, resident_id, created_at FROM problem_supports WHERE problem_id = ?", (target.id, problem.id))
        await tx.execute("DELETE FROM problem_supports WHERE problem_id = ?", (problem.id,))
        await tx.execute("UPDATE problems SET status = 'duplicate', duplicate_of = ?, updated_at = ? WHERE id = ?",
                         (target.id, now, problem.id))
        await tx.execute(
            "INSERT INTO problem_events (problem_id, actor_id, action, old_status, new_status, related_id, comment, at)"
            " VALUES (?, ?, 'duplicate', ?, 'duplicate', ?, ?, ?)",
            (problem.id, officer_id, problem.status, target.id, comment, now))
        await tx.execute(
            "INSERT INTO problem_events (problem_id, actor_id, action, related_id, comment, at)"
            " VALUES (?, ?, 'merged_in', ?, ?, ?)", (target.id, officer_id, problem.id, str(moved), now))
        await enqueue(tx, kind="problem_duplicate", audience=Audience.residents(followers),
                      content=_duplicate_content(problem, target.id, comment),
                      municipality_code=problem.municipality_code, sender_id=officer_id)
        updated = await get_problem(tx, target.id)
    assert updated is not None
    return updated


async def hide_problem(db: Database, *, officer_id: int, problem_id: int, reason: str) -> Problem:
    """An officer hides an abusive problem of their municipality: it stays in the database, leaves
    every list, and its author is told the reason through the outbox.

    Raises:
        NotFound, PermissionDenied, ProblemGone (already hidden): as :func:`change_status`.
        InvalidInput: no reason, or a reason over :data:`COMMENT_MAX` characters.
    """
    checked = _check_comment(reason, required=True)
    now = now_db()
    async with db.transaction() as tx:
        problem = await get_problem(tx, problem_id)
        if problem is None:
            raise NotFound("problem")
        await require_officer(db, officer_id, problem.municipality_code)
        if problem.hidden:
            raise ProblemGone(problem, "hidden")
        await tx.execute("UPDATE problems SET hidden = 1, hidden_reason = ?, updated_at = ? WHERE id = ?",
                         (checked, now, problem_id))
        await tx.execute(
            "INSERT INTO problem_events (problem_id, actor_id, action, old_status, new_status, comment, at)"
            " VALUES (?, ?, 'hidden', ?, ?, ?, ?)", (problem_id, officer_id, problem.status, problem.status, checked, now))
        await enqueue(tx, kind="problem_hidden", audience=Audience.residents([problem.author_id]),
                      content=_hidden_content(problem, checked or ""), municipality_code=problem.municipality_code,
                      sender_id=officer_id)
        updated = await get_problem(tx, problem_id)
    assert updated is not None
    return updated


async def set_reopen_threshold(db: Database, *, officer_id: int, value: int) -> int:
    """An officer sets how many "still a problem" answers reopen a solved problem in their municipality.

    Raises:
        PermissionDenied: not an officer. InvalidInput: ``value`` outside 1..1000.
    """
    if not 1 <= value <= 1000:
        raise InvalidInput("threshold out of range", limit=1000, actual=value)
    async with db.transaction() as tx:
        officer = await require_officer(db, officer_id)
        await tx.execute(
            "INSERT INTO problem_settings (municipality_code, reopen_threshold, updated_by, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (municipality_code) DO UPDATE SET reopen_threshold = excluded.reopen_threshold,"
            " updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            (officer.municipality_code, value, officer_id, now_db()))
    return value


# -- notification texts (both languages, rendered inside the transaction) -------------------------


def _esc(value: object) -> str:
    import html

    return html.escape(str(value), quote=True)


def notice_excerpt(problem: Problem, locale: str) -> str:
    """Escaped short form of the problem for notices: its text excerpt, or "voice message"."""
    if problem.text:
        return _esc(excerpt(problem.text, NOTICE_EXCERPT_LENGTH))
    return _("🎤 voice message", locale=locale)


def _open_button(problem_id: int, locale: str) -> Button:
    return Button(_("Open the problem", locale=locale), callback_data=open_card_data(problem_id))


def _status_content(problem: Problem, status: str, comment: str | None) -> Content:
    versions = {}
    for loc in ("ky", "ru"):
        if status == "rejected":
            text = _("Problem #{id} «{excerpt}» was rejected.\nReason: {reason}", locale=loc).format(
                id=problem.id, excerpt=notice_excerpt(problem, loc), reason=_esc(comment or ""))
        else:
            text = _("Problem #{id} «{excerpt}» has a new status: <b>{status}</b>.", locale=loc).format(
                id=problem.id, excerpt=notice_excerpt(problem, loc), status=_(STATUSES[status], locale=loc))
            if comment:
                text += "\n" + _("Officer's comment: {comment}", locale=loc).format(comment=_esc(comment))
        buttons = [[_open_button(problem.id, loc)]]
        if status == "solved":
            text += "\n\n" + _("Is it really solved? If it is still a problem, tell us with one tap.", locale=loc)
            buttons = [
                [Button(_("Still a problem", locale=loc), callback_data=still_data(problem.id, True)),
                 Button(_("Solved, thank you", locale=loc), callback_data=still_data(problem.id, False))],
                *buttons,
            ]
        versions[loc] = LocalizedMessage(text, buttons)
    return Content(versions)


def _duplicate_content(problem: Problem, target_id: int, comment: str | None) -> Content:
    versions = {}
    for loc in ("ky", "ru"):
        text = _(
            "Problem #{id} «{excerpt}» describes the same as problem #{target} and was merged into it. "
            "Your support now counts there.", locale=loc,
        ).format(id=problem.id, excerpt=notice_excerpt(problem, loc), target=target_id)
        if comment:
            text += "\n" + _("Officer's comment: {comment}", locale=loc).format(comment=_esc(comment))
        versions[loc] = LocalizedMessage(text, [[_open_button(target_id, loc)]])
    return Content(versions)


def _hidden_content(problem: Problem, reason: str) -> Content:
    versions = {}
    for loc in ("ky", "ru"):
        text = _(
            "Your problem #{id} «{excerpt}» was hidden by the municipality's officer and is no longer shown "
            "to other residents.\nReason: {reason}", locale=loc,
        ).format(id=problem.id, excerpt=notice_excerpt(problem, loc), reason=_esc(reason))
        versions[loc] = LocalizedMessage(text)
    return Content(versions)


def _reopened_content(problem: Problem, count: int) -> Content:
    from bot.i18n import ngettext

    versions = {}
    for loc in ("ky", "ru"):
        text = ngettext(
            "Problem #{id} «{excerpt}» was marked solved, but {count} resident says it is still a problem. "
            "It is back under review.",
            "Problem #{id} «{excerpt}» was marked solved, but {count} residents say it is still a problem. "
            "It is back under review.",
            count, locale=loc,
        ).format(id=problem.id, excerpt=notice_excerpt(problem, loc), count=count)
        versions[loc] = LocalizedMessage(text, [[_open_button(problem.id, loc)]])
    return Content(versions)


def _reopened_residents_content(problem: Problem, count: int) -> Content:
    from bot.i18n import ngettext

    versions = {}
    for loc in ("ky", "ru"):
        text = ngettext(
            "Problem #{id} «{excerpt}» is back under review: {count} resident says it is still a problem.",
            "Problem #{id} «{excerpt}» is back under review: {count} residents say it is still a problem.",
            count, locale=loc,
        ).format(id=problem.id, excerpt=notice_excerpt(problem, loc), count=count)
        versions[loc] = LocalizedMessage(text, [[_open_button(problem.id, loc)]])
    return Content(versions)
