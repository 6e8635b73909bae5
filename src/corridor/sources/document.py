"""Connectors for publications that are not one flat CSV in a fixed layout.

Workbooks (xlsx/xls), text extracted from PDF tables, JSON pages and CSVs
that need row logic (subtotal rows, several values per cell) are parsed in
Python into canonical rows. The ingest then checks, maps and stores them as
it does for CSV connectors: all files or none.

A document connector:

- recognises its files from a :class:`Probe` (file suffix, first bytes and,
  for workbooks, the first rows of each sheet as text);
- returns :class:`Parsed`: canonical rows, notes, the file's own total rows
  (``DeclaredTotal``, kept so ``corridor check`` can compare them with the
  sum of the detail rows) and extra tables (e.g. point incidents).
"""

from __future__ import annotations

import codecs
import re
from abc import abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from corridor.canonical.schema import KEY_COLUMNS
from corridor.errors import CorridorError, InputError, Location
from corridor.sources.base import Source, Staged
from corridor.sources.reading import CsvHeader

_PROBE_BYTES = 64 * 1024
_SHEET_PROBE_ROWS = 40

WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls"})


@dataclass(frozen=True)
class Probe:
    """What detection may look at without parsing a whole file."""

    path: Path
    head: bytes

    @classmethod
    def read(cls, path: Path) -> Probe:
        where = Location(file=str(path))
        try:
            with path.open("rb") as fh:
                head = fh.read(_PROBE_BYTES)
        except FileNotFoundError as exc:
            raise InputError("file not found", where) from exc
        except IsADirectoryError as exc:
            raise InputError("is a directory, not a file", where) from exc
        except OSError as exc:
            raise InputError(f"cannot read file: {exc.strerror}", where) from exc
        return cls(path, head)

    @property
    def suffix(self) -> str:
        return self.path.suffix.lower()

    @property
    def is_workbook(self) -> bool:
        return self.suffix in WORKBOOK_SUFFIXES or self.head.startswith(
            (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
        )

    @cached_property
    def text(self) -> str:
        """The first bytes as text (UTF-8, else Latin-1); '' for binary files."""
        if self.is_workbook or b"\x00" in self.head or self.head.startswith(b"%PDF"):
            return ""
        head = self.head.removeprefix(codecs.BOM_UTF8)
        try:
            return head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4:  # a multi-byte char cut by the probe size
                return head[: exc.start].decode("utf-8")
            return head.decode("latin-1")

    @cached_property
    def sheet_text(self) -> str:
        """First rows of every sheet, cells joined by tabs ('' if not a workbook)."""
        if not self.is_workbook:
            return ""
        try:
            book = read_workbook(self.path, max_rows=_SHEET_PROBE_ROWS)
        except InputError:
            return ""
        return "\n".join(
            "\t".join(cell_text(c) for c in row) for rows in book.values() for row in rows
        )

    @property
    def first_line(self) -> str:
        return self.text.split("\n", 1)[0].strip().strip("\r")


@dataclass(frozen=True)
class DeclaredTotal:
    """A total printed in the file, beside the sum corridor computed from its details."""

    what: str
    period: date | None
    published: int
    computed: int
    where: Location = field(default_factory=Location)

    @property
    def agrees(self) -> bool:
        return self.published == self.computed


@dataclass
class Parsed:
    """A document connector's result."""

    #: one row per canonical key: ``KEY_COLUMNS`` + ``n``
    rows: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    totals: list[DeclaredTotal] = field(default_factory=list)
    #: store table name -> rows (each gets ``release_id`` and ``source`` columns)
    extras: dict[str, pd.DataFrame] = field(default_factory=dict)


class DocumentSource(Source):
    """A connector that parses its files in Python (see module docstring)."""

    required: frozenset[str] = frozenset()

    def matches(self, header: CsvHeader) -> bool:
        return False  # never chosen by a CSV header alone: see ``sniff``

    @abstractmethod
    def sniff(self, probe: Probe) -> bool:
        """Whether this file is in this connector's layout."""

    @abstractmethod
    def parse(self, path: Path) -> Parsed:
        """Read the whole file into canonical rows.

        Raises:
            InputError: naming file, row, column and value of the first problem,
                and saying what changed when the layout is not the expected one.
        """

    def stage(self, con: duckdb.DuckDBPyConnection, header: CsvHeader, raw: str) -> Staged:
        raise CorridorError(f"{self.info.id} parses its files; it has no CSV staging")


# -- helpers shared by document connectors ------------------------------------------------

_DEFAULTS: dict[str, str] = {c: "" for c in KEY_COLUMNS if c not in ("period",)}


def canonical_frame(records: Iterable[Mapping[str, Any]], **fixed: str) -> pd.DataFrame:
    """Build the canonical rows from dicts; missing dimensions are ''.

    ``fixed`` sets a column for every row (``geo="PAN", agency="SNM"``).
    Rows with equal keys are summed (a connector may emit a key twice when a
    published breakdown is coarser than the canonical one).
    """
    unknown = set(fixed) - set(KEY_COLUMNS)
    if unknown:
        raise CorridorError(f"not canonical columns: {sorted(unknown)}")
    df = pd.DataFrame.from_records(list(records))
    if df.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in (*KEY_COLUMNS, "n")})
    for col, value in fixed.items():
        df[col] = value
    for col, default in _DEFAULTS.items():
        if col not in df.columns:
            df[col] = default
        else:
            df[col] = df[col].fillna(default).astype(str)
    extra = set(df.columns) - set(KEY_COLUMNS) - {"n"}
    if extra:
        raise CorridorError(f"not canonical columns: {sorted(extra)}")
    df["n"] = df["n"].astype("int64")
    summed = df.groupby(list(KEY_COLUMNS), as_index=False, sort=False).agg(n=("n", "sum"))
    return summed[[*KEY_COLUMNS, "n"]]


