"""What both SNM Darién connectors share: where the files are, detection, checks, notes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from corridor.errors import InputError, Location
from corridor.sources.base import Publication
from corridor.sources.document import DeclaredTotal, Probe
from corridor.sources.snm_darien import labels
from corridor.sources.snm_darien.grid import file_lines
from corridor.sources.snm_darien.tables import CONDITION, NAT, Scan, Table, kind_of, scan

PUBLISHER = "Panama Servicio Nacional de Migración (SNM)"
URL = "https://www.migracion.gob.pa/estadisticas/"
#: the statistics page links one PDF (some years also an xlsx) per month or year,
#: named like `IRREGULARES-POR-DARIEN-DICIEMBRE-2023.pdf`
PUBLICATION = Publication(page=URL, links=r"irregular[^/]*dari[eé]n[^/]*\.(?:pdf|xlsx?)$")
#: canonical columns every row of both connectors has
FIXED = {
    "freq": "M", "geo": "PAN", "agency": "SNM", "area": "darien",
    "event": "irregular_transit", "unit": "persons",
}  # fmt: skip
_PROBE_PDF_PAGES = 3
NAT_ID, DMG_ID = "snm.darien_nat", "snm.darien_dmg"
SOURCE_OF_KIND = {NAT: NAT_ID, CONDITION: DMG_ID}


def title_kinds(text: str) -> set[str]:
    """Kinds of the SNM Darién tables whose titles appear in ``text``."""
    lines = text.splitlines()
    kinds: set[str] = set()
    for index, line in enumerate(lines):
        if not labels.is_title(line):
            continue
        window = " ".join(lines[index : index + 3])
        folded = labels.key(window)
        if "frontera con colombia" in folded or "darien" in folded:
            kinds.add(kind_of(window))
    return kinds


def probe_kinds(probe: Probe) -> set[str]:
    """Table kinds in a file, from what detection may read cheaply."""
    if probe.is_workbook:
        return title_kinds(probe.sheet_text)
    if probe.head.startswith(b"%PDF-"):
        stat = probe.path.stat()
        return set(_pdf_kinds(str(probe.path), stat.st_size, stat.st_mtime_ns))
    return title_kinds(probe.text)


@lru_cache(maxsize=8)
def _pdf_kinds(path: str, size: int, mtime: int) -> frozenset[str]:
    # Both connectors sniff every file: extract the first pages once per file version.
    import pypdf

    try:
        reader = pypdf.PdfReader(path)
        pages = [p.extract_text(extraction_mode="layout") for p in reader.pages[:_PROBE_PDF_PAGES]]
    except Exception:  # not our PDF if pypdf cannot read it
        return frozenset()
    return frozenset(title_kinds("\n".join(pages)))


def load(path: Path) -> Scan:
    """The tables of a workbook, a PDF or its extracted text."""
    probe = Probe.read(path)
    return scan(file_lines(path, is_workbook=probe.is_workbook), str(path))


PDF_ROWS = "rows of a PDF are lines of its text as pypdf lays it out (like `pdftotext -layout`)"


def is_pdf(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(5) == b"%PDF-"


@contextmanager
def pdf_rows(path: Path) -> Iterator[list[str]]:
    """Notes for the parse; on a PDF, a note and error hint on what a row number means."""
    notes: list[str] = []
    pdf = path.exists() and is_pdf(path)
    if pdf:
        notes.append(PDF_ROWS)
    try:
        yield notes
    except InputError as exc:
        if pdf and exc.where.row is not None:
            exc.hint = f"{exc.hint}; {PDF_ROWS}" if exc.hint else PDF_ROWS
        raise


def tables_of(found: Scan, kind: str, path: Path, what: str) -> list[Table]:
    """The tables of one kind, one per year.

    Raises:
        InputError: none in the file, or two for the same year.
    """
    tables = [t for t in found.tables if t.kind == kind]
    if not tables:
        raise InputError(f"no `{what}` table in the file", Location(str(path)))
    years: dict[int, Table] = {}
    for table in tables:
        if table.year in years:
            raise InputError(
                f"two `{what}` tables for {table.year} (rows {years[table.year].title_row} "
                f"and {table.title_row})",
                table.at(table.title_row, None, table.title),
            )
        years[table.year] = table
    return tables


def other_tables_note(found: Scan, kind: str) -> list[str]:
    """Say which tables of the file this connector left for the other one, or unread."""
    notes = []
    for table in found.tables:
        if table.kind == kind:
            continue
        other = SOURCE_OF_KIND.get(table.kind)
        if other:
            notes.append(
                f"the file also holds «{table.title}» (row {table.title_row}): ingest it "
                f"again with `--source {other}` to keep it"
            )
        else:
            notes.append(f"table «{table.title}» (row {table.title_row}) is not read")
    return notes


def partial_year_note(table: Table) -> list[str]:
    last = table.months[-1]
    if last == 12:
        return []
    return [
        f"{table.year}: months `Ene.` to `{table.month_column(last)}` are published "
        "(a file published during the year stops at its last month)"
    ]


@dataclass
class Checks:
    """The file's printed totals beside the sums of their detail rows."""

    totals: list[DeclaredTotal] = field(default_factory=list)

    def add(self, what: str, period: date | None, published: int, computed: int,
            where: Location) -> None:  # fmt: skip
        self.totals.append(DeclaredTotal(what, period, published, computed, where))

    def notes(self) -> list[str]:
        bad = [t for t in self.totals if not t.agrees]
        if not bad:
            return []
        shown = "; ".join(
            f"{t.what}{' ' + t.period.strftime('%Y-%m') if t.period else ''} printed "
            f"{t.published:,}, its details add up to {t.computed:,} (row {t.where.row}, "
            f"column `{t.where.column}`)"
            for t in bad[:3]
        )
        more = f" and {len(bad) - 3} more" if len(bad) > 3 else ""
        return [
            f"{len(bad)} printed total(s) disagree with the sum of their details: {shown}{more}; "
            "the detail rows were stored (see `declared_totals`)"
        ]
