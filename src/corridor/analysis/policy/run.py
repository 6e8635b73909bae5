"""A rule on the store's data (or a daily file): what the CLI, the API and the pages call."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from corridor.analysis.policy.approx import MonthlyTimeline, Noise, evaluate_monthly
from corridor.analysis.policy.daily_input import read_daily
from corridor.analysis.policy.engine import Timeline, evaluate
from corridor.analysis.policy.rules import PolicyRule, load_rule
from corridor.analysis.policy.whatif import Projection, project
from corridor.analysis.series import monthly
from corridor.errors import ConfigError, QueryError
from corridor.store import Store

#: months of data read before a rule starts (its first windows need them)
LEAD_MONTHS = 3


def rule_with(
    name_or_path: str | Path, changes: Mapping[str, str] | None = None, *, files: bool = True
) -> PolicyRule:
    """A rule (shipped id, or a file when ``files``), with what-if changes applied."""
    rule = load_rule(name_or_path, files=files)
    return rule.with_changes(changes) if changes else rule


def parse_settings(items: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``["lift.threshold=1800", "effective_to="]`` as a dict (each must hold `=`)."""
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set `{item}`: use KEY=VALUE, e.g. lift.threshold=1800")
        out[key.strip()] = value.strip()
    return out


def rule_series(store: Store, rule: PolicyRule) -> pd.Series:
    """The rule's series, monthly, from a few months before the rule starts."""
    start = pd.Timestamp(rule.effective_from) - pd.DateOffset(months=LEAD_MONTHS)
    cp = rule.series.as_checkpoint()
    series = monthly(store, cp, start=f"{start:%Y-%m}")
    if not series.notna().any():
        raise QueryError(f"rule `{rule.id}`: no data for its series ({cp.label}) from "
                         f"{start:%Y-%m}")  # fmt: skip
    return series


def evaluate_rule(
    rule: PolicyRule,
    *,
    store: Store | None = None,
    daily: str | Path | None = None,
    noise: Noise | None = None,
) -> Timeline | MonthlyTimeline:
    """Exact on a daily file when one is given, else approximate on the store's months."""
    if daily is not None:
        return evaluate(rule, read_daily(daily))
    if store is None:
        raise QueryError("give a store or a daily file")
    return evaluate_monthly(rule, rule_series(store, rule), noise)


def project_rule(
    rule: PolicyRule, store: Store, horizon: int = 6, noise: Noise | None = None
) -> Projection:
    """The rule projected ``horizon`` months past the store's data."""
    start = pd.Timestamp(rule.effective_from) - pd.DateOffset(months=LEAD_MONTHS)
    cp = rule.series.as_checkpoint()
    history = monthly(store, cp)  # the forecast wants the whole history
    if not history[history.index >= start].notna().any():
        raise QueryError(f"rule `{rule.id}`: no data for its series ({cp.label}) from "
                         f"{start:%Y-%m}")  # fmt: skip
    return project(rule, history, horizon, noise)


def changes_frame(result: Timeline | MonthlyTimeline) -> pd.DataFrame:
    """One row per change of state (with its spread across paths when approximate)."""
    if isinstance(result, MonthlyTimeline):
        rows = [s.to_dict() for s in result.spreads]
        pending = result.central.pending
    else:
        rows = [t.to_dict() for t in result.transitions]
        pending = result.pending
    if pending is not None:
        rows.append({**pending.to_dict(), "pending": True})
    cols = ["date", "state", "determined", "run_start", "value", "op", "threshold",
            "window_days", "consecutive_days", "delay_days"]  # fmt: skip
    if isinstance(result, MonthlyTimeline):
        cols += ["share_of_paths", "p05", "p50", "p95"]
    df = pd.DataFrame(rows)
    for col in [*cols, "pending"]:
        if col not in df.columns:
            df[col] = pd.NA if col != "pending" else False
    return df[[*cols, "pending"]].fillna({"pending": False})
