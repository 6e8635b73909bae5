"""Small helpers over DuckDB connections shared by every stage."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] = ()) -> Any:
    """First column of the first row, or None.

    Fetches the whole (one-row) result: DuckDB 2 keeps a partly fetched result
    open and refuses further ``con.sql`` calls until it is finished.
    """
    rows = con.execute(sql, list(params)).fetchall()
    return rows[0][0] if rows else None
