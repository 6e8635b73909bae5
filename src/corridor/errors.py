"""The one root exception of corridor and its families.

Every error a user can cause derives from :class:`CorridorError`; the CLI turns
them into a one-line message and a non-zero exit, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class CorridorError(Exception):
    """Root of every error corridor raises on purpose."""

    exit_code: int = 1


class ConfigError(CorridorError):
    """A setting, option or path given by the user is not usable."""

    exit_code = 2


@dataclass
class Location:
    """Where in a user's input a problem sits (all parts optional)."""

    file: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None

    def describe(self) -> str:
        parts: list[str] = []
        if self.file is not None:
            parts.append(Path(self.file).name if self.file else "<input>")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column `{self.column}`")
        if self.value is not None:
            shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
            parts.append(f"value `{shown}`")
        return ", ".join(parts)


@dataclass
class InputError(CorridorError):
    """A file or value given by the user cannot be read as it is.

    The message names file, row, column and value wherever they are known so
    that the user can find and fix the cell without opening a debugger.
    """

    reason: str
    where: Location = field(default_factory=Location)
    hint: str | None = None

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        head = self.where.describe()
        msg = f"{head}: {self.reason}" if head else self.reason
        if self.hint:
            msg += f" ({self.hint})"
        return msg


@dataclass
class UnknownCountryError(InputError):
    """A country name that the alias table does not know."""

    suggestions: list[str] = field(default_factory=list)


class StoreError(CorridorError):
    """The store cannot be opened, read or written."""


class QueryError(CorridorError):
    """A query the user wrote is not valid."""

    exit_code = 2
