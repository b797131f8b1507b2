"""What residents and officers receive through the outbox, put into words per recipient language.

The domain queues a :class:`~bot.domain.outbox.Notice` (a kind and facts) in the transaction of the
change; the delivery worker calls :func:`render_stored` for each recipient's locale (cached per
broadcast and locale). Each feature has a module here with one renderer per notice kind, registered
with :func:`renders`; a renderer runs inside :func:`bot.i18n.use_locale`, so it calls ``_`` /
``ngettext`` / ``format_*`` plainly. Officers' previews call :func:`render` with the same notice, so
a preview is exactly what residents will see.

Renderers escape every fact that came from a person (titles, texts, names) with :func:`esc`.

No notice is a dead end (issue 12): :func:`render` gives a notice whose renderer returned no button
the "« Main menu" button in the reader's language. Kinds registered with ``in_chat=True`` (the
wrappers that post to a linked group or channel) are left as rendered: a private callback button
would do nothing there, so they carry a deep link into the bot instead.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.outbox import Content, Notice
from bot.i18n import use_locale


@dataclass(frozen=True)
class Rendered:
    """One recipient language's message: HTML ``text`` (escaped), button ``rows``, optional ``photo``."""

    text: str
    rows: list[list[InlineKeyboardButton]] = field(default_factory=list)
    photo: str | None = None

    @property
    def markup(self) -> InlineKeyboardMarkup | None:
        """The inline keyboard, or ``None`` without buttons; rows too wide for a phone are split
        (:func:`bot.ui.reflow.reflow`)."""
        from bot.ui.reflow import reflow  # bot.ui imports bot.notices' neighbours: keep the import lazy

        rows = [row for row in self.rows if row]
        return reflow(InlineKeyboardMarkup(inline_keyboard=rows)) if rows else None


Renderer = Callable[[Mapping[str, Any]], Rendered]
_RENDERERS: dict[str, Renderer] = {}
_IN_CHAT: set[str] = set()
_loaded = False


def renders(kind: str, *, in_chat: bool = False) -> Callable[[Renderer], Renderer]:
    """Register the decorated ``(facts) -> Rendered`` as the renderer of notices of ``kind``.

    ``in_chat``: the kind is posted to a linked group or channel, not a private chat, so
    :func:`render` adds no "« Main menu" callback button to it.

    Raises:
        ValueError: ``kind`` already has a renderer.
    """

    def register(function: Renderer) -> Renderer:
        if kind in _RENDERERS:
            raise ValueError(f"notice kind {kind!r} is already rendered by {_RENDERERS[kind].__module__}")
        _RENDERERS[kind] = function
        if in_chat:
            _IN_CHAT.add(kind)
        return function

    return register


def _load_all() -> None:
    """Import every feature's renderers once (they register on import)."""
    global _loaded
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    _loaded = True


def kinds() -> set[str]:
    """Every notice kind a renderer is registered for."""
    if not _loaded:
        _load_all()
    return set(_RENDERERS)


def in_chat(kind: str) -> bool:
    """Whether notices of ``kind`` are posted to linked groups or channels (see :func:`renders`)."""
    if not _loaded:
        _load_all()
    return kind in _IN_CHAT


def with_way_on(rendered: Rendered) -> Rendered:
    """``rendered`` as it is when it has a button, else with the "« Main menu" row (in the current
    locale): a notification in a private chat is never a dead end (issue 12)."""
    if any(rendered.rows):
        return rendered
    from bot.ui.keyboards import menu_button  # lazy, as in Rendered.markup

    return Rendered(rendered.text, [[menu_button()]], rendered.photo)


def render(notice: Notice, locale: str) -> Rendered:
    """``notice`` in ``locale``; a private-chat notice without buttons gets "« Main menu"
    (:func:`with_way_on`).

    Raises:
        KeyError: no renderer for ``notice.kind`` (a broadcast queued by a newer version).
    """
    if not _loaded:
        _load_all()
    renderer = _RENDERERS[notice.kind]
    with use_locale(locale):
        rendered = renderer(notice.facts)
        if notice.kind not in _IN_CHAT:
            rendered = with_way_on(rendered)
    if notice.photo and rendered.photo is None:
        rendered = Rendered(rendered.text, rendered.rows, notice.photo)
    return rendered


def render_stored(raw: str, locale: str) -> Rendered:
    """A broadcast's stored ``content`` column in ``locale``: a :class:`Notice`, or the per-language
    :class:`Content` that broadcasts queued by earlier versions hold (given "« Main menu" when it has
    no button, as :func:`render` does)."""
    data = json.loads(raw)
    if "notice" in data:
        return render(Notice.from_json(raw), locale)
    version = Content.from_json(raw).for_locale(locale)
    rows = [[InlineKeyboardButton(text=b.text, callback_data=b.callback_data, url=b.url) for b in row]
            for row in version.buttons]
    with use_locale(locale):  # earlier versions queued Content to residents only (linked chats came later)
        return with_way_on(Rendered(version.text, rows, data.get("photo")))


def esc(value: object) -> str:
    """HTML-escape a fact for a ``parse_mode=HTML`` message (quotes too)."""
    return html.escape(str(value), quote=True)


def pick(facts: Mapping[str, Any], name: str, locale: str) -> str:
    """The ``{name}_{locale}`` fact, else the other language's (a title given only in Kyrgyz)."""
    other = "ru" if locale == "ky" else "ky"
    return str(facts.get(f"{name}_{locale}") or facts.get(f"{name}_{other}") or "")
