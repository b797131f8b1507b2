"""Screens of the typed municipality search and of "My municipality": buttons and texts.

Callback prefixes ``geosr`` (a page of search results, optionally narrowed to a district) and
``mymun`` (change the municipality after seeing the current one, and the one question every path
asks before a registered resident's municipality changes: "Change your municipality? Now: A, new: B").
"""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain.municipalities import Location, Place
from bot.domain.municipalities.search import SearchResult
from bot.domain.residents import MoveEffects
from bot.i18n import _, ngettext
from bot.ui.callbacks import GeoCallback, MenuCallback, MunicipalityCallback, PageField
from bot.ui.keyboards import ROW_WIDTH, area_core, label, municipality_label, municipality_labels, page_count, short_name, text_width
from bot.ui.messages import esc, place_label

RESULTS_PAGE = 8
"""Search hits per page: one per row (long names with their district), 8 rows fit a small phone."""


class SearchCallback(CallbackData, prefix="geosr"):
    """A page of the last typed search: ``district`` (8 digits) narrows it, ``"*"`` lists the districts
    of the hits, ``""`` is every hit. Longest: ``geosr:41708203:999999`` = 21 bytes."""

    district: str = ""
    page: PageField = 0


class MyMunicipalityCallback(CallbackData, prefix="mymun"):
    """"My municipality" and the question before a change. ``action``: ``change`` ("Change" under the
    current one: open the picker), ``to`` ("Yes, change to B": ``code`` is B's SOATE code, ``was`` the
    municipality the question was asked in, so a question that is out of date is asked again), ``keep``
    ("No, keep A"). Longest: ``mymun:to:41708203803000:41711000000000`` = 38 bytes."""

    action: str
    code: str = ""
    was: str = ""


def district_label(district: Place, locale: str) -> str:
    """A district to browse: "Аламүдүн району →" (within a phone's row)."""
    return f"{label(district.name(locale), ROW_WIDTH - 2)} →"


def area_of(location: Location, locale: str) -> str:
    """What tells a municipality from its namesakes on a button: its district (a city filed as its own
    district: its oblast; Bishkek and Osh: nothing)."""
    context = location.context(locale)
    return context[0] if context else ""


def listed(locations: Sequence[Location], locale: str) -> str:
    """The full names of the municipalities whose buttons follow, one a line ("• <b>Ак-Дебенский айылный
    аймак</b> (Жети-Огузский район, Иссык-Кульская область)"), so the short button labels lose nothing."""
    return "\n".join(f"• {place_label(location, locale)}" for location in locations)


def names_listed(places: Sequence[Place], locale: str) -> str:
    """The full names of ``places`` one a line ("• Ак-Дебенский айылный аймак"), for a district's list
    whose heading names the district; ``""`` when every button shows the whole name anyway."""
    if all(short_name(p.name(locale)) == p.name(locale) for p in places):
        return ""
    return "\n".join(f"• {esc(p.name(locale))}" for p in places)


def _municipality_rows(places: Sequence[Place], locale: str,
                       locations: dict[str, Location]) -> list[list[InlineKeyboardButton]]:
    """One row per municipality, short names with their districts, all within a row and all different."""
    texts = municipality_labels([
        (p.name(locale), area_of(locations[p.code], locale) if p.code in locations else "") for p in places])
    return [[InlineKeyboardButton(text=text, callback_data=MunicipalityCallback(code=p.code).pack())]
            for p, text in zip(places, texts, strict=True)]


def _district_button(place: Place, locale: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=district_label(place, locale),
                                callback_data=GeoCallback(level="district", code=place.code).pack())


def _list_button() -> InlineKeyboardButton:
    return InlineKeyboardButton(text=_("Choose from the list"), callback_data=GeoCallback(level="root").pack())


def results_text(query: str, result: SearchResult, shown: Sequence[Place], district: Place | None,
                 locale: str, names: str = "") -> str:
    """The heading above search hits (``query`` as typed, escaped here), then ``names``: the full names
    of the page's hits (:func:`listed`), which the buttons show shortened."""
    heading = _results_heading(query, result, shown, district, locale)
    return f"{heading}\n\n{names}" if names else heading


