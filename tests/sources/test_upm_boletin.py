"""UPM boletín tables 3.1.1, 3.1.3 and 3.2.4: every fixture, each quirk, detection, the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridor.errors import InputError
from corridor.sources import registry
from corridor.sources.document import Probe
from corridor.sources.upm_boletin import BY_NATIONALITY, BY_SEX_AGE, CONNECTORS, RETURNS, classify
from corridor.store import Store, ingest
from tests.conftest import FIXTURES, SHARED
from tests.sources.test_igm_guatemala import corridor

HERE = FIXTURES / "upm_boletin"
NAT_2024 = HERE / "nat_2024_partial_year_preliminary.xlsx"
NAT_2019 = HERE / "nat_2019_presentados_canalizados_abbreviated.xlsx"
NAT_TEXT = HERE / "nat_2025_pdf_text_latin1_page_break.txt"
NAT_CSV = HERE / "nat_2025_csv_cp1252_marked_cells.csv"
DMG_2024 = HERE / "sex_age_2024_sex_outer_partial_year.xlsx"
DMG_TEXT = HERE / "sex_age_2025_pdf_text_age_outer.txt"
RET_2024 = HERE / "returns_2024_type_blocks_dash_zeros.xlsx"
RET_TEXT = HERE / "returns_2025_pdf_text_latin1.txt"
NAT, DMG, RET = (s.info.id for s in (BY_NATIONALITY, BY_SEX_AGE, RETURNS))
#: source, the grand total the file prints (Total row, Total column), months
EXPECTED = {
    NAT_2024: (NAT, 350677, 3),
    NAT_2019: (NAT, 182940, 12),
    NAT_TEXT: (NAT, 108489, 4),
    NAT_CSV: (NAT, 102591, 3),
    DMG_2024: (DMG, 350677, 3),
    DMG_TEXT: (DMG, 108489, 4),
    RET_2024: (RET, 8285, 3),
    RET_TEXT: (RET, 3970, 4),
}
EVENTS = {NAT: "irregular_presence", DMG: "irregular_presence", RET: "assisted_return"}


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    return [tuple(r) for r in Store(db).sql(sql).itertuples(index=False)]


def one(db: Path, sql: str) -> object:
    (row,) = rows(db, sql)
    (value,) = row
    return value


# -- every fixture ---------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", list(EXPECTED), ids=lambda p: p.stem)
def test_fixture_ingests_with_its_own_totals(fixture: Path, db: Path) -> None:
    source, total, months = EXPECTED[fixture]
    assert registry.sniff(Probe.read(fixture)) is registry.SOURCES[source]
    (res,) = ingest(db, [fixture])
    assert (res.source, res.status, res.total) == (source, "new", total)
    # the printed grand total (Total row x Total column) is the sum of the stored rows
    grand = "what LIKE '%/ Total (% Total column)'"
    assert one(db, f"SELECT published FROM declared_totals WHERE {grand}") == total
    assert one(db, "SELECT count(*) FILTER (WHERE published <> computed) FROM declared_totals") == 0
    assert one(db, "SELECT count(DISTINCT period) FROM flows") == months
    assert rows(db, "SELECT DISTINCT geo, agency, unit, freq FROM flows") == [
        ("MEX", "UPM", "events", "M")
    ]


def test_sources_share_the_gdidata_overlap_groups() -> None:
    infos = {s.info.id: s.info for s in registry.SOURCES.values()}
    for ours, theirs in ((NAT, "irreg_mexico_nat"), (DMG, "irreg_mexico_dmg"),
                         (RET, "irreg_mexico_exp")):  # fmt: skip
        mine, gdi = infos[ours], infos[f"gdidata.{theirs}"]
        assert (mine.group, mine.dims, mine.agency, mine.events) == (
            gdi.group, gdi.dims, gdi.agency, gdi.events
        )  # fmt: skip
        assert mine.priority < gdi.priority
    # plain totals of the group come from 3.1.1 before 3.1.3
    assert infos[NAT].priority < infos[DMG].priority


# -- one test per quirk ------------------------------------------------------------------------


def test_real_monthly_counts_are_reproduced(db: Path) -> None:
    """January 2024 as UPM printed it (and gdidata copied it): see make_fixtures.py."""
    ingest(db, [NAT_2024])
    jan = dict(rows(db, "SELECT nat, n FROM flows WHERE period = DATE '2024-01-01'"))
    assert (jan["VEN"], jan["HND"], jan["GTM"]) == (20111, 14335, 15587)
    assert sum(jan.values()) == 113839


def test_partial_year_blank_months(db: Path) -> None:
    (res,) = ingest(db, [NAT_2024])
    assert "2024 is published up to Marzo; Abril–Diciembre are blank (not yet published)" in (
        res.notes
    )
    assert rows(db, "SELECT min(period)::VARCHAR, max(period)::VARCHAR FROM flows") == [
        ("2024-01-01", "2024-03-01")
    ]


def test_preliminary_year_mark_and_footnote(db: Path) -> None:
    (res,) = ingest(db, [NAT_2024])
    assert any(
        n.startswith(
            "2024 figures are preliminary (`p/` after the year; `p/ Cifras preliminares.`)"
        )
        for n in res.notes
    )


def test_preliminary_marks_on_cells(db: Path) -> None:
    (res,) = ingest(db, [NAT_CSV])
    note = next(n for n in res.notes if "preliminary" in n)
    assert "32 count(s) marked `p`/`*`" in note and "`* Cifras preliminares.`" in note
    assert one(db, "SELECT n FROM flows WHERE nat = 'VEN' AND period = DATE '2025-03-01'") == 2981


def test_preliminary_marks_on_a_month_header_and_a_cell(db: Path, tmp_path: Path) -> None:
    text = NAT_TEXT.read_bytes()
    assert text.count(b"      Abril") == 2 and b"      1,205" in text  # two pages' headers
    text = text.replace(b"      Abril", b"    Abril p").replace(b"      1,205", b"     1,205p", 1)
    path = tmp_path / NAT_TEXT.name
    path.write_bytes(text)
    (res,) = ingest(db, [path])
    assert any("1 count(s) marked `p`/`*`" in n for n in res.notes)
    assert one(db, "SELECT n FROM flows WHERE nat = 'VEN' AND period = DATE '2025-04-01'") == 1205


def test_csv_export_in_windows_1252_with_thousands_commas(db: Path) -> None:
    raw = NAT_CSV.read_bytes()
    assert b"\x96" in raw and b"Hait\xed" in raw  # cp1252 en dash and í
    (res,) = ingest(db, [NAT_CSV])
    assert "the text is not UTF-8: read as Windows-1252 (Latin-1)" in res.notes
    assert one(db, "SELECT n FROM flows WHERE nat = 'VEN' AND period = DATE '2025-01-01'") == 17956
    assert one(db, "SELECT n FROM flows WHERE nat = 'HTI' AND period = DATE '2025-01-01'") == 1397


def test_pdf_text_in_latin1_across_a_page_break(db: Path) -> None:
    raw = NAT_TEXT.read_bytes()
    assert b"\x0c" in raw and b"Contin\xfaa" in raw  # form feed, `Continúa` in Latin-1
    ingest(db, [NAT_TEXT])
    # rows after the repeated title and header of the second page are read once
    assert one(db, "SELECT n FROM flows WHERE nat = 'IND' AND period = DATE '2025-01-01'") == 585
    assert one(db, "SELECT n FROM flows WHERE nat = 'AUS' AND period = DATE '2025-04-01'") == 0
    assert one(db, "SELECT count(DISTINCT nat) FROM flows") == 22 + 2  # and OTH, UNK


def test_dashes_are_zeros(db: Path) -> None:
    ingest(db, [RET_2024])
    got = rows(
        db,
        "SELECT strftime(period, '%m'), n FROM flows WHERE nat = 'ARG' AND event = 'deportation' "
        "ORDER BY 1",
    )
    assert got == [("01", 0), ("02", 1), ("03", 0)]


def test_continent_subtotals_are_checked_not_counted(db: Path) -> None:
    ingest(db, [NAT_2024])
    america = rows(
        db,
        "SELECT published, computed FROM declared_totals WHERE what = '3.1.1 / América' "
        "ORDER BY period",
    )
    assert america == [(96997, 96997), (107730, 107730), (107677, 107677)]
    assert one(db, "SELECT sum(n) FROM flows WHERE period = DATE '2024-01-01'") == 113839


def test_stateless_and_unspecified_rows_sit_outside_the_continents(db: Path) -> None:
    ingest(db, [NAT_2019, NAT_TEXT])
    stateless = "SELECT strftime(period, '%Y-%m'), n FROM flows WHERE nat = 'STL' AND n > 0"
    assert rows(db, stateless + " ORDER BY 1") == [("2019-08", 2), ("2019-10", 1)]
    assert one(db, "SELECT n FROM flows WHERE nat = 'UNK' AND period = DATE '2025-01-01'") == 1
    oceania = "what = '3.1.1 / Oceanía' AND period = DATE '2025-01-01'"
    assert rows(db, f"SELECT published, computed FROM declared_totals WHERE {oceania}") == [(1, 1)]


def test_presentados_and_canalizados_blocks_add_up(db: Path) -> None:
    (res,) = ingest(db, [NAT_2019])
    assert "`Presentados` and `Canalizados` blocks are added together" in res.notes
    assert one(db, "SELECT n FROM flows WHERE nat = 'HND' AND period = DATE '2019-01-01'") == 3711
    blocks = rows(
        db,
        "SELECT what, published FROM declared_totals WHERE period = DATE '2019-06-01' AND "
        "what IN ('3.1.1 / Presentados', '3.1.1 / Canalizados', '3.1.1 / Total') ORDER BY what",
    )
    assert blocks == [
        ("3.1.1 / Canalizados", 5612),
        ("3.1.1 / Presentados", 25359),
        ("3.1.1 / Total", 30971),
    ]


def test_abbreviated_months_and_labels_in_several_columns(db: Path) -> None:
    ingest(db, [NAT_2019])
    assert one(db, "SELECT count(DISTINCT period) FROM flows") == 12
    assert one(db, "SELECT n FROM flows WHERE nat = 'CMR' AND period = DATE '2019-07-01'") == 632


def test_notes_and_footers_are_not_rows(db: Path, tmp_path: Path) -> None:
    # a note line ending in a number is still a note
    text = NAT_TEXT.read_bytes().replace(b"p/ Cifras preliminares.", b"Nota: cifras a 2025")
    path = tmp_path / NAT_TEXT.name
    path.write_bytes(text)
    (res,) = ingest(db, [path])
    assert res.total == 108489


def test_sex_age_groups_map_as_gdidata_does(db: Path) -> None:
    ingest(db, [DMG_2024])
    got = rows(
        db,
        "SELECT sex, age, family, n FROM flows WHERE period = DATE '2024-01-01' "
        "ORDER BY sex DESC, age, family",
    )
    assert got == [
        ("M", "adult", "", 73446),
        ("M", "minor", "", 1830),
        ("M", "minor", "accompanied_minor", 3225),
        ("M", "minor", "unaccompanied_minor", 107),
        ("F", "adult", "", 28477),
        ("F", "minor", "", 1954),
        ("F", "minor", "accompanied_minor", 4730),
        ("F", "minor", "unaccompanied_minor", 70),
    ]
    assert rows(db, "SELECT DISTINCT nat, event FROM flows") == [("UNK", "irregular_presence")]


def test_sex_age_nested_age_first(db: Path) -> None:
    """2025's text nests Menores de 12 años > Acompañados > Hombres: same cells."""
    ingest(db, [DMG_TEXT])
    got = rows(
        db,
        "SELECT sex, age, family, n FROM flows WHERE period = DATE '2025-04-01' "
        "AND age = 'minor' ORDER BY sex DESC, family",
    )
    assert got == [
        ("M", "minor", "", 113),
        ("M", "minor", "accompanied_minor", 239),
        ("M", "minor", "unaccompanied_minor", 3),
        ("F", "minor", "", 93),
        ("F", "minor", "accompanied_minor", 269),
        ("F", "minor", "unaccompanied_minor", 2),
    ]
    checked = one(db, "SELECT count(*) FROM declared_totals WHERE what LIKE '%acompañados%'")
    # (no) acompañados: 2 subtotals x (4 months + Total column), 4 leaves' Total column
    assert checked == 2 * (4 + 1) + 4


