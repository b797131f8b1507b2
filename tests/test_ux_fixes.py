"""Regression tests for UX defects found by a tester (each failed before its fix): choices echoed in
place of the question, a resident's proposal without invented cost/provider, the broadcasts table of
the command line, the hearing wizard's first step, and wording that fits towns and cities too."""

from __future__ import annotations

import pytest

from bot.db import Database
from tests.harness import plain
from tests.support import AK_DEBE
from tests.support import officer_person as _officer

