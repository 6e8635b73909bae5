"""Words for statements about series: month names, numbers and labels in English or Spanish.

Spanish follows the RAE: decimal comma, a space between thousands groups
(``249 740``) and a space before ``%``; months are lower case
(``diciembre de 2023``).
"""

from __future__ import annotations

import pandas as pd

from corridor.canonical.months import MONTHS_EN, MONTHS_ES
from corridor.countries import name_of
from corridor.errors import ConfigError

LANGS: tuple[str, ...] = ("en", "es")

_MONTHS = {"en": MONTHS_EN, "es": MONTHS_ES}


def check_lang(lang: str) -> str:
    """``lang`` itself when statements can be written in it, else a ConfigError."""
    if lang not in LANGS:
        raise ConfigError(f"unknown language `{lang}`; use one of: {', '.join(LANGS)}")
    return lang


def month(ts: pd.Timestamp, lang: str) -> str:
    """``December 2023`` / ``diciembre de 2023``."""
    name = _MONTHS[lang][ts.month - 1]
    return f"{name} de {ts.year}" if lang == "es" else f"{name} {ts.year}"


def span(first: pd.Timestamp, last: pd.Timestamp, lang: str) -> str:
    """``October 2017 to May 2025`` / ``octubre de 2017 a mayo de 2025``."""
    joiner = " a " if lang == "es" else " to "
    return month(first, lang) + joiner + month(last, lang)


def count(value: float, lang: str) -> str:
    """A count with thousands separators: ``249,740`` / ``249 740``."""
    text = f"{round(value):,}"
    return text.replace(",", " ") if lang == "es" else text


def pct(value: float, lang: str) -> str:
    """A percentage with one decimal: ``50.3%`` / ``50,3 %``."""
    text = f"{value:.1f}"
    return text.replace(".", ",") + " %" if lang == "es" else text + "%"


def ratio(value: float, lang: str) -> str:
    """A ratio with two decimals: ``0.87`` / ``0,87``."""
    text = f"{value:.2f}"
    return text.replace(".", ",") if lang == "es" else text


def subject(label: str, nat: str | None, lang: str) -> str:
    """The checkpoint label, narrowed to one nationality when given."""
    if not nat:
        return label
    country = name_of(nat.upper(), lang)
    return f"{label}, nacionales de {country}" if lang == "es" else f"{label}, {country} nationals"
