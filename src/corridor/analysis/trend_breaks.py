"""Structural breaks: binary segmentation of log levels into straight-line segments.

Method, simple enough to explain beside its results:

1. Work on ``log(max(x, 1))``: migration counts move by factors, so a halving
   is the same step at 100,000 as at 1,000. Months without data are dropped
   (segments run over observed months; a gap is never read as a fall).
2. Model the log series as piecewise linear: each segment has its own level
   and its own monthly growth rate, fitted by least squares. A steady rise or
   fall is one segment, not a staircase of false breaks (a piecewise-constant
   model would cut a trend into steps); a break is a jump in level or a change
   of trend (growth turning into decline).
3. Binary segmentation: split the segment whose best split lowers the total
   sum of squared residuals most, while that gain exceeds
   ``penalty * sigma2 * log(n)``. ``sigma2`` is the noise variance estimated
   from month-to-month differences with the median absolute deviation
   (``MAD / 0.6745`` over ``sqrt 2``), so the level shifts themselves do not
   inflate it. BIC would charge a split ``3 * sigma2 * log(n)`` (a location, a
   level and a slope); the default penalty of 6 charges twice that, because
   monthly counts have autocorrelated noise that BIC under-penalises.
   Segments keep at least ``min_size`` months; at most ``max_breaks`` breaks.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd

PENALTY = 6.0
MIN_SIZE = 4
MAX_BREAKS = 5


def _noise_variance(y: np.ndarray) -> float:
    diffs = np.diff(y)
    if len(diffs) < 2:
        return 0.0
    mad = float(np.median(np.abs(diffs - np.median(diffs))))
    sigma = mad / 0.6745 / math.sqrt(2)
    # A perfectly flat stretch would give 0 and accept any split: floor it.
    return max(sigma**2, 1e-4)


class _Sums:
    """Cumulative sums that give any segment's least-squares line residual in O(1)."""

    def __init__(self, t: np.ndarray, y: np.ndarray) -> None:
        def cum(v: np.ndarray) -> np.ndarray:
            return np.concatenate([[0.0], np.cumsum(v)])

        self.y, self.yy, self.t, self.tt, self.ty = (cum(v) for v in (y, y * y, t, t * t, t * y))

    def cost(self, a: np.ndarray | int, b: np.ndarray | int) -> np.ndarray:
        """Residual sum of squares of the line fitted to points a..b-1 (vectorised)."""
        m = np.asarray(b - a, dtype="float64")
        sy, syy = self.y[b] - self.y[a], self.yy[b] - self.yy[a]
        st, stt, sty = self.t[b] - self.t[a], self.tt[b] - self.tt[a], self.ty[b] - self.ty[a]
        vyy, vtt, vty = syy - sy * sy / m, stt - st * st / m, sty - st * sy / m
        with np.errstate(divide="ignore", invalid="ignore"):
            explained = np.where(vtt > 0, vty * vty / vtt, 0.0)
        return np.asarray(np.maximum(vyy - explained, 0.0))


def _month_numbers(index: pd.Index) -> np.ndarray:
    months = pd.DatetimeIndex(index)
    t = (months.year * 12 + months.month).to_numpy(dtype="float64")
    return t - t[0]


def break_months(
    series: pd.Series, *, penalty: float = PENALTY, min_size: int = MIN_SIZE,
    max_breaks: int = MAX_BREAKS,
) -> list[pd.Timestamp]:  # fmt: skip
    """First months of new regimes in ``series`` (monthly, NaN for gaps), in time order."""
    observed = series.dropna()
    n = len(observed)
    if n < 2 * min_size:
        return []
    y = np.log(np.maximum(observed.to_numpy(dtype="float64"), 1.0))
    sums = _Sums(_month_numbers(observed.index), y)
    threshold = penalty * _noise_variance(y) * math.log(n)
    bounds = [0, n]
    while len(bounds) - 2 < max_breaks:
        best_gain, best_k = 0.0, -1
        for lo, hi in itertools.pairwise(bounds):
            if hi - lo < 2 * min_size:
                continue
            ks = np.arange(lo + min_size, hi - min_size + 1)
            gains = float(sums.cost(lo, hi)) - sums.cost(lo, ks) - sums.cost(ks, hi)
            i = int(np.argmax(gains))
            if gains[i] > best_gain:
                best_gain, best_k = float(gains[i]), int(ks[i])
        if best_k < 0 or best_gain <= threshold:
            break
        bounds = sorted([*bounds, best_k])
    return [pd.Timestamp(observed.index[k]) for k in bounds[1:-1]]


def monthly_growth(segment: pd.Series) -> float:
    """The least-squares trend of a segment, in percent per month (log-linear fit)."""
    observed = segment.dropna()
    if len(observed) < 2:
        return 0.0
    t = _month_numbers(observed.index)
    y = np.log(np.maximum(observed.to_numpy(dtype="float64"), 1.0))
    slope = float(np.polyfit(t, y, 1)[0])
    return (math.exp(slope) - 1) * 100
