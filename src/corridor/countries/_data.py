"""Reading of the CSV tables shipped in ``corridor/countries/data``."""

from __future__ import annotations

import csv
import io
from importlib import resources

__all__ = ["read_table"]


def read_table(name: str) -> list[dict[str, str]]:
    """Read one packaged CSV table.

    Args:
        name: File name inside the ``data`` folder, e.g. ``"m49.csv"``.

    Returns:
        One dict per row, keyed by the header; values are stripped strings.
    """
    text = resources.files("corridor.countries").joinpath("data", name).read_text("utf-8")
    return [
        {key: (value or "").strip() for key, value in row.items()}
        for row in csv.DictReader(io.StringIO(text))
    ]
