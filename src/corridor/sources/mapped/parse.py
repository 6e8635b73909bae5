"""One data file read with one mapping: canonical rows, the file's own totals, notes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from corridor.countries import fold
from corridor.errors import InputError, Location
from corridor.sources.document import (
    DeclaredTotal,
    Parsed,
    canonical_frame,
    cell_text,
    column_letter,
)
from corridor.sources.mapped.cells import Cells
from corridor.sources.mapped.grid import Grid, Row, read_grid
from corridor.sources.mapped.header import Layout, layout
from corridor.sources.mapped.periods import SPANISH, date_of, month_of, year_of
from corridor.sources.mapped.spec import COUNT, MappingSpec

_ANY_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


@dataclass
class _Scope:
    """What a printed total adds up: the dimensions and period its row or column fixes."""

    dims: dict[str, str] = field(default_factory=dict)
    year: int | None = None
    month: int | None = None

    def describe(self) -> list[str]:
        parts = []
        if self.year is not None:
            parts.append(f"{self.year}-{self.month:02d}" if self.month else str(self.year))
        elif self.month is not None:
            parts.append(SPANISH[self.month - 1])
        parts.extend(f"{k}={v}" for k, v in self.dims.items())
        return parts


@dataclass
class _Total:
    label: str
    scope: _Scope
    published: int
    where: Location
    #: set when the total is of its own row's cells (wide row totals)
    computed: int | None = None


def parse_file(spec: MappingSpec, path: Path) -> Parsed:
    """Read ``path`` with ``spec``.

    Raises:
        InputError: naming data file, row, column and value of the first problem, the
            mapping key to change, and what changed when the layout is not the expected one.
    """
    grid = read_grid(path, spec.file, spec.path.name)
    return _Reader(spec, grid).read()


class _Reader:
    def __init__(self, spec: MappingSpec, grid: Grid) -> None:
        self.spec = spec
        self.grid = grid
        self.path = grid.path
        self.map_name = spec.path.name
        self.cells = Cells(spec, grid.path)
        self.lay: Layout = layout(grid, spec, self.map_name)
        self.year = self._fixed_year()
        self.dims = {f: h for f, h in spec.columns.items() if f != COUNT}
        self.notes: list[str] = []

    # -- the whole file ---------------------------------------------------------------------

    def read(self) -> Parsed:
        details, totals = self._classify()
        months = self._published_months(details)
        records: list[dict[str, Any]] = []
        printed: list[_Total] = []
        seen: dict[tuple[object, ...], int] = {}
        for i in details:
            records.extend(self._detail(i, months, seen, printed))
        for i in totals:
            printed.extend(self._total(i, months))
        fixed = {**self.spec.fixed}
        if "nat" not in self.spec.columns and "nat" not in fixed:
            fixed["nat"] = "UNK"  # no nationality breakdown: as gdidata's total series
        rows = canonical_frame(
            records, freq=self.spec.period.freq, geo=self.spec.info.geo,
            agency=self.spec.info.agency, **fixed,
        )  # fmt: skip
        if len(rows) < len(records):
            self.notes.append(
                f"{len(records)} published counts were added into {len(rows)} canonical rows "
                "(several published values map to one canonical key)"
            )
        declared = self._declared(printed, records)
        return Parsed(rows, self.notes, declared)

    def _classify(self) -> tuple[list[int], list[int]]:
        """Detail rows and total rows after the header (blank, footer and skipped rows out)."""
        details: list[int] = []
        totals: list[int] = []
        width = len(self.lay.names)
        for i in range(self.lay.index + 1, len(self.grid.rows)):
            texts = self.grid.texts(i)
            filled = [t for t in texts if t]
            if not filled:
                continue
            if any(p.search(filled[0]) for p in self.spec.file.skip_rows):
                continue
            row = self.grid.numbers[i]
            for j, text in enumerate(texts):
                if text and (j >= width or j in self.lay.blank):
                    raise InputError(
                        "a value in a column without header — the layout changed",
                        Location(str(self.path), row, f"column {column_letter(j)}", text),
                        hint=f"name the column in the file, or skip such rows with "
                        f"[file].skip_rows in {self.map_name}",
                    )
            (totals if self._is_total(texts) else details).append(i)
        return details, totals

    def _is_total(self, texts: list[str]) -> bool:
        label = self.spec.totals.label
        if label is None:
            return False
        where = self.spec.totals.label_column
        headers = [where] if where else [*self.dims.values(), *self.spec.period.headers()]
        for header in headers:
            j = self.lay.columns.get(header)
            if j is not None and label.search(_at(texts, j)):
                return True
        return False

    def _published_months(self, details: list[int]) -> dict[int, tuple[int | None, int]]:
        """Month columns with a value in some detail row; blank everywhere = not yet published."""
        months = self.lay.months
        if not months:
            return {}
        published = {
            j: key for j, key in months.items() if any(_at(self.grid.texts(i), j) for i in details)
        }
        blank = [self.lay.names[j] for j in sorted(set(months) - set(published))]
        if blank:
            self.notes.append(
                f"month columns {', '.join(f'`{b}`' for b in blank)} are blank in every row: "
                "taken as not published yet (no counts read)"
            )
        return published

    # -- rows -------------------------------------------------------------------------------

    def _detail(
        self,
        i: int,
        months: dict[int, tuple[int | None, int]],
        seen: dict[tuple[object, ...], int],
        printed: list[_Total],
    ) -> list[dict[str, Any]]:
        raw = self.grid.rows[i]
        texts = self.grid.texts(i)
        row = self.grid.numbers[i]
        dims = {f: self.cells.value(f, _at(texts, self.lay.columns[h]), row, h)
                for f, h in self.dims.items()}  # fmt: skip
        ignored = tuple(
            fold(_at(texts, j)) for j, n in enumerate(self.lay.names)
            if n in self.spec.file.ignore_columns
        )  # fmt: skip
        labels = tuple(fold(_at(texts, self.lay.columns[h])) for h in self.dims.values())
        if not self.spec.period.wide:
            period = self._period(raw, texts, row)
            n_header = self.spec.columns[COUNT]
            n = self.cells.count(_cell(raw, self.lay.columns[n_header]), row, n_header)
            self._unique((period, labels, ignored), row, seen)
            return [{**dims, "period": period, "n": n}]
        year = self._row_year(raw, row)
        self._unique((year, labels, ignored), row, seen)
        out: list[dict[str, Any]] = []
        for j, (header_year, month) in months.items():
            y = header_year if header_year is not None else year
            assert y is not None
            n = self.cells.count(_cell(raw, j), row, self.lay.names[j])
            out.append({**dims, "period": date(y, month, 1), "n": n})
        tc = self.lay.total_column
        if tc is not None and _at(texts, tc):
            header = self.lay.names[tc]
            published = self.cells.count(_cell(raw, tc), row, header)
            label = " ".join(_at(texts, self.lay.columns[h]) for h in self.dims.values())
            scope = _Scope(dims, year)
            where = Location(str(self.path), row, header, _at(texts, tc))
            printed.append(_Total(label or "row", scope, published, where,
                                  sum(r["n"] for r in out)))  # fmt: skip
        return out

    def _unique(
        self, key: tuple[object, ...], row: int, seen: dict[tuple[object, ...], int]
    ) -> None:
        first = seen.setdefault(key, row)
        if first != row:
            raise InputError(
                f"duplicate row: same as row {first}",
                Location(
                    str(self.path),
                    row,
                    value=" | ".join(self.grid.texts(self.grid.numbers.index(row))),
                ),
                hint="a file must hold each combination once",
            )

    def _total(self, i: int, months: dict[int, tuple[int | None, int]]) -> list[_Total]:
        raw = self.grid.rows[i]
        texts = self.grid.texts(i)
        row = self.grid.numbers[i]
        label_re = self.spec.totals.label
        assert label_re is not None
        label = next((t for t in texts if t and label_re.search(t)), "Total")
        scope = _Scope()
        for f, h in self.dims.items():
            text = _at(texts, self.lay.columns[h])
            if text and not label_re.search(text):
                scope.dims[f] = self.cells.value(f, text, row, h)
        scope.year, scope.month = self._total_period(raw, texts)
        out: list[_Total] = []
        if not self.spec.period.wide:
            header = self.spec.columns[COUNT]
            cell = _cell(raw, self.lay.columns[header])
            published = self.cells.count(cell, row, header)
            out.append(_Total(label, scope, published, self._where(row, header, cell)))
            return out
        for j, (header_year, month) in months.items():
            cell = _cell(raw, j)
            if not cell_text(cell):
                continue
            year = header_year if header_year is not None else scope.year
            part = _Scope(scope.dims, year, month)
            published = self.cells.count(cell, row, self.lay.names[j])
            out.append(_Total(label, part, published, self._where(row, self.lay.names[j], cell)))
        tc = self.lay.total_column
        if tc is not None and _at(texts, tc):
            header = self.lay.names[tc]
            published = self.cells.count(_cell(raw, tc), row, header)
            out.append(_Total(label, scope, published, self._where(row, header, _cell(raw, tc))))
        return out

    def _where(self, row: int, column: str, cell: object) -> Location:
        return Location(str(self.path), row, column, cell_text(cell))

    # -- periods ----------------------------------------------------------------------------

    def _fixed_year(self) -> int | None:
        period = self.spec.period
        if period.year_value is not None:
            return period.year_value
        pattern = period.year_in_title
        if pattern is None:
            return None
        for i in range(self.lay.index):
            for text in self.grid.texts(i):
                found = pattern.search(text)
                if found:
                    year = year_of(found.group(1) if pattern.groups else found.group(0))
                    if year is not None:
                        return year
        titles = [
            (self.grid.numbers[i], t) for i in range(self.lay.index) for t in self.grid.texts(i)
        ]
        row, first = next(((n, t) for n, t in titles if t), (None, None))
        raise InputError(
            "no year found in the rows above the header — the layout changed",
            Location(str(self.path), row, value=first),
            hint=f"[period].year_in_title `{pattern.pattern}` in {self.map_name} "
            f"matched nothing above row {self.lay.row}",
        )

    def _row_year(self, raw: Row, row: int) -> int | None:
        period = self.spec.period
        if period.year is None:
            return self.year
        cell = _cell(raw, self.lay.columns[period.year])
        year = year_of(cell)
        if year is None:
            raise InputError(
                "not a year", Location(str(self.path), row, period.year, cell_text(cell)),
                hint=f"[period].year in {self.map_name} reads this column; expected e.g. 2024",
            )  # fmt: skip
        return year

    def _period(self, raw: Row, texts: list[str], row: int) -> date:
        period = self.spec.period
        if period.column is not None:
            cell = _cell(raw, self.lay.columns[period.column])
            found = date_of(cell, period.format)
            if found is None:
                shape = f"in format `{period.format}`" if period.format else "like 2024-01"
                raise InputError(
                    f"not a date {shape}",
                    Location(str(self.path), row, period.column, cell_text(cell)),
                    hint=f"[period].format in {self.map_name} says how dates are written",
                )
            return found if period.freq == "M" else date(found.year, 1, 1)
        year = self._row_year(raw, row)
        assert year is not None
        if period.month is None:
            return date(year, 1, 1)
        cell = _cell(raw, self.lay.columns[period.month])
        month = month_of(cell)
        if month is None:
            raise InputError(
                "not a month", Location(str(self.path), row, period.month, cell_text(cell)),
                hint="expected 1-12 or a month name (Enero, Ene., Setiembre, January, Jan)",
            )  # fmt: skip
        return date(year, month, 1)

    def _total_period(self, raw: Row, texts: list[str]) -> tuple[int | None, int | None]:
        """The year and month a total row is restricted to (None: all)."""
        period = self.spec.period
        label = self.spec.totals.label
        assert label is not None

        def cell_of(header: str | None) -> object:
            if header is None:
                return None
            cell = _cell(raw, self.lay.columns[header])
            text = cell_text(cell)
            if not text:
                return None
            if label.search(text):  # "Total 2024": the year it totals
                found = _ANY_YEAR.search(text)
                return found.group(0) if found and header != period.month else None
            return cell

        if period.column is not None:
            cell = cell_of(period.column)
            found = date_of(cell, period.format) if cell is not None else None
            if found is not None:
                return found.year, found.month if period.freq == "M" else None
            return (year_of(cell), None) if cell is not None else (None, None)
        year_cell = cell_of(period.year)
        year = year_of(year_cell) if year_cell is not None else self.year
        month_cell = cell_of(period.month)
        return year, month_of(month_cell) if month_cell is not None else None

    # -- totals -----------------------------------------------------------------------------

    def _declared(
        self, printed: list[_Total], records: list[dict[str, Any]]
    ) -> list[DeclaredTotal]:
        if not printed:
            return []
        frame = pd.DataFrame.from_records(records) if records else pd.DataFrame()
        if not frame.empty:
            periods = pd.to_datetime(frame["period"])
            frame["_year"], frame["_month"] = periods.dt.year, periods.dt.month
        out = []
        for total in printed:
            computed = total.computed
            if computed is None:
                computed = _sum(frame, total.scope)
            scope = total.scope
            if scope.year is not None and scope.month is not None:
                period: date | None = date(scope.year, scope.month, 1)
            elif scope.year is not None and self.spec.period.freq == "A":
                period = date(scope.year, 1, 1)
            else:
                period = None
            parts = scope.describe()
            what = total.label + (f" ({', '.join(parts)})" if parts else "")
            out.append(DeclaredTotal(what, period, total.published, computed, total.where))
        wrong = [t for t in out if not t.agrees]
        if wrong:
            t = wrong[0]
            self.notes.append(
                f"{len(wrong)} of {len(out)} printed totals differ from the sum of the rows "
                f"(first: {t.what} on row {t.where.row}: printed {t.published:,}, "
                f"rows add up to {t.computed:,})"
            )
        return out


def _sum(frame: pd.DataFrame, scope: _Scope) -> int:
    if frame.empty:
        return 0
    mask = pd.Series(True, index=frame.index)
    for name, value in scope.dims.items():
        mask &= frame[name] == value
    if scope.year is not None:
        mask &= frame["_year"] == scope.year
    if scope.month is not None:
        mask &= frame["_month"] == scope.month
    return int(frame.loc[mask, "n"].sum())


def _cell(row: Row, j: int) -> object:
    return row[j] if j < len(row) else None


def _at(texts: Sequence[str], j: int) -> str:
    return texts[j] if j < len(texts) else ""
