"""Rules on monthly data: daily paths consistent with the monthly totals, and their spread.

Rules read daily averages; most published series are monthly. Two steps:

* the *central* path spreads each month's total over its days with a straight
  line through the month's daily average, sloped toward the neighbouring
  months (so a fall from June to July shows inside the months, not as a step
  on the 1st); it keeps every month's total exactly;
* *simulated* paths add day-to-day noise (log-normal, AR(1): ``sigma`` is the
  spread of one day around the central path, ``rho`` how much of it carries
  over to the next day) and are rescaled so each month still sums to its
  total. The rule is run on every path: the share of paths in force on a day,
  and where each change of the central timeline falls across paths, say how
  much the monthly data can tell.

The noise parameters are assumptions, not estimates: daily counts are not in
the data. The defaults (sigma 0.15, rho 0.8) give week-to-week swings of the
7-day average of roughly 10-20% within a month, the order of the swings seen
in CBP's published daily figures; pass others to see how much it matters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from corridor.analysis.policy.engine import Timeline, Transition, evaluate
from corridor.analysis.policy.rules import PolicyRule
from corridor.errors import ConfigError, QueryError

#: a change on a simulated path counts as "the same" change of the central
#: timeline when it has the same new state and falls within this many days
MATCH_DAYS = 62


@dataclass(frozen=True)
class Noise:
    """Day-to-day noise of the simulated paths (see the module doc)."""

    sigma: float = 0.15
    rho: float = 0.8
    paths: int = 200
    seed: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.sigma <= 2:
            raise ConfigError(f"daily noise must be between 0 and 2, not {self.sigma}")
        if not 0 <= self.rho < 1:
            raise ConfigError(f"day-to-day correlation must be in [0, 1), not {self.rho}")
        if not 1 <= self.paths <= 5000:
            raise ConfigError(f"paths must be between 1 and 5000, not {self.paths}")


@dataclass(frozen=True)
class ChangeSpread:
    """Where one change of the central timeline falls on the simulated paths."""

    change: Transition
    share: float  #: paths with the same change within MATCH_DAYS days
    earliest: date | None  #: 5th percentile of its date on those paths
    median: date | None
    latest: date | None  #: 95th percentile

    def to_dict(self) -> dict[str, Any]:
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        return {**self.change.to_dict(), "share_of_paths": round(self.share, 3),
                "p05": iso(self.earliest), "p50": iso(self.median),
                "p95": iso(self.latest)}  # fmt: skip


@dataclass(frozen=True)
class FirstChange:
    """On how many simulated paths the rule first changes to ``state``, and when."""

    state: str
    share: float
    earliest: date | None
    median: date | None
    latest: date | None

    def to_dict(self) -> dict[str, Any]:
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        return {"state": self.state, "share_of_paths": round(self.share, 3),
                "p05": iso(self.earliest), "p50": iso(self.median),
                "p95": iso(self.latest)}  # fmt: skip


@dataclass
class MonthlyTimeline:
    """A rule run on daily paths derived from monthly totals."""

    central: Timeline
    monthly: pd.Series
    noise: Noise
    #: per day, the share of simulated paths on which the rule is in force
    p_in_force: pd.Series
    spreads: list[ChangeSpread] = field(default_factory=list)
    #: share of paths with a different number of changes than the central path
    other_paths: float = 0.0
    #: first change to each state across the simulated paths
    first: list[FirstChange] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.central.to_dict(),
            "approximate": True,
            "noise": {"sigma": self.noise.sigma, "rho": self.noise.rho,
                      "paths": self.noise.paths, "seed": self.noise.seed},
            "changes": [s.to_dict() for s in self.spreads],
            "paths_with_other_changes": round(self.other_paths, 3),
            "first_changes": [f.to_dict() for f in self.first],
        }  # fmt: skip


def daily_means(monthly: pd.Series) -> pd.Series:
    """Each month's total over its number of days (a month without data stays NaN)."""
    idx = pd.DatetimeIndex(monthly.index)
    return pd.Series(monthly.to_numpy(dtype="float64") / idx.days_in_month, index=idx)


