"""A mapping file as a document connector, and the stand-in for a mapping that is broken."""

from __future__ import annotations

from pathlib import Path

from corridor.errors import InputError
from corridor.sources.base import SourceInfo
from corridor.sources.document import DocumentSource, Parsed, Probe
from corridor.sources.mapped.grid import Grid, csv_grid, read_grid
from corridor.sources.mapped.header import SEARCH_ROWS, find_header
from corridor.sources.mapped.load import read_mapping
from corridor.sources.mapped.parse import parse_file
from corridor.sources.mapped.spec import MappingError, MappingSpec


class MappedSource(DocumentSource):
    """Reads the CSV/XLSX files a mapping file describes (see this package's README)."""

    def __init__(self, spec: MappingSpec) -> None:
        self.spec = spec
        self.info = spec.info
        self.required = frozenset(spec.expected_headers())

    def sniff(self, probe: Probe) -> bool:
        """Whether ``probe`` is a file of this mapping.

        With ``[file].title`` or ``[file].file_name`` the file is claimed when they match
        (so a changed header is reported by ``parse``, not missed); otherwise every
        expected column must be in one of the first rows.
        """
        fs = self.spec.file
        if fs.is_workbook != probe.is_workbook:
            return False
        if fs.file_name is not None and not fs.file_name.search(probe.path.name):
            return False
        try:
            grid = self._head(probe)
        except InputError:
            return False
        if fs.title is not None:
            return any(
                fs.title.search(text)
                for i in range(len(grid.rows))
                for text in grid.texts(i)
                if text
            )
        if fs.file_name is not None:
            return True
        return find_header(grid, self.spec) is not None

    def _head(self, probe: Probe) -> Grid:
        if self.spec.file.is_workbook:
            return read_grid(probe.path, self.spec.file, self.spec.path.name, max_rows=SEARCH_ROWS)
        return csv_grid(
            probe.path, probe.head, self.spec.file, self.spec.path.name, max_rows=SEARCH_ROWS
        )

    def parse(self, path: Path) -> Parsed:
        return parse_file(self.spec, path)

    def describe(self, path: Path) -> str:
        return f"{self.info.id} ({self.info.title}, mapping {self.spec.path.name}) from {path.name}"


class BrokenMapping(DocumentSource):
    """A mapping file that failed to load, kept so the error surfaces where it matters.

    Registering it instead of raising keeps ``import corridor`` and every command that
    does not read files working. Detection cannot know whether a file was meant for the
    broken mapping, so ``sniff`` (every ingest without ``--source``) and ``parse``
    raise the mapping's error.
    """

    def __init__(self, path: Path, error: MappingError, source_id: str) -> None:
        self.path = path
        self.error = error
        self.info = SourceInfo(
            id=source_id,
            title=f"BROKEN mapping file: {error}",
            publisher="",
            geo="",
            group=f"broken.{source_id}",
            dims=frozenset(),
            notes=str(error),
        )

    def sniff(self, probe: Probe) -> bool:
        raise self.error

    def parse(self, path: Path) -> Parsed:
        raise self.error


def load_mapping(path: Path | str) -> MappedSource:
    """The connector described by a mapping file.

    Raises:
        MappingError: naming the mapping file and the key of the first problem.
    """
    return MappedSource(read_mapping(path))
