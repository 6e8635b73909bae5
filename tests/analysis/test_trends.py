"""Trends on hand-made series: exact sentences, records, halvings, breaks."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest

from corridor.analysis.trend_breaks import break_months
from corridor.analysis.trends import (
    breaks,
    change,
    changes,
    episodes,
    largest_changes,
    records,
    trend_series,
)
from corridor.errors import ConfigError, QueryError


def monthly(values: Sequence[float], start: str = "2023-01") -> pd.Series:
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="MS"),
                     dtype="float64")  # fmt: skip


def test_change_sentence_en_and_es() -> None:
    s = monthly([249_740, 124_215], "2023-12")
    label = "US southwest border (CBP encounters)"
    c = change(s, "2023-12", "2024-01", label=label)
    assert c.pct == pytest.approx(-50.26, abs=0.01)
    assert c.sentence == (
        "US southwest border (CBP encounters) fell 50.3% from December 2023 to January 2024 "
        "(249,740 to 124,215)."
    )
    es = change(s, "2023-12", "2024-01", label="Frontera suroeste", lang="es")
    assert es.sentence == (
        "Frontera suroeste cayó 50,3 % de diciembre de 2023 a enero de 2024 (de 249 740 a 124 215)."
    )


def test_change_rise_zero_and_gap() -> None:
    s = monthly([0, 10, np.nan, 30])
    assert change(s, "2023-02", "2023-04", label="X").sentence == (
        "X rose 200.0% from February 2023 to April 2023 (10 to 30)."
    )
    from_zero = change(s, "2023-01", "2023-02", label="X")
    assert from_zero.pct is None and "rose from zero" in from_zero.sentence
    with pytest.raises(QueryError, match="no data for March 2023"):
        change(s, "2023-02", "2023-03", label="X")
    with pytest.raises(ConfigError, match="language"):
        change(s, "2023-02", "2023-04", label="X", lang="fr")


def test_changes_table_is_nan_across_gaps() -> None:
    s = monthly([100, 110, np.nan, 121, *[100] * 9, 200])
    df = changes(s)
    assert df.loc[1, "mom_pct"] == pytest.approx(10.0)
    assert pd.isna(df["mom_pct"].iloc[3])  # previous month missing: no change
    assert df.loc[13, "yoy_pct"] == pytest.approx(81.818, abs=1e-3)  # 200 vs 110


def test_records_name_their_span_and_skip_partial_years() -> None:
    # 2021 and 2022 complete, 2023 only 2 months (lower total, but not a record low)
    s = monthly([10] * 12 + [20] * 11 + [5] + [1, 1], "2021-01")
    found = {(r.kind, r.period): r for r in records(s, label="X")}
    high = found[("high", "month")]
    assert (high.value, f"{high.when:%Y-%m}") == (20, "2022-01")
    assert high.sentence == (
        "X: 20 in January 2022, the highest month between January 2021 and February 2023 "
        "(26 months with data)."
    )
    assert found[("low", "year")].sentence == (
        "X: 120 in 2021, the lowest of the complete calendar years 2021 to 2022."
    )
    assert found[("high", "year")].value == 225
    es = records(s, label="X", lang="es")[0].sentence
    assert es == ("X: 20 en enero de 2022, el mes más alto entre enero de 2021 y febrero de "
                  "2023 (26 meses con datos).")  # fmt: skip


def test_no_yearly_record_with_one_complete_year() -> None:
    assert [r.period for r in records(monthly([5] * 14), label="X")] == ["month", "month"]


def test_halvings_and_doublings_are_episodes_not_every_month() -> None:
    s = monthly([1000, 800, 400, 300, 350, 1000, 2100, 2000])
    halvings = episodes(s, "halving", label="X", within=3)
    assert [(f"{e.start:%Y-%m}", f"{e.end:%Y-%m}", e.months) for e in halvings] == [
        ("2023-01", "2023-03", 2)
    ]
    assert (
        halvings[0].sentence
        == "X halved in 2 months: from 1,000 in January 2023 to 400 in March 2023."
    )
    doublings = episodes(s, "doubling", label="X", within=3)
    assert [(f"{e.start:%Y-%m}", f"{e.end:%Y-%m}") for e in doublings] == [
        ("2023-04", "2023-06"), ("2023-06", "2023-07")
    ]  # fmt: skip
    es = episodes(s, "doubling", label="X", lang="es", within=3)[1].sentence
    assert es == "X se duplicó en 1 mes: de 1 000 en junio de 2023 a 2 100 en julio de 2023."
    # within 1 month, only the step from 800 to 400 halves
    one = episodes(s, "halving", label="X", within=1)
    assert [(e.start_value, e.end_value) for e in one] == [(800, 400)]


def test_episodes_ignore_small_bases_and_gaps() -> None:
    s = monthly([6, 108, np.nan, 50])
    assert episodes(s, "doubling", label="X") == []  # 6 is below min_level=100
    assert len(episodes(s, "doubling", label="X", min_level=1)) == 1
    assert len(episodes(s, "halving", label="X")) == 1  # 108 -> 50 across the gap


def test_breaks_found_where_planted() -> None:
    rng = np.random.default_rng(7)
    levels = [1000] * 24 + [5000] * 18 + [800] * 20
    noisy = [v * float(np.exp(rng.normal(0, 0.08))) for v in levels]
    s = monthly(noisy, "2019-01")
    cuts = break_months(s)
    assert [f"{t:%Y-%m}" for t in cuts] == ["2021-01", "2022-07"]
    found = breaks(s, label="X")
    assert found[0].before_mean == pytest.approx(1000, rel=0.05)
    assert found[0].after_mean == pytest.approx(5000, rel=0.05)
    assert abs(found[0].before_growth_pct) < 1 and abs(found[0].after_growth_pct) < 1
    assert found[0].sentence == (
        "X: break in January 2021: 971 a month on average (trend -0.3% a month, January 2019 "
        "to December 2020), then 4,873 a month (trend +0.4% a month, January 2021 to June 2022)."
    )
    assert breaks(s, label="X", lang="es")[0].sentence == (
        "X: quiebre en enero de 2021: 971 al mes en promedio (tendencia -0,3 % al mes, enero "
        "de 2019 a diciembre de 2020), luego 4 873 al mes (tendencia +0,4 % al mes, enero de "
        "2021 a junio de 2022)."
    )


@pytest.mark.parametrize("slope", [0.01, 0.03, 0.06])
def test_a_steady_trend_is_not_a_break(slope: float) -> None:
    # A piecewise-constant model would cut these into steps; lines do not.
    rng = np.random.default_rng(1)
    t = np.arange(60)
    s = monthly(list(np.exp(8 + slope * t + rng.normal(0, 0.1, 60))))
    assert break_months(s) == []


def test_growth_turning_into_decline_is_a_break() -> None:
    rng = np.random.default_rng(2)
    up = [1000 * 1.08**i for i in range(30)]
    down = [up[-1] * 0.9**i for i in range(1, 25)]
    s = monthly([v * float(np.exp(rng.normal(0, 0.05))) for v in up + down], "2020-01")
    found = breaks(s, label="X")
    assert len(found) == 1
    assert abs((found[0].month - pd.Timestamp("2022-07-01")).days) <= 62  # within 2 months
    assert found[0].before_growth_pct == pytest.approx(8, abs=1)
    assert found[0].after_growth_pct == pytest.approx(-10, abs=1.5)


def test_no_break_in_pure_noise_or_short_series() -> None:
    rng = np.random.default_rng(11)
    s = monthly([1000 * float(np.exp(rng.normal(0, 0.1))) for _ in range(60)])
    assert break_months(s) == []
    assert break_months(monthly([1, 1000])) == []


def test_break_ignores_gaps() -> None:
    s = monthly([100.0] * 6 + [np.nan] * 3 + [1000.0] * 6)
    assert [f"{t:%Y-%m}" for t in break_months(s)] == ["2023-10"]


def test_unknown_series() -> None:
    assert trend_series("usbp_southwest").filters["agency"] == "USBP"
    with pytest.raises(QueryError, match="darien"):
        trend_series("panama")


def test_largest_changes_skip_small_bases_and_gaps() -> None:
    s = monthly([5, 40, 200, 150, np.nan, 20, 300, 240, 480])
    fall, rise = largest_changes(s, label="X")
    assert fall is not None and rise is not None
    # 5 -> 40, 40 -> 200 and 20 -> 300 start below 100; 150 -> 20 crosses a gap
    assert (fall.start_value, fall.end_value, fall.kind) == (200, 150, "mom")
    assert (rise.start_value, rise.end_value) == (240, 480)
    assert rise.sentence == "X rose 100.0% from August 2023 to September 2023 (240 to 480)."
    assert largest_changes(monthly([100, 120, 130]), label="X")[0] is None
