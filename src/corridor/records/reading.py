"""Reading person-record files (CSV or Parquet) into a backend, with checks.

A file is read whole into a backend table, its record ids are checked (present,
non-empty, unique across every input) and its columns are mapped to field
kinds. Every problem is an :class:`~corridor.errors.InputError` naming the
file, row, column and value, raised before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from corridor.errors import InputError, Location
from corridor.records.fields import COMPARED_KINDS, FieldKind, infer_fields
from corridor.records.normalise import NICKNAME_TABLE, nickname_rows, normalise_sql

if TYPE_CHECKING:
    from corridor.linkage.backend import Backend

__all__ = ["RECORDS_TABLE", "Source", "file_format", "load_records"]

RECORDS_TABLE = "recs"


@dataclass(frozen=True)
class Source:
    """One input file as loaded."""

    index: int
    path: Path
    table: str
    rows: int
    fields: dict[FieldKind, str]


def file_format(path: Path) -> str:
    """``parquet`` or ``csv`` from the suffix, else from the first bytes."""
    suffix = path.suffix.lower()
    if suffix in {".parquet", ".pq"}:
        return "parquet"
    if suffix in {".csv", ".txt"}:
        return "csv"
    with path.open("rb") as fh:
        return "parquet" if fh.read(4) == b"PAR1" else "csv"


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _read_one(backend: Backend, index: int, path: Path, id_column: str) -> tuple[str, list[str]]:
    where = Location(file=str(path))
    if not path.is_file():
        raise InputError("file not found" if not path.exists() else "not a file", where)
    table = f"raw_{index}"
    try:
        fmt = file_format(path)
        backend.read_file(table, path, fmt)
    except (OSError, RuntimeError, ValueError) as exc:
        raise InputError(
            f"cannot read the file as {path.suffix or 'CSV/Parquet'}",
            where,
            hint=str(exc).splitlines()[0][:200],
        ) from None
    except Exception as exc:  # DuckDB's own error classes
        raise InputError(
            "cannot read the file as CSV or Parquet", where, hint=str(exc).splitlines()[0][:200]
        ) from None
    columns = [
        c for c in backend.fetch(f"SELECT * FROM {table} LIMIT 0").column_names if c != "_row"
    ]
    if id_column not in columns:
        raise InputError(
            f"no id column `{id_column}`",
            Location(file=str(path), column=id_column),
            hint=f"columns are: {', '.join(columns[:20])}",
        )
    idq = '"' + id_column.replace('"', '""') + '"'
    empty = backend.fetch(
        f"SELECT _row FROM {table} WHERE nullif(trim(CAST({idq} AS VARCHAR)), '') IS NULL "
        "ORDER BY _row LIMIT 1"
    ).to_pylist()
    if empty:
        raise InputError(
            "empty record id", Location(file=str(path), row=empty[0]["_row"], column=id_column)
        )
    return table, columns


def load_records(
    backend: Backend,
    paths: Sequence[Path],
    id_column: str,
    fields: Mapping[str, str] | None = None,
) -> list[Source]:
    """Read ``paths`` and build the normalised table ``recs`` (one row per record).

    Args:
        backend: Where to read and normalise.
        paths: One file (deduplication) or several (linking).
        id_column: The record id column, present and unique across all files.
        fields: ``kind -> column`` overrides from a config file.

    Raises:
        InputError: A file is missing or unreadable, has no id column, an
            empty id, an id used twice, or no field the linker can compare.
    """
    if len(paths) > 250:
        raise InputError(f"{len(paths)} files given; at most 250 sources can be linked at once")
    backend.execute(
        f"CREATE OR REPLACE TABLE {NICKNAME_TABLE} (nickname VARCHAR, full_name VARCHAR)"
    )
    rows = ", ".join(f"({_sql_str(n)}, {_sql_str(f)})" for n, f in nickname_rows())
    backend.execute(f"INSERT INTO {NICKNAME_TABLE} VALUES {rows}")
    sources: list[Source] = []
    offset = 0
    selects: list[str] = []
    for index, path in enumerate(paths):
        table, columns = _read_one(backend, index, Path(path), id_column)
        mapping = infer_fields(columns, fields)
        for kind, column in mapping.items():
            if column not in columns:
                raise InputError(
                    f"the config names column `{column}` for `{kind.value}`, not in the file",
                    Location(file=str(path), column=column),
                )
        if not any(k in mapping for k in COMPARED_KINDS):
            raise InputError(
                "no column the linker can compare (names, date of birth, document, ...)",
                Location(file=str(path)),
                hint="name the columns in a config file [fields] table",
            )
        count = int(backend.scalar(f"SELECT count(*) FROM {table}"))
        sources.append(Source(index, Path(path), table, count, mapping))
        selects.append(normalise_sql(table, mapping, id_column, index, offset))
        offset += count
    backend.execute(
        f"CREATE OR REPLACE TABLE {RECORDS_TABLE} AS "
        + "\nUNION ALL\n".join(f"SELECT * FROM ({select})" for select in selects)
    )
    _check_unique(backend, sources, id_column)
    for source in sources:
        backend.execute(f"DROP TABLE {source.table}")
    return sources


def _check_unique(backend: Backend, sources: Sequence[Source], id_column: str) -> None:
    dup = backend.fetch(
        f"SELECT record_id, min(_i) AS a, max(_i) AS b FROM {RECORDS_TABLE} "
        "GROUP BY record_id HAVING count(*) > 1 ORDER BY min(_i) LIMIT 1"
    ).to_pylist()
    if not dup:
        return

    def locate(i: int) -> tuple[Source, int]:
        for s in sources:
            start = sum(x.rows for x in sources[: s.index])
            if start <= i < start + s.rows:
                return s, i - start + 1
        raise AssertionError(i)

    first, first_row = locate(dup[0]["a"])
    second, second_row = locate(dup[0]["b"])
    raise InputError(
        "duplicate record id",
        Location(
            file=str(second.path), row=second_row, column=id_column, value=dup[0]["record_id"]
        ),
        hint=f"first seen in {first.path.name} row {first_row}; ids must be unique across inputs",
    )
