"""Finding one's municipality as villagers really type it: wrong letters, no hyphens, Latin letters,
Russian spellings of district names; districts to browse; paging and narrowing; the closest names
when nothing matches; attested Kyrgyz names; "My municipality" asks before changing."""

from __future__ import annotations

import csv
import io

import pytest

from bot.db import Database
from bot.domain import municipalities as geo
from bot.domain.municipalities import bundled_csv, find_places, skeleton
from bot.domain.municipalities.importer import with_attested_names
from bot.domain.residents import get_resident
from bot.i18n import _
from bot.ui.keyboards import short_name
from tests.harness import Harness, Person, labels, plain
from tests.support import ALAMUDUN, BISHKEK

ALAMUDUN_DISTRICT = "41708203"
TALAS_CITY = "41707400000010"
TALAS_DISTRICT = "41707220"
KARA_BALTA = "41708209600010"
BALYKCHY = "41702420000010"
JALAL_ABAD = "41703410000010"
TOKMOK = "41708400000010"
NARYN_CITY = "41704400000010"
SOKULUK = "41708222865000"


def test_skeletons_of_one_name_typed_many_ways_are_equal() -> None:
    assert skeleton("Көк-Жаңгак") == skeleton("кок жангак") == skeleton("kok-jangak") == skeleton("Kok-Zhangak")
    assert skeleton("Таласс") == skeleton("Talas") == skeleton("талас")
    assert skeleton("Джалал-Абад") == skeleton("jalal-abad") == skeleton("dzhalal abad") == skeleton("Жалал-Абад")
    assert skeleton("Кызыл-Кыя") == skeleton("kyzyl-kyya")


@pytest.mark.parametrize(("typed", "code"), [
    ("аламедин", ALAMUDUN),  # the Russian speakers' name of the river and the district
    ("alamedin", ALAMUDUN),
    ("аламудун", ALAMUDUN),
    ("Аламүдүн", ALAMUDUN),
    ("аламуд", ALAMUDUN),  # the start of a name
    ("карабалта", KARA_BALTA),  # no hyphen
    ("кара - балта", KARA_BALTA),  # extra spaces
    ("kara-balta", KARA_BALTA),
    ("karabalta", KARA_BALTA),
    ("таласс", TALAS_CITY),  # one letter too many
    ("bishkek", BISHKEK),
    ("Бишкек", BISHKEK),
    ("бишкег", BISHKEK),  # one wrong letter
    ("бишкекк", BISHKEK),
    ("бшикек", BISHKEK),  # two letters swapped
    ("balykchy", BALYKCHY),
    ("балыкчи", BALYKCHY),
    ("dzhalal-abad", JALAL_ABAD),
    ("жалал абад", JALAL_ABAD),
    ("сакулук", SOKULUK),
    ("tokmok", TOKMOK),
    ("Токмок шаары", TOKMOK),
    ("osh shaary", "41721000000000"),  # generic words in Latin letters too
    ("токмак", TOKMOK),
])
async def test_spellings_villagers_type_find_their_municipality(db: Database, typed: str, code: str) -> None:
    result = await find_places(db, typed)
    assert code in [p.code for p in result.municipalities[:8]], [p.name_ru for p in result.municipalities[:8]]


@pytest.mark.parametrize("typed", ["аламедин", "Аламудунский район", "Аламүдүн району", "alamudun"])
async def test_a_district_name_offers_the_district(db: Database, typed: str) -> None:
    result = await find_places(db, typed)
    assert ALAMUDUN_DISTRICT in [d.code for d in result.districts]


async def test_exact_matches_are_not_mixed_with_close_ones(db: Database) -> None:
    exact = await find_places(db, "ак-суу")
    assert not exact.close and all("Ак-Суу" in p.name_ru for p in exact.municipalities)
    close = await find_places(db, "аламедин")
    assert close.close


