"""The registry of services (ru МРУ): constants, statuses and their moves, and the records read from the store.

Rules and where they come from (../shared/domain.md, "The municipal registry of services"):

* Law of 17 July 2014 No. 139 and Government decree No. 302 (2014): a **basic registry** the same
  everywhere and an **additional list** per municipality approved by its council (resolution,
  ky токтом). An entry ("service passport") has a name, provider (ayil okmotu, municipal
  enterprise or outsourced), recipients, free or paid with the tariff, the standard, which
  registry, the approving resolution number and date.
* Statuses (design decision of this project): ``proposed → under_consideration → approved →
  included``, then ``suspended`` / ``excluded``; side exit ``rejected`` with a mandatory reason
  (:data:`TRANSITIONS`). Every creation, status change and edit is kept in ``service_events``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

CATALOGUE_PATH = Path(__file__).resolve().parent.parent.parent / "resources" / "municipal_services_examples.csv"
BISHKEK = ZoneInfo("Asia/Bishkek")
"""Quarters for ratings are calendar quarters in Kyrgyzstan's zone (UTC+6, no DST)."""

AREAS: tuple[str, ...] = (
    "information", "water", "waste", "lighting", "education", "leisure", "culture", "sport",
    "social", "youth", "maintenance", "transport", "utilities", "other",
)
"""Service areas: those of the starter catalogue plus ``other``."""

REGISTRIES = ("basic", "additional")
PROVIDER_KINDS = ("ayil_okmotu", "municipal_enterprise", "outsourced")
GROUPS = ("disabilities", "elderly", "single_parent", "other")
"""Vulnerable groups a resident may propose on behalf of (design decision, from the source presentation)."""

STATUSES = ("proposed", "under_consideration", "approved", "included", "suspended", "excluded", "rejected")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "proposed": ("under_consideration", "rejected"),
    "under_consideration": ("approved", "rejected"),
    "approved": ("included", "rejected"),
    "included": ("suspended", "excluded"),
    "suspended": ("included", "excluded"),
    "excluded": ("included",),
    "rejected": ("under_consideration",),
}
"""Allowed moves (design decision): a rejected proposal may be taken up again, an excluded
service re-included; nothing skips the council's approval."""

SUPPORTABLE = ("proposed", "under_consideration")
APPROVED_OR_LATER = ("approved", "included", "suspended", "excluded")

NAME_MIN, NAME_MAX = 3, 150
DESCRIPTION_MAX = 1000
RECIPIENTS_MAX = 300
PROVIDER_MAX = 150
TARIFF_MAX = 200
STANDARD_MAX = 600
COMMENT_MAX = 500
REASON_MIN = 3
RESOLUTION_NUMBER_MAX = 30
"""Text bounds in characters. They keep a whole card under Telegram's 4,096-character message limit."""

EDITABLE = {
    "name_ky": NAME_MAX, "name_ru": NAME_MAX, "description_ky": DESCRIPTION_MAX, "description_ru": DESCRIPTION_MAX,
    "provider_name": PROVIDER_MAX, "recipients": RECIPIENTS_MAX, "tariff": TARIFF_MAX, "standard": STANDARD_MAX,
    "resolution_number": RESOLUTION_NUMBER_MAX,
}
"""Text fields an officer may edit, with their bounds in characters."""

LINKED_PROBLEMS_SHOWN = 5
CLOSED_PROBLEM_STATUSES = ("solved", "rejected", "duplicate")

STATUS_KIND, PROPOSED_KIND = "service_status", "service_proposed"
"""Notice kinds (``bot.notices.registry``): a followed entry changed status; a resident proposed one."""

EXPORT_COLUMNS = (
    "id", "name_ky", "name_ru", "description_ky", "description_ru", "area", "registry", "provider_kind",
    "provider_name", "recipients", "paid", "tariff", "standard", "resolution_number", "resolution_date", "status",
    "rejection_reason", "origin", "on_behalf_of", "supports", "followers", "rating_average", "ratings",
    "created_at", "updated_at",
)


