"""Finding the SNM tables in a file: title, year, checked column header, rows.

A table starts at its title (`TRÁNSITO IRREGULAR DE EXTRANJEROS ... AÑO 2023`,
possibly wrapped over two lines) followed by its column header. A page that
repeats the title and/or the header continues the table; a header that
differs there is a layout change. Footnotes (`(1) Hijos de ...`) are
collected for the whole file.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import date

from corridor.errors import InputError, Location
from corridor.sources.document import cell_text
from corridor.sources.snm_darien import labels
from corridor.sources.snm_darien.grid import Cell, Line

NAT, CONDITION, OTHER = "nat", "condition", "other"
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_MAX_TITLE_LINES = 4


@dataclass
class Row:
    """A row under a table's header: its label and raw value per column."""

    row: int
    label: str
    values: dict[str, object]

    def blank(self, column: str) -> bool:
        return not cell_text(self.values.get(column))


@dataclass
class Table:
    """One SNM table of one year."""

    file: str
    title: str
    title_row: int
    year: int
    kind: str
    label_header: str
    header_row: int
    columns: list[Cell]
    rows: list[Row] = field(default_factory=list)
    #: months (1-12) with counts; later columns left blank are not yet published
    months: list[int] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [c.text for c in self.columns]

    def month_column(self, month: int) -> str:
        return next(c.text for c in self.columns if labels.month_of(c.text) == month)

    def total_column(self) -> str:
        return next(c.text for c in self.columns if labels.key(c.text) == "total")

    def period(self, month: int) -> date:
        return date(self.year, month, 1)

    def at(self, row: int | None = None, column: str | None = None,
           value: str | None = None) -> Location:  # fmt: skip
        return Location(self.file, row, column, value)


@dataclass
class Scan:
    tables: list[Table]
    #: footnote mark -> text
    footnotes: dict[str, str]


def scan(lines: list[Line], file: str) -> Scan:
    """Every table in the file, in order.

    Raises:
        InputError: a header without a title, a title without a year, a column
            header that is not the SNM's (renamed, missing or extra column).
    """
    tables: list[Table] = []
    footnotes: dict[str, str] = {}
    current: Table | None = None
    title: list[Line] = []
    for line in lines:
        header = _header(line)
        if labels.is_title(line.text) and header is None:
            title = [line]
        elif header is not None:
            label_header, columns = header
            if title:
                table = _start(title, line, label_header, columns, file)
                title = []
                if current is not None and _same_table(current, table):
                    continue  # the title and header repeated on a new page
                current = table
                tables.append(table)
            elif current is not None:
                if [c.text for c in columns] != current.names:
                    raise _header_changed(current, line, columns)
            else:
                raise InputError(
                    "a column header without the table title above it "
                    "(`TRÁNSITO IRREGULAR DE EXTRANJEROS ... AÑO yyyy`) — the layout changed",
                    Location(file, line.row, None, line.text.strip()),
                )
        elif title:
            if len(title) >= _MAX_TITLE_LINES:
                raise InputError(
                    "no column header (`Total`, `Ene.`, ...) under the table title",
                    Location(file, title[0].row, None, title[0].text.strip()),
                )
            title.append(line)  # a title wrapped over several lines
        elif (note := labels.footnote(line.text)) is not None:
            footnotes[note[0]] = note[1]
        elif current is None or labels.is_boilerplate(line.text):
            continue
        elif line.has_counts():
            label, values = line.counts(current.columns, file)
            current.rows.append(Row(line.row, label, values))
        else:
            current.rows.append(Row(line.row, line.text.strip(), {}))
    if title:
        raise InputError(
            "no column header (`Total`, `Ene.`, ...) under the table title",
            Location(file, title[0].row, None, title[0].text.strip()),
        )
    for table in tables:
        table.months = _published_months(table)
    return Scan(tables, footnotes)


def kind_of(title: str) -> str:
    folded = labels.key(title)
    if "region y pais" in folded or "segun pais" in folded or "nacionalidad" in folded:
        return NAT
    if "condicion" in folded or "sexo" in folded:
        return CONDITION
    return OTHER


def _same_table(current: Table, table: Table) -> bool:
    if (current.kind, current.year, current.title) != (table.kind, table.year, table.title):
        return False
    if table.names != current.names:
        raise InputError(
            f"the column header changed on a later page: {_show(table.names)} instead of "
            f"{_show(current.names)} — the layout changed",
            Location(table.file, table.header_row, None, " ".join(table.names)),
        )
    return True


def _header_changed(current: Table, line: Line, columns: list[Cell]) -> InputError:
    names = [c.text for c in columns]
    return InputError(
        f"the column header changed inside the table: {_show(names)} instead of "
        f"{_show(current.names)} — the layout changed",
        Location(current.file, line.row, None, line.text.strip()),
    )


def _show(names: list[str]) -> str:
    return " ".join(f"`{n}`" for n in names)


def _title_text(title: list[Line]) -> str:
    text = " ".join(line.text.strip() for line in title)
    # a title repeated on a continuation page may say so
    text = re.sub(r"\(?\s*continuaci[oó]n\s*\)?", "", text, flags=re.IGNORECASE)
    return " ".join(text.split())


