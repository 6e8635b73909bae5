"""INM Honduras: irregular migrants entering Honduras, from its Power BI dashboard.

The dashboard ("Migrantes irregulares que ingresan a Honduras") exports three
tables to CSV: the monthly total, by nationality and by men/women/boys/girls.
Each is its own source in one overlap group with the gdidata copies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from corridor.countries import fold, resolve
from corridor.errors import InputError, Location, UnknownCountryError
from corridor.sources.base import SourceInfo
from corridor.sources.document import DeclaredTotal, DocumentSource, Parsed, Probe, canonical_frame
from corridor.sources.inm_honduras import layouts, periods
from corridor.sources.inm_honduras.layouts import DEMOG_NAMES, Roles
from corridor.sources.inm_honduras.powerbi import Counts, Export, header_of, is_blank_mark

#: nationality spellings of the dashboard that the shared alias table lacks
NAT_ALIASES: dict[str, str] = {
    "guinea conakri": "GIN",
    "rep del congo": "COG",
    "republica del congo brazzaville": "COG",
}
DASHBOARD = "https://inm.gob.hn/migracion_irregular.html"
#: a canonical record before ``canonical_frame``; a file row (line number, cells)
_Record = dict[str, object]
_Row = tuple[int, list[str]]
_EXPECTED = {
    "total": "`Mes` (or `Año`, `Mes`) and `Migrantes irregulares`",
    "nat": "`Mes` (or `Año`, `Mes`), `País` and `Migrantes irregulares`",
    "dmg": "`Mes` (or `Año`, `Mes`), `Hombres`, `Mujeres`, `Niños`, `Niñas` and maybe `Total`",
}


def _info(name: str, title: str, dims: set[str], priority: int) -> SourceInfo:
    return SourceInfo(
        id=f"inm_hn.{name}",
        title=title,
        publisher="Instituto Nacional de Migración de Honduras (INM)",
        geo="HND",
        # the same people as gdidata.irreg_honduras, _nat and _dmg (IOM's copies)
        group="HND.irregular",
        dims=frozenset(dims),
        # each one step ahead of its gdidata copy (1, 2, 3): the agency's own export
        priority=priority,
        url=DASHBOARD,
        notes=(
            "CSV exported by hand from the INM Power BI dashboard (no file to download). "
            "Boys/girls are sex M/F with age minor, as in gdidata."
        ),
        agency="INM-HN",
        events=frozenset({"irregular_transit"}),
    )


class InmExport(DocumentSource):
    """One of the dashboard's CSV exports (``layout``: total, nat or dmg)."""

    layout: str

    def sniff(self, probe: Probe) -> bool:
        """Recognised by its header words (see ``layouts.classify``)."""
        if probe.is_workbook or not probe.text:
            return False
        return layouts.classify(header_of(probe.text), probe.path.stem) == self.layout

    def parse(self, path: Path) -> Parsed:
        return _Reader(Export.read(path), self.layout).run()


class InmTotal(InmExport):
    info = _info("irregular", "Irregular migrants entering Honduras (INM dashboard)", set(), 0)
    layout = "total"


class InmByNationality(InmExport):
    info = _info(
        "irregular_nat",
        "Irregular migrants entering Honduras by nationality (INM dashboard)",
        {"nat"},
        1,
    )
    layout = "nat"


class InmBySexAge(InmExport):
    info = _info(
        "irregular_dmg",
        "Irregular migrants entering Honduras: men, women, boys, girls (INM dashboard)",
        {"sex", "age"},
        2,
    )
    layout = "dmg"


