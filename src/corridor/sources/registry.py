"""Every connector, registered in one place, and detection of a file's layout."""

from __future__ import annotations

from pathlib import Path

from corridor.errors import InputError, Location
from corridor.sources.base import Source
from corridor.sources.cbp_encounters import SOURCE as CBP
from corridor.sources.gdidata import DATASETS
from corridor.sources.gdidata.reference import CountryNames
from corridor.sources.reading import CsvHeader

SOURCES: dict[str, Source] = {s.info.id: s for s in (CBP, *DATASETS, CountryNames())}


def get(source_id: str) -> Source:
    """The connector with this id, or an error listing the valid ones."""
    try:
        return SOURCES[source_id]
    except KeyError:
        options = ", ".join(f"`{k}`" for k in sorted(SOURCES))
        raise InputError(
            "unknown source", Location(value=source_id), hint=f"expected one of: {options}"
        ) from None


def detect(header: CsvHeader, path: Path) -> Source:
    """The connector whose layout this header is; the file name breaks ties."""
    candidates = [s for s in SOURCES.values() if s.matches(header)]
    if len(candidates) > 1:
        stem = path.stem.lower()
        hinted = [s for s in candidates if s.file_hint and s.file_hint in stem]
        if len(hinted) == 1:
            return hinted[0]
        options = ", ".join(f"`{s.info.id}`" for s in candidates)
        raise InputError(
            "this header fits several sources",
            Location(file=str(path), row=1, value=",".join(header.raw)),
            hint=f"pass --source with one of: {options}",
        )
    if candidates:
        return candidates[0]
    raise InputError(
        "unknown column set: no connector reads this layout",
        Location(file=str(path), row=1, value=",".join(header.raw)),
        hint="see `corridor sources` for the layouts corridor reads, or pass --source",
    )
