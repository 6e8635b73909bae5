"""Published cells to canonical values: value maps first, then the vocabularies."""

from __future__ import annotations

import re
from pathlib import Path

from corridor.countries import fold, resolve
from corridor.errors import InputError, Location, UnknownCountryError
from corridor.sources.document import parse_count
from corridor.sources.mapped.spec import MappingSpec
from corridor.sources.mapped.vocab import COUNTRY_FIELDS, canonical, expected

_DOTTED = re.compile(r"^\d{1,3}(?:\.\d{3})+$")


class Cells:
    """Reads the cells of one data file with one mapping (results cached per value)."""

    def __init__(self, spec: MappingSpec, path: Path) -> None:
        self.spec = spec
        self.path = path
        self.map_name = spec.path.name
        self._cache: dict[tuple[str, str], str] = {}

    def value(self, field: str, raw: str, row: int, column: str) -> str:
        """The canonical value of a published cell of ``field``.

        Raises:
            InputError: naming data file, row, column and value, and the mapping key to add.
        """
        key = (field, raw)
        found = self._cache.get(key)
        if found is None:
            found = self._map(field, raw, Location(str(self.path), row, column, raw))
            self._cache[key] = found
        return found

    def _map(self, field: str, raw: str, where: Location) -> str:
        table = self.spec.values.get(field, {})
        folded = fold(raw)
        if folded in table:
            return table[folded]
        text = raw.strip()
        add = f'add `"{text}" = "..."` under [values.{field}] in {self.map_name}'
        if self.spec.totals.label is None and folded.startswith("total"):
            add = f'a total row? declare [totals] label = "^Total" in {self.map_name}; or {add}'
        if not text:
            if field == "place":
                return ""
            raise InputError(
                f"blank `{field}` cell", where,
                hint=f'say what a blank means: add `"" = "..."` under [values.{field}] '
                f"in {self.map_name}",
            )  # fmt: skip
        if field in COUNTRY_FIELDS:
            try:
                return resolve(text)
            except UnknownCountryError as exc:
                code = exc.suggestions[0].rsplit("(", 1)[-1].rstrip(")") if exc.suggestions else ""
                add = add.replace('"..."', f'"{code or "ISO3"}"')
                hint = f"{exc.hint}; or {add}" if exc.hint else add
                raise InputError("unknown country name", where, hint=hint) from None
        found = canonical(field, text, loose=True)
        if found is None:
            raise InputError(
                f"not a canonical `{field}` and not in [values.{field}]", where,
                hint=f"{add} ({field} is {expected(field)})",
            )  # fmt: skip
        return found

    def count(self, value: object, row: int, column: str) -> int:
        """A published count, with the mapping's thousands separator and marks."""
        where = Location(str(self.path), row, column)
        fs = self.spec.file
        if isinstance(value, str):
            text = value.strip()
            if fs.count_marks:
                text = text.rstrip(fs.count_marks + "*").strip()
            if fs.thousands == "." and _DOTTED.match(text):
                text = text.replace(".", "")
            elif fs.thousands == "." and "," in text:
                raise InputError("not a count", Location(where.file, row, column, value),
                                 hint="decimals are not counts")  # fmt: skip
            value = text
        try:
            return parse_count(value, where, marks=fs.count_marks)
        except InputError as exc:
            if fs.thousands != "." and isinstance(value, str) and _DOTTED.match(value):
                hint = f'if `.` separates thousands, set [file].thousands = "." in {self.map_name}'
                raise InputError(exc.reason, exc.where, hint=hint) from None
            raise
