"""The three UPM boletín connectors: 3.1.1, 3.1.3 and 3.2.4."""

from __future__ import annotations

import re
from abc import abstractmethod
from pathlib import Path
from typing import ClassVar

from corridor.countries import fold
from corridor.sources.base import Publication, SourceInfo
from corridor.sources.document import DeclaredTotal, DocumentSource, Parsed, Probe, canonical_frame
from corridor.sources.upm_boletin import labels
from corridor.sources.upm_boletin.grid import read_grid, title_before_header
from corridor.sources.upm_boletin.nationality import NationalityReader
from corridor.sources.upm_boletin.sex_age import SexAgeReader
from corridor.sources.upm_boletin.table import Table, read_table

PUBLISHER = "Unidad de Política Migratoria, Registro e Identidad de Personas (UPM, SEGOB)"
URL = "https://portales.segob.gob.mx/es/PoliticaMigratoria/Boletines_Estadisticos"
#: the page listing the current year's tables (section 3: irregular situation, returns)
TABLES_PAGE = (
    "https://portales.segob.gob.mx/es/PoliticaMigratoria/CuadrosBOLETIN?Anual={year}&Secc=3"
)
FIXED = {"freq": "M", "geo": "MEX", "agency": "UPM", "unit": "events"}
# `3.1.1` folded: not part of a longer number such as `13.1.1` or `3.1.1.2`
_TABLE_NUMBER = re.compile(r"(?<!\d)(?<!\d )3 ([12]) (\d)(?! ?\d)")


def classify(title: str) -> str | None:
    """Which of the three tables a title is (`3.1.1`, `3.1.3`, `3.2.4`), else None.

    The words decide (table numbers moved between years); the number printed
    before the title only when the words say nothing.
    """
    t = fold(title)
    returned = any(w in t for w in ("devolucion", "devuelt")) and "extranjer" in t
    if returned and "nacionalidad" in t and "tipo" in t:
        return "3.2.4"
    if "migratori" not in t:
        return None
    irregular = "situacion migratoria irregular" in t or "presentad" in t
    by_age = "edad" in t or "sexo" in t
    if irregular and "nacionalidad" in t and not by_age and "entidad" not in t:
        return "3.1.1"
    if irregular and by_age and "nacionalidad" not in t and "entidad" not in t:
        return "3.1.3"
    numbers = {f"3.{a}.{b}" for a, b in _TABLE_NUMBER.findall(t)}
    if len(numbers) == 1 and numbers <= {"3.1.1", "3.1.3", "3.2.4"}:
        return numbers.pop()
    return None


def probe_title(probe: Probe) -> str:
    """The text above the month header in the first bytes of a file."""
    if probe.is_workbook:
        rows = [line.split("\t") for line in probe.sheet_text.splitlines()]
    else:
        rows = [re.split(r"\s{2,}|[;,\t]", line.strip()) for line in probe.text.splitlines()]
    return title_before_header(rows)


def _info(table: str, title: str, group: str, dims: set[str], priority: int, events: set[str],
          notes: str) -> SourceInfo:  # fmt: skip
    number = table.replace(".", r"\.")
    return SourceInfo(
        id=f"upm.boletin_{table.replace('.', '_')}",
        title=f"{title} (UPM boletín table {table})",
        publisher=PUBLISHER,
        geo="MEX",
        group=group,
        dims=frozenset(dims),
        priority=priority,
        url=URL,
        notes=notes,
        agency="UPM",
        events=frozenset(events),
        publication=Publication(
            # the yearly file of the current year, overwritten every month
            page=TABLES_PAGE,  # `corridor fetch` fills {year}
            links=rf"(?i)cuadro_?{number}_?\.xlsx?$",
        ),
    )


Records = list[dict[str, object]]


