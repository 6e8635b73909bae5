"""Finding the header row and checking it against the mapping: what changed, if anything."""

from __future__ import annotations

import difflib
import itertools
from dataclasses import dataclass, field

from corridor.countries import fold
from corridor.errors import InputError, Location
from corridor.sources.document import cell_text
from corridor.sources.mapped.grid import Grid
from corridor.sources.mapped.periods import MONTHS, SPANISH, year_month_of
from corridor.sources.mapped.spec import MappingSpec

#: how far down an unspecified header row is looked for
SEARCH_ROWS = 50


@dataclass
class Layout:
    """Where each column the mapping reads sits in the file."""

    index: int  # position of the header in ``Grid.rows``
    row: int  # the header's row number in the file
    names: list[str]  # header cells as text
    #: header as written in the mapping -> column index
    columns: dict[str, int] = field(default_factory=dict)
    #: wide layouts: column index -> (year from the header, or None; month)
    months: dict[int, tuple[int | None, int]] = field(default_factory=dict)
    total_column: int | None = None
    #: columns with a blank header (their cells must stay blank)
    blank: list[int] = field(default_factory=list)


def _folded_index(names: list[str]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        if name:
            out.setdefault(fold(name), []).append(i)
    return out


def _month_columns(
    spec: MappingSpec, cells: tuple[object, ...]
) -> dict[int, tuple[int | None, int]]:
    style = spec.period.month_columns
    out: dict[int, tuple[int | None, int]] = {}
    if isinstance(style, dict):
        wanted = {fold(k): m for k, m in style.items()}
        for i, cell in enumerate(cells):
            m = wanted.get(fold(cell_text(cell)))
            if m is not None:
                out[i] = (None, m)
    elif style == "names":
        for i, cell in enumerate(cells):
            m = MONTHS.get(fold(cell_text(cell)))
            if m is not None:
                out[i] = (None, m)
    elif style == "dates":
        for i, cell in enumerate(cells):
            if cell is None or cell_text(cell) == "":
                continue
            found = year_month_of(cell)
            if found is not None:
                out[i] = found
    return out


def _present(spec: MappingSpec, cells: tuple[object, ...]) -> tuple[dict[str, int], list[str]]:
    """Expected headers found in this row (-> index) and those missing."""
    index = _folded_index([cell_text(c) for c in cells])
    found: dict[str, int] = {}
    missing: list[str] = []
    for header in spec.expected_headers():
        hits = index.get(fold(header))
        if hits:
            found[header] = hits[0]
        else:
            missing.append(header)
    return found, missing


def fits(spec: MappingSpec, cells: tuple[object, ...]) -> bool:
    """Whether a row holds every column the mapping needs (and a month column if wide)."""
    _, missing = _present(spec, cells)
    if missing:
        return False
    if spec.period.month_columns in ("names", "dates"):
        return bool(_month_columns(spec, cells))
    return True


def find_header(grid: Grid, spec: MappingSpec) -> int | None:
    """Index of the header row in ``grid`` (None if no row fits)."""
    fixed = spec.file.header_row
    for i, number in enumerate(grid.numbers):
        if fixed is not None and number != fixed:
            continue
        if number > SEARCH_ROWS and fixed is None:
            break
        if fits(spec, grid.rows[i]):
            return i
    return None


def layout(grid: Grid, spec: MappingSpec, map_name: str) -> Layout:
    """Locate and check the header.

    Raises:
        InputError: saying which column is missing (and what was found instead), which
            column is new, or which month column is absent: the layout changed.
    """
    path = str(grid.path)
    index = find_header(grid, spec)
    if index is None:
        _raise_no_header(grid, spec, map_name)
    assert index is not None
    cells = grid.rows[index]
    names = [cell_text(c) for c in cells]
    found, _ = _present(spec, cells)
    out = Layout(index, grid.numbers[index], names, found)
    out.months = _month_columns(spec, cells)
    _check_months(out, grid, spec, map_name)
    known = {fold(h) for h in spec.known_headers()}
    if spec.totals.column is not None:
        hits = _folded_index(names).get(fold(spec.totals.column))
        out.total_column = hits[0] if hits else None
    folded = _folded_index(names)
    for name, hits in folded.items():
        if len(hits) > 1 and (name in known or any(h in out.months for h in hits)):
            raise InputError(
                f"column `{names[hits[1]]}` appears twice", Location(path, out.row, names[hits[1]])
            )
    for i, name in enumerate(names):
        if not name:
            out.blank.append(i)
        elif fold(name) not in known and i not in out.months:
            raise InputError(
                f"unexpected column `{name}` — the layout changed",
                Location(path, out.row, name),
                hint=f"map it under [columns] or list it in [file].ignore_columns in {map_name}",
            )
    return out


def _check_months(out: Layout, grid: Grid, spec: MappingSpec, map_name: str) -> None:
    if spec.period.month_columns not in ("names", "dates"):
        return
    path = str(grid.path)
    seen: dict[tuple[int | None, int], int] = {}
    for i, key in out.months.items():
        if key in seen:
            raise InputError(
                f"month column `{out.names[i]}` repeats `{out.names[seen[key]]}`",
                Location(path, out.row, out.names[i]),
            )
        seen[key] = i
    ordered = sorted(seen, key=lambda k: ((k[0] or 0), k[1]))
    for (y0, m0), (y1, m1) in itertools.pairwise(ordered):
        step = ((y1 or 0) - (y0 or 0)) * 12 + m1 - m0
        if step != 1:
            gap = m0 % 12 + 1
            raise InputError(
                f"the column for {SPANISH[gap - 1]} (month {gap}) is missing between "
                f"`{out.names[seen[(y0, m0)]]}` and `{out.names[seen[(y1, m1)]]}` — the layout "
                "changed",
                Location(path, out.row, out.names[seen[(y1, m1)]]),
                hint=f"{map_name} expects one column per month, with no month left out",
            )


def _raise_no_header(grid: Grid, spec: MappingSpec, map_name: str) -> None:
    path = str(grid.path)
    expected = spec.expected_headers()
    fixed = spec.file.header_row
    if fixed is not None:
        elsewhere = find_header_anywhere(grid, spec)
        if elsewhere is not None:
            raise InputError(
                f"row {fixed} is not the header; the columns are on row {elsewhere}",
                Location(path, fixed),
                hint=f"the layout changed: set [file].header_row = {elsewhere} in {map_name}",
            )
    candidates = [
        i
        for i, n in enumerate(grid.numbers)
        if (n == fixed if fixed is not None else n <= SEARCH_ROWS)
    ]
    best, best_found = None, -1
    for i in candidates:
        found, _ = _present(spec, grid.rows[i])
        score = len(found) + len(_month_columns(spec, grid.rows[i]))
        if score > best_found:
            best, best_found = i, score
    if best is None or best_found <= 0:
        listed = ", ".join(f"`{h}`" for h in expected) or "month columns"
        where = f"row {fixed}" if fixed is not None else f"the first {SEARCH_ROWS} rows"
        raise InputError(
            f"no header row: {where} hold none of the columns {listed} — the layout changed",
            Location(path, fixed),
            hint=f"or {map_name} does not describe this file",
        )
    cells = grid.rows[best]
    names = [cell_text(c) for c in cells]
    found, missing = _present(spec, cells)
    row = grid.numbers[best]
    if not missing:  # every column is there but no month column (wide layouts)
        raise InputError(
            f"no month columns in the header (month_columns = {spec.period.month_columns!r})",
            Location(path, row, value=", ".join(n for n in names if n)),
            hint=f"the layout changed? check [period].month_columns in {map_name}",
        )
    header = missing[0]
    key = expected[header]
    known = {fold(h) for h in spec.known_headers()}
    months = _month_columns(spec, cells)
    spare = [n for i, n in enumerate(names) if n and fold(n) not in known and i not in months]
    close = difflib.get_close_matches(header, spare, n=1, cutoff=0.4)
    if close:
        reason = f"column `{header}` is missing; found `{close[0]}` — the layout changed"
        hint = f'if the agency renamed it, set {key} = "{close[0]}" in {map_name}'
    else:
        shown = ", ".join(f"`{n}`" for n in (spare or [n for n in names if n]))
        reason = f"column `{header}` is missing (found {shown}) — the layout changed"
        hint = f"{key} in {map_name} names it"
    raise InputError(reason, Location(path, row, header), hint=hint)


def find_header_anywhere(grid: Grid, spec: MappingSpec) -> int | None:
    """The row number of the first row that fits, ignoring ``[file].header_row``."""
    for i, number in enumerate(grid.numbers):
        if number > SEARCH_ROWS:
            break
        if fits(spec, grid.rows[i]):
            return number
    return None
