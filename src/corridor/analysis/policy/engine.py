"""A threshold rule run over a daily series: the timeline of its states and why they changed.

Day by day from ``effective_from``: the rolling averages are computed over
complete windows only (a window with a missing day has no average, and a run
of days in a row restarts after it). When the condition that leaves the
current state has held on ``consecutive_days`` days in a row, the last of
them is the *determination*; the new state applies ``delay_days`` later. While
a change is pending nothing else is decided, as in the proclamations, where
a determination fixes the date of the change. A change without delay applies
from the day after the determination (it is made on that day's numbers).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from corridor.analysis.policy.rules import Condition, PolicyRule
from corridor.errors import QueryError


@dataclass(frozen=True)
class Transition:
    """One change of state and the numbers that caused it."""

    date: dt.date  #: when the new state applies
    state: str  #: ``in_force`` or ``lifted``
    determined: dt.date  #: the last day of the run of days that met the condition
    run_start: dt.date  #: first day of that run
    value: float  #: the rolling average on the determination day
    condition: Condition

    def to_dict(self) -> dict[str, Any]:
        c = self.condition
        return {"date": self.date.isoformat(), "state": self.state,
                "determined": self.determined.isoformat(), "run_start": self.run_start.isoformat(),
                "value": round(self.value, 1), "op": c.op, "threshold": c.threshold,
                "window_days": c.window_days, "consecutive_days": c.consecutive_days,
                "delay_days": c.delay_days}  # fmt: skip


@dataclass
class Timeline:
    """States of a rule, day by day, with the transitions and their causes."""

    rule: PolicyRule
    #: one row per day: value, avg_activate, avg_lift, state ('' outside the rule's dates)
    daily: pd.DataFrame
    transitions: list[Transition] = field(default_factory=list)
    #: a change determined but not yet applied when the data end
    pending: Transition | None = None

    def periods(self) -> list[tuple[date, date, str]]:
        """Runs of one state: (first day, last day, state), within the evaluated days."""
        states = self.daily["state"]
        states = states[states != ""]
        if states.empty:
            return []
        change = states.ne(states.shift()).cumsum()
        return [(g.index[0].date(), g.index[-1].date(), str(g.iloc[0]))
                for _, g in states.groupby(change)]  # fmt: skip

    def state_on(self, day: date | str) -> str:
        """The state on one day ('' before the rule or after the data)."""
        ts = pd.Timestamp(day)
        return str(self.daily["state"].get(ts, ""))

    def to_dict(self) -> dict[str, Any]:
        periods = [{"start": a.isoformat(), "end": b.isoformat(), "state": s}
                   for a, b, s in self.periods()]  # fmt: skip
        return {
            "rule": self.rule.id,
            "transitions": [t.to_dict() for t in self.transitions],
            "pending": self.pending.to_dict() if self.pending else None,
            "periods": periods,
        }


def rolling_mean(values: np.ndarray, window: int) -> np.ndarray:
    """Mean of the last ``window`` days, NaN where any of them is missing or too early."""
    out = np.full(len(values), np.nan)
    if len(values) < window:
        return out
    filled = np.nan_to_num(values, nan=0.0)
    missing = np.isnan(values).astype(np.int64)
    csum = np.concatenate([[0.0], np.cumsum(filled)])
    cmiss = np.concatenate([[0], np.cumsum(missing)])
    sums = csum[window:] - csum[:-window]
    gaps = cmiss[window:] - cmiss[:-window]
    out[window - 1 :] = np.where(gaps == 0, sums / window, np.nan)
    return out


def evaluate(rule: PolicyRule, daily: pd.Series) -> Timeline:
    """Run ``rule`` over a daily series (index: days; values: counts per day)."""
    if daily.empty:
        raise QueryError(f"rule `{rule.id}`: no daily values to evaluate")
    days = pd.DatetimeIndex(daily.index).normalize()
    full = pd.date_range(days.min(), days.max(), freq="D")
    values = pd.Series(daily.to_numpy(dtype="float64"), index=days).reindex(full)
    start = pd.Timestamp(rule.effective_from)
    last = full[-1] if rule.effective_to is None else min(full[-1], pd.Timestamp(rule.effective_to))
    if start > full[-1]:
        raise QueryError(f"rule `{rule.id}` starts on {rule.effective_from}, after the data "
                         f"end ({full[-1]:%Y-%m-%d})")  # fmt: skip
    arr = values.to_numpy()
    avg_on = rolling_mean(arr, rule.activate.window_days)
    avg_off = rolling_mean(arr, rule.lift.window_days)
    states, transitions, pending = _run(rule, full, avg_on, avg_off, start, last)
    frame = pd.DataFrame({"value": arr, "avg_activate": avg_on, "avg_lift": avg_off,
                          "state": states}, index=full)  # fmt: skip
    return Timeline(rule, frame, transitions, pending)


def _run(
    rule: PolicyRule, days: pd.DatetimeIndex, avg_on: np.ndarray, avg_off: np.ndarray,
    start: pd.Timestamp, last: pd.Timestamp,
) -> tuple[list[str], list[Transition], Transition | None]:  # fmt: skip
    states = [""] * len(days)
    applied: list[Transition] = []
    state, run = rule.initial_state, 0
    pending: Transition | None = None
    first = int(days.searchsorted(start))
    stop = int(days.searchsorted(last, side="right"))
    dates = days.date  # plain dates once: boxing a Timestamp per day is the slow part
    for i in range(first, stop):
        day = dates[i]
        if pending is not None and day >= pending.date:
            state, run = pending.state, 0
            applied.append(pending)
            pending = None
        states[i] = state
        if pending is not None:
            continue
        cond = rule.condition(state)
        avg = float((avg_off if state == "in_force" else avg_on)[i])
        run = run + 1 if cond.holds(avg) else 0
        if run >= cond.consecutive_days:
            # the determination is made on the day's numbers, so a change
            # without delay applies from the next day
            when = day + timedelta(days=max(cond.delay_days, 1))
            target = "lifted" if state == "in_force" else "in_force"
            pending = Transition(when, target, day, dates[i - run + 1], avg, cond)
    return states, applied, pending