def _results_heading(query: str, result: SearchResult, shown: Sequence[Place], district: Place | None,
                     locale: str) -> str:
    if district is not None:
        return _("Found in <b>{district}</b>: {count}. Choose your municipality:").format(
            district=esc(district.name(locale)), count=len(shown))
    if result.close:
        return _("Nothing is named exactly «{query}»; these names are close. Choose yours:").format(query=esc(query))
    if not result.municipalities:
        return _("«{query}» is a district. Open it to see all its municipalities:").format(query=esc(query))
    if result.total > RESULTS_PAGE:
        return ngettext(
            "Found {total} municipality. Choose yours, turn the pages, or narrow by district:",
            "Found {total} municipalities. Choose yours, turn the pages, or narrow by district:",
            result.total,
        ).format(total=result.total)
    return _("Choose your municipality:")


def results_keyboard(result: SearchResult, places: Sequence[Place], locale: str, locations: dict[str, Location], *,
                     page: int, district: str, districts_among_hits: int) -> InlineKeyboardMarkup:
    """Matching districts ("… району →", first page only), a page of municipalities one per row
    ("Short name · District", :func:`bot.ui.keyboards.municipality_labels`; ``locations`` by code: without
    one, no district — the results narrowed to a district), ‹ n/m › paging, "narrow by district" when the hits lie in several districts
    and do not fit one page, then "choose from the list"."""
    rows: list[list[InlineKeyboardButton]] = []
    if page == 0 and not district:
        rows.extend([_district_button(d, locale)] for d in result.districts)
    pages = page_count(len(places), RESULTS_PAGE)
    page = min(max(page, 0), pages - 1)
    rows.extend(_municipality_rows(places[page * RESULTS_PAGE:(page + 1) * RESULTS_PAGE], locale, locations))
    nav: list[InlineKeyboardButton] = []
    if page > 0:
        nav.append(InlineKeyboardButton(text="‹", callback_data=SearchCallback(district=district, page=page - 1).pack()))
    if pages > 1:
        nav.append(InlineKeyboardButton(text=f"{page + 1}/{pages}",
                                        callback_data=SearchCallback(district=district, page=page).pack()))
    if page < pages - 1:
        nav.append(InlineKeyboardButton(text="›", callback_data=SearchCallback(district=district, page=page + 1).pack()))
    if nav:
        rows.append(nav)
    if district:
        rows.append([InlineKeyboardButton(text=_("« All results"), callback_data=SearchCallback().pack())])
    elif districts_among_hits > 1 and len(places) > RESULTS_PAGE:
        rows.append([InlineKeyboardButton(text=_("Narrow by district"),
                                          callback_data=SearchCallback(district="*").pack())])
    rows.append([_list_button()])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def hit_districts_keyboard(counts: Sequence[tuple[Place, int]], locale: str) -> InlineKeyboardMarkup:
    """The districts the hits lie in, each with its number of hits, to narrow the results."""
    rows = [[InlineKeyboardButton(text=f"{label(d.name(locale), ROW_WIDTH - len(str(n)) - 3)} ({n})",
                                  callback_data=SearchCallback(district=d.code).pack())] for d, n in counts]
    rows.append([InlineKeyboardButton(text=_("« All results"), callback_data=SearchCallback().pack())])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def hit_districts_text() -> str:
    """Heading of the list of districts to narrow the results by."""
    return _("In which district is your municipality?")


def nothing_found_text(query: str, has_suggestions: bool, names: str = "") -> str:
    """Nothing matched ``query`` (escaped here), even with a few wrong letters; then ``names``, the full
    names of the suggested municipalities (:func:`listed`)."""
    if has_suggestions:
        text = _(
            "Nothing found for «{query}». The closest names are below.\n"
            "You can type in Cyrillic or in Latin letters (<i>аламүдүн</i>, <i>alamudun</i>), "
            "or choose from the list."
        ).format(query=esc(query))
        return f"{text}\n\n{names}" if names else text
    return _(
        "Nothing found for «{query}». You can type in Cyrillic or in Latin letters "
        "(<i>аламүдүн</i>, <i>alamudun</i>), or choose from the list."
    ).format(query=esc(query))


