"""What the UNHCR API pages and Refugee Data Finder CSVs share: identity, places, rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from corridor.countries import STATELESS, UNKNOWN, fold, is_iso3, resolve
from corridor.errors import InputError, Location, UnknownCountryError
from corridor.sources.base import Publication, SourceInfo
from corridor.sources.document import DeclaredTotal, Parsed, canonical_frame, parse_count
from corridor.sources.unhcr.events import FIELD_EVENTS, HOST_COMMUNITY

FINDER = "https://www.unhcr.org/refugee-statistics/download/"
API = "https://api.unhcr.org/population/v1/population/"
#: countries of asylum along the corridor (Andean hosts of Venezuelans to the US)
CORRIDOR_ASYLUM = (
    "COL",
    "ECU",
    "PER",
    "CHL",
    "BRA",
    "PAN",
    "CRI",
    "NIC",
    "HND",
    "SLV",
    "GTM",
    "BLZ",
    "MEX",
    "USA",
    "CAN",
)
GROUP = "UNHCR.population"
#: UNHCR's own codes in ISO columns -> corridor codes
CODE_ALIASES: dict[str, str] = {"XXA": STATELESS, "UKN": UNKNOWN}
#: UNHCR names the shared alias table lacks (folded) -> ISO3
NAME_ALIASES: dict[str, str] = {
    fold("Serbia and Kosovo: S/RES/1244 (1999)"): "SRB",
    fold("Tibetan"): "TIB",
    fold("Various/unknown"): UNKNOWN,
}
_NONE = frozenset({"", "-"})


def info(
    suffix: str, title: str, priority: int, notes: str, publication: Publication | None
) -> SourceInfo:
    return SourceInfo(
        id=f"unhcr.{suffix}",
        title=title,
        publisher="UNHCR, Refugee Population Statistics Database",
        geo="",
        # the API and the Refugee Data Finder serve the same database: one group
        group=GROUP,
        dims=frozenset({"nat"}),
        priority=priority,
        url=FINDER,
        notes=notes
        + " Year-end stocks (and returns during the year) by country of asylum (geo) and "
        "origin (nat), dated 1 January of the year (freq A). Host community not stored.",
        agency="UNHCR",
        events=frozenset(FIELD_EVENTS.values()),
        publication=publication,
    )


@dataclass(frozen=True)
class Cell:
    """A published value and where it sits."""

    text: str
    where: Location


@dataclass(frozen=True)
class Figure:
    """One published row: a year, an origin, an asylum country and its counts."""

    row: int
    year: int
    origin_code: Cell
    origin_name: Cell
    asylum_code: Cell
    asylum_name: Cell
    counts: dict[str, int]


@dataclass
class Figures:
    """Turns the rows of one file into canonical rows, notes and totals."""

    path: Path
    notes: list[str] = field(default_factory=list)
    totals: list[DeclaredTotal] = field(default_factory=list)
    _cache: dict[tuple[str, str], str | None] = field(default_factory=dict)

    def parse(self, figures: list[Figure]) -> Parsed:
        if not figures:
            raise InputError("the file holds no rows", Location(str(self.path)))
        records: list[dict[str, object]] = []
        seen: dict[tuple[int, str, str], int] = {}
        host = no_origin = 0
        for fig in figures:
            asylum = self._place(fig.asylum_code, fig.asylum_name)
            if asylum is None:
                raise InputError(
                    "no country of asylum",
                    fig.asylum_code.where,
                    hint="download the figures by country of asylum (API: `coa_all=true`)",
                )
            origin = self._place(fig.origin_code, fig.origin_name)
            key = (
                fig.year,
                _label(fig.origin_code, fig.origin_name),
                _label(fig.asylum_code, fig.asylum_name),
            )
            if key in seen:
                raise InputError(
                    f"the same year, origin and asylum as row {seen[key]}",
                    Location(str(self.path), fig.row, None, f"{fig.year}, {key[1]}, {key[2]}"),
                    hint="each year, origin and asylum is published once",
                )
            seen[key] = fig.row
            if origin is None:
                no_origin += 1
            period = date(fig.year, 1, 1)
            for name, n in fig.counts.items():
                if name == HOST_COMMUNITY:
                    host += n
                elif n:
                    records.append(
                        {
                            "period": period,
                            "geo": asylum,
                            "nat": origin or UNKNOWN,
                            "event": FIELD_EVENTS[name],
                            "n": n,
                        }
                    )
        if no_origin:
            self.notes.append(f"{no_origin:,} rows are not broken down by origin (`-`): nat UNK")
        if host:
            self.notes.append(
                f"{host:,} host community members are not stored (not a count of migrants)"
            )
        self.notes.append(
            "year-end stocks by country of asylum and origin, dated 1 January (freq A); "
            "returns are people returned during the year. Do not add stocks across years."
        )
        rows = canonical_frame(records, freq="A", agency="UNHCR", unit="persons")
        return Parsed(rows, self.notes, self.totals)

    def _place(self, code: Cell, name: Cell) -> str | None:
        """ISO3 from the ISO column, else from the name; None when not broken down (`-`)."""
        key = (code.text, name.text)
        if key not in self._cache:
            self._cache[key] = _resolve_place(code, name)
        return self._cache[key]


def _label(code: Cell, name: Cell) -> str:
    return code.text.strip() or name.text.strip()


def _resolve_place(code: Cell, name: Cell) -> str | None:
    iso = code.text.strip().upper()
    label = name.text.strip()
    if iso in _NONE and label in _NONE:
        return None
    if iso not in _NONE:
        if iso in CODE_ALIASES:
            return CODE_ALIASES[iso]
        if is_iso3(iso):
            return iso
    if label in _NONE:
        raise InputError(
            "not an ISO3 country code", code.where, hint="expected a code such as `COL`"
        )
    local = NAME_ALIASES.get(fold(label))
    if local is not None:
        return local
    try:
        return resolve(label)
    except UnknownCountryError as exc:
        raise InputError(
            "unknown country: a new spelling or code in the file?", name.where, hint=exc.hint
        ) from None


def count(value: object, where: Location) -> tuple[int, bool]:
    """A published count and whether it was printed as `-` (read as 0).

    The API writes numbers, numbers as strings, ``"-"`` or ``null``.
    """
    if isinstance(value, str) and value.strip() in _NONE:
        return 0, value.strip() == "-"
    loc = Location(where.file, where.row, where.column, None if value is None else str(value))
    return parse_count(value, loc), False


def year_of(value: object, where: Location) -> int:
    text = str(value).strip() if value is not None else ""
    if text.endswith(".0"):
        text = text[:-2]
    if not (text.isdigit() and len(text) == 4 and 1950 <= int(text) <= 2100):
        raise InputError(
            "not a year",
            Location(where.file, where.row, where.column, text),
            hint="expected e.g. `2023`",
        )
    return int(text)


__all__ = [
    "API",
    "CODE_ALIASES",
    "CORRIDOR_ASYLUM",
    "FINDER",
    "GROUP",
    "NAME_ALIASES",
    "Cell",
    "Figure",
    "Figures",
    "count",
    "info",
    "year_of",
]
