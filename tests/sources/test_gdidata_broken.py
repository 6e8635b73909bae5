"""Broken gdidata-format files: one-line errors that point at the cell, store untouched.

Every file here is written by the test itself (a few lines in gdidata's layout).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import corridor
from corridor.errors import InputError, UnknownCountryError
from corridor.store import ingest
from tests.conftest import digest

HEADER = "t,nat,n\n"
VALID = HEADER + "2023-01-01,HND,5\n2023-02-01,CUB,7\n"


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def seeded(db: Path, tmp_path: Path) -> Path:
    """A store holding one valid Honduras file; returns the store path."""
    (res,) = ingest(db, [write(tmp_path / "valid", "irreg_honduras_nat.csv", VALID)])
    assert res.status == "new" and res.source == "gdidata.irreg_honduras_nat"
    return db


def fails(db: Path, path: Path, *, source: str | None = None) -> InputError:
    """Ingest ``path`` expecting an InputError; check the store did not change."""
    before = digest(db)
    with pytest.raises(InputError) as info:
        ingest(db, [path], source=source)
    assert digest(db) == before
    message = str(info.value)
    assert "\n" not in message
    assert path.name in message
    return info.value


@pytest.mark.parametrize(
    "cell, reason",
    [
        ("2023-02-15", "first day of a month"),
        ("2023-13-01", "first day of a month"),
        ("15/02/2023", "first day of a month"),
        ("2023-02", "first day of a month"),
    ],
)
def test_date_not_first_of_month(seeded: Path, tmp_path: Path, cell: str, reason: str) -> None:
    path = write(tmp_path, "irreg_honduras_nat.csv", HEADER + f"2023-01-01,HND,5\n{cell},CUB,7\n")
    err = fails(seeded, path)
    message = str(err)
    assert "row 3" in message and "column `t`" in message and f"value `{cell}`" in message
    assert reason in message
    assert err.where.row == 3 and err.where.column == "t" and err.where.value == cell


@pytest.mark.parametrize(
    "cell, reason",
    [
        ("12.5", "not a whole number"),
        ("1,2", "not a whole number"),
        ("seven", "not a whole number"),
        ("-3", "negative"),
    ],
)
def test_count_not_a_whole_number(seeded: Path, tmp_path: Path, cell: str, reason: str) -> None:
    quoted = f'"{cell}"' if "," in cell else cell
    path = write(
        tmp_path, "irreg_honduras_nat.csv", HEADER + f"2023-01-01,HND,5\n2023-02-01,CUB,{quoted}\n"
    )
    message = str(fails(seeded, path))
    assert "row 3" in message and "column `n`" in message and f"value `{cell}`" in message
    assert reason in message


def test_blank_count(seeded: Path, tmp_path: Path) -> None:
    path = write(tmp_path, "irreg_honduras_nat.csv", HEADER + "2023-01-01,HND,\n")
    message = str(fails(seeded, path))
    assert "row 2" in message and "column `n`" in message and "blank" in message


def test_unknown_nationality_suggests(seeded: Path, tmp_path: Path) -> None:
    path = write(
        tmp_path, "irreg_honduras_nat.csv", HEADER + "2023-01-01,HND,5\n2023-02-01,VENN,7\n"
    )
    err = fails(seeded, path)
    assert isinstance(err, UnknownCountryError)
    message = str(err)
    assert "row 3" in message and "column `nat`" in message and "value `VENN`" in message
    assert "did you mean" in message
    assert any("(VEN)" in s for s in err.suggestions)


def test_header_fitting_two_sources_needs_source(seeded: Path, tmp_path: Path) -> None:
    path = write(tmp_path, "series.csv", VALID)
    message = str(fails(seeded, path))
    assert "several sources" in message and "--source" in message
    assert "gdidata.irreg_honduras_nat" in message and "gdidata.irreg_mexico_nat" in message
    assert "row 1" in message and "value `t,nat,n`" in message


def test_file_name_breaks_the_tie(db: Path, tmp_path: Path) -> None:
    (mex,) = ingest(db, [write(tmp_path, "irreg_mexico_nat.csv", VALID)])
    assert mex.source == "gdidata.irreg_mexico_nat"
    (forced,) = ingest(
        db, [write(tmp_path, "series.csv", VALID)], source="gdidata.irreg_honduras_nat"
    )
    assert forced.source == "gdidata.irreg_honduras_nat" and forced.status == "new"
    geos = corridor.open(db).sql("SELECT DISTINCT geo FROM flows ORDER BY 1")["geo"].tolist()
    assert geos == ["HND", "MEX"]


@pytest.mark.parametrize(
    "source, missing",
    [
        ("gdidata.irreg_darien_nat", ["`q`"]),
        ("gdidata.irreg_mexico_exp", ["`type`"]),
        ("cbp.encounters", ["`citizenship`", "`encounter_count`", "`fiscal_year`"]),
    ],
)
def test_forcing_the_wrong_source_names_missing_columns(
    seeded: Path, tmp_path: Path, source: str, missing: list[str]
) -> None:
    path = write(tmp_path, "series.csv", VALID)
    message = str(fails(seeded, path, source=source))
    assert f"does not fit source `{source}`" in message
    assert "missing" in message and all(m in message for m in missing)
    assert "row 1" in message


def test_unknown_forced_source(seeded: Path, tmp_path: Path) -> None:
    path = write(tmp_path, "series.csv", VALID)
    before = digest(seeded)
    with pytest.raises(InputError, match="unknown source") as info:
        ingest(seeded, [path], source="gdidata.nope")
    assert "gdidata.irreg_honduras_nat" in str(info.value) and "\n" not in str(info.value)
    assert digest(seeded) == before


def test_extra_column_is_an_unknown_layout(seeded: Path, tmp_path: Path) -> None:
    path = write(tmp_path, "irreg_honduras_nat.csv", "t,nat,n,extra\n2023-01-01,HND,5,x\n")
    message = str(fails(seeded, path))
    assert "unknown column set" in message and "row 1" in message


def test_unknown_demographic_label(seeded: Path, tmp_path: Path) -> None:
    path = write(
        tmp_path, "irreg_darien_dmg.csv", "t,q,demog,n\n2023-01-01,2023-01-01,men,5\n"
        "2023-01-01,2023-01-01,kids,3\n",
    )  # fmt: skip
    message = str(fails(seeded, path))
    assert "row 3" in message and "column `demog`" in message and "value `kids`" in message
    assert "`boys`" in message  # the expected labels are listed


def test_one_bad_file_among_good_ones_writes_nothing(seeded: Path, tmp_path: Path) -> None:
    good = write(tmp_path / "good", "irreg_mexico_nat.csv", VALID)
    bad = write(tmp_path, "irreg_honduras_nat.csv", HEADER + "2023-03-01,HND,12.5\n")
    before = digest(seeded)
    with pytest.raises(InputError, match=re.escape("irreg_honduras_nat.csv, row 2")):
        ingest(seeded, [good, bad])
    assert digest(seeded) == before
    assert len(corridor.open(seeded).releases()) == 1


def test_repeated_key_is_summed_with_a_note(seeded: Path, tmp_path: Path) -> None:
    path = write(
        tmp_path, "irreg_honduras_nat.csv",
        HEADER + "2023-01-01,HND,5\n2023-01-01,HND,7\n2023-02-01,CUB,1\n",
    )  # fmt: skip
    (res,) = ingest(seeded, [path])
    assert res.status == "new"
    assert res.rows == 2 and res.total == 13
    assert len(res.notes) == 1
    assert "(t, nat)" in res.notes[0] and "added" in res.notes[0]
    df = corridor.open(seeded).flows(by=["period", "nat"])
    got = {
        (f"{p:%Y-%m}", nat): int(n)
        for p, nat, n in zip(df["period"], df["nat"], df["n"], strict=True)
    }
    # the revision replaces the valid file's months
    assert got == {("2023-01", "HND"): 12, ("2023-02", "CUB"): 1}
