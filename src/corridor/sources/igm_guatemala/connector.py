"""IGM workbooks of Guatemalans returned from Mexico and the United States."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from corridor.countries import fold, resolve
from corridor.errors import InputError, Location, UnknownCountryError
from corridor.sources.base import Publication, SourceInfo
from corridor.sources.document import (
    DeclaredTotal,
    DocumentSource,
    Parsed,
    Probe,
    canonical_frame,
    parse_count,
    read_workbook,
)
from corridor.sources.igm_guatemala import labels
from corridor.sources.igm_guatemala.blocks import Row, Table, find_tables
from corridor.sources.igm_guatemala.labels import MONTH_NAMES, Category

#: origin spellings seen in IGM titles that the shared alias table lacks
ORIGIN_ALIASES: dict[str, str] = {
    "estados unidos de norteamerica": "USA",
    "los estados unidos": "USA",
    "estados unidos mexicanos": "MEX",
}
DEPARTMENT_TABLE = "igm_returns_by_department"


@dataclass
class _Detail:
    """A detail row read: its category and published month counts."""

    row: Row
    #: the row's labels with the group written once above filled in
    label: str
    category: Category
    counts: dict[int, int]


class IgmReturns(DocumentSource):
    """Guatemalans returned ("retornados") by origin, sex and age group, monthly."""

    info = SourceInfo(
        id="igm.returns",
        title="Guatemalans returned from Mexico and the United States (IGM workbooks)",
        publisher="Instituto Guatemalteco de Migración (IGM)",
        geo="GTM",
        # the same people as gdidata.irreg_guatemala (IOM's copy of these tables)
        group="GTM.returns",
        dims=frozenset({"nat", "sex", "age", "family", "partner"}),
        # the agency's own tables, with their printed totals: preferred over the copy
        priority=0,
        url="https://igm.gob.gt/estadisticas-migratorias/",
        notes=(
            "Persons received back, by the country they were returned from (partner); air and "
            "land returns from Mexico are added together. `Unidades familiares` rows count "
            "families and are left out; department-of-origin tables go to "
            f"`{DEPARTMENT_TABLE}`."
        ),
        agency="IGM",
        events=frozenset({"return_received"}),
        publication=Publication(
            page="https://igm.gob.gt/estadisticas-migratorias/",
            links=r"(?i)retornad[^/]*\.xlsx?$",
        ),
    )

    def sniff(self, probe: Probe) -> bool:
        """An IGM workbook names Guatemalans (``guatemaltecos``) returned (``retornados``)."""
        if not probe.is_workbook:
            return False
        text = fold(probe.sheet_text)
        return "retornad" in text and "guatemaltec" in text

    def parse(self, path: Path) -> Parsed:
        tables = find_tables(path, read_workbook(path))
        if not tables:
            raise InputError(
                "no returns table found",
                Location(str(path)),
                hint="expected a header row with the months Enero .. Diciembre and Total",
            )
        parsed = Parsed(rows=pd.DataFrame())
        records: list[dict[str, object]] = []
        details: list[tuple[int, _Detail]] = []
        seen: dict[tuple[int, str, str], Table] = {}
        summaries: list[tuple[Table, int]] = []
        departments: list[dict[str, object]] = []
        for table in tables:
            year = self._year(path, table)
            if labels.is_department_header(table.label_header):
                departments += self._departments(path, table, year, parsed)
                continue
            if labels.is_summary(table.title):
                summaries.append((table, year))
                continue
            partner = self._partner(path, table)
            key = (year, partner, labels.mode(table.title))
            if key in seen:
                raise InputError(
                    f"a second table of returns from `{partner or 'other countries'}` for {year}"
                    f" (first on sheet `{seen[key].sheet}` row {seen[key].header_row})",
                    Location(str(path), table.header_row, f"{table.sheet}!A", table.heading),
                    hint="the same table twice would count the same people twice",
                )
            seen[key] = table
            rows = self._table(path, table, year, parsed)
            details += [(year, d) for d in rows]
            records += [
                {
                    "period": date(year, m, 1),
                    "sex": d.category.sex,
                    "age": d.category.age,
                    "family": d.category.family,
                    "partner": partner,
                    "n": n,
                }
                for d in rows
                for m, n in d.counts.items()
            ]
        for table, year in summaries:
            self._check_summary(path, table, year, details, parsed)
        parsed.rows = canonical_frame(
            records,
            freq="M",
            geo="GTM",
            agency="IGM",
            event="return_received",
            nat="GTM",
            unit="persons",
        )
        if departments:
            parsed.extras[DEPARTMENT_TABLE] = pd.DataFrame.from_records(departments)
        wrong = [t for t in parsed.totals if not t.agrees]
        if wrong:
            first = wrong[0]
            parsed.notes.append(
                f"{len(wrong)} printed total(s) differ from the sum of their rows, e.g. "
                f"{first.what}: printed {first.published:,}, rows add up to {first.computed:,} "
                f"({first.where.describe()})"
            )
        return parsed

    # -- one table -------------------------------------------------------------------------

    def _year(self, path: Path, table: Table) -> int:
        year = labels.year(table.title) or labels.year(table.sheet)
        if year is None:
            raise InputError(
                "the table's title names no year",
                Location(str(path), table.header_row, f"{table.sheet}!A", table.heading),
                hint="IGM titles end with the year, e.g. `AÑO 2023`",
            )
        return year

    def _partner(self, path: Path, table: Table) -> str:
        names = labels.origin_names(table.title)
        where = Location(str(path), table.header_row, f"{table.sheet}!A", table.heading)
        if not names:
            try:
                return self._country(table.sheet, where)
            except InputError:
                raise InputError(
                    "cannot tell which country these returns came from: the title names none "
                    f"and the sheet is `{table.sheet}`",
                    where,
                    hint="IGM titles say `... PROCEDENTES DE ESTADOS UNIDOS` or `DESDE MÉXICO`",
                ) from None
        return self._country(names[0], where)

    @staticmethod
    def _country(name: str, where: Location) -> str:
        local = ORIGIN_ALIASES.get(fold(name))
        if local:
            return local
        try:
            return resolve(name)
        except UnknownCountryError as exc:
            raise InputError(
                f"unknown origin country `{name}` in the title", where, hint=exc.hint
            ) from None

    def _table(self, path: Path, table: Table, year: int, parsed: Parsed) -> list[_Detail]:
        """Detail rows with their counts; printed totals become ``DeclaredTotal``s."""
        published = self._published_months(path, table, year, parsed)
        details: list[_Detail] = []
        totals: list[tuple[Row, Category | None]] = []
        section = ""
        filled: list[str] = []
        skipped_families = False
        for row in table.rows:
            first = next((t for t in row.labels if t), "")
            if not first and not row.has_counts:
                continue
            if labels.is_total(first):
                sub = labels.category(
                    f"{section} {first}" if fold(first).startswith("sub") else first
                )
                totals.append((row, sub))
                continue
            if labels.is_family_units(first):
                skipped_families = True
                continue
            if not row.has_counts:  # a section heading such as `MAYORES DE EDAD`
                section, filled = " ".join(t for t in row.labels if t), []
                continue
            filled = [t or (filled[i] if i < len(filled) else "") for i, t in enumerate(row.labels)]
            label = " ".join(t for t in (section, *filled) if t)
            details.append(self._detail(path, table, row, label, published))
        self._check_unique(path, table, details)
        if skipped_families:
            parsed.notes.append(
                f"`{table.heading}`: `Unidades familiares` counts families, not persons: left out"
            )
        name = self._name(table)
        for detail in details:
            if detail.row.total is not None:
                self._row_total(path, table, detail, name, year, parsed)
        for row, sub in totals:
            self._printed_totals(path, table, row, sub, year, details, name, parsed)
        return details

    def _published_months(self, path: Path, table: Table, year: int, parsed: Parsed) -> list[int]:
        """Months with counts; trailing blank months are not yet published (partial year)."""
        firsts = [(r, next((t for t in r.labels if t), "")) for r in table.rows]
        data = [
            r
            for r, first in firsts
            if r.has_counts and not labels.is_total(first) and not labels.is_family_units(first)
        ]
        filled = [m for m in range(1, 13) if any(_text(r.cells[m][1]) for r in data)]
        if not filled:
            return []
        last = filled[-1]
        gaps = [m for m in range(1, last) if m not in filled]
        if gaps:
            column = table.rows[0].cells[gaps[0]][0] if table.rows else "?"
            raise InputError(
                f"month `{MONTH_NAMES[gaps[0] - 1]}` is blank but `{MONTH_NAMES[last - 1]}` has "
                "counts",
                Location(
                    str(path), table.header_row, f"{table.sheet}!{column}", MONTH_NAMES[gaps[0] - 1]
                ),
                hint="write 0 or `-` for a month without returns",
            )
        if last < 12:
            parsed.notes.append(
                f"`{table.heading}`: {year} is published up to {MONTH_NAMES[last - 1]}; "
                f"{MONTH_NAMES[last]}–Diciembre are blank (not yet published)"
            )
        until = labels.cut_off(table.title)
        if until and until[1] == last and until[0] < calendar.monthrange(year, last)[1]:
            parsed.notes.append(
                f"`{table.heading}`: the counts run to {until[0]} {MONTH_NAMES[last - 1]} {year}: "
                f"{MONTH_NAMES[last - 1]} is a partial month"
            )
        return filled

    def _detail(
        self, path: Path, table: Table, row: Row, label: str, published: list[int]
    ) -> _Detail:
        column = f"{table.sheet}!A"
        try:
            found = labels.category(label)
        except ValueError as exc:
            raise InputError(
                f"row label {exc} — the layout changed",
                Location(str(path), row.number, column, label),
            ) from None
        missing = (
            []
            if found is None
            else [
                part for part, value in (("sex", found.sex), ("age group", found.age)) if not value
            ]
        )
        if found is None or missing:
            what = "sex or age group" if found is None else " or ".join(missing)
            raise InputError(
                f"row label `{label}` names no {what} — the layout changed",
                Location(str(path), row.number, column, label),
                hint="expected Hombres/Mujeres (or Niños/Niñas) and Mayores de edad, Menores "
                "de edad, Menores acompañados or Menores no acompañados",
            )
        counts = {
            m: parse_count(
                row.cells[m][1], Location(str(path), row.number, f"{table.sheet}!{row.cells[m][0]}")
            )
            for m in published
        }
        return _Detail(row, label, found, counts)

    @staticmethod
    def _check_unique(path: Path, table: Table, details: list[_Detail]) -> None:
        first: dict[Category, int] = {}
        for d in details:
            if d.category in first:
                raise InputError(
                    f"the same sex and age group as row {first[d.category]}",
                    Location(str(path), d.row.number, f"{table.sheet}!A", d.label),
                    hint="each sex and age group appears once per table",
                )
            first[d.category] = d.row.number

    @staticmethod
    def _name(table: Table) -> str:
        return f"{table.sheet}: {table.heading}"

    @staticmethod
    def _row_total(
        path: Path, table: Table, d: _Detail, name: str, year: int, parsed: Parsed
    ) -> None:
        assert d.row.total is not None
        column, raw = d.row.total
        where = Location(str(path), d.row.number, f"{table.sheet}!{column}")
        label = d.label
        parsed.totals.append(
            DeclaredTotal(
                f"{name} / {label} / {year} (Total column)",
                None,
                parse_count(raw, where),
                sum(d.counts.values()),
                where,
            )
        )

    @staticmethod
    def _printed_totals(
        path: Path,
        table: Table,
        row: Row,
        sub: Category | None,
        year: int,
        details: Iterable[_Detail],
        name: str,
        parsed: Parsed,
    ) -> None:
        """A Total row: per month and its Total cell, against the rows it covers."""
        covered = [d for d in details if sub is None or sub.covers(d.category)]
        label = " ".join(t for t in row.labels if t)
        months = sorted({m for d in covered for m in d.counts})
        for month in months:
            column, raw = row.cells[month]
            where = Location(str(path), row.number, f"{table.sheet}!{column}")
            parsed.totals.append(
                DeclaredTotal(
                    f"{name} / {label}",
                    date(year, month, 1),
                    parse_count(raw, where),
                    sum(d.counts.get(month, 0) for d in covered),
                    where,
                )
            )
        if row.total is not None:
            column, raw = row.total
            where = Location(str(path), row.number, f"{table.sheet}!{column}")
            parsed.totals.append(
                DeclaredTotal(
                    f"{name} / {label} / {year} (Total column)",
                    None,
                    parse_count(raw, where),
                    sum(sum(d.counts.values()) for d in covered),
                    where,
                )
            )

    def _check_summary(
        self,
        path: Path,
        table: Table,
        year: int,
        details: list[tuple[int, _Detail]],
        parsed: Parsed,
    ) -> None:
        """A table of all origins together: checked against the per-origin tables, not added."""
        scratch = Parsed(rows=pd.DataFrame())
        own = self._table(path, table, year, scratch)
        parsed.totals += scratch.totals
        parsed.notes.append(
            f"`{table.heading}` adds up the other tables: used as a check, not counted again"
        )
        name = self._name(table)
        others = [d for y, d in details if y == year]
        for d in own:
            for month, n in d.counts.items():
                column = d.row.cells[month][0]
                parsed.totals.append(
                    DeclaredTotal(
                        f"{name} / {d.label}",
                        date(year, month, 1),
                        n,
                        sum(
                            o.counts.get(month, 0) for o in others if d.category.covers(o.category)
                        ),
                        Location(str(path), d.row.number, f"{table.sheet}!{column}"),
                    )
                )

    def _departments(
        self, path: Path, table: Table, year: int, parsed: Parsed
    ) -> list[dict[str, object]]:
        """Returns by department of origin: an extra table, not flows (no canonical column)."""
        names = labels.origin_names(table.title)
        where = Location(str(path), table.header_row, f"{table.sheet}!A", table.heading)
        partner = self._country(names[0], where) if len(names) == 1 else ""
        published = self._published_months(path, table, year, parsed)
        out: list[dict[str, object]] = []
        sums = dict.fromkeys(published, 0)
        total_row: Row | None = None
        for row in table.rows:
            name = next((t for t in row.labels if t), "")
            if not name:
                continue
            if labels.is_total(name):
                total_row = row
                continue
            for m in published:
                column, raw = row.cells[m]
                n = parse_count(raw, Location(str(path), row.number, f"{table.sheet}!{column}"))
                sums[m] += n
                out.append(
                    {"period": date(year, m, 1), "partner": partner, "department": name, "n": n}
                )
        if total_row is not None:
            for m in published:
                column, raw = total_row.cells[m]
                at = Location(str(path), total_row.number, f"{table.sheet}!{column}")
                parsed.totals.append(
                    DeclaredTotal(
                        f"{self._name(table)} / Total",
                        date(year, m, 1),
                        parse_count(raw, at),
                        sums[m],
                        at,
                    )
                )
        parsed.notes.append(
            f"`{table.heading}`: by department of origin, kept in `{DEPARTMENT_TABLE}`"
        )
        return out


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()
