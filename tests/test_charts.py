"""Charts for officers (bot.ui.charts): labels that look like TeX are drawn as typed, and drawing
does not stall the event loop (issue 12, "bugs of whole classes")."""

from __future__ import annotations

import asyncio

from bot.db import Database
from bot.domain import surveys as sv
from bot.domain.surveys import Tally
from bot.ui.charts import render
from bot.ui.problems_export import top_chart_png
from bot.ui.surveys import results_chart_png
from tests.survey_helpers import OFFICER, draft, make_officer

TEX = ["$\\frac{1}{$", "Бааси $5 … $10", "^_^ \\alpha $$"]


async def test_option_texts_that_look_like_tex_are_drawn_not_parsed(db: Database, harness) -> None:
    await make_officer(db, harness)
    options = [[text, text, None] for text in TEX]
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft(options=options,
                                                                        question_ru="$x^2$ или $\\sqrt{"))
    counts = Tally(ballots=30, votes={1: 10, 2: 12, 3: 8}, recent=0)
    for locale in ("ky", "ru"):
        png = await render(results_chart_png, survey, counts, locale)
        assert png.startswith(b"\x89PNG")


async def test_problem_texts_that_look_like_tex_are_drawn_not_parsed() -> None:
    from datetime import UTC, datetime

    from bot.domain.problems import Problem

    fields = Problem.__dataclass_fields__
    base = {name: None for name in fields}
    problems = []
    for i, text in enumerate(TEX, 1):
        values = dict(base, id=i, text=text, supports=10 - i, category="other")
        for name, field in fields.items():
            if values[name] is None and field.type in ("datetime",):
                values[name] = datetime(2026, 12, 1, tzinfo=UTC)
        problems.append(Problem(**values))
    png = await render(top_chart_png, problems, "ky", "Ак-Дебе")
    assert png.startswith(b"\x89PNG")


async def test_the_event_loop_keeps_running_while_a_chart_is_drawn(db: Database, harness) -> None:
    await make_officer(db, harness)
    many = [[f"Вариант {i} " * 3, f"Вариант {i} " * 3, None] for i in range(10)]
    survey = await sv.create_survey(db, officer_id=OFFICER, draft=draft(options=many, max_choices=1))
    counts = Tally(ballots=600, votes={i: 60 for i in range(1, 11)}, recent=0)
    ticks = 0
    drawing = asyncio.ensure_future(render(results_chart_png, survey, counts, "ru"))

    while not drawing.done():
        ticks += 1
        await asyncio.sleep(0.002)
    assert (await drawing).startswith(b"\x89PNG")
    assert ticks >= 5  # other coroutines ran while the chart was drawn in a thread
