"""Logging of the running bot: plain text or one JSON object per line, never a secret.

``LOG_FORMAT=text`` (default) prints ``time level logger: message``; ``LOG_FORMAT=json`` prints one
JSON object per line (python-json-logger) with ``time``, ``level``, ``logger``, ``message`` and,
inside a handler, ``update_id`` and ``chat_id`` — what log collectors (journald, Loki, docker logs)
index. Every line, in both formats and including tracebacks, passes through :func:`redact`: the bot
token (also inside the Bot API URLs that aiohttp puts into exceptions), the webhook secret and
anything shaped like a bot token or a phone number become ``[redacted]``. Residents' texts are never
logged above DEBUG by the bot's own code (issue 11: phone numbers and residents' words are personal
data under the Law "On personal information").
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from typing import Any, Literal

from pythonjsonlogger.json import JsonFormatter

REDACTED = "[redacted]"

_PATTERNS = (
    re.compile(r"(?<!\d)\d{5,12}:[A-Za-z0-9_-]{30,}"),  # a bot token (id:secret), as in /bot<token>/ URLs
    re.compile(r"(?<![\w+])\+?996(?:[\s()-]*\d){9}(?!\d)"),  # Kyrgyz numbers: +996 and 9 digits
    re.compile(r"(?<![\w+])0\d{3}(?:[\s-]?\d){6}(?!\d)"),  # the same dialled locally: 0555 123 456
    re.compile(r"(?<![\w+])\+\d(?:[\s()-]*\d){9,13}(?!\d)"),  # any other international number
)

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def redact(line: str, secrets: Iterable[str] = ()) -> str:
    """``line`` with each of ``secrets`` (exact strings, at least 8 characters) and every bot-token or
    phone-number shape replaced by :data:`REDACTED`."""
    for secret in secrets:
        if len(secret) >= 8:
            line = line.replace(secret, REDACTED)
    for pattern in _PATTERNS:
        line = pattern.sub(REDACTED, line)
    return line


class _Context(logging.Filter):
    """Adds ``update_id`` and ``chat_id`` of the update being handled (bot.send.middleware)."""

    def filter(self, record: logging.LogRecord) -> bool:
        from bot.send.middleware import current_chat_id, current_update_id

        if not hasattr(record, "update_id"):
            record.update_id = current_update_id.get()
        if not hasattr(record, "chat_id"):
            record.chat_id = current_chat_id.get()
        return True


class RedactingTextFormatter(logging.Formatter):
    """The text format, redacted (:func:`redact`)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__(TEXT_FORMAT)
        self.secrets = tuple(secrets)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self.secrets)


class RedactingJsonFormatter(JsonFormatter):
    """One JSON object per line: ``time`` (ISO 8601, UTC), ``level``, ``logger``, ``message``,
    ``update_id``, ``chat_id`` (``null`` outside a handler), ``exc_info`` when there is one; redacted."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__(
            "%(levelname)s %(name)s %(message)s %(update_id)s %(chat_id)s",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",
            json_ensure_ascii=False,
        )
        self.secrets = tuple(secrets)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self.secrets)


def configure_logging(level: str = "INFO", fmt: Literal["text", "json"] = "text",
                      secrets: Iterable[str] = (), stream: Any = None) -> None:
    """Route all logging to ``stream`` (stderr) in ``fmt`` at ``level``, replacing earlier handlers.

    ``secrets``: exact strings never to print (the bot token, the webhook secret). aiogram's per-update
    INFO lines (``aiogram.event``) are kept at WARNING: one line per update buries everything else.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(_Context())
    handler.setFormatter(RedactingJsonFormatter(secrets) if fmt == "json" else RedactingTextFormatter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)
