"""Municipalities from the SOATE list: import, re-import, search with Russian-keyboard letters."""

from __future__ import annotations

import csv
import io

import pytest

from bot.db import Database
from bot.domain import InvalidInput, NotAnOfficer, TextTooLong, TextTooShort, WrongMunicipality
from bot.domain import municipalities as geo
from bot.domain.municipalities import bundled_csv, import_municipalities
from bot.domain.officers import grant_officer
from bot.domain.residents import get_resident, set_municipality, touch_resident
from bot.domain.text import fold
from tests.support import AK_DEBE, ALAMUDUN

ADMIN = frozenset({1})


async def _resident(db: Database, telegram_id: int, name: str = "Айгүл") -> None:
    await touch_resident(db, telegram_id, first_name=name, last_name=None, username=None, language_code="ru")


async def test_the_real_list_is_loaded(db: Database) -> None:
    assert await db.fetchval("SELECT count(*) FROM municipalities WHERE active = 1") == 484
    kinds = dict(await db.fetchall("SELECT kind, count(*) FROM municipalities GROUP BY kind"))
    assert kinds == {"ayil_aimak": 453, "town": 17, "city": 14}
    oblasts = await geo.list_oblasts(db, "ru")
    assert len(oblasts) == 9  # 7 oblasts + Bishkek + Osh
    chuy = next(o for o in oblasts if o.code == "41708")
    assert chuy.name("ky") == "Чүй облусу" and chuy.name("ru") == "Чуйская область"


async def test_russian_name_is_shown_where_the_kyrgyz_one_is_missing(db: Database) -> None:
    ak_debe = await geo.get_municipality(db, AK_DEBE)
    assert ak_debe.name_ky is None
    assert ak_debe.name("ky") == "Ак-Дебенский айылный аймак"
    alamudun = await geo.get_municipality(db, ALAMUDUN)
    assert alamudun.name("ky") == "Аламүдүн айыл аймагы"


@pytest.mark.parametrize(
    "typed",
    ["аламудун", "АЛАМҮДҮН", "Аламүдүн", "аламуд"],
)
async def test_search_folds_kyrgyz_letters_and_case(db: Database, typed: str) -> None:
    places, total = await geo.search_municipalities(db, typed)
    assert ALAMUDUN in [p.code for p in places]


async def test_search_with_russian_keyboard_finds_kok_jangak(db: Database) -> None:
    assert fold("Көк-Жаңгак") == fold("кок жангак")
    places, _ = await geo.search_municipalities(db, "кок жангак")
    assert any("Жангак" in p.name_ru or (p.name_ky or "").startswith("Көк") for p in places)


async def test_search_bounds(db: Database) -> None:
    with pytest.raises(geo.SearchQueryTooShort) as short:
        await geo.search_municipalities(db, "а.")  # folded: one letter
    assert short.value.limit == geo.SEARCH_QUERY_MIN and short.value.actual == 1
    with pytest.raises(geo.SearchQueryTooLong) as long:
        await geo.search_municipalities(db, "ңөү" * 1700)
    assert long.value.limit == geo.SEARCH_QUERY_MAX and long.value.actual == 5100
    places, total = await geo.search_municipalities(db, "zzzz")
    assert places == [] and total == 0


def _edited_csv(edit) -> bytes:
    rows = list(csv.DictReader(io.StringIO(bundled_csv().decode("utf-8"))))
    rows = edit(rows)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0].keys()))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


