"""The corridor model: a checkpoint forecast from its upstream checkpoints and policy dates.

People counted in the Darién are counted again weeks later in Honduras,
Mexico and at the US border, and a few policy changes moved every series at
once. The model is a ridge regression of the month-on-month log change of the
target on

* the log changes of its upstream checkpoints the month before
  (Darién and Honduras for Mexico and the US; Darién for Honduras; Mexico and
  the US for Guatemala's returns, which follow removals north of it),
* one regressor per policy change: the change in the share of the month that
  falls after the policy date. A policy that moves the daily rate from one day
  on shows in monthly totals as a step spread over two months, and in log
  changes as exactly this pair of fractions.

Why this and not ARIMA with exogenous regressors: the regressors are lagged
(so the first step needs no forecast of them), the fit is closed-form and
takes milliseconds per request, and ridge (no intercept) shrinks the handful
of coefficients towards "no change", so that without a signal the model is
naive. Months beyond the data use an unknown upstream change drawn from its
history, not a guess.

Intervals come from a residual bootstrap: each simulated path draws a whole
past month (its residual together with its upstream changes), so the spread
of future upstream moves and of the model's error is carried into the band.
``INTERVAL_SCALE`` widens the bootstrap band by the factor the rolling-origin
backtest asked for (see benchmarks/forecast.py).

Policies are known only from their date on: a forecast made before a policy
date does not know it is coming (no foreknowledge in backtests), but the
second half of a step whose date is already past is carried into the forecast.
Months with a gap in the target or an upstream series are left out of the fit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import numpy as np
import pandas as pd

from corridor.analysis.forecast import COLUMNS, as_monthly
from corridor.analysis.series import checkpoint, monthly
from corridor.errors import ConfigError, QueryError
from corridor.store import Store

#: Upstream checkpoints of each checkpoint, whose earlier changes lead it.
UPSTREAM: dict[str, tuple[str, ...]] = {
    "darien": (),
    "honduras": ("darien",),
    "mexico": ("darien", "honduras"),
    "us_southwest": ("darien", "honduras"),
    "guatemala_returns": ("mexico", "us_southwest"),
}

#: Policy changes that moved the corridor's flows, by the first day they applied.
POLICIES: dict[str, date] = {
    "chnv_parole": date(2023, 1, 6),  # CHNV parole extended to Cuba, Haiti, Nicaragua
    "title42_end": date(2023, 5, 12),  # Title 42 expulsions ended on 2023-05-11
    "proclamation_2024": date(2024, 6, 5),  # "Securing the Border" proclamation
    "jan_2025": date(2025, 1, 20),  # new US administration: CBP One ended, parole paused
}

#: Upstream changes this many months before. Lag 2, the target's own last change and
#: an intercept (drift) were tried and each made the backtest worse: momentum and
#: drift do not carry over between regimes (benchmarks/README.md).
LAGS: tuple[int, ...] = (1,)
#: Strong shrinkage towards "no change" (naive): alpha 1 and 3 scored worse.
RIDGE_ALPHA = 10.0
#: Fewer paired months than this and the regression is not fitted.
MIN_ROWS = 24
PATHS = 1000
#: Bootstrap bands times this factor. 1.0: the backtest's 80% bands already cover
#: 82% and its 95% bands 94% (2023-01..2025-04, horizons 1-3, five checkpoints).
INTERVAL_SCALE = 1.0


def step_share(month: pd.Timestamp, when: date) -> float:
    """Share of the month's days on or after ``when`` (0 before, 1 after)."""
    first = month.date()
    days = month.days_in_month
    last = date(first.year, first.month, days)
    if when <= first:
        return 1.0
    if when > last:
        return 0.0
    return (days - (when.day - 1)) / days


def policy_pulses(
    months: pd.DatetimeIndex, known_until: pd.Timestamp | None = None
) -> pd.DataFrame:
    """Log-change regressors of each policy: the month-on-month change of its step share.

    Policies dated after ``known_until`` are zero everywhere: at that origin
    nobody knew of them yet.
    """
    out = {}
    for name, when in POLICIES.items():
        if known_until is not None and pd.Timestamp(when) > known_until + pd.offsets.MonthEnd(0):
            out[name] = np.zeros(len(months))
            continue
        share = np.array([step_share(m, when) for m in months])
        prev = np.array([step_share(m - pd.DateOffset(months=1), when) for m in months])
        out[name] = share - prev
    return pd.DataFrame(out, index=months)


def _dlog(series: pd.Series) -> pd.Series:
    return np.log1p(series.clip(lower=0)).diff()


def _design(
    upstream: Mapping[str, pd.Series], months: pd.DatetimeIndex, known_until: pd.Timestamp
) -> pd.DataFrame:
    """Regressors per month (NaN where a lagged value is missing)."""
    cols: dict[str, pd.Series] = {}
    for name, s in upstream.items():
        du = _dlog(s).reindex(months)
        for lag in LAGS:
            cols[f"{name}_lag{lag}"] = du.shift(lag)
    X = pd.DataFrame(cols, index=months)
    return X.join(policy_pulses(months, known_until))


def _ridge(X: np.ndarray, y: np.ndarray, alpha: float) -> np.ndarray:
    """Ridge coefficients without intercept: with no signal the forecast is "no change"."""
    return np.linalg.solve(X.T @ X + alpha * np.eye(X.shape[1]), X.T @ y)