@dataclass(frozen=True)
class Service:
    """One registry entry as stored (see migrations/0005_registry.sql for the columns)."""

    id: int
    municipality_code: str
    name_ky: str
    name_ru: str
    description_ky: str
    description_ru: str
    area: str
    registry: str
    provider_kind: str
    provider_name: str
    recipients: str
    paid: bool
    tariff: str
    standard: str
    resolution_number: str
    resolution_date: str | None
    status: str
    rejection_reason: str | None
    origin: str
    proposed_by: int | None
    on_behalf_of: str | None
    confirmed: bool
    created_at: str
    updated_at: str
    cost_set: bool = False
    """An officer has edited the cost (``paid`` or ``tariff``) since the entry was created: a
    resident's proposal has no cost until then (the stored ``paid = 0`` is only the column default)."""
    provider_set: bool = False
    """An officer has edited the provider (``provider_kind`` or ``provider_name``) since creation."""

    @property
    def details_pending(self) -> bool:
        """A resident's proposal not yet decided (proposed, under consideration or rejected): its
        cost and provider are shown only when an officer has set them (:attr:`cost_set`,
        :attr:`provider_set`); the column defaults ("free", "ayil okmotu") were never asked."""
        return self.origin == "resident" and self.status in ("proposed", "under_consideration", "rejected")

    def name(self, locale: str) -> str:
        """The name in ``locale``, else the other language's (either may be empty)."""
        own, other = (self.name_ky, self.name_ru) if locale == "ky" else (self.name_ru, self.name_ky)
        return own or other

    def description(self, locale: str) -> str:
        """The description in ``locale``, else the other language's, else ``""``."""
        own, other = (self.description_ky, self.description_ru) if locale == "ky" else (
            self.description_ru, self.description_ky)
        return own or other


@dataclass(frozen=True)
class Event:
    """One line of an entry's history: ``kind`` created|status|edited, who (role and id), when (UTC text)."""

    kind: str
    from_status: str | None
    to_status: str | None
    actor_id: int | None
    actor_role: str
    comment: str
    at: str


@dataclass(frozen=True)
class Overview:
    """Counts for an officer: entries by status, and the residents' initiative measure.

    ``initiated``: entries proposed by residents; ``approved``: of those, how many reached
    ``approved`` or later; ``included``: how many are (or were) included.
    """

    by_status: dict[str, int]
    initiated: int
    approved: int
    included: int
    followers: int


@dataclass(frozen=True)
class RatingSummary:
    """Ratings of one service: average (``None`` without ratings), count, and comments (text, quarter)."""

    average: float | None
    count: int
    comments: list[tuple[str, str]]


@dataclass(frozen=True)
class LinkedProblem:
    """An open priority problem linked to a service: id (#), its text (``None`` for a voice problem), supports."""

    id: int
    text: str | None
    supports: int
    status: str


@dataclass(frozen=True)
class Proposal:
    """A resident's draft: what is needed (``name``), details, for whom, group, area, written in ``locale``."""

    name: str
    description: str
    recipients: str
    on_behalf_of: str | None
    area: str
    locale: str


@dataclass(frozen=True)
class ResidentCard:
    """What a resident's card of an entry shows: the entry, its latest history, supports, whether the
    reader follows it / may support it / may rate it, and the open problems linked to it."""

    service: Service
    events: list[Event]
    supports: int
    following: bool
    can_support: bool
    can_rate: bool
    problems: list[LinkedProblem]
    problems_total: int


@dataclass(frozen=True)
class OfficerCard:
    """What an officer's card shows: the entry, history, supports, followers, linked problems, ratings."""

    service: Service
    events: list[Event]
    supports: int
    followers: int
    problems: list[LinkedProblem]
    problems_total: int
    ratings: RatingSummary


class StatusMoved(NamedTuple):
    """Result of :func:`~bot.domain.registry.officer.move_status`: the updated entry, the broadcast
    to its followers (``None`` without followers) and how many of them it was queued for."""

    service: Service
    broadcast_id: int | None
    notified: int
