"""IGM fixtures hold real monthly counts: they must match IOM gdidata's copy of the same tables.

Skipped when ../shared (the real data) is absent.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from corridor.store import Store, ingest
from tests.sources.test_igm_guatemala import DISAGREES, PARTIAL

SEX = {"male": "M", "female": "F"}
AGE = {
    "adult": ("adult", ""),
    "accompanied child": ("minor", "accompanied_minor"),
    "unaccompanied child": ("minor", "unaccompanied_minor"),
}
KEY = ["period", "partner", "sex", "age", "family"]


@pytest.fixture
def gdidata(shared_data: Path) -> Path:
    path = shared_data / "real" / "irreg_guatemala.csv"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    return path


def gdidata_cells(path: Path) -> pd.DataFrame:
    """gdidata's rows in canonical terms (as gdidata.irreg_guatemala maps them)."""
    raw = pd.read_csv(path, keep_default_na=False)
    out = pd.DataFrame(
        {
            "period": pd.to_datetime(raw["t"]).dt.date,
            "partner": raw["origin"],
            "sex": raw["sex"].map(SEX),
            "age": raw["age"].map(lambda a: AGE[a][0]),
            "family": raw["age"].map(lambda a: AGE[a][1]),
            "n": raw["n"].astype(float).astype(int),
        }
    )
    return out


@pytest.mark.shared
def test_fixture_cells_equal_gdidata(gdidata: Path, db: Path) -> None:
    ingest(db, [PARTIAL, DISAGREES])
    mine = Store(db).sql(f"SELECT {', '.join(KEY)}, n FROM flows")
    mine["period"] = pd.to_datetime(mine["period"]).dt.date
    joined = mine.merge(gdidata_cells(gdidata), on=KEY, how="left", suffixes=("", "_gdi"))
    assert len(joined) == 36 + 12
    assert joined["n_gdi"].notna().all(), joined[joined["n_gdi"].isna()]
    assert (joined["n"] == joined["n_gdi"]).all(), joined[joined["n"] != joined["n_gdi"]]


@pytest.mark.shared
def test_igm_and_gdidata_are_one_overlap_group(gdidata: Path, db: Path) -> None:
    """Both in one store: a query counts each return once and prefers IGM's own tables."""
    ingest(db, [gdidata, PARTIAL])
    store = Store(db)
    q1 = store.flows(geo="GTM", start="2023-01", end="2023-03", by=("source",))
    assert q1.values.tolist() == [["igm.returns", 22465]]
    # months the workbook does not cover still come from gdidata
    april = store.flows(geo="GTM", start="2023-04", end="2023-04", by=("source",))
    assert april["source"].tolist() == ["gdidata.irreg_guatemala"]
    both = store.flows(geo="GTM", start="2023-01", end="2023-03", by=("partner",), all_sources=True)
    assert int(both["n"].sum()) == 2 * 22465
