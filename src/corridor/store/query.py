"""Building SQL for flow queries: filters, grouping and source selection."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import duckdb

from corridor.canonical.schema import DIMENSIONS, KEY_COLUMNS, STOCK_EVENTS, expand_event
from corridor.errors import QueryError
from corridor.store.selection import Selection, choose

GROUPABLE = (*KEY_COLUMNS, "year", "source")
_FILTERABLE = ("geo", "agency", "area", "place", "event", "nat", "sex", "age", "family",
               "authority", "partner", "unit", "source")  # fmt: skip
_MONTH = re.compile(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")
_YEAR = re.compile(r"(\d{4})$")


def parse_month(text: str, *, end: bool = False) -> date:
    """``2023``, ``2023-12`` or ``2023-12-01`` -> first day of that month (or year)."""
    t = text.strip()
    m = _MONTH.match(t)
    if m:
        year, month = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            raise QueryError(f"month `{text}` is out of range (use YYYY-MM)")
        return date(year, month, 1)
    y = _YEAR.match(t)
    if y:
        return date(int(y.group(1)), 12 if end else 1, 1)
    raise QueryError(f"`{text}` is not a month: use YYYY-MM (or YYYY)")


@dataclass(frozen=True)
class Built:
    """A built flow query: the SQL, its parameters, and how sources were chosen."""

    sql: str
    params: list[object]
    #: SELECT of the sources that contribute rows (same parameters)
    used_sources_sql: str
    selection: Selection | None


@dataclass
class FlowQuery:
    """A query over ``flows``: filters (lists mean "any of"), grouping, period range."""

    filters: dict[str, list[str]] = field(default_factory=dict)
    start: date | None = None
    end: date | None = None
    freq: str = "M"
    by: Sequence[str] = ("period",)
    all_sources: bool = False

    def needed_dimensions(self) -> set[str]:
        used = set(self.by) | {k for k, v in self.filters.items() if v}
        return used & set(DIMENSIONS)

    def build(self, con: duckdb.DuckDBPyConnection) -> Built:
        """SQL text, parameters and the source selection used (if any)."""
        for col in self.by:
            if col not in GROUPABLE:
                raise QueryError(f"cannot group by `{col}`; use any of: " + ", ".join(GROUPABLE))
        if self.freq not in ("M", "A"):
            raise QueryError(f"frequency `{self.freq}` is not M or A")
        where: list[str] = ["f.freq = ?"]
        params: list[object] = [self.freq]
        for col, values in self.filters.items():
            if col not in _FILTERABLE:
                raise QueryError(f"cannot filter on `{col}`")
            if not values:
                continue
            vals = [v for raw in values for v in (expand_event(raw) if col == "event" else [raw])]
            if col in ("geo", "nat", "partner", "agency"):
                vals = [v.upper() for v in vals]
            elif col in ("area", "event", "sex", "age", "family", "unit"):
                vals = [v.lower() if col != "sex" else v.upper() for v in vals]
                if col == "area":
                    vals = [v.replace(" ", "_") for v in vals]
            where.append(f"f.{col} IN ({', '.join('?' for _ in vals)})")
            params.extend(vals)
        if not self.filters.get("event"):
            # Year-end stocks are not movements: summing them with flows (or
            # over years) would be meaningless, so they come only when asked for.
            where.append(f"f.event NOT IN ({', '.join('?' for _ in STOCK_EVENTS)})")
            params.extend(sorted(STOCK_EVENTS))
        if self.start:
            where.append("f.period >= ?")
            params.append(self.start)
        if self.end:
            where.append("f.period <= ?")
            params.append(self.end)
        selection: Selection | None = None
        source_filter = self.filters.get("source")
        join = ""
        if not self.all_sources:
            selection = choose(con, self.needed_dimensions(), source_filter or None)
            if not selection.ranks:
                where.append("FALSE")
            else:
                join = (
                    "JOIN (SELECT grp, freq, period, arg_min(source, rnk) AS source FROM ("
                    "SELECT DISTINCT a.source, a.freq, a.period, pref.grp, pref.rnk "
                    f"FROM flows a JOIN {selection.values_sql()} USING (source)) "
                    "GROUP BY ALL) chosen ON f.source = chosen.source "
                    "AND f.freq = chosen.freq AND f.period = chosen.period"
                )
        groups = [("year(f.period) AS year" if c == "year" else f"f.{c}") for c in self.by]
        order = ", ".join(("year" if c == "year" else c) for c in self.by) or "1"
        select = ", ".join([*groups, "sum(f.n)::BIGINT AS n"])
        group_clause = " GROUP BY ALL" if self.by else ""
        sql = (
            f"SELECT {select} FROM flows f {join} WHERE {' AND '.join(where)}"
            f"{group_clause} ORDER BY {order if self.by else '1'}"
        )
        used = f"SELECT DISTINCT f.source FROM flows f {join} WHERE {' AND '.join(where)}"
        return Built(sql, params, used, selection)
