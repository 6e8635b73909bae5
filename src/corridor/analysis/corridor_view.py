"""The corridor as one system: the checkpoints side by side, in corridor order.

Four views, each a pure function of a store and parameters:

* :func:`corridor_table`: one column per on-route checkpoint, one row per month.
* :func:`shares`: each nationality's share of each checkpoint over a window.
* :func:`lead_times`: lagged cross-correlation between consecutive checkpoints.
  It is computed on month-on-month log changes, not on levels: two series that
  both trend (as every checkpoint did in 2021-2023) correlate strongly at any
  lag, which says nothing about one leading the other. Differencing the logs
  removes the shared trend, so a peak at lag k means that the monthly *changes*
  upstream are echoed k months later downstream.
* :func:`ratios`: downstream / upstream totals over the months both cover, with
  the caveats (units, coverage, definitions) that keep them from being rates.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from corridor.analysis.series import CHECKPOINTS, Checkpoint, by_nationality, monthly
from corridor.errors import QueryError
from corridor.store import Store

#: The northbound route, south to north (Guatemala's returns flow south).
ROUTE: tuple[Checkpoint, ...] = tuple(cp for cp in CHECKPOINTS if cp.on_route)

#: What each checkpoint counts that its neighbours do not, printed beside ratios.
DEFINITIONS: dict[str, str] = {
    "darien": "Panama's SNM counts people registered on leaving the Darién jungle",
    "honduras": "INM Honduras counts people registered on irregular entry, from any border",
    "mexico": "UPM counts events of people found in irregular situation anywhere in Mexico",
    "us_southwest": "CBP counts encounters (USBP apprehensions and OFO inadmissibles), "
    "including Mexicans and others who never crossed Central America",
}


def corridor_table(
    store: Store, *, nat: str | None = None, start: str | date | None = None,
    end: str | date | None = None, route: tuple[Checkpoint, ...] = ROUTE,
) -> pd.DataFrame:  # fmt: skip
    """Monthly counts, months as rows and checkpoint ids as columns in corridor order."""
    columns = {cp.id: monthly(store, cp, nat=nat, start=start, end=end) for cp in route}
    table = pd.DataFrame(columns)
    if not table.empty:
        table = table.reindex(pd.date_range(table.index.min(), table.index.max(), freq="MS"))
    table.index.name = "month"
    return table[[cp.id for cp in route]] if not table.empty else table


def shares(
    store: Store, *, start: str | date | None = None, end: str | date | None = None,
    top: int = 5, route: tuple[Checkpoint, ...] = ROUTE,
) -> pd.DataFrame:  # fmt: skip
    """Per checkpoint: the ``top`` nationalities by total over the window, the rest as ``OTH``.

    Columns: ``checkpoint``, ``nat``, ``n``, ``share`` (0-1 of the checkpoint's
    total), ``months`` (months with data in the window; shares over different
    months are not strictly comparable).
    """
    rows: list[dict[str, object]] = []
    for cp in route:
        wide = by_nationality(store, cp, start=start, end=end)
        if wide.empty:
            continue
        totals = wide.sum().sort_values(ascending=False)
        total = float(totals.sum())
        months = int(wide.notna().any(axis=1).sum())
        head = totals.drop(labels=["OTH"], errors="ignore").head(top)
        rest = total - float(head.sum())
        for nat_code, n in [*head.items(), ("OTH", rest)]:
            if nat_code == "OTH" and rest <= 0:
                continue
            share = float(n) / total if total else math.nan
            rows.append({"checkpoint": cp.id, "nat": nat_code, "n": float(n), "share": share,
                         "months": months})  # fmt: skip
    return pd.DataFrame(rows, columns=["checkpoint", "nat", "n", "share", "months"])


@dataclass(frozen=True)
class LeadTime:
    """How many months changes upstream take to show downstream."""

    upstream: str
    downstream: str
    #: lag (months) of the highest correlation: downstream at t+lag vs upstream at t
    lag: int
    corr: float
    #: months of paired changes behind ``corr``
    pairs: int
    #: correlation at every lag tried (-max_lag..max_lag)
    by_lag: dict[int, float] = field(default_factory=dict)
    method: str = "Pearson correlation of month-on-month log changes"


#: Fewest paired monthly changes behind a correlation.
MIN_PAIRS = 12


def _log_changes(series: pd.Series) -> pd.Series:
    # Zeros would give -inf: floor at 1 (a month with 0 is as low as one with 1 for this).
    return np.log(series.clip(lower=1)).diff()


def cross_correlation(
    upstream: pd.Series, downstream: pd.Series, *, max_lag: int = 6
) -> dict[int, tuple[float, int]]:
    """``{lag: (corr, pairs)}`` of ``downstream[t + lag]`` against ``upstream[t]``,
    both as month-on-month log changes; lags with fewer than ``MIN_PAIRS`` pairs are
    left out (a correlation of a handful of points is noise)."""
    up, down = _log_changes(upstream), _log_changes(downstream)
    out: dict[int, tuple[float, int]] = {}
    for lag in range(-max_lag, max_lag + 1):
        paired = pd.concat([up, down.shift(-lag, freq="MS")], axis=1, join="inner").dropna()
        if len(paired) < MIN_PAIRS or (paired.std() == 0).any():
            continue  # too few points, or a flat series (no correlation to speak of)
        corr = float(paired.iloc[:, 0].corr(paired.iloc[:, 1]))
        if not math.isnan(corr):
            out[lag] = (corr, len(paired))
    return out


def lead_times(
    store: Store, *, nat: str | None = None, start: str | date | None = None,
    end: str | date | None = None, max_lag: int = 6, route: tuple[Checkpoint, ...] = ROUTE,
) -> list[LeadTime]:  # fmt: skip
    """For each pair of consecutive checkpoints, the lag of maximum correlation."""
    table = corridor_table(store, nat=nat, start=start, end=end, route=route)
    found = []
    for up, down in itertools.pairwise(route):
        if table.empty:
            break
        corr = cross_correlation(table[up.id], table[down.id], max_lag=max_lag)
        if not corr:
            continue
        lag = max(corr, key=lambda k: corr[k][0])
        found.append(LeadTime(up.id, down.id, lag, corr[lag][0], corr[lag][1],
                              {k: round(v[0], 4) for k, v in corr.items()}))  # fmt: skip
    return found


@dataclass(frozen=True)
class Ratio:
    """Downstream total over upstream total, over the months both checkpoints cover."""

    upstream: str
    downstream: str
    ratio: float
    upstream_n: float
    downstream_n: float
    months: int
    #: months of the window that one of the two does not cover (left out of both totals)
    uncovered: list[str] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)


def ratios(
    store: Store, *, nat: str | None = None, start: str | date | None = None,
    end: str | date | None = None, route: tuple[Checkpoint, ...] = ROUTE,
) -> list[Ratio]:  # fmt: skip
    """For each pair of consecutive checkpoints, the ratio of their totals, with caveats."""
    table = corridor_table(store, nat=nat, start=start, end=end, route=route)
    found = []
    for up, down in itertools.pairwise(route):
        if table.empty:
            break
        pair = table[[up.id, down.id]]
        both = pair.dropna()
        either = pair.dropna(how="all")
        uncovered = [f"{t:%Y-%m}" for t in either.index.difference(both.index)]
        up_n, down_n = float(both[up.id].sum()), float(both[down.id].sum())
        found.append(Ratio(up.id, down.id, down_n / up_n if up_n else math.nan, up_n, down_n,
                           len(both), uncovered, _caveats(up, down, uncovered)))  # fmt: skip
    return found


def _caveats(up: Checkpoint, down: Checkpoint, uncovered: list[str]) -> list[str]:
    notes = []
    if up.unit != down.unit:
        notes.append(f"units differ: {up.id} counts {up.unit}, {down.id} counts {down.unit} "
                     "(one person may be counted more than once as events)")  # fmt: skip
    elif up.unit == "events":
        notes.append("both count events, not persons")
    if uncovered:
        shown = ", ".join(uncovered[:6]) + (" ..." if len(uncovered) > 6 else "")
        notes.append(f"{len(uncovered)} month(s) left out where only one source covers: {shown}")
    notes.append(f"definitions differ: {DEFINITIONS.get(up.id, up.label)}; "
                 f"{DEFINITIONS.get(down.id, down.label)}")  # fmt: skip
    notes.append(
        "not a rate of passage: people join between checkpoints (other routes, flights) "
        "and leave (asylum, settling, returns, unrecorded crossings)"
    )
    return notes


@dataclass(frozen=True)
class CorridorView:
    """All four views for one window (and nationality)."""

    nat: str | None
    table: pd.DataFrame
    shares: pd.DataFrame
    lead_times: list[LeadTime]
    ratios: list[Ratio]

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON: months as ``YYYY-MM-DD``, missing values and NaN as None."""
        table = self.table.reset_index()
        if not table.empty:
            table["month"] = table["month"].dt.strftime("%Y-%m-%d")
        units = {cp.id: cp.unit for cp in CHECKPOINTS}
        return _plain({
            "nat": self.nat,
            "table": table.to_dict("records"),
            "shares": self.shares.to_dict("records"),
            "lead_times": [asdict(lt) for lt in self.lead_times],
            "ratios": [{**asdict(r), "units": f"{units[r.upstream]}/{units[r.downstream]}"}
                       for r in self.ratios],
        })  # fmt: skip


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def corridor_view(
    store: Store, *, nat: str | None = None, start: str | date | None = None,
    end: str | date | None = None, top: int = 5, max_lag: int = 6,
) -> CorridorView:  # fmt: skip
    """The corridor table, shares, lead times and ratios in one call.

    Raises QueryError when no checkpoint has data for the nationality and window.
    """
    table = corridor_table(store, nat=nat, start=start, end=end)
    if table.empty:
        who = f" for nationality {nat.upper()}" if nat else ""
        window = f" between {start or 'the start'} and {end or 'the end'}" if start or end else ""
        raise QueryError(f"no checkpoint has data{who}{window}")
    return CorridorView(
        nat=nat.upper() if nat else None,
        table=table,
        shares=shares(store, start=start, end=end, top=top),
        lead_times=lead_times(store, nat=nat, start=start, end=end, max_lag=max_lag),
        ratios=ratios(store, nat=nat, start=start, end=end),
    )  # fmt: skip