async def test_nothing_found_offers_the_closest_names(db: Database) -> None:
    result = await find_places(db, "Атлантида")
    assert result.municipalities == [] and result.districts == []
    assert len(result.suggestions) == 5
    nothing = await find_places(db, "zzzz")  # no spelling of anything: still the closest names, no crash
    assert nothing.municipalities == [] and nothing.suggestions


async def test_short_and_long_queries_are_refused(db: Database) -> None:
    with pytest.raises(geo.SearchQueryTooShort):
        await find_places(db, "а")
    with pytest.raises(geo.SearchQueryTooLong):
        await find_places(db, "а" * 61)


# -- attested Kyrgyz names ------------------------------------------------------------------------


async def test_the_attested_kyrgyz_names_of_towns_are_imported(db: Database) -> None:
    assert (await geo.get_municipality(db, TOKMOK)).name("ky") == "Токмок шаары"
    assert (await geo.get_municipality(db, NARYN_CITY)).name("ky") == "Нарын шаары"
    assert (await geo.get_municipality(db, "41703225821000")).name("ky") == "Ничке-Сай айыл аймагы"
    # a city SOATE files as its own district takes its attested name there too
    assert (await geo.get_district(db, NARYN_CITY[:8])).name("ky") == "Нарын шаары"
    named = await db.fetchval("SELECT count(*) FROM municipalities WHERE name_ky IS NOT NULL")
    assert named == 129


async def test_every_kyrgyz_name_has_a_source_and_nothing_is_guessed(db: Database) -> None:
    from importlib import resources

    sources = resources.files("bot.resources").joinpath("ky_names_sources.csv").read_text("utf-8")
    attested = {r["code"]: r["name_ky"] for r in csv.DictReader(io.StringIO(sources)) if r["level"] == "municipality"}
    rows = await db.fetchall("SELECT code, name_ky FROM municipalities WHERE name_ky IS NOT NULL")
    assert {r["code"]: r["name_ky"] for r in rows} == attested
    # a code without a source row keeps an empty Kyrgyz cell
    merged = with_attested_names(bundled_csv(), b"code,level,name_ky,attested_as,confidence,source_url\n")
    assert merged == with_attested_names(merged, b"")  # idempotent
    empty = [r for r in csv.DictReader(io.StringIO(merged.decode())) if not r["municipality_ky"]]
    assert len(empty) == 484 - 129


# -- through the dispatcher -----------------------------------------------------------------------


async def _at_picker(harness: Harness, user_id: int, language: str, code: str) -> Person:
    user = harness.person(user_id, "Айгүл", language_code=code)
    await user.send("/start")
    await user.press(language)
    return user


async def test_a_russian_spelling_of_a_district_offers_it_in_kyrgyz(harness: Harness, db: Database) -> None:
    user = await _at_picker(harness, 501, "Кыргызча", "ky")
    [results] = await user.send("аламедин")
    assert "Аламүдүн району →" in labels(results)
    assert "Аламүдүн · Аламүдүн р-ну" in labels(results)
    [district] = await user.press("Аламүдүн району →", results)
    assert len(labels(district)) > 5  # the district's municipalities to browse
    await user.press("Арашан", district)
    assert (await get_resident(db, 501)).municipality_code == "41708203809000"


async def test_latin_letters_find_and_pick(harness: Harness, db: Database) -> None:
    user = await _at_picker(harness, 502, "Русский", "ru")
    [results] = await user.send("kara-balta")
    await user.press("Кара-Балта", results)
    assert (await get_resident(db, 502)).municipality_code == KARA_BALTA


async def test_nothing_found_says_latin_works_and_offers_close_names(harness: Harness, db: Database) -> None:
    user = await _at_picker(harness, 503, "Русский", "ru")
    [answer] = await user.send("Бишкекъъъ Сити")
    assert "alamudun" in plain(answer) and "аламүдүн" in plain(answer)
    assert len(labels(answer)) == 6 and labels(answer)[-1] == _("Choose from the list", locale="ru")


