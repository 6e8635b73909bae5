"""All of gdidata's real series in one store: the published facts, overlaps, contract.

The store is built once per module from ``../shared/data/real/*.csv`` (read in
place, never copied); every test here only reads it. Skipped when the shared
data is absent.
"""

from __future__ import annotations

import csv
import shutil
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

import corridor
from corridor.canonical import schema
from corridor.countries import is_iso3
from corridor.sources.registry import SOURCES
from corridor.store import IngestResult, ingest
from tests.conftest import SHARED, digest

REAL = SHARED / "real"
AGENCIES = {"USBP", "OFO", "SNM", "INM-HN", "IGM", "UPM", "IOM-MMP"}


@dataclass(frozen=True)
class RealStore:
    db: Path
    files: list[Path]
    results: list[IngestResult]

    def store(self) -> corridor.Store:
        return corridor.open(self.db)


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> RealStore:
    """Every real gdidata file ingested once into a fresh store."""
    files = sorted(REAL.glob("*.csv")) if REAL.is_dir() else []
    if not files:
        pytest.skip(f"real agency data not found at {REAL} (../shared is absent)")
    db = tmp_path_factory.mktemp("gdidata") / "corridor.duckdb"
    results = ingest(db, files)
    return RealStore(db, files, results)


def raw_rows(name: str) -> list[dict[str, str]]:
    with (REAL / name).open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def whole(text: str) -> int:
    value = float(text)
    assert value == int(value)
    return int(value)


def by_period(df: pd.DataFrame) -> dict[str, int]:
    return {f"{p:%Y-%m}": int(n) for p, n in zip(df["period"], df["n"], strict=True)}


def distinct(store: corridor.Store, column: str, where: str = "TRUE") -> set[str]:
    df = store.sql(f"SELECT DISTINCT {column} AS v FROM flows WHERE {where}")
    return set(df["v"])


# --- the published facts -------------------------------------------------------------


def test_every_file_is_ingested_as_new(real: RealStore) -> None:
    assert [r.status for r in real.results] == ["new"] * len(real.files)
    sources = {r.path.name: r.source for r in real.results}
    assert sources["countrynames.csv"] == "gdidata.countrynames"
    assert sources["irreg_usa.csv"] == "gdidata.irreg_usa"
    assert sources["irreg_honduras_nat.csv"] == "gdidata.irreg_honduras_nat"
    assert sources["irreg_mexico_nat.csv"] == "gdidata.irreg_mexico_nat"


def test_usbp_southwest_encounters(real: RealStore) -> None:
    df = real.store().flows(
        agency="USBP", area="southwest_land_border", event="encounters",
        start="2023-12", end="2024-01",
    )  # fmt: skip
    assert by_period(df) == {"2023-12": 249_740, "2024-01": 124_215}


def test_all_cbp_southwest_encounters_peak_in_december_2023(real: RealStore) -> None:
    s = real.store()
    df = s.flows(geo="USA", area="southwest_land_border", event="encounters")
    months = by_period(df)
    assert months["2023-12"] == 301_981
    assert max(months.values()) == 301_981
    assert [m for m, n in months.items() if n == 301_981] == ["2023-12"]
    # USBP + OFO make up the whole month
    parts = s.flows(
        geo="USA", area="southwest_land_border", event="encounters", by=["agency"],
        start="2023-12", end="2023-12",
    )  # fmt: skip
    assert dict(zip(parts["agency"], parts["n"], strict=True)).keys() == {"USBP", "OFO"}
    assert int(parts["n"].sum()) == 301_981


def test_darien_transits_by_year(real: RealStore) -> None:
    s = real.store()
    df = s.flows(geo="PAN", event="irregular_transit", by=["year"], start="2023", end="2024")
    assert dict(zip(df["year"], df["n"], strict=True)) == {2023: 520_085, 2024: 302_203}
    ven = s.flows(geo="PAN", event="irregular_transit", nat="VEN", by=["year"],
                  start="2023", end="2023")  # fmt: skip
    assert ven["n"].tolist() == [328_650]
    by_nat = s.flows(geo="PAN", event="irregular_transit", by=["nat"], start="2023", end="2023")
    assert int(by_nat["n"].sum()) == 520_085
    assert dict(zip(by_nat["nat"], by_nat["n"], strict=True))["VEN"] == 328_650
    assert s.notes == []


def test_darien_by_sex_switches_to_the_sex_age_series(real: RealStore) -> None:
    s = real.store()
    df = s.flows(geo="PAN", event="irregular_transit", by=["source", "sex"],
                 start="2023", end="2023")  # fmt: skip
    assert set(df["source"]) == {"gdidata.irreg_darien_dmg"}
    assert set(df["sex"]) == {"F", "M"}
    assert int(df["n"].sum()) == 520_085
    assert s.notes == []
    # filtering on a dimension switches too
    women = s.flows(geo="PAN", event="irregular_transit", sex="F", by=["source"],
                    start="2023", end="2023")  # fmt: skip
    assert women["source"].tolist() == ["gdidata.irreg_darien_dmg"]


