"""INM fixtures hold real monthly counts: they must match IOM gdidata's copy of the dashboard.

Skipped when ../shared (the real data) is absent.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from corridor.store import Store, ingest
from tests.sources.test_inm_honduras import BOM_TOTAL, DOTS, EN_BLANCO, SEX_AGE, UPPER

DEMOG = {
    "men": ("M", "adult"),
    "women": ("F", "adult"),
    "boys": ("M", "minor"),
    "girls": ("F", "minor"),
}


@pytest.fixture
def real(shared_data: Path) -> Path:
    folder = shared_data / "real"
    for name in ("irreg_honduras.csv", "irreg_honduras_nat.csv", "irreg_honduras_dmg.csv"):
        if not (folder / name).exists():
            pytest.skip(f"{folder / name} is absent")
    return folder


def gdi(path: Path) -> pd.DataFrame:
    raw = pd.read_csv(path, keep_default_na=False)
    raw["period"] = pd.to_datetime(raw["t"]).dt.date
    raw["n"] = raw["n"].astype(float).astype(int)
    return raw


def mine(db: Path, files: list[Path], columns: str) -> pd.DataFrame:
    ingest(db, files)
    out = Store(db).sql(f"SELECT period, {columns}, n FROM flows_all")  # every release
    out["period"] = pd.to_datetime(out["period"]).dt.date
    return out


def assert_same(ours: pd.DataFrame, theirs: pd.DataFrame, key: list[str]) -> None:
    joined = ours.merge(theirs[[*key, "n"]], on=key, how="left", suffixes=("", "_gdi"))
    assert joined["n_gdi"].notna().all(), joined[joined["n_gdi"].isna()]
    assert (joined["n"] == joined["n_gdi"]).all(), joined[joined["n"] != joined["n_gdi"]]


@pytest.mark.shared
def test_monthly_totals_equal_gdidata(real: Path, db: Path) -> None:
    ours = mine(db, [BOM_TOTAL, DOTS], "source")
    assert len(ours) == 6 + 12  # October-December 2023 are in both files
    assert_same(ours, gdi(real / "irreg_honduras.csv"), ["period"])


@pytest.mark.shared
def test_men_women_boys_girls_equal_gdidata(real: Path, db: Path) -> None:
    theirs = gdi(real / "irreg_honduras_dmg.csv")
    theirs["sex"] = theirs["demog"].map(lambda d: DEMOG[d][0])
    theirs["age"] = theirs["demog"].map(lambda d: DEMOG[d][1])
    ours = mine(db, [SEX_AGE], "sex, age")
    assert len(ours) == 12
    assert_same(ours, theirs, ["period", "sex", "age"])


@pytest.mark.shared
def test_nationalities_equal_gdidata(real: Path, db: Path) -> None:
    ours = mine(db, [EN_BLANCO, UPPER], "nat")
    ours = ours[ours["nat"] != "UNK"]  # the (En blanco) rows are made up
    assert len(ours) == 18 + 10
    assert_same(ours, gdi(real / "irreg_honduras_nat.csv"), ["period", "nat"])


@pytest.mark.shared
def test_inm_and_gdidata_are_one_overlap_group(real: Path, db: Path) -> None:
    gdidata = [real / f"irreg_honduras{s}.csv" for s in ("", "_nat", "_dmg")]
    ingest(db, [*gdidata, BOM_TOTAL, SEX_AGE])
    store = Store(db)
    jan = store.flows(geo="HND", start="2024-01", end="2024-01", by=("source",))
    assert jan.values.tolist() == [["inm_hn.irregular", 38495]]
    by_sex = store.flows(geo="HND", start="2024-01", end="2024-01", by=("sex", "source"))
    assert set(by_sex["source"]) == {"inm_hn.irregular_dmg"}
    assert int(by_sex["n"].sum()) == 38495
    # months the exports do not cover come from gdidata
    earlier = store.flows(geo="HND", start="2023-09", end="2023-09", by=("source",))
    assert earlier["source"].tolist() == ["gdidata.irreg_honduras"]
