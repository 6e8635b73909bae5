"""Rolling-origin backtests and the corridor model on planted series."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from corridor.analysis.backtest import SCORE_COLUMNS, backtest, forecast_errors
from corridor.analysis.corridor_model import corridor_model_forecast, policy_pulses, step_share
from corridor.errors import ConfigError, QueryError


def months(values: np.ndarray | list[float], start: str = "2019-01-01") -> pd.Series:
    return pd.Series(np.asarray(values, dtype="float64"),
                     index=pd.date_range(start, periods=len(values), freq="MS"))  # fmt: skip


def led_pair(n: int = 72, seed: int = 3) -> tuple[pd.Series, pd.Series]:
    """An upstream random walk in logs, and a target that follows its changes a month later."""
    rng = np.random.default_rng(seed)
    du = rng.normal(0, 0.3, n)
    up = 5000 * np.exp(np.cumsum(du))
    dt = np.r_[0.0, 0.9 * du[:-1]] + rng.normal(0, 0.03, n)
    return months(up), months(2000 * np.exp(np.cumsum(dt)))


def test_naive_is_exact_on_a_constant_series_and_scores_are_tidy() -> None:
    s = months([300.0] * 40).rename("flat")
    scores = backtest(s, models=["naive"], horizons=[1, 2], start="2021-06", end="2022-04")
    assert list(scores.columns) == SCORE_COLUMNS
    assert list(scores["horizon"]) == [1, 2]
    assert np.allclose(scores["mape"], 0.0, atol=1e-9)
    assert (scores["coverage80"] == 1).all()
    assert scores["n_origins"].tolist() == [11, 11]
    assert scores["surge_hit_rate"].isna().all() and (scores["n_surges"] == 0).all()


def test_origins_only_see_the_past() -> None:
    s = months(np.arange(1.0, 41.0) * 10).rename("ramp")
    errs = forecast_errors({"ramp": s}, "ramp", "naive", horizons=[1, 3], start="2021-10",
                           end="2022-04")  # fmt: skip
    one = errs[errs["horizon"] == 1]
    # naive repeats the value at the origin: error = one month's growth
    assert np.allclose(one["actual"] - one["mean"], 10.0)
    assert ((errs["origin"] + pd.DateOffset(months=1)) <= pd.Timestamp("2022-04-01")).all()
    assert np.allclose(errs[errs["horizon"] == 3]["actual"] - errs[errs["horizon"] == 3]["mean"],
                       30.0)  # fmt: skip


def test_surge_hit_rate() -> None:
    # steady 30% monthly growth: every month is a surge, drift forecasts the rise
    s = months(100 * 1.3 ** np.arange(30)).rename("boom")
    scores = backtest(s, models=["naive", "drift"], horizons=[1], start="2020-10", end="2021-06")
    rate = scores.set_index("model")["surge_hit_rate"]
    assert rate["naive"] == 0.0 and rate["drift"] == 1.0
    assert (scores["n_surges"] == 9).all()


def test_corridor_model_uses_the_leading_upstream_series() -> None:
    up, target = led_pair()
    panel = {"up": up, "target": target}
    scores = backtest(panel, series=["target"], models=["naive", "corridor"], horizons=[1],
                      upstream={"target": ("up",)}, start="2023-07", end="2024-12")  # fmt: skip
    mase = scores.set_index("model")["mase"]
    assert mase["corridor"] < 0.75 * mase["naive"]  # ridge shrinks, but the lead shows
    cov = scores.set_index("model")["coverage95"]["corridor"]
    assert cov >= 0.8


def test_corridor_model_frame_and_errors() -> None:
    up, target = led_pair()
    df = corridor_model_forecast(target, {"up": up}, 3)
    assert list(df.columns) == ["period", "mean", "lo80", "hi80", "lo95", "hi95", "model"]
    assert (df["lo95"] <= df["lo80"]).all() and (df["hi80"] <= df["hi95"]).all()
    assert (df["lo80"] <= df["mean"]).all() and (df["mean"] <= df["hi80"]).all()
    assert df["period"].iloc[0] == target.index[-1] + pd.DateOffset(months=1)
    with pytest.raises(QueryError, match="too short"):
        corridor_model_forecast(target.iloc[:12], {"up": up}, 3)
    gappy = up.copy()
    gappy.iloc[::2] = np.nan  # no two consecutive months: no change can be computed
    with pytest.raises(QueryError, match="too short"):
        corridor_model_forecast(target, {"up": gappy}, 3)
    with pytest.raises(ConfigError, match="horizon"):
        corridor_model_forecast(target, {"up": up}, 0)


def test_policy_steps_split_over_two_months() -> None:
    assert step_share(pd.Timestamp("2023-05-01"), date(2023, 5, 12)) == pytest.approx(20 / 31)
    assert step_share(pd.Timestamp("2023-04-01"), date(2023, 5, 12)) == 0.0
    assert step_share(pd.Timestamp("2023-06-01"), date(2023, 5, 12)) == 1.0
    idx = pd.date_range("2023-03-01", periods=6, freq="MS")
    pulses = policy_pulses(idx)["title42_end"]
    assert pulses.sum() == pytest.approx(1.0)
    assert pulses.loc["2023-05-01"] == pytest.approx(20 / 31)
    # at an origin before the date, the policy is unknown
    assert (policy_pulses(idx, pd.Timestamp("2023-04-01"))["title42_end"] == 0).all()


def test_backtest_errors() -> None:
    s = months([5.0] * 10).rename("short")
    with pytest.raises(QueryError, match="no forecast"):
        backtest(s, models=["naive"], start="2019-03", end="2019-05")
    with pytest.raises(QueryError, match="not in the panel"):
        backtest({"a": s}, series=["b"], models=["naive"])
    with pytest.raises(ConfigError, match="unknown model"):
        backtest(s, models=["oracle"], start=None, end=None)
    with pytest.raises(QueryError, match="needs"):
        backtest({"a": s}, models=["corridor"], upstream={"a": ("b",)})


def test_window_months_read_like_every_other_from_to() -> None:
    s = months([300.0] * 40).rename("flat")  # 2019-01 .. 2022-04
    # a year as `end` means its December, as in Store.flows and /series
    by_year = backtest(s, models=["naive"], horizons=[1], start="2020", end="2020")
    by_month = backtest(s, models=["naive"], horizons=[1], start="2020-01", end="2020-12")
    assert by_year["n_origins"].tolist() == by_month["n_origins"].tolist() == [12]
    with pytest.raises(QueryError, match="not a month"):
        backtest(s, models=["naive"], start="foo")
