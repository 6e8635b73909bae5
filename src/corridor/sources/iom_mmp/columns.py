"""The columns of IOM's Missing Migrants Project download, under every spelling seen.

The global CSV (``Missing_Migrants_Global_Figures_allData.csv``) changed its
header over the years: ``Number Dead`` became ``Number of Dead``, ``Reported
Date`` became ``Incident Date``, ``Location Coordinates`` became
``Coordinates``, and ``Country of Incident`` only appeared in 2023. Each field
below lists the spellings corridor knows (compared case-, accent- and
punctuation-folded); any other column is a layout change and fails the ingest.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from corridor.countries import fold
from corridor.errors import InputError, Location

#: field -> published spellings, the current one first
ALIASES: dict[str, tuple[str, ...]] = {
    "main_id": ("Main ID",),
    "incident_id": ("Incident ID", "Web ID"),
    "incident_type": ("Incident Type",),
    "region": ("Region of Incident", "Region"),
    "date": ("Incident Date", "Reported Date"),
    "year": ("Incident Year", "Reported Year"),
    "month": ("Month", "Reported Month"),
    "dead": ("Number of Dead", "Number Dead"),
    "missing": ("Minimum Estimated Number of Missing",),
    "total": ("Total Number of Dead and Missing", "Total Dead and Missing"),
    "survivors": ("Number of Survivors",),
    "females": ("Number of Females",),
    "males": ("Number of Males",),
    "children": ("Number of Children",),
    "origin": ("Country of Origin",),
    "origin_region": ("Region of Origin",),
    "cause": ("Cause of Death",),
    "country": ("Country of Incident",),
    "route": ("Migration Route",),
    "location": ("Location of Incident", "Location of Death", "Location Description"),
    "coordinates": ("Coordinates", "Location Coordinates"),
    "unsd": ("UNSD Geographical Grouping",),
    "info_source": ("Information Source",),
    "link": ("Link", "URL"),
    "quality": ("Source Quality",),
}

#: fields every layout since 2019 has: one of them absent beside an unknown column was renamed
_CORE = ("total", "dead", "missing", "coordinates", "route", "cause", "location", "region")
_BY_KEY: dict[str, str] = {fold(name): f for f, names in ALIASES.items() for name in names}
#: words that make a header an MMP header even when some columns were renamed
_SNIFF_WORDS = ("dead", "missing")
_SNIFF_ANY = ("incident", "web id", "migration route", "cause of death")


def looks_like_mmp(header: list[str]) -> bool:
    """Whether a header row is an MMP export (lenient, so renamed columns still fail clearly)."""
    text = " | ".join(fold(h) for h in header)
    return all(w in text for w in _SNIFF_WORDS) and any(w in text for w in _SNIFF_ANY)


@dataclass(frozen=True)
class Layout:
    """Which column (index) holds each field; absent fields are missing from the dict."""

    path: Path
    names: list[str]
    index: dict[str, int]

    def has(self, field: str) -> bool:
        return field in self.index

    def name(self, field: str) -> str:
        return self.names[self.index[field]]


def read_layout(path: Path, header: list[str], row: int) -> Layout:
    """Map a header row onto the fields; raise on any unknown, doubled or missing column.

    Raises:
        InputError: naming the column and saying what changed.
    """
    index: dict[str, int] = {}
    unknown: list[int] = []
    for i, raw in enumerate(header):
        name = raw.strip()
        if not name:
            if any(h.strip() for h in header[i + 1 :]):
                _fail(path, row, "a column without a name", None, f"column {i + 1}")
            break  # trailing empty cells of a spreadsheet row
        field = _BY_KEY.get(fold(name))
        if field is None:
            unknown.append(i)
        elif field in index:
            _fail(
                path,
                row,
                f"columns `{header[index[field]]}` and `{name}` hold the same field",
                name,
                name,
            )
        else:
            index[field] = i
    found = [header[i].strip() for i in unknown]
    missing = _missing_field(index)
    if missing is not None:
        name, reason = missing
        if found:
            reason += f"; found `{found[0]}`"
        shown = found[0] if found else ", ".join(h.strip() for h in header if h.strip())
        _fail(path, row, reason + " — the layout changed", found[0] if found else name, shown)
    if found:
        absent = [f for f in _CORE if f not in index]
        reason = f"unexpected column `{found[0]}`"
        if absent:  # most likely a renamed column
            reason = f"column `{ALIASES[absent[0]][0]}` is missing; found `{found[0]}`"
        _fail(path, row, reason + " — the layout changed", found[0], found[0])
    return Layout(path, [h.strip() for h in header], index)


def _missing_field(index: dict[str, int]) -> tuple[str, str] | None:
    """The first required column a header lacks: (its current spelling, the reason)."""
    if "incident_id" not in index:
        name = ALIASES["incident_id"][0]
        return name, f"column `{name}` is missing"
    if "total" not in index and not {"dead", "missing"} <= set(index):
        name = ALIASES["total"][0]
        return name, f"column `{name}` is missing"
    if "date" not in index and not {"year", "month"} <= set(index):
        name = ALIASES["date"][0]
        year, month = ALIASES["year"][0], ALIASES["month"][0]
        return name, f"column `{name}` (or `{year}` and `{month}`) is missing"
    return None


def _fail(path: Path, row: int, reason: str, column: str | None, value: str) -> None:
    known = ", ".join(f"`{names[0]}`" for names in ALIASES.values())
    raise InputError(
        reason,
        Location(str(path), row, column, value),
        hint=f"an MMP download has the columns {known} (older spellings accepted)",
    )


__all__ = ["ALIASES", "Layout", "looks_like_mmp", "read_layout"]
