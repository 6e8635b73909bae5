"""Mapped connectors: the shipped example mappings on files in their agencies' layouts."""

from __future__ import annotations

import csv
import io
import os
import subprocess
from pathlib import Path

import openpyxl
import pytest

from corridor.errors import InputError
from corridor.sources import registry
from corridor.sources.document import Probe
from corridor.sources.mapped import CONNECTORS, MappedSource
from corridor.store import Store, ingest
from tests.cli.test_cli import corridor_command
from tests.conftest import FIXTURES, digest

HERE = FIXTURES / "mapped"
DGME = "dgme_cr.irregular_flows"
COL = "migracion_co.irregular_transit"


def totals(db: Path) -> list[tuple[str, int, int]]:
    rows = Store(db).sql("SELECT what, published, computed FROM declared_totals ORDER BY file_row")
    return [(r.what, int(r.published), int(r.computed)) for r in rows.itertuples()]


def test_examples_are_registered_connectors() -> None:
    ids = {c.info.id for c in CONNECTORS}
    assert {DGME, COL} <= ids
    for sid in (DGME, COL):
        src = registry.get(sid)
        assert isinstance(src, MappedSource)
        assert src.info.events == frozenset({"irregular_transit"}) and "nat" in src.info.dims


# -- Costa Rica DGME: wide workbook --------------------------------------------------------


def test_dgme_months_as_columns_totals_equal_the_files_own(db: Path) -> None:
    (res,) = ingest(db, [HERE / "months_as_columns.xlsx"])  # detected by its title row
    assert (res.source, res.status, res.rows, res.total) == (DGME, "new", 13 * 12, 314_034)
    assert res.periods is not None and (res.periods[0].isoformat(), res.periods[1].isoformat()) == (
        "2024-01-01", "2024-12-01",
    )  # fmt: skip
    printed = totals(db)
    # 13 row totals (Total column), 12 month totals and the grand total (Total row)
    assert len(printed) == 13 + 12 + 1
    assert all(published == computed for _, published, computed in printed)
    assert ("Total (2024)", 314_034, 314_034) in printed
    assert ("Total (2024-01)", 36_210, 36_210) in printed
    store = Store(db)
    by_nat = store.sql(
        "SELECT nat, sum(n) AS n FROM flows WHERE source = 'dgme_cr.irregular_flows' "
        "GROUP BY nat ORDER BY n DESC"
    )
    assert by_nat["nat"].iloc[0] == "VEN"
    assert {"OTH", "UNK", "HTI", "CMR", "AFG"} <= set(by_nat["nat"])
    flows = store.sql("SELECT DISTINCT geo, agency, area, event, unit, freq FROM flows")
    assert flows.values.tolist() == [["CRI", "DGME-CR", "", "irregular_transit", "persons", "M"]]


def test_dgme_dash_is_zero_and_setiembre_is_september(db: Path) -> None:
    ingest(db, [HERE / "months_as_columns.xlsx"])
    store = Store(db)
    zero = store.sql(
        "SELECT n FROM flows WHERE nat = 'UNK' AND period = DATE '2024-01-01'"
    )  # printed `-`
    assert zero["n"].tolist() == [0]
    sept = store.sql("SELECT sum(n) AS n FROM flows WHERE period = DATE '2024-09-01'")
    assert int(sept["n"].iloc[0]) == 24_117


