"""Splitting long announcements: parts fit Telegram's limits, no word and no HTML tag is cut."""

from __future__ import annotations

import re

import pytest

from bot.delivery.render import plan
from bot.delivery.split import CAPTION_LIMIT, TEXT_LIMIT, split_html, visible_length
from bot.domain.outbox import Button, Content, LocalizedMessage
from bot.sandbox.emulator import parse_html, utf16_len

KY_PARAGRAPH = (
    "Урматтуу тургундар! Айыл өкмөтү жергиликтүү бюджет боюнча коомдук угууга чакырат. "
    "Күн тартибинде: <b>көчөлөрдү жарыктандыруу</b>, ичүүчү суу түтүгүн оңдоо жана "
    "<a href=\"https://example.kg/budget\">бюджеттин долбоору</a> тууралуу сунуштар. "
    "Ар бир жарандын пикири маанилүү, өз сунуштарыңызды алып келиңиз 🙂."
)
RU_PARAGRAPH = (
    "Уважаемые жители! Айыл окмоту приглашает на публичные слушания по местному бюджету. "
    "В повестке дня: <i>освещение улиц</i>, ремонт водопровода и предложения по "
    "<b>проекту бюджета &amp; плану действий</b>. Мнение каждого гражданина важно 👍."
)


def _words(html_text: str) -> list[str]:
    text, _ = parse_html(html_text)
    return text.split()


@pytest.mark.parametrize("paragraph", [KY_PARAGRAPH, RU_PARAGRAPH])
def test_long_text_splits_at_paragraphs_and_every_part_is_valid_html(paragraph: str) -> None:
    source = "\n\n".join(f"{i}. {paragraph}" for i in range(60))
    assert visible_length(source) > 3 * TEXT_LIMIT
    parts = split_html(source)
    assert len(parts) >= 4
    for part in parts:
        text, _ = parse_html(part)  # raises on a cut or unbalanced tag
        assert 0 < utf16_len(text) <= TEXT_LIMIT
        assert re.match(r"^\d+\. ", text), "each part starts at a paragraph"
    assert sum((_words(p) for p in parts), []) == _words(source), "no word cut, lost or added"


def test_a_tag_open_across_the_cut_is_closed_and_reopened() -> None:
    words = " ".join(["сөз"] * 3000)  # one paragraph, no line breaks: cut at spaces
    source = f'<b>Башы: <a href="https://example.kg/x">{words}</a></b> аягы'
    parts = split_html(source, 1000)
    assert len(parts) >= 10
    for part in parts:
        text, entities = parse_html(part)
        assert utf16_len(text) <= 1000
        assert not text.startswith(" ") and not text.endswith(" ")
        assert {e["type"] for e in entities} >= {"bold"}
    for part in parts[1:-1]:
        assert part.startswith('<b><a href="https://example.kg/x">') and part.endswith("</a></b>")
    assert sum((_words(p) for p in parts), []) == _words(source)


def test_a_word_longer_than_the_limit_is_cut_between_characters_not_inside_an_entity() -> None:
    source = "<i>" + "ж&amp;" * 700 + "</i>"
    parts = split_html(source, 500)
    assert all(utf16_len(parse_html(p)[0]) <= 500 for p in parts)
    assert "".join(parse_html(p)[0] for p in parts) == "ж&" * 700


def test_emoji_count_two_units_and_short_text_is_untouched() -> None:
    assert split_html("Салам <b>😀</b>") == ["Салам <b>😀</b>"]
    parts = split_html(" ".join(["😀😀"] * 2000), TEXT_LIMIT)
    assert len(parts) == 3
    assert all(utf16_len(parse_html(p)[0]) <= TEXT_LIMIT for p in parts)


def test_a_long_caption_moves_into_a_following_message_with_the_buttons() -> None:
    long_ru = "\n\n".join([RU_PARAGRAPH] * 6)
    assert CAPTION_LIMIT < visible_length(long_ru) < TEXT_LIMIT
    content = Content({"ru": LocalizedMessage(long_ru, [[Button("Подробнее", callback_data="x:1")]]),
                       "ky": LocalizedMessage("Кыска кулактандыруу")}, photo="AgACAgIAAxkBAAI1")
    ru = plan(content.to_json(), "ru")
    assert [s.photo for s in ru] == ["AgACAgIAAxkBAAI1", None]
    assert ru[0].text == "" and ru[0].markup is None
    assert ru[1].markup is not None and parse_html(ru[1].text)[0].startswith("Уважаемые")
    ky = plan(content.to_json(), "ky")
    assert len(ky) == 1 and ky[0].photo and ky[0].text == "Кыска кулактандыруу"
