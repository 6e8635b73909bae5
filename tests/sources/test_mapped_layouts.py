"""Mapped connectors on every layout the format describes, and every data error."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from corridor.errors import InputError
from corridor.sources.document import Parsed, Probe
from corridor.sources.mapped import MappedSource, load_mapping

SOURCE = """\
[source]
id = "test.layout"
title = "Test"
publisher = "Tests"
agency = "TST"
geo = "HND"
group = "HND.test"
"""
FIXED = '\n[fixed]\nevent = "irregular_transit"\nunit = "persons"\n'


def source(tmp_path: Path, body: str, fixed: str = FIXED) -> MappedSource:
    path = tmp_path / "map.toml"
    path.write_text(SOURCE + body + fixed, encoding="utf-8")
    return load_mapping(path)


def csv_file(tmp_path: Path, text: str, name: str = "data.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def xlsx_file(tmp_path: Path, rows: list[list[object]], name: str = "data.xlsx") -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Datos"
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def rows(parsed: Parsed, *cols: str) -> list[list[object]]:
    frame = parsed.rows.sort_values(list(cols[:-1]) or ["n"])
    return [
        [v.isoformat() if isinstance(v, date) else v for v in r]
        for r in frame[list(cols)].values.tolist()
    ]


def error(src: MappedSource, path: Path) -> str:
    with pytest.raises(InputError) as err:
        src.parse(path)
    return str(err.value)


LONG = """
[file]
format = "csv"

[period]
year = "Año"
month = "Mes"

[columns]
nat = "País"
n = "Personas"
"""

WIDE = """
[file]
format = "xlsx"

[period]
year_value = 2024
month_columns = "names"

[columns]
nat = "País"
"""


# -- layouts --------------------------------------------------------------------------------


def test_long_with_sex_value_map_and_total_rows_by_sex(tmp_path: Path) -> None:
    src = source(
        tmp_path,
        LONG.replace('n = "Personas"', 'n = "Personas"\nsex = "Sexo"')
        + '\n[values.sex]\nHombres = "M"\nMujeres = "F"\n\n[totals]\nlabel = "^Total"\n',
    )
    path = csv_file(
        tmp_path,
        "Año,Mes,País,Sexo,Personas\n"
        "2024,1,Cuba,Hombres,10\n2024,1,Cuba,Mujeres,5\n2024,1,Haití,Hombres,3\n"
        "2024,1,Total,Hombres,13\n2024,1,Total,Mujeres,5\nTotal,,,,18\n",
    )
    parsed = src.parse(path)
    assert rows(parsed, "nat", "sex", "n") == [["CUB", "F", 5], ["CUB", "M", 10], ["HTI", "M", 3]]
    printed = {(t.what, t.published, t.computed) for t in parsed.totals}
    assert printed == {
        ("Total (2024-01, sex=M)", 13, 13),
        ("Total (2024-01, sex=F)", 5, 5),
        ("Total", 18, 18),
    }


def test_total_that_disagrees_is_kept_and_noted(tmp_path: Path) -> None:
    src = source(tmp_path, LONG + '\n[totals]\nlabel = "^Total"\n')
    path = csv_file(tmp_path, "Año,Mes,País,Personas\n2024,2,Cuba,10\n2024,2,Haití,3\nTotal,,,14\n")
    parsed = src.parse(path)
    (total,) = parsed.totals
    assert (total.published, total.computed, total.agrees) == (14, 13, False)
    assert (total.where.row, total.where.column) == (4, "Personas")
    assert parsed.notes == [
        "1 of 1 printed totals differ from the sum of the rows (first: Total on row 4: "
        "printed 14, rows add up to 13)"
    ]


def test_wide_with_year_column_and_explicit_month_headers(tmp_path: Path) -> None:
    body = """
[file]
format = "xlsx"
sheet = "Datos"
header_row = 3

[period]
year = "Año"
month_columns = { "Ene." = 1, "Feb." = 2, "Mar." = 3 }

[columns]
nat = "Nacionalidad"

