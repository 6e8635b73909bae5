"""The words of the SNM Darién tables: months, totals, regions, footnote marks, boilerplate."""

from __future__ import annotations

import re
import unicodedata

#: published column name -> month number; `Sept.` and `Sep.` are both used by the SNM
MONTHS: dict[str, int] = {
    "ene.": 1, "feb.": 2, "mar.": 3, "abr.": 4, "may.": 5, "jun.": 6, "jul.": 7,
    "ago.": 8, "sept.": 9, "sep.": 9, "oct.": 10, "nov.": 11, "dic.": 12,
}  # fmt: skip
#: how the SNM spells each month's column (for messages)
MONTH_NAMES: tuple[str, ...] = (
    "Ene.", "Feb.", "Mar.", "Abr.", "May.", "Jun.", "Jul.", "Ago.", "Sept.", "Oct.", "Nov.",
    "Dic.",
)  # fmt: skip
_FULL_MONTHS = (
    ("enero", "january"), ("febrero", "february"), ("marzo", "march"), ("abril", "april"),
    ("mayo", "may"), ("junio", "june"), ("julio", "july"), ("agosto", "august"),
    ("septiembre", "setiembre", "september"), ("octubre", "october"),
    ("noviembre", "november"), ("diciembre", "december"),
)  # fmt: skip

TOTAL_LABELS = frozenset({"total", "total general", "gran total"})

#: region subtotal rows (folded); never counted, checked against their countries
REGIONS = frozenset({
    "america", "america del sur", "sudamerica", "suramerica", "america del norte",
    "norteamerica", "centroamerica", "america central", "caribe", "el caribe", "antillas",
    "asia", "asia y oceania", "africa", "europa", "oceania", "medio oriente", "oriente medio",
})  # fmt: skip

#: label headers of the first column (folded)
LABEL_HEADERS = frozenset({
    "region y pais", "region", "pais", "pais de nacionalidad", "nacionalidad",
    "region y nacionalidad", "condicion", "sexo y condicion", "sexo", "detalle",
})  # fmt: skip

_MARK = re.compile(r"\s*\((\d)\)\s*$")
_FOOTNOTE = re.compile(r"^\((\d)\)\s*(\D.*)$")
_BOILERPLATE = (
    "fuente", "nota", "pagina", "pag.", "elaborado", "elaboracion", "republica de panama",
    "ministerio de seguridad", "servicio nacional de migracion", "departamento de",
    "direccion", "oficina de", "(continuacion)", "continuacion", "cifras preliminares",
    "(p)", "p/", "*", "fecha",
)  # fmt: skip
_DATE_LINE = re.compile(
    r"\bde (enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|"
    r"noviembre|diciembre) de \d{4}\b"
)


def key(text: str) -> str:
    """Lower case, no accents, single spaces: the form labels are compared in."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join(plain.lower().split())


def month_of(text: str) -> int | None:
    """The month of a column named as the SNM names it (`Ene.` .. `Dic.`), else None."""
    return MONTHS.get(key(text))


def month_like(text: str) -> int | None:
    """The month a column name means in any other spelling (`Enero`, `ENE`, `January`)."""
    word = key(text).rstrip(".")
    if len(word) < 3 or not word.isalpha():
        return None
    for number, names in enumerate(_FULL_MONTHS, start=1):
        if any(name.startswith(word) for name in names):
            return number
    return None


def split_mark(label: str) -> tuple[str, str]:
    """`Brasil (1)` -> (`Brasil`, `1`); a label without a footnote mark -> (label, '')."""
    found = _MARK.search(label)
    if not found:
        return label.strip(), ""
    return label[: found.start()].strip(), found.group(1)


def footnote(line: str) -> tuple[str, str] | None:
    """`(1) Hijos de ...` -> (`1`, `Hijos de ...`); None for other lines."""
    found = _FOOTNOTE.match(line.strip())
    return (found.group(1), found.group(2).strip()) if found else None


def is_title(line: str) -> bool:
    return "transito irregular" in key(line)


def is_boilerplate(line: str) -> bool:
    """Institution headers, sources, page numbers and dates around the tables."""
    folded = key(line)
    if not folded or folded.startswith(_BOILERPLATE) or _DATE_LINE.search(folded):
        return True
    letters = [c for c in line if c.isalpha()]
    if letters and all(c.isupper() for c in letters) and not any(c.isdigit() for c in line):
        return True  # a heading in capitals (institution, chart caption)
    return bool(re.fullmatch(r"[-\s\d/]*", folded))  # page numbers such as `- 2 -`


def flag_of(text: str, mark: str) -> str:
    """A short name for what a footnote says about its rows."""
    folded = key(text)
    if "hijos de ciudadanos haitianos" in folded or "hijos de haitianos" in folded:
        return "children_of_haitians"
    return f"footnote_{mark}"
