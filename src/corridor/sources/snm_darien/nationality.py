"""Darién transits by country: `... SEGÚN REGIÓN Y PAÍS: AÑO yyyy`.

Rows are the grand `Total`, region subtotals (`América del Sur`, `Caribe`,
...) each followed by its countries, and possibly `Otros países` after the
last region. Only country rows are stored; the `Total` row, the region rows
and every row's `Total` column are kept as declared totals beside the sums
of the countries and months they cover.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from corridor.countries import OTHER, suggest
from corridor.errors import InputError
from corridor.sources.base import SourceInfo
from corridor.sources.document import DocumentSource, Parsed, Probe, canonical_frame, parse_count
from corridor.sources.snm_darien import labels
from corridor.sources.snm_darien.aliases import country_code
from corridor.sources.snm_darien.common import (
    FIXED,
    NAT_ID,
    PUBLICATION,
    PUBLISHER,
    URL,
    Checks,
    load,
    other_tables_note,
    partial_year_note,
    pdf_rows,
    probe_kinds,
    tables_of,
)
from corridor.sources.snm_darien.tables import NAT, Row, Table

FLAGS_TABLE = "snm_darien_row_flags"


@dataclass
class Country:
    row: Row
    name: str
    mark: str
    code: str
    counts: dict[int, int]
    printed_total: int


@dataclass
class Region:
    row: Row
    name: str
    members: list[Country] = field(default_factory=list)


@dataclass
class _Layout:
    total: Row | None = None
    regions: list[Region] = field(default_factory=list)
    countries: list[Country] = field(default_factory=list)


class DarienNationality(DocumentSource):
    """SNM table of irregular transits through the Darién by region and country, by month."""

    info = SourceInfo(
        id=NAT_ID,
        title="Darién irregular transits by region and country (SNM tables)",
        publisher=PUBLISHER,
        geo="PAN",
        # the same people as gdidata.irreg_darien_nat, which is harmonised from
        # these tables: same group, ranked first as the publisher's own figures
        group="PAN.darien",
        dims=frozenset({"area", "nat"}),
        priority=0,
        url=URL,
        notes="Persons crossing from Colombia registered by the SNM in Darién. Region "
        "subtotals are checked, never stored. `Brasil (1)`/`Chile (1)` (children of Haitians "
        "born there) keep BRA/CHL and are flagged in `snm_darien_row_flags`.",
        agency="SNM",
        events=frozenset({"irregular_transit"}),
        publication=PUBLICATION,
    )

    def sniff(self, probe: Probe) -> bool:
        return NAT in probe_kinds(probe)

    def parse(self, path: Path) -> Parsed:
        with pdf_rows(path) as notes:
            return self._parse(path, notes)

    def _parse(self, path: Path, notes: list[str]) -> Parsed:
        found = load(path)
        checks = Checks()
        records: list[dict[str, object]] = []
        flags: list[dict[str, object]] = []
        for table in tables_of(found, NAT, path, "SEGÚN REGIÓN Y PAÍS"):
            layout = _layout(table)
            _check(table, layout, checks)
            for country in layout.countries:
                for month, n in country.counts.items():
                    records.append({"period": table.period(month), "nat": country.code, "n": n})
            flags += _flags(table, layout, found.footnotes, notes)
            notes += partial_year_note(table)
            if layout.total is None:
                notes.append(f"{table.year}: no `Total` row, so the sum is not checked")
        rows = canonical_frame(records, **FIXED)
        notes += checks.notes() + other_tables_note(found, NAT)
        extras = {FLAGS_TABLE: pd.DataFrame(flags)} if flags else {}
        return Parsed(rows, notes, checks.totals, extras)


def _layout(table: Table) -> _Layout:
    """Sort the rows into the total, regions and countries; read the countries' counts."""
    layout = _Layout()
    region: Region | None = None
    seen: dict[str, Country] = {}
    total_column = table.total_column()
    label_column = table.label_header or "Región y País"
    for row in table.rows:
        name, mark = labels.split_mark(row.label)
        folded = labels.key(name)
        if folded in labels.TOTAL_LABELS:
            if not row.values:
                continue
            if layout.total is not None:
                raise InputError(
                    f"a second `Total` row (the first is row {layout.total.row})",
                    table.at(row.row, label_column, row.label),
                )
            layout.total = row
        elif folded in labels.REGIONS:
            region = Region(row, name)
            layout.regions.append(region)
        elif not row.values:
            if country_code(name) is not None:
                where = table.at(row.row, label_column, row.label)
                raise InputError("a country row without counts", where)
            # other text between rows (a wrapped heading) holds no counts
        else:
            code = _resolve(name, table, row, label_column)
            counts = {m: _count(table, row, table.month_column(m)) for m in table.months}
            country = Country(row, name, mark, code, counts, _count(table, row, total_column))
            if code in seen and code != OTHER:
                first = seen[code]
                raise InputError(
                    f"`{row.label}` is {code}, like `{first.row.label}` on row {first.row.row}: "
                    "a country listed twice",
                    table.at(row.row, label_column, row.label),
                )
            seen[code] = country
            layout.countries.append(country)
            if region is not None:
                region.members.append(country)
    return layout


