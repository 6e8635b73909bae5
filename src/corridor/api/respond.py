"""Responses: JSON or CSV, cached per store version, with ETag and Cache-Control.

Every computation the API serves depends only on the store's contents. A
response is keyed by the store's version (its latest release id and the file's
size and mtime, so alerts or scores written without a new release count
too) plus the request (path, query, format): any write makes every older entry
unreachable, and clients revalidate with ``If-None-Match``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
from fastapi import Request, Response

from corridor.errors import ConfigError
from corridor.store.store import file_stamp

#: Browsers and proxies may reuse a response this long without asking; after
#: that the ETag makes the check a 304 without a body.
CACHE_CONTROL = "public, max-age=60"
FORMATS = ("json", "csv")
#: bodies from this size are sent gzipped to clients that accept it
GZIP_MIN = 1000


_ERROR_SCHEMA = {
    "type": "object",
    "properties": {"error": {"type": "string"}},
    "required": ["error"],
}
_ERROR = {"application/json": {"schema": _ERROR_SCHEMA}}
#: What every table endpoint answers, for OpenAPI: JSON or CSV, and errors as one line.
TABLE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "JSON (default) or CSV (`?format=csv`, `Accept: text/csv`)",
          "content": {"application/json": {}, "text/csv": {"schema": {"type": "string"}}}},
    400: {"description": "A bad parameter, or no data for the question", "content": _ERROR},
    503: {"description": "No store, or it cannot be opened", "content": _ERROR},
}  # fmt: skip
#: For endpoints naming a checkpoint or source that may not exist.
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "Unknown checkpoint or source", "content": _ERROR}
}


@dataclass
class Payload:
    """What an endpoint computed: a table (for CSV and ``data``) and/or other JSON fields."""

    table: pd.DataFrame | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    #: False when ``meta`` already holds the table's content in its own shape (CSV only)
    table_in_json: bool = True


@dataclass(frozen=True)
class Rendered:
    body: bytes
    media_type: str
    etag: str
    #: the body compressed once, so a cache hit costs no compression
    gzipped: bytes | None = None

    def headers(self) -> dict[str, str]:
        return {"etag": f'"{self.etag}"', "cache-control": CACHE_CONTROL,
                "vary": "Accept, Accept-Encoding"}  # fmt: skip


class StoreVersion:
    """The latest release id of the store, re-read only when the file changes on disk."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stat: tuple[int, ...] | None = None
        self._version = ""

    def get(self) -> str:
        key = file_stamp(self.path)
        if not key:
            return "absent"
        with self._lock:
            if key == self._stat:
                return self._version
        version = self._read(key)
        with self._lock:
            self._stat, self._version = key, version
        return version

    def _read(self, key: tuple[int, ...]) -> str:
        try:
            con = duckdb.connect(str(self.path), read_only=True)
        except duckdb.Error:
            return "unreadable-" + "-".join(map(str, key))
        try:
            row = con.execute(
                "SELECT release_id FROM releases ORDER BY ingested_at DESC LIMIT 1"
            ).fetchone()
        except duckdb.Error:
            row = None
        finally:
            con.close()
        # The stat key breaks ties should a store be rebuilt with the same last release.
        return f"{row[0] if row else 'empty'}:" + ":".join(map(str, key[1:]))


