"""Months as INM's Power BI exports write them: ``enero 2024``, ``Año`` + ``Mes``."""

from __future__ import annotations

import re
from datetime import date

from corridor.canonical.months import MONTH_NUMBERS_ES, MONTHS_ES
from corridor.countries import fold

MONTHS: dict[str, int] = {
    **MONTH_NUMBERS_ES,
    "ene": 1, "feb": 2, "mar": 3, "abr": 4, "may": 5, "jun": 6, "jul": 7,
    "ago": 8, "sep": 9, "sept": 9, "set": 9, "oct": 10, "nov": 11, "dic": 12,
}  # fmt: skip
NAMES = MONTHS_ES

_NAME_YEAR = re.compile(r"^([a-z]+) (?:de |del )?(\d{4})$")
_YEAR_NAME = re.compile(r"^(\d{4}) ([a-z]+)$")
_YEAR_NUM = re.compile(r"^(\d{4}) (\d{1,2})$")
_NUM_YEAR = re.compile(r"^(\d{1,2}) (\d{4})$")


def label(month: date) -> str:
    """``enero 2024``: how the export writes a month, for messages."""
    return f"{NAMES[month.month - 1]} {month.year}"


def month_and_year(text: str) -> date | None:
    """``enero 2024``, ``Enero de 2024``, ``ene. 2024``, ``2024-01``, ``01/2024``; else None."""
    key = fold(text)
    for pattern, name_first in ((_NAME_YEAR, True), (_YEAR_NAME, False)):
        found = pattern.match(key)
        if found:
            name, year = found.groups() if name_first else found.groups()[::-1]
            month = MONTHS.get(name)
            return date(int(year), month, 1) if month else None
    for pattern, year_first in ((_YEAR_NUM, True), (_NUM_YEAR, False)):
        found = pattern.match(key)
        if found:
            year, month = map(int, found.groups() if year_first else found.groups()[::-1])
            return date(year, month, 1) if 1 <= month <= 12 else None
    return None


def month_only(text: str) -> int | None:
    """``enero``, ``Ene.`` or ``1`` (with a separate ``Año`` column); else None."""
    key = fold(text)
    if key.isdigit():
        number = int(key)
        return number if 1 <= number <= 12 else None
    return MONTHS.get(key)


def year_only(text: str) -> int | None:
    """``2024``, or ``2.024``/``2,024`` when the locale groups the year's digits too."""
    digits = re.sub(r"[.,\s\u00a0]", "", text.strip())
    return int(digits) if re.fullmatch(r"(?:19|20)\d{2}", digits) else None


def quarter(text: str) -> int | None:
    """``Trimestre 1``, ``T1``, ``Qtr 1`` -> 1."""
    found = re.fullmatch(r"(?:trimestre|trim|t|qtr|q)\s*([1-4])", fold(text).replace(" ", ""))
    return int(found.group(1)) if found else None
