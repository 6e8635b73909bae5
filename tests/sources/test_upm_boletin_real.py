"""UPM fixtures hold real counts: they must match IOM gdidata's copies of the same tables.

Skipped when ../shared (the real data) is absent.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from corridor.store import Store, ingest
from tests.sources.test_upm_boletin import (
    DMG_2024,
    DMG_TEXT,
    NAT_2019,
    NAT_2024,
    NAT_CSV,
    NAT_TEXT,
    RET_2024,
    RET_TEXT,
)

SEX = {"male": "M", "female": "F"}
# gdidata.irreg_mexico_dmg's age groups -> (age, family), as its connector maps them
AGE = {
    "18+": ("adult", ""),
    "12-17": ("minor", ""),
    "under 12, accompanied": ("minor", "accompanied_minor"),
    "under 12, unaccompanied": ("minor", "unaccompanied_minor"),
}
# gdidata.irreg_mexico_exp's types -> (event, age)
TYPE = {
    "deportation": ("deportation", ""),
    "assisted return": ("assisted_return", ""),
    "assisted return of children": ("assisted_return", "minor"),
}


@pytest.fixture
def real(shared_data: Path) -> Path:
    folder = shared_data / "real"
    for name in ("irreg_mexico_nat.csv", "irreg_mexico_dmg.csv", "irreg_mexico_exp.csv"):
        if not (folder / name).exists():
            pytest.skip(f"{folder / name} is absent")
    return folder


def gdi(path: Path, key: list[str]) -> pd.DataFrame:
    raw = pd.read_csv(path, keep_default_na=False)
    raw["period"] = pd.to_datetime(raw["t"]).dt.date
    raw["n"] = raw["n"].astype(float).astype(int)
    return raw.groupby(["period", *key], as_index=False)["n"].sum()  # GIN, FRA appear twice


def mine(db: Path, files: list[Path], columns: str) -> pd.DataFrame:
    ingest(db, files)
    out = Store(db).sql(f"SELECT period, {columns}, n FROM flows_all")
    out["period"] = pd.to_datetime(out["period"]).dt.date
    return out


def assert_same(ours: pd.DataFrame, theirs: pd.DataFrame, key: list[str]) -> None:
    """Every cell of ours is gdidata's; gdidata has no other cell in our months."""
    ours = ours[ours["n"] > 0]  # gdidata leaves out UPM's `-`
    theirs = theirs[theirs["period"].isin(set(ours["period"]))]
    joined = ours.merge(theirs[[*key, "n"]], on=key, how="outer", suffixes=("", "_gdi"))
    differ = joined[joined["n"] != joined["n_gdi"]]
    assert differ.empty, differ


@pytest.mark.shared
def test_nationality_2024_equals_gdidata(real: Path, db: Path) -> None:
    ours = mine(db, [NAT_2024], "nat")
    theirs = gdi(real / "irreg_mexico_nat.csv", ["nat"])
    named = ours[ours["nat"] != "OTH"]
    assert_same(named, theirs[theirs["nat"].isin(set(named["nat"]))], ["period", "nat"])
    jan = named[named["period"] == pd.Timestamp("2024-01-01").date()].set_index("nat")["n"]
    assert (jan["VEN"], jan["HND"], jan["GTM"]) == (20111, 14335, 15587)
    # the printed grand total is 3.1.3's; gdidata's nationality rows add up to less
    totals = ours.groupby("period")["n"].sum()
    dmg = gdi(real / "irreg_mexico_dmg.csv", []).set_index("period")["n"]
    nat = theirs.groupby("period")["n"].sum()
    assert totals.tolist() == dmg[totals.index].tolist() == [113839, 118865, 117973]
    assert (totals - nat[totals.index]).tolist() == [492, 531, 306]


@pytest.mark.shared
@pytest.mark.parametrize("fixture", [NAT_TEXT, NAT_CSV, NAT_2019], ids=lambda p: p.stem)
def test_nationality_text_csv_and_blocks_equal_gdidata(real: Path, db: Path, fixture: Path) -> None:
    ours = mine(db, [fixture], "nat")
    theirs = gdi(real / "irreg_mexico_nat.csv", ["nat"])
    # gdidata's `OOO` row (January 2025) is the fixture's `No especificado`
    theirs["nat"] = theirs["nat"].replace({"OOO": "UNK"})
    named = ours[ours["nat"] != "OTH"]
    assert_same(named, theirs[theirs["nat"].isin(set(named["nat"]))], ["period", "nat"])
    totals = ours.groupby("period")["n"].sum()
    assert totals.tolist() == theirs.groupby("period")["n"].sum()[totals.index].tolist()


@pytest.mark.shared
@pytest.mark.parametrize("fixture", [DMG_2024, DMG_TEXT], ids=lambda p: p.stem)
def test_sex_age_equals_gdidata(real: Path, db: Path, fixture: Path) -> None:
    theirs = gdi(real / "irreg_mexico_dmg.csv", ["sex", "age"])
    theirs["sex"] = theirs["sex"].map(SEX)
    theirs["family"] = theirs["age"].map(lambda a: AGE[a][1])
    theirs["age"] = theirs["age"].map(lambda a: AGE[a][0])
    ours = mine(db, [fixture], "sex, age, family")
    assert len(ours) == 8 * ours["period"].nunique()
    assert_same(ours, theirs, ["period", "sex", "age", "family"])


@pytest.mark.shared
@pytest.mark.parametrize("fixture", [RET_2024, RET_TEXT], ids=lambda p: p.stem)
def test_returns_equal_gdidata(real: Path, db: Path, fixture: Path) -> None:
    theirs = gdi(real / "irreg_mexico_exp.csv", ["nat", "type"])
    theirs["event"] = theirs["type"].map(lambda t: TYPE[t][0])
    theirs["age"] = theirs["type"].map(lambda t: TYPE[t][1])
    ours = mine(db, [fixture], "nat, event, age")
    assert_same(ours, theirs, ["period", "nat", "event", "age"])


@pytest.mark.shared
def test_upm_and_gdidata_are_one_overlap_group(real: Path, db: Path) -> None:
    gdidata = [real / f"irreg_mexico_{s}.csv" for s in ("nat", "dmg", "exp")]
    ingest(db, [*gdidata, NAT_2024, DMG_2024, RET_2024])
    store = Store(db)
    jan = store.flows(geo="MEX", event="irregular_presence", start="2024-01", end="2024-01",
                      by=("source",))  # fmt: skip
    assert jan.values.tolist() == [["upm.boletin_3_1_1", 113839]]
    by_sex = store.flows(geo="MEX", start="2024-01", end="2024-01", by=("sex", "source"),
                         event="irregular_presence")  # fmt: skip
    assert set(by_sex["source"]) == {"upm.boletin_3_1_3"} and by_sex["n"].sum() == 113839
    returns = store.flows(geo="MEX", event="deportation,assisted_return", start="2024-03",
                          end="2024-03", by=("source",))  # fmt: skip
    assert returns.values.tolist() == [["upm.boletin_3_2_4", 1837]]
    # months the boletín files do not cover come from gdidata
    earlier = store.flows(geo="MEX", event="irregular_presence", start="2023-12", end="2023-12",
                          by=("source",))  # fmt: skip
    assert earlier["source"].tolist() == ["gdidata.irreg_mexico_nat"]
