"""In-process emulator of the Telegram Bot API, for end-to-end tests.

:class:`BotAPIEmulator` is an aiohttp web server (bound to 127.0.0.1 by default) that
speaks the HTTP protocol of ``https://api.telegram.org`` closely enough for the real bot
process to run against it unchanged::

    emu = BotAPIEmulator()
    await emu.start()
    bot = Bot(emu.token, session=AiohttpSession(api=TelegramAPIServer.from_base(emu.base_url)))
    # ... run the Dispatcher with start_polling(bot) ...
    emu.send_text(1001, "/start")
    reply = await emu.wait_for_bot_message(1001)

Protocol (https://core.telegram.org/bots/api#making-requests):

* ``GET|POST {base_url}/bot{token}/{method}``; parameters from the query string,
  ``application/x-www-form-urlencoded``, ``multipart/form-data`` or an
  ``application/json`` body. Method names are case-insensitive. In form/query
  encodings complex values (``reply_markup``, ``entities``, ``media`` ...) are
  JSON-serialized strings, numbers and booleans are JSON literals, as aiogram sends them.
* Every answer is ``{"ok": true, "result": ...}`` or
  ``{"ok": false, "error_code": N, "description": "...", "parameters": {...}}``
  with HTTP status ``N`` (https://core.telegram.org/bots/api#responseparameters).
* Files are uploaded as multipart parts, referenced either by the field itself or by
  ``attach://<part name>`` (https://core.telegram.org/bots/api#sending-files), or
  re-sent by ``file_id``. ``getFile`` gives a ``file_path``; the bytes are served at
  ``GET {base_url}/file/bot{token}/{file_path}``.

Tests act as users with the synchronous ``send_*`` / ``press_button`` / ``block_bot``
methods (they enqueue an Update and return it immediately) and read what the bot did with
:meth:`BotAPIEmulator.messages`, :meth:`BotAPIEmulator.wait_for_bot_message`,
:attr:`BotAPIEmulator.requests` etc. A thin JSON control API under ``/_emulator/`` mirrors
those methods for processes outside the test's event loop.

All Python methods must be called from the event loop thread that runs the server.

Known simplifications (see the individual methods for details):

* ``parse_mode`` ``Markdown``/``MarkdownV2`` text is stored verbatim (not parsed or
  validated); only ``HTML`` is parsed, validated and turned into entities.
* By default a bare ``&`` that does not start an HTML entity is rejected under
  ``parse_mode=HTML`` (see :attr:`BotAPIEmulator.strict_html_ampersand`); real Telegram
  lets it through, but it almost always means unescaped user text.
* Photos are not re-encoded or resized: each photo gets a single ``PhotoSize`` with the
  dimensions read from the PNG/JPEG/GIF header (800x600 when unknown).
* HTTP(S) URLs given as files are not fetched (no network): they become empty files.
* Updates of types excluded by ``allowed_updates`` are dropped at the next getUpdates
  (Telegram would never create them).
* Inline mode, payments, polls and chat administration are not emulated.
* Webhooks: after ``setWebhook`` each queued update is POSTed as JSON to the URL, one at a time in
  order, with ``X-Telegram-Bot-Api-Secret-Token`` when a ``secret_token`` was set; a non-2xx answer or
  a connection error is retried with growing delays (:attr:`BotAPIEmulator.webhook_retry_delays`) and
  shown by ``getWebhookInfo`` (``last_error_message``); ``getUpdates`` answers 409 meanwhile. The body of
  the webhook's answer (a method call in the reply) is ignored.
* Error descriptions for the common mistakes (empty/too long text, caption, chat not
  found, not modified, BUTTON_DATA_INVALID, can't parse entities, blocked, flood
  control, invalid callback query) are Telegram's exact texts; a few for rare mistakes
  (e.g. over 10 media in a group, a reply keyboard passed to an edit) are approximations.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import hashlib
import itertools
import json
import logging
import math
import mimetypes
import re
import string
import struct
import time
import zlib
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

__all__ = [
    "BotAPIEmulator",
    "BotAPIError",
    "HTMLParseError",
    "parse_html",
    "utf16_len",
]

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------------------
# Limits documented by Telegram (https://core.telegram.org/bots/api).
# --------------------------------------------------------------------------------------

#: sendMessage.text / editMessageText.text: "1-4096 characters after entities parsing".
#: Telegram counts UTF-16 code units (MessageEntity offsets are in UTF-16 code units).
MESSAGE_TEXT_LIMIT = 4096
#: caption of media messages: "0-1024 characters after entities parsing".
CAPTION_LIMIT = 1024
#: InlineKeyboardButton.callback_data: "Data to be sent in a callback query ..., 1-64 bytes".
CALLBACK_DATA_LIMIT = 64
#: answerCallbackQuery.text: "0-200 characters".
CALLBACK_ANSWER_TEXT_LIMIT = 200
#: getFile: "bots can download files of up to 20MB in size".
GETFILE_SIZE_LIMIT = 20 * 1024 * 1024
#: multipart uploads (https://core.telegram.org/bots/api#sending-files): "10 MB max size
#: for photos, 50 MB for other files". Larger uploads are answered 413
#: "Request Entity Too Large" (aiogram: TelegramEntityTooLarge).
PHOTO_SIZE_LIMIT = 10 * 1024 * 1024
UPLOAD_SIZE_LIMIT = 50 * 1024 * 1024
#: sendMediaGroup.media: "A JSON-serialized array describing messages to be sent, must
#: include 2-10 items".
MEDIA_GROUP_MAX = 10
#: BotCommand.command: "1-32 characters. Can contain only lowercase English letters,
#: digits and underscores"; BotCommand.description: "1-256 characters".
BOT_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
BOT_COMMAND_DESCRIPTION_LIMIT = 256
#: setMyCommands: "At most 100 commands can be specified".
BOT_COMMANDS_MAX = 100
#: getUpdates.limit: "Values between 1-100 are accepted. Defaults to 100."
GET_UPDATES_LIMIT = 100

#: Update types delivered when allowed_updates is empty / never given: "all update types
#: except chat_member, message_reaction, and message_reaction_count (default)".
_NOT_DEFAULT_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

#: sendChatAction.action values listed in the Bot API docs.
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

#: Methods that produce messages and are therefore subject to flood control.
#: sendChatAction is deliberately excluded: it produces no message.
_SENDING_METHODS = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "sendvoice",
        "sendsticker",
        "sendlocation",
        "sendmediagroup",
        "copymessage",
        "forwardmessage",
    }
)

#: InlineKeyboardButton fields of which exactly one must be present.
_INLINE_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)

#: Message content fields copied by copyMessage / forwardMessage.
_CONTENT_FIELDS = (
    "text",
    "entities",
    "photo",
    "document",
    "voice",
    "audio",
    "video",
    "sticker",
    "location",
    "contact",
    "caption",
    "caption_entities",
    "has_media_spoiler",
)
_MEDIA_FIELDS = ("photo", "document", "voice", "audio", "video", "animation")

#: Form/query parameters that are always plain strings and must not be JSON-decoded
#: (a text "123" stays "123").
_RAW_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "callback_query_id",
        "parse_mode",
        "photo",
        "document",
        "voice",
        "audio",
        "video",
        "animation",
        "sticker",
        "thumbnail",
        "file_id",
        "url",
        "description",
        "short_description",
        "name",
        "title",
        "inline_message_id",
        "business_connection_id",
        "message_effect_id",
        "secret_token",
        "emoji",
        "action",
        "language_code",
        "phone_number",
        "first_name",
        "last_name",
        "vcard",
        "address",
        "ip_address",
        "callback_data",
        "button_text",
        "file_name",
        "mime_type",
        "username",
        "contains",
        "media_group_id",
        "chat_type",
        "method",
    }
)


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of Telegram's text limits and
    MessageEntity offsets/lengths (https://core.telegram.org/bots/api#messageentity)."""
    return len(text.encode("utf-16-le")) // 2


# --------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------


class BotAPIError(Exception):
    """An error answer of the Bot API.

    Serialized as ``{"ok": false, "error_code": error_code, "description": description}``
    with HTTP status ``error_code``; a ``retry_after`` (seconds) adds
    ``"parameters": {"retry_after": N}`` as Telegram does for 429 (flood control).
    """

    def __init__(self, error_code: int, description: str, *, retry_after: int | None = None,
                 migrate_to_chat_id: int | None = None) -> None:
        super().__init__(f"{error_code}: {description}")
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id  # a group that became a supergroup (linked chats)

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        if self.migrate_to_chat_id is not None:
            body["parameters"] = {"migrate_to_chat_id": self.migrate_to_chat_id}
        return body

    def response(self) -> web.Response:
        return web.json_response(self.to_json(), status=self.error_code)


def _bad(description: str) -> BotAPIError:
    return BotAPIError(400, f"Bad Request: {description}")


_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


# --------------------------------------------------------------------------------------
# HTML formatting (https://core.telegram.org/bots/api#html-style)
# --------------------------------------------------------------------------------------


class HTMLParseError(ValueError):
    """Text is not valid Telegram HTML. ``str(err)`` is the part after
    ``"Bad Request: can't parse entities: "`` in Telegram's answer."""


_HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    }
)
#: "Only the following named HTML entities are currently supported: &lt;, &gt;, &amp;
#: and &quot;" (plus all numerical entities).
_NAMED_HTML_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SIMPLE_TAG_ENTITIES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}


def _decode_html_entity(src: str, i: int) -> tuple[str | None, int]:
    """Decode the entity starting at ``src[i] == "&"``: ``&lt;`` ``&gt;`` ``&amp;``
    ``&quot;`` ``&#NNN;`` ``&#xHHH;``. Returns ``(char, index after ';')`` or
    ``(None, i)`` when it is not a supported entity."""
    n = len(src)
    j = i + 1
    if j < n and src[j] == "#":
        j += 1
        digits = string.digits
        base = 10
        if j < n and src[j] in "xX":
            digits, base = string.hexdigits, 16
            j += 1
        start = j
        while j < n and src[j] in digits:
            j += 1
        if j == start or j >= n or src[j] != ";":
            return None, i
        code = int(src[start:j], base)
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None, i
        return chr(code), j + 1
    start = j
    while j < n and src[j].isascii() and src[j].isalpha():
        j += 1
    if j >= n or src[j] != ";":
        return None, i
    char = _NAMED_HTML_ENTITIES.get(src[start:j])
    if char is None:
        return None, i
    return char, j + 1


@dataclass
class _OpenTag:
    name: str
    offset16: int  # UTF-16 offset of the tag's content in the output text
    src_pos: int  # index of "<" in the source
    argument: str | None


