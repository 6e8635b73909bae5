"""``POST /link``: the linker over HTTP, for records sent as JSON.

The request carries the records themselves (one list per source), so the
server never reads paths a client names. Privacy-preserving linking stays on
the command line: encoding needs the agencies' secret key, which must never be
sent to a server.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
from fastapi import APIRouter
from pydantic import BaseModel, Field

from corridor.errors import ConfigError

router = APIRouter()

MAX_RECORDS = 200_000


class LinkRequest(BaseModel):
    """Records to link: one list per source (one source: deduplicate)."""

    sources: list[list[dict[str, Any]]] = Field(
        min_length=1, description="Each source is a list of records (objects)."
    )
    id_column: str = Field("record_id", description="The record id field, unique across sources.")
    threshold: float = Field(0.5, gt=0, lt=1, description="Keep pairs with P(match) >= this.")
    fields: dict[str, str] = Field(
        default_factory=dict, description="Field kind -> record key, where names are not inferred."
    )
    mode: str | None = Field(None, description="link, dedupe or link_and_dedupe.")


@router.post("/link", summary="Link person records across sources (or deduplicate one)")
def link_records(body: LinkRequest) -> dict[str, Any]:
    """Pairs with their match probability and weight, entities, and the fitted model."""
    from corridor.linkage.config import LinkOptions
    from corridor.linkage.link import link_files

    total = sum(len(s) for s in body.sources)
    if total > MAX_RECORDS:
        raise ConfigError(
            f"{total:,} records sent; at most {MAX_RECORDS:,} per request "
            "(use `corridor link` for larger files)"
        )
    options = LinkOptions(
        id_column=body.id_column, threshold=body.threshold, fields=body.fields, mode=body.mode
    )
    with tempfile.TemporaryDirectory(prefix="corridor-api-link-") as tmp:
        folder = Path(tmp)
        paths = []
        for i, records in enumerate(body.sources):
            if not records:
                raise ConfigError(f"source {i + 1} holds no records")
            frame = pd.DataFrame.from_records(records).astype("string")
            path = folder / f"source_{i + 1}.parquet"
            frame.to_parquet(path, index=False)
            paths.append(path)
        result = link_files(paths, folder / "out", options)
        pairs = pd.read_parquet(folder / "out" / "pairs.parquet")
        clusters = pd.read_parquet(folder / "out" / "clusters.parquet")
        model = json.loads((folder / "out" / "model.json").read_text())
    return {
        "summary": result.summary(),
        "pairs": pairs.to_dict(orient="records"),
        "clusters": clusters[["record_id", "entity_id"]].to_dict(orient="records"),
        "model": model,
    }
