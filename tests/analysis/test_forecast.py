"""forecast(): the public contract on synthetic series with known structure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from corridor.analysis.forecast import COLUMNS, MODELS, forecast
from corridor.errors import ConfigError, QueryError


def months(values: np.ndarray | list[float], start: str = "2019-01-01") -> pd.Series:
    return pd.Series(np.asarray(values, dtype="float64"),
                     index=pd.date_range(start, periods=len(values), freq="MS"))  # fmt: skip


def test_columns_periods_and_ordered_bounds() -> None:
    rng = np.random.default_rng(1)
    s = months(1000 * np.exp(np.cumsum(rng.normal(0, 0.1, 48))))
    df = forecast(s, 6)
    assert list(df.columns) == COLUMNS
    assert list(df["period"]) == list(pd.date_range("2023-01-01", periods=6, freq="MS"))
    assert (df["lo95"] <= df["lo80"]).all() and (df["lo80"] <= df["mean"]).all()
    assert (df["mean"] <= df["hi80"]).all() and (df["hi80"] <= df["hi95"]).all()
    assert (df["lo95"] >= 0).all()
    assert df["model"].iloc[0] == "ets"


@pytest.mark.parametrize("model", ["naive", "seasonal_naive", "drift", "ets", "arima"])
def test_constant_series_is_forecast_exactly(model: str) -> None:
    df = forecast(months([500.0] * 30), 3, model=model)
    assert np.allclose(df["mean"], 500.0)
    assert df["model"].iloc[0] == model


def test_naive_repeats_last_value_and_seasonal_naive_last_year() -> None:
    season = 100 + 50 * np.sin(np.arange(36) * 2 * np.pi / 12)
    s = months(season)
    assert np.allclose(forecast(s, 2, model="naive")["mean"], season[-1])
    assert np.allclose(forecast(s, 12, model="seasonal_naive")["mean"], season[-12:])


def test_intervals_cover_a_known_trend_and_season() -> None:
    rng = np.random.default_rng(7)
    t = np.arange(72)
    level = np.log(2000) + 0.02 * t + 0.2 * np.sin(2 * np.pi * t / 12)
    full = np.exp(level + rng.normal(0, 0.05, len(t)))
    hits80 = hits95 = total = 0
    for origin in (60, 63, 66):
        df = forecast(months(full[:origin]), 6, model="ets")
        actual = full[origin : origin + 6]
        hits80 += int(((df["lo80"] <= actual) & (actual <= df["hi80"])).sum())
        hits95 += int(((df["lo95"] <= actual) & (actual <= df["hi95"])).sum())
        total += len(actual)
    assert hits95 / total >= 0.85
    assert hits80 / total >= 0.6
    # the trend is followed: the 6-month-ahead mean is above the last value
    df = forecast(months(full[:60]), 6, model="drift")
    assert df["mean"].iloc[-1] > full[59]


def test_gap_fits_on_months_since_the_gap() -> None:
    values = [10.0] * 20 + [np.nan] + [100.0] * 8 + [np.nan]
    df = forecast(months(values), 2, model="naive")
    assert np.allclose(df["mean"], 100.0)
    # trailing NaN dropped: the forecast starts the month after the last value
    assert df["period"].iloc[0] == pd.Timestamp("2019-01-01") + pd.DateOffset(months=29)


def test_errors() -> None:
    with pytest.raises(QueryError, match="too short"):
        forecast(months([1.0, 2.0, 3.0]), 2)
    with pytest.raises(QueryError, match="too short"):
        forecast(months([5.0] * 20 + [np.nan] + [5.0] * 3), 2)
    with pytest.raises(QueryError, match="too short"):
        forecast(pd.Series(dtype="float64"), 2)
    with pytest.raises(QueryError, match="seasonal naive"):
        forecast(months([5.0] * 10), 2, model="seasonal_naive")
    with pytest.raises(ConfigError, match="unknown model"):
        forecast(months([5.0] * 10), 2, model="prophet")
    with pytest.raises(ConfigError, match="horizon"):
        forecast(months([5.0] * 10), 0)
    with pytest.raises(QueryError, match="monthly"):
        forecast(pd.Series([1.0] * 8, index=pd.date_range("2020-01-01", periods=8, freq="D")))
    assert "auto" in MODELS


def test_months_left_out_of_the_index_count_as_gaps() -> None:
    values = months([10.0] * 20 + [np.nan] + [100.0] * 8)
    df = forecast(values.dropna(), 2, model="naive")  # as the dashboard passes it
    assert np.allclose(df["mean"], 100.0)
    with pytest.raises(QueryError, match="too short"):
        forecast(months([5.0] * 20 + [np.nan] + [5.0] * 3).dropna(), 2)
