"""SNM Darién files whose layout changed fail naming what changed, and write nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridor.errors import InputError
from corridor.store import ingest
from tests.conftest import FIXTURES, digest

FIX = FIXTURES / "snm_darien"


@pytest.mark.parametrize(
    ("name", "message", "row", "column", "value"),
    [
        ("month_renamed_enero.xlsx", "column `Ene.` is missing; found `Enero` — the layout "
         "changed", 6, "Ene.", "Enero"),
        ("month_missing_middle.xlsx", "column `Mar.` is missing between `Feb.` and `Abr.` — "
         "the layout changed", 6, "Mar.", None),
        ("unknown_country_spelling.xlsx", "unknown country name — a spelling the SNM tables "
         "have not used before", 9, "Región y País", "Venezuala"),
        ("extra_column.xlsx", "unexpected column `Var. % 2023-2024` — the layout changed", 6,
         "Var. % 2023-2024", "Var. % 2023-2024"),
        ("pdf_header_changed_midtable.txt", "the column header changed on a later page", 40,
         None, None),
    ],
)  # fmt: skip
def test_layout_change_fails_and_writes_nothing(
    db: Path, name: str, message: str, row: int, column: str | None, value: str | None
) -> None:
    good = FIX / "region_subtotals.xlsx"
    with pytest.raises(InputError) as err:
        ingest(db, [good, FIX / name])
    assert message in err.value.reason
    where = err.value.where
    assert (Path(where.file or "").name, where.row) == (name, row)
    if column is not None:
        assert where.column == column
    if value is not None:
        assert where.value == value
    assert digest(db) is None


def test_unknown_country_suggests_the_known_one(db: Path) -> None:
    with pytest.raises(InputError) as err:
        ingest(db, [FIX / "unknown_country_spelling.xlsx"])
    assert err.value.hint == "did you mean: Venezuela (VEN)?"


def _variant(tmp_path: Path, old: str, new: str, name: str = "variant.txt") -> Path:
    text = (FIX / "pdf_text_layout.txt").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_text_row_with_an_extra_count(db: Path, tmp_path: Path) -> None:
    bad = _variant(tmp_path, "     Cuba                ", "     Cuba         3      ")
    with pytest.raises(InputError) as err:
        ingest(db, [bad])
    assert "14 counts for 13 columns — an extra column" in str(err.value)
    assert err.value.where.row is not None and digest(db) is None


def test_text_unknown_country_spelling(db: Path, tmp_path: Path) -> None:
    bad = _variant(tmp_path, "Rep. Dem. del Congo", "Rep. Democrática Congo")
    with pytest.raises(InputError) as err:
        ingest(db, [bad])
    assert err.value.where.value == "Rep. Democrática Congo"
    assert "unknown country name" in err.value.reason
    assert digest(db) is None


def test_a_country_listed_twice_fails(db: Path, tmp_path: Path) -> None:
    bad = _variant(tmp_path, "     Perú  ", "     Ecuador")
    with pytest.raises(InputError) as err:
        ingest(db, [bad])
    assert "a country listed twice" in str(err.value)
    assert digest(db) is None


def test_title_without_year_fails(db: Path, tmp_path: Path) -> None:
    text = (FIX / "pdf_condition_table.txt").read_text(encoding="utf-8")
    bad = tmp_path / "no_year.txt"
    bad.write_text(text.replace(": AÑO 2023", ""), encoding="utf-8")
    with pytest.raises(InputError) as err:
        ingest(db, [bad], source="snm.darien_dmg")
    assert "no year in the table title" in str(err.value)
    assert digest(db) is None
