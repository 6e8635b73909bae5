"""One boletín table: its title and year, its month columns, its labelled rows.

Every UPM table has the same frame: a title naming the year (``2024p/`` when
the figures are preliminary), a header row with `Total` and the months, rows
labelled in the first column(s), and notes below (`Nota:`, `Fuente:`). The
yearly file is re-published each month, so the months not yet reached are
blank or absent. What the rows mean is up to each table's reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from corridor.countries import fold
from corridor.errors import InputError, Location
from corridor.sources.document import cell_text, parse_count
from corridor.sources.upm_boletin import labels
from corridor.sources.upm_boletin.grid import Grid, Line, is_header
from corridor.sources.upm_boletin.labels import MONTH_NAMES

_COLUMNS_HINT = "expected `Total` and the months `Enero` .. `Diciembre` (or `Ene` .. `Dic`)"


@dataclass(frozen=True)
class Column:
    index: int
    #: the header as printed
    name: str
    #: how errors name it (`3.1.1!D`, or the header word in text)
    where: str


@dataclass
class Row:
    """A labelled row under the header."""

    number: int
    label: str
    printed: str
    cells: dict[int, object]

    def filled(self, column: Column) -> bool:
        return cell_text(self.cells.get(column.index)) != ""

    @property
    def has_counts(self) -> bool:
        return any(cell_text(v) for v in self.cells.values())


@dataclass
class Table:
    grid: Grid
    title: str
    year: int
    header_row: int
    months: dict[int, Column]
    total: Column | None
    rows: list[Row]
    #: how errors name the label column (`3.1.1!A`, or its header in text)
    label_column: str = ""
    #: months with counts, January to the last one published
    published: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    preliminary: list[str] = field(default_factory=list)
    #: (row, column) of counts carrying a preliminary mark
    marked: set[tuple[int, int]] = field(default_factory=set)

    @property
    def file(self) -> str:
        return str(self.grid.path)

    def at(self, row: Row, column: Column | None = None) -> Location:
        """A row's label cell, or one of its count cells."""
        if column is None:
            return Location(self.file, row.number, self.label_column, row.printed)
        return Location(self.file, row.number, column.where, cell_text(row.cells.get(column.index)))

    def count(self, row: Row, column: Column) -> int:
        raw = row.cells.get(column.index)
        text = cell_text(raw)
        if text and not isinstance(raw, (int, float)) and labels.has_mark(text):
            self.marked.add((row.number, column.index))
        return parse_count(raw, Location(self.file, row.number, column.where), marks="p/")

    def month_counts(self, row: Row) -> dict[int, int]:
        return {m: self.count(row, self.months[m]) for m in self.published}

    def period(self, month: int) -> date:
        return date(self.year, month, 1)

    def finish_notes(self) -> list[str]:
        """Notes on preliminary figures and partial years, once per table."""
        notes = list(self.grid.notes) + self.notes
        if self.marked:
            self.preliminary.append(f"{len(self.marked)} count(s) marked `p`/`*`")
        if self.preliminary:
            notes.append(
                f"{self.year} figures are preliminary ({'; '.join(self.preliminary)}): a later "
                "release of the yearly file may revise them"
            )
        return notes


def read_table(grid: Grid) -> Table:
    """Title, year, columns and rows of the table in ``grid``."""
    texts = [[cell_text(c) for c in line.cells] for line in grid.lines]
    at = next((i for i, cells in enumerate(texts) if is_header(cells)), None)
    if at is None:
        raise InputError(
            "no header row with the months", Location(str(grid.path)), hint=_COLUMNS_HINT
        )
    header = grid.lines[at]
    title = " ".join(c for cells in texts[:at] for c in cells if c)
    first, months, total = _columns(grid, header, texts[at])
    title_row = next((grid.lines[i].number for i in range(at) if any(texts[i])), header.number)
    year, preliminary = _year(grid, title, title_row)
    label = " ".join(c for c in texts[at][:first] if c)
    table = Table(grid, title, year, header.number, months, total, [], grid.column(0, label))
    if labels.is_preliminary_note(title):
        table.preliminary.append("the title says so")
    if preliminary:
        table.preliminary.append(f"`{preliminary}` after the year")
    count_columns = {c.index for c in months.values()} | ({total.index} if total else set())
    _rows(table, grid.lines[at + 1 :], first, count_columns, texts[at])
    _published(table)
    return table


