"""Tables by continent and country of nationality (3.1.1, 3.2.4).

Rows are a grand `Total`, optional blocks (`Presentados`/`Canalizados` in older
3.1.1 tables, the type of return in 3.2.4) whose heading row may carry the
block's total, continents (`América`, ...) carrying their subtotal, and the
countries under each continent. Only country rows are counted; every printed
total becomes a ``DeclaredTotal`` beside the sum of the countries it covers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from corridor.countries import fold, resolve
from corridor.errors import InputError, UnknownCountryError
from corridor.sources.document import DeclaredTotal
from corridor.sources.upm_boletin import labels
from corridor.sources.upm_boletin.labels import Block
from corridor.sources.upm_boletin.table import Row, Table

Record = dict[str, object]


@dataclass
class _Detail:
    row: Row
    nat: str
    block: Block | None
    counts: dict[int, int]


@dataclass
class _Group:
    """A printed subtotal (grand total, block or continent) and the countries under it."""

    row: Row | None
    what: str
    details: list[_Detail] = field(default_factory=list)


@dataclass
class NationalityReader:
    """Reads one table; ``blocks`` are its block headings (folded) and what they set."""

    table: Table
    name: str
    blocks: Mapping[str, Block]
    #: whether every country must sit in a block (3.2.4: the type of return)
    block_required: bool = False
    totals: list[DeclaredTotal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def read(self) -> list[Record]:
        grand = _Group(None, f"{self.name} / Total")
        groups: list[_Group] = [grand]
        block: _Group | None = None
        kind: Block | None = None
        continent: _Group | None = None
        first_seen: dict[tuple[str, str, str], int] = {}
        iso_labels: dict[tuple[str, str], set[str]] = {}
        rows = self.table.rows
        for i, row in enumerate(rows):
            key = fold(row.label)
            if labels.is_total(row.label):
                if block is not None and block.row is None and not block.details:
                    block.row = row  # `Total` heading a block
                elif grand.row is None:
                    grand.row = row
                else:
                    first = block.row if block and block.row else grand.row
                    raise InputError(
                        f"a `Total` row where a country was expected (the table's total is at "
                        f"row {first.number if first else '?'}) — the layout changed",
                        self.table.at(row),
                    )
                continue
            if key in self.blocks:
                kind = self.blocks[key]
                block = _Group(row if row.has_counts else None, f"{self.name} / {kind.name}")
                groups.append(block)
                continent = None
                continue
            if key in labels.CONTINENTS:
                self._need_block(row, block)
                prefix = block.what if block else self.name
                continent = _Group(row if row.has_counts else None, f"{prefix} / {row.label}")
                groups.append(continent)
                continue
            # a row above a continent heads a block, whatever its label
            heading = not row.has_counts or (
                i + 1 < len(rows) and fold(rows[i + 1].label) in labels.CONTINENTS
            )
            nat = self._nat(row, heading)
            self._need_block(row, block)
            seen_key = (kind.name if kind else "", continent.what if continent else "", key)
            if seen_key in first_seen:
                raise InputError(
                    f"the same nationality as row {first_seen[seen_key]}",
                    self.table.at(row),
                    hint="each country appears once under its continent",
                )
            first_seen[seen_key] = row.number
            iso_labels.setdefault((kind.name if kind else "", nat), set()).add(row.label)
            if nat in ("UNK", "STL"):
                continent = None  # `No especificado`, `Apátridas` sit outside the continents
            detail = _Detail(row, nat, kind, self.table.month_counts(row))
            for group in (grand, block, continent):
                if group is not None:
                    group.details.append(detail)
            self._row_total(detail)
        for group in groups:
            self._group_totals(group)
        for (_, nat), names in iso_labels.items():
            if len(names) > 1 and nat != "OTH":
                shown = ", ".join(f"`{n}`" for n in sorted(names))
                self.notes.append(f"{shown} are all {nat}: their counts are added")
        return [
            {"period": self.table.period(m), "nat": d.nat, **(d.block.columns if d.block else {})}
            | {"n": n}
            for d in grand.details
            for m, n in d.counts.items()
        ]

    def _need_block(self, row: Row, block: _Group | None) -> None:
        if self.block_required and block is None:
            names = sorted({b.name for b in self.blocks.values()})
            raise InputError(
                "a row before any block heading — the layout changed",
                self.table.at(row),
                hint="expected one of " + ", ".join(f"`{n}`" for n in names) + " first",
            )

    def _nat(self, row: Row, heading: bool) -> str:
        local = labels.NAT_ALIASES.get(fold(row.label))
        if local:
            return local
        try:
            return resolve(row.label)
        except UnknownCountryError as exc:
            if heading:
                names = sorted({b.name for b in self.blocks.values()})
                expected = ", ".join(f"`{n}`" for n in names) or "none in this table"
                raise InputError(
                    f"row `{row.label}` heads a block but is not a known block heading — the "
                    "layout changed",
                    self.table.at(row),
                    hint=f"known blocks: {expected}; continents: América, África, Asia, Europa, "
                    "Oceanía",
                ) from None
            raise InputError(
                f"unknown nationality `{row.label}` — a new spelling?",
                self.table.at(row),
                hint=exc.hint,
            ) from None

    def _row_total(self, d: _Detail) -> None:
        total = self.table.total
        if total is None or not d.row.filled(total):
            return
        self.totals.append(
            DeclaredTotal(
                f"{self.name} / {d.block.name + ' / ' if d.block else ''}{d.row.label} "
                f"({self.table.year} Total column)",
                None,
                self.table.count(d.row, total),
                sum(d.counts.values()),
                self.table.at(d.row, total),
            )
        )

    def _group_totals(self, group: _Group) -> None:
        row = group.row
        if row is None:
            return
        table = self.table
        for m in table.published:
            column = table.months[m]
            self.totals.append(
                DeclaredTotal(
                    group.what,
                    table.period(m),
                    table.count(row, column),
                    sum(d.counts[m] for d in group.details),
                    table.at(row, column),
                )
            )
        if table.total is not None and row.filled(table.total):
            self.totals.append(
                DeclaredTotal(
                    f"{group.what} ({table.year} Total column)",
                    None,
                    table.count(row, table.total),
                    sum(sum(d.counts.values()) for d in group.details),
                    table.at(row, table.total),
                )
            )
