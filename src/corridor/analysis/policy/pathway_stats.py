"""The statistics behind pathway effects: a difference-in-differences honest with few groups.

The panel is one monthly count per nationality. On ``log(1 + count)`` the
two-way fixed-effects regression ``nationality + month + treated x post`` on a
balanced panel gives exactly ``beta = mean(d_treated) - mean(d_control)``,
where ``d_i`` is nationality i's mean log count after minus before
(``tests/policy`` checks the equality against the regression). Inference is
done on those per-nationality changes (Donald and Lang 2007; Bertrand, Duflo
and Mullainathan 2004 for collapsing pre/post against serial correlation):

* a two-sample t interval with a pooled variance and ``G - 2`` degrees of
  freedom (G nationalities), exact when the ``d_i`` are normal. Clustered
  standard errors with the usual ``t(G - 1)`` reference are known to reject
  far too often with 5 to 10 clusters and few treated ones; this interval
  does not lean on many clusters, and its width shows how few there are;
* a randomisation (permutation) p-value: the same estimate for every way of
  choosing which nationalities are "covered"; assumption-light, but with G
  nationalities the smallest possible p-value is ``1 / C(G, n_treated)``.

No scipy: the Student t quantile comes from the regularised incomplete beta
function below (checked against scipy in the tests when it is installed).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: permutation p-values enumerate every assignment up to this many, else sample
MAX_PERMUTATIONS = 20_000


@dataclass(frozen=True)
class Estimate:
    """A difference on the log scale with its interval; ``pct`` = 100 (exp(x) - 1)."""

    log: float
    se: float | None
    df: int
    low: float | None  # log scale
    high: float | None
    p_value: float | None
    level: float

    @property
    def pct(self) -> float:
        return to_pct(self.log)

    @property
    def pct_low(self) -> float | None:
        return None if self.low is None else to_pct(self.low)

    @property
    def pct_high(self) -> float | None:
        return None if self.high is None else to_pct(self.high)

    def excludes_zero(self) -> bool:
        """Whether the interval lies wholly on one side of no change."""
        return self.low is not None and self.high is not None and (self.low > 0 or self.high < 0)


def to_pct(log_diff: float) -> float:
    """A log difference as a percentage change."""
    return 100.0 * math.expm1(log_diff)


def changes(logs: pd.DataFrame, pre: pd.Index, post: pd.Index) -> pd.Series:
    """Per nationality (column): mean log count in ``post`` minus in ``pre``."""
    return logs.loc[post].mean() - logs.loc[pre].mean()


def slopes(logs: pd.DataFrame, months: pd.Index) -> pd.Series:
    """Per nationality: least-squares slope of the log count per month over ``months``."""
    x = np.arange(len(months), dtype="float64")
    x -= x.mean()
    y = logs.loc[months].to_numpy(dtype="float64")
    return pd.Series((x @ (y - y.mean(axis=0))) / (x @ x), index=logs.columns)


def difference(treated: pd.Series, control: pd.Series, level: float) -> Estimate:
    """``mean(treated) - mean(control)`` with a pooled two-sample t interval (df = G - 2)."""
    t_vals = treated.to_numpy(dtype="float64")
    c_vals = control.to_numpy(dtype="float64")
    beta = float(t_vals.mean() - c_vals.mean())
    df = len(t_vals) + len(c_vals) - 2
    if df < 1:
        return Estimate(beta, None, df, None, None, None, level)
    ss = ((t_vals - t_vals.mean()) ** 2).sum() + ((c_vals - c_vals.mean()) ** 2).sum()
    se = math.sqrt(ss / df * (1 / len(t_vals) + 1 / len(c_vals)))
    if se == 0:
        return Estimate(beta, 0.0, df, beta, beta, 0.0 if beta else 1.0, level)
    half = t_quantile(0.5 + level / 2, df) * se
    p = 2 * t_sf(abs(beta) / se, df)
    return Estimate(beta, se, df, beta - half, beta + half, p, level)


def mean_interval(values: pd.Series, level: float) -> Estimate:
    """The mean of ``values`` with a one-sample t interval (df = n - 1)."""
    v = values.to_numpy(dtype="float64")
    mean = float(v.mean())
    df = len(v) - 1
    if df < 1:
        return Estimate(mean, None, df, None, None, None, level)
    se = float(v.std(ddof=1)) / math.sqrt(len(v))
    if se == 0:
        return Estimate(mean, 0.0, df, mean, mean, None, level)
    half = t_quantile(0.5 + level / 2, df) * se
    return Estimate(mean, se, df, mean - half, mean + half, 2 * t_sf(abs(mean) / se, df), level)


def permutation_p(
    changes_by_nat: pd.Series, treated: list[str], seed: int = 0
) -> tuple[float, int]:
    """Two-sided randomisation p-value of the DiD and the number of assignments used."""
    values = changes_by_nat.to_numpy(dtype="float64")
    names = list(changes_by_nat.index)
    k, n = len(treated), len(values)
    mask = np.isin(names, treated)
    observed = abs(values[mask].mean() - values[~mask].mean())
    total = math.comb(n, k)
    if total <= MAX_PERMUTATIONS:
        draws = [np.array(c) for c in itertools.combinations(range(n), k)]
    else:  # sampled assignments; the observed one is counted once more below
        rng = np.random.default_rng(seed)
        draws = [rng.choice(n, size=k, replace=False) for _ in range(MAX_PERMUTATIONS - 1)]
        draws.append(np.flatnonzero(mask))
    stats = []
    for idx in draws:
        m = np.zeros(n, dtype=bool)
        m[idx] = True
        stats.append(abs(values[m].mean() - values[~m].mean()))
    hits = sum(s >= observed - 1e-12 for s in stats)
    return hits / len(stats), len(stats)


def twfe(logs: pd.DataFrame, treated: list[str], post: pd.Index) -> float:
    """The treated x post coefficient of OLS with nationality and month dummies (for checks)."""
    long = logs.rename_axis(index="period", columns="nat").reset_index()
    long = long.melt(id_vars="period", var_name="nat", value_name="y")
    d = (long["nat"].isin(treated) & long["period"].isin(post)).astype("float64")
    nat_d = pd.get_dummies(long["nat"], dtype="float64")
    month_d = pd.get_dummies(long["period"], dtype="float64").iloc[:, 1:]
    x = np.column_stack([d.to_numpy(), nat_d.to_numpy(), month_d.to_numpy()])
    coef, *_ = np.linalg.lstsq(x, long["y"].to_numpy(dtype="float64"), rcond=None)
    return float(coef[0])


# --- Student t without scipy -------------------------------------------------


def t_sf(t: float, df: int) -> float:
    """P(T > t) for Student's t with ``df`` degrees of freedom, t >= 0."""
    return 0.5 * _betainc(df / 2, 0.5, df / (df + t * t))


def t_quantile(p: float, df: int) -> float:
    """The ``p`` quantile of Student's t (0.5 < p < 1), by bisection on ``t_sf``."""
    if not 0.5 < p < 1:
        raise ValueError(f"p must be in (0.5, 1), not {p}")
    lo, hi = 0.0, 1.0
    while t_sf(hi, df) > 1 - p:
        hi *= 2
    for _ in range(200):
        mid = (lo + hi) / 2
        if t_sf(mid, df) > 1 - p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12 * max(1.0, hi):
            break
    return (lo + hi) / 2


def _betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta I_x(a, b) (continued fraction, Numerical Recipes 6.4)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1) / (a + b + 2):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1 - x) / b


def _betacf(a: float, b: float, x: float) -> float:
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        for aa in (m * (b - m) * x / ((qam + m2) * (a + m2)),
                   -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):  # fmt: skip
            d = 1 + aa * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + aa / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1) < 3e-16:
            break
    return h