async def test_many_hits_page_and_narrow_by_district(harness: Harness, db: Database) -> None:
    user = await _at_picker(harness, 504, "Русский", "ru")
    [first] = await user.send("ак")
    total = (await find_places(db, "ак")).total
    assert total > 8 and f"1/{-(-total // 8)}" in labels(first)
    [second] = await user.press("›", first)
    page_one = {label for label in labels(first) if " · " in label}  # "Short name · District"
    page_two = {label for label in labels(second) if " · " in label}
    assert page_two and not page_one & page_two
    [districts] = await user.press(_("Narrow by district", locale="ru"), second)
    chosen = next(label for label in labels(districts) if label.startswith("Аламудунский район"))
    [narrowed] = await user.press(chosen, districts)
    assert "Аламудунский район" in plain(narrowed)
    # narrowed to a district: short names without it (it is in the heading), full ones in the list above
    in_district = {short_name(p.name_ru) for p in await geo.list_municipalities(db, ALAMUDUN_DISTRICT, "ru")}
    hits = [label for label in labels(narrowed) if label in in_district]
    assert all(f"{label} айылный аймак" in plain(narrowed) or label in plain(narrowed) for label in hits)
    assert hits and len(hits) == int(chosen.rsplit("(", 1)[1].rstrip(")"))
    # a crafted district code shows every hit again, never an error
    [crafted] = await user.press_data(narrowed["message_id"], "geosr:99999999:3")
    assert f"1/{-(-total // 8)}" in labels(crafted) or "›" in labels(crafted) or "‹" in labels(crafted)
    # the results of a search that is over (the picker was left) ask to type again
    await user.send("/menu")
    await user.press("›", first)
    assert user.alerts()[-1]["text"] == _("This search is over. Type the name again.", locale="ru")


async def test_my_municipality_shows_the_current_one_and_asks(harness: Harness, db: Database) -> None:
    user = await _at_picker(harness, 505, "Кыргызча", "ky")
    [results] = await user.send("токмок")
    await user.press("Токмок шаары", results)
    home = user.last()
    assert "Токмок шаары" in plain(home) and "г. Токмок" not in plain(home)  # no Russian form on Kyrgyz screens
    [current] = await user.press(_("My municipality", locale="ky"), home)
    assert "Токмок шаары" in plain(current)
    replies = await user.press(_("✖ Cancel", locale="ky"), current)
    assert (await get_resident(db, 505)).municipality_code == TOKMOK
    assert labels(replies[-1]) == labels(home)  # the main menu again
    # Change → the picker, which can be cancelled too (the first choice could not)
    [current] = await user.send("/municipality")
    [picker] = await user.press(_("Change municipality", locale="ky"), current)
    assert _("✖ Cancel", locale="ky") in labels(picker)
    cancelled = (await user.press(_("✖ Cancel", locale="ky"), picker))[-1]
    assert plain(cancelled) == _("Nothing changed: your municipality stays the same.", locale="ky")
    assert (await get_resident(db, 505)).municipality_code == TOKMOK
    # and a new choice is saved
    [current] = await user.send("/municipality")
    await user.press(_("Change municipality", locale="ky"), current)
    [results] = await user.send("bishkek")
    [question] = await user.press("Бишкек шаары", results)  # the one question before any move
    assert (await get_resident(db, 505)).municipality_code == TOKMOK
    await user.press(_("Yes, change to {name}", locale="ky").split("{")[0], question)
    assert (await get_resident(db, 505)).municipality_code == BISHKEK


async def test_the_first_choice_has_no_cancel(harness: Harness) -> None:
    user = await _at_picker(harness, 506, "Русский", "ru")
    picker = user.last()
    assert _("✖ Cancel", locale="ru") not in labels(picker)


