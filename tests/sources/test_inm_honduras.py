"""INM Honduras Power BI CSV exports: each quirk, printed totals, layout changes, the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridor.errors import InputError
from corridor.sources import registry
from corridor.sources.document import Probe
from corridor.sources.inm_honduras import BY_NATIONALITY, BY_SEX_AGE, CONNECTORS, TOTAL
from corridor.store import Store, ingest
from tests.conftest import FIXTURES, SHARED, digest
from tests.sources.test_igm_guatemala import corridor

HERE = FIXTURES / "inm_honduras"
BOM_TOTAL = HERE / "total_bom_quoted_trailing_total.csv"
DOTS = HERE / "total_year_quarter_month_semicolon_dots.csv"
EN_BLANCO = HERE / "nationality_en_blanco_trailing_total.csv"
UPPER = HERE / "nationality_uppercase_local_spellings.csv"
SEX_AGE = HERE / "sex_age_total_column.csv"
DISAGREES = HERE / "total_row_disagrees.csv"
#: source and the total each file prints (its Total row, else the sum a reader adds up)
EXPECTED = {
    BOM_TOTAL: ("inm_hn.irregular", 337950),
    DOTS: ("inm_hn.irregular", 545043),
    EN_BLANCO: ("inm_hn.irregular_nat", 77214),
    UPPER: ("inm_hn.irregular_nat", 9445),
    SEX_AGE: ("inm_hn.irregular_dmg", 133518),
    DISAGREES: ("inm_hn.irregular", 60532),
}


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    return [tuple(r) for r in Store(db).sql(sql).itertuples(index=False)]


def changed(tmp_path: Path, fixture: Path, old: str, new: str, name: str | None = None) -> Path:
    """A copy of an export with one text change (as when the dashboard changes)."""
    text = fixture.read_bytes().decode("utf-8")  # keeps the CRLF line ends
    assert old in text, old
    out = tmp_path / (name or fixture.name)
    out.write_text(text.replace(old, new, 1), encoding="utf-8", newline="")
    return out


def fails(db: Path, path: Path) -> str:
    with pytest.raises(InputError) as err:
        ingest(db, [path])
    assert digest(db) is None
    return str(err.value)


# -- every fixture ---------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", list(EXPECTED), ids=lambda p: p.stem)
def test_fixture_ingests_with_its_own_totals(fixture: Path, db: Path) -> None:
    source, total = EXPECTED[fixture]
    assert registry.sniff(Probe.read(fixture)).info.id == source  # type: ignore[union-attr]
    (res,) = ingest(db, [fixture])
    assert (res.source, res.status, res.total) == (source, "new", total)
    if fixture is not DISAGREES:
        assert rows(
            db, "SELECT count(*) FILTER (WHERE published <> computed) FROM declared_totals"
        ) == [(0,)]
    assert rows(db, "SELECT DISTINCT geo, agency, event, unit, freq FROM flows") == [
        ("HND", "INM-HN", "irregular_transit", "persons", "M")
    ]


def test_sources_share_the_gdidata_overlap_group() -> None:
    gdi = {s.info.id: s.info for s in registry.SOURCES.values() if s.info.group == "HND.irregular"}
    mine = {s.info.id: s.info for s in CONNECTORS}
    assert set(mine) <= set(gdi)
    for ours, theirs in (
        ("irregular", "irreg_honduras"),
        ("irregular_nat", "irreg_honduras_nat"),
        ("irregular_dmg", "irreg_honduras_dmg"),
    ):
        a, b = mine[f"inm_hn.{ours}"], gdi[f"gdidata.{theirs}"]
        assert a.dims == b.dims and a.priority < b.priority


# -- one test per quirk ------------------------------------------------------------------------


def test_bom_quotes_and_trailing_total_row(db: Path) -> None:
    assert BOM_TOTAL.read_bytes().startswith(b'\xef\xbb\xbf"Mes"')
    ingest(db, [BOM_TOTAL])
    got = rows(db, "SELECT strftime(period, '%Y-%m'), n FROM flows ORDER BY 1")
    assert got[0] == ("2023-10", 102008) and got[-1] == ("2024-03", 45666)
    assert len(got) == 6  # the Total row is no month
    assert rows(db, "SELECT what, published, computed, file_row FROM declared_totals") == [
        ("Total", 337950, 337950, 8)
    ]


def test_semicolons_dot_thousands_and_date_hierarchy(db: Path) -> None:
    (res,) = ingest(db, [DOTS])
    assert "thousands are written `1.234` (Spanish locale export)" in res.notes
    assert rows(db, "SELECT n FROM flows WHERE period = DATE '2023-10-01'") == [(102008,)]
    assert rows(db, "SELECT count(*) FROM flows") == [(12,)]


def test_en_blanco_nationality_is_unknown(db: Path) -> None:
    (res,) = ingest(db, [EN_BLANCO])
    assert rows(db, "SELECT strftime(period, '%m'), n FROM flows WHERE nat = 'UNK' ORDER BY 1") == [
        ("01", 7),
        ("02", 14),
    ]
    assert "21 persons with a blank nationality `(En blanco)` are counted as UNK" in res.notes
    assert rows(db, "SELECT n FROM flows WHERE nat = 'VNM' AND period = DATE '2024-01-01'") == [
        (477,)
    ]


def test_uppercase_and_local_spellings(db: Path) -> None:
    ingest(db, [UPPER])
    got = rows(db, "SELECT nat, n FROM flows WHERE period = DATE '2024-01-01' ORDER BY nat")
    assert got == [("COD", 12), ("COG", 45), ("DOM", 116), ("GIN", 1788), ("HTI", 3326)]


def test_men_women_boys_girls_and_total_column(db: Path) -> None:
    ingest(db, [SEX_AGE])
    got = rows(
        db, "SELECT sex, age, n FROM flows WHERE period = DATE '2024-01-01' ORDER BY age, sex"
    )
    assert got == [
        ("F", "adult", 9691),
        ("M", "adult", 19555),
        ("F", "minor", 4062),
        ("M", "minor", 5187),
    ]
    per_month = rows(db, "SELECT count(*) FROM declared_totals WHERE period IS NOT NULL")
    per_column = rows(db, "SELECT count(*) FROM declared_totals WHERE period IS NULL")
    assert per_month == [(3,)] and per_column == [(5,)]  # 4 columns and the Total column


def test_total_row_that_disagrees_is_kept_and_noted(db: Path) -> None:
    (res,) = ingest(db, [DISAGREES])
    assert res.total == 60532
    assert rows(db, "SELECT published, computed FROM declared_totals") == [(60529, 60532)]
    assert any("printed total(s) differ" in n and "60,529" in n for n in res.notes)


def test_year_with_grouped_digits_and_month_numbers(tmp_path: Path, db: Path) -> None:
    text = DOTS.read_text(encoding="utf-8").replace('"2023";', '"2.023";').replace('"Enero"', '"1"')
    path = tmp_path / DOTS.name
    path.write_text(text, encoding="utf-8")
    ingest(db, [path])
    assert rows(db, "SELECT n FROM flows WHERE period = DATE '2023-01-01'") == [(18882,)]


# -- layout changes fail, say what changed, write nothing --------------------------------------


def test_renamed_nationality_column(tmp_path: Path, db: Path) -> None:
    msg = fails(db, changed(tmp_path, EN_BLANCO, '"País"', '"País de procedencia"'))
    assert msg.startswith(
        "nationality_en_blanco_trailing_total.csv, row 1, column "
        "`País de procedencia`, value `País de procedencia`: column "
        "`País de procedencia` is not a nationality column — the layout "
        "changed"
    )
    assert "expected `País` or `Nacionalidad`" in msg


def test_renamed_count_column(tmp_path: Path, db: Path) -> None:
    path = changed(
        tmp_path,
        EN_BLANCO,
        '"Migrantes irregulares"',
        '"Personas"',
        name="inm_honduras_por_pais.csv",
    )
    msg = fails(db, path)
    assert "column `Personas` is not a count column — the layout changed" in msg
    assert "expected `Migrantes irregulares`" in msg


def test_renamed_sex_age_column(tmp_path: Path, db: Path) -> None:
    msg = fails(db, changed(tmp_path, SEX_AGE, '"Niñas"', '"Niñas y adolescentes"'))
    assert "column `Niñas y adolescentes`" in msg
    assert "column `Niñas` is missing; found `Niñas y adolescentes` — the layout changed" in msg


def test_unexpected_extra_column(tmp_path: Path, db: Path) -> None:
    path = changed(tmp_path, BOM_TOTAL, '"Mes",', '"Mes","Departamento",')
    msg = fails(db, path)
    assert "unexpected column `Departamento` — the layout changed" in msg


def test_missing_month(tmp_path: Path, db: Path) -> None:
    path = changed(tmp_path, BOM_TOTAL, '"febrero 2024","49,357"\r\n', "")
    msg = fails(db, path)
    assert (
        "month `febrero 2024` is missing (the export runs from octubre 2023 to marzo 2024)" in msg
    )
    assert "row 6, column `Mes`, value `marzo 2024`" in msg


def test_new_nationality_spelling(tmp_path: Path, db: Path) -> None:
    path = changed(tmp_path, EN_BLANCO, '"Venezuela"', '"Venezuela (Rep. Bolivariana de)"')
    msg = fails(db, path)
    assert msg.startswith(
        "nationality_en_blanco_trailing_total.csv, row 2, column `País`, "
        "value `Venezuela (Rep. Bolivariana de)`: unknown nationality"
    )
    assert "did you mean" in msg


def test_mixed_thousands_separators(tmp_path: Path, db: Path) -> None:
    msg = fails(db, changed(tmp_path, BOM_TOTAL, '"59,787"', '"59.787"'))
    assert "thousands written both as `102,008` (row 2) and `59.787`" in msg


def test_count_without_a_month(tmp_path: Path, db: Path) -> None:
    msg = fails(db, changed(tmp_path, BOM_TOTAL, '"octubre 2023"', '"(En blanco)"'))
    assert "row 2, column `Mes`, value `(En blanco)`: a count without a month" in msg


def test_not_a_month(tmp_path: Path, db: Path) -> None:
    msg = fails(db, changed(tmp_path, BOM_TOTAL, '"octubre 2023"', '"Q4 2023"'))
    assert "value `Q4 2023`: not a month" in msg


def test_rows_after_the_total_row(tmp_path: Path, db: Path) -> None:
    text = BOM_TOTAL.read_text(encoding="utf-8") + '"abril 2024","1"\r\n'
    path = tmp_path / BOM_TOTAL.name
    path.write_text(text, encoding="utf-8", newline="")
    assert "a row after the `Total` row (row 8)" in fails(db, path)


def test_same_month_twice(tmp_path: Path, db: Path) -> None:
    msg = fails(db, changed(tmp_path, BOM_TOTAL, '"noviembre 2023"', '"octubre 2023"'))
    assert "row 3, column `Mes`, value `octubre 2023`: the same month as row 2" in msg


def test_quarter_that_does_not_fit_the_month(tmp_path: Path, db: Path) -> None:
    msg = fails(db, changed(tmp_path, DOTS, '"Trimestre 1";"Enero"', '"Trimestre 2";"Enero"'))
    assert "column `Trimestre`, value `Trimestre 2`: quarter does not match the month" in msg


# -- detection ---------------------------------------------------------------------------------


def _others() -> list[Path]:
    mine = {HERE, FIXTURES / "igm_guatemala"}
    files = [p for p in FIXTURES.rglob("*") if p.is_file() and p.parent not in mine]
    for folder in (SHARED / "real", SHARED / "raw"):
        if folder.is_dir():
            files += sorted(folder.glob("*.csv"))
    return files


def test_sniff_leaves_other_connectors_files_alone() -> None:
    for path in _others():
        probe = Probe.read(path)
        assert not [s.info.id for s in CONNECTORS if s.sniff(probe)], path


def test_sniff_needs_an_inm_sign(tmp_path: Path) -> None:
    """A Spanish month/country table without INM's words is left to other connectors."""
    plain = tmp_path / "tabla.csv"
    plain.write_text('"Mes","País","Cantidad"\r\n"enero 2024","Cuba","3"\r\n', encoding="utf-8")
    assert not any(s.sniff(Probe.read(plain)) for s in CONNECTORS)
    named = tmp_path / "honduras_tabla.csv"
    named.write_bytes(plain.read_bytes())
    assert BY_NATIONALITY.sniff(Probe.read(named))
    assert not TOTAL.sniff(Probe.read(named)) and not BY_SEX_AGE.sniff(Probe.read(named))


# -- the command line --------------------------------------------------------------------------


def test_cli_ingest_then_query(db: Path) -> None:
    proc = corridor(db, "ingest", EN_BLANCO)
    assert proc.returncode == 0, proc.stderr
    assert "inm_hn.irregular_nat release inm_hn.irregular_nat@" in proc.stdout
    assert "20 rows, total 77,214 2024-01..2024-02" in proc.stdout
    assert "note: 21 persons with a blank nationality `(En blanco)`" in proc.stderr
    query = corridor(
        db, "query", "--geo", "HND", "--nat", "VEN,UNK", "--by", "period,nat", "-f", "csv"
    )
    assert query.returncode == 0, query.stderr
    assert query.stdout.strip().splitlines() == [
        "period,nat,n",
        "2024-01-01,UNK,7",
        "2024-01-01,VEN,16387",
        "2024-02-01,UNK,14",
        "2024-02-01,VEN,25657",
    ]
