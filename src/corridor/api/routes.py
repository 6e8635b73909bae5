"""The ``/api/v1`` endpoints. Each one builds a Store per request (read-only reads)."""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Query, Request, Response

from corridor.analysis.series import CHECKPOINTS, Checkpoint, checkpoint, monthly
from corridor.api.respond import NOT_FOUND, TABLE_RESPONSES, Payload, respond
from corridor.errors import ConfigError, QueryError
from corridor.quality import check, revisions
from corridor.sources.registry import SOURCES
from corridor.store import Store

router = APIRouter(responses=TABLE_RESPONSES)

#: rows returned by /sql at most: the endpoint is for exploring, not for bulk export
SQL_MAX_ROWS = 10_000


class NotFoundError(QueryError):
    """The resource named in the path (checkpoint, source) does not exist: a 404."""


def _store(request: Request) -> Store:
    return Store(request.app.state.db_path)


def _checkpoint(checkpoint_id: str) -> Checkpoint:
    try:
        return checkpoint(checkpoint_id)
    except QueryError as exc:
        raise NotFoundError(str(exc)) from None


Text = Annotated[str | None, Query(description="One value or a comma-separated list.")]
From = Annotated[str | None, Query(alias="from", description="First month, YYYY-MM (or YYYY).")]
To = Annotated[str | None, Query(alias="to", description="Last month, YYYY-MM (or YYYY).")]
Format = Annotated[
    str | None, Query(description="`json` (default) or `csv`; `Accept: text/csv` works too.")
]


@router.get("/flows", summary="Summed counts from flows, grouped by `by`")
def flows(
    request: Request,
    geo: Text = None,
    agency: Text = None,
    event: Text = None,
    nat: Text = None,
    area: Text = None,
    place: Text = None,
    sex: Text = None,
    age: Text = None,
    family: Text = None,
    authority: Text = None,
    partner: Text = None,
    unit: Text = None,
    source: Text = None,
    start: From = None,
    end: To = None,
    freq: Annotated[str, Query(description="M (monthly) or A (annual).")] = "M",
    by: Annotated[str, Query(description="Comma-separated columns to group by.")] = "period",
    all_sources: Annotated[
        bool, Query(description="Add up overlapping sources (normally one is chosen).")
    ] = False,
    format: Format = None,
) -> Response:
    """Same filters as `Store.flows`; `notes` explains the choice among overlapping sources."""

    def compute() -> Payload:
        store = _store(request)
        df = store.flows(
            geo=geo, agency=agency, event=event, nat=nat, area=area, place=place, sex=sex,
            age=age, family=family, authority=authority, partner=partner, unit=unit,
            source=source, start=start, end=end, freq=freq,
            by=[c.strip() for c in by.split(",") if c.strip()], all_sources=all_sources,
        )  # fmt: skip
        return Payload(df, {"notes": store.notes})

    return respond(request, compute)


@router.get(
    "/series/{checkpoint_id}", summary="One checkpoint as a monthly series", responses=NOT_FOUND
)
def series(
    request: Request, checkpoint_id: str, nat: Annotated[str | None, Query()] = None,
    start: From = None, end: To = None, format: Format = None,
) -> Response:  # fmt: skip
    """Monthly counts (all nationalities or one); a month no source covers is null."""
    cp = _checkpoint(checkpoint_id)

    def compute() -> Payload:
        values = monthly(_store(request), cp, nat=nat, start=start, end=end)
        table = pd.DataFrame({"month": values.index, "n": values.to_numpy()})
        meta = {"checkpoint": cp.id, "label": cp.label, "label_es": cp.label_es,
                "unit": cp.unit, "nat": nat.upper() if nat else None}  # fmt: skip
        return Payload(table, meta)

    return respond(request, compute)


