"""Checks and mappings that connectors apply to raw VARCHAR tables in DuckDB.

Each helper checks a whole column in SQL and, only on failure, scans the file
to report the first offending line with its column and value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TypeVar

import duckdb

from corridor.countries import resolve_many, suggest
from corridor.duck import scalar
from corridor.errors import InputError, Location, UnknownCountryError
from corridor.sources.reading import CsvHeader, first_row

# Whole numbers, optionally with thousands separators, optionally "123.0" as
# written by R/pandas exports of integer counts.
_COUNT_RE = r"[0-9]{1,3}(,[0-9]{3})+(\.0+)?|[0-9]+(\.0+)?"
_COUNT_PY = re.compile(_COUNT_RE)
T = TypeVar("T")


def count_sql(column: str) -> str:
    """SQL expression turning a checked count cell into BIGINT."""
    # Plain digits (nearly every cell) take the cheap cast; only cells with
    # thousands separators or a ".0" go through the regular expression.
    return (
        f"coalesce(TRY_CAST({column} AS BIGINT), "
        f"CAST(regexp_replace(replace(trim({column}), ',', ''), '\\.0+$', '') AS BIGINT))"
    )


def check_counts(
    con: duckdb.DuckDBPyConnection, table: str, column: str, header: CsvHeader
) -> None:
    """Every cell of ``column`` must be a whole number >= 0."""
    bad = scalar(
        con,
        # Plain digits pass the quick pattern; only the rest meet the full one.
        f"SELECT count(*) FROM {table} WHERE {column} IS NULL "
        f"OR (NOT regexp_full_match({column}, '[0-9]+') "
        f"AND NOT regexp_full_match(trim({column}), '{_COUNT_RE}'))",
    )
    if not bad:
        return
    found = first_row(header, lambda r: not _COUNT_PY.fullmatch(r.get(column, "").strip()))
    line, row = found if found else (None, {})
    value = row.get(column, "") if row else None
    raw_name = header.raw[header.index(column)]
    text = (value or "").strip()
    if not text:
        reason = "count is blank"
    elif text.startswith("-") and _COUNT_PY.fullmatch(text[1:]):
        reason = "count is negative"
    else:
        reason = "count is not a whole number"
    raise InputError(reason, Location(str(header.path), line, raw_name, value))


def check_cells(
    con: duckdb.DuckDBPyConnection,
    table: str,
    column: str,
    header: CsvHeader,
    *,
    bad_sql: str,
    is_bad: Callable[[str], bool],
    reason: str,
) -> None:
    """Fail on the first cell of ``column`` that ``bad_sql`` (a WHERE condition
    over ``column``) flags; ``is_bad`` is the same test in Python, used only to
    find the line once the SQL count says there is one."""
    if not scalar(con, f"SELECT count(*) FROM {table} WHERE {column} IS NULL OR {bad_sql}"):
        return
    found = first_row(header, lambda r: is_bad(r.get(column, "")))
    line, row = found if found else (None, {})
    raise InputError(
        reason,
        Location(str(header.path), line, header.raw[header.index(column)],
                 row.get(column) if row else None),
    )  # fmt: skip


def fold_value(text: str | None) -> str:
    """Case- and space-folded cell text, as ``case_sql`` compares it."""
    return " ".join((text or "").split()).casefold()


def case_sql(column: str, mapping: Mapping[str, str]) -> str:
    """``CASE`` mapping folded raw values to canonical ones (checked beforehand)."""
    arms = " ".join(
        f"WHEN '{_quote(raw)}' THEN '{_quote(out)}'" for raw, out in sorted(mapping.items())
    )
    return f"(CASE lower(trim(coalesce({column}, ''))) {arms} END)"


def repr_sql(text: str) -> str:
    """A SQL string literal."""
    return "'" + _quote(text) + "'"


def _quote(text: str) -> str:
    return text.replace("'", "''")


def check_values(
    con: duckdb.DuckDBPyConnection,
    table: str,
    column: str,
    allowed: Mapping[str, T],
    header: CsvHeader,
) -> dict[str | None, T]:
    """Every value of ``column`` (case/space-folded) must be a key of ``allowed``.

    Returns the values present in the file, exactly as written, with what they
    map to, so that ``exact_case_sql`` can map rows without folding each one.
    """
    folded = {fold_value(k): v for k, v in allowed.items()}
    distinct = [r[0] for r in con.execute(f"SELECT DISTINCT {column} FROM {table}").fetchall()]
    unknown = [v for v in distinct if fold_value(v) not in folded]
    if unknown:
        bad = {v or "" for v in unknown}
        found = first_row(header, lambda r: r.get(column, "") in bad)
        line, row = found if found else (None, {})
        raw_name = header.raw[header.index(column)]
        value = row.get(column) if row else unknown[0]
        options = ", ".join(f"`{a}`" for a in sorted(folded) if a)
        raise InputError(
            "unknown value",
            Location(str(header.path), line, raw_name, value or ""),
            hint=f"expected one of: {options}",
        )
    return {v: folded[fold_value(v)] for v in distinct}


def exact_case_sql(column: str, present: Mapping[str | None, object]) -> str:
    """``CASE`` over the exact values present in the file (see ``check_values``)."""
    arms = []
    for raw, out in present.items():
        target = f"'{_quote(str(out))}'" if not isinstance(out, int) else str(out)
        test = f"{column} IS NULL" if raw is None else f"{column} = '{_quote(raw)}'"
        arms.append(f"WHEN {test} THEN {target}")
    return f"(CASE {' '.join(arms)} END)" if arms else "NULL"


def map_countries(
    con: duckdb.DuckDBPyConnection,
    table: str,
    column: str,
    header: CsvHeader,
    *,
    blank: str | None = None,
    split: str | None = None,
    several: str = "OTH",
) -> str:
    """Resolve the distinct names of ``column`` to ISO3 in a lookup table.

    Returns the lookup table's name (columns ``raw``, ``iso3``). ``blank`` is what
    an empty cell means for this source (``None``: an error). With ``split``, a
    cell listing several countries (``"ERI,ETH"``) maps to ``several``.
    """
    distinct = [r[0] for r in con.execute(f"SELECT DISTINCT {column} FROM {table}").fetchall()]
    names: set[str] = set()
    for value in distinct:
        text = (value or "").strip()
        if not text:
            continue
        parts = [p.strip() for p in text.split(split)] if split else [text]
        names.update(p for p in parts if p)
    resolved = resolve_many(names)
    mapping: dict[str | None, str] = {}
    for value in distinct:
        text = (value or "").strip()
        if not text:
            if blank is None:
                _raise_country(header, column, value, blank_cell=True)
            mapping[value] = blank or ""
            continue
        parts = [p.strip() for p in text.split(split)] if split else [text]
        if any(resolved.get(p) is None for p in parts if p):
            bad = next(p for p in parts if p and resolved.get(p) is None)
            _raise_country(header, column, bad)
        codes = {code for p in parts if p and (code := resolved.get(p)) is not None}
        mapping[value] = codes.pop() if len(codes) == 1 else several
    lookup = f"_countries_{table}_{column}"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {lookup} (raw VARCHAR, iso3 VARCHAR NOT NULL)")
    if mapping:
        # One statement: executemany costs a round trip per row.
        values = ", ".join(
            f"({'NULL' if k is None else repr_sql(k)}, {repr_sql(v)})" for k, v in mapping.items()
        )
        con.execute(f"INSERT INTO {lookup} VALUES {values}")
    return lookup


def _raise_country(
    header: CsvHeader, column: str, value: str | None, *, blank_cell: bool = False
) -> None:
    raw_name = header.raw[header.index(column)]
    if blank_cell:
        found = first_row(header, lambda r: not (r.get(column) or "").strip())
        line = found[0] if found else None
        raise InputError("country is blank", Location(str(header.path), line, raw_name, ""))
    target = (value or "").strip()
    found = first_row(header, lambda r: target in (r.get(column) or ""))
    line = found[0] if found else None
    options = suggest(target)
    raise UnknownCountryError(
        "unknown country name",
        Location(str(header.path), line, raw_name, target),
        hint=("did you mean: " + ", ".join(options) + "?") if options else None,
        suggestions=options,
    )
