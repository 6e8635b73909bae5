"""The rows of an MMP download, from its CSV or from the first sheet of its workbook."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from corridor.errors import InputError, Location
from corridor.sources.document import Probe, cell_text, read_text, read_workbook
from corridor.sources.iom_mmp.columns import looks_like_mmp


@dataclass(frozen=True)
class Table:
    """A header and its data rows; ``row`` numbers are the file's (1-based)."""

    path: Path
    header_row: int
    header: list[str]
    rows: list[tuple[int, list[str]]]

    def check_widths(self) -> None:
        """Every row has as many cells as the header (checked after the header itself)."""
        width = len(self.header)
        for number, cells in self.rows:
            if len(cells) != width:
                raise InputError(
                    f"{len(cells)} cells where the header has {width}",
                    Location(str(self.path), number, None, ",".join(cells)[:60]),
                    hint="a quote or comma is broken on this row, or the file was cut",
                )


def probe_header(probe: Probe) -> list[str] | None:
    """The header row of a probed file (CSV first line, or first non-empty sheet row)."""
    if probe.is_workbook:
        lines = [line for line in probe.sheet_text.split("\n") if line.strip()]
        return lines[0].split("\t") if lines else None
    if not probe.text:
        return None
    try:
        return next(csv.reader(io.StringIO(probe.first_line)), None)
    except csv.Error:
        return None


def read_table(path: Path) -> Table:
    """Every row of the file as text cells (dates of a workbook as ``YYYY-MM-DD``)."""
    if Probe.read(path).is_workbook:
        return _from_workbook(path)
    return _from_csv(path)


def _from_csv(path: Path) -> Table:
    reader = csv.reader(io.StringIO(read_text(path), newline=""))
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            rows.append((start, cells))
            start = reader.line_num + 1  # a quoted cell may span several lines
    except csv.Error as exc:
        raise InputError(f"broken CSV: {exc}", Location(str(path), start)) from None
    rows = [(n, c) for n, c in rows if any(x.strip() for x in c)]
    if not rows:
        raise InputError("the file is empty", Location(str(path)))
    (header_row, header), data = rows[0], rows[1:]
    return Table(path, header_row, header, data)


def _from_workbook(path: Path) -> Table:
    for sheet in read_workbook(path).values():
        rows = [
            (i + 1, [_cell(c) for c in row])
            for i, row in enumerate(sheet)
            if any(_cell(c) for c in row)
        ]
        if rows and looks_like_mmp(rows[0][1]):
            (header_row, header), data = rows[0], rows[1:]
            width = len(header)
            padded = [(n, (c + [""] * width)[:width]) for n, c in data]
            return Table(path, header_row, header, padded)
    raise InputError(
        "no sheet starts with the Missing Migrants header",
        Location(str(path)),
        hint="the first row of the data sheet names `Incident ID`, `Number of Dead`, ...",
    )


def _cell(value: object) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return cell_text(value)


__all__ = ["Table", "probe_header", "read_table"]
