"""Localization: complete catalogs, plural forms, locale choice, Babel dates in Asia/Bishkek."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR, _, choose_locale, format_date, format_datetime, format_number, ngettext

RESIDENTS = ("{count} resident of your municipality uses the bot.", "{count} residents of your municipality use the bot.")


@pytest.mark.parametrize("locale", ["ky", "ru"])
def test_every_message_is_translated(locale: str) -> None:
    template = read_po((LOCALES_DIR / "messages.pot").open("rb"))
    catalog = read_po((LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb"), locale=locale)
    ids = {m.id for m in template if m.id}
    untranslated = [m.id for m in catalog if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))]
    assert not untranslated
    assert ids <= {m.id for m in catalog if m.id}, "run `make locales` and translate the new strings"
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not fuzzy


def test_template_is_up_to_date_with_the_code() -> None:
    """Every string the code marks for translation is in messages.pot (`make locales` refreshes it)."""
    from babel.messages.extract import extract_from_dir

    root = Path(__file__).resolve().parent.parent
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        root / "bot", method_map=[("**.py", "python")], keywords={"_": None, "ngettext": (1, 2), "N_": None}
    ):
        found.add(message if isinstance(message, str) else tuple(message))
    template = {m.id for m in read_po((LOCALES_DIR / "messages.pot").open("rb")) if m.id}
    assert found - template == set()


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, "1 житель"), (2, "2 жителя"), (5, "5 жителей"), (11, "11 жителей"), (21, "21 житель"),
     (22, "22 жителя"), (111, "111 жителей")],
)
def test_russian_plural_forms(n: int, expected: str) -> None:
    assert expected in ngettext(*RESIDENTS, n, locale="ru").format(count=n)


@pytest.mark.parametrize("n", [0, 1, 2, 5, 21])
def test_kyrgyz_noun_stays_singular_after_a_numeral(n: int) -> None:
    assert f"{n} тургун колдонот" in ngettext(*RESIDENTS, n, locale="ky").format(count=n)


@pytest.mark.parametrize(
    ("saved", "telegram", "expected"),
    [("ru", "ky", "ru"), (None, "ky", "ky"), (None, "ru-RU", "ru"), (None, "ky_KG", "ky"), (None, "uz", "ky"),
     (None, "kk", "ky"), (None, "en", "ky"), (None, None, "ky"), (None, "", "ky"), ("xx", "en", "ky")],
)
def test_locale_choice(saved, telegram, expected) -> None:
    assert choose_locale(saved, telegram, "ky") == expected


def test_locale_choice_with_russian_default() -> None:
    assert choose_locale(None, "en", "ru") == "ru"


def test_texts_differ_by_locale_and_are_never_raw_msgids() -> None:
    ky, ru = _("Main menu", locale="ky"), _("Main menu", locale="ru")
    assert ky == "Башкы меню" and ru == "Главное меню"


def test_dates_are_shown_in_bishkek_time_in_the_readers_language() -> None:
    moment = datetime(2025, 3, 18, 18, 30, tzinfo=UTC)  # 00:30 on the 19th in Bishkek (UTC+6)
    assert format_datetime(moment, "ky") == "2025-ж., 19-март, 00:30"
    assert format_datetime(moment, "ru") == "19 марта 2025\u202fг., 00:30"
    assert "шаршемби" in format_date(moment, "ky", weekday=True)
    assert "среда" in format_date(moment, "ru", weekday=True)
    assert format_number(1234567, "ru") == "1\xa0234\xa0567"
    with pytest.raises(ValueError):
        format_datetime(datetime(2025, 3, 18, 18, 30), "ru")


@pytest.mark.parametrize("locale", ["ky", "ru"])
def test_no_text_names_the_ayil_okmotu_alone(locale: str) -> None:
    """Residents of towns and cities deal with a mayor's office: a text naming the ayil okmotu must
    name the town hall too ("айыл өкмөтү же мэрия"); otherwise it says "municipality"."""
    from babel.messages.mofile import read_mo

    path = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.mo"
    with path.open("rb") as fp:
        catalog = read_mo(fp)
    offenders = []
    for message in catalog:
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        for text in strings:
            lower = (text or "").lower()
            if ("айыл өкмөт" in lower or "айыл окмоту" in lower) and "мэри" not in lower:
                offenders.append(text)
    assert offenders == []