def test_darien_series_are_not_added_together(real: RealStore) -> None:
    s = real.store()
    plain = s.flows(geo="PAN", event="irregular_transit", by=[], start="2023", end="2023")
    assert plain["n"].tolist() == [520_085]
    chosen = s.flows(geo="PAN", event="irregular_transit", by=["source"],
                     start="2023", end="2023")  # fmt: skip
    assert chosen["source"].tolist() == ["gdidata.irreg_darien_nat"]
    both = s.flows(geo="PAN", event="irregular_transit", by=[], start="2023", end="2023",
                   all_sources=True)  # fmt: skip
    assert both["n"].tolist() == [2 * 520_085]


def test_honduras_total_series_and_nationality_breakdown(real: RealStore) -> None:
    s = real.store()
    expected: dict[str, int] = {}
    for row in raw_rows("irreg_honduras.csv"):
        if row["t"].startswith("2023-"):
            expected[row["t"][:7]] = whole(row["n"])
    assert len(expected) == 12
    df = s.flows(geo="HND", event="irregular_transit", by=["period", "source"],
                 start="2023-01", end="2023-12")  # fmt: skip
    assert set(df["source"]) == {"gdidata.irreg_honduras"}
    assert by_period(df) == expected

    nat_total = sum(
        whole(r["n"]) for r in raw_rows("irreg_honduras_nat.csv") if r["t"].startswith("2023-")
    )
    by_nat = s.flows(geo="HND", event="irregular_transit", by=["nat"], start="2023", end="2023")
    assert int(by_nat["n"].sum()) == nat_total
    assert s.notes == []
    used = s.flows(geo="HND", event="irregular_transit", by=["source", "nat"],
                   start="2023", end="2023")  # fmt: skip
    assert set(used["source"]) == {"gdidata.irreg_honduras_nat"}


def test_note_when_no_source_has_the_breakdown(real: RealStore) -> None:
    s = real.store()
    df = s.flows(geo="HND", event="irregular_transit", by=["family"], start="2023", end="2023")
    assert df["family"].tolist() == [""]
    assert len(s.notes) == 1
    assert "HND.irregular" in s.notes[0] and "family" in s.notes[0]
    # a query that every source can answer clears the notes again
    s.flows(geo="HND", event="irregular_transit", by=["year"], start="2023", end="2023")
    assert s.notes == []


def test_darien_annual_rows_then_monthly(real: RealStore) -> None:
    s = real.store()
    annual = s.flows(geo="PAN", event="irregular_transit", freq="A", by=["year"])
    assert annual["year"].tolist() == list(range(2010, 2020))
    expected: defaultdict[int, int] = defaultdict(int)
    for row in raw_rows("irreg_darien_nat.csv"):
        if row["t"] < "2020":
            assert row["t"].endswith("-01-01")
            expected[int(row["t"][:4])] += whole(row["n"])
    assert dict(zip(annual["year"], annual["n"], strict=True)) == expected
    first, last = s.sql(
        "SELECT min(period) AS a, max(period) AS b FROM flows "
        "WHERE source = 'gdidata.irreg_darien_nat' AND freq = 'M'"
    ).iloc[0]
    assert f"{first:%Y-%m}" == "2020-01"
    assert f"{last:%Y-%m}" == "2025-04"
    monthly = s.flows(geo="PAN", event="irregular_transit")
    assert f"{monthly['period'].min():%Y-%m}" == "2020-01"
    periods = s.sql(
        "SELECT DISTINCT period FROM flows WHERE source = 'gdidata.irreg_darien_nat' "
        "AND freq = 'A' ORDER BY 1"
    )["period"]
    assert [f"{p:%m-%d}" for p in periods] == ["01-01"] * 10


def test_guatemala_returns_partner_and_nationality(real: RealStore) -> None:
    s = real.store()
    where = "source = 'gdidata.irreg_guatemala'"
    assert distinct(s, "partner", where) == {"MEX", "USA", ""}
    assert distinct(s, "nat", where) == {"GTM"}
    assert distinct(s, "event", where) == {"return_received"}
    assert distinct(s, "agency", where) == {"IGM"}
    # blank origin (2024 on) stays blank, never guessed
    late = distinct(s, "partner", f"{where} AND period >= DATE '2024-01-01'")
    assert "" in late


def test_mexico_expulsion_events(real: RealStore) -> None:
    s = real.store()
    where = "source = 'gdidata.irreg_mexico_exp'"
    assert distinct(s, "event", where) == {"deportation", "assisted_return"}
    assert distinct(s, "agency", where) == {"UPM"}
    assert distinct(s, "unit", where) == {"events"}


def test_iom_missing_migrants(real: RealStore) -> None:
    s = real.store()
    where = "source = 'gdidata.iom_mmp'"
    assert distinct(s, "agency", where) == {"IOM-MMP"}
    assert distinct(s, "event", where) == {"death_missing"}
    rows = raw_rows("iom_mmp.csv")
    several = [r for r in rows if len({p.strip() for p in r["nat"].split(",") if p.strip()}) > 1]
    assert several  # the file has incidents with victims of several nationalities
    totals = s.sql(
        f"SELECT nat, sum(n)::BIGINT AS n FROM flows WHERE {where} GROUP BY nat"
    ).set_index("nat")["n"]
    assert int(totals["OTH"]) == sum(whole(r["dead"]) for r in several)
    assert int(totals.sum()) == sum(whole(r["dead"]) for r in rows)
    assert not any("," in str(nat) for nat in totals.index)


