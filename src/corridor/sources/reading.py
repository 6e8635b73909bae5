"""Reading agency CSV files into DuckDB, with errors that point at the cell.

The fast path lets DuckDB parse and check whole columns; only when a check
fails do we scan the file in Python to find the first offending line, so a
correct file never pays for error reporting.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from corridor.duck import scalar
from corridor.errors import InputError, Location

_SNIFF_BYTES = 64 * 1024
_DUCKDB_LINE = re.compile(r"CSV Error on Line: (\d+)")


def normalize_header(name: str) -> str:
    """``Month (abbv)`` -> ``month_abbv``; ``Encounter Count`` -> ``encounter_count``."""
    text = name.strip().strip("\ufeff").lower()
    text = re.sub(r"[^0-9a-z]+", "_", text)
    return text.strip("_")


@dataclass(frozen=True)
class CsvHeader:
    """The first line of a CSV file, as written and normalised."""

    path: Path
    raw: tuple[str, ...]
    names: tuple[str, ...]

    def index(self, name: str) -> int:
        return self.names.index(name)


def read_header(path: Path) -> CsvHeader:
    """Read and check the header line; reject empty, binary and non-comma files."""
    where = Location(file=str(path))
    try:
        with path.open("rb") as fh:
            head = fh.read(_SNIFF_BYTES)
    except FileNotFoundError as exc:
        raise InputError("file not found", where) from exc
    except IsADirectoryError as exc:
        raise InputError("is a directory, not a file", where) from exc
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", where) from exc
    if not head.strip():
        raise InputError("file is empty", where)
    if b"\x00" in head or head.startswith(b"PK\x03\x04"):
        kind = "a zip/xlsx archive" if head.startswith(b"PK") else "binary data"
        raise InputError(f"file holds {kind}, not CSV text", where, hint="export it as CSV")
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        line = first.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            "header is not UTF-8 text", Location(file=str(path), row=1), hint="save as UTF-8"
        ) from exc
    raw = tuple(next(csv.reader([line])))
    if len(raw) == 1:
        for delim, label in ((";", "semicolons"), ("\t", "tabs"), ("|", "pipes")):
            if delim in line:
                raise InputError(
                    f"columns are separated by {label}, expected commas",
                    Location(file=str(path), row=1, value=line),
                    hint="save the file as comma-separated CSV",
                )
    names = tuple(normalize_header(c) for c in raw)
    if any(not n for n in names):
        col = names.index("") + 1
        raise InputError(f"header column {col} is blank", Location(file=str(path), row=1))
    dup = next((n for n in names if names.count(n) > 1), None)
    if dup is not None:
        raise InputError("header names a column twice", Location(file=str(path), row=1, column=dup))
    return CsvHeader(path=path, raw=raw, names=names)


def load_varchar(
    con: duckdb.DuckDBPyConnection,
    header: CsvHeader,
    table: str,
    skip: frozenset[str] = frozenset(),
    key: tuple[str, ...] = (),
) -> int:
    """Load the file's cells as VARCHAR into ``table``; return the row count.

    Every row is still parsed and checked for its column count; columns in
    ``skip`` are just not kept. With ``key``, a column ``_h`` holds the hash
    of those columns: computed while the data streams in, it makes the
    duplicate check a cheap count over one integer column.
    """
    columns = ", ".join(f"'{n}': 'VARCHAR'" for n in header.names)
    keep = ", ".join(n for n in header.names if n not in skip) or "*"
    if key:
        keep += f", hash({', '.join(key)}) AS _h"
    sql = (
        f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {keep} FROM read_csv(?, header=true, "
        f"auto_detect=false, columns={{{columns}}}, delim=',', quote='\"', escape='\"', "
        "strict_mode=true, encoding='utf-8')"
    )
    try:
        con.execute(sql, [str(header.path)])
    except (duckdb.InvalidInputException, duckdb.ConversionException) as exc:
        raise _csv_error(header.path, str(exc)) from exc
    return int(scalar(con, f"SELECT count(*) FROM {table}") or 0)


def _csv_error(path: Path, message: str) -> InputError:
    match = _DUCKDB_LINE.search(message)
    line = int(match.group(1)) if match else None
    lower = message.lower()
    if "unterminated quote" in lower:
        reason = "a quoted value is never closed (file truncated?)"
    elif "expected number of columns" in lower:
        found = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", message)
        reason = (
            f"row has {found.group(2)} columns, the header has {found.group(1)} (file truncated?)"
            if found
            else "row does not have as many columns as the header"
        )
    elif "unicode" in lower or "utf-8" in lower or "utf8" in lower:
        reason = "bytes that are not UTF-8 text"
    else:
        reason = message.splitlines()[0].replace("Invalid Input Error: ", "")
    value = None
    original = re.search(r"Original Line: (.*)", message)
    if original:
        value = original.group(1).strip()
    return InputError(reason, Location(file=str(path), row=line, value=value))


def iter_rows(header: CsvHeader) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line_number, row)`` with normalised column names (error path only)."""
    with header.path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        for row in reader:
            yield reader.line_num, dict(zip(header.names, row, strict=False))


def first_row(
    header: CsvHeader, predicate: Callable[[dict[str, str]], bool]
) -> tuple[int, dict[str, str]] | None:
    """The first row (line number, cells) for which ``predicate`` holds."""
    for line, row in iter_rows(header):
        if predicate(row):
            return line, row
    return None


def first_duplicate(
    header: CsvHeader, key: Sequence[str]
) -> tuple[int, int, dict[str, str]] | None:
    """The first two lines sharing the values of ``key`` columns."""
    seen: dict[tuple[str, ...], int] = {}
    for line, row in iter_rows(header):
        k = tuple(row.get(c, "").strip() for c in key)
        if k in seen:
            return seen[k], line, row
        seen[k] = line
    return None
