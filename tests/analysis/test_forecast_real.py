"""Forecasts and backtests on the agencies' real series (skipped without ../shared)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from corridor.analysis.backtest import backtest
from corridor.analysis.corridor_model import corridor_forecast
from corridor.analysis.forecast import forecast
from corridor.analysis.series import CHECKPOINTS, checkpoint, monthly
from corridor.store import Store, ingest


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    real = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "real"
    if not real.is_dir():
        pytest.skip(f"real agency data not found at {real} (../shared is absent)")
    db = tmp_path_factory.mktemp("real") / "corridor.duckdb"
    ingest(db, sorted(real.glob("*.csv")))
    return Store(db)


@pytest.fixture(scope="module")
def panel(store: Store) -> dict[str, pd.Series]:
    return {cp.id: monthly(store, cp) for cp in CHECKPOINTS}


def test_naive_reproduces_the_issue_figures(panel: dict[str, pd.Series]) -> None:
    scores = backtest(panel, models=["naive"], horizons=[1]).set_index("series")["mape"]
    expected = {"darien": 56.4, "honduras": 29.8, "mexico": 26.4, "us_southwest": 31.9,
                "guatemala_returns": 21.7}  # fmt: skip
    for name, mape in expected.items():
        assert scores[name] == pytest.approx(mape, abs=0.1), name


def test_darien_gap_months_are_not_imputed(panel: dict[str, pd.Series]) -> None:
    darien = panel["darien"]
    assert darien[["2020-04-01", "2020-05-01", "2020-07-01"]].isna().all()
    df = forecast(darien, 2)
    assert df["period"].iloc[0] == darien.dropna().index[-1] + pd.DateOffset(months=1)
    assert np.isfinite(df[["mean", "lo80", "hi95"]].to_numpy()).all()


def test_corridor_model_beats_naive_at_the_us_border_recently(
    panel: dict[str, pd.Series],
) -> None:
    # few origins keep the test quick; the full table is benchmarks/forecast.py
    scores = backtest(panel, series=["mexico", "us_southwest"], models=["naive", "corridor"],
                      horizons=[1], max_origins=12)  # fmt: skip
    mase = scores.set_index(["series", "model"])["mase"]
    assert mase[("mexico", "corridor")] < mase[("mexico", "naive")]
    assert mase[("us_southwest", "corridor")] < mase[("us_southwest", "naive")] * 1.05
    assert 0.6 <= scores["coverage80"].mean() <= 1.0


def test_corridor_forecast_of_a_nationality(store: Store) -> None:
    df = corridor_forecast(store, "us_southwest", 3, nat="VEN")
    assert len(df) == 3 and (df["model"] == "corridor").all()
    last = monthly(store, checkpoint("us_southwest"), nat="VEN").dropna().index[-1]
    assert df["period"].iloc[0] == last + pd.DateOffset(months=1)
    assert (df["lo95"] <= df["mean"]).all() and (df["mean"] <= df["hi95"]).all()


def test_top_nationalities_leave_out_residual_codes(store: Store) -> None:
    from corridor.analysis.forecast_series import forecast_top, top_nationalities

    top = top_nationalities(store, "us_southwest", 8)
    assert "MEX" in top and "VEN" in top
    assert not {"OTH", "UNK", "STL"} & set(top)
    df = forecast_top(store, "darien", 2, 2)
    assert df["nat"].nunique() == 2 and len(df) == 4