class ResponseCache:
    """A bounded LRU of rendered bodies; ``size=0`` turns caching off."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[str, Rendered] = OrderedDict()
        self._lock = threading.Lock()
        self._pending: dict[str, threading.Lock] = {}

    def get_or_compute(self, key: str, make: Callable[[], Rendered]) -> Rendered:
        """The cached answer, else ``make()`` run once for all concurrent askers.

        Right after an ingest every client misses at once; without this, 50
        requests for the same page would each run the same query (50x the work,
        and each waits for all of them on two cores).
        """
        hit = self.get(key)
        if hit is not None or self.size <= 0:
            return hit if hit is not None else make()
        with self._lock:
            flight = self._pending.setdefault(key, threading.Lock())
        try:
            with flight:
                hit = self.get(key)
                if hit is None:
                    hit = make()
                    self.put(key, hit)
        finally:  # also when make() fails: a bad request must not leave its lock behind
            with self._lock:
                if self._pending.get(key) is flight:
                    del self._pending[key]
        return hit

    def get(self, key: str) -> Rendered | None:
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
            return hit

    def put(self, key: str, value: Rendered) -> None:
        if self.size <= 0:
            return
        if value.gzipped is None and len(value.body) >= GZIP_MIN:
            value = replace(value, gzipped=gzip.compress(value.body, compresslevel=6))
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def wanted_format(request: Request) -> str:
    """``?format=`` when given, else ``text/csv`` in Accept means CSV, else JSON."""
    asked = request.query_params.get("format")
    if asked:
        if asked not in FORMATS:
            raise ConfigError(f"unknown format `{asked}`; use one of: {', '.join(FORMATS)}")
        return asked
    accept = request.headers.get("accept", "")
    return "csv" if "text/csv" in accept else "json"


def cache_key(version: str, path: str, query: list[tuple[str, str]], fmt: str) -> str:
    """One key for a response: store version, path, query sorted by name (``format`` aside), format.

    The sort is by name only and stable: FastAPI reads the last of repeated
    values, so ``?nat=A&nat=B`` and ``?nat=B&nat=A`` ask different questions.
    """
    kept = [(k, v) for k, v in query if k != "format"]
    return json.dumps([version, path, fmt, sorted(kept, key=lambda kv: kv[0])])


def respond(request: Request, compute: Callable[[], Payload]) -> Response:
    """Serve ``compute()`` as JSON or CSV, from the cache when the store has not changed."""
    fmt = wanted_format(request)
    state = request.app.state
    key = cache_key(state.version.get(), request.url.path, request.query_params.multi_items(), fmt)
    cache: ResponseCache = state.cache
    etag = hashlib.sha1(key.encode()).hexdigest()[:20]
    rendered = cache.get_or_compute(key, lambda: render(compute(), fmt, etag))
    headers = rendered.headers()
    if request.headers.get("if-none-match") == headers["etag"]:
        return Response(status_code=304, headers=headers)
    return Response(rendered.body, media_type=rendered.media_type, headers=headers)


def render(payload: Payload, fmt: str, etag: str) -> Rendered:
    if fmt == "csv":
        if payload.table is None:
            raise ConfigError("this endpoint has no table to give as CSV; use format=json")
        table = _dates_as_text(payload.table)
        for col in table.columns:
            if table[col].map(_is_list).any():  # e.g. an alert's releases: a;b, as in /checkpoints
                table[col] = table[col].map(lambda v: ";".join(map(str, v)) if _is_list(v) else v)
        body = table.to_csv(index=False).encode()
        return Rendered(body, "text/csv; charset=utf-8", etag)
    out: dict[str, Any] = _deep(payload.meta)
    if payload.table is not None and payload.table_in_json:
        out["data"] = records(payload.table)
    body = json.dumps(out, default=_plain, allow_nan=False, separators=(",", ":")).encode()
    return Rendered(body, "application/json", etag)


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain dicts: dates as in ``_dates_as_text``, lists as lists, missing as null."""
    out = _dates_as_text(df)
    rows = out.astype(object).where(out.notna(), None).to_dict("records")
    return [{str(k): _clean(v) for k, v in row.items()} for row in rows]


def _dates_as_text(df: pd.DataFrame) -> pd.DataFrame:
    """Date columns as ``YYYY-MM-DD``, or ``YYYY-MM-DDTHH:MM:SS`` when any has a time of day.

    One function for JSON and CSV, so both give the same text (months stay
    dates; timestamps such as ``ingested_at`` keep their time).
    """
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            values = out[col]
            whole_days = bool((values.dropna() == values.dropna().dt.normalize()).all())
            out[col] = values.dt.strftime("%Y-%m-%d" if whole_days else "%Y-%m-%dT%H:%M:%S")
    return out


def _is_list(value: Any) -> bool:
    return isinstance(value, (list, tuple, np.ndarray))


def _deep(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _deep(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_deep(v) for v in value]
    return _clean(value)


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.ndarray):  # a list cell (DuckDB VARCHAR[]); .item() fails unless size 1
        return [_clean(v) for v in value.tolist()]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()  # numpy scalars
    return value


def _plain(value: Any) -> Any:
    """JSON for what ``json`` does not know: dates, numpy values, arrays."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    return str(value)
