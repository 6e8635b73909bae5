"""The small interface the linkage SQL plan runs on, and its DuckDB implementation.

The plan (normalise, block, compare, count patterns, score) is plain SQL over
named tables, so a backend only has to create tables from files and Arrow
tables, run statements, return results and write Parquet. DuckDB is the
default; a Spark backend registers here under its own name with the same five
methods.
"""

from __future__ import annotations

import os
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa

__all__ = ["BACKENDS", "Backend", "DuckDBBackend", "open_backend"]

DEFAULT_MEMORY_LIMIT = os.environ.get("CORRIDOR_LINK_MEMORY", "3GB")


class Backend(ABC):
    """Where the linkage SQL runs."""

    name: str

    @abstractmethod
    def execute(self, sql: str) -> None:
        """Run a statement that returns nothing (CREATE, INSERT, SET)."""

    @abstractmethod
    def fetch(self, sql: str) -> pa.Table:
        """Run a query and return its whole result."""

    @abstractmethod
    def register(self, name: str, table: pa.Table) -> None:
        """Create (or replace) table ``name`` from an Arrow table."""

    @abstractmethod
    def read_file(self, name: str, path: Path, fmt: str) -> None:
        """Create table ``name`` from a CSV (every cell as text) or Parquet file.

        The table gets a ``_row`` column: the 1-based data row in file order.
        """

    @abstractmethod
    def write_parquet(self, sql: str, path: Path) -> None:
        """Write a query's result to ``path`` (the caller renames it into place)."""

    def close(self) -> None:  # noqa: B027 - optional for backends without resources
        """Release the backend's resources."""

    def scalar(self, sql: str) -> Any:
        """First column of the first row of a query, or None."""
        rows = self.fetch(sql).to_pylist()
        return next(iter(rows[0].values())) if rows else None

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class DuckDBBackend(Backend):
    """An in-memory DuckDB with a memory limit that spills to a temporary directory."""

    name = "duckdb"

    def __init__(self, memory_limit: str = DEFAULT_MEMORY_LIMIT, threads: int | None = None):
        import duckdb

        self._tmp = tempfile.TemporaryDirectory(prefix="corridor-link-")
        self.con = duckdb.connect(":memory:")
        self.con.execute(f"SET memory_limit = '{memory_limit}'")
        self.con.execute(f"SET temp_directory = '{self._tmp.name}'")
        self.con.execute("SET enable_progress_bar = false")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")

    def execute(self, sql: str) -> None:
        self.con.execute(sql)

    def fetch(self, sql: str) -> pa.Table:
        # fetched whole: DuckDB 2 refuses new statements while a result is half-read
        result: pa.Table = self.con.sql(sql).to_arrow_table()
        return result

    def register(self, name: str, table: pa.Table) -> None:
        view = f"_arrow_{name}"
        self.con.register(view, table)
        try:
            self.con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM {view}")
        finally:
            self.con.unregister(view)

    def read_file(self, name: str, path: Path, fmt: str) -> None:
        literal = "'" + str(path).replace("'", "''") + "'"
        if fmt == "parquet":
            source = f"read_parquet({literal})"
        else:
            source = f"read_csv({literal}, all_varchar = true, header = true, auto_detect = true)"
        self.con.execute(
            f"CREATE OR REPLACE TABLE {name} AS SELECT *, "
            f"CAST(row_number() OVER () AS BIGINT) AS _row FROM {source}"
        )

    def write_parquet(self, sql: str, path: Path) -> None:
        literal = "'" + str(path).replace("'", "''") + "'"
        self.con.execute(f"COPY ({sql}) TO {literal} (FORMAT parquet, COMPRESSION zstd)")

    def close(self) -> None:
        self.con.close()
        self._tmp.cleanup()


BACKENDS: dict[str, Callable[..., Backend]] = {"duckdb": DuckDBBackend}


def open_backend(name: str = "duckdb", **options: Any) -> Backend:
    """A backend by name (``duckdb``)."""
    from corridor.errors import ConfigError

    if name not in BACKENDS:
        raise ConfigError(f"unknown linkage backend `{name}` (known: {', '.join(BACKENDS)})")
    return BACKENDS[name](**options)
