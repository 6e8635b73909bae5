"""IOM Missing Migrants Project: the global download of incidents, as IOM publishes it.

One row per incident (``Incident ID``; a ``Split Incident`` shares its ``Main ID``
with the other parts of one event, a ``Cumulative Incident`` sums several deaths
reported together). corridor keeps every incident in the extra table
``incidents`` (date, place, coordinates, counts, origins) and adds them up into
monthly ``death_missing`` flows, exactly as IOM's harmonised copy
``gdidata.iom_mmp`` does, so the two stay one overlap group:

- ``geo`` is the ``Country of Incident``. An incident without one (at sea,
  or an export older than 2023 that has no such column) is under ``UNK``: a
  region (``Mediterranean``) is not a country, and coordinates are not
  guessed into countries.
- ``place`` is the ``Migration Route`` as published (``Central American Route``).
- ``nat`` is the ``Country of Origin``. When a cell lists several countries
  (``Colombia,Venezuela``) the victims are not split among them — IOM does not
  say who was from where — and the whole count is under ``OTH``, as in
  gdidata; the list stays in ``incidents.origin_iso3``. A blank cell or
  ``Unknown`` is ``UNK``.
- ``n`` is ``Total Number of Dead and Missing``; dead + missing only where the
  total is blank. Where both are published they are kept as a ``DeclaredTotal``
  per incident and disagreements are reported in a note, not as errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from corridor.countries import OTHER, UNKNOWN
from corridor.errors import InputError, Location
from corridor.sources.base import Publication, SourceInfo
from corridor.sources.document import DeclaredTotal, DocumentSource, Parsed, Probe, canonical_frame
from corridor.sources.iom_mmp import values
from corridor.sources.iom_mmp.columns import ALIASES, Layout, looks_like_mmp, read_layout
from corridor.sources.iom_mmp.table import Table, probe_header, read_table

DOWNLOADS = "https://missingmigrants.iom.int/downloads"
PUBLICATION = Publication(
    page=DOWNLOADS, links=r"Missing_Migrants_Global_Figures_allData[^/]*\.(?:csv|xlsx)$"
)
INFO = SourceInfo(
    id="iom_mmp.global",
    title="IOM Missing Migrants: dead and missing, incident by incident",
    publisher="IOM Missing Migrants Project",
    geo="",
    # the same incidents as gdidata.iom_mmp (IOM GDI's monthly copy of this file)
    group="IOM.mmp",
    dims=frozenset({"place", "nat"}),
    # ahead of gdidata.iom_mmp (1): IOM's own file, with incidents and coordinates
    priority=0,
    url=DOWNLOADS,
    notes=(
        "Global CSV (or xlsx) download, every region. geo = Country of Incident (UNK at sea "
        "or in exports without that column), place = Migration Route, nat = Country of "
        "Origin (several countries in one incident: OTH, not split). Incidents with "
        "coordinates are kept in the `incidents` table."
    ),
    agency="IOM-MMP",
    events=frozenset({"death_missing"}),
    publication=PUBLICATION,
    # the download is the whole database: a newer one replaces every month it
    # covers, including incidents moved to another country or withdrawn
    snapshot=True,
)
INCIDENTS_TABLE = "incidents"

_TEXT = (
    "incident_id",
    "main_id",
    "incident_type",
    "geo",
    "route",
    "cause",
    "origin_iso3",
    "location",
    "region",
)
_COUNTS = ("dead", "missing", "total", "survivors")


class MmpGlobal(DocumentSource):
    """``Missing_Migrants_Global_Figures_allData.csv`` (or ``.xlsx``) in any known layout."""

    info = INFO

    def sniff(self, probe: Probe) -> bool:
        header = probe_header(probe)
        return header is not None and looks_like_mmp(header)

    def parse(self, path: Path) -> Parsed:
        return _Reader(read_table(path)).run()


@dataclass
class _Tally:
    """Incidents and persons behind one note."""

    incidents: int = 0
    persons: int = 0
    first: str = ""

    def add(self, persons: int, first: str) -> None:
        self.incidents += 1
        self.persons += persons
        self.first = self.first or first


@dataclass(frozen=True)
class _Row:
    """One data row: its cells by field name and their locations."""

    layout: Layout
    number: int
    cells: list[str]

    def has(self, name: str) -> bool:
        return self.layout.has(name)

    def __call__(self, name: str) -> str:
        return self.cells[self.layout.index[name]].strip() if self.layout.has(name) else ""

    def where(self, name: str) -> Location:
        column = self.layout.name(name) if self.layout.has(name) else None
        return Location(str(self.layout.path), self.number, column, self(name))


@dataclass
class _Reader:
    table: Table
    countries: values.Countries = field(default_factory=values.Countries)
    totals: list[DeclaredTotal] = field(default_factory=list)
    tallies: dict[str, _Tally] = field(default_factory=dict)

    def run(self) -> Parsed:
        t = self.table
        layout = read_layout(t.path, t.header, t.header_row)
        t.check_widths()
        if not t.rows:
            raise InputError("the download holds no incidents", Location(str(t.path)))
        records: list[dict[str, object]] = []
        incidents: list[dict[str, object]] = []
        seen: dict[str, int] = {}
        for row, cells in t.rows:
            record, incident = self._incident(_Row(layout, row, cells))
            key = str(incident["incident_id"])
            if key in seen:
                raise InputError(
                    f"the same incident as row {seen[key]}",
                    Location(str(t.path), row, layout.name("incident_id"), key),
                    hint="each incident is one row; counting it twice would double the dead",
                )
            seen[key] = row
            records.append(record)
            incidents.append(incident)
        rows = canonical_frame(
            records, freq="M", agency="IOM-MMP", event="death_missing", unit="persons"
        )
        return Parsed(rows, self._notes(layout), self.totals, {INCIDENTS_TABLE: _frame(incidents)})

    # -- one row -----------------------------------------------------------------------------

    def _incident(self, cell: _Row) -> tuple[dict[str, object], dict[str, object]]:
        where, row = cell.where, cell.number
        incident_id = cell("incident_id")
        if not incident_id:
            raise InputError("an incident without an id", where("incident_id"))
        when = self._date(cell)
        period = date(when.year, when.month, 1)
        dead, missing, total = (
            values.count(cell(f), where(f)) if cell.has(f) else None
            for f in ("dead", "missing", "total")
        )
        parts = None if dead is None and missing is None else (dead or 0) + (missing or 0)
        if total is not None and parts is not None:
            self.totals.append(
                DeclaredTotal(
                    f"{cell.layout.name('total')}, incident {incident_id}",
                    period,
                    total,
                    parts,
                    where("total"),
                )
            )
            if total != parts:
                self._tally(
                    "disagree",
                    total,
                    f"{incident_id} (row {row}): total {total}, "
                    f"dead {dead or 0} + missing {missing or 0}",
                )
        n = total if total is not None else parts
        if n is None:
            self._tally("no_count", 0, f"{incident_id} (row {row})")
            n = 0
        elif total is None:
            self._tally("no_total", n, f"{incident_id} (row {row})")
        geo = self._geo(cell, n, incident_id)
        origins = self.countries.codes(cell("origin"), where("origin"))
        nat = UNKNOWN if not origins else origins[0] if len(origins) == 1 else OTHER
        if len(origins) > 1:
            self._tally("several_origins", n, f"{incident_id} `{cell('origin')}`")
        lat, lon = values.coordinates(cell("coordinates"), where("coordinates"))
        if lat is None:
            self._tally("no_coordinates", n, incident_id)
        route = cell("route")
        survivors = values.count(cell("survivors"), where("survivors"))
        record: dict[str, object] = {
            "period": period,
            "geo": geo,
            "place": route,
            "nat": nat,
            "n": n,
        }
        incident: dict[str, object] = {
            "incident_id": incident_id,
            "main_id": cell("main_id"),
            "incident_type": cell("incident_type"),
            "incident_date": when,
            "geo": geo,
            "route": route,
            "lat": lat,
            "lon": lon,
            "dead": dead,
            "missing": missing,
            "total": n,
            "survivors": survivors,
            "cause": cell("cause"),
            "origin_iso3": ",".join(origins),
            "location": cell("location"),
            "region": cell("region"),
            "file_row": row,
        }
        return record, incident

    def _date(self, cell: _Row) -> date:
        where = cell.where
        when = values.incident_date(cell("date"), where("date"))
        if cell("year") and cell("month"):
            ym = values.year_month(cell("year"), cell("month"), where("year"), where("month"))
            if when is None:
                return ym
            if (when.year, when.month) != (ym.year, ym.month):
                self._tally(
                    "month_differs",
                    0,
                    f"row {cell.number}: `{cell('date')}` vs `{cell('month')} {cell('year')}`",
                )
        if when is None:
            name = cell.layout.name("date") if cell.has("date") else ALIASES["date"][0]
            raise InputError(
                "an incident without a date",
                where("date") if cell.has("date") else where("incident_id"),
                hint=f"`{name}` (or the year and month) must be filled",
            )
        return when

    def _geo(self, cell: _Row, n: int, incident_id: str) -> str:
        if not cell.has("country"):
            return UNKNOWN
        codes = self.countries.codes(cell("country"), cell.where("country"))
        if len(codes) > 1:
            raise InputError(
                "several countries of incident",
                cell.where("country"),
                hint="an incident happens in one country; IOM splits such events into rows",
            )
        if not codes or codes[0] == UNKNOWN:
            self._tally("no_country", n, incident_id)
            return UNKNOWN
        return codes[0]

    def _tally(self, what: str, persons: int, first: str) -> None:
        self.tallies.setdefault(what, _Tally()).add(persons, first)

    # -- notes --------------------------------------------------------------------------------

    def _notes(self, layout: Layout) -> list[str]:
        notes: list[str] = []
        old = [
            f"`{layout.name(f)}` for `{names[0]}`"
            for f, names in ALIASES.items()
            if layout.has(f) and layout.name(f).lower() != names[0].lower()
        ]
        if old:
            notes.append("an older layout: " + ", ".join(old))
        if not layout.has("country"):
            notes.append(
                f"no `{ALIASES['country'][0]}` column in this layout: every count is under geo "
                "UNK (the `incidents` table keeps the coordinates and locations); beside a newer "
                "download of the same months these incidents would be counted twice"
            )
        texts = {
            "no_country": "{p:,} dead and missing ({i}) without a country of incident (at sea "
            "or unknown) are under geo UNK",
            "several_origins": "{p:,} dead and missing ({i}) with several countries of origin "
            "are under nat OTH, not split (e.g. {f}); the list is in `incidents.origin_iso3`",
            "disagree": "the printed total differs from dead + missing in {i} (e.g. {f}); the "
            "printed total is used",
            "no_total": "no total in {i}: dead + missing used ({p:,} persons)",
            "no_count": "no count at all in {i} (e.g. {f}): counted as 0",
            "month_differs": "a date in another month than the year/month columns in {i} (e.g. "
            "{f}); the date is used",
            "no_coordinates": "no coordinates in {i} ({p:,} persons)",
        }
        for what, text in texts.items():
            tally = self.tallies.get(what)
            if tally:
                i = f"{tally.incidents:,} incident" + ("" if tally.incidents == 1 else "s")
                notes.append(text.format(i=i, p=tally.persons, f=tally.first))
        return notes


def _frame(incidents: list[dict[str, object]]) -> pd.DataFrame:
    """The ``incidents`` table with fixed types (NULL for unpublished numbers)."""
    df = pd.DataFrame.from_records(incidents)
    for col in _TEXT:
        df[col] = df[col].astype("string")
    for col in _COUNTS:
        df[col] = pd.array(df[col].tolist(), dtype="Int64")
    for col in ("lat", "lon"):
        df[col] = pd.array(df[col].tolist(), dtype="Float64")
    df["file_row"] = df["file_row"].astype("int64")
    return df


__all__ = ["INCIDENTS_TABLE", "INFO", "PUBLICATION", "MmpGlobal"]