[totals]
label = "^Total"
column = "Total"
"""
    src = source(tmp_path, body)
    path = xlsx_file(tmp_path, [
        ["Instituto Nacional de Migración"], [],
        ["Año", "Nacionalidad", "Ene.", "Feb.", "Mar.", "Total"],
        [2023, "Cuba", 1, 2, 3, 6],
        [2024, "Cuba", 4, "-", 6, 10],
        [2024, "Total", 4, 0, 6, 10],
    ])  # fmt: skip
    parsed = src.parse(path)
    assert parsed.rows["n"].sum() == 16 and len(parsed.rows) == 6
    assert set(parsed.rows["period"]) == {date(y, m, 1) for y in (2023, 2024) for m in (1, 2, 3)}
    assert all(t.agrees for t in parsed.totals) and len(parsed.totals) == 2 + 3 + 1
    grand = [t for t in parsed.totals if t.where.column == "Total" and t.where.row == 6]
    assert grand[0].what == "Total (2024)" and grand[0].computed == 10


def test_wide_dates_as_headers_across_years(tmp_path: Path) -> None:
    body = WIDE.replace('year_value = 2024\nmonth_columns = "names"', 'month_columns = "dates"')
    body = body.replace('nat = "País"', 'place = "Puesto"')
    src = source(tmp_path, body)
    path = xlsx_file(tmp_path, [
        ["Puesto", "nov-24", "dic-24", datetime(2025, 1, 1)],
        ["Agua Caliente", 5, 6, 7],
        ["", 1, 1, 1],
    ])  # fmt: skip
    parsed = src.parse(path)
    got = rows(parsed, "period", "place", "n")
    assert got[:2] == [["2024-11-01", "", 1], ["2024-11-01", "Agua Caliente", 5]]
    assert got[-1] == ["2025-01-01", "Agua Caliente", 7]
    assert set(parsed.rows["nat"]) == {"UNK"}  # no nationality read: unknown, as gdidata


def test_date_column_with_format_and_one_column_for_sex_and_age(tmp_path: Path) -> None:
    body = """
[file]
format = "csv"
delimiter = "\\t"

[period]
column = "Fecha"
format = "%m/%Y"

[columns]
sex = "Grupo"
age = "Grupo"
n = "Total"

[values.sex]
"Hombres adultos" = "M"
"Niñas" = "F"

[values.age]
"Hombres adultos" = "adult"
"Niñas" = "minor"
"""
    src = source(tmp_path, body)
    path = csv_file(
        tmp_path, "Fecha\tGrupo\tTotal\n03/2024\tHombres adultos\t9\n03/2024\tNiñas\t4\n"
    )
    assert rows(src.parse(path), "period", "sex", "age", "n") == [
        ["2024-03-01", "F", "minor", 4], ["2024-03-01", "M", "adult", 9],
    ]  # fmt: skip
    assert src.info.dims == frozenset({"sex", "age"})


def test_annual_year_only(tmp_path: Path) -> None:
    src = source(
        tmp_path, '\n[file]\nformat = "csv"\n\n[period]\nyear = "Year"\n\n[columns]\nn = "N"\n'
    )
    parsed = src.parse(csv_file(tmp_path, "Year,N\n2022,5\n2023.0,7\n"))
    assert rows(parsed, "period", "freq", "n") == [["2022-01-01", "A", 5], ["2023-01-01", "A", 7]]


def test_latin1_declared_and_year_in_title_with_month_column(tmp_path: Path) -> None:
    body = """
[file]
format = "csv"
encoding = "latin-1"
delimiter = ";"
skip_rows = ["^Fuente"]

[period]
year_value = 2024
month = "Mes"