def _count(table: Table, row: Row, column: str) -> int:
    value = row.values.get(column)
    return parse_count(value, table.at(row.row, column, "" if value is None else str(value)))


def _resolve(name: str, table: Table, row: Row, column: str) -> str:
    code = country_code(name)
    if code is not None:
        return code
    options = suggest(name)
    raise InputError(
        "unknown country name — a spelling the SNM tables have not used before; the layout changed",
        table.at(row.row, column, row.label),
        hint=("did you mean: " + ", ".join(options) + "?") if options else None,
    )


def _check(table: Table, layout: _Layout, checks: Checks) -> None:
    """Declared totals: the `Total` row, each region, each row's `Total` column."""
    total_column = table.total_column()
    for region in layout.regions:
        if region.row.values:
            _detach_trailing_other(table, region)
    groups = [(r.name, r.row, r.members) for r in layout.regions if r.row.values]
    if layout.total is not None:
        groups.insert(0, ("Total", layout.total, layout.countries))
    for name, row, members in groups:
        for month in table.months:
            col = table.month_column(month)
            published = _count(table, row, col)
            computed = sum(c.counts[month] for c in members)
            checks.add(name, table.period(month), published, computed, table.at(row.row, col))
        published = _count(table, row, total_column)
        computed = sum(sum(c.counts.values()) for c in members)
        checks.add(f"{name}, year {table.year}", None, published, computed,
                   table.at(row.row, total_column))  # fmt: skip
    for country in layout.countries:
        checks.add(f"{country.row.label}, year {table.year}", None,
                   country.printed_total, sum(country.counts.values()),
                   table.at(country.row.row, total_column))  # fmt: skip


def _detach_trailing_other(table: Table, region: Region) -> None:
    """`Otros países` printed after the last region is not part of that region.

    It is taken out of the region only when the region's printed subtotals
    match its countries without it (and not with it) — the file decides.
    """
    if not region.members or region.members[-1].code != OTHER:
        return

    def agrees(members: list[Country]) -> bool:
        for month in table.months:
            col = table.month_column(month)
            printed = parse_count(region.row.values.get(col), table.at(region.row.row, col))
            if printed != sum(c.counts[month] for c in members):
                return False
        return True

    if not agrees(region.members) and agrees(region.members[:-1]):
        region.members.pop()


def _flags(table: Table, layout: _Layout, footnotes: dict[str, str],
           notes: list[str]) -> list[dict[str, object]]:  # fmt: skip
    """Rows marked with a footnote (`Brasil (1)`): the flag, kept beside the counts."""
    flagged = [c for c in layout.countries if c.mark]
    out: list[dict[str, object]] = []
    for mark in sorted({c.mark for c in flagged}):
        text = footnotes.get(mark, "")
        flag = labels.flag_of(text, mark)
        rows = [c for c in flagged if c.mark == mark]
        for country in rows:
            out.append({"year": table.year, "nat": country.code, "flag": flag, "footnote": text,
                        "label": country.row.label, "file_row": country.row.row})  # fmt: skip
        named = ", ".join(f"`{c.row.label}`" for c in rows)
        codes = ", ".join(c.code for c in rows)
        if text:
            notes.append(
                f"{table.year}: {named} carry footnote ({mark}) «{text}»: counted under "
                f"{codes} as published, flagged `{flag}` in `{FLAGS_TABLE}`"
            )
        else:
            notes.append(
                f"{table.year}: {named} carry footnote mark ({mark}) but the file has no "
                f"footnote ({mark}); counted under {codes}, flagged `{flag}` in `{FLAGS_TABLE}`"
            )
    return out


__all__ = ["FLAGS_TABLE", "DarienNationality"]