def test_types_of_return_map_as_gdidata_does(db: Path) -> None:
    ingest(db, [RET_2024])
    got = rows(
        db,
        "SELECT event, age, n FROM flows WHERE nat = 'GTM' AND period = DATE '2024-01-01' "
        "ORDER BY event, age",
    )
    assert got == [("assisted_return", "", 1897), ("assisted_return", "minor", 356),
                   ("deportation", "", 0)]  # fmt: skip
    kinds = rows(
        db,
        "SELECT what, published FROM declared_totals WHERE period = DATE '2024-01-01' AND "
        "what IN ('3.2.4 / Deportación', '3.2.4 / Retorno asistido') ORDER BY what",
    )
    assert kinds == [("3.2.4 / Deportación", 34), ("3.2.4 / Retorno asistido", 2610)]


def test_every_monthly_version_is_a_release(db: Path) -> None:
    """The yearly file is overwritten monthly: March's and April's versions are two releases."""
    ingest(db, [NAT_CSV])
    ingest(db, [NAT_TEXT])
    assert one(db, "SELECT count(*) FROM releases WHERE source = 'upm.boletin_3_1_1'") == 2
    store = Store(db)
    jan = store.flows(geo="MEX", nat="VEN", start="2025-01", end="2025-04", by=("period",))
    assert jan["n"].tolist() == [17956, 5940, 2981, 1205]


