"""Officers' plan actions in the audit log (``bot.domain.audit``, issue 13), recorded in the SAME
transaction as the action. The log knows an action only once its code is in
``bot.domain.audit.ACTIONS``; until then (or without the audit module) :func:`record` records nothing,
so the plans never fail for want of a log entry. Details are ids, codes and amounts — never texts or names.

Codes: :data:`CODES`.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import ModuleType

from bot.db import Transaction

CODES = frozenset({
    "plan.item_create", "plan.item_edit", "plan.deadline", "plan.money", "plan.spent", "plan.step_done", "plan.status",
    "plan.propose", "plan.decide", "plan.attach", "plan.export", "monitoring.regulation", "monitoring.invite",
    "monitoring.answer", "monitoring.hide",
})
"""The plans' audit action codes (for ``bot.domain.audit.ACTIONS``)."""


def _log() -> ModuleType | None:
    try:
        return importlib.import_module("bot.domain.audit")
    except ImportError:
        return None


async def record(tx: Transaction, officer_id: int, action: str, *, municipality_code: str, kind: str,
                 target_id: int | None, details: Mapping[str, object] | None = None) -> None:
    """Append an audit entry for an officer's ``action`` on ``kind``/``target_id`` when the log knows it."""
    log = _log()
    if log is None or action not in getattr(log, "ACTIONS", ()):
        return
    await log.record(tx, log.Actor.officer(officer_id), action, log.Target(kind, target_id),
                     municipality_code=municipality_code, details=dict(details or {}))
