"""Reading CSV files exported from a Power BI report ("Exportar datos").

Power BI writes UTF-8 with a byte-order mark, quotes every field, may end
with a ``Total`` row, writes ``(En blanco)`` for a blank value and formats
numbers with the thousands separator of the exporting user's locale (``1,234``
or ``1.234``).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from corridor.countries import fold
from corridor.errors import InputError, Location
from corridor.sources.document import parse_count, read_text

#: what Power BI writes for a blank value (Spanish and English interfaces)
BLANK_MARKS = frozenset({"(en blanco)", "(blank)", "(vacio)", "(vacío)"})
_COMMA_GROUPS = re.compile(r"^\d{1,3}(?:,\d{3})+$")
_DOT_GROUPS = re.compile(r"^\d{1,3}(?:\.\d{3})+$")


def is_blank_mark(text: str) -> bool:
    return text.strip().casefold() in BLANK_MARKS


def delimiter_of(line: str) -> str:
    """``;`` for exports from a locale whose decimal mark is a comma, else ``,``."""
    return ";" if line.count(";") > line.count(",") else ","


def header_of(text: str) -> list[str]:
    """The first line of an export as column names ('' when it is not CSV-like)."""
    line = text.split("\n", 1)[0].strip("\r\ufeff")
    if not line.strip():
        return []
    try:
        return next(csv.reader([line], delimiter=delimiter_of(line)))
    except csv.Error:
        return []


@dataclass
class Export:
    """A Power BI CSV export: its header and rows, with 1-based line numbers."""

    path: Path
    header: list[str]
    rows: list[tuple[int, list[str]]]
    delimiter: str

    @classmethod
    def read(cls, path: Path) -> Export:
        text = read_text(path).lstrip("\ufeff")
        lines = text.splitlines()
        first = next((i for i, line in enumerate(lines) if line.strip()), None)
        if first is None:
            raise InputError("empty file", Location(str(path)))
        delimiter = delimiter_of(lines[first])
        reader = csv.reader(lines[first:], delimiter=delimiter)
        try:
            parsed = list(reader)
        except csv.Error as exc:
            raise InputError(f"not a readable CSV: {exc}", Location(str(path))) from None
        header = [h.strip() for h in parsed[0]]
        rows = [
            (first + offset + 1, [c.strip() for c in cells])
            for offset, cells in enumerate(parsed)
            if offset and any(c.strip() for c in cells)
        ]
        return cls(path, header, rows, delimiter)

    def where(self, line: int, column: int | None = None, value: str | None = None) -> Location:
        name = self.header[column] if column is not None and column < len(self.header) else None
        return Location(str(self.path), line, name, value)


class Counts:
    """Parses count cells with the file's thousands separator (one per file)."""

    def __init__(self, export: Export, columns: list[int]) -> None:
        self.export = export
        self.dots = False
        comma_at: tuple[int, int, str] | None = None
        dot_at: tuple[int, int, str] | None = None
        for line, cells in export.rows:
            for col in columns:
                value = cells[col] if col < len(cells) else ""
                if comma_at is None and _COMMA_GROUPS.match(value):
                    comma_at = (line, col, value)
                if dot_at is None and _DOT_GROUPS.match(value):
                    dot_at = (line, col, value)
        if comma_at and dot_at:
            line, col, value = max(comma_at, dot_at)
            other = min(comma_at, dot_at)
            raise InputError(
                f"thousands written both as `{other[2]}` (row {other[0]}) and `{value}`",
                export.where(line, col, value),
                hint="export the file again from one locale",
            )
        self.dots = dot_at is not None

    @property
    def style(self) -> str:
        return "1.234" if self.dots else "1,234"

    def parse(self, line: int, col: int, value: str) -> int:
        where = self.export.where(line, col, None)
        if is_blank_mark(value):
            return 0  # a blank measure: no one counted
        if self.dots and _DOT_GROUPS.match(value):
            value = value.replace(".", "")
        return parse_count(value, where)


def folded(names: list[str]) -> list[str]:
    return [fold(n) for n in names]
