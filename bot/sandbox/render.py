"""How the terminal sandbox draws what Telegram would show: text with bold, media, locations,
contacts, documents, inline buttons, reply keyboards, and the answers to button presses (a toast
under the chat, or an alert with OK)."""

from __future__ import annotations

from typing import Any


def bold_entities(message: dict[str, Any], *, color: bool) -> str:
    """The text exactly as Telegram shows it (the emulator has already parsed the HTML into plain text
    plus entities); with ``color``, bold entities are shown bold in the terminal."""
    text = message.get("text") or message.get("caption") or ""
    entities = message.get("entities") or message.get("caption_entities") or []
    if not color or not entities:
        return text
    units = text.encode("utf-16-le")
    marks: dict[int, list[str]] = {}
    for entity in entities:
        if entity.get("type") == "bold":
            marks.setdefault(entity["offset"], []).append("\x1b[1m")
            marks.setdefault(entity["offset"] + entity["length"], []).insert(0, "\x1b[0m")
    out, position = [], 0
    for offset in sorted(marks):
        out.append(units[position * 2:offset * 2].decode("utf-16-le", errors="replace"))
        out.extend(marks[offset])
        position = offset
    out.append(units[position * 2:].decode("utf-16-le", errors="replace"))
    return "".join(out)


def _size(n: int | None) -> str:
    if not n:
        return ""
    return f", {n / 1024:.1f} KB" if n >= 1024 else f", {n} B"


def attachment(message: dict[str, Any]) -> str | None:
    """One line for what a message carries besides text (``None`` for a text message): a photo,
    document (name, size), voice, sticker, location (coordinates, as a map pin), venue, contact."""
    if "location" in message and "venue" not in message:
        loc = message["location"]
        return f"[📍 location {loc['latitude']:.5f}, {loc['longitude']:.5f} — a map pin in Telegram]"
    if "venue" in message:
        venue = message["venue"]
        loc = venue.get("location") or {}
        return (f"[📍 {venue.get('title', '')}, {venue.get('address', '')} "
                f"({loc.get('latitude', 0):.5f}, {loc.get('longitude', 0):.5f})]")
    if "contact" in message:
        contact = message["contact"]
        name = " ".join(x for x in (contact.get("first_name"), contact.get("last_name")) if x)
        return f"[👤 contact: {name} {contact.get('phone_number', '')}]"
    if "document" in message:
        document = message["document"]
        return f"[📄 file {document.get('file_name', '')}{_size(document.get('file_size'))}]"
    if "photo" in message:
        return "[🖼 photo]"
    if "voice" in message:
        return f"[🎤 voice message, {message['voice'].get('duration', 0)} s]"
    if "sticker" in message:
        return f"[sticker {message['sticker'].get('emoji', '')}]"
    if "video" in message:
        return "[🎬 video]"
    return None


def button_label(button: dict[str, Any]) -> str:
    """A button's text, with what it does when that is not a callback (a link, a web app)."""
    text = str(button.get("text", ""))
    if "url" in button:
        return f"{text} ↗"
    if "web_app" in button:
        return f"{text} (web app)"
    return text


def reply_keyboard_lines(keyboard: dict[str, Any]) -> list[str]:
    """The reply keyboard under the input field, buttons numbered ``k1``, ``k2``, … (what a button
    shares is said: 📱 your phone number, 📍 your location)."""
    lines = ["   keyboard (type k<number> to press):"]
    number = 0
    for row in keyboard.get("keyboard") or []:
        cells = []
        for button in row:
            number += 1
            button = {"text": button} if isinstance(button, str) else button
            extra = " (shares your phone number)" if button.get("request_contact") else (
                " (shares your location)" if button.get("request_location") else "")
            cells.append(f"[k{number}] {button.get('text', '')}{extra}")
        lines.append("   " + "   ".join(cells))
    return lines


def keyboard_buttons(keyboard: dict[str, Any]) -> list[dict[str, Any]]:
    """The reply keyboard's buttons in the order :func:`reply_keyboard_lines` numbers them."""
    return [{"text": b} if isinstance(b, str) else b for row in keyboard.get("keyboard") or [] for b in row]


def callback_answer_lines(text: str, *, alert: bool) -> list[str]:
    """A toast (a line that fades in Telegram) or an alert (a box the user closes with OK)."""
    if not alert:
        return [f"   ⓘ {text}"]
    body = text.splitlines() or [""]
    width = max(len(line) for line in body) + 2
    return ["   ┌" + "─" * width + "┐", *(f"   │ {line.ljust(width - 2)} │" for line in body),
            "   └" + "─" * (width - 6) + "[ OK ]┘" if width >= 6 else "   └[ OK ]┘"]