def parse_html(
    src: str,
    *,
    strict_ampersand: bool = True,
    users: dict[int, dict[str, Any]] | None = None,
) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram-flavoured HTML into ``(plain_text, entities)``.

    Follows Telegram's documented HTML style: supported tags are ``b strong i em u ins s
    strike del span class="tg-spoiler" tg-spoiler a href tg-emoji emoji-id code
    (class="language-x") pre blockquote (expandable)``; the only named entities are
    ``&lt; &gt; &amp; &quot;`` plus all numerical ones; every ``<`` that does not start a
    tag must be escaped. The error texts mirror the Bot API server's HTML parser (tdlib),
    e.g. ``Unsupported start tag "foo" at byte offset 3`` where the offset counts UTF-8
    bytes of ``src`` up to the ``<``.

    ``strict_ampersand``: also reject a ``&`` that does not begin one of the supported
    entities. Real Telegram keeps such a ``&`` literally; rejecting it catches
    ``html.escape`` being forgotten on user-supplied text.

    Entities are returned with ``offset``/``length`` in UTF-16 code units, sorted by
    offset (then longer first), after Telegram's trimming of leading/trailing whitespace.
    Raises :class:`HTMLParseError`.
    """

    def byte_offset(pos: int) -> int:
        return len(src[:pos].encode("utf-8"))

    out: list[str] = []
    out16 = 0
    stack: list[_OpenTag] = []
    entities: list[dict[str, Any]] = []
    n = len(src)
    i = 0
    while i < n:
        ch = src[i]
        if ch == "&":
            decoded, j = _decode_html_entity(src, i)
            if decoded is not None:
                out.append(decoded)
                out16 += utf16_len(decoded)
                i = j
                continue
            if strict_ampersand:
                raise HTMLParseError(
                    f'Character "&" at byte offset {byte_offset(i)} does not begin an HTML entity; '
                    'escape it as "&amp;" (emulator strict mode)'
                )
        if ch != "<":
            out.append(ch)
            out16 += utf16_len(ch)
            i += 1
            continue

        begin = i
        i += 1
        if i >= n or src[i] != "/":
            # Opening tag: the name runs up to whitespace or ">".
            name_start = i
            while i < n and not src[i].isspace() and src[i] != ">":
                i += 1
            if i >= n:
                raise HTMLParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            tag = src[name_start:i].lower()
            if tag not in _HTML_TAGS:
                raise HTMLParseError(f'Unsupported start tag "{tag}" at byte offset {byte_offset(begin)}')
            argument: str | None = None
            while i < n and src[i] != ">":
                while i < n and src[i].isspace():
                    i += 1
                if i >= n:
                    break
                if src[i] == ">":
                    break
                attr_start = i
                while i < n and not src[i].isspace() and src[i] not in "=>/\"'":
                    i += 1
                attr = src[attr_start:i].lower()
                if not attr:
                    raise HTMLParseError(
                        f'Empty attribute name in the tag "{tag}" at byte offset {byte_offset(begin)}'
                    )
                while i < n and src[i].isspace():
                    i += 1
                if i >= n:
                    break
                if src[i] != "=":
                    if tag == "blockquote" and attr == "expandable":
                        argument = "expandable"
                    continue
                i += 1
                while i < n and src[i].isspace():
                    i += 1
                if i >= n:
                    break
                if src[i] not in "\"'":
                    token_start = i
                    while i < n and (src[i].isascii() and src[i].isalnum() or src[i] in ".-"):
                        i += 1
                    value = src[token_start:i].lower()
                    if i < n and not src[i].isspace() and src[i] != ">":
                        raise HTMLParseError(f"Unexpected end of name token at byte offset {byte_offset(token_start)}")
                else:
                    quote = src[i]
                    i += 1
                    chars: list[str] = []
                    while i < n and src[i] != quote:
                        if src[i] == "&":
                            decoded, j = _decode_html_entity(src, i)
                            if decoded is not None:
                                chars.append(decoded)
                                i = j
                                continue
                        chars.append(src[i])
                        i += 1
                    if i < n:
                        i += 1
                    value = "".join(chars)
                if tag == "a" and attr == "href":
                    argument = value
                elif tag == "code" and attr == "class" and value.startswith("language-"):
                    argument = value[len("language-") :]
                elif tag == "span" and attr == "class":
                    argument = value
                elif tag == "tg-emoji" and attr == "emoji-id":
                    argument = value
                elif tag == "blockquote" and attr == "expandable":
                    argument = "expandable"
            if i >= n:
                raise HTMLParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            i += 1  # ">"
            if tag == "span" and argument != "tg-spoiler":
                raise HTMLParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(begin)}')
            stack.append(_OpenTag(tag, out16, begin, argument))
            continue

        # Closing tag.
        if not stack:
            raise HTMLParseError(f"Unexpected end tag at byte offset {byte_offset(begin)}")
        i += 1  # "/"
        name_start = i
        while i < n and not src[i].isspace() and src[i] != ">":
            i += 1
        end_name = src[name_start:i].lower()
        while i < n and src[i].isspace():
            i += 1
        if i >= n or src[i] != ">":
            raise HTMLParseError(f"Unclosed end tag at byte offset {byte_offset(begin)}")
        i += 1
        open_tag = stack.pop()
        if end_name and end_name != open_tag.name:
            raise HTMLParseError(
                f'Unmatched end tag at byte offset {byte_offset(begin)}, expected "</{open_tag.name}>", '
                f'found "</{end_name}>"'
            )
        length = out16 - open_tag.offset16
        if length <= 0:
            continue
        entity = _html_entity(open_tag, length, "".join(out), users)
        if entity is None:
            continue
        # <pre><code class="language-x">...</code></pre> is one "pre" entity with a language.
        if open_tag.name == "pre" and entities:
            last = entities[-1]
            if last["type"] == "code" and last["offset"] == open_tag.offset16 and last["length"] == length:
                entities.pop()
                if last.get("language"):
                    entity["language"] = last["language"]
        entities.append(entity)
    if stack:
        raise HTMLParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')

    text = "".join(out)
    return _trim_with_entities(text, entities)


def _html_entity(
    tag: _OpenTag, length: int, text_so_far: str, users: dict[int, dict[str, Any]] | None
) -> dict[str, Any] | None:
    entity: dict[str, Any] = {"offset": tag.offset16, "length": length}
    if tag.name in _SIMPLE_TAG_ENTITIES:
        entity["type"] = _SIMPLE_TAG_ENTITIES[tag.name]
    elif tag.name == "code":
        entity["type"] = "code"
        if tag.argument:
            entity["language"] = tag.argument
    elif tag.name == "pre":
        entity["type"] = "pre"
    elif tag.name == "blockquote":
        entity["type"] = "expandable_blockquote" if tag.argument else "blockquote"
    elif tag.name == "tg-emoji":
        if not tag.argument or not tag.argument.isdigit():
            raise HTMLParseError("Invalid custom emoji identifier specified")
        entity["type"] = "custom_emoji"
        entity["custom_emoji_id"] = tag.argument
    elif tag.name == "a":
        url = tag.argument
        if not url:
            # <a>url</a>: the link text is the URL.
            url = text_so_far.encode("utf-16-le")[tag.offset16 * 2 :].decode("utf-16-le")
        match = re.fullmatch(r"tg://user\?id=(\d+)", url.strip())
        if match:
            user_id = int(match.group(1))
            user = (users or {}).get(user_id) or {"id": user_id, "is_bot": False, "first_name": "User"}
            entity["type"] = "text_mention"
            entity["user"] = copy.deepcopy(user)
        else:
            entity["type"] = "text_link"
            entity["url"] = url.strip()
    else:  # pragma: no cover - _HTML_TAGS and this function are kept in sync
        return None
    return entity


def _trim_with_entities(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Strip leading/trailing whitespace as Telegram does and shift/clip entities."""
    stripped = text.strip()
    if not stripped:
        return "", []
    lead16 = utf16_len(text[: len(text) - len(text.lstrip())])
    total16 = utf16_len(stripped)
    result = []
    for entity in entities:
        start = max(entity["offset"] - lead16, 0)
        end = min(entity["offset"] + entity["length"] - lead16, total16)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    result.sort(key=lambda e: (e["offset"], -e["length"]))
    return stripped, result


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------


