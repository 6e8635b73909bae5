"""Ingest agency files into the store as releases, all or nothing.

Every file is parsed and checked in an in-memory DuckDB first; the store is only
opened for writing once all files passed, and then written in one transaction.
A failed ingest therefore leaves the store file byte-for-byte as it was.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from corridor.canonical.schema import COLUMN_NAMES, KEY_COLUMNS
from corridor.canonical.validate import check_canonical
from corridor.duck import scalar
from corridor.errors import InputError, Location, StoreError
from corridor.sources import registry
from corridor.sources.base import Source
from corridor.sources.reading import CsvHeader, first_duplicate, load_varchar, read_header
from corridor.store import schema

Progress = Callable[[str], None]


@dataclass
class IngestResult:
    """What happened to one file."""

    path: Path
    source: str
    release_id: str
    sha256: str
    status: str  # "new" or "unchanged"
    rows: int = 0
    total: int = 0
    periods: tuple[date, date] | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class _Pending:
    path: Path
    source: Source
    header: CsvHeader
    sha256: str
    release_id: str
    table: pa.Table | None = None
    notes: list[str] = field(default_factory=list)


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes (the identity of a release)."""
    try:
        with path.open("rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except FileNotFoundError as exc:
        raise InputError("file not found", Location(file=str(path))) from exc
    except IsADirectoryError as exc:
        raise InputError("is a directory, not a file", Location(file=str(path))) from exc


def ingest(
    db_path: Path,
    paths: Sequence[Path],
    *,
    source: str | None = None,
    published: date | None = None,
    progress: Progress | None = None,
) -> list[IngestResult]:
    """Ingest files into the store at ``db_path`` in one transaction.

    Args:
        db_path: the DuckDB store (created on first successful ingest).
        paths: agency files; each one's layout is detected from its header.
        source: connector id forcing the layout of every file.
        published: publication date to record on the new releases.
        progress: called with a short message before each step.

    Returns:
        One result per file; files already ingested (same bytes) are ``unchanged``.

    Raises:
        InputError: the first problem in any file; nothing is written then.
    """
    say = progress or (lambda _msg: None)
    if not paths:
        raise InputError("no files given")
    forced = registry.get(source) if source else None
    known = _known_releases(db_path)
    pending: list[_Pending] = []
    results: list[IngestResult] = []
    seen: set[str] = set()
    for path in paths:
        say(f"checking {path.name}")
        sha = file_sha256(path)
        header = read_header(path)
        src = forced or registry.detect(header, path)
        if forced is not None:
            _check_forced(forced, header)
        release_id = f"{src.info.id}@{sha[:12]}"
        if release_id in known or release_id in seen:
            results.append(IngestResult(path, src.info.id, release_id, sha, "unchanged"))
            continue
        seen.add(release_id)
        pending.append(_Pending(path, src, header, sha, release_id))
        results.append(IngestResult(path, src.info.id, release_id, sha, "new"))

    mem = duckdb.connect()
    try:
        for item in pending:
            say(f"reading {item.path.name} as {item.source.info.id}")
            item.table = _stage(mem, item)
    finally:
        mem.close()

    if pending:
        say("writing to the store")
        _write(db_path, pending, published)
    by_release = {p.release_id: p for p in pending}
    for res in results:
        item = by_release.get(res.release_id)
        if res.status == "new" and item is not None and item.table is not None:
            if item.source.reference_table:
                res.rows = item.table.num_rows
                res.notes = [f"reference table: kept in `{item.source.reference_table}`"]
                continue
            res.rows = item.table.num_rows
            res.notes = item.notes
            res.total = int(pa.compute.sum(item.table["n"]).as_py() or 0)
            if item.table.num_rows:
                lo = pa.compute.min(item.table["period"]).as_py()
                hi = pa.compute.max(item.table["period"]).as_py()
                res.periods = (lo, hi)
    return results


def _check_forced(src: Source, header: CsvHeader) -> None:
    if src.matches(header):
        return
    names = set(header.names)
    missing = sorted(src.required - names)
    extra = sorted(names - src.required - src.optional)
    parts = []
    if missing:
        parts.append("missing " + ", ".join(f"`{m}`" for m in missing))
    if extra:
        parts.append("unexpected " + ", ".join(f"`{e}`" for e in extra))
    raise InputError(
        f"header does not fit source `{src.info.id}`: " + "; ".join(parts),
        Location(file=str(header.path), row=1),
    )


def _stage(mem: duckdb.DuckDBPyConnection, item: _Pending) -> pa.Table:
    """Parse, check and map one file; return its canonical rows as Arrow."""
    if not load_varchar(mem, item.header, "raw"):
        raise InputError("file has a header but no data rows", Location(file=str(item.path)))
    staged = item.source.stage(mem, item.header, "raw")
    if item.source.reference_table:
        ref: pa.Table = mem.sql(
            f"SELECT *, '{item.release_id}' AS release_id FROM ({staged.sql})"
        ).to_arrow_table()
        mem.execute("DROP TABLE raw")
        return ref
    notes = list(staged.notes)
    if staged.raw_key:
        cols = ", ".join(staged.raw_key)
        repeated = int(
            scalar(
                mem, f"SELECT count(*) FROM (SELECT 1 FROM raw GROUP BY {cols} HAVING count(*) > 1)"
            )
            or 0
        )
        if repeated and staged.duplicates == "error":
            _raise_duplicate(item.header, staged.raw_key)
        if repeated:
            notes.append(
                f"{repeated} keys ({', '.join(staged.raw_key)}) appear on several rows; "
                "their counts were added"
            )
    item.notes = notes
    keys = ", ".join(KEY_COLUMNS)
    mem.execute(
        f"CREATE OR REPLACE TEMP TABLE canon AS SELECT {keys}, sum(n)::BIGINT AS n "
        f"FROM ({staged.sql}) GROUP BY ALL"
    )
    check_canonical(mem, "canon", item.path)
    select = ", ".join(
        [
            *KEY_COLUMNS,
            "n",
            f"'{item.source.info.id}' AS source",
            f"'{item.release_id}' AS release_id",
        ]
    )
    table: pa.Table = mem.sql(f"SELECT {select} FROM canon").to_arrow_table()
    mem.execute("DROP TABLE canon")
    mem.execute("DROP TABLE raw")
    return table


def _raise_duplicate(header: CsvHeader, key: tuple[str, ...]) -> None:
    found = first_duplicate(header, key)
    if found is None:  # duplicates only after trimming/case: report generically
        raise InputError("the same key appears on two rows", Location(file=str(header.path)))
    first, second, row = found
    value = ", ".join(f"{header.raw[header.index(k)]}={row.get(k, '')}" for k in key)
    raise InputError(
        f"duplicate key: same as row {first}",
        Location(str(header.path), second, None, value),
        hint="a file must hold each combination once",
    )


def _known_releases(db_path: Path) -> set[str]:
    if not db_path.exists():
        return set()
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error as exc:
        raise StoreError(f"{db_path}: cannot open the store: {exc}") from exc
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        if "releases" not in tables:
            return set()
        return {r[0] for r in con.execute("SELECT release_id FROM releases").fetchall()}
    finally:
        con.close()


def _write(db_path: Path, pending: list[_Pending], published: date | None) -> None:
    existed = db_path.exists()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(db_path))
    except duckdb.Error as exc:
        raise StoreError(f"{db_path}: cannot open the store for writing: {exc}") from exc
    try:
        schema.ensure(con)
        con.begin()
        try:
            for item in pending:
                _write_one(con, item, published)
            con.commit()
        except BaseException:
            con.rollback()
            raise
    except duckdb.Error as exc:
        raise StoreError(f"{db_path}: writing failed, nothing was stored: {exc}") from exc
    finally:
        con.close()
        if not existed and _is_empty_store(db_path):
            db_path.unlink(missing_ok=True)


