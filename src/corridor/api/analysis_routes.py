"""``/trends`` and ``/corridor``: the analysis modules' findings as JSON (or their table as CSV)."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
from fastapi import APIRouter, Query, Request, Response

from corridor.analysis.corridor_view import corridor_view
from corridor.analysis.trends import trend_series, trends
from corridor.api.respond import NOT_FOUND, TABLE_RESPONSES, Payload, respond
from corridor.api.routes import Format, From, NotFoundError, To, _store
from corridor.errors import QueryError

router = APIRouter(responses=TABLE_RESPONSES)

Nat = Annotated[str | None, Query(description="One nationality (ISO3, e.g. VEN).")]


@router.get(
    "/trends/{checkpoint_id}",
    summary="Reusable statements about one checkpoint",
    responses=NOT_FOUND,
)
def trend(
    request: Request, checkpoint_id: str, nat: Nat = None,
    lang: Annotated[str, Query(description="Statements in en or es.")] = "en",
    start: From = None, end: To = None,
    within: Annotated[int, Query(ge=1, le=120, description="Halving/doubling window, months.")]
    = 12,
    format: Format = None,
) -> Response:  # fmt: skip
    """Latest changes, records, level shifts, halvings; CSV gives the statements."""
    try:
        cp = trend_series(checkpoint_id)
    except QueryError as exc:
        raise NotFoundError(str(exc)) from None

    def compute() -> Payload:
        report = trends(_store(request), cp, nat=nat, lang=lang, start=start, end=end,
                        within=within)  # fmt: skip
        meta = report.as_dict()
        return Payload(pd.DataFrame({"statement": meta["statements"]}), meta, table_in_json=False)

    return respond(request, compute)


@router.get("/corridor", summary="The corridor as one system: table, shares, lead times, ratios")
def corridor(
    request: Request, nat: Nat = None, start: From = None, end: To = None,
    top: Annotated[int, Query(ge=1, le=50, description="Nationalities in the shares.")] = 5,
    max_lag: Annotated[int, Query(ge=0, le=24, description="Longest lead time, months.")] = 6,
    format: Format = None,
) -> Response:  # fmt: skip
    """JSON carries all four views; CSV the monthly table of the checkpoints."""

    def compute() -> Payload:
        view = corridor_view(_store(request), nat=nat, start=start, end=end, top=top,
                             max_lag=max_lag)  # fmt: skip
        meta = view.as_dict()
        meta.pop("table")
        return Payload(view.table.reset_index(), meta)

    return respond(request, compute)