def test_total_that_disagrees_is_kept_and_noted(db: Path, tmp_path: Path) -> None:
    text = NAT_TEXT.read_bytes().replace(b"   58,037", b"   58,036", 1)
    path = tmp_path / NAT_TEXT.name
    path.write_bytes(text)
    (res,) = ingest(db, [path])
    assert res.total == 108489
    assert any("1 printed total(s) differ" in n and "58,036" in n for n in res.notes)


# -- detection ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "table"),
    [
        ("3.1.1 Eventos de personas en situación migratoria irregular en México, según "
         "continente y país de nacionalidad, 2024", "3.1.1"),
        ("Extranjeros presentados y canalizados ante la autoridad migratoria, según continente "
         "y país de nacionalidad, 2019", "3.1.1"),
        ("Eventos de personas en situación migratoria irregular en México, según grupo de "
         "edad, condición de viaje y sexo, 2024", "3.1.3"),
        ("Eventos de devolución de personas extranjeras, según continente, país de "
         "nacionalidad y tipo de devolución, 2024", "3.2.4"),
        ("Cuadro 3.1.3 Eventos de la autoridad migratoria, 2024", "3.1.3"),
        ("Eventos de personas en situación migratoria irregular, según entidad federativa, "
         "2024", None),
        ("3.1.2 Eventos de la autoridad migratoria, 2024", None),
        ("Encuentros en la frontera, según nacionalidad", None),
    ],
)  # fmt: skip
def test_classify_titles(title: str, table: str | None) -> None:
    assert classify(title) == table


