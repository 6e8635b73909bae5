"""UNHCR population API: one JSON page (``{"page", "maxPages", "total", "items"}``) per file.

``corridor fetch`` follows ``page`` up to ``maxPages`` and merges the pages
into one file; pages saved by hand are read one file at a time. Items carry
``year``, origin and asylum (``coo_iso``/``coa_iso`` and UNHCR's own codes and
names) and the counts, written as numbers, as strings or as ``"-"``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

from corridor.errors import InputError, Location
from corridor.sources.base import Publication
from corridor.sources.document import DeclaredTotal, DocumentSource, Parsed, Probe, read_text
from corridor.sources.unhcr import common
from corridor.sources.unhcr.common import Cell, Figure, Figures
from corridor.sources.unhcr.events import COUNT_FIELDS

#: identity fields of an item (everything but the counts)
ID_FIELDS = frozenset(
    {"year", "coo_id", "coo_name", "coo", "coo_iso", "coa_id", "coa_name", "coa", "coa_iso"}
)
_QUERY = {
    "limit": "1000",
    "yearFrom": "2015",
    "coa": ",".join(common.CORRIDOR_ASYLUM),
    "coo_all": "true",
    "coa_all": "true",
    "cf_type": "ISO",
}
PUBLICATION = Publication(
    page=f"{common.API}?{urlencode(_QUERY, safe=',')}", save_as="unhcr_population.json"
)
INFO = common.info(
    "population_api",
    "UNHCR refugees, asylum-seekers and others by asylum and origin (population API)",
    1,
    "JSON pages of api.unhcr.org/population/v1/population (fetch merges the pages).",
    PUBLICATION,
)


class UnhcrApiPage(DocumentSource):
    """A page of ``api.unhcr.org/population/v1/population/`` as saved to a ``.json`` file."""

    info = INFO

    def sniff(self, probe: Probe) -> bool:
        """A JSON page with ``items`` and ``maxPages`` about origins or asylum countries."""
        text = probe.text.lstrip()
        return (
            text.startswith("{")
            and '"items"' in text
            and '"maxPages"' in text
            and ('"coa' in text or '"coo' in text)
        )

    def parse(self, path: Path) -> Parsed:
        body = _load(path)
        items = body.get("items")
        where = Location(str(path))
        if not isinstance(items, list):
            raise InputError(
                "not a UNHCR API answer: no `items` list",
                where,
                hint="save the API's answer as it comes (`page`, `maxPages`, `total`, `items`)",
            )
        page, last = (
            _whole(body.get("page"), "page", where),
            _whole(body.get("maxPages"), "maxPages", where),
        )
        figures, dashes = _figures(path, items)
        out = Figures(path)
        if dashes:
            out.notes.append(f"{dashes:,} counts written `-` are read as 0")
        total = body.get("total")
        if page == last == 1 and isinstance(total, int):
            out.totals.append(
                DeclaredTotal(
                    "items in the answer (`total`)",
                    None,
                    total,
                    len(items),
                    Location(str(path), None, "total", str(total)),
                )
            )
            if total != len(items):
                out.notes.append(
                    f"the answer says `total` {total:,} but holds {len(items):,} items"
                )
        if last is not None and last > 1:
            out.notes.append(
                f"page {page} of {last}: ingest every page (or let `corridor fetch` merge them); "
                "an asylum country whose rows continue on another page is superseded by the "
                "page ingested last"
            )
        return out.parse(figures)


def _load(path: Path) -> dict[str, object]:
    try:
        body = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON: {exc.msg}", Location(str(path), exc.lineno)) from None
    if not isinstance(body, dict):
        raise InputError("not a UNHCR API answer: not a JSON object", Location(str(path)))
    return body


def _whole(value: object, name: str, where: Location) -> int | None:
    if value is None:
        return None
    text = str(value).strip()
    if not text.isdigit():
        raise InputError("not a page number", Location(where.file, None, name, text))
    return int(text)


def _figures(path: Path, items: list[object]) -> tuple[list[Figure], int]:
    """Each item as a Figure (``row`` = its position in ``items``); and how many `-` counts."""
    known = ID_FIELDS | set(COUNT_FIELDS)
    first_keys: set[str] | None = None
    figures: list[Figure] = []
    dashes = 0
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise InputError("an item is not an object", Location(str(path), number))

        def at(key: str, item: dict[str, object] = item, number: int = number) -> Location:
            value = item.get(key)
            return Location(str(path), number, key, None if value is None else str(value))

        keys = set(item)
        extra = sorted(keys - known)
        if extra:
            raise InputError(
                f"unexpected field `{extra[0]}` in item {number} — the API changed",
                at(extra[0]),
                hint="known fields: " + ", ".join(f"`{k}`" for k in sorted(known)),
            )
        for need in ("year", "coa_iso", "coo_iso"):
            if need not in keys:
                raise InputError(
                    f"field `{need}` is missing in item {number} — the API changed",
                    Location(str(path), number, need),
                )
        if first_keys is None:
            first_keys = keys
            if not keys & set(COUNT_FIELDS):
                raise InputError(
                    "items have no count field — the API changed",
                    Location(str(path), number),
                    hint="expected `refugees`, `asylum_seekers`, `idps`, ...",
                )
        elif keys != first_keys:
            diff = sorted(keys ^ first_keys)[0]
            raise InputError(
                f"item {number} has other fields than item 1 (`{diff}`)",
                at(diff),
                hint="one answer has one shape",
            )
        counts: dict[str, int] = {}
        for name in COUNT_FIELDS:
            if name in item:
                counts[name], dash = common.count(item[name], at(name))
                dashes += dash
        figures.append(
            Figure(
                number,
                common.year_of(item["year"], at("year")),
                _cell(item, "coo_iso", at),
                _cell(item, "coo_name", at),
                _cell(item, "coa_iso", at),
                _cell(item, "coa_name", at),
                counts,
            )
        )
    return figures, dashes


def _cell(item: dict[str, object], key: str, at: Callable[[str], Location]) -> Cell:
    value = item.get(key)
    return Cell("" if value is None else str(value), at(key))


__all__ = ["ID_FIELDS", "INFO", "PUBLICATION", "UnhcrApiPage"]
