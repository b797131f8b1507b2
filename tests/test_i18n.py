"""Localization: complete catalogs, plural forms, contexts (msgctxt), locale choice, Babel dates in Asia/Bishkek."""

from __future__ import annotations

import copy
import pickle
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_keywords
from babel.messages.pofile import read_po, write_po

from bot.i18n import (
    LOCALES_DIR,
    NC_,
    Catalogs,
    _,
    choose_locale,
    compile_catalogs,
    format_date,
    format_datetime,
    format_number,
    ngettext,
    npgettext,
    pgettext,
)

ROOT = Path(__file__).resolve().parent.parent

RESIDENTS = ("{count} resident of your municipality uses the bot.", "{count} residents of your municipality use the bot.")


@pytest.mark.parametrize("locale", ["ky", "ru"])
def test_every_message_is_translated(locale: str) -> None:
    template = read_po((LOCALES_DIR / "messages.pot").open("rb"))
    catalog = read_po((LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb"), locale=locale)
    ids = {(m.context, m.id) for m in template if m.id}
    untranslated = [m.id for m in catalog if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))]
    assert not untranslated
    assert ids <= {(m.context, m.id) for m in catalog if m.id}, "run `make locales` and translate the new strings"
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not fuzzy


def makefile_keywords() -> dict:
    """The extraction keywords of the Makefile's ``locales`` target, as Babel's keyword specs."""
    line = re.search(r"^LOCALE_KEYWORDS := (.+)$", (ROOT / "Makefile").read_text(), re.M)
    assert line, "the Makefile names its keywords in LOCALE_KEYWORDS"
    return {"_": None, "gettext": None, "ngettext": (1, 2),
            **parse_keywords(re.findall(r"--keywords=(\S+)", line.group(1)))}


def test_template_is_up_to_date_with_the_code() -> None:
    """Every string the code marks for translation, with its context, is in messages.pot (`make locales`)."""
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        ROOT / "bot", method_map=[("**.py", "python")], keywords=makefile_keywords()
    ):
        found.add((context, message if isinstance(message, str) else message[0]))
    template = {(m.context, m.id if isinstance(m.id, str) else m.id[0])
                for m in read_po((LOCALES_DIR / "messages.pot").open("rb")) if m.id}
    assert found - template == set()
    assert ("service status", "proposed") in template and ("button", "Done") in template


def test_the_locales_target_extracts_contexts(tmp_path: Path) -> None:
    """``make locales`` keeps the context of ``pgettext``, ``npgettext`` and ``NC_`` as msgctxt."""
    (tmp_path / "labels.py").write_text(
        'from bot.i18n import NC_, npgettext, pgettext\n'
        'A = NC_("service status", "proposed")\n'
        'B = pgettext("button", "Done")\n'
        'C = npgettext("survey", "{n} vote", "{n} votes", 3)\n')
    found = {(context, message) for _f, _l, message, _c, context in extract_from_dir(
        tmp_path, method_map=[("**.py", "python")], keywords=makefile_keywords())}
    assert found == {("service status", "proposed"), ("button", "Done"), ("survey", ("{n} vote", "{n} votes"))}


def test_no_msgid_carries_its_context_as_an_english_prefix() -> None:
    """The old "Service status: proposed" style is gone: such a prefix is a msgctxt now (issue 12)."""
    prefixes = ("Registry export column", "Service status", "Export sheet", "Survey state", "Service origin",
                "Provider kind", "Problem history actor", "History actor", "Hearing state")
    ids = [m.id for m in read_po((LOCALES_DIR / "messages.pot").open("rb")) if isinstance(m.id, str) and m.id]
    assert [i for i in ids if i.startswith(tuple(f"{p}: " for p in prefixes))] == []