def _start(title: list[Line], line: Line, label_header: str, columns: list[Cell],
           file: str) -> Table:  # fmt: skip
    text = _title_text(title)
    years = sorted(set(_YEAR.findall(text)))
    where = Location(file, title[0].row, None, text)
    if not years:
        raise InputError("no year in the table title (`... AÑO 2023`)", where)
    if len(years) > 1:
        raise InputError(f"several years in one table title ({', '.join(years)})", where)
    table = Table(file, text, title[0].row, int(years[0]), kind_of(text), label_header,
                  line.row, columns)  # fmt: skip
    check_columns(table)
    return table


def _column_word(text: str) -> bool:
    if labels.key(text) == "total" or labels.month_of(text) is not None:
        return True
    return labels.month_like(text) is not None


def _header(line: Line) -> tuple[str, list[Cell]] | None:
    """(label header, columns) when the line is a column header, else None."""
    if line.has_counts():
        return None
    cells: list[Cell] = []
    for cell in line.header_cells():
        words = cell.text.split(" ")
        if len(words) > 1 and all(_column_word(w) for w in words) and line.values is None:
            # columns printed one space apart: split them, keeping where each ends
            offset = cell.start
            for word in words:
                cells.append(Cell(word, offset, offset + len(word)))
                offset += len(word) + 1
        else:
            cells.append(cell)
    if not cells:
        return None
    first = labels.key(cells[0].text)
    if first in labels.LABEL_HEADERS or not _column_word(cells[0].text):
        label_header, columns = cells[0].text, cells[1:]
    else:
        label_header, columns = "", cells
    if len(columns) < 2:
        return None
    months = sum(1 for c in columns if _column_word(c.text) and labels.key(c.text) != "total")
    has_total = any(labels.key(c.text) == "total" for c in columns)
    return (label_header, columns) if has_total or months >= 2 else None


def check_columns(table: Table) -> None:
    """The header is `Total` and the months from `Ene.` on, none skipped.

    Raises:
        InputError: naming the column that was renamed, is missing or is extra.
    """
    where = table.header_row
    seen: dict[int, str] = {}
    total = False
    for cell in table.columns:
        name = cell.text
        month = labels.month_of(name)
        if labels.key(name) == "total":
            if total:
                raise InputError("column `Total` appears twice", table.at(where, name, name))
            total = True
        elif month is not None:
            if month in seen:
                raise InputError(
                    f"column `{labels.MONTH_NAMES[month - 1]}` appears twice "
                    f"(`{seen[month]}` and `{name}`) — the layout changed",
                    table.at(where, name, name),
                )
            seen[month] = name
        elif (like := labels.month_like(name)) is not None:
            expected = labels.MONTH_NAMES[like - 1]
            raise InputError(
                f"column `{expected}` is missing; found `{name}` — the layout changed",
                table.at(where, expected, name),
                hint=f"the SNM tables name the months `{'`, `'.join(labels.MONTH_NAMES)}`",
            )
        else:
            raise InputError(
                f"unexpected column `{name}` — the layout changed",
                table.at(where, name, name),
                hint="expected `Total` and the months `Ene.` to `Dic.`",
            )
    if not total:
        raise InputError(
            "column `Total` is missing — the layout changed",
            table.at(where, "Total", " ".join(table.names)),
        )
    months = list(seen)
    if not months:
        raise InputError(
            "no month columns (`Ene.` ...) — the layout changed",
            table.at(where, None, " ".join(table.names)),
        )
    if months != sorted(months):
        raise InputError(
            "the month columns are out of order — the layout changed",
            table.at(where, None, " ".join(table.names)),
        )
    if months[0] != 1:
        raise InputError(
            f"column `Ene.` is missing; the months start at `{seen[months[0]]}` — "
            "the layout changed",
            table.at(where, "Ene.", seen[months[0]]),
        )
    for before, after in itertools.pairwise(months):
        if after != before + 1:
            missing = labels.MONTH_NAMES[before]
            raise InputError(
                f"column `{missing}` is missing between `{seen[before]}` and `{seen[after]}` — "
                "the layout changed (a year's file may stop at the last month published, "
                "but not skip one)",
                table.at(where, missing, " ".join(table.names)),
            )


def _published_months(table: Table) -> list[int]:
    """Months with at least one count; blank months at the end are not yet published.

    Raises:
        InputError: a blank month before a month with counts.
    """
    filled = {
        month: any(not r.blank(table.month_column(month)) for r in table.rows if r.values)
        for month in (labels.month_of(c.text) for c in table.columns)
        if month is not None
    }
    published = [m for m, has in sorted(filled.items()) if has]
    if not published:
        raise InputError("the table has no counts", table.at(table.header_row))
    for month in range(1, published[-1] + 1):
        if not filled[month]:
            column = table.month_column(month)
            raise InputError(
                f"column `{column}` is blank in every row while later months have counts — "
                "the layout changed",
                table.at(table.header_row, column),
            )
    return published
