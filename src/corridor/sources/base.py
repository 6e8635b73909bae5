"""What every connector provides: identity, detection and staging SQL."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from corridor.sources.reading import CsvHeader


@dataclass(frozen=True)
class Publication:
    """Where an agency publishes the current files (for ``corridor fetch``).

    ``page`` is either the file itself (``links`` empty) or a web page whose
    links matching the regular expression ``links`` are the files. A JSON API
    answering ``{"page": .., "maxPages": ..}`` is followed page by page. A
    ``{year}`` in ``page`` is one page per year: last year's and this year's (the
    yearly file of last year gets its final revision early in the new year), or
    every year from ``--since``.
    """

    page: str
    links: str = ""
    #: file name to save a download under when its URL has none (APIs)
    save_as: str = ""


@dataclass(frozen=True)
class SourceInfo:
    """Identity of a source and how it relates to others describing the same counts.

    Sources in one ``group`` count the same people or events (e.g. Darién transits
    by nationality and by sex/age). Queries pick one source per group and period:
    the lowest ``priority`` that carries every dimension asked for (``dims``).
    """

    id: str
    title: str
    publisher: str
    geo: str
    group: str
    dims: frozenset[str]
    priority: int = 1
    url: str = ""
    notes: str = ""
    #: reporting body as in the `agency` column (``SNM``, ``UPM``, ``IOM-MMP``)
    agency: str = ""
    #: canonical events the source writes
    events: frozenset[str] = frozenset()
    #: where ``corridor fetch`` downloads the current files from (None: not fetchable)
    publication: Publication | None = None
    #: every file is a full snapshot (IOM MMP, UNHCR): a newer release replaces all
    #: rows of the periods it covers, whatever their geo/area (an incident moved to
    #: another country, or deleted, must not stay counted from the older file)
    snapshot: bool = False


@dataclass(frozen=True)
class Staged:
    """A connector's result: a SELECT over the raw table with canonical columns.

    ``sql`` yields the canonical key columns (``KEY_COLUMNS``) and ``n``; several
    raw rows may map onto one key (``UAC`` and ``UC / Single Minors``) and are
    summed. ``raw_key`` names the raw columns that identify a row of the file:
    two rows equal on them are duplicates and fail the ingest.
    """

    sql: str
    raw_key: tuple[str, ...]
    #: "error": a repeated raw key fails the ingest; "sum": counts are added and
    #: a note says how many keys repeat (harmonised exports that map several
    #: published names onto one code, e.g. France and French Guiana -> FRA).
    duplicates: str = "error"
    notes: list[str] = field(default_factory=list)
    #: the distinct values of each canonical VARCHAR column, when the connector
    #: knows them from its checks (lets ingest skip a pass over the rows)
    values: dict[str, set[str]] | None = None
    #: False when no two published rows can map onto one canonical key
    may_merge: bool = True


class Source(ABC):
    """A connector for one agency publication layout."""

    info: SourceInfo
    #: normalised header names that must all be present
    required: frozenset[str]
    #: further normalised header names the layout may carry
    optional: frozenset[str] = frozenset()
    #: a word in the file name that tells this layout apart from one with the same header
    file_hint: str | None = None
    #: header columns the connector never reads (not kept in memory)
    unused: frozenset[str] = frozenset()
    #: set for reference tables (not flows): the store table that keeps their rows
    reference_table: str | None = None

    def matches(self, header: CsvHeader) -> bool:
        """Whether a file with this header is in this source's layout."""
        names = set(header.names)
        return self.required <= names <= (self.required | self.optional)

    @abstractmethod
    def stage(self, con: duckdb.DuckDBPyConnection, header: CsvHeader, raw: str) -> Staged:
        """Check the raw VARCHAR table ``raw`` and return the canonical SELECT.

        Raises:
            InputError: naming file, row, column and value of the first problem.
        """

    def raw_key_for(self, header: CsvHeader) -> tuple[str, ...]:
        """Raw columns identifying a row of this file (hashed while loading)."""
        return ()

    def describe(self, path: Path) -> str:
        return f"{self.info.id} ({self.info.title}) from {path.name}"
