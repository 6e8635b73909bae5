"""Exports of ``flows`` to CSV, Parquet, HXL and SDMX-CSV.

Files are written to a temporary name beside the target and renamed only when
complete, so a failed export never leaves a partial file behind.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from corridor.canonical.schema import COLUMN_NAMES
from corridor.duck import scalar
from corridor.errors import ConfigError, InputError, Location

FORMATS = ("csv", "parquet", "hxl", "sdmx-csv")

# HXL hashtags for each canonical column (tag row under the header).
HXL_TAGS: dict[str, str] = {
    "period": "#date+month",
    "freq": "#meta+freq",
    "geo": "#country+code",
    "agency": "#org+code",
    "area": "#region+code",
    "place": "#loc+name",
    "event": "#indicator+event",
    "nat": "#origin+country+code",
    "sex": "#meta+sex",
    "age": "#meta+age",
    "family": "#meta+family",
    "authority": "#meta+authority",
    "partner": "#country+code+partner",
    "unit": "#meta+unit",
    "n": "#affected+num",
    "source": "#meta+source",
    "release_id": "#meta+release",
}

SDMX_DATAFLOW = "CORRIDOR:FLOWS(1.0)"
# SDMX-CSV columns: dimensions, TIME_PERIOD, OBS_VALUE, then attributes.
SDMX_COLUMNS: tuple[tuple[str, str], ...] = (
    ("FREQ", "freq"),
    ("REF_AREA", "geo"),
    ("REPORTING_AGENCY", "agency"),
    ("BORDER_AREA", "area"),
    ("PLACE", "place"),
    ("EVENT", "event"),
    ("CITIZENSHIP", "nat"),
    ("SEX", "sex"),
    ("AGE", "age"),
    ("FAMILY", "family"),
    ("AUTHORITY", "authority"),
    ("COUNTERPART_AREA", "partner"),
    ("UNIT_MEASURE", "unit"),
)
# Blank breakdowns mean "all": SDMX's _T (total); code lists follow SDMX's
# cross-domain conventions where one exists.
_SDMX_AGE = {"adult": "Y_GE18", "minor": "Y_LT18", "": "_T"}


def _sdmx_expr(code: str, col: str) -> str:
    if code == "AGE":
        return "CASE age WHEN 'adult' THEN 'Y_GE18' WHEN 'minor' THEN 'Y_LT18' ELSE '_T' END"
    if code == "UNIT_MEASURE":
        return "upper(unit)"
    if code in ("SEX", "FAMILY", "AUTHORITY", "COUNTERPART_AREA", "BORDER_AREA", "PLACE"):
        return (
            f"CASE WHEN {col} = '' THEN '_T' ELSE upper({col}) END"
            if code != "PLACE"
            else (f"CASE WHEN {col} = '' THEN '_T' ELSE {col} END")
        )
    return col


@contextmanager
def _atomic(out: Path) -> Iterator[Path]:
    if out.exists() and out.is_dir():
        raise InputError("is a directory", Location(file=str(out)))
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise ConfigError(f"{out}: folder {parent} does not exist")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def export(
    con: duckdb.DuckDBPyConnection,
    select_sql: str,
    params: list[object],
    fmt: str,
    out: Path,
) -> int:
    """Write the rows of ``select_sql`` (canonical columns) to ``out``; return the row count."""
    if fmt not in FORMATS:
        raise ConfigError(f"unknown export format `{fmt}`; use one of: {', '.join(FORMATS)}")
    rel = f"({select_sql})"
    count = int(scalar(con, f"SELECT count(*) FROM {rel}", params) or 0)
    with _atomic(out) as tmp:
        if fmt == "parquet":
            _copy(con, f"SELECT * FROM {rel} ORDER BY ALL", params, tmp, "(FORMAT parquet)")
        elif fmt == "csv":
            _copy(con, f"SELECT * FROM {rel} ORDER BY ALL", params, tmp, "(HEADER, DELIMITER ',')")
        elif fmt == "hxl":
            _write_hxl(con, rel, params, tmp)
        else:
            _write_sdmx(con, rel, params, tmp)
    return count


def _copy(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[object], tmp: Path, options: str
) -> None:
    # COPY cannot take bound parameters; materialise first.
    con.execute(f"CREATE OR REPLACE TEMP TABLE _export AS {sql}", params)
    path = str(tmp).replace("'", "''")
    con.execute(f"COPY _export TO '{path}' {options}")
    con.execute("DROP TABLE _export")


def _write_hxl(con: duckdb.DuckDBPyConnection, rel: str, params: list[object], tmp: Path) -> None:
    cols = list(COLUMN_NAMES)
    cur = con.execute(
        f"SELECT strftime(period, '%Y-%m') AS period, * EXCLUDE (period) FROM {rel} ORDER BY ALL",
        params,
    )
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(cols)
        writer.writerow([HXL_TAGS[c] for c in cols])
        while batch := cur.fetchmany(50_000):
            writer.writerows(batch)


def _write_sdmx(con: duckdb.DuckDBPyConnection, rel: str, params: list[object], tmp: Path) -> None:
    dims = ", ".join(f"{_sdmx_expr(code, col)} AS {code}" for code, col in SDMX_COLUMNS)
    sql = (
        f"SELECT '{SDMX_DATAFLOW}' AS DATAFLOW, {dims}, "
        "CASE freq WHEN 'A' THEN strftime(period, '%Y') ELSE strftime(period, '%Y-%m') END "
        "AS TIME_PERIOD, n AS OBS_VALUE, source AS SOURCE, release_id AS RELEASE "
        f"FROM {rel} ORDER BY ALL"
    )
    _copy(con, sql, params, tmp, "(HEADER, DELIMITER ',')")
