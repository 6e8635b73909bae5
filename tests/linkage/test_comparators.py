import pytest

BASE = {
    "given_name": "José Luis",
    "surname": "García",
    "surname2": "López",
    "dob": "1990-03-12",
    "sex": "M",
    "nationality": "VEN",
    "passport": "A1234567",
    "phone": "3001234567",
    "postcode": "110111",
    "city": "Bogotá",
    "street": "Calle 45",
}


def with_(**changes):
    return {**BASE, **changes}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({}, "exact"),
        ({"given_name": "JOSE LUIS"}, "exact"),
        ({"given_name": "José"}, "first given name or nickname"),
        ({"given_name": "Pepe"}, "first given name or nickname"),
        ({"given_name": "José Carlos"}, "first given name equal, second differs"),
        ({"given_name": "Pepe Carlos"}, "first given name equal, second differs"),
        ({"given_name": "Jsoé Luis"}, "jaro-winkler >= 0.92"),
        ({"given_name": "Joel Lucas"}, "jaro-winkler >= 0.8"),
        ({"given_name": "García", "surname": "José"}, "swapped with surname"),
        ({"given_name": "Maribel"}, "else"),
        ({"given_name": ""}, "missing"),
    ],
)
def test_given_name_levels(levels, change, expected):
    assert levels(BASE, with_(**change))["given_name"] == expected


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"surname2": ""}, "exact"),
        ({"surname": "Garcia Lopez", "surname2": ""}, "exact"),
        ({"surname2": "Pérez"}, "first equal, second differs"),
        ({"surname": "Gracía", "surname2": "Lopes"}, "jaro-winkler >= 0.92"),
        ({"surname": "López", "surname2": "García"}, "one surname shared, other position"),
        ({"surname": "López", "surname2": "Pérez"}, "one surname shared, other position"),
        ({"surname": "Garza", "surname2": "Leal"}, "jaro-winkler >= 0.8"),
        ({"surname": "Torres", "surname2": "Vargas"}, "else"),
        # swapped with the given name: counted once, by the given-name comparison
        ({"given_name": "García", "surname": "José"}, "missing"),
    ],
)
def test_surname_levels(levels, change, expected):
    assert levels(BASE, with_(**change))["surname"] == expected


@pytest.mark.parametrize(
    ("dob", "expected"),
    [
        ("12/03/1990", "exact"),
        ("1990-12-03", "day and month swapped"),
        ("1990-03-13", "one edit"),
        ("1990-03-21", "one edit"),  # two adjacent digits swapped
        ("1990-05-17", "two digits differ"),
        ("1991-11-30", "year within 1"),
        ("1975-07-01", "else"),
        ("", "missing"),
    ],
)
def test_dob_levels(levels, dob, expected):
    assert levels(BASE, with_(dob=dob))["dob"] == expected


@pytest.mark.parametrize(
    ("field", "comparison", "value", "expected"),
    [
        ("passport", "doc_number", "a-123 4567", "exact"),
        ("passport", "doc_number", "A1234568", "one edit"),
        ("passport", "doc_number", "B9999999", "else"),
        ("phone", "phone", "+57 300 123 4567", "exact"),
        ("phone", "phone", "3001234568", "one edit"),
        ("sex", "sex", "Hombre", "exact"),
        ("sex", "sex", "Mujer", "else"),
        ("nationality", "nationality", "ven", "exact"),
        ("postcode", "postcode", "110112", "one edit"),
        ("city", "city", "BOGOTA", "exact"),
        ("city", "city", "Bogotta", "jaro-winkler >= 0.9"),
        ("street", "street", "Calle 46", "jaro-winkler >= 0.9"),
    ],
)
def test_other_fields(levels, field, comparison, value, expected):
    assert levels(BASE, with_(**{field: value}))[comparison] == expected
