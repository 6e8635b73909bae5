"""Printing DataFrames as a rich table, CSV or JSON."""

from __future__ import annotations

import numbers
import sys

import pandas as pd
from rich.console import Console
from rich.table import Table
from rich.text import Text

from corridor.errors import ConfigError

OUTPUTS = ("table", "csv", "json")
_PLAIN_NUMBERS = frozenset({"year", "file_row", "row", "priority", "month"})
# Piped output gets a wide console so tables are not folded to 80 columns.
# No markup or emoji codes: printed text holds user data (file names, cell values,
# SQL results) and must come out verbatim; `[/x]` in a value would otherwise be
# swallowed or crash the print. Colour goes through ``style=`` or ``Text``.
console = Console(width=None if sys.stdout.isatty() else 200, markup=False, emoji=False)
err_console = Console(
    stderr=True, width=None if sys.stderr.isatty() else 200, markup=False, emoji=False
)


def labelled(label: str, style: str, text: str) -> Text:
    """``label`` in ``style`` followed by ``text`` printed verbatim."""
    return Text.assemble((label, style), f" {text}")


def show(df: pd.DataFrame, fmt: str, title: str | None = None) -> None:
    """Print ``df`` in the chosen format to standard output."""
    if fmt not in OUTPUTS:
        raise ConfigError(f"unknown output format `{fmt}`; use one of: {', '.join(OUTPUTS)}")
    df = _integral_floats_to_int(df)
    if fmt == "csv":
        df.to_csv(sys.stdout, index=False, lineterminator="\n")
        return
    if fmt == "json":
        sys.stdout.write(_dates_as_text(df).to_json(orient="records", force_ascii=False))
        sys.stdout.write("\n")
        return
    table = Table(title=title, show_lines=False, header_style="bold")
    for col in df.columns:
        numeric = pd.api.types.is_numeric_dtype(df[col]) and not pd.api.types.is_bool_dtype(df[col])
        table.add_column(str(col), justify="right" if numeric else "left")
    # Years and other identifiers are numbers too, but `2,023` is not a year.
    plain = [str(c).lower() in _PLAIN_NUMBERS for c in df.columns]
    for row in df.itertuples(index=False):
        table.add_row(*(str(v) if p and v is not None else _cell(v)
                        for v, p in zip(row, plain, strict=True)))  # fmt: skip
    console.print(table)
    if df.empty:
        err_console.print("no rows", style="yellow")


def _dates_as_text(df: pd.DataFrame) -> pd.DataFrame:
    """Dates as ``YYYY-MM-DD`` (timestamps with a time part keep it), missing as null."""
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            series = out[col]
            has_time = bool((series.dropna().dt.normalize() != series.dropna()).any())
            fmt = "%Y-%m-%dT%H:%M:%S" if has_time else "%Y-%m-%d"
            out[col] = series.dt.strftime(fmt).astype(object).where(series.notna(), None)
    return out


def _integral_floats_to_int(df: pd.DataFrame) -> pd.DataFrame:
    """DuckDB's sum() is HUGEINT, which pandas turns into float: show counts as integers."""
    out = df.copy()
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_float_dtype(series):
            finite = series.dropna()
            if len(finite) and (finite % 1 == 0).all() and finite.abs().max() < 2**53:
                out[col] = series.astype("Int64")
    return out


def _cell(value: object) -> str:
    if value is None or value is pd.NaT or value is pd.NA:
        return ""
    real = isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral)
    if real and pd.isna(float(value)):  # type: ignore[arg-type]
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value.time().isoformat() == "00:00:00" else str(value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        return f"{float(value):,.3f}"
    return str(value)
