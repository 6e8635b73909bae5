"""``forecast`` and ``backtest``: a checkpoint's next months, and how well each model did."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
import typer

from corridor.analysis.backtest import MODELS_DEFAULT, backtest
from corridor.analysis.forecast_series import (
    CHECKPOINT_MODELS,
    check_checkpoint_model,
    forecast_checkpoint,
    forecast_top,
)
from corridor.analysis.series import CHECKPOINTS, checkpoint, monthly
from corridor.cli.options import DbOption, FormatOption
from corridor.cli.output import err_console, labelled, show
from corridor.errors import ConfigError, QueryError
from corridor.store import Store

CHECKPOINT_IDS = ", ".join(cp.id for cp in CHECKPOINTS)
ALL_MODELS = CHECKPOINT_MODELS

NatOption = Annotated[
    str | None, typer.Option("--nat", help="One nationality (ISO3, e.g. VEN).", show_default=False)
]


def _ints(text: str, what: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ConfigError(
            f"{what} must be whole numbers separated by commas, got `{text}`"
        ) from None
    if not values or min(values) < 1 or max(values) > 24:
        raise ConfigError(f"{what} must lie in 1..24, got `{text}`")
    return values


def forecast_cmd(
    checkpoint_id: Annotated[str, typer.Argument(metavar="CHECKPOINT", help=f"{CHECKPOINT_IDS}.")],
    nat: NatOption = None,
    horizon: Annotated[int, typer.Option("--horizon", help="Months ahead (1-24).")] = 6,
    model: Annotated[
        str, typer.Option("--model", help=f"One of: {', '.join(ALL_MODELS)}.")
    ] = "auto",
    top: Annotated[
        int | None,
        typer.Option(
            "--top",
            help="Forecast the top N nationalities of the last 12 months.",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Forecast a checkpoint's next months with 80% and 95% intervals."""
    check_checkpoint_model(model)
    cp = checkpoint(checkpoint_id)
    store = Store(db)
    if top is not None:
        if nat or top < 1:
            raise ConfigError("--top takes a number of nationalities (1+) and excludes --nat")
        show(_rounded(forecast_top(store, cp.id, top, horizon, model=model)), fmt, "forecast")
        return
    series = monthly(store, cp, nat=nat)
    if series.empty or not series.notna().any():
        raise QueryError(
            f"no data for {cp.id}" + (f" and nationality {nat.upper()}" if nat else "")
        )
    df = forecast_checkpoint(store, cp.id, horizon, nat=nat, model=model)
    if fmt == "table":
        last = pd.Timestamp(series.dropna().index[-1])
        who = f", nationality {nat.upper()}" if nat else ""
        err_console.print(
            labelled("series:", "cyan", f"{cp.label}{who}; last month {last:%Y-%m}: "
                     f"{series[last]:,.0f} {cp.unit}; model {df['model'].iloc[0]}")
        )  # fmt: skip
    show(_rounded(df), fmt, "forecast")


def _rounded(df: pd.DataFrame) -> pd.DataFrame:
    """Months as YYYY-MM and whole counts: a forecast has no meaningful decimals."""
    out = df.copy()
    out["period"] = pd.to_datetime(out["period"]).dt.strftime("%Y-%m")
    for col in out.columns.drop(["period", "model", "nat"], errors="ignore"):
        out[col] = out[col].round(0)
    return out


def backtest_cmd(
    checkpoint_ids: Annotated[
        list[str] | None,
        typer.Argument(metavar="[CHECKPOINT]...", help=f"Default: all ({CHECKPOINT_IDS})."),
    ] = None,
    nat: NatOption = None,
    horizons: Annotated[
        str, typer.Option("--horizons", help="Months ahead, comma-separated.")
    ] = "1,2,3",
    models: Annotated[
        str, typer.Option("--models", help="Comma-separated; default: the baselines and corridor.")
    ] = ",".join(MODELS_DEFAULT),
    start: Annotated[str, typer.Option("--from", help="First target month scored.")] = "2023-01",
    end: Annotated[str, typer.Option("--to", help="Last target month scored.")] = "2025-04",
    save: Annotated[
        bool,
        typer.Option("--save", help="Store the scores: the dashboard and report show them."),
    ] = False,
    db: DbOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Rolling-origin backtest: MASE, MAPE, 80/95% coverage and surge hits per model."""
    hs = _ints(horizons, "--horizons")
    names = [m.strip() for m in models.split(",") if m.strip()]
    for m in names:
        check_checkpoint_model(m)
    ids = [checkpoint(c).id for c in (checkpoint_ids or [cp.id for cp in CHECKPOINTS])]
    store = Store(db)
    panel = {cp.id: monthly(store, cp, nat=nat) for cp in CHECKPOINTS}
    for c in ids:
        if panel[c].empty:
            raise QueryError(
                f"no data for {c}" + (f" and nationality {nat.upper()}" if nat else "")
            )
    try:
        start_ts, end_ts = pd.Timestamp(start), pd.Timestamp(end)
    except ValueError:
        raise ConfigError(f"--from/--to must be months (YYYY-MM), got `{start}`, `{end}`") from None
    scores = backtest(panel, series=ids, models=names, horizons=hs,
                      start=f"{start_ts:%Y-%m}", end=f"{end_ts:%Y-%m}")  # fmt: skip
    if save:
        from corridor.analysis.backtest_store import save_scores

        n = save_scores(store, scores, nat=nat, start=f"{start_ts:%Y-%m}", end=f"{end_ts:%Y-%m}")
        err_console.print(labelled("stored:", "cyan", f"{n} score rows in {store.path}"))
    if fmt == "table":
        err_console.print(
            labelled("window:", "cyan", f"targets {start_ts:%Y-%m}..{end_ts:%Y-%m}; surge = "
                     "actual 25%+ above the last month seen, hit = forecast 10%+ above it")
        )  # fmt: skip
        scores = scores.round({"mase": 2, "mape": 1, "coverage80": 2, "coverage95": 2,
                               "surge_hit_rate": 2})  # fmt: skip
    show(scores, fmt, "backtest")
