"""A UPM table file as numbered rows of cells, whatever it was published as.

UPM's boletín tables come as workbooks (one table a sheet or a file), as PDF
(read here as the text ``pdftotext -layout`` extracts) and, from some mirrors,
as CSV exports. All three become a :class:`Grid`: rows numbered as in the file
(spreadsheet row or text line) so errors can point at them.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from corridor.errors import InputError, Location
from corridor.sources.document import cell_text, column_letter, read_workbook
from corridor.sources.upm_boletin import labels

TEXT_SUFFIXES = frozenset({".csv", ".tsv"})


@dataclass(frozen=True)
class Line:
    """One row of the file: its number (1-based) and cell values."""

    number: int
    cells: tuple[object, ...]

    def text(self, index: int) -> str:
        return cell_text(self.cells[index]) if index < len(self.cells) else ""


@dataclass
class Grid:
    path: Path
    lines: list[Line]
    #: workbook sheet the table was read from ('' for text)
    sheet: str = ""
    notes: list[str] = field(default_factory=list)

    def column(self, index: int, header: str) -> str:
        """How errors name a column: `3.1.1!D` in a workbook, its header word in text."""
        if self.sheet:
            return f"{self.sheet}!{column_letter(index)}"
        return header or f"#{index + 1}"


def is_header(cells: Sequence[str]) -> bool:
    """A column header row: at least two months, or a month and `Total`."""
    months = sum(1 for c in cells if labels.month_of(c))
    return months >= 2 or (months == 1 and any(labels.is_total(c) for c in cells))


def title_before_header(rows: Sequence[Sequence[str]]) -> str:
    """The text above the first header row (a table's number and title)."""
    out: list[str] = []
    for cells in rows:
        if is_header(cells):
            break
        out.extend(c for c in cells if c)
    return " ".join(out)


def read_grid(path: Path, accept: Callable[[str], bool]) -> Grid:
    """The table in a file; in a workbook the first sheet whose title ``accept`` takes."""
    head = _head(path)
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return _from_workbook(path, accept)
    if head.startswith(b"%PDF"):
        raise InputError(
            "a PDF file: corridor reads the text of its tables",
            Location(str(path)),
            hint=f"run `pdftotext -layout {path.name}` and ingest the .txt file",
        )
    text, encoding = decode(path.read_bytes())
    grid = (
        _from_csv(path, text) if path.suffix.lower() in TEXT_SUFFIXES else _from_layout(path, text)
    )
    if encoding != "utf-8":
        grid.notes.append("the text is not UTF-8: read as Windows-1252 (Latin-1)")
    return grid


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(8)
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", Location(str(path))) from exc


def decode(data: bytes) -> tuple[str, str]:
    """UTF-8, else Windows-1252 (UPM's exports), else Latin-1; with the encoding used."""
    data = data.removeprefix(codecs.BOM_UTF8)
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"  # bytes cp1252 leaves undefined


def _from_workbook(path: Path, accept: Callable[[str], bool]) -> Grid:
    sheets = read_workbook(path)
    for name, rows in sheets.items():
        texts = [[cell_text(c) for c in row] for row in rows]
        if accept(title_before_header(texts)):
            lines = [Line(i, tuple(row)) for i, row in enumerate(rows, start=1)]
            return Grid(path, lines, sheet=name)
    raise InputError(
        "no sheet holds this table",
        Location(str(path), value=", ".join(sheets)),
        hint="each sheet's title (above the month header) names the table",
    )


def _from_csv(path: Path, text: str) -> Grid:
    raw = text.splitlines()
    header = next((s for s in raw if is_header(re.split(r"[,;\t]", s))), raw[0] if raw else "")
    delimiter = max((";", "\t"), key=header.count)
    if not header.count(delimiter):
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    lines: list[Line] = []
    start = 1
    for record in reader:
        cells = tuple(c.strip() or None for c in record)
        lines.append(Line(start, cells))
        start = reader.line_num + 1
    return Grid(path, lines)


# -- text extracted from PDF with `pdftotext -layout` -----------------------------------------

_PHRASE = re.compile(r"\S+(?: \S+)*")  # words separated by single spaces
_WORD = re.compile(r"\S+")
_VALUE = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+|[-–—])(?:p/?|\*+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class _Column:
    name: str
    start: int
    end: int


def _from_layout(path: Path, text: str) -> Grid:
    raw = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    pages = _pages(raw)
    header: list[_Column] | None = None
    label = ""
    lines: list[Line] = []
    for page_number, page in enumerate(pages):
        skip_to = -1
        if header is not None and page_number:
            # a table continued on a new page repeats its title and header: skip them
            skip_to = next((i for i, (_, s) in enumerate(page) if _header_of(s) == header), -1)
        last = _last_filled(page)
        for i, (number, s) in enumerate(page):
            if i <= skip_to or not s.strip():
                continue
            if header is None and (found := _header_of(s)):
                header = found
                label = s[: found[0].start].strip()
                lines.append(Line(number, (label, *(c.name for c in found))))
                continue
            if header is None:
                lines.append(Line(number, (" ".join(s.split()),)))
                continue
            if i == last and s.strip().isdigit():
                continue  # a page number at the foot of a page
            lines.append(Line(number, _split(path, number, s, header)))
    return Grid(path, lines)


def _pages(raw: list[str]) -> list[list[tuple[int, str]]]:
    """Lines by page (pdftotext starts each page after the first with a form feed)."""
    pages: list[list[tuple[int, str]]] = [[]]
    for number, s in enumerate(raw, start=1):
        if "\f" in s:
            before, _, after = s.partition("\f")
            if before.strip():
                pages[-1].append((number, before))
            pages.append([])
            s = after.replace("\f", "")
        pages[-1].append((number, s))
    return pages


def _last_filled(page: list[tuple[int, str]]) -> int:
    return max((i for i, (_, s) in enumerate(page) if s.strip()), default=-1)


def _header_of(s: str) -> list[_Column] | None:
    phrases: list[_Column] = []
    for m in _PHRASE.finditer(s):
        words = list(_WORD.finditer(m.group()))
        if len(words) > 1 and all(labels.month_of(w.group()) for w in words):
            # narrow columns: `Agosto Septiembre` printed one space apart
            at = m.start()
            phrases += [_Column(w.group(), at + w.start(), at + w.end()) for w in words]
        else:
            phrases.append(_Column(m.group(), m.start(), m.end()))
    if not is_header([p.name for p in phrases]):
        return None
    first = next(
        i for i, p in enumerate(phrases) if labels.month_of(p.name) or labels.is_total(p.name)
    )
    return phrases[first:]


def _split(path: Path, number: int, s: str, header: list[_Column]) -> tuple[object, ...]:
    """A text line as (label, value under each header column or None)."""
    words = list(_WORD.finditer(s))
    cut = len(words)
    while cut and _VALUE.match(words[cut - 1].group()):
        cut -= 1
    values = words[cut:]
    label = " ".join(w.group() for w in words[:cut])
    cells: list[object] = [None] * len(header)
    if len(values) > len(header):
        raise InputError(
            f"{len(values)} numbers on a line under {len(header)} columns — the layout changed",
            Location(str(path), number, None, s.strip()),
        )
    if len(values) == len(header):
        for k, w in enumerate(values):
            cells[k] = w.group()
        return (label, *cells)
    # fewer numbers than columns (months not yet published): place each under its column
    taken = -1
    for w in values:
        k = min(
            range(len(header)),
            key=lambda j: (_gap(w.start(), w.end(), header[j]), abs(w.end() - header[j].end)),
        )
        if k <= taken:
            raise InputError(
                f"cannot tell which column the number `{w.group()}` is under",
                Location(str(path), number, header[k].name, s.strip()),
                hint="the numbers of a line must line up with the column headers",
            )
        cells[k], taken = w.group(), k
    return (label, *cells)


def _gap(start: int, end: int, column: _Column) -> int:
    """Characters between a number and a header word (0 when they overlap)."""
    return max(0, column.start - end, start - column.end)
