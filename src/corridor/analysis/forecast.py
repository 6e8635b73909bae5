"""Forecasts of one monthly series, 1-6 months ahead, with prediction intervals.

Every model is fitted on ``log1p`` of the counts and transformed back: counts
of people move by ratios, not by fixed steps, and intervals on the log scale
stay positive. The back-transformed mean is the median forecast (no bias
correction), which is what MAPE and MASE reward anyway.

Gaps: a month the sources do not cover is missing, and no model here can skip
one, so the model is fitted on the months since the last gap (Darién lacks
2020-04/05/07: its forecasts learn from 2020-08 on). Nothing is imputed.

statsforecast (and numba) take seconds to import, so they are imported only
when a forecast is made.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from corridor.errors import ConfigError, QueryError

#: The baselines of the issue, by the name the CLI and the scores use.
BASELINES: tuple[str, ...] = ("naive", "seasonal_naive", "drift", "ets", "arima")
#: "auto" is damped/undamped ETS chosen by AICc on logs: close to naive on
#: random-walk-like series, and it follows a steady trend (see benchmarks/forecast.py).
MODELS: tuple[str, ...] = ("auto", *BASELINES)
SEASON = 12
#: Fewer months than this and no model is worth fitting.
MIN_MONTHS = 6
COLUMNS = ["period", "mean", "lo80", "hi80", "lo95", "hi95", "model"]


def _statsforecast_models() -> Any:
    try:
        from statsforecast import models
    except ImportError as exc:  # pragma: no cover - the extra is in dev
        raise ConfigError("forecasts need statsforecast: pip install 'corridor[forecast]'") from exc
    return models


def check_model(model: str) -> str:
    """The model name, or an error listing the valid ones."""
    if model not in MODELS:
        raise ConfigError(f"unknown model `{model}`; use one of: {', '.join(MODELS)}")
    return model


def trailing_run(series: pd.Series) -> pd.Series:
    """The months since the last gap (the longest stretch a model can use as it is)."""
    s = as_monthly(series)
    missing = np.flatnonzero(s.isna().to_numpy())
    return s.iloc[missing[-1] + 1 :] if len(missing) else s


def as_monthly(series: pd.Series) -> pd.Series:
    """The series on consecutive month starts: months left out (e.g. by dropna) come back as NaN."""
    idx = pd.DatetimeIndex(pd.to_datetime(series.index))
    if len(idx) and (not (idx == idx.to_period("M").to_timestamp()).all()
                     or not idx.is_monotonic_increasing or idx.has_duplicates):  # fmt: skip
        raise QueryError("the series must be monthly (increasing month starts)")
    out = pd.Series(series.to_numpy(dtype="float64"), index=idx, name=series.name)
    if len(idx) > 1:
        out = out.reindex(pd.date_range(idx[0], idx[-1], freq="MS"))
    return out


def _spec(model: str, n: int) -> tuple[Any, str]:
    """The statsforecast model for a name, and the name it reports under."""
    m = _statsforecast_models()
    seasonal = n >= 3 * SEASON  # two full seasons at least, plus one to estimate from
    if model == "naive":
        return m.Naive(), "naive"
    if model == "seasonal_naive":
        if n < SEASON + 1:
            raise QueryError(f"seasonal naive needs {SEASON + 1}+ months, the series has {n}")
        return m.SeasonalNaive(season_length=SEASON), "seasonal_naive"
    if model == "drift":
        return m.RandomWalkWithDrift(), "drift"
    if model in ("ets", "auto"):
        return m.AutoETS(season_length=SEASON if seasonal else 1), "ets"
    return m.AutoARIMA(season_length=SEASON if seasonal else 1), "arima"


def forecast_values(
    y: np.ndarray, horizon: int, model: str, levels: Sequence[int]
) -> dict[str, np.ndarray]:
    """Point forecasts and interval bounds on the count scale for a gap-free history."""
    est, _ = _spec(model, len(y))
    logs = np.log1p(np.clip(y, 0.0, None))
    raw = est.forecast(y=logs, h=horizon, level=list(levels))
    out = {"mean": np.expm1(raw["mean"])}
    for lv in levels:
        out[f"lo{lv}"] = np.clip(np.expm1(raw[f"lo-{lv}"]), 0.0, None)
        out[f"hi{lv}"] = np.expm1(raw[f"hi-{lv}"])
    return {k: np.asarray(v, dtype="float64") for k, v in out.items()}


def forecast(
    series: pd.Series,
    horizon: int = 6,
    *,
    model: str = "auto",
    levels: tuple[int, ...] = (80, 95),
) -> pd.DataFrame:
    """Forecast a monthly series ``horizon`` months past its last month.

    Returns one row per month: ``period`` (month start), ``mean``, and the
    bounds ``lo{level}``/``hi{level}`` of each central interval, and ``model``
    (the model actually fitted). Missing months (NaN, or left out of the index)
    are handled by fitting on the months since the last gap; trailing missing
    months are dropped first.
    """
    check_model(model)
    if not 1 <= horizon <= 24:
        raise ConfigError(f"horizon must be 1..24 months, got {horizon}")
    if not levels or any(not 0 < lv < 100 for lv in levels):
        raise ConfigError(f"interval levels must lie in 1..99, got {levels}")
    s = as_monthly(series)
    s = s.loc[: s.last_valid_index()] if s.notna().any() else s.iloc[:0]
    run = trailing_run(s)
    if len(run) < MIN_MONTHS:
        raise QueryError(
            f"too short to forecast: {len(run)} consecutive months since the last gap "
            f"(need {MIN_MONTHS}+)"
        )
    if (run < 0).any():
        raise QueryError("counts cannot be negative")
    values = forecast_values(run.to_numpy(), horizon, model, levels)
    _, name = _spec(model, len(run))
    start = pd.Timestamp(run.index[-1]) + pd.DateOffset(months=1)
    df = pd.DataFrame({"period": pd.date_range(start, periods=horizon, freq="MS"), **values})
    df["model"] = name
    extra = [c for c in df.columns if c not in COLUMNS]
    return df[[c for c in COLUMNS if c in df.columns] + extra]


__all__ = [
    "BASELINES",
    "MODELS",
    "as_monthly",
    "check_model",
    "forecast",
    "forecast_values",
    "trailing_run",
]
