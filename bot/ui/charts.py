"""Drawing charts for officers without risk to the bot: off the event loop, with every label plain text.

matplotlib reads ``$…$`` in any label as TeX (mathtext): a survey option or a problem typed as
``$\\frac{1}{$`` would make the drawing raise, and a resident's "$5 … $10" would lose its dollars.
:func:`render` runs a drawing function in a worker thread (a chart takes 50–300 ms of CPU; on the
event loop that would stall every other update) under ``text.parse_math = False`` and
``text.usetex = False``. One chart at a time: matplotlib's settings are process-global, and two
charts at once on a 2-core server only slow each other.

Use for every chart: ``png = await render(results_chart_png, survey, counts, locale)``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import ParamSpec

P = ParamSpec("P")

_lock = threading.Lock()

PLAIN_TEXT = {"text.parse_math": False, "text.usetex": False}
"""matplotlib settings under which labels are drawn exactly as typed."""


def draw_plain(draw: Callable[P, bytes], *args: P.args, **kwargs: P.kwargs) -> bytes:
    """Call ``draw(*args, **kwargs)`` (blocking) with labels as plain text, one chart at a time.

    Raises: whatever ``draw`` raises.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import rc_context

    with _lock, rc_context(PLAIN_TEXT):
        return draw(*args, **kwargs)


async def render(draw: Callable[P, bytes], *args: P.args, **kwargs: P.kwargs) -> bytes:
    """:func:`draw_plain` in a worker thread: the event loop keeps serving updates meanwhile.

    Returns the PNG (or other) bytes ``draw`` returns. Raises: whatever ``draw`` raises.
    """
    return await asyncio.to_thread(draw_plain, draw, *args, **kwargs)


