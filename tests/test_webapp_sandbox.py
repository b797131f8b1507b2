"""``python -m bot sandbox`` opens the officers' web app too (issue 13): it prints a local address,
``:webapp`` prints a link signed for the simulated user, and that link's initData opens the
workspace (here the superadmin's national view)."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path
from urllib.parse import unquote

import aiohttp
import pytest

ROOT = Path(__file__).resolve().parent.parent
LINK = re.compile(r"open in a browser: (http://127\.0\.0\.1:\d+/webapp/)#tgWebAppData=([^&\s]+)")


async def _read_until(stream: asyncio.StreamReader, pattern: re.Pattern[str], seen: list[str]) -> re.Match[str]:
    while True:
        line = await asyncio.wait_for(stream.readline(), timeout=60)
        if not line:
            raise AssertionError("sandbox ended:\n" + "".join(seen))
        seen.append(line.decode(errors="replace"))
        if match := pattern.search(seen[-1]):
            return match


@pytest.mark.slow
async def test_the_sandbox_prints_a_link_that_opens_the_web_app(tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "sandbox", "--fresh", "--database", str(tmp_path / "sandbox.sqlite3"),
        cwd=ROOT, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    assert process.stdin is not None and process.stdout is not None
    seen: list[str] = []
    try:
        await _read_until(process.stdout, re.compile(r"Officers' web app: http://127\.0\.0\.1:\d+/webapp/"), seen)
        process.stdin.write(":as 3\n:webapp\n".encode())
        await process.stdin.drain()
        match = await _read_until(process.stdout, LINK, seen)
        base, init_data = match.group(1), unquote(match.group(2))
        async with aiohttp.ClientSession() as session:
            async with session.get(base) as shell:
                assert shell.status == 200 and "tgWebAppData" in await shell.text()
            headers = {"Authorization": "tma " + init_data}
            async with session.get(base + "api/view/dashboard", headers=headers) as view:
                assert view.status == 200 and 'id="national"' in await view.text()
            async with session.get(base + "api/dashboard", headers={"Authorization": "tma x" + init_data}) as bad:
                assert bad.status == 401
        process.stdin.write(":quit\n".encode())
        await process.stdin.drain()
        await asyncio.wait_for(process.wait(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
