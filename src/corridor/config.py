"""Where corridor keeps its files, and how the user overrides it."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

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
