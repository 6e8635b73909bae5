"""One dictionary: both languages for every key, Accept-Language honoured in order."""

from __future__ import annotations

from string import Formatter

import pytest

from corridor.web.i18n import TEXT, check, from_accept_language, t


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


def test_every_key_in_both_languages_with_the_same_fields() -> None:
    for key, (en, es) in TEXT.items():
        assert en and es, key
        assert _fields(en) == _fields(es), key


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("es-MX,es;q=0.9,en;q=0.8", "es"),
        ("fr-FR,fr;q=0.9,en;q=0.8", "en"),
        ("en;q=0.3,es;q=0.9", "es"),
        ("", "en"),
        (None, "en"),
        ("es;q=abc,en", "en"),
    ],
)
def test_accept_language(header: str | None, lang: str) -> None:
    assert from_accept_language(header) == lang


def test_unknown_lang_falls_back_and_fields_fill() -> None:
    assert check("de") == "en" and check("es") == "es"
    assert t("nat_title", "es", nat="Venezuela") == "Venezuela en cada punto de control"
