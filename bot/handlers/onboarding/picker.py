"""The municipality picker: oblast → district → municipality with paged buttons, or a typed part of the name.

A wizard on the kit (``bot.flows``) with one text step, ``picker:search``: while the picker is open a
typed text is a search (bounded by the kit to :data:`~bot.domain.municipalities.SEARCH_QUERY_MAX`
characters). Its paging and place buttons (``geo:…``) and the municipality buttons (``mun:…``) are
declared as the wizard's own (``owns``), so tapping them keeps the search open; any other button or a
command ends it (the kit's navigation rule), and later text is not taken for a name.
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.db import Database
from bot.domain import municipalities as geo
from bot.domain.residents import (
    Resident,
    claim_prompt,
    get_resident,
    move_effects,
    require_active_municipality,
    set_municipality,
)
from bot.domain.text import clean_user_text, fold
from bot.flows import Ctx, Prompt, Wizard
from bot.handlers.onboarding.home import send_home
from bot.i18n import N_, _
from bot.ui.callbacks import GeoCallback, MunicipalityCallback
from bot.ui.keyboards import page_items, places_keyboard, with_menu
from bot.ui.messages import edit_or_send, esc, place_label
from bot.ui.municipality_search import (
    RESULTS_PAGE,
    MyMunicipalityCallback,
    SearchCallback,
    already_there_text,
    change_question_keyboard,
    change_question_text,
    current_municipality_keyboard,
    current_municipality_text,
    hit_districts_keyboard,
    hit_districts_text,
    listed,
    names_listed,
    nothing_found_text,
    question_out_of_date_text,
    results_keyboard,
    results_text,
    search_again_text,
    suggestions_keyboard,
)
from bot.ui.onboarding import picker_intro

picker = Wizard("picker", owns=(GeoCallback.__prefix__, MunicipalityCallback.__prefix__, SearchCallback.__prefix__),
                cancelled=N_("Nothing changed: your municipality stays the same."))
search = picker.text("search", max_len=geo.SEARCH_QUERY_MAX)
QUERY_KEY = "q"
"""Key of the last typed search in the picker's draft (its result buttons page through it)."""


async def _oblasts_keyboard(db: Database, locale: str, page: int = 0) -> Any:
    return places_keyboard(await geo.list_oblasts(db, locale), locale, level="root", code="", page=page, back=None)


@search.prompt
async def _intro(ctx: Ctx) -> Prompt:
    keyboard = await _oblasts_keyboard(ctx.db, ctx.locale)
    resident: Resident | None = ctx.deps.get("resident")
    # changing a municipality one has can be cancelled; the first choice cannot be skipped
    changing = resident is not None and resident.municipality_code is not None
    return Prompt(picker_intro(), rows=keyboard.inline_keyboard, back=False, cancel=changing)


@search.handle
async def _search(ctx: Ctx, query: str | None) -> None:
    """A typed name: search, tolerant of a few wrong letters, hyphens, Latin letters and Russian
    spellings (``bot.domain.municipalities.search``); a district named like it is offered to browse.

    A query under 2 letters is refused by the domain (``SearchQueryTooShort``, explained by the kit's
    error middleware); the step stays open for the next try. The query is kept in the draft, so the
    result buttons can page through it.
    """
    db: Database = ctx.db
    locale: str = ctx.locale
    query = clean_user_text(query or "")
    result = await geo.find_places(db, query)
    ctx.data[QUERY_KEY] = query
    await ctx.save()
    if not result.municipalities and not result.districts:
        locations = await _locations(db, [p for p in result.suggestions if len(p.code) == 14])
        await ctx.answer(nothing_found_text(query, bool(result.suggestions), listed(list(locations.values()), locale)),
                         suggestions_keyboard(result.suggestions, locale, locations))
        return
    text, keyboard = await _results(db, locale, query, result, page=0, district="")
    await ctx.answer(text, keyboard)


async def _locations(db: Database, places: list[geo.Place]) -> dict[str, geo.Location]:
    """Municipality code → its location (its district tells namesakes apart on the buttons), in order."""
    locations = {}
    for place in places:
        location = await geo.locate(db, place.code)
        if location is not None:
            locations[place.code] = location
    return locations


