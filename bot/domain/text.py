"""Text rules shared by every feature: search folding and cleaning what people type.

Folding comes from how Kyrgyz is typed in practice: many people write Kyrgyz on a Russian
keyboard, using о for ө, у for ү and н for ң (../shared/domain.md, "Language").
"""

from __future__ import annotations

import re
import unicodedata

_FOLD = str.maketrans({"ө": "о", "ү": "у", "ң": "н", "ё": "е", "-": " ", "‐": " ", "–": " ", "—": " ", ".": " ", ",": " ", "'": "", "ʼ": "", "`": ""})
_SPACES = re.compile(r"\s+")

# Bidi controls and zero-width characters that can reorder or hide text in a chat
# (Unicode TR9 explicit formatting characters, U+200B..U+200F, U+2060..U+2064, U+FEFF), plus
# the Arabic letter mark U+061C, Mongolian vowel separator U+180E, combining grapheme joiner U+034F,
# line/paragraph separators U+2028/U+2029 (features that keep line breaks turn them into "\n"
# before cleaning), Hangul fillers U+115F, U+1160, U+3164, U+FFA0 (render blank) and the tag
# characters U+E0000..U+E007F.
# The zero-width joiner U+200D is kept: emoji sequences need it (👨‍👩‍👧 is three emoji joined by
# U+200D). Tag characters U+E0020..U+E007F are kept only right after 🏴 (subdivision flags such as
# Scotland's), see _TAGS.
_INVISIBLE = re.compile(
    "[\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad"
    "\u061c\u180e\u034f\u2028\u2029\u115f\u1160\u3164\uffa0\U000e0000-\U000e001f]")
_TAGS = re.compile("(\U0001F3F4?)([\U000e0020-\U000e007f]+)")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _drop_invisible(text: str) -> str:
    """Remove the characters of :data:`_INVISIBLE`, and tag characters outside a 🏴 flag sequence."""
    text = _TAGS.sub(lambda m: m.group(0) if m.group(1) else "", text)
    return _INVISIBLE.sub("", text)


def fold(text: str) -> str:
    """Normalize for search: NFC, lower case, Kyrgyz letters to their Russian-keyboard twins.

    ``fold("Көк-Жаңгак") == fold("кок жангак") == "кок жангак"``. Hyphens and dots become spaces,
    runs of spaces collapse, so "Кара-Суу" matches "кара суу"; invisible characters (zero-width,
    soft hyphen, bidi controls — common in text copied from the web) are dropped.
    """
    text = _drop_invisible(unicodedata.normalize("NFC", text)).lower().translate(_FOLD)
    return _SPACES.sub(" ", text).strip()


def clean_user_text(text: str) -> str:
    """What we store of a person's text: NFC, no bidi/zero-width/control characters, trimmed.

    Line breaks and tabs are kept; nothing else is changed, so text is shown as typed.
    Escape the result with :func:`html.escape` before putting it into an HTML message.
    """
    text = unicodedata.normalize("NFC", text)
    text = _drop_invisible(text)
    text = _CONTROL.sub("", text)
    return text.strip()


def utf16_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2
