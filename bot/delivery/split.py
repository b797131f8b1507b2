"""Split Telegram HTML into messages that fit, without cutting a word or a tag.

Telegram limits a message text to 4,096 and a caption to 1,024 characters "after entities
parsing" (Bot API, sendMessage / sendPhoto), counted in UTF-16 code units. A longer announcement
is sent as several messages: :func:`split_html` cuts at the last paragraph break that fits, else
the last line break, else the last space; only a single word longer than the limit is cut inside
(between characters, never inside an ``&entity;`` or a tag). Tags open at a cut are closed at the
end of the part and reopened, with their attributes, at the start of the next, so every part is
valid HTML on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TEXT_LIMIT = 4096
"""sendMessage.text: 1-4096 characters after entities parsing (UTF-16 code units)."""
CAPTION_LIMIT = 1024
"""Caption of a photo: 0-1024 characters after entities parsing."""

_TOKEN = re.compile(r"<[^>]*>|&(?:#\d+|#[xX][0-9a-fA-F]+|[a-zA-Z]+);|.", re.DOTALL)
_ENTITIES = {"&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"'}


@dataclass(frozen=True)
class _Atom:
    raw: str          # as in the source
    width: int        # UTF-16 units it shows (0 for a tag)
    char: str = ""    # the visible character ("" for a tag)
    tag: str = ""     # tag name for a tag ("" otherwise)
    closing: bool = False


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _atoms(html_text: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    for match in _TOKEN.finditer(html_text):
        raw = match.group(0)
        if raw.startswith("<") and len(raw) > 1 and raw.endswith(">"):
            body = raw[1:-1].strip()
            closing = body.startswith("/")
            name = body.lstrip("/").split(None, 1)[0].lower() if body.lstrip("/") else ""
            atoms.append(_Atom(raw, 0, tag=name, closing=closing))
        elif raw.startswith("&") and len(raw) > 1:
            if raw in _ENTITIES:
                char = _ENTITIES[raw]
            else:
                try:
                    char = chr(int(raw[3:-1], 16) if raw[2] in "xX" else int(raw[2:-1]))
                except ValueError:
                    char = "?"
            atoms.append(_Atom(raw, _utf16(char), char=char))
        else:
            atoms.append(_Atom(raw, _utf16(raw), char=raw))
    return atoms


def visible_length(html_text: str) -> int:
    """Length of the text Telegram shows for ``html_text`` (tags removed, entities decoded), in UTF-16
    units, trimmed as Telegram trims it."""
    text = "".join(a.char for a in _atoms(html_text))
    return _utf16(text.strip())


def split_html(html_text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Cut ``html_text`` into parts of at most ``limit`` visible UTF-16 units each.

    Returns ``[html_text]`` when it fits. Each part is balanced HTML (tags closed and reopened
    across the cut), trimmed of the whitespace at the cut, and never empty. Expects valid Telegram
    HTML (as produced with ``html.escape`` for every user text).

    Raises:
        ValueError: ``limit`` is below 1.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    if visible_length(html_text) <= limit:
        return [html_text]
    atoms = _atoms(html_text)
    parts: list[str] = []
    stack: list[_Atom] = []  # open tags at the start of the current part
    start = 0
    n = len(atoms)
    while start < n:
        # skip whitespace at the start of a part (tags are kept)
        while start < n and atoms[start].char.isspace():
            start += 1
        if start >= n:
            break
        width = 0
        end = start  # exclusive end of the longest prefix that fits
        while end < n and width + atoms[end].width <= limit:
            width += atoms[end].width
            end += 1
        if end >= n:
            cut = n
        else:
            cut = _best_cut(atoms, start, end)
        # do not leave freshly opened tags at the end of a part: move them to the next
        while cut > start and atoms[cut - 1].tag and not atoms[cut - 1].closing:
            cut -= 1
        if cut <= start:  # nothing but opening tags fit?! take what fits, at least one atom
            cut = max(end, start + 1)
        # the stack at the cut
        opened = list(stack)
        for atom in atoms[start:cut]:
            if atom.tag:
                if atom.closing:
                    for i in range(len(opened) - 1, -1, -1):
                        if opened[i].tag == atom.tag:
                            del opened[i]
                            break
                else:
                    opened.append(atom)
        body = "".join(a.raw for a in atoms[start:cut])
        prefix = "".join(a.raw for a in stack)
        suffix = "".join(f"</{a.tag}>" for a in reversed(opened))
        text = _trim(prefix + body + suffix)
        if _has_visible(atoms[start:cut]):
            parts.append(text)
        stack = opened
        start = cut
    return parts or [html_text]


def _has_visible(atoms: list[_Atom]) -> bool:
    return any(a.char and not a.char.isspace() for a in atoms)


def _trim(text: str) -> str:
    """Drop trailing whitespace just before the closing tags at the end of a part."""
    match = re.search(r"(\s+)((?:</[^>]+>)*)$", text)
    if match:
        text = text[: match.start()] + match.group(2)
    return text


def _best_cut(atoms: list[_Atom], start: int, end: int) -> int:
    """Index where the part ``atoms[start:end]`` should end: at a paragraph break, else a line break,
    else a space (the whitespace goes to the next part, which skips it); else ``end``
    (a word longer than the limit)."""
    floor = start + 1
    line = space = -1
    for i in range(end, floor - 1, -1):
        if i >= len(atoms):
            continue
        ch = atoms[i].char
        if ch == "\n":
            if i > start and _prev_char(atoms, i, start) == "\n":
                return _back_over_space(atoms, i, start)
            if line < 0:
                line = i
        elif ch.isspace() and space < 0:
            space = i
    if line > start:
        return _back_over_space(atoms, line, start)
    if space > start:
        return space
    return end


def _prev_char(atoms: list[_Atom], i: int, start: int) -> str:
    j = i - 1
    while j >= start:
        if atoms[j].char:
            return atoms[j].char
        j -= 1
    return ""


def _back_over_space(atoms: list[_Atom], i: int, start: int) -> int:
    """Move a cut at ``i`` back over whitespace (keeps the break in the next part's skipped lead)."""
    while i > start + 1 and atoms[i - 1].char.isspace():
        i -= 1
    return i
