"""Cells of an MMP download: counts, dates, months, coordinates and country lists."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime

from corridor.countries import OTHER, UNKNOWN, alias_table, fold, resolve
from corridor.errors import InputError, Location, UnknownCountryError
from corridor.sources.document import parse_count

#: country spellings of MMP that the shared alias table lacks (folded name -> ISO3);
#: none so far: every name in the 2014-2025 downloads resolves. Add here, not there.
COUNTRY_ALIASES: dict[str, str] = {}

_WHOLE_FLOAT = re.compile(r"^(\d+)\.0+$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
# Drupal's date field as the site exports it: `Sun, 03/17/2024 - 12:00` (month first).
_US_DATE = re.compile(
    r"^(?:[A-Za-z]{3,9},\s*)?(\d{1,2})/(\d{1,2})/(\d{4})(?:\s*-\s*\d{1,2}:\d{2})?$"
)
_LONG_FORMATS = ("%B %d, %Y", "%A, %B %d, %Y", "%b %d, %Y", "%d %B %Y")
# English names (calendar's C locale: corridor never calls setlocale)
_MONTHS = {n.lower(): i for i, n in enumerate(calendar.month_name) if n} | {
    n.lower(): i for i, n in enumerate(calendar.month_abbr) if n
}
_NUMBER = r"[-+]?\d+(?:\.\d+)?"
_POINT = re.compile(rf"^POINT\s*\(\s*({_NUMBER})\s+({_NUMBER})\s*\)$", re.IGNORECASE)
_PAIR = re.compile(rf"^({_NUMBER})\s*[,;]\s*({_NUMBER})$")
_NO_VALUE = frozenset({"", "-", "n/a", "na", "unknown", "none"})


def count(text: str, where: Location) -> int | None:
    """A count cell; None when blank (not published), which is not the same as 0."""
    text = text.strip()
    if not text:
        return None
    whole = _WHOLE_FLOAT.match(text)  # `12.0`: the file went through a float column
    return parse_count(whole.group(1) if whole else text, where)


def incident_date(text: str, where: Location) -> date | None:
    """``2024-03-17``, ``Sun, 03/17/2024 - 12:00``, ``03/17/2024`` or ``March 17, 2024``."""
    text = text.strip()
    if not text:
        return None
    try:
        if m := _ISO_DATE.match(text):
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if m := _US_DATE.match(text):
            return date(int(m.group(3)), int(m.group(1)), int(m.group(2)))
    except ValueError:
        raise InputError("not a calendar date", where) from None
    for fmt in _LONG_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise InputError(
        "not a date", where, hint="expected `2024-03-17`, `Sun, 03/17/2024 - 12:00` or `03/17/2024`"
    )


def year_month(year: str, month: str, where_year: Location, where_month: Location) -> date:
    """The first day of a month from the `Incident Year` and `Month` cells."""
    y = year.strip()
    whole = _WHOLE_FLOAT.match(y)
    y = whole.group(1) if whole else y
    if not (y.isdigit() and len(y) == 4):
        raise InputError("not a year", where_year)
    return date(int(y), month_number(month, where_month), 1)


def month_number(text: str, where: Location) -> int:
    """``March``, ``Mar`` or ``3``."""
    key = text.strip().lower().rstrip(".")
    if key.isdigit() and 1 <= int(key) <= 12:
        return int(key)
    if key in _MONTHS:
        return _MONTHS[key]
    raise InputError("not a month", where, hint="expected an English month name such as `March`")


def coordinates(text: str, where: Location) -> tuple[float | None, float | None]:
    """(lat, lon) from ``"lat, lon"`` or ``POINT (lon lat)``; (None, None) when blank."""
    text = text.strip()
    if text.lower() in _NO_VALUE:
        return None, None
    if m := _POINT.match(text):
        lon, lat = float(m.group(1)), float(m.group(2))
    elif m := _PAIR.match(text):
        lat, lon = float(m.group(1)), float(m.group(2))
    else:
        raise InputError("not coordinates", where, hint="expected `lat, lon` or `POINT (lon lat)`")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InputError(
            f"coordinates out of range (lat {lat}, lon {lon})",
            where,
            hint="latitude must be within ±90 and longitude within ±180",
        )
    return lat, lon


class Countries:
    """Resolves country cells once per distinct value (a global file repeats them a lot)."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[str, ...]] = {}

    def codes(self, text: str, where: Location) -> tuple[str, ...]:
        """ISO3 codes of a cell, in order, without repeats (``()`` when blank).

        A whole cell is tried first: ``Korea, Republic of`` is one country. Else
        it is a list joined by commas (``Venezuela,Colombia``).
        """
        key = text.strip()
        if key in self._cache:
            return self._cache[key]
        if not key:
            found: tuple[str, ...] = ()
        else:
            whole = _one(key)
            if whole is not None:
                found = (whole,)
            else:
                parts = [p.strip() for p in key.split(",") if p.strip()]
                found = tuple(dict.fromkeys(_resolve(p, where) for p in parts))
        self._cache[key] = found
        return found

    def one(self, text: str, where: Location) -> str:
        """One ISO3 code: the country, ``UNK`` when blank, ``OTH`` when several."""
        found = self.codes(text, where)
        if not found:
            return UNKNOWN
        return found[0] if len(found) == 1 else OTHER


def _one(name: str) -> str | None:
    # A plain lookup: ``resolve`` would compute spelling suggestions for every
    # list of names ("Venezuela,Colombia"), which made parsing 30x slower.
    key = fold(name)
    return COUNTRY_ALIASES.get(key) or alias_table().get(key)


def _resolve(name: str, where: Location) -> str:
    local = COUNTRY_ALIASES.get(fold(name))
    if local is not None:
        return local
    try:
        return resolve(name)
    except UnknownCountryError as exc:
        raise InputError(
            "unknown country: a new spelling in the download?",
            Location(where.file, where.row, where.column, name),
            hint=exc.hint,
        ) from None


__all__ = [
    "COUNTRY_ALIASES",
    "Countries",
    "coordinates",
    "count",
    "incident_date",
    "month_number",
    "year_month",
]
