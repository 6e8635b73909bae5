"""Last line of defence: staged rows must obey the canonical vocabularies.

Connectors check the agency's labels first and report them in the agency's
words; this check catches a connector that maps to something off-contract.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from corridor.canonical import schema
from corridor.countries import is_iso3
from corridor.duck import scalar
from corridor.errors import InputError, Location

_VOCAB: dict[str, frozenset[str]] = {
    "freq": schema.FREQ,
    "sex": schema.SEX,
    "age": schema.AGE,
    "family": schema.FAMILY,
    "authority": schema.AUTHORITY,
    "unit": schema.UNITS,
    "area": schema.AREAS,
    "event": schema.EVENTS,
}


def check_canonical(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> None:
    """Raise if any staged value is outside the contract of ``flows``."""
    for column, allowed in _VOCAB.items():
        for (value,) in con.execute(f"SELECT DISTINCT {column} FROM {table}").fetchall():
            if value not in allowed:
                raise InputError(
                    "maps to a value outside the canonical vocabulary",
                    Location(file=str(path), column=column, value=str(value)),
                )
    for column in ("geo", "nat"):
        for (value,) in con.execute(f"SELECT DISTINCT {column} FROM {table}").fetchall():
            if value is None or not is_iso3(value):
                raise InputError(
                    "is not an ISO3 code", Location(file=str(path), column=column, value=str(value))
                )
    for (value,) in con.execute(f"SELECT DISTINCT partner FROM {table}").fetchall():
        if value is None or (value and not is_iso3(value)):
            raise InputError(
                "is not an ISO3 code", Location(file=str(path), column="partner", value=str(value))
            )
    missing = scalar(
        con,
        f"SELECT count(*) FROM {table} WHERE period IS NULL OR n IS NULL OR n < 0 "
        "OR agency IS NULL OR place IS NULL",
    )
    if missing:
        raise InputError(
            f"{missing} rows lack a period, agency, place or count", Location(str(path))
        )
