"""The deployment files keep their promises (issue 11, item 9): dependencies pinned and installed in
a layer before the code, the health check's command, a /data the non-root user can write.

No Docker daemon runs in CI, so the image is not built here; what the image runs is run here.
"""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text()
ENTRYPOINT = ROOT / "deploy" / "docker-entrypoint.sh"


def _requirement_name(spec: str) -> str:
    return re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0].lower().replace("_", "-")


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        if "==" in line and not line.lstrip().startswith("#"):
            name, version = line.split("==", 1)
            pins[name.strip().lower().replace("_", "-")] = version.split()[0]
    return pins


def test_every_dependency_is_pinned_in_the_lock_files() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = _pins(ROOT / "requirements.lock")
    test = _pins(ROOT / "requirements-test.lock")
    for spec in project["dependencies"]:
        name = _requirement_name(spec)
        assert name in runtime, f"{name} is not in requirements.lock: run `make lock`"
        assert test.get(name) == runtime[name], f"{name}: the two lock files disagree: run `make lock`"
    for spec in project["optional-dependencies"]["test"]:
        assert _requirement_name(spec) in test, f"{spec} is not in requirements-test.lock: run `make lock`"


def test_setup_docker_and_ci_install_from_the_lock() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "--requirement requirements-test.lock" in makefile
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make lint" in ci and "make test" in ci  # both go through the Makefile's setup
    install = DOCKERFILE.index("pip install --requirement requirements.lock")
    assert DOCKERFILE.index("COPY requirements.lock") < install < DOCKERFILE.index("COPY bot ")
    assert "pip install" not in DOCKERFILE[install + 1:], "a second pip install after the code would reinstall"


def test_the_image_listens_for_its_proxy_and_has_a_writable_matplotlib_cache() -> None:
    assert "WEB_LISTEN=0.0.0.0:8080" in DOCKERFILE
    assert "MPLCONFIGDIR=/tmp/matplotlib" in DOCKERFILE
    assert re.search(r"^USER ", DOCKERFILE, re.M) is None  # the entrypoint drops to uid 10001 itself
    assert "setpriv --reuid=10001" in ENTRYPOINT.read_text()


def _healthcheck_command() -> list[str]:
    match = re.search(r"HEALTHCHECK[^\n]*\\\n\s*CMD (\[.*\])", DOCKERFILE)
    assert match, "no HEALTHCHECK CMD in the Dockerfile"
    import json

    return json.loads(match.group(1))


@pytest.mark.parametrize("status, healthy", [(200, True), (503, False)])
async def test_the_healthcheck_command_follows_the_health_endpoint(status: int, healthy: bool) -> None:
    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"ok": status == 200}, status=status)

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        command = [arg.replace("127.0.0.1:8080", f"127.0.0.1:{port}") for arg in _healthcheck_command()]
        command[0] = sys.executable if command[0] == "python" else command[0]
        result = await asyncio.to_thread(subprocess.run, command, capture_output=True, timeout=30)
    finally:
        await runner.cleanup()
    assert (result.returncode == 0) is healthy


def _as_user(command: list[str]) -> list[str]:
    """``command`` run as a non-root user: as it is when we are not root, else through setpriv as uid 10002."""
    if os.geteuid() != 0:
        return command
    return ["setpriv", "--reuid=10002", "--regid=10002", "--clear-groups", "--", *command]


@pytest.fixture
def open_tmp():
    """A folder every user can reach (pytest's own tmp_path is private to root)."""
    import shutil
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="jamaat-deploy-", dir="/tmp"))
    path.chmod(0o777)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_the_entrypoint_runs_the_command_when_data_is_writable(open_tmp: Path) -> None:
    result = subprocess.run(_as_user(["sh", str(ENTRYPOINT), "sh", "-c", "echo started"]), capture_output=True,
                            text=True, env={**os.environ, "DATA_DIR": str(open_tmp)}, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started"


def test_the_entrypoint_as_root_hands_a_mounted_folder_to_the_bot_user(open_tmp: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root, as the container's entrypoint starts")
    data = open_tmp / "mounted"
    data.mkdir(mode=0o755)  # owned by root, as a host folder mounted into the container
    probe = f"touch {shlex.quote(str(data))}/db && id -u"
    result = subprocess.run(["sh", str(ENTRYPOINT), "sh", "-c", probe], capture_output=True, text=True,
                            env={**os.environ, "DATA_DIR": str(data)}, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "10001"
    assert (data / "db").stat().st_uid == 10001


def test_the_entrypoint_refuses_clearly_when_data_is_not_writable(open_tmp: Path) -> None:
    data = open_tmp / "ro"
    data.mkdir()
    data.chmod(0o555)
    result = subprocess.run(_as_user(["sh", str(ENTRYPOINT), "true"]), capture_output=True, text=True,
                            env={**os.environ, "DATA_DIR": str(data)}, timeout=30)
    assert result.returncode == 1 and "is not writable" in result.stderr


def test_compose_runs_the_bot_a_backup_job_and_a_proxy_for_webhook_mode() -> None:
    compose = (ROOT / "docker-compose.yml").read_text()
    for needle in ("bot:", "backup:", "python -m bot backup /data/backups/jamaat.sqlite3 --keep",
                   "profiles: [webhook]", "./deploy/Caddyfile", "stop_grace_period"):
        assert needle in compose
    assert (ROOT / "deploy" / "Caddyfile").exists() and (ROOT / "deploy" / "nginx.conf").exists()
