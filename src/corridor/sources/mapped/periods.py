"""Years, months and dates as agencies print them (Spanish or English, cells or text)."""

from __future__ import annotations

import re
from datetime import date, datetime

from corridor.countries import fold

_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("enero", "ene", "january", "jan"),
    2: ("febrero", "feb", "february"),
    3: ("marzo", "mar", "march"),
    4: ("abril", "abr", "april", "apr"),
    5: ("mayo", "may"),
    6: ("junio", "jun", "june"),
    7: ("julio", "jul", "july"),
    8: ("agosto", "ago", "august", "aug"),
    # Costa Rica and others write "Setiembre"
    9: ("septiembre", "setiembre", "sep", "sept", "set", "september"),
    10: ("octubre", "oct", "october"),
    11: ("noviembre", "nov", "november"),
    12: ("diciembre", "dic", "december", "dec"),
}
MONTHS: dict[str, int] = {name: m for m, names in _MONTH_NAMES.items() for name in names}
SPANISH = ("Enero", "Febrero", "Marzo", "Abril", "Mayo", "Junio", "Julio", "Agosto",
           "Setiembre", "Octubre", "Noviembre", "Diciembre")  # fmt: skip

_YEAR = re.compile(r"^(19|20)\d\d$")
_NAME_YEAR = re.compile(r"^([a-z]+)\s*(\d{2}|\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})(?:[-/.]\d{1,2})?(?:[ T].*)?$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})[-/.](\d{4})$")


def month_of(value: object) -> int | None:
    """A month number from ``3``, ``"03"``, ``"Marzo"``, ``"mar."``, ``"Setiembre"`` or a date."""
    if isinstance(value, datetime | date):
        return value.month
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return value if 1 <= value <= 12 else None
    text = str(value).strip()
    if text.isdigit():
        number = int(text)
        return number if 1 <= number <= 12 else None
    return MONTHS.get(fold(text))


def year_of(value: object) -> int | None:
    """A year from ``2024``, ``2024.0``, ``"2024"`` or a date."""
    if isinstance(value, datetime | date):
        return value.year
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip().removesuffix(".0")  # 2024.0: a year written by pandas
    return int(text) if _YEAR.match(text) else None


def year_month_of(value: object) -> tuple[int, int] | None:
    """A month of a year from a header: a date cell, ``ene-24``, ``Enero 2024``, ``2024-01``."""
    if isinstance(value, datetime | date):
        return value.year, value.month
    text = fold(str(value)) if value is not None else ""
    found = _NAME_YEAR.match(text)
    if found and found.group(1) in MONTHS:
        year = int(found.group(2))
        return (2000 + year if year < 100 else year), MONTHS[found.group(1)]
    raw = str(value).strip() if value is not None else ""
    for pattern, y, m in ((_YEAR_MONTH, 1, 2), (_MONTH_YEAR, 2, 1)):
        found = pattern.match(raw)
        if found and 1 <= int(found.group(m)) <= 12:
            return int(found.group(y)), int(found.group(m))
    return None


def date_of(value: object, fmt: str | None) -> date | None:
    """The first day of the period in a date cell or text (``fmt``: strptime, else ISO)."""
    if isinstance(value, datetime | date):
        return date(value.year, value.month, 1)
    text = str(value).strip() if value is not None else ""
    if not text:
        return None
    if fmt is None:
        found = year_month_of(text)
        return date(found[0], found[1], 1) if found else None
    try:
        parsed = datetime.strptime(text, fmt)
    except ValueError:
        return None
    return date(parsed.year, parsed.month, 1)
