"""Templates (Jinja2, autoescaped) and the words and numbers they use, in the viewer's language.

Every text in a template goes through ``_()`` / ``ngettext()`` (extracted by ``babel.cfg``'s jinja2
section into the same catalogs as the chat); numbers, shares and dates through Babel (``bot.i18n``); an
object's number through ``{{ numbered(p.id) }}`` ("№12", :func:`bot.i18n.numbered`, as in the chat).
Rendering runs inside :func:`bot.i18n.use_locale`, so ``_`` speaks the viewer's locale.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import jinja2

from bot.domain import problems as pb
from bot.domain.clock import from_db
from bot.i18n import N_, NC_, _, format_date, format_datetime, format_number, format_share, ngettext, npgettext
from bot.i18n import numbered, pgettext, use_locale
from bot.ui.hearings import TOPIC_LABELS
from bot.ui.registry import PROVIDER_LABELS, REGISTRY_LABELS, STATUS_LABELS, area_label

TEMPLATES = Path(__file__).resolve().parent / "templates"

SURVEY_STATES = {"scheduled": NC_("survey state", "scheduled"), "open": NC_("survey state", "open"),
                 "closed": NC_("survey state", "closed"), "deleted": NC_("survey state", "withdrawn")}
ROLE_LABELS = {"officer": N_("officer"), "superadmin": N_("superadmin")}
"""The audit log's roles (the same msgids as the chat's /audit)."""
HEARING_STATES = {"scheduled": NC_("hearing state", "scheduled"), "cancelled": NC_("hearing state", "cancelled"),
                  "held": NC_("hearing state", "held")}


def _number(value: Any) -> str:
    return "" if value is None else format_number(value)


def _share(value: Any) -> str:
    return "" if value is None else format_share(value)


def _when(value: str | None) -> str:
    return "" if not value else format_datetime(from_db(value))


def _day(value: str | None) -> str:
    if not value:
        return ""
    return format_date(date.fromisoformat(value) if len(value) == 10 else from_db(value))


def _pick(item: dict[str, Any], field: str, locale: str) -> str:
    """``item[field_<locale>]``, else the other language's."""
    other = "ru" if locale == "ky" else "ky"
    return str(item.get(f"{field}_{locale}") or item.get(f"{field}_{other}") or "")


def _percent(part: Any, whole: Any) -> float:
    """``part`` of ``whole`` as 0..100 for a bar's width (0 without a whole)."""
    return 100.0 * float(part or 0) / float(whole) if whole else 0.0


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True,
                             lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.globals.update(
        _=_, ngettext=ngettext, pgettext=pgettext, npgettext=npgettext,
        number=_number, share=_share, when=_when, day=_day, pick=_pick, percent=_percent, numbered=numbered,
        status_label=lambda s: _(pb.STATUSES.get(s) or s),
        category_label=lambda c: _(pb.CATEGORIES.get(c) or c),
        statuses=pb.STATUSES, categories=pb.CATEGORIES, chain=pb.CHAIN,
        survey_state=lambda s: _(SURVEY_STATES.get(s) or s),
        hearing_state=lambda s: _(HEARING_STATES.get(s) or s),
        topic_label=lambda t: _(TOPIC_LABELS.get(t) or t),
        service_status=lambda s: _(STATUS_LABELS.get(s) or s),
        registry_label=lambda r: _(REGISTRY_LABELS.get(r) or r),
        provider_label=lambda p: _(PROVIDER_LABELS.get(p) or p),
        area=lambda a, locale: area_label(a, locale),
        role_label=lambda r: _(ROLE_LABELS.get(r) or r),
    )
    return env


ENV = _environment()


def render(name: str, locale: str, **context: Any) -> str:
    """Template ``name`` rendered in ``locale`` with ``context`` (and ``locale`` itself)."""
    with use_locale(locale):
        return ENV.get_template(name).render(locale=locale, **context)


def survey_state_label(state: str, locale: str) -> str:
    """A survey state's label in ``locale`` (exports)."""
    return _(SURVEY_STATES.get(state, state), locale=locale)


def hearing_state_label(state: str, locale: str) -> str:
    """A hearing state's label in ``locale`` (exports)."""
    return _(HEARING_STATES.get(state, state), locale=locale)