@router.get("/checkpoints", summary="The monitored checkpoints, south to north")
def checkpoints(request: Request, format: Format = None) -> Response:
    def compute() -> Payload:
        rows = [
            {"id": cp.id, "label": cp.label, "label_es": cp.label_es, "unit": cp.unit,
             "on_route": cp.on_route,
             "filters": ";".join(f"{k}={v}" for k, v in cp.filters.items())}
            for cp in CHECKPOINTS
        ]  # fmt: skip
        return Payload(pd.DataFrame(rows))

    return respond(request, compute)


@router.get("/sources", summary="Every connector, with what the store holds of it")
def sources(request: Request, format: Format = None) -> Response:
    def compute() -> Payload:
        store = _store(request)
        held = {str(r["source"]): r for r in store.sources().to_dict("records")}
        rows: list[dict[str, Any]] = []
        for src in SOURCES.values():
            info = src.info
            mine = held.get(info.id, {})
            rows.append({
                "source": info.id, "agency": info.agency, "geo": info.geo,
                "events": ",".join(sorted(info.events)), "title": info.title,
                "publisher": info.publisher, "group": info.group, "priority": info.priority,
                "fetch": bool(info.publication),
                "url": info.publication.page if info.publication else info.url,
                "releases": int(mine.get("releases", 0) or 0),
                "first": mine.get("first"), "last": mine.get("last"),
            })  # fmt: skip
        return Payload(pd.DataFrame(rows))

    return respond(request, compute)


@router.get("/releases", summary="Every release, newest first")
def releases(request: Request, format: Format = None) -> Response:
    """`current_slices` 0 means the release is fully superseded by a newer one."""
    return respond(request, lambda: Payload(_store(request).releases()))


@router.get("/quality", summary="Data-quality findings of the latest releases")
def quality(
    request: Request, source: Text = None,
    release: Annotated[str | None, Query(description="Check this release id.")] = None,
    format: Format = None,
) -> Response:  # fmt: skip
    def compute() -> Payload:
        names = [s.strip() for s in (source or "").split(",") if s.strip()]
        report = check(_store(request), names, release=release)
        meta = report.as_dict()
        meta.pop("findings", None)
        return Payload(report.frame(), meta)

    return respond(request, compute)


@router.get(
    "/revisions/{source}",
    summary="What changed between two releases of a source",
    responses=NOT_FOUND,
)
def revision(
    request: Request, source: str,
    old: Annotated[str | None, Query(alias="from", description="Older release id.")] = None,
    new: Annotated[str | None, Query(alias="to", description="Newer release id.")] = None,
    cells: Annotated[bool, Query(description="CSV of the changed cells, not periods.")] = False,
    format: Format = None,
) -> Response:  # fmt: skip
    """JSON carries periods and cells; CSV one of them (`cells=true` for cells)."""
    if source not in SOURCES:
        raise NotFoundError(f"unknown source `{source}`; see /api/v1/sources")

    def compute() -> Payload:
        report = revisions(_store(request), source, old=old, new=new)
        meta = {"source": report.source, "old": report.old, "new": report.new,
                "summary": report.summary(), "new_periods": report.new_periods}  # fmt: skip
        if cells:
            return Payload(report.cells, {**meta, "periods": report.periods})
        return Payload(report.periods, {**meta, "cells": report.cells})

    return respond(request, compute)


@router.get("/sql", summary="Read-only SQL over flows, flows_all, releases, sources")
def sql(
    request: Request,
    q: Annotated[str, Query(description="One SELECT statement.")],
    limit: Annotated[int, Query(ge=1, le=SQL_MAX_ROWS)] = 1000,
    format: Format = None,
) -> Response:
    """Runs as a subquery on a read-only connection without file access; at most `limit` rows."""
    statement = q.strip().rstrip(";").strip()
    if not statement:
        raise ConfigError("empty query")

    def compute() -> Payload:
        # A subquery admits only a query (no SET, ATTACH, COPY, PRAGMA); one row
        # beyond the limit tells whether the answer was cut.
        df = _store(request).sql(f"SELECT * FROM ({statement}) LIMIT {limit + 1}")
        truncated = len(df) > limit
        return Payload(df.head(limit), {"truncated": truncated, "limit": limit})

    return respond(request, compute)
