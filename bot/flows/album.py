"""Albums as one message: the parts of a media group reach the handlers once, together.

Telegram delivers an album (photos sent together) as one update per photo, sharing a
``media_group_id``; the caption, if any, is on whichever photo the person captioned. Handled one by
one, every photo got its own reply ("photo added", "send a text first" …) and a caption on the
second photo was lost. :class:`AlbumMiddleware` waits a moment for the rest of an album and passes
the first part on with ``album`` (all parts, in order) in the handler data; the other parts are
consumed. Handlers and wizard steps read ``album`` (``Ctx.album`` in the kit) and answer once.

It must run before aiogram's FSM middleware, which holds the chat's lock (``events_isolation``)
while a handler runs: inside that lock the other parts could not arrive while the first waits. Hence
:func:`install` puts it just before ``dispatcher.fsm`` in the update's outer middlewares. Updates
are handled concurrently (polling and webhook feed them as tasks), so the parts meet there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Dispatcher
from aiogram.types import Message, TelegramObject, Update

ALBUM_WAIT_S = 0.6
"""Seconds to wait after an album's newest part for the next one. Telegram sends an album's parts
within a few hundred milliseconds of each other, usually in one ``getUpdates`` batch."""

ALBUM_MAX_WAIT_S = 3.0
"""The longest an album's first part waits in all (a slow connection sending ten photos)."""


class AlbumMiddleware(BaseMiddleware):
    """Outer ``update`` middleware: hold back the parts of a media group, pass the first on with all of them.

    Handler data gets ``album``: ``list[Message]`` (sorted by ``message_id``), only for an album's first
    part; single messages get no ``album``. Edited album parts pass through unchanged.
    """

    def __init__(self, wait_s: float = ALBUM_WAIT_S, max_wait_s: float = ALBUM_MAX_WAIT_S) -> None:
        self.wait_s = wait_s
        self.max_wait_s = max_wait_s
        self._albums: dict[tuple[int, str], list[Message]] = {}
        self._arrived: dict[tuple[int, str], asyncio.Event] = {}

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        message = event.message if isinstance(event, Update) else None
        if message is None or message.media_group_id is None:
            return await handler(event, data)
        key = (message.chat.id, message.media_group_id)
        parts = self._albums.get(key)
        if parts is not None:  # a later part: the first one carries it
            parts.append(message)
            self._arrived[key].set()
            return None
        parts = self._albums[key] = [message]
        arrived = self._arrived[key] = asyncio.Event()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.max_wait_s
        try:
            while True:
                arrived.clear()
                timeout = min(self.wait_s, deadline - loop.time())
                if timeout <= 0:
                    break
                try:
                    await asyncio.wait_for(arrived.wait(), timeout)
                except TimeoutError:
                    break
        finally:
            del self._albums[key]
            del self._arrived[key]
        data["album"] = sorted(parts, key=lambda m: m.message_id)
        return await handler(event, data)


def install(dispatcher: Dispatcher, middleware: AlbumMiddleware | None = None) -> AlbumMiddleware:
    """Put ``middleware`` among the dispatcher's update outer middlewares just before its FSM
    middleware (which takes the chat's lock). aiogram's ``MiddlewareManager`` only appends, so this
    inserts into its list; the position is checked by the album tests."""
    middleware = middleware or AlbumMiddleware()
    chain = dispatcher.update.outer_middleware._middlewares
    chain.insert(chain.index(dispatcher.fsm), middleware)
    return middleware
