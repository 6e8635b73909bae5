"""A small hand-made population and a corrupted copy of it, for linkage tests.

Deterministic: ``people(n)`` builds ``n`` distinct persons from fixed name
lists; ``corrupt`` applies one of a few hand-picked edits per record (accents
dropped, a typo, a nickname, day/month swapped, second surname missing,
names swapped) so that every true pair is known.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

GIVEN = [
    "José",
    "María",
    "Francisco",
    "Guadalupe",
    "Jesús",
    "Ana Lucía",
    "Carlos",
    "Daniela",
    "Luis",
    "Yolanda",
    "Pedro",
    "Rosa",
    "Miguel Ángel",
    "Camila",
    "Jorge",
    "Valentina",
    "Andrés",
    "Gabriela",
    "Ricardo",
    "Sofía",
    "Eduardo",
    "Paola",
    "Fernando",
    "Lucía",
]
SURNAMES = [
    "García",
    "Rodríguez",
    "Martínez",
    "Hernández",
    "López",
    "González",
    "Pérez",
    "Sánchez",
    "Ramírez",
    "Torres",
    "Flores",
    "Rivera",
    "Gómez",
    "Díaz",
    "Cruz",
    "Morales",
    "Reyes",
    "Gutiérrez",
    "Ortiz",
    "Chávez",
    "Ruiz",
    "Mendoza",
    "Castillo",
    "Jiménez",
    "de la Cruz",
    "Vásquez",
    "Romero",
    "Herrera",
    "Medina",
    "Aguilar",
    "Castro",
    "Vargas",
]
NICK = {"José": "Pepe", "Francisco": "Paco", "Guadalupe": "Lupe", "Jesús": "Chucho"}
NATS = ["VEN", "HTI", "ECU", "COL", "CHN", "CUB"]


def people(n: int, seed: int = 7) -> list[dict[str, str]]:
    rng = random.Random(seed)
    women = {
        "María",
        "Guadalupe",
        "Ana Lucía",
        "Daniela",
        "Yolanda",
        "Rosa",
        "Camila",
        "Valentina",
        "Gabriela",
        "Sofía",
        "Paola",
        "Lucía",
    }
    out = []
    for i in range(n):
        given = rng.choice(GIVEN)
        out.append(
            {
                "id": f"a{i:04d}",
                "given_name": given,
                "surname": rng.choice(SURNAMES),
                "surname2": rng.choice(SURNAMES),
                "dob": f"{rng.randint(1955, 2010):04d}-{rng.randint(1, 12):02d}-"
                f"{rng.randint(1, 28):02d}",
                "sex": "F" if given in women else "M",
                "nationality": rng.choice(NATS),
                "passport": f"P{rng.randint(0, 9_999_999):07d}",
            }
        )
    return out


def _typo(text: str, i: int) -> str:
    if len(text) < 4:
        return text
    j = 1 + i % (len(text) - 2)
    return text[:j] + text[j + 1] + text[j] + text[j + 2 :]


def corrupt(person: dict[str, str], i: int) -> dict[str, str]:
    """The same person as a second agency might write them (Spanish headers)."""
    p = dict(person)
    kind = i % 8
    if kind == 1:
        p["given_name"] = p["given_name"].upper().replace("É", "E").replace("Í", "I")
    elif kind == 2:
        p["surname"] = _typo(p["surname"], i)
    elif kind == 3:
        p["given_name"] = NICK.get(p["given_name"], _typo(p["given_name"], i))
    elif kind == 4:
        y, m, d = p["dob"].split("-")
        if int(d) <= 12:
            p["dob"] = f"{y}-{d}-{m}"
    elif kind == 5:
        p["surname2"] = ""
        p["passport"] = ""
    elif kind == 6:
        p["given_name"], p["surname"] = p["surname"], p["given_name"]
    y, m, d = p["dob"].split("-")
    return {
        "id": f"b{i:04d}",
        "nombres": p["given_name"],
        "apellido_paterno": p["surname"],
        "apellido_materno": p["surname2"],
        "fecha_nacimiento": f"{d}/{m}/{y}",
        "sexo": {"F": "Mujer", "M": "Hombre"}[p["sex"]],
        "nacionalidad": p["nationality"],
        "pasaporte": p["passport"],
    }


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def two_agencies(folder: Path, n: int = 150) -> tuple[Path, Path, set[tuple[str, str]]]:
    """Agency A (English headers, ids ``a....``) and B (Spanish, ``b....``), B holding 2/3 of A."""
    base = people(n)
    b_rows = []
    truth = set()
    for i, person in enumerate(base):
        if i % 3 == 2:
            continue
        row = corrupt(person, i)
        b_rows.append(row)
        truth.add((person["id"], row["id"]))
    a = write_csv(folder / "agency_a.csv", base)
    b = write_csv(folder / "agency_b.csv", b_rows)
    return a, b, truth
