"""Turn a stored :class:`~bot.domain.outbox.Content` into the Bot API requests for one language."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.delivery.split import CAPTION_LIMIT, TEXT_LIMIT, split_html, visible_length
from bot.domain.outbox import Content, LocalizedMessage


@dataclass(frozen=True)
class Step:
    """One request: ``sendPhoto`` when ``photo`` is set (``text`` is its caption, may be empty), else
    ``sendMessage`` with ``text``. ``markup`` goes on the last step only."""

    text: str
    photo: str | None = None
    markup: InlineKeyboardMarkup | None = None


def keyboard(message: LocalizedMessage) -> InlineKeyboardMarkup | None:
    """The inline keyboard of a message version, or ``None`` when it has no buttons."""
    rows = [
        [InlineKeyboardButton(text=b.text, callback_data=b.callback_data, url=b.url) for b in row]
        for row in message.buttons
        if row
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def plan(content: Content, locale: str) -> list[Step]:
    """The requests that deliver ``content`` in ``locale`` (else the other language).

    A text over 4,096 characters becomes several messages (:func:`split_html`); a photo whose
    caption would exceed 1,024 characters is sent without caption and the text follows it.
    """
    version = content.for_locale(locale)
    markup = keyboard(version)
    text = version.text
    steps: list[Step] = []
    if content.photo is not None:
        if visible_length(text) <= CAPTION_LIMIT:
            return [Step(text, photo=content.photo, markup=markup)]
        steps.append(Step("", photo=content.photo))
    parts = split_html(text, TEXT_LIMIT)
    steps.extend(Step(part) for part in parts)
    last = steps[-1]
    steps[-1] = Step(last.text, photo=last.photo, markup=markup)
    return steps
