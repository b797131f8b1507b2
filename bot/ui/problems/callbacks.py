"""Callback formats of the problems feature, defined once. Ids and pages are bounded
(:data:`~bot.ui.callbacks.IdField`, :data:`~bot.ui.callbacks.PageField`): a crafted huge id does
not match any filter and gets the fallback's "this button is out of date", never a crash.

Buttons queued in the outbox by earlier versions carry ``pb:open:<id>:0:r`` and
``pb:still:<id>:<1|0>:r``; the format is kept so they still work.
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData

from bot.ui.callbacks import IdField, PageField

PAGE_SIZE = 5
"""Problems per list page: five short cards fit a small phone screen."""

SOURCES = ("r", "m", "s")
"""Lists a card is opened from: ``r`` ranked, ``m`` mine, ``s`` supported."""


class ProblemCallback(CallbackData, prefix="pb"):
    """Resident actions on problems.

    ``action``: ``home``, ``list`` (page of ``src``), ``open``, ``sup``, ``wd``, ``photos``, ``voice``,
    ``map``, ``full``, ``still`` (``page`` = 1 "still a problem" / 0 "solved"), ``new`` (raise one),
    ``offer`` (raise one with the text or voice the resident sent outside any form).
    ``src``: one of :data:`SOURCES`. Longest: ``pb:photos:9007199254740991:1000000:r`` = 36 bytes.
    """

    action: str
    id: IdField = 0
    page: PageField = 0
    src: str = "r"


class OfficerProblemCallback(CallbackData, prefix="po"):
    """Officer actions on one problem: ``open``, ``more`` (all statuses), ``status`` (``arg`` = the
    new status, ``seen`` = the status shown when the button was drawn: if another officer changed it
    meanwhile, the current card is shown instead), ``reject``, ``dup``, ``hide``.
    Always re-checked on the server. Longest: ``po:status:9007199254740991:in_action_plan:under_review``
    = 52 bytes (≤ 64)."""

    action: str
    id: IdField = 0
    arg: str = ""
    seen: str = ""


class OfficerQueueCallback(CallbackData, prefix="pq"):
    """The officer's queue: ``page`` (a 0-based ``page`` of new problems) or ``export`` (table and chart)."""

    action: str
    page: PageField = 0


FRESH = "n"
"""``src`` of an "open" button on a notification: the card comes as a new message, so the notification
(and its own buttons, such as "still a problem?") stays; the card's own buttons then act as from the
ranked list."""


def open_card_data(problem_id: int, *, fresh: bool = False) -> str:
    """Callback data of the "open the problem" button (``pb:open:<id>:0:r``), for other features'
    cards (a registry service links its problems) and the notices (``fresh``: ``pb:open:<id>:0:n``,
    the card sent as a new message, see :data:`FRESH`)."""
    return ProblemCallback(action="open", id=problem_id, src=FRESH if fresh else "r").pack()


def still_data(problem_id: int, still: bool) -> str:
    """Callback data of a "still a problem?" answer (``pb:still:<id>:<1|0>:r``)."""
    return ProblemCallback(action="still", id=problem_id, page=int(still)).pack()
