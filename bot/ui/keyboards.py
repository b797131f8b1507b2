"""Inline keyboards, built per request in the reader's locale (lazy strings inside keyboards fail
aiogram's validation, so every label is a plain ``str`` here)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder
from babel import Locale

from bot.config import SUPPORTED_LOCALES
from bot.domain.municipalities import Place
from bot.i18n import _, numbered
from bot.ui.callbacks import GeoCallback, LanguageCallback, MenuCallback, MunicipalityCallback

PAGE_SIZE = 10
"""Places per picker page: 5 rows of 2 fit a small phone screen without scrolling."""

ROW_WIDTH = 30
"""Characters that fit a row of buttons on a 360-px phone (issue 12): one button of 30, two of 14 each…"""


def text_width(text: str) -> int:
    """How wide ``text`` shows on a button, in average letters: an emoji or pictograph counts 2."""
    return sum(2 if ord(ch) >= 0x2190 and not 0x2500 <= ord(ch) < 0x2600 and ch not in "«»…‹›" else
               0 if ord(ch) in (0xFE0F, 0x200D) else 1 for ch in text)


def row_limit(buttons_in_row: int) -> int:
    """Widest label that fits when the row holds ``buttons_in_row`` buttons: 30, 14, 9, 6…"""
    if buttons_in_row <= 1:
        return ROW_WIDTH
    return ROW_WIDTH // buttons_in_row - 1


def label(text: str, limit: int = ROW_WIDTH) -> str:
    """``text`` cut to ``limit`` (:func:`text_width`) for a button, at a word when one ends late enough,
    with "…"; a text that fits is returned as it is."""
    text = " ".join(text.split())
    if text_width(text) <= limit:
        return text
    cut = ""
    for ch in text:
        if text_width(cut + ch) > limit - 1:
            break
        cut += ch
    space = cut.rfind(" ")
    if space >= len(cut) // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-—") + "…"


def item_label(icon: str, text: str, limit: int = ROW_WIDTH, *, number: int | None = None) -> str:
    """A list button that says what it opens: the icon and the first words of ``text`` ("💧 Суу жок…"),
    then `` №number`` when given (the number the message above shows, :func:`bot.i18n.numbered`), all
    within ``limit``."""
    icon = icon.strip()
    tail = f" {numbered(number)}" if number is not None else ""
    return label(f"{icon} {text}" if icon else text, limit - len(tail)) + tail


_TYPE_WORDS = re.compile(r"\b(?:айылный\s+аймак|айыл\s+аймагы)\b", re.IGNORECASE)
_NAMED_AFTER = re.compile(r"\bимени\b", re.IGNORECASE)
_AREA_WORDS = {"район": "р-н", "району": "р-ну", "область": "обл.", "облусу": "обл."}
_AREA_WORD = re.compile(r"\s+(" + "|".join(_AREA_WORDS) + r")$", re.IGNORECASE)


def short_name(name: str) -> str:
    """A municipality's name without the type words every ayil aimak shares, for a button under a
    message that names it in full: "Ак-Дебенский айылный аймак" → "Ак-Дебенский", "Алайкуу айыл
    аймагы" → "Алайкуу", "… имени К.Белекбаева" → "… им. К.Белекбаева". Cities keep "г."/"шаары"
    (a town and an ayil aimak may share a name); a name of type words only is kept whole."""
    short = " ".join(_NAMED_AFTER.sub("им.", _TYPE_WORDS.sub(" ", name)).split())
    return short or " ".join(name.split())


def short_area(area: str) -> str:
    """A district's or oblast's name with its type word abbreviated: "Жети-Огузский р-н",
    "Жети-Өгүз р-ну", "Чуйская обл."; a city ("г. Токмок") as it is."""
    return _AREA_WORD.sub(lambda m: " " + _AREA_WORDS[m.group(1).lower()], " ".join(area.split()))


def area_core(area: str) -> str:
    """A district's or oblast's name without its type word: "Жети-Огузский", "Жети-Өгүз"."""
    return _AREA_WORD.sub("", " ".join(area.split()))


def municipality_label(name: str, area: str = "", *, unique: bool = True, limit: int = ROW_WIDTH,
                       abbreviate: bool = True) -> str:
    """A municipality button within ``limit``: the ``name`` as given (pass :func:`short_name` under a
    message that lists the full names), then " · " and its ``area`` (the district that tells namesakes
    apart: abbreviated, else — or when not ``abbreviate`` — without its type word). When even that is
    too wide, a ``unique`` name goes without the area, and a namesake's name is cut so that its
    district stays."""
    if not area:
        return label(name, limit)
    for shown in (short_area(area), area_core(area))[0 if abbreviate else 1:]:
        text = f"{name} · {shown}"
        if text_width(text) <= limit:
            return text
    if unique:
        return label(name, limit)
    core = area_core(area)
    return f"{label(name, max(limit - text_width(core) - 3, 6))} · {core}"


def municipality_labels(places: Sequence[tuple[str, str]], limit: int = ROW_WIDTH) -> list[str]:
    """Buttons for the municipalities ``places`` (full name, area or ``""``) shown together, each within
    ``limit`` and all different: short names (:func:`short_name`) with the area (:func:`municipality_label`),
    the district kept for every name two of them share; where short names still coincide (a town and
    an ayil aimak of one district), the full names instead. The districts are abbreviated alike on
    every button ("Жети-Огузский р-н") when that fits them all, else all without "р-н"."""
    shorts = [short_name(name) for name, _area in places]
    abbreviate = all(text_width(f"{short} · {short_area(area)}") <= limit
                     for short, (_name, area) in zip(shorts, places, strict=True) if area)
    labels = [municipality_label(short, area, unique=shorts.count(short) == 1, limit=limit, abbreviate=abbreviate)
              for short, (_name, area) in zip(shorts, places, strict=True)]
    return [municipality_label(" ".join(name.split()), area, unique=False, limit=limit, abbreviate=abbreviate)
            if labels.count(text) > 1 else text for text, (name, area) in zip(labels, places, strict=True)]


def page_items(items: Sequence[Place], page: int, size: int = PAGE_SIZE) -> Sequence[Place]:
    """The ``items`` on ``page`` (clamped into range, like the keyboards' paging)."""
    page = min(max(page, 0), page_count(len(items), size) - 1)
    return items[page * size:(page + 1) * size]


def fit_rows(buttons: Sequence[InlineKeyboardButton], per_row: int = 2) -> list[list[InlineKeyboardButton]]:
    """``buttons`` in rows of up to ``per_row``; a label too wide for a shared row gets a row of its own."""
    rows: list[list[InlineKeyboardButton]] = []
    pending: list[InlineKeyboardButton] = []
    for button in buttons:
        if text_width(button.text) > row_limit(per_row):
            if pending:
                rows.append(pending)
                pending = []
            rows.append([button])
            continue
        pending.append(button)
        if len(pending) == per_row:
            rows.append(pending)
            pending = []
    if pending:
        rows.append(pending)
    return rows


def language_name(locale: str) -> str:
    """The language's own name from CLDR via Babel, capitalized: "Кыргызча", "Русский"."""
    name = Locale.parse(locale).get_display_name(locale) or locale
    return name[:1].upper() + name[1:]


def language_keyboard() -> InlineKeyboardMarkup:
    """One button per supported language, each named in its own language."""
    builder = InlineKeyboardBuilder()
    for locale in SUPPORTED_LOCALES:
        builder.button(text=language_name(locale), callback_data=LanguageCallback(locale=locale))
    builder.adjust(len(SUPPORTED_LOCALES))
    return builder.as_markup()


def page_count(total: int, size: int = PAGE_SIZE) -> int:
    """Number of pages for ``total`` items (at least 1)."""
    return max(1, -(-total // size))


def places_keyboard(
    places: Sequence[Place],
    locale: str,
    *,
    level: str,
    code: str,
    page: int,
    back: GeoCallback | None,
) -> InlineKeyboardMarkup:
    """A page of places, two per row, with ‹ › paging and a back button.

    ``level``/``code`` identify the list (for paging callbacks); a place button opens the next
    level (districts, municipalities) or, on the ``district`` level, picks the municipality.
    ``page`` is clamped into range, so a stale page number never fails.
    """
    pages = page_count(len(places))
    page = min(max(page, 0), pages - 1)
    builder = InlineKeyboardBuilder()
    shown = page_items(places, page)
    # a district's municipalities: short names (its list above names them in full, :func:`places_listed`)
    texts = (municipality_labels([(p.name(locale), "") for p in shown]) if level == "district"
             else [label(p.name(locale)) for p in shown])
    for place, text in zip(shown, texts, strict=True):
        if level == "root":
            data = GeoCallback(level="oblast", code=place.code)
        elif level == "oblast":
            data = GeoCallback(level="district", code=place.code)
        else:
            data = MunicipalityCallback(code=place.code)
        builder.button(text=text, callback_data=data)
    builder.adjust(2)
    nav: list[InlineKeyboardButton] = []
    if page > 0:
        nav.append(InlineKeyboardButton(
            text="‹", callback_data=GeoCallback(level=level, code=code, page=page - 1).pack()))
    if pages > 1:
        nav.append(InlineKeyboardButton(
            text=f"{page + 1}/{pages}", callback_data=GeoCallback(level=level, code=code, page=page).pack()))
    if page < pages - 1:
        nav.append(InlineKeyboardButton(
            text="›", callback_data=GeoCallback(level=level, code=code, page=page + 1).pack()))
    if nav:
        builder.row(*nav)
    if back is not None:
        builder.row(InlineKeyboardButton(text=_("« Back"), callback_data=back.pack()))
    return builder.as_markup()


def menu_button() -> InlineKeyboardButton:
    """"« Main menu": a way back from any list, so no screen is a dead end."""
    return InlineKeyboardButton(text=_("« Main menu"), callback_data=MenuCallback(action="home").pack())


def main_menu_keyboard(*, officer: bool = False) -> InlineKeyboardMarkup:
    """The main menu: the four ways to take part first (one per row, easy to hit on a small screen),
    then language, municipality and help; for an officer, "🛠 Officer tools" after the four."""
    # Imported here: these modules import this one (or the domain and i18n), so a top-level import would cycle.
    from bot.ui.hearings import HearingCallback
    from bot.ui.problems import ProblemCallback
    from bot.ui.registry import RegCb
    from bot.ui.surveys import SurveyCallback

    builder = InlineKeyboardBuilder()
    builder.button(text=_("📢 Problems of my municipality"), callback_data=ProblemCallback(action="home"))
    builder.button(text=_("🗳 Surveys"), callback_data=SurveyCallback(action="list"))
    builder.button(text=_("📣 Public hearings"), callback_data=HearingCallback(action="list"))
    builder.button(text=_("🏛 Municipal services"), callback_data=RegCb(a="home"))
    if officer:
        builder.button(text=_("🛠 Officer tools"), callback_data=MenuCallback(action="officer"))
    builder.button(text=_("Language"), callback_data=MenuCallback(action="language"))
    builder.button(text=_("My municipality"), callback_data=MenuCallback(action="municipality"))
    builder.button(text=_("Help"), callback_data=MenuCallback(action="help"))
    builder.adjust(1, 1, 1, 1, *([1] if officer else []), 2, 1)
    return builder.as_markup()


def menu_keyboard() -> InlineKeyboardMarkup:
    """A keyboard with only "« Main menu": the way on under a message that ends a flow."""
    return InlineKeyboardMarkup(inline_keyboard=[[menu_button()]])


def has_menu_button(markup: InlineKeyboardMarkup | None) -> bool:
    """Whether ``markup`` already has the "« Main menu" button (``MenuCallback(action="home")``)."""
    home = MenuCallback(action="home").pack()
    return markup is not None and any(
        button.callback_data == home for row in markup.inline_keyboard for button in row)


def with_menu(markup: InlineKeyboardMarkup | None = None) -> InlineKeyboardMarkup:
    """``markup`` with a "« Main menu" row appended, so the message is never a dead end (issue 12).

    ``None`` gives a keyboard of that one row; a markup that already has the button is returned as it
    is (no second one). The given markup is not changed: a new one is returned.
    """
    if markup is None:
        return menu_keyboard()
    if has_menu_button(markup):
        return markup
    return InlineKeyboardMarkup(inline_keyboard=[*markup.inline_keyboard, [menu_button()]])
