from pathlib import Path

import pytest

from corridor.errors import InputError
from corridor.linkage.backend import open_backend
from corridor.records.reading import load_records


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _load(*paths: Path, id_column: str = "id") -> None:
    with open_backend() as be:
        load_records(be, list(paths), id_column)


def test_missing_id_column_names_file_and_column(tmp_path):
    f = _write(tmp_path / "no_id.csv", "given_name,surname\nAna,Pérez\n")
    with pytest.raises(InputError) as err:
        _load(f)
    assert "no_id.csv" in str(err.value) and "`id`" in str(err.value)


def test_duplicate_ids_name_both_rows(tmp_path):
    f = _write(tmp_path / "dup.csv", "id,given_name\n1,Ana\n2,Luis\n1,Rosa\n")
    with pytest.raises(InputError) as err:
        _load(f)
    message = str(err.value)
    assert "dup.csv" in message and "row 3" in message and "`1`" in message and "row 1" in message


def test_duplicate_ids_across_files(tmp_path):
    a = _write(tmp_path / "a.csv", "id,given_name\nx1,Ana\n")
    b = _write(tmp_path / "b.csv", "id,given_name\ny1,Luis\nx1,Ana\n")
    with pytest.raises(InputError) as err:
        _load(a, b)
    assert "b.csv" in str(err.value) and "row 2" in str(err.value) and "a.csv" in str(err.value)


def test_empty_id(tmp_path):
    f = _write(tmp_path / "blank.csv", "id,given_name\n1,Ana\n ,Luis\n")
    with pytest.raises(InputError, match="row 2"):
        _load(f)


def test_unreadable_and_missing_files(tmp_path):
    bad = tmp_path / "broken.parquet"
    bad.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(InputError, match=r"broken\.parquet"):
        _load(bad)
    with pytest.raises(InputError, match="not found"):
        _load(tmp_path / "absent.csv")


def test_no_comparable_column(tmp_path):
    f = _write(tmp_path / "ids_only.csv", "id,colour\n1,red\n")
    with pytest.raises(InputError, match="no column the linker can compare"):
        _load(f)
