"""SNM Darién tables by region and country: the 2023 year and one fixture per quirk."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from corridor.sources import registry
from corridor.sources.document import Probe
from corridor.sources.gdidata.datasets import DATASETS
from corridor.sources.snm_darien import FLAGS_TABLE, DarienNationality
from corridor.store import Store, ingest
from tests.conftest import FIXTURES

FIX = FIXTURES / "snm_darien"
NAT = DarienNationality()
# The SNM's published 2023 figures (the same as in make_fixtures.py).
TOTAL_2023 = [24634, 24657, 38099, 40297, 38962, 29722, 55387, 81946, 75268, 49256, 37231, 24626]
VEN_2023 = [2337, 7097, 20816, 25395, 26409, 18501, 38033, 62700, 58716, 34594, 22547, 11505]


def store_of(db: Path, *files: str, source: str | None = None) -> Store:
    ingest(db, [FIX / f for f in files], source=source)
    return Store(db)


def monthly(store: Store, where: str = "TRUE") -> list[int]:
    df = store.sql(f"SELECT period, sum(n) AS n FROM flows WHERE {where} GROUP BY 1 ORDER BY 1")
    return [int(n) for n in df["n"]]


def totals(store: Store) -> pd.DataFrame:
    return store.sql("SELECT what, period, published, computed, file_row, file_column "
                     "FROM declared_totals")  # fmt: skip


def printed(store: Store, what: str) -> int:
    df = totals(store)
    return int(df.loc[df["what"] == what, "published"].iloc[0])


def test_2023_workbook_reproduces_the_published_year(db: Path) -> None:
    store = store_of(db, "year_2023.xlsx")
    assert monthly(store) == TOTAL_2023
    assert monthly(store, "nat = 'VEN'") == VEN_2023
    total = store.sql("SELECT sum(n) AS n FROM flows")["n"].iloc[0]
    assert total == 520_085 == printed(store, "Total, year 2023")
    assert store.sql("SELECT sum(n) AS n FROM flows WHERE nat = 'VEN'")["n"].iloc[0] == 328_650
    assert printed(store, "Venezuela, year 2023") == 328_650
    df = totals(store)
    assert (df["published"] == df["computed"]).all()
    one = store.sql("SELECT DISTINCT freq, geo, agency, area, event, unit, source FROM flows")
    assert one.values.tolist() == [["M", "PAN", "SNM", "darien", "irregular_transit", "persons",
                                    "snm.darien_nat"]]  # fmt: skip


def test_pdf_text_and_pdf_read_like_the_workbook() -> None:
    """`pdftotext -layout` text (2 pages, repeated headers) and the PDF via pypdf."""
    book = NAT.parse(FIX / "year_2023.xlsx")
    for name in ("pdf_text_layout.txt", "pdf_direct.pdf"):
        other = NAT.parse(FIX / name)
        key = ["period", "nat"]
        left = book.rows.sort_values(key).reset_index(drop=True)
        right = other.rows.sort_values(key).reset_index(drop=True)
        pd.testing.assert_frame_equal(left, right)
        assert [(t.what, t.period, t.published) for t in other.totals] == [
            (t.what, t.period, t.published) for t in book.totals
        ]
    pdf_notes = NAT.parse(FIX / "pdf_direct.pdf").notes
    assert any(n.startswith("rows of a PDF are lines of its text") for n in pdf_notes)


def test_pdf_text_names_with_spaces_and_page_breaks(db: Path) -> None:
    store = store_of(db, "pdf_text_layout.txt")
    codes = set(store.sql("SELECT DISTINCT nat FROM flows")["nat"])
    assert {"COD", "COG", "DOM", "BFA", "OTH"} <= codes  # Rep. Dem. del Congo, Rep. del Congo
    # rows after the repeated institution lines, title and header of page 2 are read
    assert monthly(store) == TOTAL_2023
    df = totals(store)
    assert (df["published"] == df["computed"]).all()


def test_2023_matches_gdidata_venezuelans_by_month(shared_data: Path) -> None:
    real = pd.read_csv(shared_data / "real" / "irreg_darien_nat.csv", parse_dates=["t"])
    ven = real[(real["nat"] == "VEN") & (real["t"].dt.year == 2023)]
    expected = ven.groupby("t")["n"].sum().astype(int).tolist()
    for name in ("year_2023.xlsx", "pdf_text_layout.txt"):
        rows = NAT.parse(FIX / name).rows
        got = rows[rows["nat"] == "VEN"].sort_values("period")["n"].tolist()
        assert got == expected
    year = real[real["t"].dt.year == 2023].groupby("t")["n"].sum().astype(int).tolist()
    assert year == TOTAL_2023


def test_zeros_printed_as_dashes(db: Path) -> None:
    store = store_of(db, "zeros_as_dashes.xlsx")
    cmr = store.sql("SELECT month(period) AS m, n FROM flows WHERE nat = 'CMR' ORDER BY 1")
    assert dict(zip(cmr["m"], cmr["n"], strict=True)) == {
        m: {3: 3, 8: 5}.get(m, 0) for m in range(1, 13)
    }
    assert printed(store, "Camerún, year 2024") == 8
    assert store.sql("SELECT sum(n) AS n FROM flows")["n"].iloc[0] == printed(
        store, "Total, year 2024"
    )


def test_thousands_commas_in_text_cells() -> None:
    as_text = NAT.parse(FIX / "thousands_commas.xlsx")
    as_numbers = NAT.parse(FIX / "region_subtotals.xlsx")  # the same table, numeric cells
    pd.testing.assert_frame_equal(as_text.rows, as_numbers.rows)
    assert int(as_text.rows["n"].sum()) == 157_323
    assert all(t.agrees for t in as_text.totals)


def test_region_subtotals_are_checked_not_counted(db: Path) -> None:
    store = store_of(db, "region_subtotals.xlsx")
    total = store.sql("SELECT sum(n) AS n FROM flows")["n"].iloc[0]
    assert total == printed(store, "Total, year 2024") == 157_323  # not doubled by regions
    df = totals(store)
    regions = {"América del Sur", "Caribe", "Asia", "África"}
    checked = df[df["what"].isin(regions)]
    assert set(checked["what"]) == regions and len(checked) == 4 * 12
    assert (checked["published"] == checked["computed"]).all()
    # `Otros países`, printed after the last region, is counted once and not in África
    africa = df[df["what"] == "África, year 2024"].iloc[0]
    cmr = store.sql("SELECT sum(n) AS n FROM flows WHERE nat = 'CMR'")["n"].iloc[0]
    assert africa["published"] == africa["computed"] == cmr
    assert store.sql("SELECT count(*) AS c FROM flows WHERE nat = 'OTH'")["c"].iloc[0] == 12


def test_footnote_rows_keep_their_country_and_a_flag(db: Path) -> None:
    store = store_of(db, "footnote_flag_rows.xlsx")
    by_nat = store.sql("SELECT nat, sum(n) AS n FROM flows GROUP BY 1 ORDER BY 1")
    assert dict(zip(by_nat["nat"], by_nat["n"], strict=True)) == {
        "BRA": 75, "CHL": 60, "HTI": 500, "OTH": 9, "VEN": 1700,
    }  # fmt: skip
    flags = store.sql(f"SELECT year, nat, flag, footnote, label FROM {FLAGS_TABLE} ORDER BY nat")
    assert flags.values.tolist() == [
        [2023, "BRA", "children_of_haitians",
         "Hijos de ciudadanos haitianos nacidos en Brasil/Chile.", "Brasil (1)"],
        [2023, "CHL", "children_of_haitians",
         "Hijos de ciudadanos haitianos nacidos en Brasil/Chile.", "Chile (1)"],
    ]  # fmt: skip
    notes = NAT.parse(FIX / "footnote_flag_rows.xlsx").notes
    assert any("«Hijos de ciudadanos haitianos" in n and "BRA, CHL" in n for n in notes)


@pytest.mark.parametrize("name", ["partial_year.xlsx", "partial_year_blank_months.xlsx"])
def test_partial_year_has_the_months_so_far(db: Path, name: str) -> None:
    store = store_of(db, name)
    periods = store.sql("SELECT DISTINCT period FROM flows ORDER BY 1")["period"]
    assert [p.date() for p in periods] == [date(2024, m, 1) for m in range(1, 7)]
    assert store.sql("SELECT sum(n) AS n FROM flows")["n"].iloc[0] == printed(
        store, "Total, year 2024"
    )
    notes = NAT.parse(FIX / name).notes
    assert any("`Ene.` to `Jun.` are published" in n for n in notes)


def test_total_row_that_disagrees_is_recorded(db: Path) -> None:
    (res,) = ingest(db, [FIX / "total_disagrees.xlsx"])
    assert res.status == "new"
    store = Store(db)
    df = totals(store)
    bad = df[df["published"] != df["computed"]]
    assert bad[["what", "file_row", "file_column"]].values.tolist() == [
        ["Total", 7, "Mar."], ["Total, year 2024", 7, "Total"],
    ]  # fmt: skip
    assert (bad["published"] - bad["computed"]).tolist() == [100, 100]
    assert store.sql("SELECT sum(n) AS n FROM flows")["n"].iloc[0] == bad["computed"].iloc[1]
    assert any("2 printed total(s) disagree" in n and "row 7" in n for n in res.notes)


def test_sniffing_picks_the_table_kind() -> None:
    assert registry.sniff(Probe.read(FIX / "year_2023.xlsx")) is registry.get("snm.darien_nat")
    assert registry.sniff(Probe.read(FIX / "pdf_direct.pdf")) is registry.get("snm.darien_nat")
    # a PDF text holding both tables goes to the country table; --source reads the other
    both = Probe.read(FIX / "pdf_text_layout.txt")
    assert registry.sniff(both) is registry.get("snm.darien_nat")
    assert registry.sniff(Probe.read(FIX / "condition_sex_age.xlsx")) is registry.get(
        "snm.darien_dmg"
    )
    assert not NAT.sniff(Probe.read(FIXTURES / "cbp" / "valid.csv"))


def test_same_overlap_group_as_gdidata() -> None:
    gdi = {d.info.id: d.info for d in DATASETS}
    nat, dmg = registry.get("snm.darien_nat").info, registry.get("snm.darien_dmg").info
    assert nat.group == dmg.group == gdi["gdidata.irreg_darien_nat"].group
    assert nat.dims == gdi["gdidata.irreg_darien_nat"].dims
    assert dmg.dims == {"area", "sex", "age"}
    assert nat.priority < gdi["gdidata.irreg_darien_nat"].priority
    assert dmg.priority < gdi["gdidata.irreg_darien_dmg"].priority
    assert nat.publication is not None and nat.publication.page.startswith("https://www.migr")
