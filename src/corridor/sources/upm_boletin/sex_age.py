"""Table 3.1.3: events by sex, age group and travel condition (accompanied or not).

Rows nest in whichever order a year's table uses (`Hombres` > `18 años y
más`, or `Menores de 12 años` > `Acompañados` > `Hombres`). Each label narrows
the set of (sex, age group, condition) cells it covers; a row nests under the
row above it when it narrows that row's set further. Rows with nothing nested
under them are the details that are counted; every other printed row is a
subtotal, checked against the details inside its set.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from corridor.countries import fold
from corridor.errors import InputError
from corridor.sources.document import DeclaredTotal
from corridor.sources.upm_boletin import labels
from corridor.sources.upm_boletin.labels import AGE, Block
from corridor.sources.upm_boletin.table import Row, Table

Record = dict[str, object]
_SEXES = frozenset({"M", "F"})
_ALL_GROUPS: frozenset[str] = frozenset().union(*labels.AGE_GROUPS.values())
_CONDITIONS = frozenset({labels.ACCOMPANIED, labels.UNACCOMPANIED})


@dataclass(frozen=True)
class Cells:
    """The (sex, age group, condition) cells a row covers."""

    sex: frozenset[str] = _SEXES
    group: frozenset[str] = _ALL_GROUPS
    condition: frozenset[str] = _CONDITIONS

    def __and__(self, other: Cells) -> Cells:
        return Cells(
            self.sex & other.sex, self.group & other.group, self.condition & other.condition
        )

    def __le__(self, other: Cells) -> bool:
        return (
            self.sex <= other.sex
            and self.group <= other.group
            and self.condition <= other.condition
        )

    @property
    def empty(self) -> bool:
        return not (self.sex and self.group and self.condition)


ALL = Cells()


def cells_of(label: str) -> Cells | None:
    """The cells one label names, or None for a label that is none of these."""
    key = fold(label)
    if key in labels.SEXES:
        return Cells(sex=frozenset({labels.SEXES[key]}))
    if key in labels.AGE_GROUPS:
        return Cells(group=labels.AGE_GROUPS[key])
    if key in labels.CONDITIONS:
        return Cells(condition=frozenset({labels.CONDITIONS[key]}))
    return None


@dataclass
class _Node:
    row: Row
    cells: Cells
    block: str
    leaf: bool = True


@dataclass
class SexAgeReader:
    table: Table
    name: str
    #: optional blocks (`Presentados`, `Canalizados`): their rows are added together
    blocks: Mapping[str, Block]
    totals: list[DeclaredTotal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def read(self) -> list[Record]:
        nodes: list[_Node] = []
        stack: list[_Node] = []
        block = ""
        for row in self.table.rows:
            key = fold(row.label)
            if labels.is_total(row.label):
                nodes.append(_Node(row, ALL, block, leaf=False))
                stack = []
                continue
            if key in self.blocks:
                block = self.blocks[key].name
                stack = []
                if row.has_counts:
                    nodes.append(_Node(row, ALL, block, leaf=False))
                continue
            own = cells_of(row.label)
            if own is None:
                raise InputError(
                    f"row label `{row.label}` is not a sex, age group or travel condition "
                    "— the layout changed",
                    self.table.at(row),
                    hint=f"expected {labels.SEX_AGE_EXPECTED}",
                )
            while stack:
                parent = stack[-1]
                inside = parent.cells & own
                if not inside.empty and inside != parent.cells:
                    break
                stack.pop()
            cells = (stack[-1].cells & own) if stack else own
            if stack:
                stack[-1].leaf = False
            node = _Node(row, cells, block)
            nodes.append(node)
            stack.append(node)
        details = [n for n in nodes if n.leaf]
        self._check_details(details)
        counts = {id(n): self.table.month_counts(n.row) for n in details}
        for node in nodes:
            covered = [d for d in details if d.block == node.block or not node.block]
            covered = [d for d in covered if d.cells <= node.cells]
            self._declared(node, [counts[id(d)] for d in covered], node.leaf)
        return [
            {
                "period": self.table.period(m),
                "sex": next(iter(d.cells.sex)),
                "age": AGE[next(iter(d.cells.group))],
                "family": next(iter(d.cells.condition)) if len(d.cells.condition) == 1 else "",
                "n": n,
            }
            for d in details
            for m, n in counts[id(d)].items()
        ]

    def _check_details(self, details: list[_Node]) -> None:
        first: dict[tuple[str, Cells], int] = {}
        for d in details:
            missing = [
                what
                for what, values in (("sex", d.cells.sex), ("age group", d.cells.group))
                if len(values) != 1
            ]
            if missing:
                raise InputError(
                    f"row `{d.row.label}` has nothing nested under it but names no "
                    f"{' or '.join(missing)} — the layout changed",
                    self.table.at(d.row),
                    hint=f"expected {labels.SEX_AGE_EXPECTED}",
                )
            if (d.block, d.cells) in first:
                raise InputError(
                    f"the same sex and age group as row {first[(d.block, d.cells)]}",
                    self.table.at(d.row),
                    hint="each sex, age group and travel condition appears once",
                )
            first[(d.block, d.cells)] = d.row.number

    def _declared(self, node: _Node, covered: list[dict[int, int]], leaf: bool) -> None:
        table = self.table
        what = " / ".join(p for p in (self.name, node.block, self._path(node)) if p)
        if not leaf:
            for m in table.published:
                column = table.months[m]
                self.totals.append(
                    DeclaredTotal(
                        what,
                        table.period(m),
                        table.count(node.row, column),
                        sum(c[m] for c in covered),
                        table.at(node.row, column),
                    )
                )
        if table.total is not None and node.row.filled(table.total):
            self.totals.append(
                DeclaredTotal(
                    f"{what} ({table.year} Total column)",
                    None,
                    table.count(node.row, table.total),
                    sum(sum(c.values()) for c in covered),
                    table.at(node.row, table.total),
                )
            )

    @staticmethod
    def _path(node: _Node) -> str:
        """A readable name of the cells (`Hombres 12 a 17 años`), not the printed label alone."""
        parts: list[str] = []
        if len(node.cells.sex) == 1:
            parts.append("Hombres" if "M" in node.cells.sex else "Mujeres")
        groups = node.cells.group
        if groups != _ALL_GROUPS:
            names = {labels.ADULT: "18 años y más", labels.TEEN: "12 a 17 años",
                     labels.CHILD: "menores de 12 años"}  # fmt: skip
            parts.append(" y ".join(names[g] for g in (labels.ADULT, labels.TEEN, labels.CHILD)
                                    if g in groups))  # fmt: skip
        if len(node.cells.condition) == 1:
            parts.append(
                "acompañados" if labels.ACCOMPANIED in node.cells.condition else "no acompañados"
            )
        return " ".join(parts) or "Total"
