"""Last line of defence: staged values must obey the canonical vocabularies.

Connectors check the agency's labels first and report them in the agency's
words; this check catches a connector that maps to something off-contract.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from corridor.canonical import schema
from corridor.countries import is_iso3
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


def check_values_in_contract(values: Mapping[str, set[str]], path: Path) -> None:
    """Raise if any distinct staged value is outside the contract of ``flows``."""
    for column, found in values.items():
        allowed = _VOCAB.get(column)
        for value in sorted(found, key=str):
            bad = (
                value is None
                or (allowed is not None and value not in allowed)
                or (column in ("geo", "nat") and not is_iso3(value))
                or (column == "partner" and value != "" and not is_iso3(value))
                or (column in ("agency", "place") and value is None)
            )
            if bad:
                raise InputError(
                    "maps to a value outside the canonical vocabulary",
                    Location(file=str(path), column=column, value=str(value)),
                )