@pytest.mark.parametrize(
    ("locale", "button", "plan_done", "state_column", "state_money", "problem_rejected", "proposal_rejected"),
    [("ky", "Даяр", "Аткарылды", "Абалы", "Мамлекет", "Четке кагылды", "Четке кагылды"),
     ("ru", "Готово", "Выполнено", "Состояние", "Государство", "Отклонена", "Отклонено")],
)
def test_one_english_word_is_two_words_by_its_context(locale, button, plan_done, state_column, state_money,
                                                       problem_rejected, proposal_rejected) -> None:
    from bot.domain import plans
    from bot.domain import problems as pb

    assert pgettext("button", "Done", locale=locale) == button
    assert pgettext("plan item status", "Done", locale=locale) == plan_done == _(plans.ITEM_STATUSES["done"], locale=locale)
    assert _("State", locale=locale) == state_column and _(plans.SOURCES["state"], locale=locale) == state_money
    assert _(pb.STATUSES["rejected"], locale=locale) == problem_rejected
    assert _(plans.DECISIONS["rejected"], locale=locale) == proposal_rejected


def test_a_context_marker_is_its_english_text_until_translated() -> None:
    label = NC_("service status", "proposed")
    assert label == "proposed" and label.context == "service status" and f"{label}" == "proposed"
    assert _(label, locale="ru") == "предложена" and _(label, locale="ky") == "сунушталды"
    for again in (pickle.loads(pickle.dumps(label)), copy.deepcopy(label)):
        assert again.context == "service status" and _(again, locale="ru") == "предложена"
    # a context with no entry stays English: never the context-free entry's translation
    assert pgettext("no such context", "Done", locale="ru") == "Done"
    assert type(_(label, locale="ru")) is str


def test_plural_forms_within_a_context(tmp_path: Path) -> None:
    """``npgettext`` picks the plural form of the entry in that context (one catalog per locale, compiled here)."""
    forms = {"ky": ("{n} добуш", "{n} добуш"), "ru": ("{n} голос", "{n} голоса", "{n} голосов")}
    for locale, strings in forms.items():
        catalog = Catalog(locale=locale)
        catalog.add(("{n} vote", "{n} votes"), strings, context="survey")
        catalog.add(("{n} vote", "{n} votes"), ("X", "X", "X")[:len(strings)])
        folder = tmp_path / locale / "LC_MESSAGES"
        folder.mkdir(parents=True)
        with (folder / "messages.po").open("wb") as fp:
            write_po(fp, catalog)
    compile_catalogs(tmp_path)
    catalogs = Catalogs(tmp_path)
    assert [catalogs.pgettext("survey", "{n} vote", "{n} votes", n, locale="ru") for n in (1, 3, 5)] == [
        "{n} голос", "{n} голоса", "{n} голосов"]
    assert catalogs.pgettext("survey", "{n} vote", "{n} votes", 5, locale="ky") == "{n} добуш"
    assert catalogs.gettext("{n} vote", "{n} votes", 5, locale="ru") == "X"
    assert npgettext("survey", "{n} vote", "{n} votes", 5, locale="ru") == "{n} votes"  # not in the real catalogs


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
    assert format_datetime(moment, "ru") == "19 марта 2025, 00:30"  # no "г." to close a sentence twice
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


@pytest.mark.parametrize("locale", ["ky", "ru"])
def test_no_message_closes_a_sentence_twice_after_a_date(locale: str) -> None:
    """Every catalog message filled with a real date, a date with its weekday, a time and a quarter in
    the reader's language: none reads "2025 г.." (a date ending in an abbreviation before the
    sentence's own full stop, issue 12)."""
    import string

    from bot.i18n import format_quarter

    moment = datetime(2027, 3, 18, 14, 5, tzinfo=UTC)
    samples = [format_date(moment, locale), format_date(moment, locale, weekday=True),
               format_datetime(moment, locale)]
    quarter = format_quarter("2027Q1", locale)
    with open(LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle, locale=locale)
    doubled = []
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            fields = {name for _lit, name, _spec, _conv in string.Formatter().parse(text or "") if name}
            for sample in samples:
                filled = (text or "").format(**{name: quarter if "quarter" in name else sample for name in fields})
                if re.search(r"(?<!\.)\.\.(?!\.)", filled):
                    doubled.append(filled)
    assert not doubled, doubled[:5]