async def test_reimport_renames_and_removes_without_breaking_residents(db: Database) -> None:
    await _resident(db, 10)
    await set_municipality(db, 10, AK_DEBE)
    await _resident(db, 11)
    await set_municipality(db, 11, "41708203805000")

    def edit(rows):
        for row in rows:
            if row["code"] == AK_DEBE:
                row["municipality_ru"] = "Ак-Дёбё (переименован)"
                row["municipality_ky"] = "Ак-Дөбө айыл аймагы"
        return [r for r in rows if r["code"] != "41708203805000"]

    report = await import_municipalities(db, _edited_csv(edit))
    assert (report.added, report.updated, report.deactivated) == (0, 1, 1)
    assert (await get_resident(db, 10)).municipality_code == AK_DEBE
    renamed = await geo.get_municipality(db, AK_DEBE)
    assert renamed.name("ky") == "Ак-Дөбө айыл аймагы"
    # the removed one is kept (resident 11 still points at it) but hidden from the picker and search
    assert (await get_resident(db, 11)).municipality_code == "41708203805000"
    assert await geo.get_municipality(db, "41708203805000") is not None
    listed = [p.code for p in await geo.list_municipalities(db, "41708203", "ru")]
    assert "41708203805000" not in listed
    # the same file again changes nothing
    again = await import_municipalities(db, _edited_csv(edit))
    assert again.skipped_unchanged_file


async def test_reimport_keeps_the_kyrgyz_name_an_officer_set(db: Database) -> None:
    await _resident(db, 20)
    await grant_officer(db, actor_id=1, superadmins=ADMIN, telegram_id=20, municipality_code=AK_DEBE)
    await geo.set_name_ky(db, officer_id=20, municipality_code=AK_DEBE, name_ky="Ак-Дөбө айыл аймагы")
    await import_municipalities(db, _edited_csv(lambda rows: rows), force=True)
    assert (await geo.get_municipality(db, AK_DEBE)).name_ky == "Ак-Дөбө айыл аймагы"
    places, _ = await geo.search_municipalities(db, "ак добо")
    assert AK_DEBE in [p.code for p in places]


async def test_an_officer_names_only_their_own_municipality(db: Database) -> None:
    await _resident(db, 30)
    await grant_officer(db, actor_id=1, superadmins=ADMIN, telegram_id=30, municipality_code=AK_DEBE)
    with pytest.raises(WrongMunicipality):
        await geo.set_name_ky(db, officer_id=30, municipality_code=ALAMUDUN, name_ky="Башка")
    with pytest.raises(NotAnOfficer):
        await geo.set_name_ky(db, officer_id=31, municipality_code=AK_DEBE, name_ky="Жок")
    with pytest.raises(TextTooLong) as long:
        await geo.set_name_ky(db, officer_id=30, municipality_code=AK_DEBE, name_ky="ы" * 101)
    assert (long.value.limit, long.value.actual) == (geo.NAME_MAX_LENGTH, 101)
    with pytest.raises(TextTooShort):
        await geo.set_name_ky(db, officer_id=30, municipality_code=AK_DEBE, name_ky="\u200b ")
    with pytest.raises(geo.NameNotOneLine):
        await geo.set_name_ky(db, officer_id=30, municipality_code=AK_DEBE, name_ky="Ак-Дөбө\nайыл аймагы")
    assert (await geo.get_municipality(db, ALAMUDUN)).name_ky == "Аламүдүн айыл аймагы"


async def test_a_broken_file_is_refused_and_changes_nothing(db: Database) -> None:
    with pytest.raises(InvalidInput, match="14-digit"):
        await import_municipalities(db, _edited_csv(lambda rows: [{**rows[0], "code": "123"}, *rows[1:]]))
    with pytest.raises(InvalidInput, match="columns"):
        await import_municipalities(db, b"name,code\nx,41708203803000\n")
    assert await db.fetchval("SELECT count(*) FROM municipalities WHERE active = 1") == 484


async def test_an_explicit_import_survives_the_next_start(db: Database) -> None:
    renamed = bundled_csv().decode("utf-8").replace("Аламудунский айылный аймак", "Аламудинский айылный аймак")
    await import_municipalities(db, renamed.encode("utf-8"), force=True)
    report = await import_municipalities(db)  # what every start does with the bundled file
    assert report.skipped_unchanged_file
    assert (await geo.get_municipality(db, ALAMUDUN)).name_ru == "Аламудинский айылный аймак"
