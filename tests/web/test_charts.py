"""SVG charts: gaps break lines, ends are labelled, axes are round."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from corridor.web.charts import Band, Line, line_chart, nice_step, short_count

MONTHS = pd.date_range("2024-01", periods=6, freq="MS")


def test_gap_breaks_the_line_instead_of_dropping_to_zero() -> None:
    series = pd.Series([100, 200, np.nan, 400, 500, 600], index=MONTHS, dtype="float64")
    svg = line_chart([Line("VEN", series)], title="t")
    path = re.search(r'<path d="([^"]+)"', svg)
    assert path is not None
    assert path.group(1).count("M") == 2  # two runs: before and after the gap
    assert path.group(1).count("L") == 3


def test_a_month_left_out_of_the_index_is_a_gap_too() -> None:
    # e.g. series.dropna(): the months after the gap keep their place on the x axis
    series = pd.Series([100, 200, np.nan, 400, 500, 600], index=MONTHS, dtype="float64")
    assert line_chart([Line("VEN", series.dropna())], title="t") == line_chart(
        [Line("VEN", series)], title="t"
    )


def test_end_label_names_line_and_last_value_in_each_language() -> None:
    series = pd.Series([1000, 2000, 3000, 4000, 5000, 12345], index=MONTHS, dtype="float64")
    en = line_chart([Line("Darién", series)], title="Darién, persons per month", lang="en")
    es = line_chart([Line("Darién", series)], title="Darién, personas por mes", lang="es")
    assert '<tspan class="end-label">Darién</tspan>' in en
    assert '<tspan class="end-value">12,345</tspan>' in en
    assert '<tspan class="end-value">12 345</tspan>' in es
    assert "<title>Darién, persons per month</title>" in en
    assert "2024" in en  # the year on the x axis


def test_empty_series_draws_nothing_and_title_is_escaped() -> None:
    assert line_chart([Line("x", pd.Series([np.nan] * 6, index=MONTHS))], title="t") == ""
    svg = line_chart([Line("<b>", pd.Series([1.0] * 6, index=MONTHS))], title="a<b")
    assert "<b>" not in svg and "&lt;b&gt;" in svg


def test_band_is_a_polygon_and_scales_the_axis() -> None:
    mean = pd.Series([10.0] * 6, index=MONTHS)
    svg = line_chart([Line("m", mean)], title="t", bands=[Band(mean * 0.5, mean * 3)])
    assert "<polygon" in svg
    assert ">30</text>" in svg  # the axis reaches the band's top


def test_round_steps_and_short_counts() -> None:
    assert nice_step(100) == 50  # 100/4 = 25 -> 50
    assert nice_step(80_000) == 20_000
    assert nice_step(0) == 1.0
    assert short_count(25_000, "en") == "25k"
    assert short_count(1_500_000, "es") == "1,5M"
    assert short_count(40, "en") == "40"
