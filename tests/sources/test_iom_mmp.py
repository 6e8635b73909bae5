"""IOM Missing Migrants Project downloads: each quirk, own totals, layout changes, the CLI."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from corridor.errors import InputError, Location
from corridor.sources import registry
from corridor.sources.document import Probe
from corridor.sources.iom_mmp import GLOBAL, INFO, values
from corridor.store import Store, ingest
from tests.conftest import FIXTURES, digest
from tests.sources.test_snm_darien_cli import corridor

HERE = FIXTURES / "iom_mmp"
SEVERAL = HERE / "several_origins_in_one_cell.csv"
DRUPAL = HERE / "drupal_dates_split_and_cumulative.csv"
OLD = HERE / "old_column_spellings.csv"
POINT = HERE / "coordinates_as_point.csv"
AT_SEA = HERE / "missing_coordinates_and_country.csv"
DIFFER = HERE / "totals_differ_or_blank.csv"
WORKBOOK = HERE / "workbook_real_dates.xlsx"
#: fixture -> (incidents, dead and missing as the file adds up)
EXPECTED = {
    SEVERAL: (12, 26),
    DRUPAL: (6, 80),
    OLD: (5, 6),
    POINT: (3, 5),
    AT_SEA: (3, 15),
    DIFFER: (3, 8),
    WORKBOOK: (3, 13),
}


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    """Query results as tuples, DATE columns as ``date``."""
    out = Store(db).sql(sql)
    return [
        tuple(v.date() if isinstance(v, pd.Timestamp) else None if v is pd.NA else v for v in r)
        for r in out.itertuples(index=False)
    ]


def file_total(path: Path) -> int:
    """What a reader adds up: the total column, else dead + missing (CSV fixtures)."""
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")))
    total = 0
    for row in reader:
        t = row.get("Total Number of Dead and Missing", row.get("Total Dead and Missing", ""))
        if t:
            total += int(float(t))
        else:
            dead = row.get("Number of Dead", row.get("Number Dead", "")) or "0"
            total += int(float(dead)) + int(row["Minimum Estimated Number of Missing"] or 0)
    return total


def changed(tmp_path: Path, old: str, new: str, fixture: Path = SEVERAL) -> Path:
    """A copy of a download with one text change (as when IOM changes the export)."""
    text = fixture.read_text(encoding="utf-8")
    assert old in text, old
    out = tmp_path / fixture.name
    out.write_text(text.replace(old, new, 1), encoding="utf-8", newline="")
    return out


def fails(db: Path, *paths: Path) -> str:
    with pytest.raises(InputError) as err:
        ingest(db, list(paths))
    assert digest(db) is None
    return str(err.value)


# -- every fixture ---------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", list(EXPECTED), ids=lambda p: p.name)
def test_fixture_ingests_with_its_own_totals(fixture: Path, db: Path) -> None:
    incidents, total = EXPECTED[fixture]
    assert registry.sniff(Probe.read(fixture)) is GLOBAL
    if fixture.suffix == ".csv":
        assert file_total(fixture) == total
    (res,) = ingest(db, [fixture])
    assert (res.source, res.status, res.total) == ("iom_mmp.global", "new", total)
    assert rows(db, "SELECT count(*), sum(total) FROM incidents") == [(incidents, total)]
    assert rows(db, "SELECT DISTINCT agency, event, unit, freq, area FROM flows") == [
        ("IOM-MMP", "death_missing", "persons", "M", "")
    ]
    wrong = rows(db, "SELECT count(*) FILTER (WHERE published <> computed) FROM declared_totals")
    assert wrong == [(1 if fixture is DIFFER else 0,)]


def test_same_overlap_group_as_gdidata_and_ahead_of_it() -> None:
    gdi = registry.get("gdidata.iom_mmp").info
    assert (INFO.group, INFO.dims, INFO.agency, INFO.events) == (
        gdi.group, gdi.dims, gdi.agency, gdi.events,
    )  # fmt: skip
    assert INFO.priority < gdi.priority
    assert INFO.publication is not None
    assert INFO.publication.page == "https://missingmigrants.iom.int/downloads"


# -- one test per quirk ------------------------------------------------------------------------


def test_several_origins_in_one_cell_are_not_split(db: Path) -> None:
    (res,) = ingest(db, [SEVERAL])
    pan = rows(db, "SELECT nat, n FROM flows WHERE geo = 'PAN' ORDER BY nat")
    assert pan == [("COL", 1), ("ECU", 1), ("HTI", 3), ("OTH", 10), ("VEN", 2)]
    assert rows(db, "SELECT origin_iso3, total FROM incidents WHERE origin_iso3 LIKE '%,%'") == [
        ("COL,VEN", 10)
    ]
    assert any("with several countries of origin are under nat OTH, not split" in n
               for n in res.notes)  # fmt: skip
    # `Unknown` is UNK; the route is the place, as published
    assert rows(db, "SELECT nat, n FROM flows WHERE geo = 'USA' ORDER BY nat") == [
        ("MEX", 1), ("UNK", 3),
    ]  # fmt: skip
    assert rows(db, "SELECT DISTINCT place FROM flows") == [("Central American Route",)]


def test_drupal_dates_split_and_cumulative_incidents(db: Path) -> None:
    ingest(db, [DRUPAL])
    got = rows(db, "SELECT incident_id, incident_date, incident_type FROM incidents "
                   "WHERE main_id = '2024.MMP0210' ORDER BY 1")  # fmt: skip
    assert got == [
        ("2024.MMP0210.1", date(2024, 3, 3), "Split Incident"),
        ("2024.MMP0210.2", date(2024, 3, 5), "Split Incident"),
    ]
    # each part counts in its own country
    assert rows(db, "SELECT geo, nat, n FROM flows WHERE place LIKE 'Western African%' "
                    "ORDER BY geo") == [("CPV", "OTH", 61), ("ESP", "UNK", 5)]  # fmt: skip
    # a cumulative incident is dated the last day of its period, and counted in that month
    assert rows(db, "SELECT period, geo, nat, n FROM flows WHERE geo = 'BGD'") == [
        (date(2023, 10, 1), "BGD", "MMR", 9)
    ]
    assert rows(db, "SELECT incident_date FROM incidents WHERE incident_id = '2024.MMP0405'") == [
        (date(2024, 3, 18),)
    ]


def test_old_column_spellings(db: Path) -> None:
    (res,) = ingest(db, [OLD])
    assert any(n.startswith("an older layout: `Web ID` for `Incident ID`, `Reported Date`")
               for n in res.notes)  # fmt: skip
    assert any("no `Country of Incident` column" in n for n in res.notes)
    assert rows(db, "SELECT period, geo, nat, place, n FROM flows") == [
        (date(2019, 3, 1), "UNK", "UNK", "Central American Route", 6)
    ]
    # `Number Dead` blank (not published) is NULL, not 0; `March 15, 2019` is a date
    assert rows(db, "SELECT incident_date, dead, missing, total, lat FROM incidents "
                    "WHERE incident_id = '51652'") == [
        (date(2019, 3, 15), None, 2, 2, 28.709)
    ]  # fmt: skip


def test_coordinates_as_point_and_year_month_columns(db: Path) -> None:
    ingest(db, [POINT])
    got = rows(db, "SELECT incident_id, incident_date, lat, lon FROM incidents ORDER BY 1")
    assert got == [
        ("2022.MMP0838", date(2022, 10, 1), 8.466973, -77.687466),
        ("2022.MMP0844", date(2022, 10, 1), 8.466972, -77.687466),
        ("2022.MMP0861", date(2022, 10, 1), 8.4559, -77.7193),  # `POINT(` without a space
    ]
    assert rows(db, "SELECT nat, n FROM flows ORDER BY nat") == [("HTI", 3), ("VEN", 2)]


def test_missing_coordinates_and_country_at_sea(db: Path) -> None:
    (res,) = ingest(db, [AT_SEA])
    assert rows(db, "SELECT geo, n FROM flows ORDER BY geo") == [("LBY", 1), ("UNK", 14)]
    assert rows(db, "SELECT count(*) FROM incidents WHERE lat IS NULL AND lon IS NULL") == [(2,)]
    assert "14 dead and missing (2 incidents) without a country of incident (at sea or " \
        "unknown) are under geo UNK" in res.notes  # fmt: skip
    assert "no coordinates in 2 incidents (14 persons)" in res.notes


def test_totals_differ_or_blank(db: Path) -> None:
    (res,) = ingest(db, [DIFFER])
    got = rows(db, "SELECT what, period, published, computed, file_row, file_column "
                   "FROM declared_totals WHERE published <> computed")  # fmt: skip
    assert got == [
        ("Total Number of Dead and Missing, incident 2024.MMP0390", date(2024, 3, 1), 5, 4, 3,
         "Total Number of Dead and Missing"),
    ]  # fmt: skip
    assert any(n.startswith("the printed total differs from dead + missing in 1 incident")
               for n in res.notes)  # fmt: skip
    assert "no total in 1 incident: dead + missing used (2 persons)" in res.notes
    # the printed total is used; a blank total is dead + missing; `1.0` is 1
    assert rows(db, "SELECT geo, nat, n FROM flows ORDER BY geo") == [
        ("MEX", "HND", 7), ("USA", "GTM", 1),
    ]  # fmt: skip
    assert rows(db, "SELECT count(*) FROM declared_totals") == [(2,)]  # no total, no check


def test_workbook_with_date_cells_reads_like_the_csv(db: Path, tmp_path: Path) -> None:
    ingest(db, [WORKBOOK])
    other = tmp_path / "csv.duckdb"
    ingest(other, [SEVERAL])
    sql = "SELECT incident_id, incident_date, lat, lon, dead, missing, total FROM incidents"
    from_xlsx = rows(db, sql + " ORDER BY 1")
    assert len(from_xlsx) == 3
    assert set(from_xlsx) <= set(rows(other, sql))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-17", date(2024, 3, 17)),
        ("Sun, 03/17/2024 - 12:00", date(2024, 3, 17)),
        ("03/17/2024", date(2024, 3, 17)),
        ("March 17, 2024", date(2024, 3, 17)),
        ("2024-03-17 00:00:00", date(2024, 3, 17)),
        ("", None),
    ],
)
def test_date_forms(text: str, expected: date | None) -> None:
    assert values.incident_date(text, Location()) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31.650259, -110.366453", (31.650259, -110.366453)),
        ("POINT (-110.366453 31.650259)", (31.650259, -110.366453)),
        ("8.78,-77.57", (8.78, -77.57)),
        ("", (None, None)),
        ("N/A", (None, None)),
    ],
)
def test_coordinate_forms(text: str, expected: tuple[float | None, float | None]) -> None:
    assert values.coordinates(text, Location()) == expected


def test_a_country_with_a_comma_is_one_country() -> None:
    got = values.Countries()
    assert got.codes("Korea, Republic of", Location()) == ("KOR",)
    assert got.codes("Venezuela,Colombia,Venezuela", Location()) == ("VEN", "COL")
    assert got.one("Unknown", Location()) == "UNK"


# -- layout changes and bad cells: a clear message, nothing written ---------------------------


def test_renamed_column(db: Path, tmp_path: Path) -> None:
    msg = fails(db, changed(tmp_path, "Number of Dead,", "Dead,"))
    assert msg.startswith(
        "several_origins_in_one_cell.csv, row 1, column `Dead`, value `Dead`: "
        "column `Number of Dead` is missing; found `Dead` — the layout changed"
    )


def test_unexpected_extra_column(db: Path, tmp_path: Path) -> None:
    msg = fails(db, changed(tmp_path, ",Source Quality", ",Source Quality,Article title"))
    assert "column `Article title`" in msg
    assert "unexpected column `Article title` — the layout changed" in msg


def test_required_column_gone(db: Path, tmp_path: Path) -> None:
    path = changed(tmp_path, "Incident ID,", "Incident,")
    assert "column `Incident ID` is missing; found `Incident` — the layout changed" in fails(
        db, path
    )


def test_new_country_spelling(db: Path, tmp_path: Path) -> None:
    msg = fails(db, changed(tmp_path, "Colombia,Venezuela", "Columbia,Venezuela"))
    assert msg.startswith(
        "several_origins_in_one_cell.csv, row 4, column `Country of Origin`, "
        "value `Columbia`: unknown country: a new spelling in the download?"
    )


def test_unknown_country_of_incident(db: Path, tmp_path: Path) -> None:
    msg = fails(db, changed(tmp_path, ",Panama,Central", ",Darien Gap,Central"))
    assert "column `Country of Incident`, value `Darien Gap`: unknown country" in msg


def test_bad_date(db: Path, tmp_path: Path) -> None:
    msg = fails(db, changed(tmp_path, "2024-03-10", "10.03.2024"))
    assert "row 2, column `Incident Date`, value `10.03.2024`: not a date" in msg


def test_impossible_date(db: Path, tmp_path: Path) -> None:
    assert "not a calendar date" in fails(db, changed(tmp_path, "2024-03-10", "2024-02-30"))


def test_duplicate_incident(db: Path, tmp_path: Path) -> None:
    msg = fails(db, changed(tmp_path, "2024.MMP0318,2024.MMP0318", "2024.MMP0318,2024.MMP0301"))
    assert "row 3, column `Incident ID`, value `2024.MMP0301`: the same incident as row 2" in msg


def test_bad_coordinates(db: Path, tmp_path: Path) -> None:
    msg = fails(db, changed(tmp_path, '"8.455853, -77.719307"', '"8.45 N, 77.71 W"'))
    assert "column `Coordinates`, value `8.45 N, 77.71 W`: not coordinates" in msg


def test_bad_count(db: Path, tmp_path: Path) -> None:
    msg = fails(db, changed(tmp_path, ",2,,2,,", ",2,,two,,"))
    assert "column `Total Number of Dead and Missing`, value `two`: not a count" in msg


def test_a_broken_file_among_good_ones_writes_nothing(db: Path, tmp_path: Path) -> None:
    bad = changed(tmp_path, "2024-03-10", "2024-02-30")
    fails(db, OLD, bad)


# -- the command line ---------------------------------------------------------------------------


def test_cli_ingest_then_query(db: Path) -> None:
    proc = corridor(db, "ingest", SEVERAL)
    assert proc.returncode == 0, proc.stderr
    assert "iom_mmp.global" in proc.stdout
    proc = corridor(db, "query", "--geo", "PAN", "--by", "nat", "-f", "csv")
    assert proc.returncode == 0, proc.stderr
    got = {r["nat"]: int(r["n"]) for r in csv.DictReader(io.StringIO(proc.stdout))}
    assert got == {"COL": 1, "ECU": 1, "HTI": 3, "OTH": 10, "VEN": 2}
    proc = corridor(db, "query", "--sql", "SELECT count(*) AS k FROM incidents", "-f", "csv")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["k", "12"]


def test_cli_layout_change_is_one_clean_message(db: Path, tmp_path: Path) -> None:
    proc = corridor(db, "ingest", changed(tmp_path, "Number of Dead,", "Dead,"))
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert "column `Number of Dead` is missing; found `Dead`" in proc.stderr + proc.stdout
    assert digest(db) is None


def test_row_with_a_broken_quote(db: Path, tmp_path: Path) -> None:
    msg = fails(db, changed(tmp_path, '"Off the coast of Carreto Beach, Guna Yala, Panama"',
                            "Off the coast of Carreto Beach, Guna Yala, Panama"))  # fmt: skip
    assert "row 4" in msg and "27 cells where the header has 25" in msg
