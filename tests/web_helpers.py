"""The real bot process (``python -m bot run``) for the production tests: its own free port for
``WEB_LISTEN``, ``/healthz`` read over HTTP, SIGTERM and the exit code.

Start-up on a loaded machine can take tens of seconds (aiogram builds its models), so waits are long
and every wait polls without blocking the emulator, which shares the test's event loop.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:TEST"
STARTUP = 90.0
"""Seconds a process may take to answer /healthz with 200."""


def free_port() -> int:
    """A TCP port nothing listens on now (127.0.0.1)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get_json(url: str, timeout: float = 5.0) -> tuple[int, dict[str, Any]]:
    """``GET url``: ``(status, JSON body)``; ``(0, {})`` when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        body = exc.read()
        try:
            return exc.code, json.loads(body or b"{}")
        except ValueError:
            return exc.code, {"body": body.decode(errors="replace")}
    except (OSError, ValueError):
        return 0, {}


def post(url: str, body: bytes, headers: dict[str, str], timeout: float = 10.0) -> int:
    """``POST url``: the HTTP status (0 when nothing answers)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return 0


async def wait_until(predicate: Callable[[], bool], timeout: float, what: str, step: float = 0.1) -> None:
    """Poll ``predicate`` (cheap, sync) until true; AssertionError after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(step)


class BotProcess:
    """``python -m bot run`` with the given settings; output in ``log``."""

    def __init__(self, db_path: Path, api_url: str, log: Path, **env: str) -> None:
        self.port = free_port()
        self.log = log
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("BOT_TOKEN", "TELEGRAM_API_URL", "DATABASE_PATH", "WEBHOOK_URL", "WEBHOOK_SECRET")}
        self.env.update({"PYTHONUNBUFFERED": "1", "BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": api_url,
                         "DATABASE_PATH": str(db_path), "SUPERADMIN_IDS": "", "DEFAULT_LOCALE": "ky",
                         "WEB_LISTEN": f"127.0.0.1:{self.port}", "POLLING_TIMEOUT": "2",
                         "DELIVERY_PROGRESS_INTERVAL": "3"})
        self.env.update(env)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> BotProcess:
        self.process = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=self.env,
                                        stdout=self.log.open("ab"), stderr=subprocess.STDOUT)
        return self

    async def health(self) -> tuple[int, dict[str, Any]]:
        return await asyncio.to_thread(get_json, f"{self.url}/healthz")

    async def wait_healthy(self, timeout: float = STARTUP) -> dict[str, Any]:
        """Wait for /healthz to answer 200; returns its body."""
        deadline = time.monotonic() + timeout
        while True:
            assert self.process is not None and self.process.poll() is None, self.tail()
            status, body = await self.health()
            if status == 200:
                return body
            if time.monotonic() > deadline:
                raise AssertionError(f"/healthz never answered 200 (last {status} {body})\n{self.tail()}")
            await asyncio.sleep(0.3)

    async def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 40.0) -> int:
        """Send ``sig``; wait for the exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(sig)
        deadline = time.monotonic() + timeout
        while self.process.poll() is None:
            if time.monotonic() > deadline:
                self.process.kill()
                raise AssertionError(f"no exit within {timeout} s after {sig.name}\n{self.tail()}")
            await asyncio.sleep(0.05)
        return int(self.process.returncode)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def tail(self, n: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-n:] if self.log.exists() else ""