def suggestions_keyboard(suggestions: Sequence[Place], locale: str,
                         locations: dict[str, Location]) -> InlineKeyboardMarkup:
    """The closest names (a district opens its list; municipalities as in :func:`results_keyboard`),
    then "choose from the list"."""
    municipalities = iter(_municipality_rows([p for p in suggestions if len(p.code) != 8], locale, locations))
    rows = [[_district_button(p, locale)] if len(p.code) == 8 else next(municipalities) for p in suggestions]
    rows.append([_list_button()])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def search_again_text() -> str:
    """A results button whose search is over (the picker was left since): type the name again."""
    return _("This search is over. Type the name again.")


def current_municipality_text(location: Location, locale: str) -> str:
    """"My municipality": where the resident is registered, and the question whether to change it."""
    return _("Your municipality: {place}.\nDo you want to change it?").format(place=place_label(location, locale))


def current_municipality_keyboard() -> InlineKeyboardMarkup:
    """"Change" (opens the picker) and "Cancel" (back to the main menu, nothing changes)."""
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Change municipality"), callback_data=MyMunicipalityCallback(action="change"))
    builder.button(text=_("✖ Cancel"), callback_data=MenuCallback(action="home"))
    builder.adjust(1)
    return builder.as_markup()


def change_question_text(current: Location, target: Location, effects: MoveEffects, locale: str) -> str:
    """The question before a registered resident's municipality changes (from any picker, search
    result or deep link): both places, and in plain words what the move changes (``effects``)."""
    parts = [_("<b>Change your municipality?</b>\nNow: {current}\nNew: {target}").format(
        current=place_label(current, locale), target=place_label(target, locale))]
    if effects.supports_left:
        parts.append(ngettext(
            "You support {count} problem of your current municipality: your support stays there and keeps counting.",
            "You support {count} problems of your current municipality: your supports stay there and keep counting.",
            effects.supports_left,
        ).format(count=effects.supports_left))
    if effects.code_verification_lost:
        parts.append(_(
            "Your residence was confirmed with a code of your current municipality, and it counts only there. "
            "In the new one, surveys for confirmed residents will need a new confirmation (/verify)."))
    return "\n\n".join(parts)


def change_question_keyboard(current: Location, target: Location, locale: str) -> InlineKeyboardMarkup:
    """"Yes, change to B" (carries B's code and A's, :class:`MyMunicipalityCallback`) and "No, keep A"."""
    was, code = current.municipality.code, target.municipality.code
    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=_choice_label(_("Yes, change to {name}"), target, current, locale),
                              callback_data=MyMunicipalityCallback(action="to", code=code, was=was).pack())],
        [InlineKeyboardButton(text=_choice_label(_("No, keep {name}"), current, target, locale),
                              callback_data=MyMunicipalityCallback(action="keep", code=code, was=was).pack())],
    ])


def _choice_label(template: str, place: Location, other: Location, locale: str) -> str:
    """``template`` with ``place``'s short name (the question above names both in full) and, when the
    other one is its namesake, its district as far as the row allows."""
    name = short_name(place.municipality.name(locale))
    room = ROW_WIDTH - text_width(template.replace("{name}", ""))
    namesakes = name == short_name(other.municipality.name(locale))
    area = area_core(area_of(place, locale)) if namesakes else ""
    shown = municipality_label(name, area, unique=True, limit=room) if area else label(name, room)
    return template.format(name=shown)


def already_there_text(location: Location, locale: str) -> str:
    """A municipality tapped (or "Yes, change" tapped again) that is already the resident's."""
    return _("This is already your municipality: {name}.").format(name=location.municipality.name(locale))


def question_out_of_date_text() -> str:
    """"Yes, change" under a question asked before the resident's municipality changed otherwise."""
    return _("Your municipality has changed since this question. Please look at it again.")
