"""The shared shape of a gdidata series: a date column ``t``, a count and dimensions."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

import duckdb

from corridor.sources.base import Source, SourceInfo, Staged
from corridor.sources.reading import CsvHeader
from corridor.sources.staging import (
    case_sql,
    check_cells,
    check_counts,
    check_values,
    count_sql,
    map_countries,
)

_MONTH_RE = r"[0-9]{4}-[0-9]{2}-01"
_MONTH_PY = re.compile(_MONTH_RE)


@dataclass
class Context:
    """What a dataset's SQL builder may use: the raw table and checked helpers."""

    con: duckdb.DuckDBPyConnection
    header: CsvHeader
    raw: str
    joins: list[str] = field(default_factory=list)

    def values(self, column: str, allowed: Mapping[str, object]) -> None:
        check_values(self.con, self.raw, column, allowed, self.header)

    def countries(
        self, column: str, alias: str, *, blank: str | None = None, split: str | None = None
    ) -> str:
        """Join a country lookup for ``column``; return the SQL of the ISO3 value."""
        table = map_countries(self.con, self.raw, column, self.header, blank=blank, split=split)
        self.joins.append(f"JOIN {table} {alias} ON r.{column} IS NOT DISTINCT FROM {alias}.raw")
        return f"{alias}.iso3"


# Builder returns the canonical column expressions (all but period/freq/n/unit/source).
Builder = Callable[[Context], dict[str, str]]


class HarmonisedSeries(Source):
    """One gdidata CSV: ``t`` (first day of month), ``n`` and some dimensions."""

    def __init__(
        self,
        info: SourceInfo,
        columns: tuple[str, ...],
        build: Builder,
        *,
        unit: str,
        raw_key: tuple[str, ...] | None = None,
        file_hint: str | None = None,
        date_column: str = "t",
        count_column: str = "n",
        annual_rule: bool = False,
        duplicates: str = "sum",
    ) -> None:
        self.info = info
        self.required = frozenset(columns)
        self.file_hint = file_hint
        self._build = build
        self._unit = unit
        self._raw_key = (
            raw_key
            if raw_key is not None
            else tuple(c for c in columns if c not in (count_column, "q", "t_fy"))
        )
        self._date = date_column
        self._count = count_column
        self._annual = annual_rule
        self._duplicates = duplicates

    def raw_key_for(self, header: CsvHeader) -> tuple[str, ...]:
        return self._raw_key

    def stage(self, con: duckdb.DuckDBPyConnection, header: CsvHeader, raw: str) -> Staged:
        self._check_dates(con, header, raw)
        check_counts(con, raw, self._count, header)
        ctx = Context(con, header, raw)
        cols = self._build(ctx)
        period = f"CAST(r.{self._date} AS DATE)"
        if self._annual:
            # Years published as one row per country dated 1 January (Darién
            # 2010-2019) are annual totals, unless it is the file's last year.
            freq = (
                f"CASE WHEN max(month(CAST(r.{self._date} AS DATE))) OVER "
                f"(PARTITION BY year(CAST(r.{self._date} AS DATE))) = 1 AND "
                f"year(CAST(r.{self._date} AS DATE)) < max(year(CAST(r.{self._date} AS DATE))) "
                "OVER () THEN 'A' ELSE 'M' END"
            )
        else:
            freq = "'M'"
        select = ", ".join(
            [f"{period} AS period", f"{freq} AS freq"]
            + [f"{expr} AS {name}" for name, expr in cols.items()]
            + [f"'{self._unit}' AS unit", f"{count_sql('r.' + self._count)} AS n"]
        )
        sql = f"SELECT {select} FROM {raw} r " + " ".join(ctx.joins)
        return Staged(sql=sql, raw_key=self._raw_key, duplicates=self._duplicates)

    def _check_dates(self, con: duckdb.DuckDBPyConnection, header: CsvHeader, raw: str) -> None:
        col = self._date
        check_cells(
            con, raw, col, header,
            bad_sql=f"NOT regexp_full_match(trim({col}), '{_MONTH_RE}') "
            f"OR try_cast(trim({col}) AS DATE) IS NULL",
            is_bad=lambda text: not _is_month_start(text),
            reason="date is not the first day of a month (YYYY-MM-01)",
        )  # fmt: skip


def _is_month_start(text: str) -> bool:
    if not _MONTH_PY.fullmatch(text.strip()):
        return False
    try:
        date.fromisoformat(text.strip())
    except ValueError:
        return False
    return True


def mapped(column: str, mapping: Mapping[str, str]) -> str:
    """CASE expression over a raw column (values checked by ``Context.values``)."""
    return case_sql(f"r.{column}", mapping)