def _columns(
    grid: Grid, header: Line, cells: list[str]
) -> tuple[int, dict[int, Column], Column | None]:
    """The first count column, the month columns and the `Total` column of the header."""
    path = str(grid.path)
    first = next(i for i, c in enumerate(cells) if labels.month_of(c) or labels.is_total(c))
    months: dict[int, Column] = {}
    total: Column | None = None
    expected = 1
    for index in range(first, len(cells)):
        name = cells[index]
        if not name:
            continue
        column = Column(index, name, grid.column(index, name))
        where = Location(path, header.number, column.where, name)
        month = labels.month_of(name)
        if labels.is_total(name):
            if total is not None:
                raise InputError(
                    f"a second `Total` column (the first is `{total.where}`)", where,
                    hint=_COLUMNS_HINT,
                )  # fmt: skip
            total = column
        elif month is None:
            raise InputError(_not_a_month(name, expected), where, hint=_COLUMNS_HINT)
        elif month > expected:
            before = f"`{months[expected - 1].name}`" if expected > 1 else "the label column"
            raise InputError(
                f"column `{MONTH_NAMES[expected - 1]}` is missing: `{name}` follows {before} "
                "— the layout changed",
                where,
                hint="every month from Enero up to the last one published has a column",
            )
        elif month < expected:
            raise InputError(
                f"month `{name}` appears again after `{months[expected - 1].name}` — the layout "
                "changed",
                where,
                hint=_COLUMNS_HINT,
            )
        else:
            months[month] = column
            expected += 1
    return first, months, total


def _not_a_month(name: str, expected: int) -> str:
    if expected <= 12:
        want = MONTH_NAMES[expected - 1]
        if fold(name)[:3] == fold(want)[:3]:
            return (
                f"column `{name}` is not a month name: expected `{want}` (or "
                f"`{want[:3]}`) — the layout changed"
            )
    return f"column `{name}` is neither `Total` nor a month — the layout changed"


def _year(grid: Grid, title: str, title_row: int) -> tuple[int, str]:
    found = list(labels.YEAR.finditer(title)) or list(labels.YEAR.finditer(grid.sheet))
    if not found:
        raise InputError(
            "the table's title names no year",
            Location(str(grid.path), title_row, grid.column(0, "title"), title or None),
            hint="UPM titles end with the year, e.g. `..., 2024` or `enero-marzo 2024p/`",
        )
    last = found[-1]
    return int(last.group(1)), (last.group(2) or "")


def _rows(
    table: Table, lines: list[Line], first: int, count_columns: set[int], header: list[str]
) -> None:
    grid = table.grid
    notes_at: int | None = None
    for line in lines:
        printed = " ".join(t for t in (cell_text(c) for c in line.cells[:first]) if t)
        cells = {i: v for i, v in enumerate(line.cells) if i >= first and cell_text(v)}
        stray = sorted(set(cells) - count_columns)
        if labels.is_note(printed) or (notes_at is not None and not cells):
            if labels.is_preliminary_note(printed):
                table.preliminary.append(f"`{printed[:40]}`")
            if notes_at is None:
                notes_at = line.number
            continue
        if notes_at is not None:
            raise InputError(
                f"counts below the notes that start at row {notes_at} — the layout changed",
                Location(table.file, line.number, table.label_column, printed or None),
            )
        if labels.is_page_mark(printed) and not cells:
            continue
        if stray:
            index = stray[0]
            name = header[index] if index < len(header) else ""
            raise InputError(
                "a count under a column without a header — the layout changed",
                Location(
                    table.file, line.number, grid.column(index, name), cell_text(cells[index])
                ),
                hint=_COLUMNS_HINT,
            )
        if not printed and not cells:
            continue
        if not printed:
            raise InputError(
                "counts without a row label",
                Location(table.file, line.number, table.label_column, ""),
            )
        table.rows.append(Row(line.number, labels.clean_label(printed), printed, cells))


def _published(table: Table) -> None:
    """Months with counts; later blank months are not yet published (a partial year)."""
    filled = [m for m, c in table.months.items() if any(r.filled(c) for r in table.rows)]
    if not filled:
        raise InputError(
            "no counts under the month columns", Location(table.file, table.header_row)
        )
    last = max(filled)
    gaps = [m for m in range(1, last) if m not in filled]
    if gaps:
        column = table.months[gaps[0]]
        raise InputError(
            f"month `{column.name}` is blank but `{table.months[last].name}` has counts",
            Location(table.file, table.header_row, column.where, column.name),
            hint="write `-` or 0 for a month without events",
        )
    table.published = list(range(1, last + 1))
    if last < 12:
        absent = "blank" if max(table.months) > last else "not in the table"
        table.notes.append(
            f"{table.year} is published up to {MONTH_NAMES[last - 1]}; "
            f"{MONTH_NAMES[last]}–Diciembre are {absent} (not yet published)"
        )
