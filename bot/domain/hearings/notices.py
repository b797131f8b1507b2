"""Public hearings: the facts of what residents are told (worded by ``bot.notices.hearings``).

Each builder captures the hearing as it is at that moment: a notice queued before a later edit
keeps what it said. Texts come in both languages (``title_ky``/``title_ru``…), times as UTC ISO text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.domain.clock import to_db
from bot.domain.hearings.model import Hearing, SurveyChoice
from bot.domain.outbox import Notice

ANNOUNCEMENT = "hearing_announcement"
CHANGED = "hearing_changed"
CANCELLED = "hearing_cancelled"
OUTCOME = "hearing_outcome"
REMINDER = "hearing_reminder_{kind}"
"""Notice (and broadcast) kinds; the reminder's is ``hearing_reminder_24h`` or ``hearing_reminder_1h``."""

EXCERPT = 80
"""Characters of an accepted problem's text in the outcome."""


def hearing_facts(hearing: Hearing, surveys: Sequence[SurveyChoice] = ()) -> dict[str, Any]:
    """What the announcement card shows: id, topic key, title and agenda per language, start, place,
    whether a map pin and a document exist, the status, and the linked surveys (``surveys``: each
    ``[id, question_ky, question_ru]``, see :func:`bot.domain.hearings.linked_surveys`)."""
    return {
        "id": hearing.id, "topic": hearing.topic, "status": hearing.status,
        "title_ky": hearing.title_ky, "title_ru": hearing.title_ru,
        "agenda_ky": hearing.agenda_ky, "agenda_ru": hearing.agenda_ru,
        "starts_at": hearing.starts_at, "place": hearing.place,
        "map": hearing.latitude is not None, "document": hearing.attachment_kind == "document",
        "surveys": [[s.id, s.question_ky, s.question_ru] for s in surveys],
    }


def announcement(hearing: Hearing, surveys: Sequence[SurveyChoice] = ()) -> Notice:
    """The announcement of a new hearing (with its photo, when one is attached)."""
    photo = hearing.attachment_file_id if hearing.attachment_kind == "photo" else None
    return Notice(ANNOUNCEMENT, hearing_facts(hearing, surveys), photo=photo)


def changed(hearing: Hearing, what: tuple[str, ...], surveys: Sequence[SurveyChoice] = ()) -> Notice:
    """What changed (``time``, ``place``, ``agenda``), then the updated card."""
    return Notice(CHANGED, {**hearing_facts(hearing, surveys), "changed": list(what)})


def cancelled(hearing: Hearing, reason: str) -> Notice:
    """The cancellation of the hearing as it was planned, with the reason when given."""
    return Notice(CANCELLED, {"id": hearing.id, "title_ky": hearing.title_ky, "title_ru": hearing.title_ru,
                              "starts_at": hearing.starts_at, "reason": reason})


def reminder(hearing: Hearing, kind: str, now: datetime) -> Notice:
    """The ``24h`` or ``1h`` reminder; ``sent_at`` lets the 24-hour one say today / tomorrow / the date."""
    return Notice(REMINDER.format(kind=kind), {
        "id": hearing.id, "kind": kind, "title_ky": hearing.title_ky, "title_ru": hearing.title_ru,
        "starts_at": hearing.starts_at, "place": hearing.place, "map": hearing.latitude is not None,
        "sent_at": to_db(now)})


def outcome(hearing: Hearing, problems: Mapping[int, str | None]) -> Notice:
    """The outcome: title, start, participants, decisions per language, the accepted problems with
    an excerpt of their text (``problems``: id → text, ``None`` for a voice-only problem, kept as
    ``None`` for the renderer to name), whether minutes are attached."""
    listed: list[list[Any]] = []
    for pid in hearing.problem_ids:
        text = problems.get(pid, "")
        listed.append([pid, text if text is None or len(text) <= EXCERPT else text[:EXCERPT - 1] + "…"])
    return Notice(OUTCOME, {
        "id": hearing.id, "title_ky": hearing.title_ky, "title_ru": hearing.title_ru,
        "starts_at": hearing.starts_at, "participants": hearing.participants,
        "decisions_ky": hearing.decisions_ky, "decisions_ru": hearing.decisions_ru,
        "problems": listed, "minutes": bool(hearing.minutes_file_id)})
