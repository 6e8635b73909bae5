from pathlib import Path

import pytest

from corridor.linkage.backend import open_backend
from corridor.records.reading import load_records


def _normalised(tmp_path: Path, rows: list[str], header: str) -> list[dict]:
    path = tmp_path / "people.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with open_backend() as be:
        load_records(be, [path], "id")
        return be.fetch("SELECT * FROM recs ORDER BY _i").to_pylist()


@pytest.fixture
def recs(tmp_path: Path) -> list[dict]:
    header = "id,nombres,apellidos,apellido_materno,fecha_nacimiento,sexo,pasaporte,telefono"
    rows = [
        "1,José María,García López,,12/03/1990,Hombre,ab-123 456,+57 (300) 123-4567",
        "2,PEPE,de la Cruz,,1990-03-12,M,,",
        "3,Ángela,  Núñez  ,del Valle,19900312,Mujer,,",
        "4,Lupe,Ramírez,Soto,03/25/1990,F,,",
        "5,Ana,Pérez,,not a date,,,12",
    ]
    return _normalised(tmp_path, rows, header)


def test_names_are_folded_and_surnames_split(recs):
    one, two, three = recs[0], recs[1], recs[2]
    assert one["given"] == "jose maria" and one["given1"] == "jose"
    assert (one["surname1"], one["surname2"]) == ("garcia", "lopez")
    assert two["surname1"] == "cruz"  # particles dropped
    assert (three["given"], three["surname1"], three["surname2"]) == ("angela", "nunez", "valle")


def test_nicknames_map_to_full_names(recs):
    assert recs[1]["given_nick"] == "jose"
    assert recs[3]["given_nick"] == "guadalupe"
    assert recs[0]["given_nick"] == "jose"


def test_dates_in_three_layouts_and_a_swapped_month(recs):
    assert [r["dob"] for r in recs[:3]] == ["19900312", "19900312", "19900312"]
    assert recs[3]["dob"] == "19900325"  # month 25 is impossible: day and month swapped back
    assert recs[4]["dob"] is None


def test_documents_phones_and_sex(recs):
    assert recs[0]["doc_number"] == "AB123456"
    assert recs[0]["phone"] == "01234567"  # last 8 digits
    assert recs[4]["phone"] is None  # too short to be a phone
    assert [r["sex"] for r in recs] == ["M", "M", "F", "F", None]
