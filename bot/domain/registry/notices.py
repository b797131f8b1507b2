"""The facts of what the registry tells people through the outbox (put into words by ``bot.notices.registry``)."""

from __future__ import annotations

from bot.domain.outbox import Notice
from bot.domain.registry.model import PROPOSED_KIND, STATUS_KIND, Service


def status_notice(service: Service, from_status: str, comment: str) -> Notice:
    """A followed entry moved from ``from_status`` to ``service.status`` with the officer's ``comment``
    (``""`` without one). Names in both languages as stored (either may be empty)."""
    return Notice(STATUS_KIND, {
        "service_id": service.id, "name_ky": service.name_ky, "name_ru": service.name_ru,
        "from_status": from_status, "to_status": service.status, "comment": comment,
    })


def proposal_notice(service: Service) -> Notice:
    """A resident proposed ``service`` (for the municipality's officers)."""
    return Notice(PROPOSED_KIND, {"service_id": service.id, "name_ky": service.name_ky, "name_ru": service.name_ru})
