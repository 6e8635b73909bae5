"""Ingest agency files into the store as releases, all or nothing.

Every file is parsed, checked and mapped in an in-memory DuckDB first. Only
when all files passed is the store attached and written, in one transaction,
so a failed ingest leaves the store file byte-for-byte as it was.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from corridor.canonical.schema import COLUMN_NAMES, KEY_COLUMNS
from corridor.canonical.validate import check_values_in_contract
from corridor.duck import scalar
from corridor.errors import InputError, Location, StoreError
from corridor.sources import registry
from corridor.sources.base import Source
from corridor.sources.document import DeclaredTotal, DocumentSource, Probe, read_workbook
from corridor.sources.reading import CsvHeader, first_duplicate, load_varchar, read_header
from corridor.store import schema
from corridor.store.schema import ENUM_COLUMNS

Progress = Callable[[str], None]
_CAT = "st"  # the store's catalog name while attached


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
    header: CsvHeader | None  # None for document connectors
    sha256: str
    release_id: str
    table: str = ""
    raw: str = ""
    #: set when rows go straight from the raw table to the store (see _stage)
    direct_sql: str | None = None
    values: dict[str, set[str]] = field(default_factory=dict)
    result: IngestResult | None = None
    totals: list[DeclaredTotal] = field(default_factory=list)
    #: store table -> in-memory table holding a document connector's extra rows
    extras: dict[str, str] = field(default_factory=dict)


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes (the identity of a release)."""
    try:
        with path.open("rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except FileNotFoundError as exc:
        raise InputError("file not found", Location(file=str(path))) from exc
    except IsADirectoryError as exc:
        raise InputError("is a directory, not a file", Location(file=str(path))) from exc
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", Location(file=str(path))) from exc


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
    db_path = Path(db_path)
    known = _known_releases(db_path)
    results: list[IngestResult] = []
    pending: list[_Pending] = []
    seen: set[str] = set()
    mem = duckdb.connect()
    # Row order never matters here (errors are located by re-reading the file),
    # and not keeping it makes loading and writing markedly faster.
    mem.execute("SET preserve_insertion_order = false")
    # Hashing (no GIL) runs beside DuckDB's parsing of the same file.
    with ThreadPoolExecutor(max_workers=1) as pool:
        try:
            for index, path in enumerate(paths):
                say(f"checking {path.name}")
                digest: Future[str] = pool.submit(file_sha256, path)
                src, header = _identify(path, forced)
                item = _Pending(
                    path, src, header, "", "", table=f"staged_{index}", raw=f"raw_{index}"
                )
                say(f"reading {path.name} as {src.info.id}")
                if isinstance(src, DocumentSource):
                    _stage_document(mem, item, src)
                else:
                    _stage(mem, item)
                item.sha256 = digest.result()
                item.release_id = f"{src.info.id}@{item.sha256[:12]}"
                result = item.result
                assert result is not None
                result.release_id, result.sha256 = item.release_id, item.sha256
                results.append(result)
                if item.release_id in known or item.release_id in seen:
                    result.status, result.rows, result.total = "unchanged", 0, 0
                    result.periods, result.notes = None, []
                    for table in (item.table, item.raw, *item.extras.values()):
                        mem.execute(f"DROP TABLE IF EXISTS {table}")
                    continue
                seen.add(item.release_id)
                pending.append(item)
            if pending:
                say("writing to the store")
                _write(mem, db_path, pending, published)
        finally:
            mem.close()
    return results


def _identify(path: Path, forced: Source | None) -> tuple[Source, CsvHeader | None]:
    """The connector for a file: forced, recognised by content, or by its CSV header."""
    if isinstance(forced, DocumentSource):
        return forced, None
    if forced is None:
        probe = Probe.read(path)
        doc = registry.sniff(probe)
        if doc is not None:
            return doc, None
        if probe.is_workbook or probe.head.startswith(b"%PDF"):
            kind = "PDF" if probe.head.startswith(b"%PDF") else "workbook"
            if kind == "workbook":
                read_workbook(path, max_rows=1)  # a broken file says so first
            raise InputError(
                f"no connector recognises this {kind}",
                Location(file=str(path)),
                hint="see `corridor sources` for the publications corridor reads; another "
                "agency's table needs a mapping file (--mapping)",
            )
    try:
        header = read_header(path)
    except InputError as exc:
        if forced is None and exc.reason.startswith("header is not UTF-8"):
            raise InputError(
                "no connector recognises this file, and its header is not UTF-8 text",
                exc.where,
                hint="pass --source or --mapping for the layout you expect, or save as UTF-8",
            ) from None
        raise
    if forced is not None:
        _check_forced(forced, header)
        return forced, header
    return registry.detect(header, path), header


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


def _stage(mem: duckdb.DuckDBPyConnection, item: _Pending) -> None:
    """Parse, check and map one file, ready for ``_write_one``.

    Large files whose connector knows the output values and cannot merge rows
    go straight from the raw table into the store at write time (one pass
    fewer); others are materialised in ``item.table`` and summed if needed.
    """
    raw = item.raw
    assert item.header is not None
    hashed = item.source.raw_key_for(item.header)
    if not load_varchar(mem, item.header, raw, item.source.unused, hashed):
        raise InputError("file has a header but no data rows", Location(file=str(item.path)))
    staged = item.source.stage(mem, item.header, raw)
    result = IngestResult(item.path, item.source.info.id, "", "", "new")
    item.result = result
    if item.source.reference_table:
        mem.execute(f"CREATE TEMP TABLE {item.table} AS {staged.sql}")
        result.rows = int(scalar(mem, f"SELECT count(*) FROM {item.table}") or 0)
        result.notes = [f"reference table: kept in `{item.source.reference_table}`"]
        mem.execute(f"DROP TABLE {raw}")
        return
    notes = list(staged.notes)
    if staged.raw_key:
        cols = ", ".join(staged.raw_key)
        hashed_sql = "_h" if tuple(staged.raw_key) == hashed else f"hash({cols})"
        rows, distinct = mem.execute(
            f"SELECT count(*), count(DISTINCT {hashed_sql}) FROM {raw}"
        ).fetchall()[0]
        if rows != distinct:
            repeated = int(
                scalar(mem, f"SELECT count(*) FROM (SELECT 1 FROM {raw} GROUP BY {cols} "
                            "HAVING count(*) > 1)") or 0
            )  # fmt: skip
            if repeated and staged.duplicates == "error":
                assert item.header is not None
                _raise_duplicate(item.header, staged.raw_key)
            if repeated:
                notes.append(
                    f"{repeated} key(s) ({', '.join(staged.raw_key)}) appear on several rows; "
                    "their counts were added"
                )
    result.notes = notes
    if staged.values is not None and not staged.may_merge and not notes:
        item.values = staged.values
        check_values_in_contract(item.values, item.path)
        item.direct_sql = staged.sql
        return
    mem.execute(f"CREATE TEMP TABLE {item.table} AS {staged.sql}")
    mem.execute(f"DROP TABLE {raw}")
    _finish_table(mem, item)


def _stage_document(mem: duckdb.DuckDBPyConnection, item: _Pending, src: DocumentSource) -> None:
    """Parse a workbook/PDF text/JSON file in Python and stage its canonical rows."""
    parsed = src.parse(item.path)
    item.result = IngestResult(item.path, src.info.id, "", "", "new", notes=list(parsed.notes))
    if parsed.rows.empty:
        raise InputError("no counts found in the file", Location(file=str(item.path)))
    missing = [c for c in (*KEY_COLUMNS, "n") if c not in parsed.rows.columns]
    if missing:  # a connector bug, not the user's: still refuse to write
        raise InputError(f"connector returned no column(s) {missing}", Location(str(item.path)))
    frame = parsed.rows[[*KEY_COLUMNS, "n"]]
    mem.register("_parsed", frame)
    try:
        cols = ", ".join(f"{c}::VARCHAR AS {c}" for c in KEY_COLUMNS[1:])
        mem.execute(
            f"CREATE TEMP TABLE {item.table} AS SELECT period::DATE AS period, {cols}, "
            "n::BIGINT AS n FROM _parsed"
        )
    finally:
        mem.unregister("_parsed")
    item.totals = list(parsed.totals)
    for index, (name, extra) in enumerate(sorted(parsed.extras.items())):
        temp = f"{item.table}_x{index}"
        mem.register("_extra", extra)
        try:
            mem.execute(f"CREATE TEMP TABLE {temp} AS SELECT * FROM _extra")
        finally:
            mem.unregister("_extra")
        item.extras[name] = temp
    _finish_table(mem, item)


def _finish_table(mem: duckdb.DuckDBPyConnection, item: _Pending) -> None:
    """Check the staged canonical rows in ``item.table`` and add up repeated keys."""
    keys = ", ".join(KEY_COLUMNS)
    lists = ", ".join(f"list(DISTINCT {c})" for c in ENUM_COLUMNS)
    stats = mem.execute(
        f"SELECT count(*), count(DISTINCT hash({keys})), "
        f"count(*) FILTER (WHERE n IS NULL OR n < 0 OR period IS NULL), "
        f"{lists} FROM {item.table}"
    ).fetchall()[0]
    rows, distinct, broken = stats[:3]
    if broken:
        raise InputError(f"{broken} rows lack a period or a count", Location(str(item.path)))
    item.values = {c: set(v) for c, v in zip(ENUM_COLUMNS, stats[3:], strict=True)}
    check_values_in_contract(item.values, item.path)
    if distinct != rows:
        # Several published rows map onto one canonical key (e.g. "UAC" and
        # "UC / Single Minors"): add them up.
        mem.execute(
            f"CREATE OR REPLACE TEMP TABLE {item.table} AS SELECT {keys}, sum(n)::BIGINT AS n "
            f"FROM {item.table} GROUP BY ALL"
        )


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


def _write(
    mem: duckdb.DuckDBPyConnection, db_path: Path, pending: list[_Pending], published: date | None
) -> None:
    existed = db_path.exists()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    path_sql = str(db_path).replace("'", "''")
    try:
        mem.execute(f"ATTACH '{path_sql}' AS {_CAT}")
    except duckdb.Error as exc:
        raise StoreError(f"{db_path}: cannot open the store for writing: {exc}") from exc
    ok = False
    try:
        mem.execute("BEGIN TRANSACTION")
        try:
            schema.ensure_base(mem, _CAT)
            values: dict[str, set[str]] = {c: set() for c in ENUM_COLUMNS}
            for item in pending:
                for col, vals in item.values.items():
                    values[col] |= vals
            if any(not p.source.reference_table for p in pending):
                schema.widen_enums(mem, _CAT, values)
            for item in pending:
                _write_one(mem, item, published)
            mem.execute("COMMIT")
            ok = True
        except BaseException:
            mem.execute("ROLLBACK")
            raise
    except duckdb.Error as exc:
        raise StoreError(f"{db_path}: writing failed, nothing was stored: {exc}") from exc
    finally:
        mem.execute(f"DETACH {_CAT}")
        if not ok and not existed:
            for leftover in (db_path, Path(f"{db_path}.wal")):
                leftover.unlink(missing_ok=True)


def _write_one(mem: duckdb.DuckDBPyConnection, item: _Pending, published: date | None) -> None:
    info = item.source.info
    assert item.result is not None
    result = item.result
    if item.source.reference_table:
        _write_reference(mem, item)
    else:
        _write_totals_and_extras(mem, item)
        cols = ", ".join(KEY_COLUMNS)
        source_sql = f"({item.direct_sql})" if item.direct_sql else item.table
        mem.execute(
            f"INSERT INTO {_CAT}.flow_rows ({', '.join(COLUMN_NAMES)}) SELECT {cols}, n, "
            f"'{info.id}', '{item.release_id}' FROM {source_sql}"
        )
        # Coverage from the rows just written (enum columns: a cheap scan).
        # A snapshot source's slice is the whole period ('*' matches any geo/area).
        geo, area = ("'*'", "'*'") if info.snapshot else ("geo::VARCHAR", "area::VARCHAR")
        mem.execute(
            f"INSERT INTO {_CAT}.coverage SELECT release_id, source, freq::VARCHAR, period, "
            f"{geo}, {area}, count(*), sum(n) FROM {_CAT}.flow_rows "
            "WHERE release_id = ? GROUP BY ALL",
            [item.release_id],
        )
        rows, total, first, last = mem.execute(
            f"SELECT sum(rows)::BIGINT, sum(n)::BIGINT, min(period), max(period) "
            f"FROM {_CAT}.coverage WHERE release_id = ?",
            [item.release_id],
        ).fetchall()[0]
        result.rows, result.total = int(rows or 0), int(total or 0)
        result.periods = (first, last) if first is not None else None
    mem.execute(f"DROP TABLE IF EXISTS {item.table}")
    mem.execute(f"DROP TABLE IF EXISTS {item.raw}")
    mem.execute(
        f"INSERT INTO {_CAT}.releases VALUES (?, ?, ?, ?, ?, ?, ?)",
        [item.release_id, info.id, item.path.name, item.sha256, result.rows,
         datetime.now(), published],
    )  # fmt: skip
    mem.execute(
        f"INSERT OR REPLACE INTO {_CAT}.sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [info.id, info.title, info.publisher, info.geo, info.group, sorted(info.dims),
         info.priority, info.url, info.notes],
    )  # fmt: skip


