"""SNM Darién tables by sex and condition (adults/minors), as gdidata.irreg_darien_dmg maps them."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridor.errors import InputError
from corridor.sources.snm_darien import DarienCondition
from corridor.store import Store, ingest
from tests.conftest import FIXTURES, digest

FIX = FIXTURES / "snm_darien"
DMG = DarienCondition()
TOTAL_2023 = [24634, 24657, 38099, 40297, 38962, 29722, 55387, 81946, 75268, 49256, 37231, 24626]


def test_sex_and_age_2023(db: Path) -> None:
    ingest(db, [FIX / "condition_sex_age.xlsx"])
    store = Store(db)
    groups = store.sql("SELECT sex, age, nat, sum(n) AS n FROM flows GROUP BY ALL ORDER BY 1, 2")
    assert groups[["sex", "age", "nat"]].values.tolist() == [
        ["F", "adult", "UNK"], ["F", "minor", "UNK"], ["M", "adult", "UNK"],
        ["M", "minor", "UNK"],
    ]  # fmt: skip
    assert int(groups["n"].sum()) == 520_085
    by_month = store.sql("SELECT period, sum(n) AS n FROM flows GROUP BY 1 ORDER BY 1")
    assert by_month["n"].tolist() == TOTAL_2023
    totals = store.sql("SELECT what, published, computed FROM declared_totals")
    assert (totals["published"] == totals["computed"]).all()
    whats = set(totals["what"])
    assert {"Total", "Adultos", "Menores", "Menores / Hombres, year 2023"} <= whats


def test_men_and_women_only_before_2023_have_no_age(db: Path) -> None:
    ingest(db, [FIX / "condition_sex_only.xlsx"])
    groups = Store(db).sql("SELECT sex, age, sum(n) AS n FROM flows GROUP BY ALL ORDER BY 1")
    assert groups[["sex", "age"]].values.tolist() == [["F", ""], ["M", ""]]
    assert int(groups["n"].sum()) == 248_284


def test_condition_table_from_pdf_text_reads_like_the_workbook() -> None:
    book = DMG.parse(FIX / "condition_sex_age.xlsx").rows
    for name in ("pdf_condition_table.txt", "pdf_text_layout.txt"):
        text = DMG.parse(FIX / name).rows
        key = ["period", "sex", "age"]
        assert text.sort_values(key).values.tolist() == book.sort_values(key).values.tolist()


def test_both_tables_of_one_pdf_text_do_not_double_count(db: Path) -> None:
    path = FIX / "pdf_text_layout.txt"
    (nat,) = ingest(db, [path])
    (dmg,) = ingest(db, [path], source="snm.darien_dmg")
    assert (nat.source, dmg.source) == ("snm.darien_nat", "snm.darien_dmg")
    assert nat.total == dmg.total == 520_085
    assert any("--source snm.darien_dmg" in n for n in nat.notes)
    store = Store(db)
    assert int(store.flows(by="year")["n"].sum()) == 520_085  # one source per group
    by_sex = store.flows(by="sex")
    assert int(by_sex["n"].sum()) == 520_085


def test_unknown_category_fails(db: Path, tmp_path: Path) -> None:
    text = (FIX / "pdf_condition_table.txt").read_text(encoding="utf-8")
    bad = tmp_path / "cond.txt"
    bad.write_text(text.replace("  Menores   ", "  Niñez     "), encoding="utf-8")
    with pytest.raises(InputError) as err:
        ingest(db, [bad])
    assert "unknown category in the condition table — the layout changed" in str(err.value)
    assert err.value.where.value == "Niñez"
    assert digest(db) is None
