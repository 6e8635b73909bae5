"""IGM Guatemala returns workbooks: each quirk, printed totals, layout changes, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from openpyxl import Workbook

from corridor.errors import InputError
from corridor.sources import registry
from corridor.sources.document import Probe
from corridor.sources.igm_guatemala import SOURCE
from corridor.store import Store, ingest
from tests.conftest import FIXTURES, SHARED, digest

HERE = FIXTURES / "igm_guatemala"
PARTIAL = HERE / "sheet_per_origin_partial_year.xlsx"
ONE_SHEET = HERE / "one_sheet_tables_with_summary.xlsx"
SECTIONS = HERE / "section_rows_origin_in_sheet_name.xlsx"
DISAGREES = HERE / "total_row_disagrees.xlsx"
#: the grand total printed in each file (its Total rows' Total cells, all origins)
PRINTED = {PARTIAL: 22465, ONE_SHEET: 70715, SECTIONS: 52267, DISAGREES: 5198}


def flows(db: Path, sql: str) -> list[tuple[object, ...]]:
    return [tuple(r) for r in Store(db).sql(sql).itertuples(index=False)]


def edited(tmp_path: Path, fixture: Path, edit: Callable[[Workbook], None]) -> Path:
    """A copy of a fixture with one change, as when IGM changes its layout."""
    book = openpyxl.load_workbook(fixture)
    edit(book)
    out = tmp_path / fixture.name
    book.save(out)
    return out


def fails(db: Path, path: Path) -> str:
    """Ingest must fail and write nothing; returns the message."""
    with pytest.raises(InputError) as err:
        ingest(db, [path])
    assert digest(db) is None
    return str(err.value)


# -- every fixture ---------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", [PARTIAL, ONE_SHEET, SECTIONS])
def test_fixture_totals_equal_the_files_own_totals(fixture: Path, db: Path) -> None:
    (res,) = ingest(db, [fixture])
    assert (res.source, res.status) == ("igm.returns", "new")
    assert res.total == PRINTED[fixture]
    checks = flows(
        db, "SELECT count(*), count(*) FILTER (WHERE published <> computed) FROM declared_totals"
    )
    assert checks[0][0] > 0 and checks[0][1] == 0
    # the Total row's Total cell of every table adds up to what was stored
    grand = flows(
        db,
        "SELECT sum(published) FROM declared_totals WHERE what LIKE '%/ Total /%' "
        "AND what NOT LIKE '%TOTAL GENERAL%' AND what NOT LIKE '%DEPARTAMENTO%'",
    )
    if fixture != SECTIONS:  # there the Total rows are called TOTAL GENERAL
        assert grand == [(PRINTED[fixture],)]
    assert flows(db, "SELECT DISTINCT geo, agency, event, nat, unit, freq FROM flows") == [
        ("GTM", "IGM", "return_received", "GTM", "persons", "M")
    ]


def test_registry_recognises_each_fixture() -> None:
    for fixture in PRINTED:
        assert registry.sniff(Probe.read(fixture)) is SOURCE


# -- one test per quirk ------------------------------------------------------------------------


def test_partial_year_keeps_only_published_months(db: Path) -> None:
    (res,) = ingest(db, [PARTIAL])
    months = flows(db, "SELECT DISTINCT strftime(period, '%Y-%m') FROM flows ORDER BY 1")
    assert months == [("2023-01",), ("2023-02",), ("2023-03",)]
    assert any("published up to Marzo" in n and "not yet published" in n for n in res.notes)


def test_sheet_per_origin_names_the_partner(db: Path) -> None:
    ingest(db, [PARTIAL])
    by_partner = flows(db, "SELECT partner, sum(n) FROM flows GROUP BY 1 ORDER BY 1")
    assert by_partner == [("MEX", 11041), ("USA", 11424)]
    # boys/girls are sex and minor; accompanied or not is the family column
    rows = flows(
        db,
        "SELECT sex, age, family, n FROM flows WHERE partner = 'USA' "
        "AND period = DATE '2023-01-01' ORDER BY sex, age, family",
    )
    assert rows == [
        ("F", "adult", "", 536),
        ("F", "minor", "accompanied_minor", 97),
        ("F", "minor", "unaccompanied_minor", 5),
        ("M", "adult", "", 1479),
        ("M", "minor", "accompanied_minor", 97),
        ("M", "minor", "unaccompanied_minor", 15),
    ]


def test_mexico_by_air_and_by_land_are_added(db: Path) -> None:
    ingest(db, [ONE_SHEET])
    tables = flows(
        db,
        "SELECT what, published FROM declared_totals WHERE what LIKE "
        "'%PROCEDENTES DE MÉXICO, AÑO 2022 / Total / 2022 (Total column)'",
    )
    assert len(tables) == 2  # vía aérea and vía terrestre
    assert flows(db, "SELECT sum(n) FROM flows WHERE partner = 'MEX'") == [
        (sum(int(str(p)) for _, p in tables),)
    ]


def test_summary_table_is_a_check_not_counted_again(db: Path) -> None:
    (res,) = ingest(db, [ONE_SHEET])
    assert res.total == 70715  # not doubled by the TOTAL GENERAL table
    summary = flows(
        db,
        "SELECT count(*), sum(published), sum(computed) FROM declared_totals "
        "WHERE what LIKE '%TOTAL GENERAL%' AND period IS NOT NULL "
        "AND what NOT LIKE '%/ Total'",
    )
    count, published, computed = summary[0]
    assert count == 4 * 12  # each of its 4 rows x 12 months against the other tables
    assert published == computed == 70715
    assert any("used as a check, not counted again" in n for n in res.notes)


def test_family_units_are_not_persons(db: Path) -> None:
    (res,) = ingest(db, [ONE_SHEET])
    assert sum("`Unidades familiares` counts families" in n for n in res.notes) == 3


def test_dashes_are_zeros(db: Path) -> None:
    dashes = sum(
        c.value == "-"
        for ws in openpyxl.load_workbook(ONE_SHEET).worksheets
        for row in ws.iter_rows()
        for c in row
    )
    assert dashes > 0
    ingest(db, [ONE_SHEET])
    assert flows(db, "SELECT count(*) > 0 FROM flows WHERE n = 0") == [(True,)]


def test_department_table_goes_to_an_extra_table(db: Path) -> None:
    ingest(db, [ONE_SHEET])
    dept = flows(
        db,
        "SELECT partner, count(DISTINCT department), sum(n) "
        "FROM igm_returns_by_department GROUP BY 1",
    )
    usa = flows(db, "SELECT sum(n) FROM flows WHERE partner = 'USA'")[0][0]
    assert dept == [("USA", 5, usa)]


def test_section_rows_subtotals_and_origin_from_sheet_name(db: Path) -> None:
    ingest(db, [SECTIONS])
    assert flows(db, "SELECT DISTINCT partner FROM flows ORDER BY 1") == [("MEX",), ("USA",)]
    fam = flows(db, "SELECT DISTINCT age, family FROM flows ORDER BY 1, 2")
    assert fam == [("adult", ""), ("minor", "accompanied_minor"), ("minor", "unaccompanied_minor")]
    subtotals = flows(
        db,
        "SELECT count(*), bool_and(published = computed) FROM declared_totals "
        "WHERE what LIKE '%Subtotal%'",
    )
    assert subtotals == [(2 * 3 * 13, True)]  # 2 sheets x 3 sections x (12 months + Total)


def test_total_row_that_disagrees_is_kept_and_noted(db: Path) -> None:
    (res,) = ingest(db, [DISAGREES])
    assert res.total == 5188
    wrong = flows(
        db,
        "SELECT coalesce(strftime(period, '%Y-%m'), 'year'), published, computed, "
        "file_row, "
        "file_column FROM declared_totals WHERE published <> computed "
        "ORDER BY period NULLS LAST",
    )
    assert wrong == [("2024-02", 2421, 2411, 12, "México!D"), ("year", 5198, 5188, 12, "México!O")]
    assert any("2 printed total(s) differ" in n for n in res.notes)


def test_title_ending_mid_month_says_the_month_is_partial(tmp_path: Path, db: Path) -> None:
    def mid_march(book: Workbook) -> None:
        book["Estados Unidos"]["A3"] = "DEL 1 DE ENERO AL 15 DE MARZO DE 2023"

    (res,) = ingest(db, [edited(tmp_path, PARTIAL, mid_march)])
    assert any("run to 15 Marzo 2023: Marzo is a partial month" in n for n in res.notes)


# -- layout changes fail, say what changed, write nothing --------------------------------------


def test_renamed_month_column(tmp_path: Path, db: Path) -> None:
    def rename(book: Workbook) -> None:
        book["México"]["C5"] = "Ene."

    msg = fails(db, edited(tmp_path, PARTIAL, rename))
    assert msg.startswith(
        "sheet_per_origin_partial_year.xlsx, row 5, column `México!C`, value `Ene.`: "
        "column `Ene.` is not a month name — the layout changed"
    )
    assert "expected `Enero`" in msg


def test_missing_month_column(tmp_path: Path, db: Path) -> None:
    def drop_march(book: Workbook) -> None:
        book["Estados Unidos"].delete_cols(5)

    msg = fails(db, edited(tmp_path, PARTIAL, drop_march))
    assert "row 5, column `Estados Unidos!E`, value `Abril`" in msg
    assert "column `Marzo` is missing: `Febrero` is followed by `Abril` — the layout changed" in msg


def test_extra_column_after_total(tmp_path: Path, db: Path) -> None:
    def add(book: Workbook) -> None:
        book["México"]["P5"] = "Variación %"

    msg = fails(db, edited(tmp_path, PARTIAL, add))
    assert "column `México!P`" in msg and "unexpected column `Variación %` after `Total`" in msg


def test_unknown_row_label(tmp_path: Path, db: Path) -> None:
    def relabel(book: Workbook) -> None:
        book["México"]["A8"], book["México"]["B8"] = "Adolescentes", "Otros"

    msg = fails(db, edited(tmp_path, PARTIAL, relabel))
    assert "row 8, column `México!A`, value `Adolescentes Otros`" in msg
    assert "names no sex or age group — the layout changed" in msg


def test_unknown_origin_country(tmp_path: Path, db: Path) -> None:
    def typo(book: Workbook) -> None:
        book["Estados Unidos"]["A2"] = (
            "GUATEMALTECOS RETORNADOS VÍA AÉREA PROCEDENTES DE ESTADOS UNIDAS"
        )

    msg = fails(db, edited(tmp_path, PARTIAL, typo))
    assert "unknown origin country `estados unidas` in the title" in msg
    assert "did you mean" in msg and "(USA)" in msg


def test_blank_month_before_published_ones(tmp_path: Path, db: Path) -> None:
    def blank_february(book: Workbook) -> None:
        for row in range(6, 13):
            book["México"].cell(row, 4).value = None

    msg = fails(db, edited(tmp_path, PARTIAL, blank_february))
    assert "column `México!D`" in msg and "month `Febrero` is blank but `Marzo` has counts" in msg


def test_same_table_twice(tmp_path: Path, db: Path) -> None:
    def copy(book: Workbook) -> None:
        book.copy_worksheet(book["México"]).title = "México (2)"

    msg = fails(db, edited(tmp_path, PARTIAL, copy))
    assert "a second table of returns from `MEX` for 2023" in msg


def test_not_a_count(tmp_path: Path, db: Path) -> None:
    def text(book: Workbook) -> None:
        book["México"]["D7"] = "n/d"

    msg = fails(db, edited(tmp_path, PARTIAL, text))
    assert msg.startswith(
        "sheet_per_origin_partial_year.xlsx, row 7, column `México!D`, value `n/d`: not a count"
    )


def test_a_bad_file_among_good_ones_writes_nothing(tmp_path: Path, db: Path) -> None:
    def rename(book: Workbook) -> None:
        book["México"]["C5"] = "Ene."

    with pytest.raises(InputError):
        ingest(db, [ONE_SHEET, edited(tmp_path, PARTIAL, rename)])
    assert digest(db) is None


# -- detection ---------------------------------------------------------------------------------


def _others() -> list[Path]:
    mine = {HERE, FIXTURES / "inm_honduras"}
    files = [p for p in FIXTURES.rglob("*") if p.is_file() and p.parent not in mine]
    for folder in (SHARED / "real", SHARED / "raw"):
        if folder.is_dir():
            files += sorted(folder.glob("*.csv"))
    return files


def test_sniff_leaves_other_connectors_files_alone() -> None:
    others = _others()
    assert others, "no other fixtures found"
    claimed = [p for p in others if SOURCE.sniff(Probe.read(p))]
    assert claimed == []


def test_sniff_needs_guatemalans_returned(tmp_path: Path) -> None:
    def retitle(book: Workbook) -> None:
        for ws in book.worksheets:
            for row in ws.iter_rows():
                if row[0].row <= 4 or str(row[0].value).startswith("Fuente"):
                    row[0].value = None

    assert not SOURCE.sniff(Probe.read(edited(tmp_path, PARTIAL, retitle)))


# -- the command line --------------------------------------------------------------------------


def corridor(db: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "corridor"
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "corridor.cli"]
    env = {k: v for k, v in os.environ.items() if k != "CORRIDOR_DEBUG"}
    return subprocess.run(
        [*cmd, *(str(a) for a in args), "--db", str(db)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_cli_ingest_then_query(db: Path) -> None:
    proc = corridor(db, "ingest", PARTIAL)
    assert proc.returncode == 0, proc.stderr
    assert "sheet_per_origin_partial_year.xlsx: igm.returns release igm.returns@" in proc.stdout
    assert "36 rows, total 22,465 2023-01..2023-03" in proc.stdout
    query = corridor(db, "query", "--geo", "GTM", "--by", "partner,sex", "-f", "csv")
    assert query.returncode == 0, query.stderr
    lines = query.stdout.strip().splitlines()
    assert lines[0] == "partner,sex,n"
    assert set(lines[1:]) == {"MEX,F,2653", "MEX,M,8388", "USA,F,2970", "USA,M,8454"}
