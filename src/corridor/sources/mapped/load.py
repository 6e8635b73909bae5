"""Reading and checking a mapping file (TOML) into a :class:`MappingSpec`.

Every problem raises :class:`MappingError` naming the mapping file and the key,
with a suggestion for misspelt keys; nothing is guessed.
"""

from __future__ import annotations

import codecs
import dataclasses
import difflib
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from corridor.canonical.schema import DIMENSIONS
from corridor.countries import SENTINELS, fold, is_iso3
from corridor.sources.base import Publication, SourceInfo
from corridor.sources.mapped.spec import (
    COUNT,
    FIELDS,
    FileSpec,
    MappingError,
    MappingSpec,
    PeriodSpec,
    TotalsSpec,
)
from corridor.sources.mapped.vocab import canonical, expected

SECTIONS = ("source", "file", "period", "columns", "fixed", "values", "totals")
SOURCE_KEYS = (
    "id", "title", "publisher", "agency", "geo", "group", "priority", "url", "notes",
    "publication",
)  # fmt: skip
PUBLICATION_KEYS = ("page", "links", "save_as")
FILE_KEYS = (
    "format", "sheet", "header_row", "encoding", "delimiter", "thousands", "count_marks",
    "skip_rows", "ignore_columns", "title", "file_name",
)  # fmt: skip
PERIOD_KEYS = (
    "column", "format", "year", "year_value", "year_in_title", "month", "month_columns",
)  # fmt: skip
TOTALS_KEYS = ("label", "label_column", "column")
FORMATS = ("csv", "xlsx", "xls")
THOUSANDS = (",", ".", " ")
MONTH_COLUMN_STYLES = ("names", "dates")

_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
#: keys people write for a field that corridor reads elsewhere, and where it goes
_ELSEWHERE = {
    "period": "the period is read by the [period] table",
    "year": "the year is read by the [period] table",
    "month": "the month is read by the [period] table",
    "freq": "freq follows [period]: M with a month, A with a year only",
    "geo": "set [source].geo",
    "agency": "set [source].agency",
}
#: common names for canonical fields (for suggestions only)
_SYNONYMS = {
    "nationality": "nat", "nacionalidad": "nat", "country": "nat", "pais": "nat",
    "citizenship": "nat", "count": "n", "cantidad": "n", "total": "n", "value": "n",
    "sexo": "sex", "gender": "sex", "genero": "sex", "edad": "age", "tipo": "event",
    "type": "event", "origin": "partner", "origen": "partner", "lugar": "place",
    "sector": "place", "office": "place",
}  # fmt: skip


