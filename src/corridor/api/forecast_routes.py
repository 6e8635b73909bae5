"""``/forecasts``, ``/backtests`` and ``/alerts``: the forecasting modules over HTTP.

Alerts are only listed here: evaluating rules writes to the store, which the
API never does (``corridor alerts --evaluate`` and every ingest do it).
"""

from __future__ import annotations

from typing import Annotated

import pandas as pd
from fastapi import APIRouter, Query, Request, Response

from corridor.analysis.alerts import list_alerts
from corridor.analysis.backtest import MODELS_DEFAULT, backtest
from corridor.analysis.corridor_model import corridor_forecast
from corridor.analysis.forecast import forecast
from corridor.analysis.forecast_series import CHECKPOINT_MODELS, check_checkpoint_model
from corridor.analysis.series import CHECKPOINTS, checkpoint, monthly
from corridor.api.respond import NOT_FOUND, TABLE_RESPONSES, Payload, respond
from corridor.api.routes import Format, From, To, _checkpoint, _store
from corridor.errors import ConfigError, QueryError

router = APIRouter(responses=TABLE_RESPONSES)

#: forecast_series' list, so the API, the CLI and the pages accept the same names
ALL_MODELS = CHECKPOINT_MODELS
_model = check_checkpoint_model
Nat = Annotated[str | None, Query(description="One nationality (ISO3, e.g. VEN).")]


@router.get(
    "/forecasts/{checkpoint_id}",
    summary="A checkpoint's next months, 80/95% bands",
    responses=NOT_FOUND,
)
def forecasts(
    request: Request, checkpoint_id: str, nat: Nat = None,
    horizon: Annotated[int, Query(ge=1, le=24, description="Months ahead.")] = 6,
    model: Annotated[str, Query(description=f"One of: {', '.join(ALL_MODELS)}.")] = "corridor",
    format: Format = None,
) -> Response:  # fmt: skip
    cp = _checkpoint(checkpoint_id)
    _model(model)

    def compute() -> Payload:
        store = _store(request)
        series = monthly(store, cp, nat=nat)
        if not series.notna().any():
            who = f" and nationality {nat.upper()}" if nat else ""
            raise QueryError(f"no data for {cp.id}{who}")
        if model == "corridor":
            df = corridor_forecast(store, cp.id, horizon, nat=nat)
        else:
            df = forecast(series, horizon, model=model)
        last = pd.Timestamp(series.dropna().index[-1])
        meta = {"checkpoint": cp.id, "label": cp.label, "label_es": cp.label_es,
                "unit": cp.unit, "nat": nat.upper() if nat else None,
                "last_month": f"{last:%Y-%m-%d}", "last_value": float(series[last]),
                "model": str(df["model"].iloc[0]) if len(df) else model}  # fmt: skip
        return Payload(df.assign(period=pd.to_datetime(df["period"])), meta)

    return respond(request, compute)


@router.get(
    "/backtests",
    summary="Rolling-origin scores per checkpoint, model and horizon",
    responses=NOT_FOUND,
)
def backtests(
    request: Request,
    checkpoint: Annotated[
        str | None, Query(description="Comma-separated; default: all with data.")
    ] = None,
    nat: Nat = None,
    horizons: Annotated[str, Query(description="Months ahead, comma-separated (1-24).")] = "1,2,3",
    models: Annotated[str, Query(description="Comma-separated model names.")] = ",".join(
        MODELS_DEFAULT
    ),
    start: From = "2023-01", end: To = "2025-04", format: Format = None,
) -> Response:  # fmt: skip
    """MASE, MAPE, 80/95% interval coverage and surge hit rate (slow when not cached)."""
    ids = [_checkpoint(c.strip()).id for c in (checkpoint or "").split(",") if c.strip()]
    names = [_model(m.strip()) for m in models.split(",") if m.strip()]
    if not names:
        raise ConfigError(f"models: name at least one of: {', '.join(ALL_MODELS)}")
    try:
        hs = [int(h) for h in horizons.split(",") if h.strip()]
    except ValueError:
        raise ConfigError(f"horizons must be whole numbers, got `{horizons}`") from None
    if not hs or min(hs) < 1 or max(hs) > 24:
        raise ConfigError(f"horizons must lie in 1..24, got `{horizons}`")

    def compute() -> Payload:
        store = _store(request)
        panel = {cp.id: monthly(store, cp, nat=nat) for cp in CHECKPOINTS}
        who = f" and nationality {nat.upper()}" if nat else ""
        # by default, every checkpoint the store has data for (a store of CBP
        # files alone has no Darién); a checkpoint named in the request must have data
        wanted = ids or [c for c, s in panel.items() if not s.empty]
        if not wanted:
            raise QueryError(f"no data for any checkpoint{who}")
        for c in wanted:
            if panel[c].empty:
                raise QueryError(f"no data for {c}{who}")
        scores = backtest(panel, series=wanted, models=names, horizons=hs, start=start, end=end)
        return Payload(scores, {"start": start, "end": end, "horizons": hs})

    return respond(request, compute)


@router.get("/alerts", summary="Alerts the rules raised (evaluated at ingest)")
def alerts(
    request: Request,
    since: Annotated[str | None, Query(description="From this month, YYYY-MM.")] = None,
    rule: Annotated[str | None, Query()] = None,
    checkpoint_id: Annotated[str | None, Query(alias="checkpoint")] = None,
    severity: Annotated[str | None, Query()] = None,
    format: Format = None,
) -> Response:
    if checkpoint_id is not None:
        checkpoint(checkpoint_id)  # a 400 naming the valid ids, not an empty list

    def compute() -> Payload:
        df = list_alerts(_store(request), since=since, rule=rule, checkpoint=checkpoint_id,
                         severity=severity)  # fmt: skip
        return Payload(df)

    return respond(request, compute)