def test_dgme_blank_future_months_are_not_zeros(db: Path) -> None:
    (res,) = ingest(db, [HERE / "blank_future_months.xlsx"])
    assert res.total == 41_315 and res.rows == 13 * 4
    assert res.periods is not None and res.periods[1].isoformat() == "2025-04-01"
    assert any("`Mayo`" in note and "not published" in note for note in res.notes)
    assert all(p == c for _, p, c in totals(db))


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("broken_renamed_column.xlsx",
         "row 5, column `Nacionalidad`: column `Nacionalidad` is missing; found `Nacionalidades`"
         " — the layout changed"),
        ("broken_missing_month.xlsx",
         "row 5, column `Abril`: the column for Marzo (month 3) is missing between `Febrero` and "
         "`Abril` — the layout changed"),
        ("broken_new_spelling.xlsx",
         "row 6, column `Nacionalidad`, value `Venezuela (Rep. Bolivariana de)`: unknown country "
         "name (did you mean: Venezuela (VEN)?; or add `\"Venezuela (Rep. Bolivariana de)\" = "
         "\"VEN\"` under [values.nat] in dgme_cr_irregular_flows.toml)"),
        ("broken_extra_column.xlsx",
         "row 5, column `Variación %`: unexpected column `Variación %` — the layout changed"),
    ],
)  # fmt: skip
def test_dgme_changed_layout_fails_saying_what_changed(db: Path, name: str, message: str) -> None:
    good = HERE / "months_as_columns.xlsx"
    with pytest.raises(InputError) as err:
        ingest(db, [good, HERE / name])  # detected by the title, so the header is checked
    assert str(err.value).startswith(f"{name}, {message}")
    assert digest(db) is None


# -- Colombia Migración: long CSV -----------------------------------------------------------


def test_colombia_latin1_semicolons_dotted_thousands(db: Path) -> None:
    path = HERE / "latin1_semicolon_dotted_thousands.csv"
    assert "Año".encode("latin-1") in path.read_bytes()  # the file really is Latin-1
    (res,) = ingest(db, [path])
    assert (res.source, res.rows, res.total) == (COL, 9 * 6, 223_590)
    assert totals(db) == [("Total general", 223_590, 223_590)]
    store = Store(db)
    jan = store.sql(
        "SELECT nat, n FROM flows WHERE period = DATE '2024-01-01' AND nat IN ('VEN', 'COD', "
        "'UNK', 'OTH') ORDER BY nat"
    )
    # `27.792` is 27,792; CONGO REP. DEM., SIN INFORMACION and OTROS PAISES come from the
    # mapping's [values.nat]
    assert jan.values.tolist() == [["COD", 168], ["OTH", 2319], ["UNK", 42], ["VEN", 27792]]


def test_colombia_monthly_subtotals_and_month_numbers(db: Path) -> None:
    (res,) = ingest(db, [HERE / "utf8_bom_monthly_subtotals.csv"])
    assert (res.source, res.rows, res.total) == (COL, 9 * 6, 341_572)
    printed = totals(db)
    assert len(printed) == 7  # six months and the grand total
    assert all(p == c for _, p, c in printed)
    assert ("Total (2023-08)", 85_369, 85_369) in printed


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("broken_renamed_column.csv",
         "row 1, column `Nacionalidad`: column `Nacionalidad` is missing (found `País`) — the "
         "layout changed"),
        ("broken_extra_column.csv", "row 1, column `Sexo`: unexpected column `Sexo`"),
        ("broken_unknown_nationality.csv",
         "row 3, column `Nacionalidad`, value `UZBEQUISTAN`: unknown country name (did you mean: "
         "Uzbekistan (UZB), Pakistan (PAK), Bhutan (BTN)?; or add `\"UZBEQUISTAN\" = \"UZB\"` "
         "under [values.nat] in migracion_co_irregular_transit.toml)"),
        ("broken_bad_month.csv", "row 3, column `Mes`, value `Enro`: not a month"),
        ("broken_decimal_count.csv", "row 2, column `Cantidad`, value `27.792,5`: not a count"),
        ("broken_duplicate_row.csv", "row 4, value `2024 | Enero | ECUADOR | 4.632`: duplicate "
         "row: same as row 3"),
    ],
)  # fmt: skip
def test_colombia_bad_file_fails_naming_the_cell(db: Path, name: str, message: str) -> None:
    with pytest.raises(InputError) as err:
        ingest(db, [HERE / "latin1_semicolon_dotted_thousands.csv", HERE / name], source=COL)
    assert str(err.value).startswith(f"{name}, {message}")
    assert digest(db) is None


