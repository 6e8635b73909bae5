"""The synth_flows connector: synth.* files are detected by name and checked like any input."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridor.errors import InputError
from corridor.store import ingest
from corridor.synth.flows import HEADER
from tests.conftest import digest

GOOD = "2023-01-01,PAN,SNM,darien,,irregular_transit,VEN,F,adult,,,,persons,12,1"


def _row(**change: str) -> str:
    """``GOOD`` with some cells changed."""
    cells = dict(zip(HEADER, GOOD.split(","), strict=True))
    return ",".join({**cells, **change}.values())


def _file(folder: Path, name: str, *rows: str) -> Path:
    path = folder / name
    path.write_text(",".join(HEADER) + "\n" + "\n".join(rows) + "\n")
    return path


def test_a_good_file_becomes_its_source(tmp_path: Path, db: Path) -> None:
    path = _file(tmp_path, "synth_pan.csv", GOOD, _row(period="2023-02-01", nat="HTI", n="3"))
    [result] = ingest(db, [path])
    assert result.source == "synth.pan"
    assert result.rows == 2


@pytest.mark.parametrize(
    ("row", "column", "value"),
    [
        (_row(period="2023-01-15"), "period", "2023-01-15"),
        (_row(n="-4"), "n", "-4"),
        (_row(nat="VENEZUALA"), "nat", "VENEZUALA"),
        (_row(event="apprehension"), "event", "apprehension"),
        (_row(sex="X"), "sex", "X"),
    ],
)  # fmt: skip
def test_a_bad_cell_names_row_column_and_value(
    tmp_path: Path, db: Path, row: str, column: str, value: str
) -> None:
    path = _file(tmp_path, "synth_pan.csv", GOOD, row)
    with pytest.raises(InputError) as err:
        ingest(db, [path])
    text = str(err.value)
    assert "synth_pan.csv, row 3" in text and f"column `{column}`" in text and value in text
    assert digest(db) is None  # nothing written


def test_a_renamed_file_asks_for_its_source(tmp_path: Path, db: Path) -> None:
    path = _file(tmp_path, "flows.csv", GOOD)
    with pytest.raises(InputError, match="pass --source"):
        ingest(db, [path])
    [result] = ingest(db, [path], source="synth.pan")
    assert result.source == "synth.pan"
