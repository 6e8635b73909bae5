"""The MMP fixture holds every real incident in Panama in March 2024: it must match gdidata's copy.

Skipped when ../shared (the real data) is absent.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from corridor.store import Store, ingest
from tests.sources.test_iom_mmp import SEVERAL, WORKBOOK


@pytest.fixture
def real(shared_data: Path) -> Path:
    path = shared_data / "real" / "iom_mmp.csv"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    return path


def gdi_month(path: Path, geo: str, month: str) -> pd.DataFrame:
    raw = pd.read_csv(path, keep_default_na=False, dtype=str)
    raw = raw[(raw["geo"] == geo) & (raw["m"] == month)].copy()
    raw["n"] = raw["dead"].astype(float).astype(int)
    return raw.groupby(["route", "nat"], as_index=False)["n"].sum()


PAN_MARCH = (
    "SELECT place, nat, sum(n) AS n FROM flows_all WHERE source = '{}' AND geo = 'PAN' "
    "AND period = DATE '2024-03-01' GROUP BY ALL ORDER BY ALL"
)


@pytest.mark.shared
def test_panama_march_2024_equals_gdidata(real: Path, db: Path, tmp_path: Path) -> None:
    assert int(gdi_month(real, "PAN", "2024-03-01")["n"].sum()) == 17  # the raw file
    ingest(db, [SEVERAL])
    ours = Store(db).sql(PAN_MARCH.format("iom_mmp.global")).values.tolist()
    gdi = tmp_path / "gdi.duckdb"
    ingest(gdi, [real])
    theirs = Store(gdi).sql(PAN_MARCH.format("gdidata.iom_mmp")).values.tolist()
    # by route and nationality, several origins under OTH in both
    assert ours == theirs
    assert ["Central American Route", "OTH", 10] in ours


@pytest.mark.shared
def test_one_overlap_group_with_gdidata(real: Path, db: Path) -> None:
    ingest(db, [real, WORKBOOK, SEVERAL])
    store = Store(db)
    march = store.flows(geo="PAN", start="2024-03", end="2024-03", by=("source",))
    assert march.values.tolist() == [["iom_mmp.global", 17]]
    # months the download does not cover come from gdidata, counted once
    feb = store.flows(geo="PAN", start="2024-02", end="2024-02", by=("source",))
    assert feb["source"].tolist() == ["gdidata.iom_mmp"]
    both = store.flows(geo="PAN", start="2024-02", end="2024-03", by=("nat",))
    assert int(both["n"].sum()) == 17 + int(gdi_month(real, "PAN", "2024-02-01")["n"].sum())