def _make_png(width: int, height: int, rgb: tuple[int, int, int] = (42, 122, 226)) -> bytes:
    """A valid solid-colour PNG (used as the default content of users' photos)."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def _image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG, GIF or JPEG header; None if not recognised."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return width, height
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            (seg_len,) = struct.unpack(">H", data[i + 2 : i + 4])
            i += 2 + seg_len
    return None


def _coerce_param(key: str, value: str) -> Any:
    """Decode a form/query value the way the Bot API does: JSON literals and objects are
    decoded, everything else (and the always-string parameters) stays a string."""
    if key in _RAW_STRING_PARAMS or key.endswith("_base64"):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _describe_message(msg: dict[str, Any], bot_id: int) -> str:
    sender = msg.get("from") or {}
    who = "bot" if sender.get("id") == bot_id else f"user {sender.get('id')}"
    body = msg.get("text")
    if body is None:
        kinds = [k for k in (*_MEDIA_FIELDS, "sticker", "location", "contact") if k in msg]
        body = f"<{kinds[0] if kinds else 'message'}>"
        if msg.get("caption"):
            body += f" {msg['caption']!r}"
    else:
        body = repr(body if len(body) <= 200 else body[:200] + "...")
    line = f"  #{msg.get('message_id')} {who}: {body}"
    rows = (msg.get("reply_markup") or {}).get("inline_keyboard") or []
    if rows:
        labels = [f"[{b.get('text')}|{b.get('callback_data') or b.get('url') or ''}]" for row in rows for b in row]
        line += " buttons: " + " ".join(labels)
    if msg.get("edit_date"):
        line += " (edited)"
    return line


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    kind: str  # photo | document | voice | sticker | audio | video | animation
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class _InjectedError:
    method: str  # lower-case
    error_code: int
    description: str
    retry_after: int | None
    remaining: int
    chat_id: int | str | None


_Upload = tuple[str, bytes, str | None]  # (filename, data, content type)

_FILE_KINDS: dict[str, tuple[str, str, str]] = {
    # kind: (file_id prefix, folder of file_path, default extension)
    "photo": ("AgACAgIAAxkBAAI", "photos", "jpg"),
    "document": ("BQACAgIAAxkBAAI", "documents", "bin"),
    "voice": ("AwACAgIAAxkBAAI", "voice", "oga"),
    "sticker": ("CAACAgIAAxkBAAI", "stickers", "webp"),
    "audio": ("CQACAgIAAxkBAAI", "music", "mp3"),
    "video": ("BAACAgIAAxkBAAI", "videos", "mp4"),
    "animation": ("CgACAgIAAxkBAAI", "animations", "mp4"),
}


@dataclass
class _Method:
    name: str
    handler: Callable[[dict[str, Any], dict[str, _Upload]], Any]


# --------------------------------------------------------------------------------------
# Groups, supergroups and channels with the bot as a member (issue 14, linked chats).
# A separate block (a mixin of BotAPIEmulator) so the core above stays readable.
# --------------------------------------------------------------------------------------

#: Telegram's limit in one group: "your bot will not be able to send more than 20 messages per
#: minute to the same group" (Bots FAQ). Applied with ``rate_limits_enabled``.
GROUP_MESSAGES_PER_MINUTE = 20

_LINKED_CHAT_ACTIONS = frozenset(
    {"add_group", "add_channel", "add_bot_to_chat", "remove_bot_from_chat", "set_bot_rights",
     "migrate_to_supergroup", "post_in_channel", "bot_membership"}
)


class _LinkedChatsEmulation:
    """Groups, supergroups and channels (``add_group``, ``add_channel``), the bot's membership in them
    (``add_bot_to_chat``, ``remove_bot_from_chat``, ``set_bot_rights``: each sends the bot a
    ``my_chat_member`` update), channel posts (``post_in_channel``: a ``channel_post`` update), a group
    becoming a supergroup (``migrate_to_supergroup``: afterwards a send to the old id is answered 400
    "group chat was upgraded to a supergroup chat" with ``parameters.migrate_to_chat_id``), and
    ``getChatMember`` / ``getChatAdministrators`` / ``leaveChat``.

    Sends to such a chat are refused as Telegram does: 403 "bot was kicked from the group chat" /
    "bot is not a member of the channel chat" once removed, 400 "not enough rights to send text
    messages to the chat" when restricted, 400 "need administrator rights in the channel chat" in a
    channel where the bot may not post; with ``rate_limits_enabled`` at most
    :data:`GROUP_MESSAGES_PER_MINUTE` messages in any 60 s in one group or channel (429 with
    ``retry_after``). A group chat seen only through ``send_text(chat_id=…)`` has the bot as a member.
    """

    _chats: dict[int, dict[str, Any]]
    _send_times: dict[Any, deque[float]]
    bot_user: dict[str, Any]
    #: ``(messages, seconds)``: at most that many messages in any window of that many seconds in one
    #: group or channel (Telegram's 20 per minute; tests scale it down).
    group_rate_limit: tuple[int, float] = (GROUP_MESSAGES_PER_MINUTE, 60.0)

    def _init_linked_chats(self) -> None:
        self._bot_member: dict[int, dict[str, Any]] = {}
        self._migrated_to: dict[int, int] = {}
        self._methods.update({  # type: ignore[attr-defined]
            "getchatmember": _Method("getChatMember", self._api_get_chat_member),
            "getchatadministrators": _Method("getChatAdministrators", self._api_get_chat_administrators),
            "leavechat": _Method("leaveChat", self._api_leave_chat),
        })

    # -- acting as users and admins ----------------------------------------------------------

    def add_group(self, chat_id: int, title: str = "Test group", *, supergroup: bool = False) -> dict[str, Any]:
        """Create a group (negative ``chat_id``; a supergroup's id starts with -100) and return its Chat."""
        if int(chat_id) >= 0:
            raise ValueError("group chats need a negative chat_id")
        chat = {"id": int(chat_id), "type": "supergroup" if supergroup else "group", "title": title}
        self._chats[int(chat_id)] = chat
        return copy.deepcopy(chat)

    def add_channel(self, chat_id: int, title: str = "Test channel", *, username: str | None = None) -> dict[str, Any]:
        """Create a channel (id like -100…) and return its Chat."""
        if int(chat_id) >= 0:
            raise ValueError("channels need a negative chat_id")
        chat: dict[str, Any] = {"id": int(chat_id), "type": "channel", "title": title}
        if username:
            chat["username"] = username
        self._chats[int(chat_id)] = chat
        return copy.deepcopy(chat)

    def _member_object(self, chat_id: int) -> dict[str, Any]:
        state = self._bot_member.get(chat_id) or {"status": "member"}
        status = state["status"]
        member: dict[str, Any] = {"status": status, "user": copy.deepcopy(self.bot_user)}
        if status == "administrator":
            channel = self._chats.get(chat_id, {}).get("type") == "channel"
            member.update({
                "can_be_edited": False, "is_anonymous": False, "can_manage_chat": True, "can_delete_messages": True,
                "can_manage_video_chats": True, "can_restrict_members": True, "can_promote_members": False,
                "can_change_info": True, "can_invite_users": True, "can_post_stories": False,
                "can_edit_stories": False, "can_delete_stories": False, "can_send_welcome_messages": False,
            })
            if channel:
                member["can_post_messages"] = bool(state.get("can_post_messages", True))
                member["can_edit_messages"] = True
        elif status == "restricted":
            allowed = bool(state.get("can_send_messages", False))
            member.update({"is_member": True, "until_date": 0, **{key: allowed for key in (
                "can_send_messages", "can_send_audios", "can_send_documents", "can_send_photos", "can_send_videos",
                "can_send_video_notes", "can_send_voice_notes", "can_send_polls", "can_send_other_messages",
                "can_add_web_page_previews", "can_react_to_messages")}, "can_edit_tag": False,
                "can_change_info": False, "can_invite_users": False,
                "can_pin_messages": False, "can_manage_topics": False})
        elif status == "kicked":
            member["until_date"] = 0
        return member

    def _set_bot_member(self, chat_id: int, by_user: int, state: dict[str, Any]) -> dict[str, Any]:
        cid = int(chat_id)
        if cid not in self._chats:
            raise ValueError(f"unknown chat {cid}; call add_group()/add_channel() first")
        old = self._member_object(cid) if cid in self._bot_member else {"status": "left",
                                                                         "user": copy.deepcopy(self.bot_user)}
        self._bot_member[cid] = dict(state)
        user = self._ensure_user(by_user)  # type: ignore[attr-defined]
        return self._enqueue("my_chat_member", {  # type: ignore[attr-defined,no-any-return]
            "chat": copy.deepcopy(self._chats[cid]), "from": user, "date": int(time.time()),
            "old_chat_member": old, "new_chat_member": self._member_object(cid)})

    def add_bot_to_chat(self, chat_id: int, by_user: int, *, admin: bool = False,
                        can_post_messages: bool = True) -> dict[str, Any]:
        """``by_user`` adds the bot to the chat (as an administrator with ``admin``; a channel always
        needs one); returns the ``my_chat_member`` Update."""
        state: dict[str, Any] = {"status": "administrator" if admin else "member"}
        if admin:
            state["can_post_messages"] = can_post_messages
        return self._set_bot_member(chat_id, by_user, state)

    def remove_bot_from_chat(self, chat_id: int, by_user: int) -> dict[str, Any]:
        """``by_user`` removes (bans) the bot; later sends there get 403. Returns the Update."""
        return self._set_bot_member(chat_id, by_user, {"status": "kicked"})

    def set_bot_rights(self, chat_id: int, by_user: int, *, can_send_messages: bool = True,
                       can_post_messages: bool = True) -> dict[str, Any]:
        """Restrict the bot in a group (``can_send_messages=False``) or change its channel admin right
        to post; returns the ``my_chat_member`` Update."""
        cid = int(chat_id)
        if self._chats.get(cid, {}).get("type") == "channel":
            return self._set_bot_member(cid, by_user, {"status": "administrator",
                                                       "can_post_messages": can_post_messages})
        if can_send_messages:
            return self._set_bot_member(cid, by_user, {"status": "member"})
        return self._set_bot_member(cid, by_user, {"status": "restricted", "can_send_messages": False})

    def bot_membership(self, chat_id: int) -> dict[str, Any]:
        """The bot's ChatMember object in the chat."""
        return self._member_object(int(chat_id))

    def migrate_to_supergroup(self, chat_id: int, by_user: int, new_chat_id: int | None = None, *,
                              announce: bool = True) -> int:
        """The group becomes a supergroup (new id, by default ``-100`` + the old digits); the bot keeps its
        membership there. With ``announce`` the bot gets both service messages (``migrate_to_chat_id`` in the
        old chat, ``migrate_from_chat_id`` in the new); without, it learns only from the 400 on its next send.
        Returns the new chat id."""
        old = int(chat_id)
        chat = self._chats.get(old)
        if chat is None or chat["type"] != "group":
            raise ValueError(f"{old} is not a group")
        new = int(new_chat_id) if new_chat_id is not None else int(f"-100{abs(old)}")
        self._chats[new] = {"id": new, "type": "supergroup", "title": chat.get("title", "")}
        if old in self._bot_member:
            self._bot_member[new] = dict(self._bot_member[old])
        self._migrated_to[old] = new
        if announce:
            user = self._ensure_user(by_user)  # type: ignore[attr-defined]
            msg = self._store_message(old, user, {"migrate_to_chat_id": new})  # type: ignore[attr-defined]
            self._enqueue("message", msg)  # type: ignore[attr-defined]
            msg = self._store_message(new, user, {"migrate_from_chat_id": old})  # type: ignore[attr-defined]
            self._enqueue("message", msg)  # type: ignore[attr-defined]
        return new

    def post_in_channel(self, chat_id: int, text: str) -> dict[str, Any]:
        """The channel's admin posts ``text`` (signed by the channel); returns the ``channel_post`` Update."""
        cid = int(chat_id)
        chat = self._chats.get(cid)
        if chat is None or chat["type"] != "channel":
            raise ValueError(f"{cid} is not a channel")
        mid = self._next_message_id[cid]  # type: ignore[attr-defined]
        self._next_message_id[cid] = mid + 1  # type: ignore[attr-defined]
        msg = {"message_id": mid, "sender_chat": copy.deepcopy(chat), "chat": copy.deepcopy(chat),
               "date": int(time.time()), "text": text}
        self._messages[cid][mid] = msg  # type: ignore[attr-defined]
        return self._enqueue("channel_post", msg)  # type: ignore[attr-defined,no-any-return]

    # -- what sends to these chats meet ------------------------------------------------------

    def _check_linked_chat_send(self, cid: int) -> None:
        """Refuse a send to a group or channel as Telegram would (see the class docstring)."""
        if cid in self._migrated_to:
            raise BotAPIError(400, "Bad Request: group chat was upgraded to a supergroup chat",
                              migrate_to_chat_id=self._migrated_to[cid])
        chat = self._chats.get(cid) or {}
        kind = chat.get("type")
        if kind not in ("group", "supergroup", "channel"):
            return
        state = self._bot_member.get(cid)
        if state is None:
            if kind == "channel":
                raise BotAPIError(403, "Forbidden: bot is not a member of the channel chat")
            return  # a group known only from users' messages: the bot is a member
        if state["status"] in ("left", "kicked"):
            where = {"group": "the group chat", "supergroup": "the supergroup chat"}.get(kind)
            if where is None:
                raise BotAPIError(403, "Forbidden: bot is not a member of the channel chat")
            raise BotAPIError(403, f"Forbidden: bot was kicked from {where}")
        if state["status"] == "restricted" and not state.get("can_send_messages"):
            raise _bad("not enough rights to send text messages to the chat")
        if kind == "channel" and not (state["status"] == "administrator" and state.get("can_post_messages")):
            raise _bad("need administrator rights in the channel chat")

    def _group_rate_key(self, params: dict[str, Any]) -> tuple[str, int] | None:
        try:
            cid = self._resolve_chat_id(params.get("chat_id"))  # type: ignore[attr-defined]
        except BotAPIError:
            return None
        if not isinstance(cid, int) or cid >= 0 or cid not in self._chats:
            return None
        return ("group-minute", cid)

    def _check_group_rate(self, params: dict[str, Any], now: float) -> None:
        """At most :attr:`group_rate_limit` messages in any window to one group or channel."""
        key = self._group_rate_key(params)
        if key is None:
            return
        limit, window = self.group_rate_limit
        times = self._send_times[key]
        while times and times[0] <= now - window:
            times.popleft()
        if len(times) >= limit:
            retry_after = max(1, math.ceil(times[0] + window - now))
            raise BotAPIError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)

    def _record_group_send(self, params: dict[str, Any], now: float) -> None:
        key = self._group_rate_key(params)
        if key is not None:
            self._send_times[key].append(now)

    # -- methods ---------------------------------------------------------------------------------

    def _api_get_chat_member(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> dict[str, Any]:
        cid = self._known_chat(params.get("chat_id"))  # type: ignore[attr-defined]
        try:
            user_id = int(params.get("user_id"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise _bad("user_id is empty") from None
        if user_id == self.bot_user["id"]:
            return self._member_object(cid)
        user = self._users.get(user_id)  # type: ignore[attr-defined]
        if user is None:
            raise _bad("user not found")
        return {"status": "member", "user": copy.deepcopy(user)}

    def _api_get_chat_administrators(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> list[dict[str, Any]]:
        cid = self._known_chat(params.get("chat_id"))  # type: ignore[attr-defined]
        member = self._member_object(cid)
        return [member] if member["status"] == "administrator" else []

    def _api_leave_chat(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> bool:
        cid = self._known_chat(params.get("chat_id"))  # type: ignore[attr-defined]
        self._bot_member[cid] = {"status": "left"}
        return True


# --------------------------------------------------------------------------------------
# The emulator
# --------------------------------------------------------------------------------------


class BotAPIEmulator(_LinkedChatsEmulation):
    """Telegram Bot API emulator: an aiohttp server plus an in-memory Telegram.

    Parameters:
        token: the bot token the server accepts; the bot's user id is the part before
            ``":"``. Requests with another token get ``401 Unauthorized``.
        bot_username: ``username`` of the bot's User object (without ``@``).
        global_rate: flood control, messages per second over all chats (Telegram's FAQ:
            "avoid sending more than 30 messages per second"); ``None`` = unlimited.
        per_chat_rate: flood control, messages per second in one chat ("avoid sending
            more than one message per second" in a chat); ``None`` = unlimited.
        rate_limits_enabled: apply ``global_rate``/``per_chat_rate``; off by default so
            ordinary tests are not slowed down.

    The state is plain dicts shaped like Bot API objects. Message ids are per chat,
    increasing, and shared by the user's and the bot's messages in that chat.

    HTTP control API (for a driver outside this event loop), a thin layer over the
    methods of the same name: ``POST {base_url}/_emulator/<name>`` with a JSON object of
    the method's keyword arguments (bytes as ``<arg>_base64``), or ``GET`` with query
    parameters, e.g. ``POST /_emulator/send_text {"user_id": 1, "text": "/start"}``,
    ``GET /_emulator/messages?chat_id=1``. Names: add_user, send_text, press_button,
    send_photo, send_document, send_sticker, send_voice, send_location, send_contact,
    edit_text, block_bot, unblock_bot, inject_error, messages, bot_messages,
    last_bot_message, last_message_id, reply_keyboard, updates_pending, requests,
    callback_answers, wait_for_bot_message (``contains`` instead of ``predicate``),
    wait_idle. Answer: ``{"ok": true, "result": ...}`` or ``{"ok": false, "error": str}``
    with status 400 (bad arguments), 404 (unknown name / message) or 408 (wait timed out).
    """

    #: Reject a bare "&" under parse_mode=HTML (see :func:`parse_html`). Set to False on
    #: an instance to get Telegram's lenient behaviour.
    strict_html_ampersand: bool = True
    #: Flood control for requests with ``allow_paid_broadcast=True``: messages per second
    #: over all chats (Telegram: up to 1000); used instead of ``global_rate``.
    paid_broadcast_rate: float | None = 1000.0
    #: How long (seconds) :meth:`wait_idle` requires the bot to have made no request.
    idle_quiet_period: float = 0.3

    def __init__(
        self,
        *,
        token: str = "123456:TEST",
        bot_username: str = "jamaat_test_bot",
        global_rate: float | None = 30.0,
        per_chat_rate: float | None = 1.0,
        rate_limits_enabled: bool = False,
    ) -> None:
        bot_id_text = token.split(":", 1)[0]
        if not bot_id_text.isdigit():
            raise ValueError("token must look like '<bot id>:<secret>'")
        self.token = token
        self.bot_user: dict[str, Any] = {
            "id": int(bot_id_text),
            "is_bot": True,
            "first_name": "Jamaat",
            "username": bot_username,
        }
        self.global_rate = global_rate
        self.per_chat_rate = per_chat_rate
        self.rate_limits_enabled = rate_limits_enabled

        #: Params of every answerCallbackQuery call, in order: dicts with
        #: ``callback_query_id`` (str), ``text`` (str | None), ``show_alert`` (bool) and
        #: ``url``/``cache_time`` when given.
        self.callback_answers: list[dict[str, Any]] = []
        #: Every Bot API call with a valid token, in arrival order: ``(method, params)``.
        #: ``method`` is the canonical spelling (``"sendMessage"``); params are decoded
        #: (JSON fields as objects); uploaded parts appear as
        #: ``{"filename": ..., "size": <bytes>, "content_type": ...}``.
        self.requests: list[tuple[str, dict[str, Any]]] = []
        #: Messages removed by deleteMessage, as they were when deleted.
        self.deleted_messages: list[dict[str, Any]] = []

        self._users: dict[int, dict[str, Any]] = {}
        self._chats: dict[int, dict[str, Any]] = {}
        self._messages: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
        self._next_message_id: dict[int, int] = defaultdict(lambda: 1)
        self._blocked: set[int] = set()
        self._reply_keyboards: dict[int, dict[str, Any] | None] = {}

        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._last_update_id = 0
        self._delivered_max = 0
        self._allowed_updates: list[str] = []
        self._poll_seq = 0
        self._active_poll: int | None = None

        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._file_counter = itertools.count(1)

        self._callback_queries: dict[str, dict[str, Any]] = {}
        self._callback_ids = itertools.count(4_000_000_000_001)
        self._media_group_ids = itertools.count(13_000_000_000_000_001)

        self._injected: list[_InjectedError] = []
        self._send_times: dict[Any, deque[float]] = defaultdict(deque)

        self._webhook: dict[str, Any] = {"url": ""}
        self._webhook_task: asyncio.Task[None] | None = None
        #: Every webhook POST: ``(update_id, HTTP status or None for a connection error)``, in order.
        self.webhook_attempts: list[tuple[int, int | None]] = []
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._menu_buttons: dict[int | None, dict[str, Any]] = {}
        self._descriptions: dict[tuple[str, str], str] = {}

        # (kind, chat_id, message_id) for every bot message created ("new") or edited ("edit").
        self._bot_events: list[tuple[str, int, int]] = []
        self._changed = asyncio.Event()
        self._inflight = 0
        self._last_activity = time.monotonic()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None

        self._methods: dict[str, _Method] = {}
        for name, handler in (
            ("getMe", self._api_get_me),
            ("getUpdates", self._api_get_updates),
            ("setWebhook", self._api_set_webhook),
            ("deleteWebhook", self._api_delete_webhook),
            ("getWebhookInfo", self._api_get_webhook_info),
            ("setMyCommands", self._api_set_my_commands),
            ("getMyCommands", self._api_get_my_commands),
            ("deleteMyCommands", self._api_delete_my_commands),
            ("setChatMenuButton", self._api_set_chat_menu_button),
            ("getChatMenuButton", self._api_get_chat_menu_button),
            ("setMyDescription", self._api_set_my_description),
            ("getMyDescription", self._api_get_my_description),
            ("setMyShortDescription", self._api_set_my_short_description),
            ("getMyShortDescription", self._api_get_my_short_description),
            ("sendMessage", self._api_send_message),
            ("editMessageText", self._api_edit_message_text),
            ("editMessageCaption", self._api_edit_message_caption),
            ("editMessageReplyMarkup", self._api_edit_message_reply_markup),
            ("deleteMessage", self._api_delete_message),
            ("answerCallbackQuery", self._api_answer_callback_query),
            ("sendPhoto", self._api_send_photo),
            ("sendDocument", self._api_send_document),
            ("sendVoice", self._api_send_voice),
            ("sendSticker", self._api_send_sticker),
            ("sendLocation", self._api_send_location),
            ("sendMediaGroup", self._api_send_media_group),
            ("sendChatAction", self._api_send_chat_action),
            ("getFile", self._api_get_file),
            ("getChat", self._api_get_chat),
            ("copyMessage", self._api_copy_message),
            ("forwardMessage", self._api_forward_message),
        ):
            self._methods[name.lower()] = _Method(name, handler)
        self._init_linked_chats()  # groups, channels, the bot's membership (_LinkedChatsEmulation)

    # ------------------------------------------------------------------ lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Start serving on ``host:port`` (``port=0`` picks a free port); afterwards
        :attr:`base_url` is valid."""
        if self._runner is not None:
            raise RuntimeError("emulator already started")
        self._closing = False
        app = web.Application(client_max_size=UPLOAD_SIZE_LIMIT + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("GET", "/file/bot{token}/{file_path:.+}", self._handle_file)
        app.router.add_route("*", "/_emulator/{action}", self._handle_control)
        runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=1.0, handler_cancellation=True
        )
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        self._webhook_task = asyncio.create_task(self._webhook_loop(), name="emulator-webhook")
        bound_host, bound_port = runner.addresses[0][:2]
        self._base_url = f"http://{host if host not in ('0.0.0.0', '::') else bound_host}:{bound_port}"

    async def stop(self) -> None:
        """Stop the server. Pending long polls return an empty result at once."""
        self._closing = True
        self._notify()
        if self._webhook_task is not None:
            task, self._webhook_task = self._webhook_task, None
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> BotAPIEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """``"http://127.0.0.1:<port>"``, for ``TelegramAPIServer.from_base``. Only valid
        after :meth:`start`."""
        if self._base_url is None:
            raise RuntimeError("emulator not started")
        return self._base_url

    # ------------------------------------------------------------------ acting as users

    def add_user(
        self,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> dict[str, Any]:
        """Register (or update) a Telegram user and return its User object
        (``{"id", "is_bot": False, "first_name", ["last_name", "username",
        "language_code"]}``). Registering does not open a chat: the bot gets
        ``403 Forbidden: bot can't initiate conversation with a user`` until the user
        writes to it. Acting methods auto-register unknown ids as ``"User<id>"``."""
        user: dict[str, Any] = {"id": int(user_id), "is_bot": False, "first_name": first_name}
        if last_name is not None:
            user["last_name"] = last_name
        if username is not None:
            user["username"] = username
        if language_code is not None:
            user["language_code"] = language_code
        self._users[int(user_id)] = user
        if int(user_id) in self._chats:
            self._chats[int(user_id)] = self._private_chat(user)
        return copy.deepcopy(user)

    def send_text(
        self, user_id: int, text: str, *, chat_id: int | None = None, chat_type: str = "private"
    ) -> dict[str, Any]:
        """The user sends a text message; returns the enqueued ``message`` Update.

        ``chat_id`` defaults to ``user_id`` (the private chat). For ``chat_type``
        ``"group"``/``"supergroup"`` pass the (negative) ``chat_id``; the chat is titled
        ``"Test group"``. A text starting with ``/`` gets a ``bot_command`` entity
        covering the command up to the first space, as Telegram adds it."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0] if text.strip() else text
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]
        return self._user_message(user_id, chat_id, chat_type, content)

    def send_photo(
        self,
        user_id: int,
        *,
        caption: str | None = None,
        data: bytes | None = None,
        chat_id: int | None = None,
        media_group_id: str | None = None,
    ) -> dict[str, Any]:
        """The user sends a photo (``data`` = image bytes; default a 320x240 PNG). The
        bytes become a stored file downloadable through getFile. Returns the Update."""
        data = _make_png(320, 240) if data is None else data
        stored = self._store_file(data, "photo", ext="png" if data[:4] == b"\x89PNG" else "jpg")
        content: dict[str, Any] = {"photo": [self._photo_size(stored)]}
        if caption:
            content["caption"] = caption
        if media_group_id is not None:
            content["media_group_id"] = str(media_group_id)
        return self._user_message(user_id, chat_id, None, content)

    def send_document(
        self,
        user_id: int,
        *,
        file_name: str,
        data: bytes,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        chat_id: int | None = None,
    ) -> dict[str, Any]:
        """The user sends a file as a document. Returns the Update."""
        ext = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        stored = self._store_file(data, "document", file_name=file_name, mime_type=mime_type, ext=ext)
        content: dict[str, Any] = {"document": self._file_object(stored)}
        if caption:
            content["caption"] = caption
        return self._user_message(user_id, chat_id, None, content)

    def send_sticker(self, user_id: int, *, chat_id: int | None = None) -> dict[str, Any]:
        """The user sends a (regular, static 512x512) sticker. Returns the Update."""
        stored = self._store_file(b"RIFF\x00\x00\x00\x00WEBPVP8 ", "sticker", mime_type="image/webp", ext="webp")
        content = {"sticker": self._file_object(stored)}
        return self._user_message(user_id, chat_id, None, content)

    def send_voice(
        self, user_id: int, *, duration: int = 3, data: bytes | None = None, chat_id: int | None = None
    ) -> dict[str, Any]:
        """The user sends a voice message of ``duration`` seconds (``data`` = OGG/Opus
        bytes; a placeholder by default). Returns the Update."""
        data = b"OggS\x00\x02" + b"\x00" * 64 if data is None else data
        stored = self._store_file(data, "voice", mime_type="audio/ogg", ext="oga")
        voice = self._file_object(stored)
        voice["duration"] = int(duration)
        return self._user_message(user_id, chat_id, None, {"voice": voice})

    def send_location(
        self, user_id: int, latitude: float, longitude: float, *, chat_id: int | None = None
    ) -> dict[str, Any]:
        """The user shares a location (degrees). Returns the Update."""
        content = {"location": {"latitude": float(latitude), "longitude": float(longitude)}}
        return self._user_message(user_id, chat_id, None, content)

    def send_contact(
        self,
        user_id: int,
        phone_number: str,
        *,
        contact_user_id: int | None = None,
        first_name: str = "Contact",
        chat_id: int | None = None,
    ) -> dict[str, Any]:
        """The user shares a contact. Sharing one's own number through a
        ``request_contact`` keyboard button means ``contact_user_id == user_id``.
        Returns the Update."""
        contact: dict[str, Any] = {"phone_number": phone_number, "first_name": first_name}
        if contact_user_id is not None:
            contact["user_id"] = int(contact_user_id)
        return self._user_message(user_id, chat_id, None, {"contact": contact})

    def edit_text(self, user_id: int, message_id: int, new_text: str, *, chat_id: int | None = None) -> dict[str, Any]:
        """The user edits one of their own text messages; returns the enqueued
        ``edited_message`` Update (the message with its new text and ``edit_date``).
        Raises KeyError for an unknown message, ValueError if it is not the user's."""
        cid = int(user_id) if chat_id is None else int(chat_id)
        msg = self._messages.get(cid, {}).get(int(message_id))
        if msg is None:
            raise KeyError(f"no message {message_id} in chat {cid}")
        if (msg.get("from") or {}).get("id") != int(user_id) or "text" not in msg:
            raise ValueError(f"message {message_id} is not a text message of user {user_id}")
        msg["text"] = new_text
        msg.pop("entities", None)
        if new_text.startswith("/"):
            command = new_text.split(maxsplit=1)[0] if new_text.strip() else new_text
            msg["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]
        msg["edit_date"] = int(time.time())
        return self._enqueue("edited_message", msg)

    def press_button(
        self,
        user_id: int,
        message_id: int,
        callback_data: str | None = None,
        *,
        chat_id: int | None = None,
        button_text: str | None = None,
    ) -> dict[str, Any]:
        """The user presses an inline button of a bot message; returns the enqueued
        ``callback_query`` Update: ``{"id": str, "from": User, "message": <current bot
        message incl. reply_markup>, "chat_instance": str (stable per chat), "data": str}``.

        Give ``callback_data`` (sent as is, even if no button carries it, so forged or
        stale data can be tested) or ``button_text`` (the first button of the message with
        exactly that text; it must be a callback button).
        Raises KeyError if the message is unknown, ValueError if it is not the bot's, or
        the button does not exist / has no callback_data."""
        cid = int(user_id) if chat_id is None else int(chat_id)
        msg = self._messages.get(cid, {}).get(int(message_id))
        if msg is None:
            raise KeyError(f"no message {message_id} in chat {cid}")
        if (msg.get("from") or {}).get("id") != self.bot_user["id"]:
            raise ValueError(f"message {message_id} in chat {cid} was not sent by the bot")
        if callback_data is None:
            if button_text is None:
                raise ValueError("give callback_data or button_text")
            buttons = [b for row in self.buttons(msg) for b in row]
            found = next((b for b in buttons if b.get("text") == button_text), None)
            if found is None:
                labels = ", ".join(repr(b.get("text")) for b in buttons) or "none"
                raise ValueError(f"message {message_id} has no button {button_text!r}; buttons: {labels}")
            if "callback_data" not in found:
                raise ValueError(f"button {button_text!r} is not a callback button: {found}")
            callback_data = found["callback_data"]
        user = self._ensure_user(user_id)
        self._check_not_blocked(int(user_id), cid)
        query_id = str(next(self._callback_ids))
        self._callback_queries[query_id] = {"answered": False, "chat_id": cid, "message_id": int(message_id)}
        query = {
            "id": query_id,
            "from": user,
            "message": msg,
            "chat_instance": self._chat_instance(cid),
            "data": callback_data,
        }
        return self._enqueue("callback_query", query)

    def block_bot(self, user_id: int) -> None:
        """The user blocks the bot: later sends to their private chat fail with ``403
        Forbidden: bot was blocked by the user``. Like Telegram, also enqueues a
        ``my_chat_member`` update (member -> kicked) if the chat exists."""
        uid = int(user_id)
        if uid in self._blocked:
            return
        self._blocked.add(uid)
        self._member_update(uid, "member", "kicked")

    def unblock_bot(self, user_id: int) -> None:
        """The user unblocks the bot (enqueues ``my_chat_member`` kicked -> member)."""
        uid = int(user_id)
        if uid not in self._blocked:
            return
        self._blocked.discard(uid)
        self._member_update(uid, "kicked", "member")

    def inject_error(
        self,
        method: str,
        error_code: int,
        description: str,
        *,
        retry_after: int | None = None,
        count: int = 1,
        chat_id: int | None = None,
    ) -> None:
        """Make the next ``count`` calls of ``method`` (case-insensitive, e.g.
        ``"sendMessage"``), optionally only those for ``chat_id``, fail with
        ``error_code``/``description``. ``retry_after`` (seconds) is sent as
        ``parameters.retry_after`` (for 429 it defaults to 1 and the description to
        Telegram's ``"Too Many Requests: retry after N"`` when empty). Injected errors are
        checked before anything else."""
        if error_code == 429 and retry_after is None:
            retry_after = 1
        if not description and error_code == 429:
            description = f"Too Many Requests: retry after {retry_after}"
        self._injected.append(
            _InjectedError(method.lower(), int(error_code), description, retry_after, int(count), chat_id)
        )

    # ------------------------------------------------------------------ reading

    def messages(self, chat_id: int) -> list[dict[str, Any]]:
        """All messages of the chat in order (the user's and the bot's), each a Message
        dict as Telegram returns it, in its current state (edits applied, deleted ones
        removed). Copies: mutating them does not affect the emulator."""
        return copy.deepcopy(list(self._messages.get(int(chat_id), {}).values()))

    def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """Like :meth:`messages`, only those sent by the bot."""
        return [m for m in self.messages(chat_id) if self._is_bot_message(m)]

    def last_bot_message(self, chat_id: int) -> dict[str, Any] | None:
        """The most recent (highest message_id) bot message of the chat, or None."""
        msgs = self.bot_messages(chat_id)
        return msgs[-1] if msgs else None

    def last_message_id(self, chat_id: int) -> int:
        """Highest message_id ever used in the chat (0 if none): a handy ``after`` for
        :meth:`wait_for_bot_message`."""
        return self._next_message_id[int(chat_id)] - 1 if int(chat_id) in self._next_message_id else 0

    def reply_keyboard(self, chat_id: int) -> dict[str, Any] | None:
        """The ReplyKeyboardMarkup currently shown in the chat (the last one the bot sent,
        until a ReplyKeyboardRemove), or None. Telegram does not put reply keyboards into
        Message objects, so they are tracked per chat here."""
        return copy.deepcopy(self._reply_keyboards.get(int(chat_id)))

    def buttons(self, message: dict[str, Any]) -> list[list[dict[str, Any]]]:
        """The inline keyboard rows (lists of InlineKeyboardButton dicts) of a message
        dict, ``[]`` if it has none."""
        markup = message.get("reply_markup") or {}
        return copy.deepcopy(markup.get("inline_keyboard") or [])

    def updates_pending(self) -> int:
        """Number of updates not yet confirmed by the bot (getUpdates ``offset``)."""
        return len(self._updates)

    async def wait_for_bot_message(
        self,
        chat_id: int,
        *,
        after: int = 0,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        timeout: float = 10.0,
    ) -> dict[str, Any]:
        """Wait for a bot message in the chat and return it (current state, a copy).

        Matches the first bot message with ``message_id > after`` (already present or
        new), or a bot message edited after this call started, for which
        ``predicate(message)`` is true (a predicate raising KeyError/TypeError/... counts
        as no match). ``timeout`` in seconds; on expiry raises TimeoutError listing the
        chat's last messages."""
        chat_id = int(chat_id)
        start = len(self._bot_events)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        last_error: Exception | None = None

        def matches(msg: dict[str, Any]) -> bool:
            nonlocal last_error
            if predicate is None:
                return True
            try:
                return bool(predicate(copy.deepcopy(msg)))
            except Exception as exc:  # noqa: BLE001 - a failing predicate is "no match"
                last_error = exc
                return False

        while True:
            chat_msgs = self._messages.get(chat_id, {})
            for msg in chat_msgs.values():
                if msg["message_id"] > after and self._is_bot_message(msg) and matches(msg):
                    return copy.deepcopy(msg)
            for kind, cid, mid in self._bot_events[start:]:
                if kind == "edit" and cid == chat_id and mid in chat_msgs and matches(chat_msgs[mid]):
                    return copy.deepcopy(chat_msgs[mid])
            remaining = deadline - loop.time()
            if remaining <= 0:
                dump = "\n".join(_describe_message(m, self.bot_user["id"]) for m in list(chat_msgs.values())[-10:])
                hint = f"\nlast predicate error: {last_error!r}" if last_error else ""
                raise TimeoutError(
                    f"no bot message in chat {chat_id} after #{after} matched within {timeout}s; "
                    f"pending updates: {self.updates_pending()}; last messages:\n{dump or '  (none)'}{hint}"
                )
            event = self._changed
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                pass

    def bot_events(self, since: int = 0) -> list[tuple[str, int, int]]:
        """Bot message events from index ``since`` on: ``("new" | "edit", chat_id, message_id)``,
        in order. ``len(bot_events())`` is the index to pass next time (the sandbox chat follows
        the bot's output this way)."""
        return list(self._bot_events[since:])

    async def wait_polling(self, timeout: float = 90.0, alive: Callable[[], bool] | None = None,
                           since: int = 0) -> None:
        """Wait until the bot has made its first ``getUpdates`` (it is started and polling).

        A bot process's start-up (imports, migrations, the municipality list) takes seconds, many on a
        loaded machine, and is no step of a person's flow: tests wait for it here with a generous
        ``timeout`` (seconds) so that each later step keeps its own tight bound. ``alive`` (e.g.
        ``lambda: process.poll() is None``) stops the wait early when the process has died; ``since``
        (an index into :attr:`requests`, e.g. ``len(emulator.requests)`` before a restart) ignores
        earlier polls. Raises TimeoutError, or RuntimeError when ``alive()`` turns false."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not any(method == "getUpdates" for method, _params in self.requests[since:]):
            if alive is not None and not alive():
                raise RuntimeError("the bot process exited before it polled")
            if loop.time() >= deadline:
                raise TimeoutError(f"the bot did not poll within {timeout}s")
            await asyncio.sleep(0.1)

    async def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait until every enqueued update has been fetched by getUpdates, no other API
        request is in flight, and the bot made no request (other than a waiting long
        poll) for :attr:`idle_quiet_period` (0.3 s). ``timeout`` in seconds; raises
        TimeoutError."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            undelivered = sum(1 for u in self._updates if u["update_id"] > self._delivered_max)
            quiet = time.monotonic() - self._last_activity
            if not undelivered and self._inflight == 0 and quiet >= self.idle_quiet_period:
                return
            if loop.time() >= deadline:
                raise TimeoutError(
                    f"bot not idle after {timeout}s: {undelivered} update(s) never fetched, "
                    f"{self._inflight} request(s) in flight, last activity {quiet:.2f}s ago"
                )
            await asyncio.sleep(0.02)

    # ------------------------------------------------------------------ the terminal sandbox (bot.sandbox.chat)

    def callback_answer_chat(self, query_id: str) -> int | None:
        """The chat whose button press ``query_id`` answered (an entry of :attr:`callback_answers`),
        or ``None`` for an unknown query: the sandbox shows a toast or alert only to its user."""
        query = self._callback_queries.get(str(query_id))
        return None if query is None else int(query["chat_id"])

    def open_chat(self, user_id: int) -> None:
        """Open the private chat with ``user_id`` as if the user had written to the bot before (no
        update is sent): the bot may then message them. For simulated voters who never type."""
        user = self._ensure_user(user_id)
        self._chats.setdefault(user["id"], self._private_chat(user))

    # ------------------------------------------------------------------ internals: users & chats

    def _ensure_user(self, user_id: int) -> dict[str, Any]:
        uid = int(user_id)
        if uid not in self._users:
            self.add_user(uid, f"User{uid}")
        return copy.deepcopy(self._users[uid])

    @staticmethod
    def _private_chat(user: dict[str, Any]) -> dict[str, Any]:
        chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        for key in ("last_name", "username"):
            if key in user:
                chat[key] = user[key]
        return chat

    def _user_chat(self, user: dict[str, Any], chat_id: int | None, chat_type: str | None) -> int:
        if chat_id is None or int(chat_id) == user["id"]:
            if chat_type not in (None, "private"):
                raise ValueError(f"chat_type {chat_type!r} needs an explicit (negative) chat_id")
            self._chats[user["id"]] = self._private_chat(user)
            return user["id"]
        cid = int(chat_id)
        if cid in self._chats:
            return cid
        if chat_type in (None, "private"):
            chat_type = "supergroup" if str(cid).startswith("-100") else "group"
        if chat_type not in ("group", "supergroup") or cid >= 0:
            raise ValueError(f"chat {cid} of type {chat_type!r}: group chats need a negative chat_id")
        self._chats[cid] = {"id": cid, "type": chat_type, "title": "Test group"}
        return cid

    def _check_not_blocked(self, user_id: int, chat_id: int) -> None:
        if chat_id == user_id and user_id in self._blocked:
            raise ValueError(f"user {user_id} has blocked the bot; call unblock_bot() first")

    def _user_message(
        self, user_id: int, chat_id: int | None, chat_type: str | None, content: dict[str, Any]
    ) -> dict[str, Any]:
        user = self._ensure_user(user_id)
        self._check_not_blocked(user["id"], user["id"] if chat_id is None else int(chat_id))
        cid = self._user_chat(user, chat_id, chat_type)
        msg = self._store_message(cid, user, content)
        return self._enqueue("message", msg)

    def _chat_instance(self, chat_id: int) -> str:
        digest = hashlib.sha256(f"{self.token}:{chat_id}".encode()).digest()
        return str(int.from_bytes(digest[:8], "big", signed=True))

    def _member_update(self, user_id: int, old: str, new: str) -> None:
        if user_id not in self._chats:
            return

        def member(status: str) -> dict[str, Any]:
            data: dict[str, Any] = {"status": status, "user": copy.deepcopy(self.bot_user)}
            if status == "kicked":
                data["until_date"] = 0
            return data

        self._enqueue(
            "my_chat_member",
            {
                "chat": self._chats[user_id],
                "from": self._users.get(user_id) or {"id": user_id, "is_bot": False, "first_name": "User"},
                "date": int(time.time()),
                "old_chat_member": member(old),
                "new_chat_member": member(new),
            },
        )

    # ------------------------------------------------------------------ internals: messages & updates

    def _is_bot_message(self, msg: dict[str, Any]) -> bool:
        return (msg.get("from") or {}).get("id") == self.bot_user["id"]

    def _store_message(self, chat_id: int, sender: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
        mid = self._next_message_id[chat_id]
        self._next_message_id[chat_id] = mid + 1
        msg: dict[str, Any] = {
            "message_id": mid,
            "from": copy.deepcopy(sender),
            "chat": copy.deepcopy(self._chats[chat_id]),
            "date": int(time.time()),
        }
        msg.update(copy.deepcopy(content))
        self._messages[chat_id][mid] = msg
        if sender.get("id") == self.bot_user["id"]:
            self._bot_events.append(("new", chat_id, mid))
            self._notify()
        return msg

    def _bot_edited(self, chat_id: int, msg: dict[str, Any]) -> dict[str, Any]:
        msg["edit_date"] = int(time.time())
        self._bot_events.append(("edit", chat_id, msg["message_id"]))
        self._notify()
        return copy.deepcopy(msg)

    def _enqueue(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update_id = next(self._update_ids)
        self._last_update_id = update_id
        update = {"update_id": update_id, kind: copy.deepcopy(payload)}
        self._updates.append(update)
        self._touch()
        self._notify()
        return copy.deepcopy(update)

    def _notify(self) -> None:
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    def _touch(self) -> None:
        self._last_activity = time.monotonic()

    # ------------------------------------------------------------------ internals: files

    def _store_file(
        self,
        data: bytes,
        kind: str,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        ext: str | None = None,
    ) -> _StoredFile:
        prefix, folder, default_ext = _FILE_KINDS[kind]
        number = next(self._file_counter)
        digest = hashlib.sha256(data).hexdigest()
        width = height = None
        if kind == "photo":
            width, height = _image_size(data) or (800, 600)
        elif kind == "sticker":
            width = height = 512
        ext = (ext or default_ext).lower()
        stored = _StoredFile(
            file_id=f"{prefix}{number:06d}{digest[:24]}",
            file_unique_id=f"AQAD{number:06d}{digest[:8]}",
            kind=kind,
            data=data,
            file_path=f"{folder}/file_{number}.{ext}",
            file_name=file_name,
            mime_type=mime_type,
            width=width,
            height=height,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    @staticmethod
    def _photo_size(stored: _StoredFile) -> dict[str, Any]:
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": stored.width,
            "height": stored.height,
            "file_size": stored.size,
        }

    @staticmethod
    def _file_object(stored: _StoredFile) -> dict[str, Any]:
        obj: dict[str, Any] = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
        if stored.kind == "sticker":
            obj.update(
                {"type": "regular", "width": 512, "height": 512, "is_animated": False, "is_video": False, "emoji": "🙂"}
            )
        if stored.file_name is not None:
            obj["file_name"] = stored.file_name
        if stored.mime_type is not None:
            obj["mime_type"] = stored.mime_type
        obj["file_size"] = stored.size
        return obj

    def _input_file(self, value: Any, uploads: dict[str, _Upload], field: str, kind: str) -> _StoredFile:
        """Resolve an InputFile parameter: an upload (the field itself or attach://name),
        a known file_id, or an HTTP URL (not fetched: stored as an empty placeholder)."""
        upload: _Upload | None = None
        if value is None and field in uploads:
            upload = uploads[field]
        elif isinstance(value, str) and value.startswith("attach://"):
            upload = uploads.get(value[len("attach://") :])
            if upload is None:
                raise _bad(f"there is no {field} in the request")
        if upload is not None:
            filename, data, content_type = upload
            if not data:
                raise _bad("file must be non-empty")
            if kind == "photo" and len(data) > PHOTO_SIZE_LIMIT:
                raise BotAPIError(413, "Request Entity Too Large")
            ext = filename.rsplit(".", 1)[-1] if "." in filename else None
            mime = None
            if kind == "document":
                guessed = mimetypes.guess_type(filename)[0]
                mime = guessed or (content_type if content_type not in (None, "application/octet-stream") else None)
                mime = mime or "application/octet-stream"
            elif kind == "voice":
                mime = "audio/ogg"
            file_name = filename if kind in ("document", "audio", "video", "animation") else None
            return self._store_file(data, kind, file_name=file_name, mime_type=mime, ext=ext)
        if value is None or value == "":
            raise _bad(f"there is no {field} in the request")
        if not isinstance(value, str):
            raise _bad(f"wrong type of the {field} parameter")
        if value.startswith(("http://", "https://")):
            name = value.rstrip("/").rsplit("/", 1)[-1] or field
            return self._store_file(b"", kind, file_name=name if kind == "document" else None, ext=None)
        stored = self._files.get(value)
        if stored is None:
            raise _bad("wrong file identifier/HTTP URL specified")
        return stored

    def _media_content(self, stored: _StoredFile, kind: str, params: dict[str, Any]) -> dict[str, Any]:
        if kind == "photo":
            return {"photo": [self._photo_size(stored)]}
        obj = self._file_object(stored)
        if kind in ("voice", "audio", "video", "animation"):
            obj["duration"] = int(params.get("duration") or 1)
        if kind in ("video", "animation"):
            obj["width"] = int(params.get("width") or 640)
            obj["height"] = int(params.get("height") or 480)
        return {kind: obj}

    # ------------------------------------------------------------------ internals: validation

    def _resolve_chat_id(self, value: Any, field: str = "chat_id") -> int:
        if value is None or value == "":
            raise _bad(f"{field} is empty")
        if isinstance(value, bool):
            raise _bad("chat not found")
        if isinstance(value, int):
            return value
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("@"):
                for cid, chat in self._chats.items():
                    if chat.get("username", "").lower() == text[1:].lower():
                        return cid
                raise _bad("chat not found")
            try:
                return int(text)
            except ValueError:
                raise _bad("chat not found") from None
        raise _bad("chat not found")

    def _known_chat(self, value: Any, field: str = "chat_id") -> int:
        cid = self._resolve_chat_id(value, field)
        if cid not in self._chats:
            raise _bad("chat not found")
        return cid

    def _target_chat(self, params: dict[str, Any], field: str = "chat_id") -> int:
        """The chat a message is sent to: must exist, and the user must not have blocked
        the bot (403s as documented for private chats)."""
        cid = self._resolve_chat_id(params.get(field), field)
        if cid not in self._chats:
            if cid in self._users:
                raise BotAPIError(403, "Forbidden: bot can't initiate conversation with a user")
            raise _bad("chat not found")
        if cid in self._blocked:
            raise BotAPIError(403, "Forbidden: bot was blocked by the user")
        self._check_linked_chat_send(cid)
        return cid

    def _formatted(
        self,
        params: dict[str, Any],
        field: str,
        entities_field: str,
        limit: int,
        *,
        required: bool,
    ) -> tuple[str, list[dict[str, Any]]]:
        """Apply parse_mode / explicit entities to a text or caption, then Telegram's
        trimming and length limit (counted in UTF-16 code units after parsing)."""
        raw = params.get(field)
        what = "text" if field == "text" else "caption"
        if raw is None or raw == "":
            if required:
                raise _bad("message text is empty")
            return "", []
        if not isinstance(raw, str):
            raw = json.dumps(raw) if not isinstance(raw, (int, float)) else str(raw)
        explicit = params.get(entities_field)
        parse_mode = params.get("parse_mode")
        if explicit not in (None, "", []):
            if not isinstance(explicit, list) or not all(
                isinstance(e, dict) and "type" in e and "offset" in e and "length" in e for e in explicit
            ):
                raise _bad(f"can't parse {entities_field} JSON object")
            text, entities = raw, [dict(e) for e in explicit]
            if not text.strip():
                text = ""
        elif isinstance(parse_mode, str) and parse_mode.lower() == "html":
            try:
                text, entities = parse_html(raw, strict_ampersand=self.strict_html_ampersand, users=self._users)
            except HTMLParseError as exc:
                raise _bad(f"can't parse entities: {exc}") from None
        elif parse_mode in (None, "") or (isinstance(parse_mode, str) and parse_mode.lower() in ("markdown", "markdownv2")):
            text, entities = raw.strip(), []
        else:
            raise _bad("unsupported parse_mode")
        if required and not text:
            raise _bad("message text is empty")
        if utf16_len(text) > limit:
            raise _bad("message is too long" if what == "text" else "message caption is too long")
        return text, entities

    def _markup(self, value: Any, *, inline_only: bool = False) -> tuple[dict[str, Any] | None, Any]:
        """Validate reply_markup. Returns ``(inline_markup_or_None, keyboard_change)``
        where keyboard_change is a ReplyKeyboardMarkup dict, ``False`` for
        ReplyKeyboardRemove, or ``None`` for no change."""
        if value in (None, "", {}):
            return None, None
        if not isinstance(value, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in value:
            rows = value["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise _bad("can't parse inline keyboard button: field \"inline_keyboard\" must be an Array of Arrays")
            clean_rows = []
            for row in rows:
                clean_row = []
                for button in row:
                    if not isinstance(button, dict):
                        raise _bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
                    button = {k: v for k, v in button.items() if v is not None}
                    if not button.get("text"):
                        raise _bad("can't parse inline keyboard button: Text must be non-empty")
                    if "callback_data" in button:
                        data = button["callback_data"]
                        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT:
                            raise _bad("BUTTON_DATA_INVALID")
                    if "url" in button and not button["url"]:
                        raise _bad("BUTTON_URL_INVALID")
                    if not any(k in button for k in _INLINE_BUTTON_ACTIONS):
                        raise _bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
                    clean_row.append(button)
                if clean_row:
                    clean_rows.append(clean_row)
            if not clean_rows:
                return None, None
            return {"inline_keyboard": clean_rows}, None
        if inline_only:
            raise _bad("inline keyboard expected")
        if "keyboard" in value:
            if not isinstance(value["keyboard"], list):
                raise _bad("can't parse reply keyboard markup JSON object")
            return None, copy.deepcopy(value)
        if value.get("remove_keyboard"):
            return None, False
        if "force_reply" in value:
            return None, None
        raise _bad("can't parse reply keyboard markup JSON object")

    def _reply_target(self, params: dict[str, Any], chat_id: int) -> dict[str, Any] | None:
        reply = params.get("reply_parameters")
        mid: Any = None
        allow_missing = bool(params.get("allow_sending_without_reply"))
        source_chat = chat_id
        if isinstance(reply, dict):
            mid = reply.get("message_id")
            allow_missing = bool(reply.get("allow_sending_without_reply", allow_missing))
            if reply.get("chat_id") not in (None, ""):
                source_chat = self._known_chat(reply["chat_id"])
        elif params.get("reply_to_message_id") not in (None, ""):
            mid = params["reply_to_message_id"]
        if mid is None:
            return None
        target = self._messages.get(source_chat, {}).get(int(mid))
        if target is None:
            if allow_missing:
                return None
            raise _bad("message to be replied not found")
        target = copy.deepcopy(target)
        target.pop("reply_to_message", None)
        return target

    def _send_bot_message(self, chat_id: int, params: dict[str, Any], content: dict[str, Any], *, markup: bool = True) -> dict[str, Any]:
        """Common tail of send* methods: reply_markup, reply, protect_content, store."""
        inline, keyboard_change = self._markup(params.get("reply_markup")) if markup else (None, None)
        reply_to = self._reply_target(params, chat_id)
        if reply_to is not None:
            content["reply_to_message"] = reply_to
        if inline is not None:
            content["reply_markup"] = inline
        if params.get("protect_content") is True:
            content["has_protected_content"] = True
        msg = self._store_message(chat_id, self.bot_user, content)
        if keyboard_change is False:
            self._reply_keyboards[chat_id] = None
        elif keyboard_change is not None:
            self._reply_keyboards[chat_id] = keyboard_change
        return copy.deepcopy(msg)

    def _caption_content(self, params: dict[str, Any]) -> dict[str, Any]:
        caption, entities = self._formatted(params, "caption", "caption_entities", CAPTION_LIMIT, required=False)
        content: dict[str, Any] = {}
        if caption:
            content["caption"] = caption
            if entities:
                content["caption_entities"] = entities
        if params.get("show_caption_above_media") is True:
            content["show_caption_above_media"] = True
        if params.get("has_spoiler") is True:
            content["has_media_spoiler"] = True
        return content

    def _message_for_edit(self, params: dict[str, Any], purpose: str) -> tuple[int, dict[str, Any]]:
        if params.get("inline_message_id") not in (None, ""):
            raise _bad("MESSAGE_ID_INVALID")
        cid = self._known_chat(params.get("chat_id"))
        mid = params.get("message_id")
        if mid in (None, ""):
            raise _bad("message identifier is not specified")
        try:
            mid = int(mid)
        except (TypeError, ValueError):
            raise _bad("message identifier is not specified") from None
        msg = self._messages.get(cid, {}).get(mid)
        if msg is None:
            raise _bad(f"message to {purpose} not found")
        if purpose == "edit" and not self._is_bot_message(msg):
            raise _bad("message can't be edited")
        return cid, msg

    # ------------------------------------------------------------------ HTTP: Bot API

    async def _read_params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, _Upload]]:
        params: dict[str, Any] = {k: _coerce_param(k, v) for k, v in request.query.items()}
        uploads: dict[str, _Upload] = {}
        if request.method == "POST" and request.can_read_body:
            ctype = request.content_type
            if ctype == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    raise _bad("can't parse JSON encoded request body") from None
                if isinstance(body, dict):
                    params.update(body)
            elif ctype in ("multipart/form-data", "application/x-www-form-urlencoded"):
                try:
                    form = await request.post()
                except web.HTTPRequestEntityTooLarge:
                    raise BotAPIError(413, "Request Entity Too Large") from None
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        uploads[key] = (value.filename or key, value.file.read(), value.content_type)
                    else:
                        params[key] = _coerce_param(key, value if isinstance(value, str) else value.decode())
        return params, uploads

    @staticmethod
    def _loggable(params: dict[str, Any], uploads: dict[str, _Upload]) -> dict[str, Any]:
        logged = copy.deepcopy(params)
        for key, (filename, data, content_type) in uploads.items():
            logged[key] = {"filename": filename, "size": len(data), "content_type": content_type}
        return logged

    def _take_injected(self, method: str, params: dict[str, Any]) -> None:
        for entry in self._injected:
            if entry.method != method:
                continue
            if entry.chat_id is not None:
                try:
                    target = self._resolve_chat_id(params.get("chat_id"))
                except BotAPIError:
                    continue
                if str(target) != str(entry.chat_id):
                    continue
            entry.remaining -= 1
            if entry.remaining <= 0:
                self._injected.remove(entry)
            raise BotAPIError(entry.error_code, entry.description, retry_after=entry.retry_after)

    def _rate_keys(self, params: dict[str, Any]) -> list[tuple[Any, float]]:
        keys: list[tuple[Any, float]] = []
        if self.global_rate:
            # "allow_paid_broadcast: Pass True to allow up to 1000 messages per second,
            # ignoring broadcasting limits for a fee" (Bot API, sendMessage). The per-chat
            # limit still applies.
            paid = params.get("allow_paid_broadcast") is True and self.paid_broadcast_rate
            keys.append(("*", self.paid_broadcast_rate if paid else self.global_rate))
        if self.per_chat_rate:
            try:
                keys.append((self._resolve_chat_id(params.get("chat_id")), self.per_chat_rate))
            except BotAPIError:
                pass
        return keys

    def _check_rate(self, params: dict[str, Any]) -> None:
        """Sliding-window flood control: at most ``rate`` messages in any 1 s window
        (for rates below 1/s: one message per ``1/rate`` seconds)."""
        now = time.monotonic()
        for key, rate in self._rate_keys(params):
            window = max(1.0, 1.0 / rate)
            capacity = max(1, int(rate * window + 1e-9))
            times = self._send_times[key]
            while times and times[0] <= now - window:
                times.popleft()
            if len(times) >= capacity:
                retry_after = max(1, math.ceil(times[0] + window - now))
                raise BotAPIError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)
        self._check_group_rate(params, now)

    def _record_send(self, params: dict[str, Any]) -> None:
        now = time.monotonic()
        for key, _rate in self._rate_keys(params):
            self._send_times[key].append(now)
        self._record_group_send(params, now)

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return BotAPIError(401, "Unauthorized").response()
        method_name = request.match_info["method"]
        key = method_name.lower()
        entry = self._methods.get(key)
        is_poll = key == "getupdates"
        if not is_poll:
            self._inflight += 1
            self._touch()
        try:
            try:
                params, uploads = await self._read_params(request)
            except BotAPIError as exc:
                self.requests.append((entry.name if entry else method_name, {}))
                return exc.response()
            self.requests.append((entry.name if entry else method_name, self._loggable(params, uploads)))
            if entry is None:
                return BotAPIError(404, "Not Found").response()
            try:
                self._take_injected(key, params)
                limited = self.rate_limits_enabled and key in _SENDING_METHODS
                if limited:
                    self._check_rate(params)
                if is_poll:
                    result = await self._api_get_updates(params, uploads, request)
                else:
                    result = entry.handler(params, uploads)
                if limited:
                    self._record_send(params)
            except BotAPIError as exc:
                return exc.response()
            except Exception as exc:  # noqa: BLE001 - report emulator bugs to the client
                log.exception("emulator failure in %s", method_name)
                return BotAPIError(500, f"Internal Server Error: emulator failure: {exc!r}").response()
            return web.json_response({"ok": True, "result": result})
        finally:
            if not is_poll:
                self._inflight -= 1
                self._touch()
                self._notify()

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return BotAPIError(401, "Unauthorized").response()
        stored = self._files_by_path.get(request.match_info["file_path"])
        if stored is None:
            return BotAPIError(404, "Not Found").response()
        content_type = stored.mime_type or mimetypes.guess_type(stored.file_path)[0] or "application/octet-stream"
        return web.Response(body=stored.data, content_type=content_type)

    # ------------------------------------------------------------------ Bot API methods

    def _api_get_me(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _api_get_updates(
        self, params: dict[str, Any], uploads: dict[str, _Upload], request: web.Request | None = None
    ) -> list[dict[str, Any]]:
        """Long polling (https://core.telegram.org/bots/api#getupdates): ``offset``
        confirms updates with smaller ids (negative: keep only the last -offset), ``limit``
        1-100, ``timeout`` seconds to wait for an update, ``allowed_updates`` persists
        between calls. A newer getUpdates makes a pending one fail with 409."""
        if self._webhook.get("url"):
            raise BotAPIError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
            )
        self._poll_seq += 1
        my_seq = self._poll_seq
        if self._active_poll is not None:
            self._notify()  # the earlier poll wakes up, sees a newer one and answers 409
        self._active_poll = my_seq

        offset = params.get("offset")
        if isinstance(offset, int) and not isinstance(offset, bool) and offset != 0:
            if offset > 0:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            else:
                self._updates = self._updates[offset:]
        limit = params.get("limit")
        limit = GET_UPDATES_LIMIT if not isinstance(limit, int) or limit <= 0 else min(limit, GET_UPDATES_LIMIT)
        timeout = params.get("timeout")
        timeout = float(timeout) if isinstance(timeout, (int, float)) and timeout > 0 else 0.0
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(a) for a in allowed]

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            while True:
                if self._poll_seq != my_seq:
                    raise BotAPIError(
                        409,
                        "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                    )
                if self._closing:
                    return []
                self._drop_disallowed()
                transport = request.transport if request is not None else None
                if request is not None and (transport is None or transport.is_closing()):
                    return []  # the client went away: do not hand updates to nobody
                if self._updates:
                    batch = self._updates[:limit]
                    self._delivered_max = max(self._delivered_max, batch[-1]["update_id"])
                    self._touch()
                    return copy.deepcopy(batch)
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return []
                event = self._changed
                try:
                    await asyncio.wait_for(event.wait(), remaining)
                except TimeoutError:
                    pass
        finally:
            if self._active_poll == my_seq:
                self._active_poll = None

    def _drop_disallowed(self) -> None:
        allowed = set(self._allowed_updates)

        def wanted(update: dict[str, Any]) -> bool:
            kind = next(k for k in update if k != "update_id")
            return kind in allowed if allowed else kind not in _NOT_DEFAULT_UPDATES

        self._updates = [u for u in self._updates if wanted(u)]

    def _api_set_webhook(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> bool:
        url = str(params.get("url") or "")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise _bad("Bad Request: secret token contains unallowed characters")
        if url and not re.match(r"https?://", url):
            raise _bad("Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        self._webhook = {k: v for k, v in params.items() if k != "certificate"}
        self._webhook["url"] = url
        if isinstance(params.get("allowed_updates"), list):
            self._allowed_updates = [str(a) for a in params["allowed_updates"]]
        if params.get("drop_pending_updates") is True:
            self._updates.clear()
        self._notify()  # the delivery loop starts (or stops) at once
        return True

    def _api_delete_webhook(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> bool:
        self._webhook = {"url": ""}
        if params.get("drop_pending_updates") is True:
            self._updates.clear()
        self._notify()
        return True

    def _api_get_webhook_info(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self._webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if info["url"]:
            info["max_connections"] = int(self._webhook.get("max_connections") or 40)
            if self._webhook.get("last_error_date"):
                info["last_error_date"] = self._webhook["last_error_date"]
                info["last_error_message"] = self._webhook["last_error_message"]
            if isinstance(self._webhook.get("allowed_updates"), list):
                info["allowed_updates"] = self._webhook["allowed_updates"]
        return info

    @staticmethod
    def _scope_key(params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope")
        if not isinstance(scope, dict):
            scope = {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def _api_set_my_commands(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > BOT_COMMANDS_MAX:
            raise _bad("too many commands specified")
        clean = []
        for command in commands:
            if not isinstance(command, dict) or "command" not in command:
                raise _bad("can't parse BotCommand: Can't find field \"command\"")
            if "description" not in command:
                raise _bad("can't parse BotCommand: Can't find field \"description\"")
            if not BOT_COMMAND_RE.match(str(command["command"])):
                raise _bad("BOT_COMMAND_INVALID")
            description = str(command["description"])
            if not description.strip():
                raise _bad("command description must be non-empty")
            if len(description) > BOT_COMMAND_DESCRIPTION_LIMIT:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
            clean.append({"command": command["command"], "description": description})
        self._commands[self._scope_key(params)] = clean
        return True

    def _api_get_my_commands(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> list[dict[str, Any]]:
        return copy.deepcopy(self._commands.get(self._scope_key(params), []))

    def _api_delete_my_commands(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> bool:
        self._commands.pop(self._scope_key(params), None)
        return True

    def _api_set_chat_menu_button(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> bool:
        chat = params.get("chat_id")
        key = None if chat in (None, "") else self._known_chat(chat)
        button = params.get("menu_button")
        if button in (None, ""):
            button = {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in ("commands", "web_app", "default"):
            raise _bad("can't parse menu button JSON object")
        self._menu_buttons[key] = button
        return True

    def _api_get_chat_menu_button(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> dict[str, Any]:
        chat = params.get("chat_id")
        key = None if chat in (None, "") else self._known_chat(chat)
        return copy.deepcopy(self._menu_buttons.get(key) or self._menu_buttons.get(None) or {"type": "commands"})

    def _api_set_my_description(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> bool:
        self._descriptions[("description", str(params.get("language_code") or ""))] = str(params.get("description") or "")
        return True

    def _api_get_my_description(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> dict[str, Any]:
        return {"description": self._descriptions.get(("description", str(params.get("language_code") or "")), "")}

    def _api_set_my_short_description(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> bool:
        key = ("short_description", str(params.get("language_code") or ""))
        self._descriptions[key] = str(params.get("short_description") or "")
        return True

    def _api_get_my_short_description(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> dict[str, Any]:
        key = ("short_description", str(params.get("language_code") or ""))
        return {"short_description": self._descriptions.get(key, "")}

    def _api_send_message(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> dict[str, Any]:
        cid = self._target_chat(params)
        text, entities = self._formatted(params, "text", "entities", MESSAGE_TEXT_LIMIT, required=True)
        content: dict[str, Any] = {"text": text}
        if entities:
            content["entities"] = entities
        link_preview = params.get("link_preview_options")
        if isinstance(link_preview, dict) and link_preview:
            content["link_preview_options"] = link_preview
        return self._send_bot_message(cid, params, content)

    def _api_edit_message_text(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> dict[str, Any]:
        cid, msg = self._message_for_edit(params, "edit")
        text, entities = self._formatted(params, "text", "entities", MESSAGE_TEXT_LIMIT, required=True)
        inline, _ = self._markup(params.get("reply_markup"), inline_only=True)
        if "text" not in msg:
            raise _bad("there is no text in the message to edit")
        if text == msg["text"] and entities == msg.get("entities", []) and inline == msg.get("reply_markup"):
            raise _bad(_NOT_MODIFIED)
        msg["text"] = text
        self._set_or_drop(msg, "entities", entities)
        self._set_or_drop(msg, "reply_markup", inline)
        return self._bot_edited(cid, msg)

    def _api_edit_message_caption(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> dict[str, Any]:
        cid, msg = self._message_for_edit(params, "edit")
        caption, entities = self._formatted(params, "caption", "caption_entities", CAPTION_LIMIT, required=False)
        inline, _ = self._markup(params.get("reply_markup"), inline_only=True)
        if not any(k in msg for k in _MEDIA_FIELDS):
            raise _bad("there is no caption in the message to edit")
        if (
            caption == msg.get("caption", "")
            and entities == msg.get("caption_entities", [])
            and inline == msg.get("reply_markup")
        ):
            raise _bad(_NOT_MODIFIED)
        self._set_or_drop(msg, "caption", caption)
        self._set_or_drop(msg, "caption_entities", entities)
        self._set_or_drop(msg, "reply_markup", inline)
        return self._bot_edited(cid, msg)

    def _api_edit_message_reply_markup(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> dict[str, Any]:
        cid, msg = self._message_for_edit(params, "edit")
        inline, _ = self._markup(params.get("reply_markup"), inline_only=True)
        if inline == msg.get("reply_markup"):
            raise _bad(_NOT_MODIFIED)
        self._set_or_drop(msg, "reply_markup", inline)
        return self._bot_edited(cid, msg)

    @staticmethod
    def _set_or_drop(msg: dict[str, Any], key: str, value: Any) -> None:
        if value:
            msg[key] = value
        else:
            msg.pop(key, None)

    def _api_delete_message(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> bool:
        cid, msg = self._message_for_edit(params, "delete")
        del self._messages[cid][msg["message_id"]]
        self.deleted_messages.append(copy.deepcopy(msg))
        self._notify()
        return True

    def _api_answer_callback_query(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        query = self._callback_queries.get(query_id)
        if query is None or query["answered"]:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        text = params.get("text")
        if text is not None and len(str(text)) > CALLBACK_ANSWER_TEXT_LIMIT:
            raise _bad("MESSAGE_TOO_LONG")
        query["answered"] = True
        answer: dict[str, Any] = {
            "callback_query_id": query_id,
            "text": None if text is None else str(text),
            "show_alert": params.get("show_alert") is True,
        }
        for key in ("url", "cache_time"):
            if key in params:
                answer[key] = params[key]
        self.callback_answers.append(answer)
        return True

    def _send_file_method(self, params: dict[str, Any], uploads: dict[str, _Upload], kind: str) -> dict[str, Any]:
        cid = self._target_chat(params)
        caption = self._caption_content(params) if kind != "sticker" else {}
        stored = self._input_file(params.get(kind), uploads, kind, kind)
        content = self._media_content(stored, kind, params)
        content.update(caption)
        return self._send_bot_message(cid, params, content)

    def _api_send_photo(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> dict[str, Any]:
        return self._send_file_method(params, uploads, "photo")

    def _api_send_document(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> dict[str, Any]:
        return self._send_file_method(params, uploads, "document")

    def _api_send_voice(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> dict[str, Any]:
        return self._send_file_method(params, uploads, "voice")

    def _api_send_sticker(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> dict[str, Any]:
        return self._send_file_method(params, uploads, "sticker")

    def _api_send_location(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> dict[str, Any]:
        cid = self._target_chat(params)
        lat, lon = params.get("latitude"), params.get("longitude")
        if not isinstance(lat, (int, float)) or isinstance(lat, bool) or not -90 <= lat <= 90:
            raise _bad("wrong latitude specified")
        if not isinstance(lon, (int, float)) or isinstance(lon, bool) or not -180 <= lon <= 180:
            raise _bad("wrong longitude specified")
        location: dict[str, Any] = {"latitude": float(lat), "longitude": float(lon)}
        for key in ("horizontal_accuracy", "live_period", "heading", "proximity_alert_radius"):
            if params.get(key) is not None:
                location[key] = params[key]
        return self._send_bot_message(cid, params, {"location": location})

    def _api_send_media_group(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> list[dict[str, Any]]:
        cid = self._target_chat(params)
        media = params.get("media")
        if media in (None, "", []):
            raise _bad("media to send are not specified")
        if not isinstance(media, list) or not all(isinstance(m, dict) for m in media):
            raise _bad("can't parse media JSON object")
        if len(media) > MEDIA_GROUP_MAX:
            raise _bad("too many media in the group")
        prepared = []
        for item in media:
            kind = item.get("type")
            if kind not in ("photo", "document", "audio", "video"):
                raise _bad(f"unsupported media type \"{kind}\" in the media group")
            item_params = {**item, "parse_mode": item.get("parse_mode", params.get("parse_mode"))}
            caption = self._caption_content(item_params)
            stored = self._input_file(item.get("media"), uploads, "media", kind)
            prepared.append((kind, stored, caption, item))
        kinds = {k for k, *_ in prepared}
        if "document" in kinds and kinds != {"document"}:
            raise _bad("document can't be mixed with other media types")
        group_id = str(next(self._media_group_ids))
        result = []
        for kind, stored, caption, item in prepared:
            content = self._media_content(stored, kind, item)
            content.update(caption)
            content["media_group_id"] = group_id
            result.append(self._send_bot_message(cid, params, content, markup=False))
        return result

    def _api_send_chat_action(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> bool:
        self._target_chat(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        return True

    def _api_get_file(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> dict[str, Any]:
        stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise _bad("invalid file_id")
        if stored.size > GETFILE_SIZE_LIMIT:
            raise _bad("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": stored.file_path,
        }

    def _api_get_chat(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> dict[str, Any]:
        cid = self._resolve_chat_id(params.get("chat_id"))
        chat = self._chats.get(cid)
        if chat is None and cid in self._users:
            chat = self._private_chat(self._users[cid])
        if chat is None:
            raise _bad("chat not found")
        info = copy.deepcopy(chat)
        info.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": True,
                    "limited_gifts": True,
                    "unique_gifts": True,
                    "premium_subscription": True,
                    "gifts_from_channels": True,
                },
            }
        )
        return info

    def _source_message(self, params: dict[str, Any], purpose: str) -> dict[str, Any]:
        source_chat = self._known_chat(params.get("from_chat_id"), "from_chat_id")
        mid = params.get("message_id")
        if mid in (None, ""):
            raise _bad("message identifier is not specified")
        msg = self._messages.get(source_chat, {}).get(int(mid))
        if msg is None:
            raise _bad(f"message to {purpose} not found")
        return msg

    def _api_copy_message(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> dict[str, Any]:
        cid = self._target_chat(params)
        source = self._source_message(params, "copy")
        content = {k: copy.deepcopy(source[k]) for k in _CONTENT_FIELDS if k in source}
        if "caption" in params:
            content.pop("caption", None)
            content.pop("caption_entities", None)
            if any(k in content for k in _MEDIA_FIELDS):
                content.update(self._caption_content(params))
        msg = self._send_bot_message(cid, params, content)
        return {"message_id": msg["message_id"]}

    def _api_forward_message(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> dict[str, Any]:
        cid = self._target_chat(params)
        source = self._source_message(params, "forward")
        content = {k: copy.deepcopy(source[k]) for k in _CONTENT_FIELDS if k in source}
        sender = source.get("forward_origin") or {
            "type": "user",
            "sender_user": copy.deepcopy(source.get("from")),
            "date": source.get("date"),
        }
        content["forward_origin"] = sender
        return self._send_bot_message(cid, {"protect_content": params.get("protect_content")}, content, markup=False)

    # ------------------------------------------------------------------ HTTP: control API

    _CONTROL_ACTIONS = frozenset(
        {
            "add_user",
            "send_text",
            "press_button",
            "send_photo",
            "send_document",
            "send_sticker",
            "send_voice",
            "send_location",
            "send_contact",
            "edit_text",
            "block_bot",
            "unblock_bot",
            "inject_error",
            "messages",
            "bot_messages",
            "last_bot_message",
            "last_message_id",
            "reply_keyboard",
            "updates_pending",
            "requests",
            "callback_answers",
            "wait_for_bot_message",
            "wait_idle",
        }
    ) | _LINKED_CHAT_ACTIONS

    # ------------------------------------------------------------------ webhook delivery

    #: Seconds between retries of an update the webhook did not take (Telegram also waits longer
    #: after each failure); the last value repeats.
    webhook_retry_delays: tuple[float, ...] = (0.2, 0.5, 1.0, 2.0)
    #: Seconds the webhook may take to answer before the attempt counts as failed (Telegram: about 60).
    webhook_timeout: float = 60.0

    async def _webhook_loop(self) -> None:
        """While a webhook is set: POST the oldest queued update, drop it after a 2xx, else retry it."""
        import aiohttp

        failures = 0
        async with aiohttp.ClientSession() as session:
            while not self._closing:
                self._drop_disallowed()
                url = str(self._webhook.get("url") or "")
                if not url or not self._updates:
                    event = self._changed
                    try:
                        await asyncio.wait_for(event.wait(), 1.0)
                    except TimeoutError:
                        pass
                    continue
                update = copy.deepcopy(self._updates[0])
                status = await self._post_update(session, url, update)
                if status is not None and 200 <= status < 300:
                    self._updates = [u for u in self._updates if u["update_id"] != update["update_id"]]
                    failures = 0
                    continue
                delay = self.webhook_retry_delays[min(failures, len(self.webhook_retry_delays) - 1)]
                failures += 1
                await asyncio.sleep(delay)

    async def _post_update(self, session: Any, url: str, update: dict[str, Any]) -> int | None:
        """One webhook attempt; returns the HTTP status, ``None`` on a connection error or timeout."""
        import aiohttp

        headers = {"Content-Type": "application/json"}
        secret = self._webhook.get("secret_token")
        if secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = str(secret)
        self._delivered_max = max(self._delivered_max, update["update_id"])
        self._inflight += 1
        self._touch()
        status: int | None = None
        error = ""
        try:
            async with session.post(url, data=json.dumps(update), headers=headers,
                                    timeout=aiohttp.ClientTimeout(total=self.webhook_timeout)) as response:
                await response.read()
                status = response.status
                error = f"Wrong response from the webhook: {status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            error = "Connection refused" if isinstance(exc, aiohttp.ClientConnectorError) else f"{type(exc).__name__}"
        finally:
            self._inflight -= 1
            self._touch()
            self._notify()
        self.webhook_attempts.append((update["update_id"], status))
        if status is None or not 200 <= status < 300:
            self._webhook["last_error_date"] = int(time.time())
            self._webhook["last_error_message"] = error
        return status

    async def _handle_control(self, request: web.Request) -> web.StreamResponse:
        """``/_emulator/<action>``: arguments from the query string and/or a JSON object
        body, named like the Python method's parameters (bytes as ``<name>_base64``);
        ``wait_for_bot_message`` takes ``contains`` (substring of text/caption) instead
        of a predicate. Answers ``{"ok": true, "result": ...}``, or
        ``{"ok": false, "error": "..."}`` with status 400 (bad call), 404 (unknown
        action/message) or 408 (wait timed out)."""
        action = request.match_info["action"]
        if action not in self._CONTROL_ACTIONS:
            return web.json_response({"ok": False, "error": f"unknown action {action!r}"}, status=404)
        args: dict[str, Any] = {k: _coerce_param(k, v) for k, v in request.query.items()}
        if request.can_read_body:
            try:
                body = await request.json()
            except ValueError:
                return web.json_response({"ok": False, "error": "body must be a JSON object"}, status=400)
            if not isinstance(body, dict):
                return web.json_response({"ok": False, "error": "body must be a JSON object"}, status=400)
            args.update(body)
        for key in [k for k in args if k.endswith("_base64")]:
            args[key[: -len("_base64")]] = base64.b64decode(args.pop(key))
        try:
            if action == "requests":
                result: Any = [[method, params] for method, params in self.requests]
            elif action == "callback_answers":
                result = self.callback_answers
            else:
                if action == "wait_for_bot_message" and "contains" in args:
                    needle = str(args.pop("contains"))
                    args["predicate"] = lambda m: needle in (m.get("text") or m.get("caption") or "")
                result = getattr(self, action)(**args)
                if asyncio.iscoroutine(result):
                    result = await result
        except TimeoutError as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=408)
        except KeyError as exc:
            return web.json_response({"ok": False, "error": f"not found: {exc}"}, status=404)
        except (TypeError, ValueError) as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=400)
        return web.json_response({"ok": True, "result": result})
