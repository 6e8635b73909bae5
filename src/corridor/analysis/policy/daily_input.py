"""Daily counts from a user's CSV file: one date column and one count column.

Accepted headers: a date column named ``date``, ``day``, ``fecha`` or ``t``,
and a count column named ``n``, ``count``, ``encounters``, ``value``,
``total`` or ``encuentros`` (or the only other column). Every problem names
the file, row, column and value; nothing is guessed.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pandas as pd

from corridor.errors import InputError, Location

DATE_COLUMNS = ("date", "day", "fecha", "t")
COUNT_COLUMNS = ("n", "count", "encounters", "value", "total", "encuentros")


def read_daily(path: str | Path) -> pd.Series:
    """The file's counts indexed by day (missing days are simply absent)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("no such file", Location(file=str(path))) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", Location(file=str(path)),
                         hint="save the file as UTF-8 CSV") from None  # fmt: skip
    except OSError as exc:
        raise InputError(
            f"cannot read the file: {exc.strerror}", Location(file=str(path))
        ) from None
    return parse_daily(text, path)


def parse_daily(text: str, path: str | Path = "<input>") -> pd.Series:
    """The same from the text of such a file (``path`` names it in errors)."""
    path = Path(path)
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise InputError("the file is empty", Location(file=str(path)))
    header = [h.strip().lower() for h in rows[0]]
    date_col = _pick(header, DATE_COLUMNS, path, "date")
    rest = [h for h in header if h and h != header[date_col]]
    count_col = _pick(
        header, COUNT_COLUMNS, path, "count", only=rest[0] if len(rest) == 1 else None
    )
    seen: dict[date, int] = {}
    days, values = [], []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = row + [""] * (len(header) - len(row))
        raw_day, raw_n = cells[date_col].strip(), cells[count_col].strip()
        where = Location(file=str(path), row=number, column=rows[0][date_col], value=raw_day)
        try:
            day = date.fromisoformat(raw_day)
        except ValueError:
            raise InputError("not a date", where, hint="use YYYY-MM-DD, e.g. 2024-06-05") from None
        if day in seen:
            raise InputError(f"the same day appears twice (first on row {seen[day]})", where)
        seen[day] = number
        where = Location(file=str(path), row=number, column=rows[0][count_col], value=raw_n)
        try:
            n = float(raw_n.replace(",", ""))
        except ValueError:
            raise InputError("not a number", where,
                             hint="leave the day out if it has no count") from None  # fmt: skip
        if n < 0 or n != n:
            raise InputError("a count must be a number >= 0", where)
        days.append(day)
        values.append(n)
    if not days:
        raise InputError("no data rows under the header", Location(file=str(path), row=1))
    series = pd.Series(values, index=pd.DatetimeIndex(days), name="n", dtype="float64")
    return series.sort_index()


def _pick(
    header: list[str], names: tuple[str, ...], path: Path, what: str, only: str | None = None
) -> int:
    for name in names:
        if name in header:
            return header.index(name)
    if only is not None:
        return header.index(only)
    raise InputError(
        f"no {what} column", Location(file=str(path), row=1, value=",".join(header)),
        hint=f"name it one of: {', '.join(names)}",
    )  # fmt: skip
