"""The layers keep their shape: the domain loads no aiogram, modules stay small, handlers hold no SQL
and never tell errors apart by their text."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "bot"
HANDLERS = BOT / "handlers"
MODULE_LINES_MAX = 500
"""Longest module of ``bot/`` in lines (issue 16: "no module of bot/ is over ~500 lines")."""
EXEMPT = {BOT / "sandbox" / "emulator.py"}
"""The Bot API emulator is one self-contained fake of Telegram, exempt from the bound."""


def _sources(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*.py") if "__pycache__" not in p.parts)


def test_importing_every_domain_module_loads_no_aiogram() -> None:
    """In a fresh interpreter (so nothing imported by other tests counts), import each module under
    ``bot/domain`` by walking the package, then list any ``aiogram`` module that got loaded."""
    code = (
        "import importlib, pkgutil, sys\n"
        "import bot.domain\n"
        "names = [m.name for m in pkgutil.walk_packages(bot.domain.__path__, 'bot.domain.')]\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m == 'aiogram' or m.startswith('aiogram.'))\n"
        "print(len(names))\n"
        "print(' '.join(loaded[:20]))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    count, loaded = (result.stdout.splitlines() + ["", ""])[:2]
    assert int(count) > 5  # the walk found the domain's modules, not nothing
    assert loaded == "", f"aiogram loaded by the domain: {loaded}"


def test_no_module_of_the_bot_is_over_500_lines() -> None:
    long = {str(p.relative_to(ROOT)): n for p in _sources(BOT) if p not in EXEMPT
            and (n := len(p.read_text(encoding="utf-8").splitlines())) > MODULE_LINES_MAX}
    assert long == {}


SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE) ")


SQL_STRING = re.compile(r"""["'](SELECT|INSERT|UPDATE|DELETE|WITH) |["'] ?(FROM|WHERE|VALUES|SET) """)
SQL_HOMES = {BOT / "store", BOT / "sandbox"}
"""Where SQL may be written: the store (one module per feature) and the emulator's own (none today)."""


def test_no_handler_holds_sql() -> None:
    """Handlers call the domain; every query lives in the store."""
    found = [f"{p.relative_to(ROOT)}:{n}" for p in _sources(HANDLERS)
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1) if SQL.search(line)]
    assert found == []


def test_all_sql_lives_in_the_store() -> None:
    """Issue 10: the domain keeps the rules and calls ``bot/store``; no SQL string anywhere else in ``bot/``
    (``bot/db.py`` runs only PRAGMAs, migrations and the transaction's own statements)."""
    found = [f"{p.relative_to(ROOT)}:{n}: {line.strip()}" for p in _sources(BOT)
             if not any(home in p.parents for home in SQL_HOMES) and p != BOT / "db.py"
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
             if SQL_STRING.search(line)]
    assert found == []


def test_the_store_speaks_sql_postgresql_also_accepts() -> None:
    """No SQLite-only forms where both databases share one (``ON CONFLICT`` instead of ``OR IGNORE``)."""
    sqlite_only = re.compile(r"INSERT OR (IGNORE|REPLACE)|REPLACE INTO|\bIFNULL\(|\bstrftime\(|\browid\b|"
                             r"CURRENT_TIMESTAMP|datetime\('now'")
    found = [f"{p.relative_to(ROOT)}:{n}: {line.strip()}" for p in _sources(BOT / "store")
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
             if sqlite_only.search(line) and not line.strip().startswith(("#", "-", "``", "DO NOTHING"))]
    assert found == []


ERROR_TEXT = re.compile(r"str\((exc|e|err|error)\)|str\(\w+\)\s*[!=]=")


def test_no_handler_tells_errors_apart_by_their_text() -> None:
    """Typed errors are told apart by class (``except``, ``@explains``), never by ``str(exc)``."""
    found = [f"{p.relative_to(ROOT)}:{n}: {line.strip()}" for p in _sources(HANDLERS)
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
             if ERROR_TEXT.search(line)]
    assert found == []
