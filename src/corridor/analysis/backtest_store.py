"""Backtest scores kept in the store, so pages and the report show them without recomputing.

A full backtest takes about a minute on the real series (ARIMA alone most of
it), too slow for a page view. ``corridor backtest --save`` (and the demo)
store the scores with the store version they were computed on; readers take
them only while that version is current, so scores never describe older data.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

from corridor.analysis.backtest import SCORE_COLUMNS
from corridor.errors import StoreError
from corridor.store import Store

_DDL = """CREATE TABLE IF NOT EXISTS backtest_scores (
    series VARCHAR NOT NULL, nat VARCHAR NOT NULL, model VARCHAR NOT NULL,
    horizon INTEGER NOT NULL, mase DOUBLE, mape DOUBLE, coverage80 DOUBLE, coverage95 DOUBLE,
    surge_hit_rate DOUBLE, n_surges INTEGER, n_origins INTEGER,
    window_start VARCHAR NOT NULL, window_end VARCHAR NOT NULL,
    store_version VARCHAR NOT NULL, computed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (series, nat, model, horizon))"""
COLUMNS = [*SCORE_COLUMNS[:1], "nat", *SCORE_COLUMNS[1:],
           "window_start", "window_end", "store_version", "computed_at"]  # fmt: skip


def data_version(con: duckdb.DuckDBPyConnection) -> str:
    """Which data the store holds: the number of releases and the latest one."""
    count, latest = con.execute(
        "SELECT count(*), arg_max(release_id, ingested_at) FROM releases"
    ).fetchall()[0]
    return f"{count}:{latest or ''}"


def save_scores(
    store: Store, scores: pd.DataFrame, *, nat: str | None, start: str, end: str
) -> int:
    """Store ``backtest(...)`` output for the store's current data; return the rows written.

    Rows for the same series, nationality, model and horizon are replaced.
    """
    if not store.path.exists():
        raise StoreError(f"no store at {store.path}: run `corridor ingest FILE...` first")
    if scores.empty:
        return 0
    try:
        con = duckdb.connect(str(store.path))
    except duckdb.Error as exc:
        raise StoreError(f"{store.path}: cannot open the store for writing: {exc}") from exc
    try:
        version = data_version(con)
        now = datetime.now().replace(microsecond=0)
        rows = [
            (r["series"], (nat or "").upper(), r["model"], int(r["horizon"]),
             *(_num(r[c]) for c in SCORE_COLUMNS[3:8]), int(r["n_surges"]), int(r["n_origins"]),
             start, end, version, now)
            for r in scores.to_dict("records")
        ]  # fmt: skip
        con.execute(_DDL)
        con.execute("BEGIN TRANSACTION")
        con.executemany(
            "DELETE FROM backtest_scores WHERE series = ? AND nat = ? AND model = ? "
            "AND horizon = ?",
            [r[:4] for r in rows],
        )
        con.executemany(
            f"INSERT INTO backtest_scores VALUES ({', '.join('?' for _ in COLUMNS)})", rows
        )
        con.execute("COMMIT")
    except duckdb.Error as exc:
        raise StoreError(f"{store.path}: storing backtest scores failed: {exc}") from exc
    finally:
        con.close()
    return len(rows)


def stored_scores(store: Store, series: str, nat: str | None = None) -> pd.DataFrame | None:
    """The stored scores of one series, or None when none were stored for the current data."""
    con = store.connect()
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        if "backtest_scores" not in tables:
            return None
        df = con.execute(
            f"SELECT {', '.join(COLUMNS)} FROM backtest_scores WHERE series = ? AND nat = ? "
            "AND store_version = ? ORDER BY model, horizon",
            [series, (nat or "").upper(), data_version(con)],
        ).df()
    finally:
        con.close()
    return None if df.empty else df


def _num(value: float | None) -> float | None:
    return None if value is None or value != value else float(value)  # NaN is not equal to itself
