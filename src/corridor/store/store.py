"""The Python API over a store: ``corridor.open(path)`` returns a :class:`Store`."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from corridor.config import resolve_db_path
from corridor.errors import QueryError, StoreError
from corridor.store import ingest as _ingest
from corridor.store.query import FlowQuery, parse_month

Filter = str | Iterable[str] | None


def _as_list(value: Filter) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v) for v in value]


def _as_month(value: str | date | None, *, end: bool = False) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return parse_month(value, end=end)


class Store:
    """A corridor store (DuckDB file). Every read opens the file read-only."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = resolve_db_path(path)
        self.notes: list[str] = []

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A read-only connection; the caller closes it."""
        if not self.path.exists():
            raise StoreError(
                f"no store at {self.path}: run `corridor ingest FILE...` first "
                "(or point --db / CORRIDOR_DB at an existing store)"
            )
        try:
            return duckdb.connect(str(self.path), read_only=True)
        except duckdb.Error as exc:
            raise StoreError(f"{self.path}: cannot open the store: {exc}") from exc

    def ingest(
        self,
        paths: Sequence[str | os.PathLike[str]],
        *,
        source: str | None = None,
        published: date | None = None,
    ) -> list[_ingest.IngestResult]:
        """Ingest files as new releases (one transaction; see ``store.ingest``)."""
        return _ingest.ingest(
            self.path, [Path(p) for p in paths], source=source, published=published
        )

    def flows(
        self,
        *,
        geo: Filter = None,
        agency: Filter = None,
        event: Filter = None,
        nat: Filter = None,
        area: Filter = None,
        place: Filter = None,
        sex: Filter = None,
        age: Filter = None,
        family: Filter = None,
        authority: Filter = None,
        partner: Filter = None,
        unit: Filter = None,
        source: Filter = None,
        start: str | date | None = None,
        end: str | date | None = None,
        freq: str = "M",
        by: Sequence[str] | str = ("period",),
        all_sources: bool = False,
    ) -> pd.DataFrame:
        """Summed counts from ``flows``, one row per combination of ``by``.

        Filters take one value, a comma-separated string or a list. ``event``
        accepts ``encounters`` (apprehension + inadmissible + expulsion).
        Sources describing the same counts are never added together: see
        ``store.selection``; ``all_sources=True`` turns that off. Notes about
        the choice (e.g. a missing breakdown) are left in ``self.notes``.
        """
        by_cols = _as_list(by) if isinstance(by, str) else list(by)
        filters = {
            "geo": _as_list(geo), "agency": _as_list(agency), "event": _as_list(event),
            "nat": _as_list(nat), "area": _as_list(area), "place": _as_list(place),
            "sex": _as_list(sex), "age": _as_list(age), "family": _as_list(family),
            "authority": _as_list(authority), "partner": _as_list(partner),
            "unit": _as_list(unit), "source": _as_list(source),
        }  # fmt: skip
        query = FlowQuery(
            filters={k: v for k, v in filters.items() if v},
            start=_as_month(start),
            end=_as_month(end, end=True),
            freq=freq,
            by=by_cols,
            all_sources=all_sources,
        )
        con = self.connect()
        try:
            built = query.build(con)
            result = con.execute(built.sql, built.params).df()
            self.notes = []
            if built.selection and built.selection.notes:
                used = {r[0] for r in con.execute(built.used_sources_sql, built.params).fetchall()}
                self.notes = built.selection.notes_for(used)
            return result
        finally:
            con.close()

    def releases(self) -> pd.DataFrame:
        """Every release, newest first, with whether ``flows`` still uses it."""
        return self.sql(
            """
            SELECT r.release_id, r.source, r.file_name, r.sha256, r.rows, r.ingested_at,
                   r.published,
                   (SELECT count(*) FROM latest_coverage l WHERE l.release_id = r.release_id)
                     AS current_slices,
                   (SELECT count(*) FROM coverage c WHERE c.release_id = r.release_id)
                     AS slices
            FROM releases r ORDER BY r.ingested_at DESC
            """
        )

    def sources(self) -> pd.DataFrame:
        """Sources present in the store with their coverage."""
        return self.sql(
            """
            SELECT s.source, s.title, s.geo, s.grp, s.priority, s.dims,
                   strftime(min(f.period), '%Y-%m') AS first,
                   strftime(max(f.period), '%Y-%m') AS last,
                   (SELECT count(*) FROM releases r WHERE r.source = s.source) AS releases,
                   count(f.n) AS rows, coalesce(sum(f.n), 0)::BIGINT AS total
            FROM sources s LEFT JOIN flows f USING (source)
            GROUP BY ALL ORDER BY s.grp, s.priority
            """
        )

    def export(
        self,
        fmt: str,
        out: str | os.PathLike[str],
        *,
        geo: Filter = None,
        source: Filter = None,
        start: str | date | None = None,
        end: str | date | None = None,
        all_releases: bool = False,
    ) -> int:
        """Write the rows of ``flows`` (or ``flows_all``) as csv, parquet, hxl or sdmx-csv.

        Returns the number of rows written.
        """
        from corridor.store.export import export

        filters = {"geo": [g.upper() for g in _as_list(geo)], "source": _as_list(source)}
        sql, params = _export_rows_sql(
            "flows_all" if all_releases else "flows",
            filters,
            _as_month(start),
            _as_month(end, end=True),
        )
        con = self.connect()
        try:
            return export(con, sql, params, fmt, Path(out))
        finally:
            con.close()

    def sql(self, query: str, params: Sequence[object] | None = None) -> pd.DataFrame:
        """Run read-only SQL against ``flows``, ``flows_all``, ``releases`` and ``sources``."""
        con = self.connect()
        try:
            # Read-only store, and no reading or writing of other files either.
            con.execute("SET enable_external_access = false")
            return con.execute(query, list(params or [])).df()
        except duckdb.Error as exc:
            first = str(exc).splitlines()[0]
            raise QueryError(f"SQL failed: {first}") from exc
        finally:
            con.close()


def file_stamp(path: str | os.PathLike[str]) -> tuple[int, ...]:
    """What changes whenever the store's contents may have: the database file's inode,
    size and mtime, and its write-ahead log's size and mtime (a write that sits in the
    ``.wal`` file after a crash changes only that). ``()`` when there is no file.

    Caches of answers computed from a store key on this: a store replaced by
    another one (a restored backup keeps its mtime) is another store.
    """
    try:
        st = os.stat(path)
    except OSError:
        return ()
    try:
        wal = os.stat(f"{os.fspath(path)}.wal")
        log: tuple[int, ...] = (wal.st_size, wal.st_mtime_ns)
    except OSError:
        log = (0, 0)
    return (st.st_ino, st.st_size, st.st_mtime_ns, *log)


def open(path: str | os.PathLike[str] | None = None) -> Store:
    """Open the store at ``path`` (default: ``CORRIDOR_DB`` or the user data dir)."""
    return Store(path)


def _export_rows_sql(
    table: str, filters: dict[str, list[str]], start: date | None, end: date | None
) -> tuple[str, list[object]]:
    where: list[str] = []
    params: list[object] = []
    for col, values in filters.items():
        if values:
            where.append(f"{col} IN ({', '.join('?' for _ in values)})")
            params.extend(values)
    if start:
        where.append("period >= ?")
        params.append(start)
    if end:
        where.append("period <= ?")
        params.append(end)
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    return f"SELECT * FROM {table}{clause}", params
