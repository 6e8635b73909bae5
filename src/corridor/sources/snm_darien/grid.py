"""Rows of a table as cells, from a workbook sheet or from PDF text (`pdftotext -layout`).

A text line has no cells: columns are runs of spaces, labels hold single
spaces (`Rep. Dem. del Congo`), and a row's counts are the number-like words
at its end. Counts are placed under the header column they sit below, so a
row that stops early (months not yet published) still lands in the right
months.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from corridor.errors import InputError, Location
from corridor.sources.document import cell_text, column_letter, read_text, read_workbook

_COUNT_WORD = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+|[-–—])$")
_WORD = re.compile(r"\S+")
_GAP = re.compile(r"\S+(?: \S+)*")  # cells of a header: words joined by single spaces


@dataclass(frozen=True)
class Cell:
    """A header cell: its text and where it sits (column index, or character span)."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Line:
    """One row of a sheet or one line of PDF text."""

    row: int
    #: True on the first line of a new page or sheet
    new_page: bool
    #: the row as text (cells joined by two spaces for workbooks)
    text: str
    #: workbook cell values (None for text lines)
    values: tuple[object, ...] | None = None

    def header_cells(self) -> list[Cell]:
        """The non-empty cells, for reading this line as a column header."""
        if self.values is not None:
            return [Cell(cell_text(v), i, i) for i, v in enumerate(self.values) if cell_text(v)]
        return [Cell(m.group(), m.start(), m.end()) for m in _GAP.finditer(self.text)]

    def counts(self, columns: list[Cell], file: str) -> tuple[str, dict[str, object]]:
        """This row's label and its value under each header column (absent: blank).

        Raises:
            InputError: a value sits under no column (an extra column).
        """
        if self.values is not None:
            return self._sheet_counts(columns, file)
        return self._text_counts(columns, file)

    def has_counts(self) -> bool:
        """Whether any cell of the row is number-like (digits or a dash)."""
        if self.values is not None:
            filled = [v for v in self.values if cell_text(v)]
            return any(
                isinstance(v, int | float) or bool(_COUNT_WORD.match(cell_text(v)))
                for v in filled[1:]
            )
        words = _WORD.findall(self.text)
        return len(words) > 1 and bool(_COUNT_WORD.match(words[-1]))

    def _sheet_counts(self, columns: list[Cell], file: str) -> tuple[str, dict[str, object]]:
        assert self.values is not None
        first = columns[0].start
        label = " ".join(cell_text(v) for v in self.values[:first] if cell_text(v))
        known = {c.start for c in columns}
        for index in range(first, len(self.values)):
            if index not in known and cell_text(self.values[index]):
                raise InputError(
                    "a value under no column header — an extra column; the layout changed",
                    Location(file, self.row, column_letter(index), cell_text(self.values[index])),
                )
        out = {c.text: self.values[c.start] for c in columns if c.start < len(self.values)}
        return label, out

    def _text_counts(self, columns: list[Cell], file: str) -> tuple[str, dict[str, object]]:
        words = list(_WORD.finditer(self.text))
        numbers: list[re.Match[str]] = []
        while words and _COUNT_WORD.match(words[-1].group()) and len(words) > 1:
            numbers.insert(0, words.pop())
        label = self.text[: numbers[0].start()].strip() if numbers else self.text.strip()
        if len(numbers) > len(columns):
            raise InputError(
                f"{len(numbers)} counts for {len(columns)} columns — an extra column; "
                "the layout changed",
                Location(file, self.row, None, self.text.strip()),
            )
        if len(numbers) == len(columns):
            return label, {c.text: n.group() for c, n in zip(columns, numbers, strict=True)}
        # Fewer counts than columns: place each under the nearest column (counts
        # are right-aligned in the SNM tables; blank cells print nothing).
        out: dict[str, object] = {}
        for number in numbers:
            column = min(columns, key=lambda c: abs(c.end - number.end()))
            if column.text in out:
                raise InputError(
                    f"two counts under column `{column.text}`: the columns do not line up",
                    Location(file, self.row, column.text, self.text.strip()),
                )
            out[column.text] = number.group()
        return label, out


def text_lines(text: str) -> list[Line]:
    """Lines of `pdftotext -layout` output; a form feed starts a new page."""
    out: list[Line] = []
    new_page = True
    for number, raw in enumerate(text.split("\n"), start=1):
        pages = raw.split("\f")
        if len(pages) > 1:
            new_page = True
        line = pages[-1].rstrip("\r").expandtabs()
        if not line.strip():
            continue
        out.append(Line(number, new_page, line))
        new_page = False
    return out


def sheet_lines(path: Path) -> list[Line]:
    """Rows of every sheet in order; row numbers are the spreadsheet's."""
    out: list[Line] = []
    for rows in read_workbook(path).values():
        new_page = True
        for number, values in enumerate(rows, start=1):
            texts = [cell_text(v) for v in values]
            if not any(texts):
                continue
            out.append(Line(number, new_page, "  ".join(t for t in texts if t), tuple(values)))
            new_page = False
    return out


def pdf_text(path: Path) -> str:
    """A PDF's text laid out like `pdftotext -layout` (pypdf's layout mode), pages by form feeds."""
    import pypdf  # lazy: only PDF files need it

    where = Location(file=str(path))
    try:
        reader = pypdf.PdfReader(str(path))
        pages = [page.extract_text(extraction_mode="layout") for page in reader.pages]
    except Exception as exc:  # pypdf raises many types for broken files
        raise InputError(f"cannot read the PDF: {exc}", where) from exc
    if not any(p.strip() for p in pages):
        raise InputError(
            "the PDF has no text layer (a scanned image?)",
            where,
            hint="extract the table to text with `pdftotext -layout` or an OCR tool",
        )
    return "\f".join(pages)


def file_lines(path: Path, *, is_workbook: bool) -> list[Line]:
    """The lines of any supported file: workbook, PDF, or PDF text."""
    if is_workbook:
        return sheet_lines(path)
    with path.open("rb") as fh:
        is_pdf = fh.read(5) == b"%PDF-"
    return text_lines(pdf_text(path) if is_pdf else read_text(path))
