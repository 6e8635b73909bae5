"""The rule engine on hand-made daily series: every transition, hysteresis, both lifting rules."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from corridor.analysis.policy.engine import evaluate, rolling_mean
from corridor.analysis.policy.rules import load_rule
from corridor.errors import QueryError

ORIGINAL = load_rule("securing-the-border-2024-06").with_changes({"effective_to": ""})
AMENDED = load_rule("securing-the-border-2024-10")


def daily(start: str, *blocks: tuple[int, float]) -> pd.Series:
    """Consecutive blocks of (days, value per day) from ``start``."""
    values = np.concatenate([np.full(n, v, dtype="float64") for n, v in blocks])
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="D"))


def test_rolling_mean_needs_complete_windows() -> None:
    got = rolling_mean(np.array([1, 2, 3, np.nan, 5, 6, 7], dtype="float64"), 3)
    assert np.isnan(got[:2]).all() and got[2] == 2
    assert np.isnan(got[3:6]).all()  # every window that holds the missing day
    assert got[6] == 6


def test_original_lifts_14_days_after_the_first_7_day_average_below_1500() -> None:
    # in force from 5 June; 1,400 a day from 1 July: the 7-day average is below
    # 1,500 first on 7 July (1..7 July), so the suspension is lifted on 21 July
    tl = evaluate(ORIGINAL, daily("2024-05-01", (61, 3000), (60, 1400)))
    (lift,) = tl.transitions
    assert (lift.state, lift.determined, lift.date) == ("lifted", date(2024, 7, 7),
                                                        date(2024, 7, 21))  # fmt: skip
    assert lift.value == 1400 and lift.run_start == date(2024, 7, 7)
    assert tl.state_on("2024-07-20") == "in_force" and tl.state_on("2024-07-21") == "lifted"
    assert tl.state_on("2024-06-04") == ""  # before the rule


def test_a_blip_in_the_average_is_enough_for_the_original_but_not_the_amended_rule() -> None:
    # one week at 1,000 (11-17 Oct) inside weeks at 1,800: a 7-day window with k
    # days at 1,000 averages 1,800 - 800k/7, below 1,500 from k = 3 (13 Oct) to
    # 21 Oct. The original rule lifts on that; the amended one needs 28 days.
    series = daily("2024-09-01", (40, 1800), (7, 1000), (60, 1800))
    original = evaluate(ORIGINAL.with_changes({"effective_from": "2024-10-01"}), series)
    (lift,) = original.transitions
    assert (lift.determined, lift.date) == (date(2024, 10, 13), date(2024, 10, 27))
    assert evaluate(AMENDED, series).transitions == []


def test_amended_rule_lifts_after_28_days_in_a_row() -> None:
    # 1,000 a day from 1 Oct: 7-day averages below 1,500 from 3 Oct (k = 3);
    # the 28th day in a row is 30 Oct, the lift 14 days later
    tl = evaluate(AMENDED, daily("2024-09-20", (11, 1800), (30, 1000), (60, 1000)))
    (lift,) = tl.transitions
    assert (lift.run_start, lift.determined, lift.date) == (
        date(2024, 10, 3), date(2024, 10, 30), date(2024, 11, 13))  # fmt: skip


def test_a_spike_that_breaks_the_run_restarts_the_28_days() -> None:
    # below 1,500 from 3 to 29 Oct (27 days), then one day at 6,000 (30 Oct)
    # keeps every window holding it at (6*1,000 + 6,000)/7 = 1,714 until 5 Nov:
    # the run restarts on 6 Nov, its 28th day is 3 Dec, the lift 17 Dec
    series = daily("2024-09-20", (11, 1800), (29, 1000), (1, 6000), (60, 1000))
    (lift,) = evaluate(AMENDED, series).transitions
    assert (lift.run_start, lift.determined, lift.date) == (
        date(2024, 11, 6), date(2024, 12, 3), date(2024, 12, 17))  # fmt: skip


def test_reactivation_is_immediate_and_hysteresis_holds() -> None:
    # lifted in July; 2,000 a day (between the thresholds) changes nothing;
    # 2,600 a day from 9 Sep: a window with k such days averages 2,000 + 600k/7,
    # at or above 2,500 from k = 6 (14 Sep): in force again the next day
    series = daily("2024-05-01", (61, 3000), (40, 1000), (30, 2000), (30, 2600))
    tl = evaluate(ORIGINAL, series)
    assert [t.state for t in tl.transitions] == ["lifted", "in_force"]
    back = tl.transitions[1]
    assert (back.determined, back.date) == (date(2024, 9, 14), date(2024, 9, 15))
    assert back.condition.threshold == 2500 and back.value == pytest.approx(2514.3, abs=0.1)


def test_state_changes_back_and_forth_are_all_recorded() -> None:
    series = daily("2024-05-01", (61, 3000), (40, 1000), (30, 3000), (40, 1000))
    tl = evaluate(ORIGINAL, series)
    assert [t.state for t in tl.transitions] == ["lifted", "in_force", "lifted"]
    periods = tl.periods()
    assert [p[2] for p in periods] == ["in_force", "lifted", "in_force", "lifted"]
    assert periods[0][0] == date(2024, 6, 5)


def test_a_determination_near_the_data_end_is_pending() -> None:
    # (3,000 + 6 x 1,000)/7 = 1,286 on 6 July: determined, lifted 20 July, after the data
    tl = evaluate(ORIGINAL, daily("2024-05-01", (61, 3000), (10, 1000)))
    assert tl.transitions == [] and tl.pending is not None
    assert tl.pending.state == "lifted" and tl.pending.determined == date(2024, 7, 6)
    assert tl.to_dict()["pending"]["date"] == "2024-07-20"


def test_missing_days_stop_the_count() -> None:
    series = daily("2024-05-01", (61, 3000), (60, 1000))
    holes = series.drop(pd.date_range("2024-07-03", periods=3, freq="D"))
    lift = evaluate(ORIGINAL, holes).transitions[0]
    # without the hole the average is below 1,500 on 7 July; windows holding
    # 3-5 July have no average, so the first full window below ends on 12 July
    assert lift.determined == date(2024, 7, 12)


def test_effective_to_ends_the_evaluation() -> None:
    rule = load_rule("securing-the-border-2024-06")  # ends 30 Sep 2024
    tl = evaluate(rule, daily("2024-05-01", (200, 3000)))
    assert tl.periods()[-1][1] == date(2024, 9, 30)
    assert tl.state_on("2024-10-01") == ""


def test_errors() -> None:
    with pytest.raises(QueryError, match="no daily values"):
        evaluate(ORIGINAL, pd.Series(dtype="float64"))
    with pytest.raises(QueryError, match="after the data end"):
        evaluate(ORIGINAL, daily("2023-01-01", (30, 100)))
