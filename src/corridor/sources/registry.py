"""Every connector, found in one place, and detection of a file's layout.

Each connector lives in its own package under ``corridor.sources`` and
exports a ``CONNECTORS`` tuple; adding a folder is all it takes to register
one (no central list to edit).
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import corridor.sources as _pkg
from corridor.errors import CorridorError, InputError, Location
from corridor.sources.base import Source
from corridor.sources.document import DocumentSource, Probe
from corridor.sources.reading import CsvHeader


def _discover() -> dict[str, Source]:
    found: dict[str, Source] = {}
    for mod in sorted(pkgutil.iter_modules(_pkg.__path__), key=lambda m: m.name):
        if not mod.ispkg:
            continue
        package = importlib.import_module(f"{_pkg.__name__}.{mod.name}")
        for src in getattr(package, "CONNECTORS", ()):
            if src.info.id in found:
                raise CorridorError(f"two connectors share the id `{src.info.id}`")
            found[src.info.id] = src
    return found


SOURCES: dict[str, Source] = _discover()


def get(source_id: str) -> Source:
    """The connector with this id, or an error listing the valid ones."""
    try:
        return SOURCES[source_id]
    except KeyError:
        options = ", ".join(f"`{k}`" for k in sorted(SOURCES))
        raise InputError(
            "unknown source", Location(value=source_id), hint=f"expected one of: {options}"
        ) from None


def sniff(probe: Probe) -> DocumentSource | None:
    """The document connector that recognises this file, if exactly one does."""
    candidates = [s for s in SOURCES.values() if isinstance(s, DocumentSource) and s.sniff(probe)]
    if len(candidates) > 1:
        options = ", ".join(f"`{s.info.id}`" for s in candidates)
        raise InputError(
            "this file fits several sources",
            Location(file=str(probe.path)),
            hint=f"pass --source with one of: {options}",
        )
    return candidates[0] if candidates else None


def detect(header: CsvHeader, path: Path) -> Source:
    """The CSV connector whose layout this header is; the file name breaks ties."""
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