_COUNT = re.compile(r"^\d{1,3}(?:[,\s\u00a0]\d{3})+$|^\d+$")
#: printed instead of a zero in Spanish-language statistical tables
ZERO_MARKS = frozenset({"-", "–", "—", "", "0"})


def parse_count(value: object, where: Location, *, marks: str = "") -> int:
    """A published count: ``1,234``, ``1 234``, ``-`` (zero), ``12p`` (with ``marks='p'``).

    Raises:
        InputError: for anything else (negative, decimal, text), at ``where``.
    """
    if value is None:
        return 0
    if isinstance(value, bool):
        raise InputError("not a count", _at(where, str(value)))
    if isinstance(value, int):
        if value < 0:
            raise InputError("negative count", _at(where, str(value)))
        return value
    if isinstance(value, float):
        if value != value:  # NaN: an empty cell
            return 0
        if value < 0 or not value.is_integer():
            raise InputError("not a whole non-negative count", _at(where, repr(value)))
        return int(value)
    text = str(value).strip()
    if marks:
        text = text.rstrip(marks + "*").strip()
    if text in ZERO_MARKS:
        return 0
    if _COUNT.match(text):
        return int(re.sub(r"[,\s\u00a0]", "", text))
    raise InputError("not a count", _at(where, str(value)), hint="expected digits, `1,234` or `-`")


def _at(where: Location, value: str) -> Location:
    return Location(where.file, where.row, where.column, value)


def column_letter(index: int) -> str:
    """0 -> ``A``, 27 -> ``AB``: how a spreadsheet user finds the cell an error names."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_text(value: object) -> str:
    """A workbook cell as text ('' for empty cells; whole floats without '.0')."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


Sheets = dict[str, list[tuple[object, ...]]]


def read_workbook(path: Path, *, max_rows: int | None = None) -> Sheets:
    """Every sheet of an xlsx/xls workbook as rows of cell values, in sheet order.

    Row ``i`` of a sheet is spreadsheet row ``i + 1``, so errors can name it.
    """
    where = Location(file=str(path))
    suffix = path.suffix.lower()
    try:
        with path.open("rb") as fh:
            magic = fh.read(8)
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", where) from exc
    if magic.startswith(b"\xd0\xcf\x11\xe0") or suffix == ".xls":
        return _read_xls(path, max_rows)
    if not magic.startswith(b"PK\x03\x04"):
        raise InputError(f"not an Excel workbook ({suffix or 'no suffix'})", where)
    import openpyxl  # lazy: only workbook connectors need it

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many unrelated types for broken files
        raise InputError(f"cannot open the workbook: {exc}", where) from exc
    try:
        out: Sheets = {}
        for sheet in book.worksheets:
            out[sheet.title] = [
                tuple(row) for row in sheet.iter_rows(max_row=max_rows, values_only=True)
            ]
        return out
    finally:
        book.close()


def _read_xls(path: Path, max_rows: int | None) -> Sheets:
    import xlrd  # lazy: only .xls publications need it

    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except Exception as exc:  # xlrd.XLRDError and struct errors on broken files
        raise InputError(f"cannot open the .xls workbook: {exc}", Location(str(path))) from exc
    out: Sheets = {}
    try:
        for sheet in book.sheets():
            rows = sheet.nrows if max_rows is None else min(sheet.nrows, max_rows)
            out[sheet.name] = [
                tuple(None if c.ctype == xlrd.XL_CELL_EMPTY else c.value for c in sheet.row(i))
                for i in range(rows)
            ]
    finally:
        book.release_resources()
    return out


def read_text(path: Path) -> str:
    """A text file (PDF-table extraction, agency CSV) as UTF-8, else Latin-1."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", Location(str(path))) from exc
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


__all__ = [
    "WORKBOOK_SUFFIXES",
    "ZERO_MARKS",
    "DeclaredTotal",
    "DocumentSource",
    "Parsed",
    "Probe",
    "Sheets",
    "canonical_frame",
    "cell_text",
    "column_letter",
    "parse_count",
    "read_text",
    "read_workbook",
]
