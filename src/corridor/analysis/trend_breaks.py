"""Structural breaks: binary segmentation of log levels with a BIC-like penalty.

Method, chosen to be simple enough to explain beside its results:

1. Work on ``log(max(x, 1))``: migration counts move by factors, so a halving
   is the same step at 100,000 as at 1,000. Months without data are dropped
   (the segments are over observed months; a gap is never read as a fall).
2. Model the log series as piecewise constant. The cost of a segment is its sum
   of squared deviations from its mean.
3. Binary segmentation: split the segment whose best split lowers the total
   cost most, while that gain exceeds ``penalty * sigma2 * log(n)``. ``sigma2``
   is the noise variance estimated from month-to-month differences with the
   median absolute deviation (``MAD / 0.6745`` over ``sqrt 2``), so a few big
   level shifts do not inflate it and hide themselves. Segments keep at least
   ``min_size`` months; at most ``max_breaks`` breaks are returned.

A steady trend is not a break, but a piecewise-constant model approximates one
with steps; the BIC-like penalty and ``min_size`` limit this, and the statements
report the mean level on each side so a reader can judge the step.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd


def _noise_variance(y: np.ndarray) -> float:
    diffs = np.diff(y)
    if len(diffs) < 2:
        return 0.0
    mad = float(np.median(np.abs(diffs - np.median(diffs))))
    sigma = mad / 0.6745 / math.sqrt(2)
    # A perfectly flat stretch would give 0 and accept any split: floor it.
    return max(sigma**2, 1e-4)


def _best_split(
    cum: np.ndarray, cum2: np.ndarray, lo: int, hi: int, min_size: int
) -> tuple[float, int]:
    """Largest cost reduction from splitting y[lo:hi] at k (lo+min_size <= k <= hi-min_size)."""

    def cost(a: int, b: int) -> np.ndarray | float:
        s = cum[b] - cum[a]
        return (cum2[b] - cum2[a]) - s * s / (b - a)

    if hi - lo < 2 * min_size:
        return 0.0, -1
    ks = np.arange(lo + min_size, hi - min_size + 1)
    left_s = cum[ks] - cum[lo]
    left = (cum2[ks] - cum2[lo]) - left_s**2 / (ks - lo)
    right_s = cum[hi] - cum[ks]
    right = (cum2[hi] - cum2[ks]) - right_s**2 / (hi - ks)
    gains = float(cost(lo, hi)) - (left + right)
    best = int(np.argmax(gains))
    return float(gains[best]), int(ks[best])


def break_months(
    series: pd.Series, *, penalty: float = 3.0, min_size: int = 3, max_breaks: int = 5
) -> list[pd.Timestamp]:
    """First months of new regimes in ``series`` (monthly, NaN for gaps), in time order."""
    observed = series.dropna()
    n = len(observed)
    if n < 2 * min_size:
        return []
    y = np.log(np.maximum(observed.to_numpy(dtype="float64"), 1.0))
    cum = np.concatenate([[0.0], np.cumsum(y)])
    cum2 = np.concatenate([[0.0], np.cumsum(y * y)])
    threshold = penalty * _noise_variance(y) * math.log(n)
    bounds = [0, n]
    while len(bounds) - 2 < max_breaks:
        best_gain, best_k = 0.0, -1
        for lo, hi in itertools.pairwise(bounds):
            gain, k = _best_split(cum, cum2, lo, hi, min_size)
            if k >= 0 and gain > best_gain:
                best_gain, best_k = gain, k
        if best_k < 0 or best_gain <= threshold:
            break
        bounds = sorted([*bounds, best_k])
    return [pd.Timestamp(observed.index[k]) for k in bounds[1:-1]]
