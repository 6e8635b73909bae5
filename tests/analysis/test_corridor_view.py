"""The corridor as one system, on hand-made stores (planted lead times, gaps) and on real data."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from corridor.analysis.corridor_view import (
    corridor_table,
    corridor_view,
    cross_correlation,
    lead_times,
    ratios,
    shares,
)
from corridor.errors import QueryError
from corridor.store import Store, ingest
from tests.conftest import SHARED

MONTHS = pd.date_range("2021-01", periods=30, freq="MS")


def _write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """Darién a random walk; Honduras echoes it one month later (x0.9); Mexico starts late."""
    rng = np.random.default_rng(3)
    darien = np.exp(8 + np.cumsum(rng.normal(0, 0.3, len(MONTHS))))
    honduras = np.concatenate([[darien[0]], darien[:-1]]) * 0.9
    mexico = honduras[6:] * 2
    tmp = tmp_path_factory.mktemp("planted")
    files = [
        _write(tmp / "irreg_darien_nat.csv", ["t", "q", "nat", "n"],
               [r for t, v in zip(MONTHS, darien, strict=True)
                for r in ([f"{t:%Y-%m-%d}", f"{t:%Y-%m-%d}", "VEN", round(v * 0.75)],
                          [f"{t:%Y-%m-%d}", f"{t:%Y-%m-%d}", "HTI", round(v * 0.25)])]),
        _write(tmp / "irreg_honduras_nat.csv", ["t", "nat", "n"],
               [[f"{t:%Y-%m-%d}", "VEN", round(v)] for t, v in zip(MONTHS, honduras, strict=True)]),
        _write(tmp / "irreg_mexico_nat.csv", ["t", "nat", "n"],
               [[f"{t:%Y-%m-%d}", "VEN", round(v)]
                for t, v in zip(MONTHS[6:], mexico, strict=True)]),
    ]  # fmt: skip
    db = tmp / "corridor.duckdb"
    ingest(db, files)
    return Store(db)


def test_table_in_corridor_order_with_gaps(planted: Store) -> None:
    table = corridor_table(planted)
    assert list(table.columns) == ["darien", "honduras", "mexico", "us_southwest"]
    assert len(table) == 30
    assert table["mexico"].iloc[:6].isna().all() and table["us_southwest"].isna().all()


def test_shares_per_checkpoint(planted: Store) -> None:
    df = shares(planted)
    darien = df[df["checkpoint"] == "darien"].set_index("nat")
    assert darien.loc["VEN", "share"] == pytest.approx(0.75, abs=0.01)
    assert darien.loc["HTI", "share"] == pytest.approx(0.25, abs=0.01)
    assert df[df["checkpoint"] == "honduras"]["share"].tolist() == [1.0]


def test_planted_lead_time_is_found(planted: Store) -> None:
    found = {(lt.upstream, lt.downstream): lt for lt in lead_times(planted)}
    dh = found[("darien", "honduras")]
    assert dh.lag == 1 and dh.corr == pytest.approx(1.0, abs=0.01)
    assert dh.pairs == 28  # 29 changes, one lost to the shift
    hm = found[("honduras", "mexico")]
    assert hm.lag == 0  # Mexico = 2 x Honduras, same month


def test_levels_correlate_spuriously_changes_do_not() -> None:
    # Two independent upward trends: levels correlate, monthly log changes do not.
    rng = np.random.default_rng(5)
    t = np.arange(48)
    a = pd.Series(np.exp(0.05 * t + rng.normal(0, 0.1, 48)), index=MONTHS.union(
        pd.date_range("2023-07", periods=18, freq="MS")))  # fmt: skip
    b = pd.Series(np.exp(0.05 * t + rng.normal(0, 0.1, 48)), index=a.index)
    assert a.corr(b) > 0.9
    assert abs(cross_correlation(a, b)[0][0]) < 0.3


def test_ratios_with_caveats(planted: Store) -> None:
    found = {(r.upstream, r.downstream): r for r in ratios(planted)}
    dh = found[("darien", "honduras")]
    # Honduras lags Darién by a month: totals differ by the first and last month only
    assert dh.ratio == pytest.approx(0.9, abs=0.1)
    assert dh.months == 30 and dh.uncovered == []
    assert not any("units differ" in c for c in dh.caveats)
    hm = found[("honduras", "mexico")]
    assert hm.months == 24 and hm.uncovered[:2] == ["2021-01", "2021-02"]
    assert hm.ratio == pytest.approx(2.0, abs=0.01)
    assert any("units differ: honduras counts persons, mexico counts events" in c
               for c in hm.caveats)  # fmt: skip
    assert any("6 month(s) left out" in c for c in hm.caveats)
    assert ("mexico", "us_southwest") in found  # no US data: a ratio of nothing is NaN
    assert np.isnan(found[("mexico", "us_southwest")].ratio)


def test_view_of_nothing_is_a_query_error(planted: Store) -> None:
    with pytest.raises(QueryError, match="no checkpoint has data for nationality AFG"):
        corridor_view(planted, nat="AFG")
    with pytest.raises(QueryError, match="between 2030-01 and the end"):
        corridor_view(planted, start="2030-01")


def test_view_bundles_everything(planted: Store) -> None:
    view = corridor_view(planted, nat="ven", start="2021-07", end="2022-12")
    assert view.nat == "VEN" and len(view.table) == 18
    assert {lt.upstream for lt in view.lead_times} >= {"darien"}


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Store:
    files = sorted((SHARED / "real").glob("irreg_*.csv"))
    if not files:
        pytest.skip(f"real agency data not found at {SHARED} (../shared is absent)")
    db = tmp_path_factory.mktemp("real") / "corridor.duckdb"
    ingest(db, files)
    return Store(db)


def test_real_darien_to_honduras_lead_time(real: Store) -> None:
    # Measured 2022-2024: lag 0 (r = 0.40), lag 1 next (r = 0.31). Darién to the
    # Honduran border is a week or two by bus, so changes show the same month or the
    # next; we accept 0 or 1 and a clearly positive correlation.
    found = {(lt.upstream, lt.downstream): lt
             for lt in lead_times(real, start="2022-01", end="2024-12")}  # fmt: skip
    dh = found[("darien", "honduras")]
    assert dh.lag in (0, 1)
    assert dh.corr > 0.3
    assert dh.by_lag[0] == pytest.approx(0.403, abs=0.01)


def test_real_ratio_and_shares(real: Store) -> None:
    view = corridor_view(real, start="2023-01", end="2023-12")
    darien = view.shares[view.shares["checkpoint"] == "darien"].set_index("nat")
    assert darien.loc["VEN", "n"] == 328_650
    assert darien.loc["VEN", "share"] == pytest.approx(328_650 / 520_085)
    dh = next(r for r in view.ratios if r.downstream == "honduras")
    assert dh.upstream_n == 520_085 and dh.months == 12