def _others() -> list[Path]:
    files = [p for p in FIXTURES.rglob("*") if p.is_file() and p.parent != HERE]
    for folder in (SHARED / "real", SHARED / "raw"):
        if folder.is_dir():
            files += sorted(folder.glob("*.csv"))
    return files


def test_sniff_leaves_other_connectors_files_alone() -> None:
    for path in _others():
        probe = Probe.read(path)
        assert not [s.info.id for s in CONNECTORS if s.sniff(probe)], path


def test_pdf_needs_its_text_extracted(db: Path, tmp_path: Path) -> None:
    fake = tmp_path / "boletin_2024.pdf"
    fake.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")  # only the magic matters
    assert not any(s.sniff(Probe.read(fake)) for s in CONNECTORS)
    with pytest.raises(InputError) as err:
        ingest(db, [fake], source=NAT)
    assert "run `pdftotext -layout boletin_2024.pdf` and ingest the .txt file" in str(err.value)


# -- the command line --------------------------------------------------------------------------


def test_cli_ingest_then_query(db: Path) -> None:
    proc = corridor(db, "ingest", NAT_2024)
    assert proc.returncode == 0, proc.stderr
    assert "upm.boletin_3_1_1 release upm.boletin_3_1_1@" in proc.stdout
    assert "total 350,677 2024-01..2024-03" in proc.stdout
    assert "note: 2024 is published up to Marzo" in proc.stderr
    query = corridor(
        db, "query", "--geo", "MEX", "--nat", "VEN,HND,GTM", "--by", "period,nat", "-f", "csv"
    )
    assert query.returncode == 0, query.stderr
    lines = query.stdout.strip().splitlines()
    assert lines[0] == "period,nat,n"
    assert "2024-01-01,VEN,20111" in lines and "2024-03-01,GTM,8618" in lines
    assert len(lines) == 1 + 9