def read_mapping(path: Path | str) -> MappingSpec:
    """Load and check a mapping file.

    Raises:
        MappingError: naming the file and the key of the first problem.
    """
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise MappingError(path, "file not found") from None
    except IsADirectoryError:
        raise MappingError(path, "is a directory, not a mapping file") from None
    except OSError as exc:
        raise MappingError(path, f"cannot read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(path, f"not valid TOML: {exc}") from None
    return _Loader(path).load(data)


class _Loader:
    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, key: str | None, reason: str, hint: str | None = None) -> MappingError:
        return MappingError(self.path, reason, key, hint)

    # -- generic checks ------------------------------------------------------------------

    def keys(self, where: str, table: dict[str, Any], allowed: Iterable[str]) -> None:
        allowed = tuple(allowed)
        for key in table:
            if key in allowed:
                continue
            hint = _ELSEWHERE.get(key)
            if hint is None:
                close = _SYNONYMS.get(fold(key).replace(" ", "_"))
                if close not in allowed:
                    found = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                    close = found[0] if found else None
                shown = [f"`{k}`" if where else f"[{k}]" for k in allowed]
                best = shown[allowed.index(close)] if close else None
                known = ", ".join(shown)
                hint = (f"did you mean {best}? " if best else "") + (
                    f"known keys: {known}" if where else f"known tables: {known}"
                )
            if not where:  # top level: the tables
                raise self.fail(f"[{key}]", "unknown table", hint)
            raise self.fail(f"{where}.{_quote(key)}", "unknown key", hint)

    def table(self, where: str, value: object) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, f"must be a table, not {_kind(value)}")
        return value

    def text(self, where: str, value: object, *, empty: bool = False) -> str:
        if not isinstance(value, str):
            raise self.fail(where, f"must be a string, not {_kind(value)}")
        if not empty and not value.strip():
            raise self.fail(where, "must not be empty")
        return value

    def integer(self, where: str, value: object, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(where, f"must be a whole number, not {_kind(value)}")
        if not low <= value <= high:
            raise self.fail(where, f"must be between {low} and {high}, not {value}")
        return value

    def regex(self, where: str, value: object) -> re.Pattern[str]:
        text = self.text(where, value)
        try:
            return re.compile(text)
        except re.error as exc:
            raise self.fail(where, f"not a valid regular expression: {exc}") from None

    def texts(self, where: str, value: object) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise self.fail(where, f"must be a list of strings, not {_kind(value)}")
        return tuple(self.text(f"{where}[{i}]", v) for i, v in enumerate(value))

    # -- sections ------------------------------------------------------------------------

    def load(self, data: dict[str, Any]) -> MappingSpec:
        self.keys("", data, SECTIONS)
        for section in ("source", "file", "period"):
            if section not in data:
                raise self.fail(f"[{section}]", "missing table")
        info = self.source(self.table("[source]", data["source"]))
        file = self.file(self.table("[file]", data["file"]))
        if file.format == "csv" and file.title is not None:
            raise self.fail("[file].title", "only for workbooks", "use [file].file_name for CSV")
        period = self.period(self.table("[period]", data["period"]))
        columns = self.columns(self.table("[columns]", data.get("columns", {})), period)
        fixed = self.fixed(self.table("[fixed]", data.get("fixed", {})), columns)
        values = self.values(self.table("[values]", data.get("values", {})), columns)
        for needed in ("event", "unit"):
            if needed not in columns and needed not in fixed:
                raise self.fail(
                    f"[fixed].{needed}", "missing", f"every count needs an {needed}: "
                    f"set it in [fixed] or read it from a column in [columns]; {expected(needed)}"
                )  # fmt: skip
        totals = self.totals(self.table("[totals]", data.get("totals", {})), columns, period)
        # what the rows carry, for query-time source selection (see SourceInfo)
        events = set(values.get("event", {}).values()) if "event" in columns else set()
        events |= {fixed["event"]} if "event" in fixed else set()
        info = dataclasses.replace(
            info,
            dims=frozenset(d for d in DIMENSIONS if d in columns or fixed.get(d, "")),
            events=frozenset(events),
        )
        return MappingSpec(self.path, info, file, period, columns, fixed, values, totals)

    def source(self, table: dict[str, Any]) -> SourceInfo:
        self.keys("[source]", table, SOURCE_KEYS)
        for key in ("id", "title", "publisher", "agency", "geo", "group"):
            if key not in table:
                raise self.fail(f"[source].{key}", "missing")
        sid = self.text("[source].id", table["id"])
        if not _ID.match(sid):
            raise self.fail(
                "[source].id", f"`{sid}` is not a namespaced connector id",
                "write `agency.series` in lower case, e.g. `dgme_cr.irregular_flows`",
            )  # fmt: skip
        geo = self.text("[source].geo", table["geo"])
        if not is_iso3(geo) or geo in SENTINELS:
            raise self.fail("[source].geo", f"`{geo}` is not an ISO3 country code", "e.g. `CRI`")
        publication = None
        if "publication" in table:
            pub = self.table("[source.publication]", table["publication"])
            self.keys("[source.publication]", pub, PUBLICATION_KEYS)
            if "page" not in pub:
                raise self.fail("[source.publication].page", "missing")
            publication = Publication(
                page=self.text("[source.publication].page", pub["page"]),
                links=self.text("[source.publication].links", pub.get("links", ""), empty=True),
                save_as=self.text(
                    "[source.publication].save_as", pub.get("save_as", ""), empty=True
                ),
            )
            if publication.links:
                self.regex("[source.publication].links", publication.links)
        return SourceInfo(
            id=sid,
            title=self.text("[source].title", table["title"]),
            publisher=self.text("[source].publisher", table["publisher"]),
            geo=geo,
            group=self.text("[source].group", table["group"]),
            dims=frozenset(),
            priority=self.integer("[source].priority", table.get("priority", 1), 1, 99),
            url=self.text("[source].url", table.get("url", ""), empty=True),
            notes=self.text("[source].notes", table.get("notes", ""), empty=True),
            agency=self.text("[source].agency", table["agency"]),
            publication=publication,
        )

    def file(self, table: dict[str, Any]) -> FileSpec:
        self.keys("[file]", table, FILE_KEYS)
        if "format" not in table:
            raise self.fail("[file].format", "missing", "one of: `csv`, `xlsx`, `xls`")
        fmt = self.text("[file].format", table["format"]).lower()
        if fmt not in FORMATS:
            raise self.fail("[file].format", f"`{fmt}` is not a format corridor reads",
                            "one of: `csv`, `xlsx`, `xls`")  # fmt: skip
        only = ("encoding", "delimiter") if fmt != "csv" else ("sheet",)
        for key in only:
            if key in table:
                kind = "CSV files" if fmt != "csv" else "workbooks"
                raise self.fail(f"[file].{key}", f"only for {kind}, and [file].format is `{fmt}`")
        encoding = self.text("[file].encoding", table.get("encoding", "auto"))
        if encoding != "auto":
            try:
                codecs.lookup(encoding)
            except LookupError:
                raise self.fail("[file].encoding", f"unknown encoding `{encoding}`",
                                "e.g. `auto`, `utf-8`, `latin-1`, `cp1252`") from None  # fmt: skip
        delimiter = self.text("[file].delimiter", table.get("delimiter", ","), empty=True)
        if len(delimiter) != 1:
            raise self.fail("[file].delimiter", f"must be one character, not `{delimiter}`")
        thousands = self.text("[file].thousands", table.get("thousands", ","), empty=True)
        if thousands not in THOUSANDS:
            raise self.fail("[file].thousands", f"`{thousands}` is not a thousands separator",
                            'one of: `","`, `"."`, `" "`')  # fmt: skip
        sheet = table.get("sheet")
        header_row = table.get("header_row")
        return FileSpec(
            format=fmt,
            sheet=self.text("[file].sheet", sheet) if sheet is not None else None,
            header_row=(
                self.integer("[file].header_row", header_row, 1, 10_000)
                if header_row is not None
                else None
            ),
            encoding=encoding,
            delimiter=delimiter,
            thousands=thousands,
            count_marks=self.text("[file].count_marks", table.get("count_marks", ""), empty=True),
            skip_rows=tuple(
                self.regex(f"[file].skip_rows[{i}]", p)
                for i, p in enumerate(self.texts("[file].skip_rows", table.get("skip_rows", [])))
            ),
            ignore_columns=self.texts("[file].ignore_columns", table.get("ignore_columns", [])),
            title=self.regex("[file].title", table["title"]) if "title" in table else None,
            file_name=(
                self.regex("[file].file_name", table["file_name"]) if "file_name" in table else None
            ),
        )

    def period(self, table: dict[str, Any]) -> PeriodSpec:
        self.keys("[period]", table, PERIOD_KEYS)

        def header(key: str) -> str | None:
            return self.text(f"[period].{key}", table[key]) if key in table else None

        month_columns: str | dict[str, int] | None = None
        if "month_columns" in table:
            raw = table["month_columns"]
            if isinstance(raw, dict):
                month_columns = {
                    name: self.integer(f"[period.month_columns].{_quote(name)}", m, 1, 12)
                    for name, m in raw.items()
                }
                if not month_columns:
                    raise self.fail("[period.month_columns]", "is empty")
                if len(set(month_columns.values())) != len(month_columns):
                    raise self.fail("[period.month_columns]", "two columns have the same month")
            elif raw in MONTH_COLUMN_STYLES:
                month_columns = raw
            else:
                raise self.fail(
                    "[period].month_columns", f"`{raw}` is not a month-column style",
                    '`"names"` (Enero, Feb., ...), `"dates"` (ene-24, 2024-01, date cells) '
                    "or a table {column header = month number}",
                )  # fmt: skip
        spec = PeriodSpec(
            column=header("column"),
            format=header("format"),
            year=header("year"),
            year_value=(
                self.integer("[period].year_value", table["year_value"], 1900, 2100)
                if "year_value" in table
                else None
            ),
            year_in_title=(
                self.regex("[period].year_in_title", table["year_in_title"])
                if "year_in_title" in table
                else None
            ),
            month=header("month"),
            month_columns=month_columns,
        )
        if spec.year_in_title is not None and spec.year_in_title.groups > 1:
            raise self.fail("[period].year_in_title", "at most one group () allowed",
                            "the group (or the whole match) is the year")  # fmt: skip
        if spec.column is not None:
            for key in ("year", "year_value", "year_in_title", "month", "month_columns"):
                if key in table:
                    raise self.fail(f"[period].{key}", "not with [period].column",
                                    "a date column holds the whole period")  # fmt: skip
        elif spec.format is not None:
            raise self.fail("[period].format", "only with [period].column")
        if spec.month is not None and spec.month_columns is not None:
            raise self.fail("[period].month_columns", "not with [period].month",
                            "a file has either a month column or one column per month")  # fmt: skip
        if spec.column is None:
            years = [k for k in ("year", "year_value", "year_in_title") if k in table]
            if spec.month_columns == "dates":
                if years:
                    raise self.fail(f"[period].{years[0]}", 'not with month_columns = "dates"',
                                    "the column headers carry the year")  # fmt: skip
            elif len(years) != 1:
                reason = "several year sources" if years else "no year"
                raise self.fail(
                    "[period]", reason,
                    "set exactly one of `column` (a date column), `year` (a year column), "
                    "`year_value` (a fixed year) or `year_in_title` (a regex over the title rows)",
                )  # fmt: skip
        return spec

    def columns(self, table: dict[str, Any], period: PeriodSpec) -> dict[str, str]:
        self.keys("[columns]", table, (*FIELDS, COUNT))
        out = {name: self.text(f"[columns].{name}", header) for name, header in table.items()}
        if period.wide and COUNT in out:
            raise self.fail(
                "[columns].n", "not in a wide layout",
                "with [period].month_columns the month cells are the counts",
            )  # fmt: skip
        if not period.wide and COUNT not in out:
            raise self.fail("[columns].n", "missing", "name the column that holds the counts")
        clash = set(out.values()) & set(period.headers())
        if clash:
            name = sorted(clash)[0]
            raise self.fail("[columns]", f"column `{name}` is also read by [period]")
        return out

    def fixed(self, table: dict[str, Any], columns: dict[str, str]) -> dict[str, str]:
        self.keys("[fixed]", table, FIELDS)
        out: dict[str, str] = {}
        for name, value in table.items():
            key = f"[fixed].{name}"
            text = self.text(key, value, empty=True)
            if name in columns:
                raise self.fail(key, f"also read from column `{columns[name]}` in [columns]",
                                "keep one of the two")  # fmt: skip
            found = canonical(name, text)
            if found is None:
                raise self.fail(key, f"`{text}` is not a canonical {name}", expected(name))
            out[name] = found
        return out

    def values(self, table: dict[str, Any], columns: dict[str, str]) -> dict[str, dict[str, str]]:
        self.keys("[values]", table, FIELDS)
        out: dict[str, dict[str, str]] = {}
        for name, raw in table.items():
            where = f"[values.{name}]"
            entries = self.table(where, raw)
            if name not in columns:
                raise self.fail(where, f"`{name}` is not read from a column",
                                f"add [columns].{name}, or set it in [fixed]")  # fmt: skip
            mapped: dict[str, str] = {}
            published: dict[str, str] = {}
            for published_value, value in entries.items():
                key = f"{where}.{_quote(published_value)}"
                text = self.text(key, value, empty=True)
                found = canonical(name, text)
                if found is None:
                    raise self.fail(key, f"`{text}` is not a canonical {name}", expected(name))
                folded = fold(published_value)
                if folded in published:
                    raise self.fail(key, f"same as `{published[folded]}` once case, accents "
                                         "and punctuation are ignored")  # fmt: skip
                published[folded] = published_value
                mapped[folded] = found
            out[name] = mapped
        return out

    def totals(
        self, table: dict[str, Any], columns: dict[str, str], period: PeriodSpec
    ) -> TotalsSpec:
        self.keys("[totals]", table, TOTALS_KEYS)
        label = self.regex("[totals].label", table["label"]) if "label" in table else None
        label_column = table.get("label_column")
        if label_column is not None:
            label_column = self.text("[totals].label_column", label_column)
            readable = {h for n, h in columns.items() if n != COUNT} | set(period.headers())
            if label_column not in readable:
                raise self.fail("[totals].label_column", f"`{label_column}` is not a column "
                                "read by [columns] or [period]")  # fmt: skip
            if label is None:
                raise self.fail("[totals].label", "missing", "needed with label_column")
        column = table.get("column")
        if column is not None:
            column = self.text("[totals].column", column)
            if not period.wide:
                raise self.fail("[totals].column", "only in wide layouts",
                                "a long layout's totals are rows: use [totals].label")  # fmt: skip
        return TotalsSpec(label, label_column, column)


def _quote(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else '"' + key.replace('"', '\\"') + '"'


def _kind(value: object) -> str:
    names = {str: "a string", int: "a number", float: "a number", bool: "true/false",
             list: "a list", dict: "a table"}  # fmt: skip
    return names.get(type(value), type(value).__name__)