[columns]
nat = "Nacionalidad"
n = "Cantidad"
"""
    src = source(tmp_path, body)
    path = csv_file(tmp_path, "Mes;Nacionalidad;Cantidad\nSetiembre;Haití;3\nFuente: INM\n",
                    encoding="latin-1")  # fmt: skip
    assert rows(src.parse(path), "period", "nat", "n") == [["2024-09-01", "HTI", 3]]
    # the same file read as UTF-8 cannot be decoded: the error names the key to change
    utf8 = source(tmp_path, body.replace('"latin-1"', '"utf-8"'))
    assert "set [file].encoding in map.toml" in error(utf8, path)


def test_ignored_column_rows_are_added_with_a_note(tmp_path: Path) -> None:
    src = source(
        tmp_path,
        LONG.replace('format = "csv"', 'format = "csv"\nignore_columns = ["Departamento"]'),
    )
    path = csv_file(
        tmp_path,
        "Año,Mes,Departamento,País,Personas\n2024,1,Antioquia,Cuba,3\n2024,1,Chocó,Cuba,4\n",
    )
    parsed = src.parse(path)
    assert rows(parsed, "nat", "n") == [["CUB", 7]]
    assert "2 published counts were added into 1 canonical rows" in parsed.notes[0]


def test_preliminary_marks_and_blank_value_map(tmp_path: Path) -> None:
    src = source(
        tmp_path,
        LONG.replace('format = "csv"', 'format = "csv"\ncount_marks = "p"')
        + '\n[values.nat]\n"" = "UNK"\n',
    )
    path = csv_file(tmp_path, "Año,Mes,País,Personas\n2024,5,,12p\n2024,5,Perú,1 204\n")
    assert rows(src.parse(path), "nat", "n") == [["PER", 1204], ["UNK", 12]]


def test_header_found_below_added_title_lines(tmp_path: Path) -> None:
    src = source(tmp_path, LONG)
    path = csv_file(tmp_path, "Cuadro 1\nFlujos 2024\n\nAÑO,MES,PAÍS,PERSONAS\n2024,ene,Cuba,2\n")
    assert rows(src.parse(path), "period", "nat", "n") == [["2024-01-01", "CUB", 2]]


def test_file_name_marker_claims_the_file_whatever_its_header(tmp_path: Path) -> None:
    src = source(
        tmp_path, LONG.replace('format = "csv"', 'format = "csv"\nfile_name = "(?i)flujos"')
    )
    renamed = csv_file(
        tmp_path, "Año,Mes,Country,Personas\n2024,1,Cuba,2\n", name="Flujos_2024.csv"
    )
    other = csv_file(tmp_path, "Año,Mes,País,Personas\n2024,1,Cuba,2\n", name="other.csv")
    assert src.sniff(Probe.read(renamed)) and not src.sniff(Probe.read(other))
    assert "column `País` is missing" in error(src, renamed)


# -- data errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Año,Mes,País,Personas\n2024,1,,3\n",
         "data.csv, row 2, column `País`, value ``: blank `nat` cell (say what a blank means: "
         'add `"" = "..."` under [values.nat] in map.toml)'),
        ("Año,Mes,País,Personas\n2024,1,Total,3\n",
         'value `Total`: unknown country name (did you mean: Other (OTH), Portugal (PRT), Tonga '
         '(TON)?; or a total row? declare [totals] label = "^Total" in map.toml'),
        ("Año,Mes,País,Personas\n24,1,Cuba,3\n",
         "data.csv, row 2, column `Año`, value `24`: not a year"),
        ("Año,Mes,País,Personas\n2024,13,Cuba,3\n",
         "data.csv, row 2, column `Mes`, value `13`: not a month"),
        ("Año,Mes,País,Personas\n2024,1,Cuba,-3\n",
         "data.csv, row 2, column `Personas`, value `-3`: not a count"),
        ("Año,Mes,País,Personas\n2024,1,Cuba,1.234\n",
         'value `1.234`: not a count (if `.` separates thousands, set [file].thousands = "." in '
         "map.toml)"),
        ("Año,Mes,País,Personas\n2024,1,Cuba,3,7\n",
         "data.csv, row 2, column `column E`, value `7`: a value in a column without header"),
        ("Año,Mes,País,Personas\n",
         None),
    ],
)  # fmt: skip
def test_bad_cell_names_file_row_column_value(
    tmp_path: Path, text: str, message: str | None
) -> None:
    src = source(tmp_path, LONG)
    path = csv_file(tmp_path, text)
    if message is None:  # header only: no rows (the ingest then refuses the empty file)
        assert src.parse(path).rows.empty
    else:
        assert message in error(src, path)


def test_vocabulary_value_not_mapped(tmp_path: Path) -> None:
    src = source(tmp_path, LONG.replace('n = "Personas"', 'n = "Personas"\nsex = "Sexo"'))
    path = csv_file(tmp_path, "Año,Mes,País,Sexo,Personas\n2024,1,Cuba,m,1\n2024,1,Cuba,Hombre,2\n")
    assert error(src, path) == (
        "data.csv, row 3, column `Sexo`, value `Hombre`: not a canonical `sex` and not in "
        '[values.sex] (add `"Hombre" = "..."` under [values.sex] in map.toml (sex is one of: '
        "``, `F`, `M`))"
    )


def test_wrong_header_row_says_where_the_header_is(tmp_path: Path) -> None:
    src = source(tmp_path, LONG.replace('format = "csv"', 'format = "csv"\nheader_row = 1'))
    path = csv_file(tmp_path, "Cuadro 1\nAño,Mes,País,Personas\n2024,1,Cuba,3\n")
    assert error(src, path) == (
        "data.csv, row 1: row 1 is not the header; the columns are on row 2 (the layout "
        "changed: set [file].header_row = 2 in map.toml)"
    )


def test_no_header_at_all(tmp_path: Path) -> None:
    src = source(tmp_path, LONG)
    assert "no header row: the first 50 rows hold none of the columns `País`" in error(
        src, csv_file(tmp_path, "a,b\n1,2\n")
    )


def test_workbook_errors(tmp_path: Path) -> None:
    body = WIDE.replace('format = "xlsx"', 'format = "xlsx"\nsheet = "2024"')
    body = body.replace("year_value = 2024", "year_in_title = '(20\\d\\d)'")
    src = source(tmp_path, body)
    book = xlsx_file(tmp_path, [["País", "Enero"], ["Cuba", 1]])
    assert "sheet `2024` not found; the workbook has `Datos`" in error(src, book)
    no_sheet = source(tmp_path, body.replace('sheet = "2024"\n', ""))
    assert "no year found in the rows above the header" in error(no_sheet, book)
    text = csv_file(tmp_path, "País,Enero\nCuba,1\n")
    assert error(no_sheet, text) == (
        "data.csv: not an Excel workbook (map.toml reads `xlsx` files)"
    )
    assert error(source(tmp_path, LONG), book) == (
        "data.xlsx: is a workbook, not a CSV file (map.toml reads `csv` files)"
    )


def test_repeated_month_column(tmp_path: Path) -> None:
    src = source(tmp_path, WIDE)
    book = xlsx_file(tmp_path, [["País", "Enero", "Ene."], ["Cuba", 1, 2]])
    assert "column `Ene.`: month column `Ene.` repeats `Enero`" in error(src, book)
