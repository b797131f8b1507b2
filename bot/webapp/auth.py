"""Who is asking: Telegram's ``initData``, checked on every request, then the role and municipality.

Telegram hands a Mini App a signed query string (``initData``: ``user``, ``auth_date``, ``hash``…).
Pages send it on every API call as ``Authorization: tma <initData>`` (the convention of Telegram's
Mini App SDKs); it is verified with aiogram's :func:`~aiogram.utils.web_app.safe_parse_webapp_init_data`
(HMAC-SHA256 keyed by the bot token, https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app)
and refused when its ``auth_date`` is older than ``WEBAPP_AUTH_MAX_AGE`` seconds.

Then, on every request too: the person must be an officer (:func:`bot.domain.officers.get_officer`,
whose cache a grant or revocation drops at once) or a superadmin (``SUPERADMIN_IDS``). An officer
reads only their own municipality; a superadmin reads the national view and any municipality.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from aiogram.utils.web_app import WebAppInitData, safe_parse_webapp_init_data

from bot.config import Settings
from bot.db import Database
from bot.domain.errors import WrongMunicipality
from bot.domain.officers import Officer, get_officer, require_officer
from bot.domain.residents import get_resident
from bot.i18n import choose_locale

CLOCK_SKEW_S = 300
"""An ``auth_date`` this many seconds in the future is still accepted (clocks differ a little)."""


class Refused(Exception):
    """The request is refused: ``status`` 401 (no, forged or stale ``initData``) or 403 (not an
    officer or superadmin, or another municipality). ``reason`` is for the log, never shown."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Viewer:
    """The verified person behind a request: Telegram id, the locale to speak, their officer record
    (``None`` for a superadmin who is no officer) and whether they are a superadmin."""

    telegram_id: int
    locale: str
    officer: Officer | None
    superadmin: bool

    @property
    def home(self) -> str | None:
        """The municipality an officer acts for (``None``: a superadmin without one)."""
        return self.officer.municipality_code if self.officer else None


def init_data_of(authorization: str | None) -> str:
    """The raw ``initData`` of an ``Authorization: tma <initData>`` header.

    Raises:
        Refused: 401, no header or another scheme.
    """
    scheme, _, value = (authorization or "").strip().partition(" ")
    if scheme.lower() != "tma" or not value.strip():
        raise Refused(401, "no initData")
    return value.strip()


def verify(init_data: str, *, token: str, max_age: int, now: float | None = None) -> WebAppInitData:
    """The parsed ``initData`` if its signature is the bot's and it is fresh.

    Raises:
        Refused: 401, a forged or malformed signature, no user, or ``auth_date`` older than ``max_age``
            seconds (or more than :data:`CLOCK_SKEW_S` in the future).
    """
    try:
        data = safe_parse_webapp_init_data(token, init_data)
    except ValueError:
        raise Refused(401, "bad initData signature") from None
    if data.user is None:
        raise Refused(401, "initData without a user")
    age = (now if now is not None else time.time()) - data.auth_date.timestamp()
    if age > max_age or age < -CLOCK_SKEW_S:
        raise Refused(401, f"stale initData ({int(age)} s)")
    return data


async def identify(db: Database, settings: Settings, authorization: str | None, *, token: str) -> Viewer:
    """The :class:`Viewer` of a request's ``Authorization`` header; the role is read now, not remembered.

    Raises:
        Refused: 401 (see :func:`verify`), 403 for someone who is neither an officer nor a superadmin.
    """
    data = verify(init_data_of(authorization), token=token, max_age=settings.webapp_auth_max_age)
    assert data.user is not None
    uid = data.user.id
    officer = await get_officer(db, uid)
    superadmin = uid in settings.superadmin_ids
    if officer is None and not superadmin:
        raise Refused(403, "not an officer")
    resident = await get_resident(db, uid)
    locale = choose_locale(resident.locale if resident else None, data.user.language_code, settings.default_locale)
    return Viewer(uid, locale, officer, superadmin)


async def municipality_for(db: Database, viewer: Viewer, requested: str | None) -> str | None:
    """The municipality a request reads: an officer's own (asking for another is refused, checked
    again with :func:`~bot.domain.officers.require_officer`); for a superadmin the one asked for, else
    their own as an officer, else ``None`` (the national view).

    Raises:
        Refused: 403, an officer asking for another municipality than theirs.
    """
    requested = (requested or "").strip() or None
    if viewer.superadmin:
        return requested or viewer.home
    try:
        officer = await require_officer(db, viewer.telegram_id, requested)
    except WrongMunicipality:
        raise Refused(403, "another municipality") from None
    return officer.municipality_code


def sign_init_data(token: str, user: dict[str, object], *, auth_date: int | None = None,
                   extra: dict[str, str] | None = None) -> str:
    """``initData`` signed the way Telegram signs it (for the sandbox and the tests): ``user`` as JSON,
    ``auth_date`` (now by default), a ``query_id`` and ``hash``. Anyone holding the bot token can make
    these, which is exactly why the token stays on the server."""
    fields = {"query_id": "SANDBOX", "user": json.dumps(user, ensure_ascii=False, separators=(",", ":")),
              "auth_date": str(int(time.time()) if auth_date is None else auth_date), **(extra or {})}
    check = "\n".join(f"{k}={v}" for k, v in sorted(fields.items()))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    fields["hash"] = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return urlencode(fields)
