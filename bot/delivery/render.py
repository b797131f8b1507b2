"""Turn a broadcast's stored content (a notice, rendered by ``bot.notices``) into the Bot API requests
for one language."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.types import InlineKeyboardMarkup

from bot.delivery.split import CAPTION_LIMIT, TEXT_LIMIT, split_html, visible_length
from bot.notices import Rendered, render_stored


@dataclass(frozen=True)
class Step:
    """One request: ``sendPhoto`` when ``photo`` is set (``text`` is its caption, may be empty), else
    ``sendMessage`` with ``text``. ``markup`` goes on the last step only."""

    text: str
    photo: str | None = None
    markup: InlineKeyboardMarkup | None = None


def plan(raw: str, locale: str) -> list[Step]:
    """The requests that deliver the stored content ``raw`` in ``locale``.

    A text over 4,096 characters becomes several messages (:func:`split_html`); a photo whose
    caption would exceed 1,024 characters is sent without caption and the text follows it.

    Raises:
        KeyError: the content names a notice kind this version cannot render.
    """
    return plan_rendered(render_stored(raw, locale))


def plan_rendered(message: Rendered) -> list[Step]:
    """The requests that deliver one rendered message (see :func:`plan`)."""
    markup = message.markup
    text = message.text
    steps: list[Step] = []
    if message.photo is not None:
        if visible_length(text) <= CAPTION_LIMIT:
            return [Step(text, photo=message.photo, markup=markup)]
        steps.append(Step("", photo=message.photo))
    parts = split_html(text, TEXT_LIMIT)
    steps.extend(Step(part) for part in parts)
    last = steps[-1]
    steps[-1] = Step(last.text, photo=last.photo, markup=markup)
    return steps
