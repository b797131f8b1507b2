"""Settings of the bot, read from the environment and an optional ``.env`` file.

Every setting has the environment name given in README.md (table "Settings"). Names are
case-insensitive, as pydantic-settings reads them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.i18n import SUPPORTED_LOCALES

__all__ = ["SUPPORTED_LOCALES", "Settings"]


class Settings(BaseSettings):
    """Runtime configuration.

    Attributes:
        bot_token: the token from @BotFather (``BOT_TOKEN``); required by ``run``, not by ``migrate``.
        database_path: SQLite file (``DATABASE_PATH``); its folder is created when missing.
        telegram_api_url: base URL of a self-hosted Bot API server, e.g. ``http://127.0.0.1:8081``
            (``TELEGRAM_API_URL``); empty means Telegram's own ``https://api.telegram.org``.
            The tests and the sandbox point it at the local emulator.
        superadmin_ids: Telegram user ids allowed to grant and revoke the officer role
            (``SUPERADMIN_IDS``, comma-separated).
        default_locale: locale used before a resident chooses one and when Telegram's
            ``language_code`` is neither ``ky`` nor ``ru`` (``DEFAULT_LOCALE``).
        timezone: IANA zone in which times are shown and entered (``TIMEZONE``); storage is UTC.
        invite_ttl_hours: how long an officer invite code stays valid (``INVITE_TTL_HOURS``).
        polling_timeout: long-polling timeout in seconds for ``getUpdates``.
        scheduler_interval_s: seconds between runs of the due-work loop (closing surveys, reminders)
            (``SCHEDULER_INTERVAL_S``).
        problem_text_min: fewest characters of a problem's text (``PROBLEM_TEXT_MIN``).
        problem_text_max: most characters of a problem's text (``PROBLEM_TEXT_MAX``); stated to the resident.
        problem_reopen_threshold: "still a problem" answers that reopen a solved problem for review,
            for municipalities that have not set their own (``PROBLEM_REOPEN_THRESHOLD``).
        delivery_rate: outbox messages per second over all chats (``DELIVERY_RATE``). Telegram allows
            about 30/s per bot (Bots FAQ); 25 leaves room for direct replies, which share that budget.
        send_rate: new messages per second over all chats, replies and the outbox together
            (``SEND_RATE``); unset means Telegram's 30 (Bots FAQ), or ``DELIVERY_RATE`` + 5 when the outbox
            alone is set faster (a self-hosted Bot API server without Telegram's limits).
        delivery_per_chat_interval: minimum seconds between two messages to one chat
            (``DELIVERY_PER_CHAT_INTERVAL``; Telegram: about one message per second per chat).
        delivery_concurrency: outbox requests in flight at once (``DELIVERY_CONCURRENCY``); 0 = derived
            from the rate (requests take time, so one at a time cannot reach the rate).
        delivery_max_attempts: tries per recipient on network errors and 5xx before the delivery fails
            (``DELIVERY_MAX_ATTEMPTS``); 429 waits do not count.
        delivery_progress_interval: seconds between edits of the sender's progress message
            (``DELIVERY_PROGRESS_INTERVAL``, at least 3).
        paid_broadcast: send outbox messages with ``allow_paid_broadcast`` (``PAID_BROADCAST``): Telegram
            then allows up to 1,000 messages/s and charges Stars for those above the free limit.
        paid_broadcast_rate: the global rate used when ``paid_broadcast`` is on (``PAID_BROADCAST_RATE``).
        webhook_url: public HTTPS URL Telegram posts updates to (``WEBHOOK_URL``); set means webhook mode,
            unset means long polling. The bot serves the webhook at this URL's path on ``WEB_LISTEN``
            (a reverse proxy forwards it unchanged).
        webhook_secret: Telegram's ``secret_token`` for the webhook (``WEBHOOK_SECRET``, 1-256 characters
            of ``A-Z a-z 0-9 _ -``); unset: generated once and kept in the database. Requests without it get 401.
        web_listen: ``host:port`` of the bot's web server (``WEB_LISTEN``): ``/healthz`` in both modes, the
            webhook and the officers' web app. ``127.0.0.1:0`` picks a free port (tests).
        shutdown_timeout: seconds handlers still running at SIGTERM/SIGINT may take to finish
            (``SHUTDOWN_TIMEOUT``); the outbox worker stops between two messages, the scheduler between two jobs.
        log_format: ``text`` (default) or ``json``, one object per line (``LOG_FORMAT``; bot.ops.logs).
        webapp_url: public HTTPS base of the officers' web app that Telegram clients open (``WEBAPP_URL``,
            e.g. ``https://jamaat.example.kg/webapp/``); empty: officers get no web-app button.
        webapp_auth_max_age: seconds a web app's ``initData`` stays valid after its ``auth_date``
            (``WEBAPP_AUTH_MAX_AGE``); older ones are refused with 401.
    """

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    database_path: Path = Path("data/jamaat.sqlite3")
    telegram_api_url: str | None = None
    superadmin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    default_locale: Literal["ky", "ru"] = "ky"
    timezone: str = "Asia/Bishkek"
    invite_ttl_hours: int = Field(default=72, ge=1, le=24 * 90)
    polling_timeout: int = Field(default=30, ge=1, le=50)
    scheduler_interval_s: float = Field(default=30.0, ge=1, le=3600)
    delivery_rate: float = Field(default=25.0, gt=0, le=1000)
    delivery_per_chat_interval: float = Field(default=1.0, ge=0, le=60)
    delivery_concurrency: int = Field(default=0, ge=0, le=1000)
    delivery_max_attempts: int = Field(default=5, ge=1, le=50)
    delivery_progress_interval: float = Field(default=5.0, ge=3, le=600)
    paid_broadcast: bool = False
    paid_broadcast_rate: float = Field(default=1000.0, gt=0, le=1000)
    send_rate: float | None = Field(default=None, gt=0, le=10_000)
    problem_text_min: int = Field(default=10, ge=1, le=100)
    problem_text_max: int = Field(default=2000, ge=100, le=3000)
    problem_reopen_threshold: int = Field(default=3, ge=1, le=1000)
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    web_listen: str = "127.0.0.1:8080"
    shutdown_timeout: float = Field(default=10.0, ge=0, le=600)
    log_format: Literal["text", "json"] = "text"
    webapp_url: str | None = None
    webapp_auth_max_age: int = Field(default=86_400, ge=60, le=30 * 86_400)

    @field_validator("superadmin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        """Accept ``"1, 2,3"`` as well as a list; empty parts are ignored."""
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",")]
            try:
                return frozenset(int(p) for p in parts if p)
            except ValueError as exc:
                raise ValueError("SUPERADMIN_IDS must be comma-separated Telegram user ids") from exc
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("telegram_api_url", "webapp_url", mode="before")
    @classmethod
    def _blank_url_is_none(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().rstrip("/")
            return value or None
        return value

    @field_validator("webapp_url")
    @classmethod
    def _webapp_https(cls, value: str | None) -> str | None:
        """Telegram opens web apps over HTTPS only; plain http is allowed for 127.0.0.1 (the sandbox)."""
        if value is None:
            return None
        parts = urlsplit(value)
        local = parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost")
        if not parts.hostname or (parts.scheme != "https" and not local):
            raise ValueError("WEBAPP_URL must be an https:// address such as https://bot.example.kg/webapp/")
        return value

    @field_validator("webhook_url", mode="before")
    @classmethod
    def _webhook_url(cls, value: object) -> object:
        """Blank means polling; otherwise an absolute http(s) URL whose path is not ``/healthz``."""
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None
            parts = urlsplit(value)
            if parts.scheme not in ("https", "http") or not parts.hostname:
                raise ValueError("WEBHOOK_URL must be an absolute URL such as https://bot.example.kg/telegram")
            if (parts.path or "/") == "/healthz":
                raise ValueError("WEBHOOK_URL must not end in /healthz (that path is the health endpoint)")
        return value

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _webhook_secret(cls, value: object) -> object:
        """Telegram accepts 1-256 characters of ``A-Z a-z 0-9 _ -``; blank means "generate one"."""
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None
            if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value):
                raise ValueError("WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("web_listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        """``host:port`` (``[::1]:8080`` for IPv6), port 0-65535."""
        host, sep, port = value.strip().rpartition(":")
        if not sep or not host or not port.isdigit() or int(port) > 65535:
            raise ValueError("WEB_LISTEN must be host:port, e.g. 127.0.0.1:8080 or 0.0.0.0:8080")
        return value.strip()

    @property
    def web_host_port(self) -> tuple[str, int]:
        """``WEB_LISTEN`` split: ``("127.0.0.1", 8080)`` (IPv6 without brackets)."""
        host, _, port = self.web_listen.rpartition(":")
        return host.strip("[]"), int(port)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    def log_secrets(self) -> tuple[str, ...]:
        """Strings the logs must never show (bot.ops.logs.redact): the bot token and any other secret
        setting (``SecretStr`` fields, e.g. a webhook secret)."""
        secrets = []
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr) and value.get_secret_value():
                secrets.append(value.get_secret_value())
        return tuple(secrets)

    @property
    def effective_delivery_rate(self) -> float:
        """Outbox messages per second actually used: ``paid_broadcast_rate`` when paid broadcasts are on."""
        return self.paid_broadcast_rate if self.paid_broadcast else self.delivery_rate

    @property
    def tz(self) -> ZoneInfo:
        """The display time zone as a ``ZoneInfo``."""
        return ZoneInfo(self.timezone)
