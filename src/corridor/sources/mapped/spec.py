"""What a mapping file says, once loaded and checked (see README.md in this folder)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from corridor.errors import ConfigError
from corridor.sources.base import SourceInfo

#: canonical fields a mapping may read from a column or fix for every row
FIELDS: tuple[str, ...] = (
    "area", "place", "event", "nat", "sex", "age", "family", "authority", "partner", "unit",
)  # fmt: skip
#: the count; read from a column in long layouts, from the month cells in wide ones
COUNT = "n"


class MappingError(ConfigError):
    """A mapping file that cannot be used: names the file and the key to fix."""

    def __init__(
        self, path: Path | str, reason: str, key: str | None = None, hint: str | None = None
    ) -> None:
        self.path = Path(path)
        self.key = key
        self.reason = reason
        self.hint = hint
        msg = f"mapping {self.path}: {key + ': ' if key else ''}{reason}"
        super().__init__(msg + (f" ({hint})" if hint else ""))


@dataclass(frozen=True)
class FileSpec:
    """``[file]``: how to read the grid of cells."""

    format: str  # "csv", "xlsx" or "xls"
    sheet: str | None = None
    header_row: int | None = None  # None: the first row holding every expected column
    encoding: str = "auto"
    delimiter: str = ","
    thousands: str = ","
    count_marks: str = ""
    skip_rows: tuple[re.Pattern[str], ...] = ()
    ignore_columns: tuple[str, ...] = ()
    title: re.Pattern[str] | None = None
    file_name: re.Pattern[str] | None = None

    @property
    def is_workbook(self) -> bool:
        return self.format != "csv"


@dataclass(frozen=True)
class PeriodSpec:
    """``[period]``: where each count's period comes from."""

    column: str | None = None
    format: str | None = None
    year: str | None = None
    year_value: int | None = None
    year_in_title: re.Pattern[str] | None = None
    month: str | None = None
    #: wide layouts: "names", "dates" or {column header: month number}
    month_columns: str | dict[str, int] | None = None

    @property
    def wide(self) -> bool:
        return self.month_columns is not None

    @property
    def freq(self) -> str:
        if self.month is not None or self.month_columns is not None:
            return "M"
        if self.column is not None:
            fmt = self.format or "%Y-%m"
            return "M" if any(d in fmt for d in ("%m", "%b", "%B")) else "A"
        return "A"

    def headers(self) -> dict[str, str]:
        """Column headers read for the period -> the mapping key that names them."""
        out = {}
        for key in ("column", "year", "month"):
            value = getattr(self, key)
            if value is not None:
                out[value] = f"[period].{key}"
        if isinstance(self.month_columns, dict):
            for name in self.month_columns:
                out[name] = f'[period.month_columns]."{name}"'
        return out


@dataclass(frozen=True)
class TotalsSpec:
    """``[totals]``: the file's own total rows and total column."""

    label: re.Pattern[str] | None = None
    label_column: str | None = None
    column: str | None = None


@dataclass(frozen=True)
class MappingSpec:
    """A checked mapping file."""

    path: Path
    info: SourceInfo
    file: FileSpec
    period: PeriodSpec
    #: canonical field -> column header
    columns: dict[str, str]
    #: canonical field -> canonical value for every row
    fixed: dict[str, str]
    #: canonical field -> folded published value -> canonical value
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    totals: TotalsSpec = field(default_factory=TotalsSpec)

    def expected_headers(self) -> dict[str, str]:
        """Headers every file must have -> the mapping key that names each one."""
        out = {header: f"[columns].{name}" for name, header in self.columns.items()}
        out.update(self.period.headers())
        return out

    def known_headers(self) -> set[str]:
        """Headers a file may have beside the month columns (expected, total, ignored)."""
        known = set(self.expected_headers()) | set(self.file.ignore_columns)
        if self.totals.column:
            known.add(self.totals.column)
        return known
