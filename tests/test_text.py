"""Cleaning what people type (``bot.domain.text``): invisible and reordering characters go, emoji stay."""

from __future__ import annotations

from bot.domain.text import clean_user_text, fold


def test_cleaning_keeps_emoji_sequences_but_drops_reordering_characters() -> None:
    family, farmer, scotland = "👨\u200d👩\u200d👧", "👩\u200d🌾", "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
    assert clean_user_text(f"Үй-бүлө {family} фермер {farmer} {scotland}") == f"Үй-бүлө {family} фермер {farmer} {scotland}"
    assert clean_user_text("Ivan\u202e\u200b\u2066 Петров\ufeff") == "Ivan Петров"


def test_folding_matches_kyrgyz_letters_typed_on_a_russian_keyboard() -> None:
    assert fold("Көк-Жаңгак") == fold("кок жангак") == "кок жангак"
    assert fold("Кара-Суу") == fold("кара  суу") and fold("\u200bАк\u00ad-Суу") == "ак суу"