def central_path(monthly: pd.Series) -> pd.Series:
    """Daily values that keep every month's total: a line through each month's mean."""
    means = daily_means(monthly)
    months = pd.DatetimeIndex(means.index)
    pieces = []
    for i, (start, mean) in enumerate(zip(months, means.to_numpy(), strict=True)):
        n = int(start.days_in_month)
        days = pd.date_range(start, periods=n, freq="D")
        if np.isnan(mean):
            pieces.append(pd.Series(np.nan, index=days))
            continue
        before = means.iloc[i - 1] if i > 0 else np.nan
        after = means.iloc[i + 1] if i + 1 < len(means) else np.nan
        if not np.isnan(before) and not np.isnan(after):
            slope = (after - before) / 61.0  # from the middle of one month to the next's
        elif not np.isnan(after):
            slope = (after - mean) / 30.5
        elif not np.isnan(before):
            slope = (mean - before) / 30.5
        else:
            slope = 0.0
        offsets = np.arange(n) - (n - 1) / 2  # sums to 0: the month's total is kept
        if mean - abs(slope) * (n - 1) / 2 < 0:  # never below zero
            slope = np.sign(slope) * mean / ((n - 1) / 2)
        pieces.append(pd.Series(mean + slope * offsets, index=days))
    return pd.concat(pieces)


def simulated_paths(monthly: pd.Series, noise: Noise) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """``noise.paths`` daily paths (rows), each month summing to its total."""
    central = central_path(monthly)
    rng = np.random.default_rng(noise.seed)
    n = len(central)
    eps = np.empty((noise.paths, n))
    eps[:, 0] = rng.normal(0.0, noise.sigma, noise.paths)
    step = np.sqrt(1 - noise.rho**2) * noise.sigma
    shocks = rng.normal(0.0, step, (noise.paths, n))
    for t in range(1, n):
        eps[:, t] = noise.rho * eps[:, t - 1] + shocks[:, t]
    paths = central.to_numpy()[None, :] * np.exp(eps)
    month_of_day = pd.DatetimeIndex(central.index).to_period("M")
    for month, total in zip(pd.DatetimeIndex(monthly.index).to_period("M"),
                            monthly.to_numpy(dtype="float64"), strict=True):  # fmt: skip
        cols = np.flatnonzero(month_of_day == month)
        if np.isnan(total) or not len(cols):
            continue
        sums = paths[:, cols].sum(axis=1, keepdims=True)
        paths[:, cols] *= np.where(sums > 0, total / np.where(sums > 0, sums, 1), 0)
    return pd.DatetimeIndex(central.index), paths


def evaluate_monthly(
    rule: PolicyRule, monthly: pd.Series, noise: Noise | None = None
) -> MonthlyTimeline:
    """Run ``rule`` on the central daily path of a monthly series and on simulated paths."""
    noise = noise or Noise()
    monthly = monthly.dropna()
    if monthly.empty:
        raise QueryError(f"rule `{rule.id}`: the series has no monthly data")
    full = pd.date_range(monthly.index.min(), monthly.index.max(), freq="MS")
    monthly = monthly.reindex(full)
    central = evaluate(rule, central_path(monthly))
    days, paths = simulated_paths(monthly, noise)
    in_force = np.zeros(len(days))
    changes: list[list[Transition]] = []
    for row in paths:
        tl = evaluate(rule, pd.Series(row, index=days))
        in_force += (tl.daily["state"] == "in_force").to_numpy()
        changes.append(tl.transitions)
    p = pd.Series(in_force / len(paths), index=days)
    p[central.daily["state"] == ""] = np.nan
    spreads = [_spread(c, changes) for c in central.transitions]
    other = float(np.mean([len(c) != len(central.transitions) for c in changes]))
    return MonthlyTimeline(central, monthly, noise, p, spreads, other, _first_changes(changes))


def _spread(change: Transition, paths: list[list[Transition]]) -> ChangeSpread:
    found = []
    for path in paths:
        near = [t for t in path if t.state == change.state
                and abs((t.date - change.date).days) <= MATCH_DAYS]  # fmt: skip
        if near:
            found.append(min(near, key=lambda t: abs((t.date - change.date).days)).date)
    if not found:
        return ChangeSpread(change, 0.0, None, None, None)
    q = _quantiles(found)
    return ChangeSpread(change, len(found) / len(paths), q[0], q[1], q[2])


def _first_changes(paths: list[list[Transition]]) -> list[FirstChange]:
    out = []
    for state in ("lifted", "in_force"):
        found = [next(t.date for t in p if t.state == state) for p in paths
                 if any(t.state == state for t in p)]  # fmt: skip
        if found:
            q = _quantiles(found)
            out.append(FirstChange(state, len(found) / len(paths), q[0], q[1], q[2]))
        else:
            out.append(FirstChange(state, 0.0, None, None, None))
    return out


def _quantiles(days: list[date]) -> list[date]:
    ordinals = np.array([d.toordinal() for d in days], dtype="float64")
    return [date.fromordinal(round(float(v))) for v in np.quantile(ordinals, [0.05, 0.5, 0.95])]