def _write_totals_and_extras(mem: duckdb.DuckDBPyConnection, item: _Pending) -> None:
    """The file's own total rows (for ``corridor check``) and extra tables."""
    info = item.source.info
    if item.totals:
        # One INSERT from a frame: executemany costs seconds for 20k totals.
        totals = pd.DataFrame(
            {
                "release_id": item.release_id,
                "source": info.id,
                "what": [t.what for t in item.totals],
                "period": pd.Series([t.period for t in item.totals], dtype="object"),
                "published": [t.published for t in item.totals],
                "computed": [t.computed for t in item.totals],
                "file_row": pd.array([t.where.row for t in item.totals], dtype="Int32"),
                "file_column": [t.where.column for t in item.totals],
            }
        )
        mem.register("_totals", totals)
        try:
            mem.execute(
                f"INSERT INTO {_CAT}.declared_totals SELECT release_id, source, what, "
                "period::DATE, published, computed, file_row, file_column::VARCHAR FROM _totals"
            )
        finally:
            mem.unregister("_totals")
    for name, temp in item.extras.items():
        target = f"{_CAT}.{name}"
        mem.execute(
            f"CREATE TABLE IF NOT EXISTS {target} AS SELECT ''::VARCHAR AS release_id, "
            f"''::VARCHAR AS source, * FROM {temp} LIMIT 0"
        )
        mem.execute(
            f"INSERT INTO {target} BY NAME SELECT '{item.release_id}' AS release_id, "
            f"'{info.id}' AS source, * FROM {temp}"
        )
        mem.execute(f"DROP TABLE {temp}")


def _write_reference(mem: duckdb.DuckDBPyConnection, item: _Pending) -> None:
    """Reference rows as published (VARCHAR), every release kept, matched by name."""
    name = f"{_CAT}.{item.source.reference_table}"
    columns = sorted(item.source.required | item.source.optional)
    defs = ", ".join(f"{c} VARCHAR" for c in columns)
    mem.execute(f"CREATE TABLE IF NOT EXISTS {name} ({defs}, release_id VARCHAR NOT NULL)")
    mem.execute(
        f"INSERT INTO {name} BY NAME SELECT *, '{item.release_id}' AS release_id FROM {item.table}"
    )


__all__ = ["IngestResult", "file_sha256", "ingest"]
