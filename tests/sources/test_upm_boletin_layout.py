"""UPM tables whose layout changed: one clear error naming what changed, and nothing written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from corridor.errors import InputError
from corridor.store import ingest
from tests.conftest import digest
from tests.sources.test_upm_boletin import (
    DMG_2024,
    DMG_TEXT,
    NAT_2019,
    NAT_2024,
    NAT_CSV,
    NAT_TEXT,
    RET_2024,
)


def edited(tmp_path: Path, fixture: Path, edit: Callable[[Worksheet], None]) -> Path:
    """A copy of a fixture workbook with one change, under the same name."""
    book = load_workbook(fixture)
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    edit(sheet)
    out = tmp_path / fixture.name
    book.save(out)
    return out


def changed(tmp_path: Path, fixture: Path, old: bytes, new: bytes) -> Path:
    """A copy of a text fixture with one byte-level change (keeps its encoding)."""
    data = fixture.read_bytes()
    assert old in data, old
    out = tmp_path / fixture.name
    out.write_bytes(data.replace(old, new, 1))
    return out


def fails(db: Path, *paths: Path, source: str | None = None) -> str:
    with pytest.raises(InputError) as err:
        ingest(db, list(paths), source=source)
    assert digest(db) is None
    return str(err.value)


def row_of(sheet: Worksheet, label: str) -> int:
    return next(c.row for c in sheet["A"] if str(c.value or "").strip() == label)


# -- columns -----------------------------------------------------------------------------------


def test_month_column_renamed(tmp_path: Path, db: Path) -> None:
    path = edited(tmp_path, NAT_2024, lambda s: setattr(s["D3"], "value", "Febr."))
    assert fails(db, path) == (
        "nat_2024_partial_year_preliminary.xlsx, row 3, column `3.1.1!D`, value `Febr.`: "
        "column `Febr.` is not a month name: expected `Febrero` (or `Feb`) — the layout "
        "changed (expected `Total` and the months `Enero` .. `Diciembre` (or `Ene` .. `Dic`))"
    )


def test_month_column_renamed_in_pdf_text(tmp_path: Path, db: Path) -> None:
    path = changed(tmp_path, NAT_TEXT, b"    Febrero", b"   Feb-2025")
    msg = fails(db, path)
    assert msg.startswith(
        "nat_2025_pdf_text_latin1_page_break.txt, row 3, column `Feb-2025`, value `Feb-2025`: "
        "column `Feb-2025` is not a month name: expected `Febrero` (or `Feb`) — the layout changed"
    )


def test_middle_month_missing(tmp_path: Path, db: Path) -> None:
    path = edited(tmp_path, NAT_2024, lambda s: s.delete_cols(4))  # D = Febrero
    assert fails(db, path).startswith(
        "nat_2024_partial_year_preliminary.xlsx, row 3, column `3.1.1!D`, value `Marzo`: "
        "column `Febrero` is missing: `Marzo` follows `Enero` — the layout changed"
    )


def test_middle_month_missing_in_csv(tmp_path: Path, db: Path) -> None:
    path = changed(tmp_path, NAT_CSV, b",Enero,Febrero,Marzo,", b",Enero,Marzo,")
    msg = fails(db, path)
    assert "row 2, column `Marzo`, value `Marzo`: column `Febrero` is missing" in msg


def test_month_blank_between_published_months(tmp_path: Path, db: Path) -> None:
    def blank_february(sheet: Worksheet) -> None:
        for (cell,) in sheet.iter_rows(min_row=4, min_col=4, max_col=4):
            cell.value = None

    msg = fails(db, edited(tmp_path, NAT_2024, blank_february))
    assert "row 3, column `3.1.1!D`, value `Febrero`: month `Febrero` is blank but `Marzo` " in msg


def test_unexpected_extra_column(tmp_path: Path, db: Path) -> None:
    def add_change(sheet: Worksheet) -> None:
        sheet["P3"] = "Variación %"
        sheet["P4"] = 12.5

    msg = fails(db, edited(tmp_path, NAT_2024, add_change))
    assert msg.startswith(
        "nat_2024_partial_year_preliminary.xlsx, row 3, column `3.1.1!P`, value `Variación %`: "
        "column `Variación %` is neither `Total` nor a month — the layout changed"
    )


def test_count_under_a_column_without_a_header(tmp_path: Path, db: Path) -> None:
    msg = fails(db, edited(tmp_path, NAT_2024, lambda s: setattr(s["Q6"], "value", 7)))
    assert msg.startswith(
        "nat_2024_partial_year_preliminary.xlsx, row 6, column `3.1.1!Q`, value `7`: a count "
        "under a column without a header — the layout changed"
    )


def test_title_without_a_year(tmp_path: Path, db: Path) -> None:
    def drop_year(sheet: Worksheet) -> None:
        sheet["A1"] = str(sheet["A1"].value).replace(", 2024p/", "")
        sheet.title = "Hoja1"

    msg = fails(db, edited(tmp_path, NAT_2024, drop_year))
    assert msg.startswith(
        "nat_2024_partial_year_preliminary.xlsx, row 1, column `Hoja1!A`, value `3.1.1 Eventos "
        "de personas en situación migratoria irregul...`: the table's title names no year"
    )


def test_total_column_after_the_months_still_reads(tmp_path: Path, db: Path) -> None:
    def total_last(sheet: Worksheet) -> None:
        totals = [(c.row, c.value) for c in sheet["B"] if c.value is not None]
        sheet.delete_cols(2)
        for row, value in totals:
            sheet.cell(row, 14).value = value

    (res,) = ingest(db, [edited(tmp_path, NAT_2024, total_last)])
    assert res.total == 350677 and not any("differ" in n for n in res.notes)


# -- rows --------------------------------------------------------------------------------------


def test_new_country_spelling(tmp_path: Path, db: Path) -> None:
    def rename(sheet: Worksheet) -> None:
        sheet.cell(row_of(sheet, "Venezuela"), 1).value = "   Rep. Bolivariana de Venezuela"

    msg = fails(db, edited(tmp_path, NAT_2024, rename))
    assert msg.startswith(
        "nat_2024_partial_year_preliminary.xlsx, row 6, column `3.1.1!A`, value `Rep. "
        "Bolivariana de Venezuela`: unknown nationality `Rep. Bolivariana de Venezuela` — a new "
        "spelling? (did you mean: Venezuela (VEN)"
    )


def test_new_country_spelling_in_latin1_text(tmp_path: Path, db: Path) -> None:
    path = changed(tmp_path, NAT_TEXT, b"  Hait\xed      ", b"  Hait\xed (Rep.)")
    msg = fails(db, path)
    assert "column `Continente y país de nacionalidad`, value `Haití (Rep.)`: unknown " in msg


def test_new_block_heading(tmp_path: Path, db: Path) -> None:
    def rename(sheet: Worksheet) -> None:
        sheet.cell(row_of(sheet, "Retorno asistido"), 1).value = "Expulsión"

    msg = fails(db, edited(tmp_path, RET_2024, rename))
    assert "value `Expulsión`: row `Expulsión` heads a block but is not a known block heading " in (
        msg
    )
    assert "known blocks: `Deportación`, `Retorno asistido`, `Retorno asistido de niñas" in msg


def test_new_block_heading_in_older_table(tmp_path: Path, db: Path) -> None:
    def rename(sheet: Worksheet) -> None:
        sheet.cell(row_of(sheet, "Canalizados"), 1).value = "Asegurados"

    msg = fails(db, edited(tmp_path, NAT_2019, rename))
    assert "row `Asegurados` heads a block but is not a known block heading" in msg
    assert "known blocks: `Canalizados`, `Presentados`" in msg


def test_country_before_any_type_of_return(tmp_path: Path, db: Path) -> None:
    msg = fails(db, edited(tmp_path, RET_2024, lambda s: s.delete_rows(row_of(s, "Deportación"))))
    assert "row 5, column `3.2.4!A`, value `América`: a row before any block heading" in msg


def test_same_country_twice(tmp_path: Path, db: Path) -> None:
    def rename(sheet: Worksheet) -> None:
        sheet.cell(row_of(sheet, "Guatemala"), 1).value = "Honduras"

    msg = fails(db, edited(tmp_path, NAT_2024, rename))
    assert "row 8, column `3.1.1!A`, value `Honduras`: the same nationality as row 7" in msg


def test_unknown_age_group(tmp_path: Path, db: Path) -> None:
    def rename(sheet: Worksheet) -> None:
        sheet.cell(row_of(sheet, "12 a 17 años"), 1).value = "15 a 17 años"

    msg = fails(db, edited(tmp_path, DMG_2024, rename))
    assert msg.startswith(
        "sex_age_2024_sex_outer_partial_year.xlsx, row 8, column `3.1.3!A`, value `15 a 17 "
        "años`: row label `15 a 17 años` is not a sex, age group or travel condition — the "
        "layout changed"
    )


def test_age_group_without_sex(tmp_path: Path, db: Path) -> None:
    lines = DMG_TEXT.read_text(encoding="utf-8").splitlines(keepends=True)
    out = tmp_path / DMG_TEXT.name
    out.write_text("".join(lines[:5] + lines[7:]), encoding="utf-8")  # no Hombres/Mujeres
    msg = fails(db, out)
    assert "row 5, column `Sexo, grupo de edad y condición de viaje`, value `18 años y más`" in msg
    assert "has nothing nested under it but names no sex — the layout changed" in msg


def test_counts_below_the_notes(tmp_path: Path, db: Path) -> None:
    lines = DMG_TEXT.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[18].startswith("p/ Cifras") and lines[19].startswith("Fuente:")
    out = tmp_path / DMG_TEXT.name
    out.write_text("".join([*lines[:20], lines[6], *lines[20:]]), encoding="utf-8")
    assert fails(db, out).startswith(
        "sex_age_2025_pdf_text_age_outer.txt, row 21, column `Sexo, grupo de edad y condición "
        "de viaje`, value `Mujeres`: counts below the notes that start at row 19 — the layout "
        "changed"
    )


def test_not_a_count(tmp_path: Path, db: Path) -> None:
    msg = fails(db, edited(tmp_path, NAT_2024, lambda s: setattr(s["C6"], "value", "20.111,5")))
    assert "row 6, column `3.1.1!C`, value `20.111,5`: not a count" in msg


def test_one_bad_file_writes_nothing(tmp_path: Path, db: Path) -> None:
    bad = edited(tmp_path, NAT_2024, lambda s: setattr(s["D3"], "value", "Febr."))
    fails(db, NAT_TEXT, DMG_2024, bad)
