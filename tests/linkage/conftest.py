from __future__ import annotations

import csv
from pathlib import Path

import pytest

from corridor.linkage.backend import open_backend
from corridor.linkage.comparators import default_comparisons, gamma_sql
from corridor.records.reading import load_records

COLUMNS = [
    "id",
    "given_name",
    "surname",
    "surname2",
    "dob",
    "sex",
    "nationality",
    "passport",
    "phone",
    "postcode",
    "city",
    "street",
]


@pytest.fixture
def levels(tmp_path: Path):
    """``levels(a, b)`` -> {comparison: level label} for two records given as dicts."""

    def compare(a: dict[str, str], b: dict[str, str]) -> dict[str, str]:
        path = tmp_path / "pair.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerow({"id": "1", **a})
            writer.writerow({"id": "2", **b})
        with open_backend() as be:
            load_records(be, [path], "id")
            out = {}
            for c in default_comparisons():
                level = be.scalar(
                    f"SELECT {gamma_sql(c)} FROM recs l, recs r WHERE l._i = 0 AND r._i = 1"
                )
                out[c.name] = c.labels()[int(level)]
        return out

    return compare