def _is_empty_store(db_path: Path) -> bool:
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error:
        return False
    try:
        return not scalar(con, "SELECT count(*) FROM releases")
    except duckdb.Error:
        return True
    finally:
        con.close()


def _write_one(con: duckdb.DuckDBPyConnection, item: _Pending, published: date | None) -> None:
    info = item.source.info
    table = item.table
    assert table is not None
    con.register("incoming", table)
    try:
        if item.source.reference_table:
            _write_reference(con, item.source)
        else:
            _write_flows(con)
    finally:
        con.unregister("incoming")
    con.execute(
        "INSERT INTO releases VALUES (?, ?, ?, ?, ?, ?, ?)",
        [item.release_id, info.id, item.path.name, item.sha256, table.num_rows,
         datetime.now(), published],
    )  # fmt: skip
    con.execute(
        "INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [info.id, info.title, info.publisher, info.geo, info.group, sorted(info.dims),
         info.priority, info.url, info.notes],
    )  # fmt: skip


def _write_reference(con: duckdb.DuckDBPyConnection, source: Source) -> None:
    """Reference rows as published (VARCHAR), every release kept, matched by name."""
    name = source.reference_table
    columns = sorted(source.required | source.optional)
    defs = ", ".join(f"{c} VARCHAR" for c in columns)
    con.execute(f"CREATE TABLE IF NOT EXISTS {name} ({defs}, release_id VARCHAR NOT NULL)")
    con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM incoming")


def _write_flows(con: duckdb.DuckDBPyConnection) -> None:
    cols = ", ".join(COLUMN_NAMES)
    con.execute(f"INSERT INTO flows_all ({cols}) SELECT {cols} FROM incoming")
    con.execute(
        "INSERT INTO coverage SELECT release_id, source, freq, period, geo, area, "
        "count(*), sum(n) FROM incoming GROUP BY ALL"
    )
