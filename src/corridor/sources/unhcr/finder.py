"""UNHCR Refugee Data Finder: the population CSV of its download page.

The table may follow a few lines about the extraction (title, date, filters);
its header names ``Year``, origin and asylum (names and ISO codes) and one
column per population type. Until 2021 the file had ``Venezuelans displaced
abroad`` where it now has ``Other people in need of international protection``
(the same people, renamed by UNHCR in 2022): both are ``oip_stock``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from corridor.countries import fold
from corridor.errors import InputError, Location
from corridor.sources.document import DocumentSource, Parsed, Probe, read_text
from corridor.sources.unhcr import common
from corridor.sources.unhcr.common import Cell, Figure, Figures
from corridor.sources.unhcr.events import COUNT_FIELDS

#: field -> published spellings (folded when compared), the current one first
COLUMNS: dict[str, tuple[str, ...]] = {
    "year": ("Year",),
    "coo_name": ("Country of origin",),
    "coo_iso": ("Country of origin (ISO)",),
    "coa_name": ("Country of asylum",),
    "coa_iso": ("Country of asylum (ISO)",),
    "refugees": ("Refugees under UNHCR's mandate",),
    "asylum_seekers": ("Asylum-seekers",),
    "returned_refugees": ("Returned refugees",),
    "idps": ("IDPs of concern to UNHCR",),
    "returned_idps": ("Returned IDPss", "Returned IDPs"),
    "stateless": ("Stateless persons",),
    "ooc": ("Others of concern", "Others of concern to UNHCR"),
    "oip": ("Other people in need of international protection", "Venezuelans displaced abroad"),
    "hst": ("Host Community",),
}
_BY_KEY = {fold(n): f for f, names in COLUMNS.items() for n in names}
_MAX_METADATA = 40
INFO = common.info(
    "population_finder",
    "UNHCR refugees, asylum-seekers and others by asylum and origin (Refugee Data Finder CSV)",
    2,
    "CSV from the Refugee Data Finder download page (made in the browser: no fetch).",
    None,
)


class UnhcrFinderCsv(DocumentSource):
    """The ``population.csv`` of a Refugee Data Finder download."""

    info = INFO

    def sniff(self, probe: Probe) -> bool:
        if probe.is_workbook or not probe.text or probe.text.lstrip().startswith("{"):
            return False
        head = probe.text.lower()
        # lenient, so that a renamed column fails with a message rather than "unknown layout"
        about = "country of asylum" in head or "country of origin" in head
        return about and ("refugee" in head or "asylum-seekers" in head)

    def parse(self, path: Path) -> Parsed:
        records = _records(path)
        header_at = _header_index(path, records)
        line, header = records[header_at]
        index = _layout(path, line, header)
        out = Figures(path)
        if header_at:
            first = ", ".join(c for c in records[0][1] if c.strip())
            out.notes.append(
                f"{header_at} line(s) about the extraction before the table (`{first[:60]}`)"
            )
        old = [
            f"`{header[i].strip()}` for `{COLUMNS[f][0]}`"
            for f, i in index.items()
            if fold(header[i]) != fold(COLUMNS[f][0])
        ]
        if old:
            out.notes.append("older column spellings: " + ", ".join(old))
        figures: list[Figure] = []
        dashes = 0
        for number, cells in records[header_at + 1 :]:
            if len(cells) != len(header):
                raise InputError(
                    f"{len(cells)} cells where the header has {len(header)}",
                    Location(str(path), number, None, ",".join(cells)[:60]),
                    hint="a quote or comma is broken on this row, or the file was cut",
                )

            def cell(field: str, cells: list[str] = cells, number: int = number) -> Cell:
                if field not in index:
                    return Cell("", Location(str(path), number))
                i = index[field]
                return Cell(
                    cells[i].strip(),
                    Location(str(path), number, header[i].strip(), cells[i].strip()),
                )

            counts: dict[str, int] = {}
            for field in COUNT_FIELDS:
                if field in index:
                    c = cell(field)
                    counts[field], dash = common.count(c.text, c.where)
                    dashes += dash
            year = cell("year")
            figures.append(
                Figure(
                    number,
                    common.year_of(year.text, year.where),
                    cell("coo_iso"),
                    cell("coo_name"),
                    cell("coa_iso"),
                    cell("coa_name"),
                    counts,
                )
            )
        if dashes:
            out.notes.append(f"{dashes:,} counts written `-` are read as 0")
        return out.parse(figures)


def _records(path: Path) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(read_text(path), newline=""))
    out: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                out.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(f"broken CSV: {exc}", Location(str(path), start)) from None
    return out


def _header_index(path: Path, records: list[tuple[int, list[str]]]) -> int:
    """Index of the header row: the first naming ``Year`` and a country of asylum."""
    for i, (_, cells) in enumerate(records[:_MAX_METADATA]):
        names = {fold(c) for c in cells}
        if "year" in names and names & {"country of asylum iso", "country of asylum"}:
            return i
    raise InputError(
        "no table header (`Year`, `Country of origin`, `Country of asylum`, ...) — the layout "
        "changed",
        Location(str(path), records[0][0] if records else None),
        hint="a Refugee Data Finder population CSV",
    )


def _layout(path: Path, line: int, header: list[str]) -> dict[str, int]:
    index: dict[str, int] = {}
    unknown: list[str] = []
    for i, name in enumerate(header):
        field = _BY_KEY.get(fold(name))
        if field is None:
            unknown.append(name.strip())
        elif field in index:
            raise InputError(
                f"columns `{header[index[field]]}` and `{name}` hold the same field",
                Location(str(path), line, name, name),
            )
        else:
            index[field] = i
    missing = next(
        (
            COLUMNS[need[0]][0]
            for need in (("coa_iso", "coa_name"), ("coo_iso", "coo_name"))
            if not set(need) & set(index)
        ),
        None,
    )
    if missing is None and not set(index) & set(COUNT_FIELDS):
        missing = COLUMNS["refugees"][0]
    known = ", ".join(f"`{names[0]}`" for names in COLUMNS.values())
    if missing is not None:
        reason = f"column `{missing}` is missing"
        if unknown:
            reason += f"; found `{unknown[0]}`"
        raise InputError(
            reason + " — the layout changed",
            Location(
                str(path),
                line,
                unknown[0] if unknown else missing,
                unknown[0] if unknown else ", ".join(header),
            ),
            hint=f"a Refugee Data Finder population CSV has {known}",
        )
    if unknown:
        raise InputError(
            f"unexpected column `{unknown[0]}` — the layout changed",
            Location(str(path), line, unknown[0], unknown[0]),
            hint=f"known columns: {known}",
        )
    return index


__all__ = ["COLUMNS", "INFO", "UnhcrFinderCsv"]