async def _results(db: Database, locale: str, query: str, result: geo.SearchResult, *, page: int,
                   district: str) -> tuple[str, Any]:
    """Text and keyboard of a page of search results (``district``: 8 digits to narrow, ``""`` for all)."""
    chosen = await geo.get_district(db, district) if district.isdigit() else None
    district = chosen.code if chosen else ""  # unknown (crafted) codes show every hit
    places = [p for p in result.municipalities if not district or result.district_of.get(p.code) == district]
    start = min(max(page, 0), max(0, (len(places) - 1) // RESULTS_PAGE)) * RESULTS_PAGE
    locations = await _locations(db, places[start:start + RESULTS_PAGE])
    among = len({result.district_of.get(p.code) for p in result.municipalities})
    # narrowed to one district, the district is in the heading: the buttons need not repeat it
    return (results_text(query, result, places, chosen, locale, listed(list(locations.values()), locale)),
            results_keyboard(result, places, locale, {} if chosen else locations, page=page,
                             district=district if chosen else "", districts_among_hits=among))


async def on_results_page(callback: CallbackQuery, callback_data: SearchCallback, db: Database, locale: str,
                          state: FSMContext, callback_answer: CallbackAnswer) -> None:
    """A page of the last search, its districts ("narrow by district"), or its hits in one district."""
    query = (await state.get_data()).get(QUERY_KEY) if await state.get_state() == search.state else None
    if not query:  # the picker was left (or another search came since the message was sent)
        callback_answer.text = search_again_text()
        callback_answer.show_alert = True
        return
    result = await geo.find_places(db, query)
    if callback_data.district == "*":
        counts: dict[str, int] = {}
        for place in result.municipalities:
            code = result.district_of.get(place.code, "")
            counts[code] = counts.get(code, 0) + 1
        districts = [(d, counts[d.code]) for d in await _districts(db, list(counts), locale)]
        await edit_or_send(callback, hit_districts_text(), hit_districts_keyboard(districts, locale))
        return
    text, keyboard = await _results(db, locale, query, result, page=callback_data.page,
                                    district=callback_data.district)
    await edit_or_send(callback, text, keyboard)


async def _districts(db: Database, codes: list[str], locale: str) -> list[geo.Place]:
    places = [d for d in [await geo.get_district(db, code) for code in codes] if d is not None]
    return sorted(places, key=lambda d: fold(d.name(locale)))


async def open_picker(event: Message | CallbackQuery, state: FSMContext, deps: dict[str, Any]) -> None:
    """Open the picker at the oblast level and listen for a typed name (``deps``: ``bot``, ``db``, ``locale``)."""
    await picker.start(event, state, deps)


async def _keep_listening(state: FSMContext) -> None:
    """A picker button was tapped: a typed name is a search again (also on an old picker message)."""
    if await state.get_state() != search.state:
        await state.set_state(search.state)
        await state.set_data({"_trail": [search.name]})


async def show_current_or_pick(message: Message, db: Database, resident: Resident, locale: str, state: FSMContext,
                               deps: dict[str, Any]) -> None:
    """"My municipality" and /municipality: the current one and the question whether to change it
    ("Change" opens the picker, "Cancel" goes back to the menu); the picker at once when there is none."""
    location = await geo.locate(db, resident.municipality_code) if resident.municipality_code else None
    if location is None:
        await open_picker(message, state, {**deps, "db": db, "resident": resident, "locale": locale})
        return
    await state.set_state(None)  # a form left here keeps its draft (bot.flows.NavigationMiddleware)
    await message.answer(current_municipality_text(location, locale), reply_markup=current_municipality_keyboard())


async def cmd_municipality(message: Message, db: Database, resident: Resident, locale: str, state: FSMContext,
                           **deps: Any) -> None:
    """/municipality: the current municipality first, and a question before changing it."""
    await show_current_or_pick(message, db, resident, locale, state, deps)


async def on_change(callback: CallbackQuery, state: FSMContext, **deps: Any) -> None:
    """"Change municipality" under the current one: the picker (with Cancel; the current choice stays
    until a new one is made)."""
    if isinstance(callback.message, Message):
        await open_picker(callback.message, state, deps)


async def _list_changed(callback: CallbackQuery, callback_answer: CallbackAnswer, db: Database, locale: str) -> None:
    callback_answer.text = _("This list has changed. Please choose again.")
    callback_answer.show_alert = True
    await edit_or_send(callback, picker_intro(), await _oblasts_keyboard(db, locale))


async def on_root(callback: CallbackQuery, callback_data: GeoCallback, db: Database, locale: str,
                  state: FSMContext) -> None:
    """The oblasts (a page of them)."""
    await _keep_listening(state)
    await edit_or_send(callback, picker_intro(), await _oblasts_keyboard(db, locale, callback_data.page))


async def on_oblast(callback: CallbackQuery, callback_data: GeoCallback, db: Database, locale: str,
                    state: FSMContext, callback_answer: CallbackAnswer) -> None:
    """The districts of an oblast; an oblast with one district (Bishkek, Osh) goes straight on."""
    await _keep_listening(state)
    oblast = await geo.get_oblast(db, callback_data.code)
    districts = await geo.list_districts(db, callback_data.code, locale) if oblast else []
    if oblast is None or not districts:
        await _list_changed(callback, callback_answer, db, locale)
        return
    if len(districts) == 1:
        await _show_district(callback, districts[0].code, 0, db, locale, state, callback_answer)
        return
    await edit_or_send(
        callback,
        _("<b>{oblast}</b>\nChoose your district or town:").format(oblast=esc(oblast.name(locale))),
        places_keyboard(districts, locale, level="oblast", code=callback_data.code, page=callback_data.page,
                        back=GeoCallback(level="root")),
    )


async def on_district(callback: CallbackQuery, callback_data: GeoCallback, db: Database, locale: str,
                      state: FSMContext, callback_answer: CallbackAnswer) -> None:
    """The municipalities of a district (a page of them)."""
    await _keep_listening(state)
    await _show_district(callback, callback_data.code, callback_data.page, db, locale, state, callback_answer)


async def _show_district(callback: CallbackQuery, code: str, page: int, db: Database, locale: str,
                         state: FSMContext, callback_answer: CallbackAnswer) -> None:
    """A district's municipalities; a district with one municipality (a city) is picked at once."""
    district = await geo.get_district(db, code)
    municipalities = await geo.list_municipalities(db, code, locale) if district else []
    if district is None or not municipalities:
        await _list_changed(callback, callback_answer, db, locale)
        return
    if len(municipalities) == 1:
        await choose_municipality(callback, municipalities[0].code, db, locale, state, callback_answer)
        return
    heading = _("<b>{district}</b>\nChoose your municipality:").format(district=esc(district.name(locale)))
    names = names_listed(page_items(municipalities, page), locale)  # the buttons show short names
    await edit_or_send(
        callback,
        f"{heading}\n\n{names}" if names else heading,
        places_keyboard(municipalities, locale, level="district", code=code, page=page,
                        back=GeoCallback(level="oblast", code=code[:5])),
    )


async def on_municipality(callback: CallbackQuery, callback_data: MunicipalityCallback, db: Database, locale: str,
                          state: FSMContext, callback_answer: CallbackAnswer) -> None:
    """A municipality button (from the picker or from search results)."""
    await choose_municipality(callback, callback_data.code, db, locale, state, callback_answer)


async def choose_municipality(callback: CallbackQuery, code: str, db: Database, locale: str, state: FSMContext,
                              callback_answer: CallbackAnswer) -> None:
    """A municipality tapped in the picker, its search results or a district's list, on the newest
    message or an old one. A resident without a municipality (onboarding) is registered at once; one
    who has a municipality is asked first (:func:`ask_change`), since an old button must never move them.

    A second tap on the same picker during onboarding confirms the choice in a toast only (``claim_prompt``).
    An unknown code raises ``UnknownMunicipality`` (explained as an alert; the picker stays).
    """
    user_id = callback.from_user.id
    resident = await get_resident(db, user_id)
    if resident is not None and resident.municipality_code is not None:
        await ask_change(callback, db, resident, code, locale, callback_answer)
        return
    await set_municipality(db, user_id, code)
    await state.clear()
    location = await geo.locate(db, code)
    assert location is not None
    message = callback.message
    if not isinstance(message, Message) or not await claim_prompt(db, message.chat.id, message.message_id):
        callback_answer.text = _("Your municipality: {name}").format(name=location.municipality.name(locale))
        return
    await _changed(callback, message, db, user_id, location, locale)


async def _changed(callback: CallbackQuery, message: Message, db: Database, user_id: int, location: geo.Location,
                   locale: str) -> None:
    """Confirm the new municipality in place of the tapped message, then the main menu."""
    # no button: the main menu follows at once (a "« Main menu" here would be a second way to the same place)
    await edit_or_send(callback, _("✅ Your municipality: {place}.").format(place=place_label(location, locale)),
                       menu=False)
    resident = await get_resident(db, user_id)
    if resident is not None:
        await send_home(message, db, resident, locale)


async def ask_change(event: CallbackQuery | Message, db: Database, resident: Resident, code: str, locale: str,
                     callback_answer: CallbackAnswer | None = None) -> None:
    """The one question before a registered resident's municipality changes: "Change your municipality?
    Now: A, new: B", what the move changes (``move_effects``), "Yes, change to B" / "No, keep A".

    In place of the tapped message (a picker, search results, an out-of-date question), or as a new
    message after a deep link (``event`` a :class:`Message`). Already in B: said in a toast (a message
    after a deep link), nothing is asked.

    Raises:
        UnknownMunicipality: ``code`` is no active municipality (a crafted or removed button).
    """
    await require_active_municipality(db, code)
    target = await geo.locate(db, code)
    current = await geo.locate(db, resident.municipality_code) if resident.municipality_code else None
    assert target is not None and current is not None
    if code == resident.municipality_code:
        if isinstance(event, Message):
            await event.answer(esc(already_there_text(target, locale)), reply_markup=with_menu())
        elif callback_answer is not None:
            callback_answer.text = already_there_text(target, locale)
        return
    effects = await move_effects(db, resident.telegram_id, current.municipality.code, code)
    text = change_question_text(current, target, effects, locale)
    keyboard = change_question_keyboard(current, target, locale)
    if isinstance(event, Message):
        await event.answer(text, reply_markup=keyboard)
    else:  # "No, keep A" is the way on: no "« Main menu" beside it
        await edit_or_send(event, text, keyboard, menu=False)


async def confirmed_target(callback: CallbackQuery, callback_data: MyMunicipalityCallback, db: Database,
                           resident: Resident, locale: str, callback_answer: CallbackAnswer) -> geo.Location | None:
    """The checks of "Yes, change to B": B's location when the caller should move the resident now;
    ``None`` when the tap was answered here — already in B (a double tap, an old question: said in a
    toast), or the question is out of date (the resident moved elsewhere since: asked again, fresh).

    Raises:
        UnknownMunicipality: B is no active municipality (a crafted or removed button).
    """
    code = callback_data.code
    await require_active_municipality(db, code)
    location = await geo.locate(db, code)
    assert location is not None
    if resident.municipality_code == code:
        callback_answer.text = already_there_text(location, locale)
        return None
    if resident.municipality_code is not None and resident.municipality_code != callback_data.was:
        callback_answer.text = question_out_of_date_text()
        callback_answer.show_alert = True
        await ask_change(callback, db, resident, code, locale)
        return None
    return location


async def on_change_to(callback: CallbackQuery, callback_data: MyMunicipalityCallback, db: Database,
                       resident: Resident, locale: str, callback_answer: CallbackAnswer) -> None:
    """"Yes, change to B": move the resident (after :func:`confirmed_target`), confirm, the main menu."""
    location = await confirmed_target(callback, callback_data, db, resident, locale, callback_answer)
    if location is None:
        return
    await set_municipality(db, resident.telegram_id, callback_data.code)
    if isinstance(callback.message, Message):
        await _changed(callback, callback.message, db, resident.telegram_id, location, locale)


async def on_keep(callback: CallbackQuery) -> None:
    """"No, keep A": nothing changes; the way on is the main menu."""
    await edit_or_send(callback, _(picker.cancelled))


def build_router() -> Router:
    """A new router with the picker (a router attaches to one dispatcher only)."""
    router = Router(name="onboarding.picker")
    router.message.register(cmd_municipality, Command("municipality", ignore_case=True))
    router.callback_query.register(on_root, GeoCallback.filter(F.level == "root"))
    router.callback_query.register(on_oblast, GeoCallback.filter(F.level == "oblast"))
    router.callback_query.register(on_district, GeoCallback.filter(F.level == "district"))
    router.callback_query.register(on_municipality, MunicipalityCallback.filter())
    router.callback_query.register(on_results_page, SearchCallback.filter())
    router.callback_query.register(on_change, MyMunicipalityCallback.filter(F.action == "change"))
    router.callback_query.register(on_change_to, MyMunicipalityCallback.filter(F.action == "to"))
    router.callback_query.register(on_keep, MyMunicipalityCallback.filter(F.action == "keep"))
    picker.register(router)
    return router
