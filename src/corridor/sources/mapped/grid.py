"""A data file as a grid of cells (CSV or one workbook sheet), rows numbered as in the file."""

from __future__ import annotations

import codecs
import csv
import io
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from corridor.errors import InputError, Location
from corridor.sources.document import cell_text, read_workbook
from corridor.sources.mapped.spec import FileSpec

Row = tuple[object, ...]


@dataclass(frozen=True)
class Grid:
    """Rows of cell values; ``numbers[i]`` is the file's row (CSV line) of ``rows[i]``."""

    path: Path
    rows: list[Row]
    numbers: list[int]
    sheet: str | None = None

    def texts(self, index: int) -> list[str]:
        return [cell_text(c) for c in self.rows[index]]


def read_grid(path: Path, spec: FileSpec, map_name: str, *, max_rows: int | None = None) -> Grid:
    """Read ``path`` as the mapping's ``[file]`` says.

    Raises:
        InputError: the file is not in that format, or the sheet is missing.
    """
    where = Location(file=str(path))
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", where) from exc
    is_book = head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0"))
    if spec.is_workbook and not is_book:
        raise InputError(
            "not an Excel workbook", where, hint=f"{map_name} reads `{spec.format}` files"
        )
    if not spec.is_workbook:
        if is_book:
            raise InputError("is a workbook, not a CSV file", where,
                             hint=f"{map_name} reads `csv` files")  # fmt: skip
        return csv_grid(path, path.read_bytes(), spec, map_name, max_rows=max_rows)
    sheets = _workbook(path, max_rows)
    if not sheets:
        raise InputError("the workbook has no sheets", where)
    name = spec.sheet if spec.sheet is not None else next(iter(sheets))
    if name not in sheets:
        found = ", ".join(f"`{s}`" for s in sheets)
        raise InputError(
            f"sheet `{name}` not found; the workbook has {found}",
            Location(file=str(path), value=name),
            hint=f"the layout changed? update [file].sheet in {map_name}",
        )
    rows = sheets[name]
    return Grid(path, rows, list(range(1, len(rows) + 1)), name)


def csv_grid(
    path: Path, data: bytes, spec: FileSpec, map_name: str, *, max_rows: int | None = None
) -> Grid:
    """Rows of a delimited text file (``data`` may be just its first bytes, for sniffing)."""
    text = _decode(path, data, spec.encoding, map_name, partial=max_rows is not None)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=spec.delimiter)
    rows: list[Row] = []
    numbers: list[int] = []
    line = 1
    try:
        for cells in reader:
            rows.append(tuple(cells))
            numbers.append(line)
            line = reader.line_num + 1
            if max_rows is not None and len(rows) >= max_rows:
                break
    except csv.Error as exc:
        raise InputError(f"not a readable CSV file: {exc}", Location(str(path), line)) from exc
    return Grid(path, rows, numbers)


def _decode(path: Path, data: bytes, encoding: str, map_name: str, *, partial: bool) -> str:
    data = data.removeprefix(codecs.BOM_UTF8)
    if encoding == "auto":
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            if partial and exc.start >= len(data) - 4:  # a character cut by the probe size
                return data[: exc.start].decode("utf-8")
            return data.decode("latin-1")
    try:
        return data.decode(encoding, errors="strict")
    except UnicodeDecodeError as exc:
        if partial and exc.start >= len(data) - 4:
            return data[: exc.start].decode(encoding)
        bad = data[exc.start : exc.start + 4]
        raise InputError(
            f"not {encoding} text: bytes {bad!r} at byte {exc.start}",
            Location(file=str(path)),
            hint=f'set [file].encoding in {map_name} (e.g. "auto", "latin-1")',
        ) from exc


def _workbook(path: Path, max_rows: int | None) -> dict[str, list[Row]]:
    if max_rows is None:
        return read_workbook(path)
    stat = os.stat(path)
    return _workbook_head(str(path), stat.st_mtime_ns, stat.st_size, max_rows)


@lru_cache(maxsize=4)
def _workbook_head(path: str, mtime: int, size: int, max_rows: int) -> dict[str, list[Row]]:
    # Several mapped connectors sniff the same workbook: open it once.
    return read_workbook(Path(path), max_rows=max_rows)
