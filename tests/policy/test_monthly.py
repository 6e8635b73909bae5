"""Daily input files, the monthly approximation, projections and the sentences."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from corridor.analysis.policy.approx import Noise, central_path, evaluate_monthly, simulated_paths
from corridor.analysis.policy.daily_input import read_daily
from corridor.analysis.policy.engine import evaluate
from corridor.analysis.policy.policy_text import (
    monthly_statements,
    projection_statements,
    timeline_statements,
)
from corridor.analysis.policy.rules import load_rule
from corridor.analysis.policy.whatif import project
from corridor.errors import ConfigError, InputError

ORIGINAL = load_rule("securing-the-border-2024-06").with_changes({"effective_to": ""})
AMENDED = load_rule("securing-the-border-2024-10")


def monthly(start: str, values: list[float]) -> pd.Series:
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="MS"),
                     dtype="float64")  # fmt: skip


def test_read_daily(tmp_path: Path) -> None:
    path = tmp_path / "daily.csv"
    path.write_text('fecha,encuentros\n2024-06-02,2100\n2024-06-01,"3,000"\n\n', "utf-8")
    got = read_daily(path)
    assert list(got.index.strftime("%Y-%m-%d")) == ["2024-06-01", "2024-06-02"]
    assert list(got) == [3000.0, 2100.0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("date,n\n2024-06-01,5\n2024-06-01,6\n", r"row 3, column `date`, value `2024-06-01`.*"
         r"twice \(first on row 2\)"),
        ("date,n\n2024-6-1x,5\n", r"row 2, column `date`, value `2024-6-1x`: not a date"),
        ("date,n\n2024-06-01,five\n", r"row 2, column `n`, value `five`: not a number"),
        ("date,n\n2024-06-01,-5\n", r"value `-5`: a count must be a number >= 0"),
        ("when,n\n2024-06-01,5\n", r"row 1.*no date column"),
        ("date,a,b\n2024-06-01,5,6\n", "no count column"),
        ("date,n\n", "no data rows"),
        ("", "the file is empty"),
    ],
)  # fmt: skip
def test_bad_daily_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "daily.csv"
    path.write_text(text, "utf-8")
    with pytest.raises(InputError, match=f"daily.csv.*{message}|{message}"):
        read_daily(path)
    with pytest.raises(InputError, match="no such file"):
        read_daily(tmp_path / "absent.csv")


def test_central_path_keeps_every_month_total_and_slopes_toward_neighbours() -> None:
    m = monthly("2024-05-01", [90000, 60000, 30000, np.nan, 31000])
    path = central_path(m)
    sums = path.groupby(path.index.to_period("M")).sum(min_count=1)
    assert sums.to_numpy()[[0, 1, 2, 4]] == pytest.approx([90000, 60000, 30000, 31000])
    assert np.isnan(sums.iloc[3])
    june = path["2024-06"]
    assert june.iloc[0] > june.iloc[-1]  # falling from May to July
    assert (path.dropna() >= 0).all()


def test_simulated_paths_keep_the_totals_and_are_reproducible() -> None:
    m = monthly("2024-05-01", [90000, 60000, 30000])
    days, paths = simulated_paths(m, Noise(paths=20, seed=3))
    assert paths.shape == (20, len(days))
    month = days.to_period("M")
    for p, total in zip(m.index.to_period("M"), m, strict=True):
        assert paths[:, month == p].sum(axis=1) == pytest.approx(total)
    again = simulated_paths(m, Noise(paths=20, seed=3))[1]
    assert np.array_equal(paths, again)
    assert not np.array_equal(paths, simulated_paths(m, Noise(paths=20, seed=4))[1])
    with pytest.raises(ConfigError, match="correlation"):
        Noise(rho=1.0)


def test_monthly_evaluation_reports_the_spread_of_a_change() -> None:
    # 3,000 a day in May-June, 1,000 from July: the central path lifts in July
    m = monthly("2024-05-01", [93000, 90000, 31000, 31000, 30000])
    mt = evaluate_monthly(ORIGINAL, m, Noise(paths=50, seed=1))
    (lift,) = mt.central.transitions
    assert lift.state == "lifted" and date(2024, 6, 20) <= lift.date <= date(2024, 7, 31)
    (spread,) = mt.spreads
    assert spread.share > 0.9
    assert spread.earliest is not None and spread.latest is not None
    assert spread.earliest <= spread.median <= spread.latest  # type: ignore[operator]
    assert mt.p_in_force["2024-06-10"] == 1.0 and mt.p_in_force["2024-09-30"] == 0.0
    text = monthly_statements(mt, "en")
    assert text[0].startswith("Approximation: monthly data, not daily.")
    assert any("of simulated paths the same change happens" in t for t in text)
    es = monthly_statements(mt, "es")
    assert es[0].startswith("Aproximación: datos mensuales") and "se levanta" in " ".join(es)


def test_the_noise_can_decide_what_monthly_data_cannot() -> None:
    # 1,800 a day for months: the central path never dips below 1,500; with daily
    # noise some 7-day averages do, so the original rule lifts on some paths
    m = monthly("2024-05-01", [93000, 90000, 55800, 55800, 54000])
    quiet = evaluate_monthly(ORIGINAL, m, Noise(sigma=0.0, paths=5))
    assert quiet.central.transitions == [] and all(f.share == 0 for f in quiet.first)
    noisy = evaluate_monthly(ORIGINAL, m, Noise(sigma=0.12, paths=50, seed=2))
    lifted = next(f for f in noisy.first if f.state == "lifted")
    assert 0 < lifted.share < 1
    assert any("The central path does not show it" in t for t in monthly_statements(noisy))
    amended = evaluate_monthly(AMENDED.with_changes({"effective_from": "2024-06-05"}), m,
                               Noise(sigma=0.12, paths=50, seed=2))  # fmt: skip
    # 28 days in a row below 1,500 does not happen around a 1,800 average
    assert next(f for f in amended.first if f.state == "lifted").share == 0


def test_projection_gives_probabilities_from_the_forecast() -> None:
    m = monthly("2023-01-01", [90000.0] * 18 + [60000, 50000])  # ends Aug 2024

    def forecaster(history: pd.Series, h: int, levels: tuple[int, ...]) -> pd.DataFrame:
        idx = pd.date_range("2024-09-01", periods=h, freq="MS")
        mean = np.full(h, 36000.0)  # 1,200 a day
        return pd.DataFrame({"period": idx, "mean": mean, "lo80": mean * 0.7,
                             "hi80": mean * 1.4, "lo95": mean * 0.5, "hi95": mean * 2,
                             "model": "test"})  # fmt: skip

    rule = AMENDED.with_changes({"effective_from": "2024-06-05"})
    p = project(rule, m, 4, Noise(paths=40, seed=5), forecaster=forecaster)
    assert p.state_at_end == "in_force"
    assert list(p.p_lifted_by.index.strftime("%Y-%m")) == ["2024-09", "2024-10", "2024-11",
                                                           "2024-12"]  # fmt: skip
    assert p.p_lifted_by.is_monotonic_increasing and p.p_lifted_by.iloc[-1] > 0.5
    assert p.p_in_force.iloc[0] > p.p_in_force.iloc[-1]
    text = projection_statements(p, "en")
    assert "Probability that it is lifted by the end of December 2024" in text[1]
    assert p.to_dict()["months"][0]["period"] == "2024-09"
    with pytest.raises(ConfigError, match=r"ended on 2024-06-30.*--set effective_to="):
        project(ORIGINAL.with_changes({"effective_to": "2024-06-30"}), m, 3,
                forecaster=forecaster)  # fmt: skip
    later = project(AMENDED, m, 4, Noise(paths=5), forecaster=forecaster)  # starts 1 Oct
    assert later.state_at_end == ""
    assert "starts on 1 October 2024, after the data" in projection_statements(later)[0]


def test_timeline_sentences() -> None:
    days = pd.date_range("2024-05-01", periods=121, freq="D")
    values = np.where(days < pd.Timestamp("2024-07-01"), 3000.0, 1000.0)
    tl = evaluate(ORIGINAL, pd.Series(values, index=days))
    en = timeline_statements(tl, "en")
    assert en[1] == ("20 July 2024: lifted. The 7-day average was < 1,500; it was 1,286 on "
                     "6 July 2024, the determination, in effect 14 days later.")  # fmt: skip
    es = timeline_statements(tl, "es")
    assert es[1].startswith("20 de julio de 2024: se levanta. El promedio de 7 días fue < 1 500")
    with pytest.raises(ConfigError, match="unknown language"):
        timeline_statements(tl, "fr")
