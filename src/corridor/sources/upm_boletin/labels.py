"""The words of UPM's tables: months, continents, blocks, sex and age groups, notes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from corridor.canonical.months import MONTHS_ES
from corridor.countries import fold

MONTH_NAMES = tuple(name.capitalize() for name in MONTHS_ES)
_ABBREVIATIONS = (
    "ene",
    "feb",
    "mar",
    "abr",
    "may",
    "jun",
    "jul",
    "ago",
    "sep",
    "oct",
    "nov",
    "dic",
)
#: folded month header -> month number (full names and UPM's abbreviations)
MONTHS: dict[str, int] = {
    **{fold(name): i for i, name in enumerate(MONTH_NAMES, start=1)},
    **{abbr: i for i, abbr in enumerate(_ABBREVIATIONS, start=1)},
    "sept": 9,
    "setiembre": 9,
}
TOTAL_WORDS = frozenset({"total", "total general"})
CONTINENTS = frozenset({"america", "africa", "asia", "europa", "oceania"})

# Preliminary marks UPM writes after a year, a month or a count: `2024p/`, `Marzo p`, `1,205*`.
_TRAILING_MARK = re.compile(r"(?:\s*p/|\s+p|(?<=\d)p|\s*\*+)$", re.IGNORECASE)
_CELL_MARK = re.compile(r"\d\s*(?:p/?|\*+)$", re.IGNORECASE)
# Footnote calls after a row label: `Otros países 1/`, `Venezuela (2)`, `Haití*`.
_FOOTNOTE_CALL = re.compile(r"\s*(?:\d{1,2}/|\(\d{1,2}\)|\*+|p/)$")
YEAR = re.compile(r"(?<![\d.])((?:19|20)\d{2})(?![\d.])\s*(p/|p\b|\*)?", re.IGNORECASE)
# The first line of the notes under a table; everything below it is not data.
_NOTE_START = re.compile(
    r"^\s*(?:\(?\d{1,2}[/)]|p/|\*|fuente|notas?\b|cifras|elaborad|informaci[oó]n)", re.IGNORECASE
)
# Lines a PDF page break leaves inside a table.
_PAGE_WORDS = frozenset({"continua", "concluye", "continuacion"})


def month_of(text: str) -> int | None:
    """The month a column header names (`Marzo`, `Mar.`, `MARZO p/`), else None."""
    return MONTHS.get(_unmarked(text))


def is_total(text: str) -> bool:
    return _unmarked(text) in TOTAL_WORDS


def _unmarked(text: str) -> str:
    return fold(_TRAILING_MARK.sub("", text.strip()))


def has_mark(text: str) -> bool:
    """Whether a count cell carries a preliminary mark (`1,205p`, `98*`)."""
    return bool(_CELL_MARK.search(text.strip()))


def clean_label(text: str) -> str:
    """A row label without footnote calls and with single spaces."""
    label = " ".join(text.split())
    while True:
        shorter = _FOOTNOTE_CALL.sub("", label)
        if shorter == label:
            return label
        label = shorter


def is_note(text: str) -> bool:
    """Whether a label-only row starts the notes under the table (`Fuente:`, `Nota:`, `p/`)."""
    return bool(_NOTE_START.match(text))


def is_page_mark(text: str) -> bool:
    """`Continúa`, `Concluye`: words a PDF page break leaves in the table."""
    return fold(text) in _PAGE_WORDS


def is_preliminary_note(text: str) -> bool:
    return "preliminar" in fold(text)


@dataclass(frozen=True)
class Block:
    """A block of rows under a heading (`Presentados`, `Deportación`) and what it sets."""

    name: str
    #: canonical columns the block's rows carry (``event``, ``age``)
    columns: Mapping[str, str]


#: table 3.1.1/3.1.3 of older years: adults presented to INM, minors channelled to DIF
PRESENTED_BLOCKS: dict[str, Block] = {
    "presentados": Block("Presentados", {}),
    "presentadas": Block("Presentados", {}),
    "canalizados": Block("Canalizados", {}),
    "canalizadas": Block("Canalizados", {}),
}
_CHILD_RETURN = Block(
    "Retorno asistido de niñas, niños y adolescentes",
    {"event": "assisted_return", "age": "minor"},
)
#: table 3.2.4: the type of return, as in gdidata.irreg_mexico_exp
RETURN_BLOCKS: dict[str, Block] = {
    "deportacion": Block("Deportación", {"event": "deportation", "age": ""}),
    "deportaciones": Block("Deportación", {"event": "deportation", "age": ""}),
    "retorno asistido": Block("Retorno asistido", {"event": "assisted_return", "age": ""}),
    "retornos asistidos": Block("Retorno asistido", {"event": "assisted_return", "age": ""}),
    fold(_CHILD_RETURN.name): _CHILD_RETURN,
    "retorno asistido de nna": _CHILD_RETURN,
    "retorno asistido de ninas ninos y adolescentes no acompanados": _CHILD_RETURN,
    "retorno asistido de menores": _CHILD_RETURN,
}

# -- table 3.1.3: sex, age group, travel condition ---------------------------------------------

SEXES: dict[str, str] = {
    "hombres": "M", "hombre": "M", "masculino": "M",
    "mujeres": "F", "mujer": "F", "femenino": "F",
}  # fmt: skip
ADULT, TEEN, CHILD = "18+", "12-17", "<12"
#: folded age label -> the age groups it covers
AGE_GROUPS: dict[str, frozenset[str]] = {
    "18 anos y mas": frozenset({ADULT}),
    "18 anos o mas": frozenset({ADULT}),
    "mayores de 18 anos": frozenset({ADULT}),
    "mayores de edad": frozenset({ADULT}),
    "adultos": frozenset({ADULT}),
    "menores de 18 anos": frozenset({TEEN, CHILD}),
    "menores de edad": frozenset({TEEN, CHILD}),
    "ninas ninos y adolescentes": frozenset({TEEN, CHILD}),
    "12 a 17 anos": frozenset({TEEN}),
    "de 12 a 17 anos": frozenset({TEEN}),
    "menores de 12 anos": frozenset({CHILD}),
    "0 a 11 anos": frozenset({CHILD}),
    "de 0 a 11 anos": frozenset({CHILD}),
}
#: age group -> canonical `age` (as gdidata.irreg_mexico_dmg maps `18+`, `12-17`, `under 12`)
AGE = {ADULT: "adult", TEEN: "minor", CHILD: "minor"}
ACCOMPANIED, UNACCOMPANIED = "accompanied_minor", "unaccompanied_minor"
CONDITIONS: dict[str, str] = {
    "acompanados": ACCOMPANIED, "acompanadas": ACCOMPANIED, "acompanado": ACCOMPANIED,
    "no acompanados": UNACCOMPANIED, "no acompanadas": UNACCOMPANIED,
    "no acompanado": UNACCOMPANIED,
}  # fmt: skip
SEX_AGE_EXPECTED = (
    "`Hombres`/`Mujeres`, `18 años y más`, `Menores de 18 años`, `12 a 17 años`, "
    "`Menores de 12 años`, `Acompañados`/`No acompañados`"
)

#: nationality spellings seen in UPM tables that the shared alias table lacks
NAT_ALIASES: dict[str, str] = {
    "otros paises de america": "OTH",
    "otros paises de africa": "OTH",
    "otros paises de asia": "OTH",
    "otros paises de europa": "OTH",
    "otros paises de oceania": "OTH",
    "resto de paises": "OTH",
}
