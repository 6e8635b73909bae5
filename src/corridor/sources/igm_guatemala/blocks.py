"""Tables inside IGM workbooks: where each starts, its month columns, its rows.

An IGM workbook holds one or more tables per sheet (one sheet per origin
country, or one sheet with a table per origin). A table is some title rows,
a header row with the months ``Enero`` .. ``Diciembre`` and ``Total``, then
labelled rows of counts until a blank row or a ``Fuente:`` line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from corridor.countries import fold
from corridor.errors import InputError, Location
from corridor.sources.document import Sheets, cell_text, column_letter
from corridor.sources.igm_guatemala.labels import MONTH_NAMES, MONTHS

#: a header row names at least this many months (a renamed or missing month
#: still leaves the row recognisable, so the error can say what changed)
_MIN_MONTHS = 6
#: first words of the lines under a table (source, notes)
_END_WORDS = ("fuente", "nota", "elaborado", "cifras")


@dataclass
class Row:
    """A row of a table: its spreadsheet row number, labels and month cells."""

    number: int
    labels: list[str]
    #: month (1-12) -> (column letter, raw cell)
    cells: dict[int, tuple[str, object]]
    total: tuple[str, object] | None

    @property
    def has_counts(self) -> bool:
        cells = [raw for _, raw in self.cells.values()]
        if self.total is not None:
            cells.append(self.total[1])
        return any(cell_text(raw) for raw in cells)


@dataclass
class Table:
    """One table of a sheet (see module docstring)."""

    sheet: str
    title: str
    header_row: int
    label_header: str
    rows: list[Row] = field(default_factory=list)

    @property
    def heading(self) -> str:
        """The title line that says what the table counts, for messages."""
        lines = [line for line in self.title.split(" | ") if "retornad" in fold(line)]
        return (lines or [self.title or self.sheet])[0]


def find_tables(path: Path, book: Sheets) -> list[Table]:
    """Every table of every sheet, in sheet and row order.

    Raises:
        InputError: when a header row's month columns are not Enero..Diciembre
            then Total (a month renamed, missing, repeated or an extra column).
    """
    tables: list[Table] = []
    for sheet, rows in book.items():
        start = 0
        index = 0
        while index < len(rows):
            texts = [cell_text(c) for c in rows[index]]
            if sum(fold(t) in MONTHS for t in texts) >= _MIN_MONTHS:
                lines = (
                    " ".join(t for t in (cell_text(c) for c in r) if t) for r in rows[start:index]
                )
                title = " | ".join(line for line in lines if line and not _is_end_line(line))
                table, index = _read_table(path, sheet, rows, index, title)
                tables.append(table)
                start = index
            else:
                index += 1
    return tables


def _read_table(
    path: Path, sheet: str, rows: list[tuple[object, ...]], header: int, title: str
) -> tuple[Table, int]:
    texts = [cell_text(c) for c in rows[header]]
    body_end = header + 1
    while body_end < len(rows) and not _ends_table(rows[body_end]):
        body_end += 1
    body = rows[header + 1 : body_end]
    first = _first_count_column(texts, body)
    months, total = _month_columns(path, sheet, header + 1, texts, first, body)
    table = Table(sheet, title, header + 1, " ".join(t for t in texts[:first] if t))
    for offset, raw in enumerate(body, start=header + 2):
        cells = list(raw) + [None] * (len(texts) - len(raw))
        table.rows.append(
            Row(
                number=offset,
                labels=[cell_text(c) for c in cells[:first]],
                cells={m: (column_letter(i), cells[i]) for m, i in months.items()},
                total=(column_letter(total), cells[total]) if total is not None else None,
            )
        )
    return table, body_end


def _ends_table(row: tuple[object, ...]) -> bool:
    texts = [cell_text(c) for c in row]
    return not any(texts) or _is_end_line(next(t for t in texts if t))


def _is_end_line(text: str) -> bool:
    """``Fuente: ...``, ``Nota: ...``, ``* Cifras preliminares``: under a table."""
    return fold(text).startswith(_END_WORDS) or text.startswith("*")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _first_count_column(texts: list[str], body: list[tuple[object, ...]]) -> int:
    """Where the labels end: the first month/Total header or the first number."""
    named = [i for i, t in enumerate(texts) if fold(t) in MONTHS or fold(t) == "total"]
    numeric = [
        next((i for i, c in enumerate(row) if _is_number(c)), len(texts)) for row in body[:5]
    ]
    return min([*named[:1], *numeric, len(texts)])


def _month_columns(
    path: Path,
    sheet: str,
    row: int,
    texts: list[str],
    first: int,
    body: list[tuple[object, ...]],
) -> tuple[dict[int, int], int | None]:
    """Month number -> column index, and the Total column, checked against the calendar."""
    months: dict[int, int] = {}
    total: int | None = None
    expected = 1
    last = max((i for i, t in enumerate(texts) if t), default=first - 1)
    for index in range(first, last + 1):
        text = texts[index]
        where = Location(str(path), row, f"{sheet}!{column_letter(index)}", text)
        key = fold(text)
        if not key:
            if any(index < len(r) and cell_text(r[index]) for r in body):
                raise InputError("a column holds counts but has no header", where)
            continue
        if total is not None:
            raise InputError(
                f"unexpected column `{text}` after `Total` — the layout changed",
                where,
                hint="IGM tables end with the Total column",
            )
        if key == "total":
            total = index
            continue
        month = MONTHS.get(key)
        if month is None or month < expected:
            what = "repeated month" if month else "not a month name"
            raise InputError(
                f"column `{text}` is {what} — the layout changed",
                where,
                hint=f"expected `{MONTH_NAMES[expected - 1]}`" if expected <= 12 else None,
            )
        if month > expected:
            after = f"`{MONTH_NAMES[expected - 2]}` is followed by" if expected > 1 else "starts at"
            raise InputError(
                f"column `{MONTH_NAMES[expected - 1]}` is missing: {after} `{text}` "
                "— the layout changed",
                where,
            )
        months[month] = index
        expected += 1
    if expected <= 12:
        where = Location(str(path), row, f"{sheet}!{column_letter(last)}", texts[last])
        raise InputError(
            f"column `{MONTH_NAMES[expected - 1]}` is missing: the months stop at "
            f"`{MONTH_NAMES[expected - 2]}` — the layout changed",
            where,
        )
    return months, total