class UpmTable(DocumentSource):
    """A boletín table file: workbook, CSV export or `pdftotext -layout` text."""

    table: str
    #: canonical columns every row of the table has
    fixed: ClassVar[dict[str, str]] = {}

    def sniff(self, probe: Probe) -> bool:
        if probe.head.startswith(b"%PDF"):
            return False
        return classify(probe_title(probe)) == self.table

    def parse(self, path: Path) -> Parsed:
        table = read_table(read_grid(path, lambda title: classify(title) == self.table))
        records, totals, notes = self.read(table)
        rows = canonical_frame(records, **FIXED, **self.fixed)
        notes = table.finish_notes() + notes
        wrong = [t for t in totals if not t.agrees]
        if wrong:
            first = wrong[0]
            notes.append(
                f"{len(wrong)} printed total(s) differ from the sum of their rows, e.g. "
                f"{first.what}: printed {first.published:,}, rows add up to {first.computed:,} "
                f"({first.where.describe()})"
            )
        return Parsed(rows, notes, totals)

    @abstractmethod
    def read(self, table: Table) -> tuple[Records, list[DeclaredTotal], list[str]]:
        """Canonical records, printed totals and notes of the table's rows."""


class ByNationality(UpmTable):
    """3.1.1: events of persons in an irregular situation by continent and nationality."""

    table = "3.1.1"
    fixed: ClassVar[dict[str, str]] = {"event": "irregular_presence"}
    info = _info(
        "3.1.1",
        "Persons in an irregular situation in Mexico by nationality",
        # the same events as gdidata.irreg_mexico_nat (IOM's copy of this table)
        "MEX.pam",
        {"nat"},
        # the agency's own table, with its printed totals: ahead of gdidata (2)
        0,
        {"irregular_presence"},
        "Events (one person can count more than once) of foreigners presented to INM, or "
        "channelled to DIF, for not proving their migratory status. Older years' "
        "`Presentados` and `Canalizados` blocks are added together. Continent subtotals are "
        "checked, never stored.",
    )

    def read(self, table: Table) -> tuple[Records, list[DeclaredTotal], list[str]]:
        return _read_blocks(NationalityReader(table, self.table, labels.PRESENTED_BLOCKS), table)


def _read_blocks(
    reader: NationalityReader | SexAgeReader, table: Table
) -> tuple[Records, list[DeclaredTotal], list[str]]:
    """Tables 3.1.1 and 3.1.3 alike: older years print `Presentados` and `Canalizados` blocks."""
    records = reader.read()
    if any(fold(r.label) in labels.PRESENTED_BLOCKS for r in table.rows):
        reader.notes.append("`Presentados` and `Canalizados` blocks are added together")
    return records, reader.totals, reader.notes


class BySexAge(UpmTable):
    """3.1.3: the same events by sex, age group and travel condition."""

    table = "3.1.3"
    fixed: ClassVar[dict[str, str]] = {"event": "irregular_presence", "nat": "UNK"}
    info = _info(
        "3.1.3",
        "Persons in an irregular situation in Mexico by sex and age group",
        # the same events as 3.1.1 and gdidata.irreg_mexico_nat/_dmg
        "MEX.pam",
        {"sex", "age", "family"},
        # ahead of gdidata.irreg_mexico_dmg (3), behind 3.1.1 for plain totals
        1,
        {"irregular_presence"},
        "18 años y más is age adult; 12 a 17 años and menores de 12 años are minor, with family "
        "accompanied_minor/unaccompanied_minor where the table splits them by travel "
        "condition (as gdidata.irreg_mexico_dmg).",
    )

    def read(self, table: Table) -> tuple[Records, list[DeclaredTotal], list[str]]:
        return _read_blocks(SexAgeReader(table, self.table, labels.PRESENTED_BLOCKS), table)


class Returns(UpmTable):
    """3.2.4: returns of foreigners by nationality and type (deportation, assisted return)."""

    table = "3.2.4"
    info = _info(
        "3.2.4",
        "Returns of foreigners from Mexico by nationality and type",
        # the same events as gdidata.irreg_mexico_exp
        "MEX.expulsions",
        {"nat", "age"},
        0,
        {"deportation", "assisted_return"},
        "Deportación is deportation; Retorno asistido is assisted_return; Retorno asistido de "
        "niñas, niños y adolescentes is assisted_return with age minor (as "
        "gdidata.irreg_mexico_exp). Continent and type subtotals are checked, never stored.",
    )

    def read(self, table: Table) -> tuple[Records, list[DeclaredTotal], list[str]]:
        reader = NationalityReader(table, self.table, labels.RETURN_BLOCKS, block_required=True)
        return reader.read(), reader.totals, reader.notes