def _quantile_cols(
    paths: np.ndarray, mean: np.ndarray, levels: Sequence[int], scale: float
) -> dict[str, np.ndarray]:
    """Bounds per level from simulated log paths, widened around the point path."""
    out: dict[str, np.ndarray] = {"mean": np.expm1(mean)}
    for lv in levels:
        lo_q, hi_q = np.quantile(paths, [(100 - lv) / 200, 1 - (100 - lv) / 200], axis=0)
        lo = mean - scale * (mean - np.minimum(lo_q, mean))
        hi = mean + scale * (np.maximum(hi_q, mean) - mean)
        out[f"lo{lv}"] = np.clip(np.expm1(lo), 0.0, None)
        out[f"hi{lv}"] = np.expm1(hi)
    return out


def corridor_model_forecast(
    target: pd.Series,
    upstream: Mapping[str, pd.Series],
    horizon: int = 6,
    *,
    levels: tuple[int, ...] = (80, 95),
    seed: int = 0,
    interval_scale: float | None = None,
) -> pd.DataFrame:
    """Forecast ``target`` from its own and its upstream series' past (same columns as forecast)."""
    if not 1 <= horizon <= 24:
        raise ConfigError(f"horizon must be 1..24 months, got {horizon}")
    t = as_monthly(target)
    if not t.notna().any():
        raise QueryError("too short to forecast: the series has no data")
    t = t.loc[: t.last_valid_index()]
    origin = pd.Timestamp(t.index[-1])
    ups = {n: as_monthly(s).loc[:origin] for n, s in upstream.items()}
    months = pd.date_range(t.index[0], origin + pd.DateOffset(months=horizon), freq="MS")
    X = _design(ups, months, origin)
    y = _dlog(t).reindex(months)
    hist = months <= origin
    ok = hist & X.notna().all(axis=1).to_numpy() & y.notna().to_numpy()
    if ok.sum() < MIN_ROWS:
        raise QueryError(
            f"too short for the corridor model: {int(ok.sum())} months with the series and "
            f"its upstream ({', '.join(ups) or 'none'}) all present (need {MIN_ROWS}+)"
        )
    Xh, yh = X.to_numpy()[ok], y.to_numpy()[ok]
    beta = _ridge(Xh, yh, RIDGE_ALPHA)
    resid = yh - Xh @ beta
    resid *= np.sqrt(len(yh) / max(len(yh) - len(beta), 1))  # degrees of freedom

    cols = list(X.columns)
    up_cols = {(n, lag): cols.index(f"{n}_lag{lag}") for n in ups for lag in LAGS}
    fut = months[months > origin]
    Xf = X.loc[fut].to_numpy().copy()  # known lags filled, unknown ones NaN
    up_hist = {n: _dlog(s).reindex(months).to_numpy()[ok] for n, s in ups.items()}

    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(yh), size=(PATHS, horizon))
    last = float(np.log1p(t.iloc[-1]))

    def run(resid_of: np.ndarray | None, up_of: dict[str, np.ndarray] | None) -> np.ndarray:
        """Log levels of the paths (one row per path; one path when not simulating)."""
        n = 1 if resid_of is None else resid_of.shape[0]
        level = np.full(n, last)
        future_up: dict[str, list[np.ndarray]] = {u: [] for u in ups}
        out = np.empty((n, horizon))
        for h in range(horizon):
            x = np.tile(Xf[h], (n, 1))
            for (u, lag), c in up_cols.items():
                k = h - lag  # index of the future month this lag points at
                if k >= 0:  # after the origin: not observed yet
                    x[:, c] = future_up[u][k]
            x = np.nan_to_num(x, nan=0.0)
            d = x @ beta
            if resid_of is not None:
                d = d + resid_of[:, h]
            for u in ups:
                future_up[u].append(
                    np.zeros(n) if up_of is None else up_of[u][:, h]  # unknown: no change
                )
            level = level + d
            out[:, h] = level
        return out

    mean = run(None, None)[0]
    paths = run(resid[draws], {u: up_hist[u][draws] for u in ups})
    scale = INTERVAL_SCALE if interval_scale is None else interval_scale
    df = pd.DataFrame({"period": fut, **_quantile_cols(paths, mean, levels, scale)})
    df["model"] = "corridor"
    return df[[c for c in COLUMNS if c in df.columns]]


def corridor_forecast(
    store: Store,
    checkpoint_id: str,
    horizon: int = 6,
    *,
    nat: str | None = None,
    levels: tuple[int, ...] = (80, 95),
) -> pd.DataFrame:
    """The corridor model's forecast of a checkpoint (all nationalities, or one)."""
    cp = checkpoint(checkpoint_id)
    target = monthly(store, cp, nat=nat)
    if target.empty:
        raise QueryError(f"no data for {cp.id}" + (f" and nationality {nat}" if nat else ""))
    ups = {u: monthly(store, checkpoint(u), nat=nat) for u in UPSTREAM[cp.id]}
    return corridor_model_forecast(target, ups, horizon, levels=levels)


__all__ = [
    "POLICIES",
    "UPSTREAM",
    "corridor_forecast",
    "corridor_model_forecast",
    "policy_pulses",
    "step_share",
]
