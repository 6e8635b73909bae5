"""The three exports of INM's dashboard and how their columns are told apart.

- ``total``: ``Mes`` (or ``Año``, ``Mes``) and one count column;
- ``nat``: the same plus ``País``/``Nacionalidad``;
- ``dmg``: ``Hombres``, ``Mujeres``, ``Niños``, ``Niñas`` (and maybe ``Total``).

Column names are compared folded (accents, case and punctuation removed).
"""

from __future__ import annotations

from dataclasses import dataclass

from corridor.countries import fold

YEAR = frozenset({"ano"})
QUARTER = frozenset({"trimestre"})
MONTH = frozenset({"mes"})
#: one column holding month and year (``enero 2024``)
PERIOD = frozenset({"periodo", "mes y ano", "ano y mes", "mes ano", "ano mes"})
NAT = frozenset({"pais", "nacionalidad", "pais de nacionalidad"})
#: men, women, boys, girls: sex and age as gdidata.irreg_honduras_dmg maps them
DEMOG: dict[str, tuple[str, str]] = {
    "hombres": ("M", "adult"),
    "mujeres": ("F", "adult"),
    "ninos": ("M", "minor"),
    "ninas": ("F", "minor"),
}
DEMOG_NAMES = ("Hombres", "Mujeres", "Niños", "Niñas")
#: the count column, as the dashboard's measure may be named
MEASURE = frozenset(
    {
        "migrantes irregulares",
        "cantidad de migrantes irregulares",
        "total migrantes irregulares",
        "total de migrantes irregulares",
        "migrantes",
        "cantidad",
        "total",
        "ingresos irregulares",
        "suma de migrantes irregulares",
    }
)
#: words in a file name that tell an INM export apart from other Spanish tables
FILE_WORDS = frozenset({"honduras", "hnd"})  # not "inm": Mexico's institute is INM too


@dataclass(frozen=True)
class Roles:
    """Column index of each part of a header (None: absent)."""

    year: int | None
    quarter: int | None
    month: int | None
    period: int | None
    nat: list[int]
    demog: dict[int, tuple[str, str]]
    measure: list[int]
    unknown: list[int]


def roles(header: list[str]) -> Roles:
    keys = [fold(h) for h in header]

    def first(names: frozenset[str]) -> int | None:
        return next((i for i, k in enumerate(keys) if k in names), None)

    known = YEAR | QUARTER | MONTH | PERIOD | NAT | MEASURE | set(DEMOG)
    return Roles(
        year=first(YEAR),
        quarter=first(QUARTER),
        month=first(MONTH),
        period=first(PERIOD),
        nat=[i for i, k in enumerate(keys) if k in NAT],
        demog={i: DEMOG[k] for i, k in enumerate(keys) if k in DEMOG},
        measure=[i for i, k in enumerate(keys) if k in MEASURE],
        unknown=[i for i, k in enumerate(keys) if k not in known],
    )


def classify(header: list[str], file_stem: str) -> str | None:
    """``total``, ``nat`` or ``dmg`` for an INM export header, else None.

    A header needs a Spanish month column and a sign of INM: a column about
    ``migrantes``, three of Hombres/Mujeres/Niños/Niñas (so that one renamed
    column is reported, not ignored), or ``honduras`` in the file name. Then
    any men/women/boys/girls column makes it ``dmg``; a nationality column, or
    an unknown one about ``país``/``nacionalidad``/``origen``, makes it ``nat``
    (the parser reports the renamed column); else ``total``.
    """
    if len(header) < 2:
        return None
    found = roles(header)
    keys = {fold(h) for h in header}
    if found.month is None and found.period is None:
        return None
    words = set(fold(file_stem).split())
    marked = (
        any("migrante" in k for k in keys)
        or len(set(DEMOG) & keys) >= 3
        or bool(words & FILE_WORDS)
    )
    if not marked:
        return None
    if found.demog:
        return "dmg"
    names = [fold(header[i]) for i in found.unknown]
    if found.nat or any(w in n for n in names for w in ("pais", "nacional", "origen")):
        return "nat"
    return "total"