@pytest.mark.parametrize(
    ("sid", "name", "total"),
    [(DGME, "months_as_columns.xlsx", 314_034), (COL, "utf8_bom_monthly_subtotals.csv", 341_572)],
)
def test_ingest_with_the_mapping_source_id(db: Path, sid: str, name: str, total: int) -> None:
    (res,) = ingest(db, [HERE / name], source=sid)
    assert (res.source, res.total) == (sid, total)
    wrong = Store(db).sql("SELECT count(*) AS k FROM declared_totals WHERE published <> computed")
    assert wrong["k"].tolist() == [0]


# -- detection ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("months_as_columns.xlsx", DGME),
        ("blank_future_months.xlsx", DGME),
        ("broken_renamed_column.xlsx", DGME),  # the title still says what the file is
        ("latin1_semicolon_dotted_thousands.csv", COL),
        ("utf8_bom_monthly_subtotals.csv", COL),
        ("broken_renamed_column.csv", None),  # no title in a CSV: the header must fit
    ],
)
def test_sniff(name: str, expected: str | None) -> None:
    probe = Probe.read(HERE / name)
    claimed = [c.info.id for c in CONNECTORS if c.sniff(probe)]
    assert claimed == ([expected] if expected else [])


def test_examples_claim_no_other_fixture() -> None:
    others = [p for p in FIXTURES.rglob("*") if p.is_file() and HERE not in p.parents]
    assert others
    for path in others:
        probe = Probe.read(path)
        assert not [c.info.id for c in CONNECTORS if c.sniff(probe)], path


# -- end to end through the installed command -------------------------------------------


def test_cli_ingest_then_query(tmp_path: Path) -> None:
    db = tmp_path / "corridor.duckdb"
    env = {k: v for k, v in os.environ.items() if k not in ("CORRIDOR_DEBUG", "CORRIDOR_MAPPINGS")}
    files = [HERE / "months_as_columns.xlsx", HERE / "latin1_semicolon_dotted_thousands.csv"]
    cmd = corridor_command()
    proc = subprocess.run(
        [*cmd, "ingest", *map(str, files), "--db", str(db)],
        capture_output=True, text=True, env=env, check=False, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert f"months_as_columns.xlsx: {DGME} release" in proc.stdout
    assert "total 314,034 2024-01..2024-12" in proc.stdout
    assert f"latin1_semicolon_dotted_thousands.csv: {COL} release" in proc.stdout
    query = subprocess.run(
        [*cmd, "query", "--db", str(db), "--by", "geo,nat", "--nat", "VEN", "-f", "csv",
         "--all-sources"],
        capture_output=True, text=True, env=env, check=False, timeout=300,
    )  # fmt: skip
    assert query.returncode == 0, query.stderr
    rows = {r["geo"]: int(r["n"]) for r in csv.DictReader(io.StringIO(query.stdout))}
    assert set(rows) == {"CRI", "COL"}
    published = files[1].read_text(encoding="latin-1").splitlines()
    venezuela = [line.split(";")[3] for line in published if ";VENEZUELA;" in line]
    assert rows["COL"] == sum(int(v.replace(".", "")) for v in venezuela)


def test_dgme_title_without_year_fails_naming_the_title(db: Path, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(HERE / "months_as_columns.xlsx")
    sheet = book.active
    assert sheet is not None
    sheet["A2"] = "Flujos migratorios irregulares por nacionalidad, según mes de ingreso"
    path = tmp_path / "title_without_year.xlsx"
    book.save(path)
    with pytest.raises(InputError) as err:
        ingest(db, [path])
    assert str(err.value).startswith(
        "title_without_year.xlsx, row 1, value `Dirección General de Migración y Extranjería`: "
        "no year found in the rows above the header — the layout changed ([period].year_in_title"
    )
    assert digest(db) is None