async def test_the_kyrgyz_district_list_names_cities_in_kyrgyz(harness: Harness) -> None:
    user = await _at_picker(harness, 507, "Кыргызча", "ky")
    [districts] = await user.press("Ысык-Көл облусу")
    assert "Каракол шаары" in labels(districts) and "Балыкчы шаары" in labels(districts)
    assert not any(label.startswith("г. ") for label in labels(districts))  # no Russian "г. …" where attested


async def test_an_officers_kyrgyz_name_is_found_at_once(db: Database) -> None:
    from bot.domain.officers import grant_officer
    from bot.domain.residents import touch_resident
    from tests.support import AK_DEBE

    assert AK_DEBE not in [p.code for p in (await find_places(db, "Тоолуу Булак")).municipalities]  # index built
    await touch_resident(db, 40, first_name="Адис", last_name=None, username=None, language_code="ky")
    await grant_officer(db, actor_id=1, superadmins=frozenset({1}), telegram_id=40, municipality_code=AK_DEBE)
    await geo.set_name_ky(db, officer_id=40, municipality_code=AK_DEBE, name_ky="Тоолуу-Булак айыл аймагы")
    assert AK_DEBE in [p.code for p in (await find_places(db, "Тоолуу Булак")).municipalities]


# -- Kyrgyz letters typed against names written without them, and back (issue 12) --------------------

TASH_DOBO = "41708203864000"
"""Таш-Дебенский айылный аймак (Аламүдүн району): "Таш-Дөбө" in Kyrgyz, filed with е for ө."""
GULCHO = "41706207814000"
"""Гүлчө айыл аймагы / Гульчинский айылный аймак (Алай району)."""
TOMONKU_ALA_ARCHA = "41708203845000"
"""Төмөнкү Ала-Арча айыл аймагы / Нижнеаларчинский айылный аймак: only the Kyrgyz name has the words."""


def test_o_oe_and_e_are_one_vowel_and_ue_ng_were_already_one_letter() -> None:
    assert skeleton("Таш-Дөбө") == skeleton("Таш-Дебе") == skeleton("таш добо") == skeleton("tash-dobo")
    assert skeleton("Көк-Таш") == skeleton("Кек-Таш") == skeleton("kek-tash")
    assert skeleton("Гүлчө") == skeleton("гулче") == skeleton("gulcho")
    assert skeleton("Чоң-Алай") == skeleton("Чон-Алай") and skeleton("Миң-Куш") == skeleton("мин куш")
    assert skeleton("Аламүдүн") == skeleton("аламудун")


@pytest.mark.parametrize(("typed", "code"), [
    ("Таш-Дөбө", TASH_DOBO),  # Kyrgyz ө typed, е in the data
    ("таш добо", TASH_DOBO),  # о typed for ө
    ("Көк-Таш", "41703204856000"),  # Кек-Ташский
    ("гулче", GULCHO),  # е and у typed, ө and ү in the Kyrgyz name
    ("Темөнкү Ала-Арча", TOMONKU_ALA_ARCHA),
    ("томонку ала арча", TOMONKU_ALA_ARCHA),
    ("Чон-Алай", "41706259851000"),  # н for ң (already one letter)
])
async def test_kyrgyz_letters_and_their_russian_keyboard_twins_find_the_name_exactly(
        db: Database, typed: str, code: str) -> None:
    result = await find_places(db, typed)
    assert not result.close, [p.name_ru for p in result.municipalities[:5]]
    assert result.municipalities and result.municipalities[0].code == code, \
        [p.name_ru for p in result.municipalities[:5]]


async def test_tash_dobo_typed_in_kyrgyz_is_the_first_hit_in_the_chat(harness: Harness, db: Database) -> None:
    user = await _at_picker(harness, 508, "Кыргызча", "ky")
    [results] = await user.send("Таш-Дөбө")
    assert labels(results)[0] == "Таш-Дебенский · Аламүдүн р-ну", labels(results)
    assert "окшош" not in plain(results)  # not offered as merely close names
    await user.press("Таш-Дебенский", results)
    assert (await get_resident(db, 508)).municipality_code == TASH_DOBO
