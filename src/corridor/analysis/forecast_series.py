"""Forecasts of the monitored series: a checkpoint's total, one nationality, or its top ones."""

from __future__ import annotations

import pandas as pd

from corridor.analysis.corridor_model import corridor_forecast
from corridor.analysis.forecast import MODELS, forecast
from corridor.analysis.series import by_nationality, checkpoint, monthly
from corridor.countries.names import SENTINELS
from corridor.errors import ConfigError, QueryError
from corridor.store import Store

#: Every model a checkpoint can be forecast with: forecast()'s and the corridor model.
CHECKPOINT_MODELS: tuple[str, ...] = (*MODELS, "corridor")


def check_checkpoint_model(model: str) -> str:
    """The model name, or an error listing the valid ones."""
    if model not in CHECKPOINT_MODELS:
        raise ConfigError(f"unknown model `{model}`; use one of: {', '.join(CHECKPOINT_MODELS)}")
    return model


def forecast_checkpoint(
    store: Store,
    checkpoint_id: str,
    horizon: int = 6,
    *,
    nat: str | None = None,
    model: str = "auto",
) -> pd.DataFrame:
    """A checkpoint's forecast (all nationalities, or one) with any model."""
    check_checkpoint_model(model)
    cp = checkpoint(checkpoint_id)
    if model == "corridor":
        return corridor_forecast(store, cp.id, horizon, nat=nat)
    series = monthly(store, cp, nat=nat)
    if not series.notna().any():
        raise QueryError(
            f"no data for {cp.id}" + (f" and nationality {nat.upper()}" if nat else "")
        )
    return forecast(series, horizon, model=model)


def top_nationalities(
    store: Store, checkpoint_id: str, n: int = 5, *, months: int = 12
) -> list[str]:
    """The ``n`` nationalities with the most people in the checkpoint's last ``months`` months.

    Unknown, stateless and "other countries" are left out: their series mix groups.
    """
    wide = by_nationality(store, checkpoint(checkpoint_id))
    if wide.empty:
        return []
    recent = wide.iloc[-months:].sum(min_count=1)
    recent = recent.drop([c for c in recent.index if c in SENTINELS])
    return [str(c) for c in recent.dropna().sort_values(ascending=False).index[:n]]


def forecast_top(
    store: Store, checkpoint_id: str, n: int = 5, horizon: int = 6, *, model: str = "auto"
) -> pd.DataFrame:
    """Forecasts of the checkpoint's top ``n`` nationalities, stacked with a ``nat`` column.

    A nationality whose series is too short to forecast is left out.
    """
    check_checkpoint_model(model)
    frames = []
    for nat in top_nationalities(store, checkpoint_id, n):
        try:
            df = forecast_checkpoint(store, checkpoint_id, horizon, nat=nat, model=model)
        except QueryError:
            continue
        frames.append(df.assign(nat=nat))
    if not frames:
        raise QueryError(f"no nationality of {checkpoint_id} has a series long enough to forecast")
    out = pd.concat(frames, ignore_index=True)
    return out[["nat", *[c for c in out.columns if c != "nat"]]]


__all__ = [
    "CHECKPOINT_MODELS",
    "check_checkpoint_model",
    "forecast_checkpoint",
    "forecast_top",
    "top_nationalities",
]
