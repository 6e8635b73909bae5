"""Darién transits by sex and age: `... SEGÚN SEXO Y CONDICIÓN: AÑO yyyy`.

From 2023 the SNM splits adults and minors by sex: a group row (`Adultos`)
followed by its parts (`Hombres`, `Mujeres`), or the other way round, or
flat rows (`Niños`, `Niñas`). Until 2022 it printed `Hombres` and `Mujeres`
only, children included: those rows have no age, as in
``gdidata.irreg_darien_dmg`` (men/women/boys/girls -> M/F x adult/minor).
Group rows and `Total` are kept as declared totals, never stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from corridor.countries import UNKNOWN
from corridor.errors import InputError
from corridor.sources.base import SourceInfo
from corridor.sources.document import DocumentSource, Parsed, Probe, canonical_frame, parse_count
from corridor.sources.snm_darien import labels
from corridor.sources.snm_darien.common import (
    DMG_ID,
    FIXED,
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
from corridor.sources.snm_darien.tables import CONDITION, NAT, Row, Table

_MEN, _WOMEN = {"sex": "M"}, {"sex": "F"}
_ADULTS, _MINORS = {"age": "adult"}, {"age": "minor"}
#: folded row label -> the canonical dimensions it fixes
CATEGORIES: dict[str, dict[str, str]] = {
    "hombres": _MEN, "hombre": _MEN, "masculino": _MEN,
    "mujeres": _WOMEN, "mujer": _WOMEN, "femenino": _WOMEN,
    "adultos": _ADULTS, "adulto": _ADULTS, "mayores de edad": _ADULTS,
    "menores": _MINORS, "menores de edad": _MINORS, "ninos, ninas y adolescentes": _MINORS,
    "ninos": {"sex": "M", "age": "minor"}, "ninas": {"sex": "F", "age": "minor"},
    "hombres adultos": {"sex": "M", "age": "adult"},
    "mujeres adultas": {"sex": "F", "age": "adult"},
}  # fmt: skip


@dataclass
class _Node:
    row: Row
    dims: dict[str, str]
    counts: dict[int, int]
    printed_total: int
    children: list[_Node] = field(default_factory=list)
    #: the label with its group's (`Menores / Hombres`), for declared totals
    name: str = ""


class DarienCondition(DocumentSource):
    """SNM table of irregular transits through the Darién by sex and adults/minors, by month."""

    info = SourceInfo(
        id=DMG_ID,
        title="Darién irregular transits by sex and age (SNM tables)",
        publisher=PUBLISHER,
        geo="PAN",
        # the same people as snm.darien_nat and gdidata.irreg_darien_dmg
        group="PAN.darien",
        dims=frozenset({"area", "sex", "age"}),
        priority=1,
        url=URL,
        notes="Sex and adults/minors of the persons crossing the Darién (nationality UNK). "
        "Until 2022 the SNM split men/women only, children included: age is blank then.",
        agency="SNM",
        events=frozenset({"irregular_transit"}),
        publication=PUBLICATION,
    )

    def sniff(self, probe: Probe) -> bool:
        # A file with both tables goes to snm.darien_nat (`--source` picks this one).
        kinds = probe_kinds(probe)
        return CONDITION in kinds and NAT not in kinds

    def parse(self, path: Path) -> Parsed:
        with pdf_rows(path) as notes:
            return self._parse(path, notes)

    def _parse(self, path: Path, notes: list[str]) -> Parsed:
        found = load(path)
        checks = Checks()
        records: list[dict[str, object]] = []
        for table in tables_of(found, CONDITION, path, "SEGÚN SEXO Y CONDICIÓN"):
            total, leaves = _tree(table, checks)
            for leaf in leaves:
                for month, n in leaf.counts.items():
                    records.append({"period": table.period(month), "nat": UNKNOWN, "n": n,
                                    **leaf.dims})  # fmt: skip
            if total is not None:
                _declare(table, "Total", total.row, leaves, checks)
            else:
                notes.append(f"{table.year}: no `Total` row, so the sum is not checked")
            notes += partial_year_note(table)
        rows = canonical_frame(records, **FIXED)
        notes += checks.notes() + other_tables_note(found, CONDITION)
        return Parsed(rows, notes, checks.totals)


def _tree(table: Table, checks: Checks) -> tuple[_Node | None, list[_Node]]:
    """The `Total` row and the leaf rows (group rows become declared totals).

    A row is part of the group row above it when it splits along another
    dimension (`Hombres` under `Adultos`); a row along the same dimension
    starts a new group or is a leaf itself.
    """
    total: _Node | None = None
    tops: list[_Node] = []
    column = table.label_header or "Condición"
    for row in table.rows:
        folded = labels.key(labels.split_mark(row.label)[0])
        if not row.values:
            continue  # a heading without counts
        if folded in labels.TOTAL_LABELS:
            if total is not None:
                raise InputError(f"a second `Total` row (the first is row {total.row.row})",
                                 table.at(row.row, column, row.label))  # fmt: skip
            total = _node(table, row, {})
            continue
        dims = CATEGORIES.get(folded)
        if dims is None:
            raise InputError(
                "unknown category in the condition table — the layout changed",
                table.at(row.row, column, row.label),
                hint="expected `Hombres`, `Mujeres`, `Adultos`, `Menores`, `Niños`, `Niñas`",
            )
        node = _node(table, row, dims)
        parent = tops[-1] if tops else None
        if parent is not None and not (set(parent.dims) & set(dims)):
            parent.children.append(node)
        else:
            tops.append(node)
    leaves: list[_Node] = []
    for top in tops:
        if not top.children:
            top.name = top.row.label
            leaves.append(top)
            continue
        for child in top.children:
            child.dims = {**top.dims, **child.dims}
            child.name = f"{top.row.label} / {child.row.label}"
            leaves.append(child)
        _declare(table, top.row.label, top.row, top.children, checks)
    _check_leaves(table, leaves, column)
    for leaf in leaves:
        total_column = table.total_column()
        checks.add(f"{leaf.name}, year {table.year}", None, leaf.printed_total,
                   sum(leaf.counts.values()), table.at(leaf.row.row, total_column))  # fmt: skip
    return total, leaves


def _node(table: Table, row: Row, dims: dict[str, str]) -> _Node:
    counts = {}
    for month in table.months:
        col = table.month_column(month)
        counts[month] = parse_count(row.values.get(col), table.at(row.row, col, _raw(row, col)))
    col = table.total_column()
    printed = parse_count(row.values.get(col), table.at(row.row, col, _raw(row, col)))
    return _Node(row, dims, counts, printed)


def _raw(row: Row, column: str) -> str:
    value = row.values.get(column)
    return "" if value is None else str(value)


def _declare(table: Table, what: str, row: Row, parts: list[_Node], checks: Checks) -> None:
    published = _node(table, row, {})
    for month in table.months:
        col = table.month_column(month)
        checks.add(what, table.period(month), published.counts[month],
                   sum(p.counts[month] for p in parts), table.at(row.row, col))  # fmt: skip
    col = table.total_column()
    checks.add(f"{what}, year {table.year}", None, published.printed_total,
               sum(sum(p.counts.values()) for p in parts), table.at(row.row, col))  # fmt: skip


def _check_leaves(table: Table, leaves: list[_Node], column: str) -> None:
    """Every leaf splits along the same dimensions, each combination once."""
    shapes = {tuple(sorted(leaf.dims)) for leaf in leaves}
    if len(shapes) > 1:
        odd = next(leaf for leaf in leaves if tuple(sorted(leaf.dims)) != tuple(sorted(
            leaves[0].dims)))  # fmt: skip
        raise InputError(
            "the condition rows do not all split by the same dimensions (sex, adults/minors) "
            "— the layout changed",
            table.at(odd.row.row, column, odd.row.label),
        )
    seen: dict[tuple[tuple[str, str], ...], _Node] = {}
    for leaf in leaves:
        dims = tuple(sorted(leaf.dims.items()))
        if dims in seen:
            raise InputError(
                f"`{leaf.row.label}` repeats row {seen[dims].row.row} "
                f"({', '.join(f'{k}={v}' for k, v in dims)})",
                table.at(leaf.row.row, column, leaf.row.label),
            )
        seen[dims] = leaf


__all__ = ["CATEGORIES", "DarienCondition"]
