"""Test harness: the real Dispatcher fed with updates made by the Bot API emulator.

``Resident`` objects act like people in Telegram: they send text, stickers and photos, and press
buttons by their label; each call feeds the resulting update through ``Dispatcher.feed_raw_update``
(the whole middleware/router/handler chain) and returns the messages the bot sent or edited in
that person's chat as a result, read back from the emulator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot, Dispatcher

from bot.sandbox.emulator import BotAPIEmulator

TAG = re.compile(r"<[^>]+>")


def plain(message: dict[str, Any]) -> str:
    """The text (or caption) of a message as a person reads it."""
    return message.get("text") or message.get("caption") or ""


def labels(message: dict[str, Any]) -> list[str]:
    """All inline button labels of a message, row by row."""
    markup = message.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


@dataclass
class Harness:
    """The emulator, the bot client pointed at it, and the dispatcher under test."""

    emulator: BotAPIEmulator
    bot: Bot
    dispatcher: Dispatcher
    people: dict[int, Person] = field(default_factory=dict)

    def person(self, user_id: int, first_name: str = "Айгүл", *, last_name: str | None = None,
               username: str | None = None, language_code: str | None = None) -> Person:
        """A Telegram user who will write to the bot."""
        self.emulator.add_user(user_id, first_name, last_name=last_name, username=username,
                               language_code=language_code)
        person = Person(self, user_id)
        self.people[user_id] = person
        return person

    async def feed(self, update: dict[str, Any]) -> None:
        """Process one update through the real dispatcher, as polling would."""
        await self.dispatcher.feed_raw_update(self.bot, update)


@dataclass
class Person:
    """One simulated Telegram user in a private chat with the bot."""

    harness: Harness
    user_id: int

    @property
    def emulator(self) -> BotAPIEmulator:
        return self.harness.emulator

    def _mark(self) -> tuple[int, int]:
        return len(self.emulator.bot_messages(self.user_id)), len(self.emulator.requests)

    def _changes(self, mark: tuple[int, int]) -> list[dict[str, Any]]:
        count, requests = mark
        sent = self.emulator.bot_messages(self.user_id)[count:]
        edited_ids = {
            params.get("message_id") for method, params in self.emulator.requests[requests:]
            if method.startswith("editMessage") and str(params.get("chat_id")) == str(self.user_id)
        }
        edited = [m for m in self.emulator.bot_messages(self.user_id)[:count] if m["message_id"] in {int(i) for i in edited_ids if i}]
        return edited + sent

    async def _act(self, update: dict[str, Any]) -> list[dict[str, Any]]:
        mark = self._mark()
        await self.harness.feed(update)
        return self._changes(mark)

    async def send(self, text: str, **kwargs: Any) -> list[dict[str, Any]]:
        """Send a text; returns the bot's new and edited messages in this chat."""
        return await self._act(self.emulator.send_text(self.user_id, text, **kwargs))

    async def send_sticker(self) -> list[dict[str, Any]]:
        return await self._act(self.emulator.send_sticker(self.user_id))

    async def send_photo(self, caption: str | None = None) -> list[dict[str, Any]]:
        return await self._act(self.emulator.send_photo(self.user_id, caption=caption))

    async def send_album(self, count: int, captions: dict[int, str] | None = None,
                         group: str = "album") -> list[dict[str, Any]]:
        """Send ``count`` photos as one album (``captions``: part index → caption), the parts fed
        concurrently as polling and webhooks do; returns the bot's new and edited messages."""
        import asyncio

        mark = self._mark()
        updates = [self.emulator.send_photo(self.user_id, caption=(captions or {}).get(i), media_group_id=group)
                   for i in range(count)]
        await asyncio.gather(*(self.harness.feed(update) for update in updates))
        return self._changes(mark)

    async def send_voice(self) -> list[dict[str, Any]]:
        return await self._act(self.emulator.send_voice(self.user_id))

    async def send_document(self, name: str = "photo.jpg", data: bytes = b"\xff\xd8\xff") -> list[dict[str, Any]]:
        return await self._act(self.emulator.send_document(self.user_id, file_name=name, data=data))

    def last(self) -> dict[str, Any]:
        """The bot's latest message in this chat."""
        message = self.emulator.last_bot_message(self.user_id)
        assert message is not None, "the bot has not written to this chat"
        return message

    def find_button(self, label: str, message: dict[str, Any] | None = None) -> tuple[dict[str, Any], str]:
        """The newest bot message with a button whose label contains ``label``, and its callback data."""
        candidates = [message] if message else list(reversed(self.emulator.bot_messages(self.user_id)))
        for msg in candidates:
            for row in (msg.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if label in button["text"] and "callback_data" in button:
                        return msg, button["callback_data"]
        raise AssertionError(f"no button {label!r}; last message: {plain(candidates[0]) if candidates else None!r}")

    async def press(self, label: str, message: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Press the button whose label contains ``label`` (on ``message`` or the newest message that has it)."""
        msg, data = self.find_button(label, message)
        return await self._act(self.emulator.press_button(self.user_id, msg["message_id"], data))

    async def press_data(self, message_id: int, data: str) -> list[dict[str, Any]]:
        """Press a button with hand-made callback data (a crafted or stale button)."""
        return await self._act(self.emulator.press_button(self.user_id, message_id, data))

    def alerts(self) -> list[dict[str, Any]]:
        """answerCallbackQuery calls so far (texts shown as toasts or alerts)."""
        return list(self.emulator.callback_answers)
