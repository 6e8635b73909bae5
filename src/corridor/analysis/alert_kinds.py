"""What each kind of rule checks in one month of a series.

Each check returns the findings for the months asked about; formatting the
message and storing the alert happen in ``alerts``. A month without data, or
without the data a rule compares it with, never fires: a gap is not a fall.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from corridor.analysis.alert_rules import Rule
from corridor.countries.names import OTHER, UNKNOWN

#: ``forecast(series, horizon, levels=(80, 95))`` -> period, mean, lo80, hi80, lo95, hi95, model
Forecaster = Callable[..., pd.DataFrame]


@dataclass(frozen=True)
class Pct:
    """A percentage (or percentage points) for a message: one decimal, no sign unless asked."""

    value: float
    signed: bool = False


@dataclass
class Finding:
    """A rule that fired in one month (``nat`` set by new-nationality rules)."""

    period: pd.Timestamp
    value: float
    threshold: float | None = None
    lo: float | None = None
    hi: float | None = None
    nat: str | None = None
    #: the message fields as values (numbers, months, word keys such as ``rose``);
    #: ``alerts`` formats them for each language
    fields: dict[str, object] = field(default_factory=dict)


def threshold(rule: Rule, s: pd.Series, months: Iterable[pd.Timestamp]) -> list[Finding]:
    out: list[Finding] = []
    above, below = rule.get("above"), rule.get("below")
    for t in months:
        v = s.get(t, np.nan)
        if pd.isna(v):
            continue
        if above is not None and v > float(above):
            limit, word = float(above), "above"
        elif below is not None and v < float(below):
            limit, word = float(below), "below"
        else:
            continue
        out.append(Finding(t, float(v), limit, fields={"threshold": limit, "direction": word}))
    return out


def percent_change(rule: Rule, s: pd.Series, months: Iterable[pd.Timestamp]) -> list[Finding]:
    lag = 1 if rule.get("change") == "mom" else 12
    beyond = rule.number("beyond", 0)
    direction = rule.get("direction", "both")
    min_base = rule.number("min_base", 0)
    out: list[Finding] = []
    for t in months:
        base_t = t - pd.DateOffset(months=lag)
        v, base = s.get(t, np.nan), s.get(base_t, np.nan)
        if pd.isna(v) or pd.isna(base) or base <= 0 or base < min_base:
            continue
        pct = (v / base - 1) * 100
        fires = (pct >= beyond and direction != "down") or (pct <= -beyond and direction != "up")
        if not fires:
            continue
        out.append(Finding(t, float(v), beyond if pct > 0 else -beyond, fields={
            "pct": Pct(abs(pct)), "signed_pct": Pct(pct, signed=True), "base": float(base),
            "base_month": base_t,
            "direction": "rose" if pct > 0 else "fell", "change": str(rule.get("change")),
        }))  # fmt: skip
    return out


def forecast_exceeded(
    rule: Rule, s: pd.Series, months: Iterable[pd.Timestamp], forecaster: Forecaster
) -> list[Finding]:
    level = rule.integer("level", 95)
    min_history = rule.integer("min_history", 24)
    out: list[Finding] = []
    for t in months:
        v = s.get(t, np.nan)
        history = _contiguous_tail(s[s.index < t])
        if (
            pd.isna(v)
            or len(history) < min_history
            or history.index[-1] != t - pd.DateOffset(months=1)
        ):
            continue
        fc = forecaster(history, 1, levels=(80, 95))
        row = fc.iloc[0]
        lo, hi = float(row[f"lo{level}"]), float(row[f"hi{level}"])
        if not v > hi:
            continue
        out.append(Finding(t, float(v), None, lo, hi, fields={
            "level": level, "lo": float(round(lo)), "hi": float(round(hi)),
            "mean": float(round(float(row["mean"]))), "model": str(row.get("model", "")),
        }))  # fmt: skip
    return out


def new_nationality(
    rule: Rule, wide: pd.DataFrame, months: Iterable[pd.Timestamp]
) -> list[Finding]:
    window = rule.integer("window", 6)
    small = rule.number("small", 0)
    exceeds, points = rule.get("exceeds"), rule.get("share_points")
    min_count = rule.number("min_count", 0)
    out: list[Finding] = []
    for t in months:
        if t not in wide.index:
            continue
        now = wide.loc[t]
        prior = wide.loc[(wide.index < t) & (wide.index >= t - pd.DateOffset(months=window))]
        if now.isna().all() or prior.dropna(how="all").shape[0] < window:
            continue  # the window must be covered, or everything looks new
        share_now = now / now.sum() * 100
        share_prior = (prior.fillna(0).div(prior.sum(axis=1), axis=0) * 100).mean()
        prior_max = prior.fillna(0).max()
        counts = now.to_numpy(dtype="float64")
        shares = dict(zip(wide.columns, share_now.to_numpy(dtype="float64").tolist(), strict=True))
        prior_shares = dict(
            zip(share_prior.index, share_prior.to_numpy(dtype="float64").tolist(), strict=True)
        )
        for nat, v in zip(wide.columns, counts, strict=True):
            # residuals are not nationalities; tiny counts make big shares of tiny totals
            if np.isnan(v) or nat in (OTHER, UNKNOWN) or v < min_count:
                continue
            was_small = prior_max[nat] <= small
            crossed = exceeds is not None and was_small and v > float(exceeds)
            rose = points is not None and share_now[nat] - share_prior[nat] >= float(points)
            if not (crossed or rose):
                continue
            # the threshold is `exceeds` only when the count crossed it (not for a share rise)
            limit = float(exceeds) if crossed and exceeds is not None else None
            out.append(Finding(t, float(v), limit, nat=str(nat), fields={
                "prior_max": float(prior_max[nat]), "share": Pct(shares[nat]),
                "prior_share": Pct(prior_shares[nat]),
                "points": Pct(shares[nat] - prior_shares[nat], signed=True),
            }))  # fmt: skip
    return out


def _contiguous_tail(s: pd.Series) -> pd.Series:
    """The last run of months without a gap (forecasters need a regular series)."""
    s = s.dropna()
    if s.empty:
        return s
    months = pd.DatetimeIndex(s.index).to_period("M").asi8
    breaks = np.flatnonzero(np.diff(months) != 1)
    return s.iloc[breaks[-1] + 1 :] if len(breaks) else s
