"""Where corridor keeps its files, and how the user overrides it."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir

from corridor.errors import ConfigError

ENV_DB = "CORRIDOR_DB"


def default_db_path() -> Path:
    """The store used when neither ``--db`` nor ``CORRIDOR_DB`` is given."""
    return Path(user_data_dir("corridor", appauthor=False)) / "corridor.duckdb"


def resolve_db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--db`` wins over ``CORRIDOR_DB``, which wins over the user data dir."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(ENV_DB)
    if env:
        return Path(env).expanduser()
    return default_db_path()


def shared_data_dir() -> Path | None:
    """The agencies' real data beside a source checkout (``../shared/data``), if present."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent.parent / "shared" / "data"
        if (parent / "pyproject.toml").exists() and candidate.is_dir():
            return candidate
    return None


def read_toml(path: str | os.PathLike[str], what: str) -> dict[str, Any]:
    """A user's TOML file (rules, pathways, ...) as a dict; every failure is a ConfigError
    that names the file: ``no such <what>``, unreadable, or not valid TOML (with the line)."""
    path = Path(path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such {what} (not found)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the {what}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name}: not valid TOML: {exc}") from None
