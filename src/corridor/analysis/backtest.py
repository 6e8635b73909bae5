"""Rolling-origin backtests: every model forecasts from each past month, scored on what came.

At each origin (a month whose value is known) a model sees only the months up
to it - of the target and, for the corridor model, of its upstream series -
and forecasts ``max(horizons)`` months ahead. A forecast ``h`` months ahead
is scored when its target month lies in the window ``start..end`` and was
observed. Scores per series, model and horizon:

* ``mase``: mean absolute error over the mean absolute month-on-month change of
  the target up to the origin (all of it, also before a gap the baselines do not
  fit across; below 1: better than naive was in-sample; compare models on the
  same rows rather than against 1),
* ``mape``: mean absolute percentage error (%),
* ``coverage80`` / ``coverage95``: share of actuals inside the interval,
* ``surge_hit_rate``: a *surge* is an actual ``h`` months ahead at least 25%
  above the last value the model saw; a *hit* is a forecast at least 10% above
  that value for the same month. The rate is hits over surges (NaN when the
  window has no surge; ``n_surges`` says how many there were). Naive never hits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from corridor.analysis.forecast import BASELINES, forecast
from corridor.errors import ConfigError, QueryError
from corridor.store.query import parse_month

SURGE = 0.25
SURGE_HIT = 0.10
MODELS_DEFAULT: tuple[str, ...] = (*BASELINES, "corridor")
SCORE_COLUMNS = [
    "series", "model", "horizon", "mase", "mape", "coverage80", "coverage95",
    "surge_hit_rate", "n_surges", "n_origins",
]  # fmt: skip

#: A forecaster: (history of the target, upstream histories, horizon) -> forecast frame.
Forecaster = Callable[[pd.Series, Mapping[str, pd.Series], int], pd.DataFrame]


def _forecaster(model: str) -> Forecaster:
    if model == "corridor":
        from corridor.analysis.corridor_model import corridor_model_forecast

        return lambda y, ups, h: corridor_model_forecast(y, ups, h)
    if model in (*BASELINES, "auto"):
        return lambda y, ups, h: forecast(y, h, model=model)
    raise ConfigError(f"unknown model `{model}`; use one of: {', '.join((*BASELINES, 'corridor'))}")


def forecast_errors(
    panel: Mapping[str, pd.Series],
    series: str,
    model: str,
    *,
    horizons: Sequence[int] = (1, 2, 3),
    start: str | None = "2023-01",
    end: str | None = "2025-04",
    upstream: Iterable[str] = (),
    max_origins: int | None = None,
) -> pd.DataFrame:
    """One row per origin and horizon: actual, forecast, bounds, last seen value and scale."""
    if not horizons or min(horizons) < 1:
        raise ConfigError(f"horizons must be 1 or more, got {list(horizons)}")
    y = panel[series].astype("float64")
    y = y.loc[: y.last_valid_index()] if y.notna().any() else y.iloc[:0]
    ups = {u: panel[u] for u in upstream}
    # months read as everywhere else: ``2023`` as a start is January, as an end December
    lo = pd.Timestamp(parse_month(start)) if start else y.index.min()
    hi = pd.Timestamp(parse_month(end, end=True)) if end else y.index.max()
    hmax = max(horizons)
    origins = [
        o for o in y.index
        if not np.isnan(y[o])
        and any(lo <= o + pd.DateOffset(months=h) <= hi for h in horizons)
    ]  # fmt: skip
    if max_origins is not None:
        origins = origins[-max_origins:]
    run = _forecaster(model)
    rows = []
    for o in origins:
        hist = y.loc[:o]
        try:
            fc = run(hist, {u: s.loc[:o] for u, s in ups.items()}, hmax)
        except QueryError:
            continue  # too short at this origin: the model has no forecast to score
        fc = fc.set_index("period")
        diffs = np.abs(np.diff(hist.to_numpy()))
        scale = float(np.nanmean(diffs)) if np.isfinite(diffs).any() else np.nan
        for h in horizons:
            tgt = o + pd.DateOffset(months=h)
            if not lo <= tgt <= hi or tgt not in y.index or np.isnan(y[tgt]):
                continue
            f = fc.loc[tgt]
            rows.append({
                "series": series, "model": model, "origin": o, "horizon": h,
                "actual": y[tgt], "last": y[o], "scale": scale, **f.drop("model").to_dict(),
            })  # fmt: skip
    return pd.DataFrame(rows)


def score(errors: pd.DataFrame) -> pd.DataFrame:
    """Scores per series, model and horizon from ``forecast_errors`` rows."""
    out = []
    for (series, model, _), g in errors.groupby(["series", "model", "horizon"], sort=False):
        err = (g["mean"] - g["actual"]).abs()
        pos = g["actual"] > 0
        scaled = err / g["scale"].where(g["scale"] > 0)
        surge = g["actual"] >= (1 + SURGE) * g["last"]
        hit = g["mean"] >= (1 + SURGE_HIT) * g["last"]
        out.append({
            "series": series, "model": model, "horizon": int(g["horizon"].iloc[0]),
            "mase": float(scaled.mean()),
            "mape": float((err[pos] / g["actual"][pos]).mean() * 100),
            "coverage80": _coverage(g, 80), "coverage95": _coverage(g, 95),
            "surge_hit_rate": float(hit[surge].mean()) if surge.any() else np.nan,
            "n_surges": int(surge.sum()), "n_origins": int(g["origin"].nunique()),
        })  # fmt: skip
    df = pd.DataFrame(out, columns=SCORE_COLUMNS)
    return df.sort_values(["series", "model", "horizon"], key=_keep_order(errors)).reset_index(
        drop=True
    )


def _keep_order(errors: pd.DataFrame) -> Callable[[pd.Series], pd.Series]:
    """Sort key: series and models in the order they were run, horizons ascending."""
    rank = {c: {v: i for i, v in enumerate(pd.unique(errors[c]))} for c in ("series", "model")}
    return lambda col: col.map(rank[str(col.name)]) if col.name in rank else col


def _coverage(g: pd.DataFrame, level: int) -> float:
    """Share of actuals inside the interval; a relative 1e-9 slack absorbs the log round trip."""
    if f"lo{level}" not in g:
        return np.nan
    lo, hi = g[f"lo{level}"] * (1 - 1e-9), g[f"hi{level}"] * (1 + 1e-9)
    return float(((lo <= g["actual"]) & (g["actual"] <= hi)).mean())


def backtest(
    panel: pd.Series | Mapping[str, pd.Series],
    *,
    series: Sequence[str] | None = None,
    models: Sequence[str] = MODELS_DEFAULT,
    horizons: Sequence[int] = (1, 2, 3),
    start: str | None = "2023-01",
    end: str | None = "2025-04",
    upstream: Mapping[str, Sequence[str]] | None = None,
    max_origins: int | None = None,
) -> pd.DataFrame:
    """Rolling-origin scores of each model on each series (see the module doc).

    ``panel`` maps series names to monthly series (a lone Series is named by its
    name). The corridor model needs the upstream series of each target in the
    panel; by default they are the checkpoints' (``corridor_model.UPSTREAM``).
    A model that cannot forecast a series at all is left out of the table.
    """
    if isinstance(panel, pd.Series):
        panel = {str(panel.name or "series"): panel}
    names = list(series) if series is not None else list(panel)
    for name in names:
        if name not in panel:
            raise QueryError(f"series `{name}` is not in the panel")
    if upstream is None and "corridor" in models:
        from corridor.analysis.corridor_model import UPSTREAM

        upstream = UPSTREAM
    frames = []
    for name in names:
        for model in models:
            ups: Sequence[str] = ()
            if model == "corridor":
                ups = (upstream or {}).get(name, ())
                missing = [u for u in ups if u not in panel]
                if missing:
                    raise QueryError(f"the corridor model of `{name}` needs {', '.join(missing)}")
            errs = forecast_errors(panel, name, model, horizons=horizons, start=start,
                                   end=end, upstream=ups, max_origins=max_origins)  # fmt: skip
            if not errs.empty:
                frames.append(errs)
    if not frames:
        raise QueryError("no forecast could be scored: the series are too short for the window")
    return score(pd.concat(frames, ignore_index=True))


__all__ = ["MODELS_DEFAULT", "SCORE_COLUMNS", "backtest", "forecast_errors", "score"]
