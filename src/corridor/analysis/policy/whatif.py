"""What-if: a rule projected forward with the monitor's forecasts.

Each simulated future draws the coming months from the forecast's predictive
distribution (log-normal around the point forecast, its spread read off the
80% interval; one draw per path for all months, since forecast errors of
consecutive months move together), spreads every month over its days as in
``approx`` and runs the rule. The share of futures in which the rule is in
force, or has changed, by each month is the probability reported. Variants of
the rule itself (other thresholds, windows, delays) come from
``PolicyRule.with_changes``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from corridor.analysis.policy.approx import Noise, simulated_paths
from corridor.analysis.policy.engine import evaluate
from corridor.analysis.policy.rules import PolicyRule
from corridor.errors import ConfigError, QueryError

#: z of the 80% central interval's upper bound
Z80 = 1.2815515655446004
Forecaster = Callable[..., pd.DataFrame]


@dataclass
class Projection:
    rule: PolicyRule
    #: the forecast used: period, mean, lo80, hi80, lo95, hi95, model
    forecast: pd.DataFrame
    #: per future month: share of futures in force on its last day
    p_in_force: pd.Series
    #: per future month: share of futures where the rule has been lifted / has come
    #: into force (at least once) since the data ended, by the month's last day
    p_lifted_by: pd.Series
    p_activated_by: pd.Series
    state_at_end: str  #: the state on the last day with data (central path)
    data_end: pd.Timestamp
    noise: Noise

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame({
            "period": self.p_in_force.index, "forecast_mean": self.forecast["mean"].to_numpy(),
            "forecast_lo80": self.forecast["lo80"].to_numpy(),
            "forecast_hi80": self.forecast["hi80"].to_numpy(),
            "p_in_force": self.p_in_force.to_numpy(), "p_lifted_by": self.p_lifted_by.to_numpy(),
            "p_activated_by": self.p_activated_by.to_numpy(),
        })  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        rows = self.frame().assign(period=lambda d: d["period"].dt.strftime("%Y-%m"))
        return {"rule": self.rule.id, "state_at_data_end": self.state_at_end,
                "data_end": f"{self.data_end:%Y-%m-%d}",
                "model": str(self.forecast["model"].iloc[0]),
                "months": rows.round(4).to_dict("records")}  # fmt: skip


def project(
    rule: PolicyRule,
    monthly: pd.Series,
    horizon: int = 6,
    noise: Noise | None = None,
    *,
    forecaster: Forecaster | None = None,
) -> Projection:
    """Run ``rule`` over the data and ``horizon`` forecast months, on many simulated futures."""
    noise = noise or Noise()
    if not 1 <= horizon <= 24:
        raise ConfigError(f"projection horizon must be 1..24 months, got {horizon}")
    history = monthly.dropna()
    if history.empty:
        raise QueryError(f"rule `{rule.id}`: the series has no monthly data")
    data_end = pd.Timestamp(history.index.max()) + pd.offsets.MonthEnd(0)
    if rule.effective_to is not None and pd.Timestamp(rule.effective_to) <= data_end:
        raise ConfigError(
            f"rule `{rule.id}` ended on {rule.effective_to}, before the data end "
            f"({data_end:%Y-%m-%d}): nothing to project; pass `--set effective_to=` "
            "to project it as if it had stayed"
        )
    if forecaster is None:
        from corridor.analysis.forecast import forecast

        forecaster = forecast
    fc = forecaster(history, horizon, levels=(80, 95)).reset_index(drop=True)
    mean = np.clip(fc["mean"].to_numpy(dtype="float64"), 1.0, None)
    lo = np.clip(fc["lo80"].to_numpy(dtype="float64"), 1.0, None)
    hi = np.clip(fc["hi80"].to_numpy(dtype="float64"), 1.0, None)
    sigma = np.maximum(np.log(hi) - np.log(lo), 0.0) / (2 * Z80)
    rng = np.random.default_rng(noise.seed)
    z = rng.standard_normal(noise.paths)
    # history from a few months before the rule starts: earlier months cannot matter
    keep_from = pd.Timestamp(rule.effective_from) - pd.DateOffset(months=3)
    past = history[history.index >= keep_from.to_period("M").to_timestamp()]
    if past.empty:
        past = history.iloc[-3:]
    future_idx = pd.DatetimeIndex(pd.to_datetime(fc["period"]))
    ends = future_idx + pd.offsets.MonthEnd(0)
    in_force = np.zeros(horizon)
    lifted = np.zeros(horizon)
    activated = np.zeros(horizon)
    state_at_end = ""
    for p in range(noise.paths):
        future = pd.Series(np.exp(np.log(mean) + sigma * z[p]), index=future_idx)
        months = pd.concat([past, future])
        one = Noise(noise.sigma, noise.rho, 1, noise.seed * 100_003 + p)
        days, path = simulated_paths(months, one)
        tl = evaluate(rule, pd.Series(path[0], index=days))
        states = tl.daily["state"]
        if not state_at_end:
            state_at_end = str(states.get(data_end, ""))
        after = [t for t in tl.transitions if pd.Timestamp(t.date) > data_end]
        for h, end in enumerate(ends):
            in_force[h] += states.get(end, "") == "in_force"
            lifted[h] += any(t.state == "lifted" and pd.Timestamp(t.date) <= end for t in after)
            activated[h] += any(
                t.state == "in_force" and pd.Timestamp(t.date) <= end for t in after
            )
    n = float(noise.paths)
    return Projection(
        rule, fc, pd.Series(in_force / n, index=future_idx),
        pd.Series(lifted / n, index=future_idx), pd.Series(activated / n, index=future_idx),
        state_at_end, data_end, noise,
    )  # fmt: skip