@dataclass
class _Reader:
    export: Export
    layout: str
    notes: list[str] = field(default_factory=list)
    totals: list[DeclaredTotal] = field(default_factory=list)

    # -- header ----------------------------------------------------------------------------

    def _header_error(self, reason: str, column: int | None, hint: str | None = None) -> None:
        name = self.export.header[column] if column is not None else None
        shown = name if name is not None else ", ".join(self.export.header)
        raise InputError(
            f"{reason} — the layout changed",
            Location(str(self.export.path), 1, name, shown),
            hint=hint or f"a {self.layout} export has {_EXPECTED[self.layout]}",
        )

    def _check_header(self) -> Roles:
        r = layouts.roles(self.export.header)
        names = self.export.header
        if r.month is None and r.period is None:
            self._header_error("column `Mes` is missing", None)
        if r.year is not None and r.month is None:
            self._header_error("column `Mes` is missing beside `Año`", r.year)
        if r.month is not None and r.period is not None:
            self._header_error(f"unexpected column `{names[r.period]}` beside `Mes`", r.period)
        if self.layout == "dmg":
            present = {fold(names[i]) for i in r.demog}
            for want in DEMOG_NAMES:
                if fold(want) not in present:
                    found = r.unknown or list(r.demog)
                    self._header_error(
                        f"column `{want}` is missing; found "
                        + ", ".join(f"`{names[i]}`" for i in found),
                        found[0],
                    )
            extra = [*r.unknown, *r.nat, *[i for i in r.measure if fold(names[i]) != "total"]]
            if extra:
                self._header_error(f"unexpected column `{names[extra[0]]}`", extra[0])
            return r
        if self.layout == "nat" and not r.nat:
            # classify() sent an unknown column about countries here: a renamed `País`
            col = next(
                i
                for i in r.unknown
                if any(w in fold(names[i]) for w in ("pais", "nacional", "origen"))
            )
            self._header_error(
                f"column `{names[col]}` is not a nationality column",
                col,
                hint="expected `País` or `Nacionalidad`",
            )
        if not r.measure:
            if r.unknown:
                self._header_error(
                    f"column `{names[r.unknown[0]]}` is not a count column",
                    r.unknown[0],
                    hint="expected `Migrantes irregulares`",
                )
            self._header_error("no count column", None, hint="expected `Migrantes irregulares`")
        extra = [*r.unknown, *r.nat[1:], *r.measure[1:]]
        if extra:
            self._header_error(f"unexpected column `{names[extra[0]]}`", extra[0])
        return r

    # -- rows ------------------------------------------------------------------------------

    def run(self) -> Parsed:
        r = self._check_header()
        rows, total = self._split_total()
        count_cols = [*r.measure, *r.demog]
        counts = Counts(self.export, count_cols)
        if counts.dots:
            self.notes.append("thousands are written `1.234` (Spanish locale export)")
        records: list[_Record] = []
        seen: dict[tuple[date, str], int] = {}
        blank_nat = 0
        for line, cells in rows:
            period = self._period(r, line, cells)
            if self.layout == "dmg":
                key: tuple[date, str] = (period, "")
                for col, (sex, age) in r.demog.items():
                    n = counts.parse(line, col, _cell(cells, col))
                    records.append({"period": period, "sex": sex, "age": age, "n": n})
                self._row_total(r, counts, line, cells, period)
            else:
                n = counts.parse(line, r.measure[0], _cell(cells, r.measure[0]))
                record: _Record = {"period": period, "n": n}
                key = (period, "")
                if self.layout == "nat":
                    col = r.nat[0]
                    label = _cell(cells, col)
                    key = (period, fold(label))
                    record["nat"] = self._nationality(line, col, label)
                    if record["nat"] == "UNK" and (not label or is_blank_mark(label)):
                        blank_nat += n
                records.append(record)
            if key in seen:
                raise InputError(
                    f"the same month{' and nationality' if key[1] else ''} as row {seen[key]}",
                    self.export.where(
                        line, r.period if r.period is not None else r.month, periods.label(period)
                    ),
                    hint="a Power BI export holds each month once",
                )
            seen[key] = line
        if not records:
            raise InputError("the export holds no rows", Location(str(self.export.path)))
        self._check_months(r, sorted({k[0] for k in seen}), seen)
        if blank_nat:
            self.notes.append(
                f"{blank_nat:,} persons with a blank nationality `(En blanco)` are counted as UNK"
            )
        frame = canonical_frame(
            records,
            freq="M",
            geo="HND",
            agency="INM-HN",
            event="irregular_transit",
            unit="persons",
            **({} if self.layout == "nat" else {"nat": "UNK"}),
        )
        if total is not None:
            self._file_totals(r, counts, total, records)
        wrong = [t for t in self.totals if not t.agrees]
        if wrong:
            t = wrong[0]
            self.notes.append(
                f"{len(wrong)} printed total(s) differ from the rows: {t.what} printed "
                f"{t.published:,}, rows add up to {t.computed:,} ({t.where.describe()})"
            )
        return Parsed(frame, self.notes, self.totals)

    def _split_total(self) -> tuple[list[_Row], _Row | None]:
        """The data rows, and the trailing ``Total`` row if the export has one."""
        rows = self.export.rows
        for index, (line, cells) in enumerate(rows):
            if fold(cells[0] if cells else "") == "total":
                if index + 1 < len(rows):
                    after = rows[index + 1][0]
                    raise InputError(
                        f"a row after the `Total` row (row {line})",
                        self.export.where(after, 0, rows[index + 1][1][0]),
                        hint="the Total row ends a Power BI export",
                    )
                return rows[:index], (line, cells)
        return rows, None

    def _period(self, r: Roles, line: int, cells: list[str]) -> date:
        col = r.period if r.period is not None else r.month
        assert col is not None
        text = _cell(cells, col)
        where = self.export.where(line, col, text)
        if not text or is_blank_mark(text):
            raise InputError(
                "a count without a month",
                where,
                hint="remove the `(En blanco)` row or fix the month in the dashboard",
            )
        if r.year is None:
            found = periods.month_and_year(text)
            if found is None:
                raise InputError("not a month", where, hint="expected e.g. `enero 2024`")
        else:
            year = periods.year_only(_cell(cells, r.year))
            if year is None:
                raise InputError(
                    "not a year", self.export.where(line, r.year, _cell(cells, r.year))
                )
            month = periods.month_only(text)
            if month is None:
                raise InputError("not a month name", where, hint="expected e.g. `enero`")
            found = date(year, month, 1)
        if r.quarter is not None:
            q_text = _cell(cells, r.quarter)
            if periods.quarter(q_text) != (found.month - 1) // 3 + 1:
                raise InputError(
                    f"quarter does not match the month `{text}`",
                    self.export.where(line, r.quarter, q_text),
                )
        return found

    def _nationality(self, line: int, col: int, label: str) -> str:
        if not label or is_blank_mark(label):
            return "UNK"
        local = NAT_ALIASES.get(fold(label))
        if local:
            return local
        try:
            return resolve(label)
        except UnknownCountryError as exc:
            raise InputError(
                "unknown nationality: a new spelling in the export?",
                self.export.where(line, col, label),
                hint=exc.hint,
            ) from None

    def _check_months(
        self, r: Roles, months: list[date], seen: dict[tuple[date, str], int]
    ) -> None:
        """Every month from the first to the last: a gap means a filtered or broken export."""
        have = set(months)
        current = months[0]
        while current < months[-1]:
            if current not in have:
                later = min(m for m in have if m > current)
                line = min(v for k, v in seen.items() if k[0] == later)
                col = r.period if r.period is not None else r.month
                raise InputError(
                    f"month `{periods.label(current)}` is missing (the export runs from "
                    f"{periods.label(months[0])} to {periods.label(months[-1])})",
                    self.export.where(line, col, periods.label(later)),
                    hint="export again without a month filter",
                )
            current = _next_month(current)

    def _row_total(
        self, r: Roles, counts: Counts, line: int, cells: list[str], period: date
    ) -> None:
        col = next((i for i in r.measure), None)
        if col is None:
            return
        where = self.export.where(line, col)
        computed = sum(counts.parse(line, c, _cell(cells, c)) for c in r.demog)
        self.totals.append(
            DeclaredTotal(
                f"Total {periods.label(period)}",
                period,
                counts.parse(line, col, _cell(cells, col)),
                computed,
                where,
            )
        )

    def _file_totals(self, r: Roles, counts: Counts, total: _Row, records: list[_Record]) -> None:
        line, cells = total
        if self.layout == "dmg":
            for col, (sex, age) in r.demog.items():
                computed = sum(_n(x) for x in records if (x["sex"], x["age"]) == (sex, age))
                self.totals.append(
                    DeclaredTotal(
                        f"Total {self.export.header[col]}",
                        None,
                        counts.parse(line, col, _cell(cells, col)),
                        computed,
                        self.export.where(line, col),
                    )
                )
        for col in r.measure:
            self.totals.append(
                DeclaredTotal(
                    "Total",
                    None,
                    counts.parse(line, col, _cell(cells, col)),
                    sum(_n(x) for x in records),
                    self.export.where(line, col),
                )
            )


def _n(record: _Record) -> int:
    n = record["n"]
    assert isinstance(n, int)
    return n


def _cell(cells: list[str], col: int) -> str:
    return cells[col] if col < len(cells) else ""


def _next_month(d: date) -> date:
    return date(d.year + d.month // 12, d.month % 12 + 1, 1)


__all__ = ["NAT_ALIASES", "InmByNationality", "InmBySexAge", "InmExport", "InmTotal"]