# --- releases and reference data -----------------------------------------------------


def test_releases_and_country_reference(real: RealStore) -> None:
    s = real.store()
    rel = s.releases()
    # one release per file: the data series plus countrynames.csv
    assert len(real.files) == 12
    assert len(rel) == len(real.files)
    assert set(rel["file_name"]) == {p.name for p in real.files}
    assert set(rel["source"]) == {f"gdidata.{p.stem}" for p in real.files}
    ref_rows = raw_rows("countrynames.csv")
    ref = s.sql("SELECT iso3, name, release_id FROM country_reference")
    assert len(ref) == len(ref_rows)
    assert set(ref["iso3"]) == {r["iso3"] for r in ref_rows}
    assert ref.set_index("iso3").loc["PAN", "name"] == "Panama"
    (countries,) = [r for r in real.results if r.source == "gdidata.countrynames"]
    assert set(ref["release_id"]) == {countries.release_id}
    # reference rows are not flows
    assert "gdidata.countrynames" not in distinct(s, "source")


def test_reingest_everything_is_a_noop(real: RealStore, tmp_path: Path) -> None:
    db = tmp_path / "copy.duckdb"
    shutil.copyfile(real.db, db)
    before = digest(db)
    results = ingest(db, real.files)
    assert [r.status for r in results] == ["unchanged"] * len(real.files)
    assert [r.release_id for r in results] == [r.release_id for r in real.results]
    assert digest(db) == before


# --- the flows contract --------------------------------------------------------------

VOCABULARIES: dict[str, frozenset[str]] = {
    "freq": schema.FREQ,
    "area": schema.AREAS,
    "event": schema.EVENTS,
    "sex": schema.SEX,
    "age": schema.AGE,
    "family": schema.FAMILY,
    "authority": schema.AUTHORITY,
    "unit": schema.UNITS,
}


def test_every_row_obeys_the_contract_vocabularies(real: RealStore) -> None:
    s = real.store()
    for column, allowed in VOCABULARIES.items():
        found = distinct(s, column)
        assert found <= allowed, (column, found - allowed)
    for column in ("geo", "nat"):
        found = distinct(s, column)
        assert all(is_iso3(v) for v in found), (column, sorted(found))
    partners = distinct(s, "partner")
    assert all(v == "" or is_iso3(v) for v in partners), sorted(partners)
    assert distinct(s, "agency") <= AGENCIES
    assert distinct(s, "source") <= set(SOURCES)
    rel_ids = set(s.releases()["release_id"])
    assert distinct(s, "release_id") <= rel_ids
    nulls = " OR ".join(f"{c} IS NULL" for c in schema.COLUMN_NAMES)
    stats = s.sql(f"SELECT count(*) FILTER (WHERE {nulls}) AS nulls, min(n) AS low FROM flows")
    assert int(stats["nulls"][0]) == 0
    assert int(stats["low"][0]) >= 0
    # places are text as published or blank, never NULL
    assert all(isinstance(p, str) for p in distinct(s, "place"))


def test_periods_are_first_days(real: RealStore) -> None:
    bad = real.store().sql("SELECT count(*) AS k FROM flows WHERE day(period) <> 1")
    assert int(bad["k"][0]) == 0
    annual = real.store().sql(
        "SELECT count(*) AS k FROM flows WHERE freq = 'A' AND month(period) <> 1"
    )
    assert int(annual["k"][0]) == 0


@pytest.mark.parametrize("view", ["flows", "flows_all"])
def test_views_expose_the_contract_types(real: RealStore, view: str) -> None:
    df = real.store().sql(f"DESCRIBE {view}")
    assert list(zip(df["column_name"], df["column_type"], strict=True)) == list(schema.FLOW_COLUMNS)
    types = dict(schema.FLOW_COLUMNS)
    assert types["period"] == "DATE" and types["n"] == "BIGINT"
    assert {t for c, t in schema.FLOW_COLUMNS if c not in ("period", "n")} == {"VARCHAR"}


def test_period_bounds_are_dates(real: RealStore) -> None:
    df = real.store().flows(geo="PAN", event="irregular_transit", start=date(2023, 12, 1),
                            end=date(2023, 12, 1))  # fmt: skip
    assert len(df) == 1 and int(df["n"][0]) > 0


def test_no_two_sources_of_a_group_tie() -> None:
    """A tie would let the store's row order pick the source of a month."""
    seen: dict[tuple[str, int], str] = {}
    for src in SOURCES.values():
        key = (src.info.group, src.info.priority)
        assert key not in seen, f"{src.info.id} ties with {seen.get(key)} in {key[0]}"
        seen[key] = src.info.id
