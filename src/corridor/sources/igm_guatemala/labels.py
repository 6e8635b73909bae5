"""The words of IGM's returns tables: months, row labels, titles.

Every label is compared after :func:`~corridor.countries.fold` (accents, case
and punctuation removed), so ``MAYORES DE EDAD`` and ``Mayores de edad`` are
one label, and ``18+`` reads as ``18``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corridor.canonical.months import MONTH_NUMBERS_ES, MONTHS_ES
from corridor.countries import fold

MONTHS: dict[str, int] = MONTH_NUMBERS_ES
MONTH_NAMES = tuple(name.capitalize() for name in MONTHS_ES)


@dataclass(frozen=True)
class Category:
    """What a row of a returns table counts: sex, age group and minors' company."""

    sex: str
    age: str
    family: str = ""

    def covers(self, other: Category) -> bool:
        """Whether ``other`` (a detail row) is part of this (possibly partial) category."""
        return all(
            mine in ("", theirs)
            for mine, theirs in (
                (self.sex, other.sex), (self.age, other.age), (self.family, other.family)
            )
        )  # fmt: skip


_MALE = re.compile(r"\b(hombres?|masculinos?|varones|ninos|adolescentes hombres)\b")
_FEMALE = re.compile(r"\b(mujer(es)?|femeninos?|ninas|adolescentes mujeres)\b")
_UNACCOMPANIED = re.compile(r"\b(no acompanad[oa]s?|sin acompanamiento)\b")
_ACCOMPANIED = re.compile(r"\bacompanad[oa]s?\b")
_MINOR = re.compile(r"\b(menores( de edad)?|nna|ninos|ninas|0 17|0 a 17( anos)?)\b")
_ADULT = re.compile(r"\b(mayores( de edad)?|adult[oa]s|18( anos)?( y mas)?)\b")


def category(label: str) -> Category | None:
    """The category a row label names, or None if it names neither sex nor age.

    Labels may be split over two columns (``Mayores de edad`` / ``Hombres``);
    the caller joins them. ``Niños``/``Niñas`` are boys/girls: sex and minor,
    as gdidata maps the same words.

    Raises:
        ValueError: with the part that is missing or contradictory.
    """
    key = fold(label)
    male, female = bool(_MALE.search(key)), bool(_FEMALE.search(key))
    if male and female:
        raise ValueError("names both sexes")
    sex = "M" if male else "F" if female else ""
    if _UNACCOMPANIED.search(key):
        age, family = "minor", "unaccompanied_minor"
    elif _ACCOMPANIED.search(key):
        age, family = "minor", "accompanied_minor"
    elif _MINOR.search(key):
        age, family = "minor", ""
    elif _ADULT.search(key):
        age, family = "adult", ""
    else:
        age, family = "", ""
    if not sex and not age:
        return None
    return Category(sex, age, family)


def is_total(label: str) -> bool:
    """``Total``, ``TOTAL GENERAL``, ``Total hombres``, ``Subtotal``..."""
    return bool(re.match(r"(sub)?total\b", fold(label)))


def is_family_units(label: str) -> bool:
    """``Unidades familiares`` counts families, not persons: never added to persons."""
    return fold(label).startswith(("unidades familiares", "unidad familiar", "uf"))


_ORIGIN = re.compile(
    r"\b(?:desde|procedentes? de|provenientes? de|retornad[oa]s de)\s+(?:los\s+)?(.+?)"
    r"(?=\s+(?:por|del|durante|ano|anos|en|al|segun|via|enero|febrero|marzo|abril|mayo|junio"
    r"|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre)\b|\s+\d|$)"
)
_MODE = re.compile(r"\bvia (aerea|terrestre|maritima)\b")
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_UNTIL = re.compile(r"\bal (\d{1,2}) de (" + "|".join(MONTHS) + r")\b")


def origin_names(title: str) -> list[str]:
    """The country names a title says the returns came from (folded).

    ``... PROCEDENTES DE ESTADOS UNIDOS Y MEXICO, AÑO 2023`` gives two names;
    a title without ``desde``/``procedentes de`` gives none.
    """
    found = _ORIGIN.search(fold(title))
    if not found:
        return []
    return [part.strip() for part in re.split(r"\s+(?:y|e)\s+", found.group(1)) if part.strip()]


def mode(title: str) -> str:
    """``aérea``/``terrestre``/``marítima`` when the title says ``vía ...``, else ''."""
    found = _MODE.search(fold(title))
    return {"aerea": "aérea", "terrestre": "terrestre", "maritima": "marítima"}.get(
        found.group(1) if found else "", ""
    )


def year(text: str) -> int | None:
    """The last year a title names (``DEL 1 DE ENERO AL 7 DE JUNIO DE 2024`` -> 2024)."""
    years = _YEAR.findall(text)
    return int(years[-1]) if years else None


def cut_off(title: str) -> tuple[int, int] | None:
    """(day, month) of ``... AL 7 DE JUNIO ...``: the last day the counts cover."""
    found = _UNTIL.search(fold(title))
    return (int(found.group(1)), MONTHS[found.group(2)]) if found else None


def is_summary(title: str) -> bool:
    """A table of all origins together (``TOTAL GENERAL``, ``CONSOLIDADO``)."""
    key = fold(title)
    return len(origin_names(title)) > 1 or bool(re.search(r"\b(total general|consolidado)\b", key))


def is_department_header(label: str) -> bool:
    return fold(label).startswith("departamento")
