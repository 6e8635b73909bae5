"""Writing a run's files all-or-nothing: into a temporary folder, then renamed into place."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from corridor.errors import ConfigError

__all__ = ["staged_output"]


@contextmanager
def staged_output(out: Path, names: tuple[str, ...]) -> Iterator[Path]:
    """Yield a temporary folder beside ``out``; on success move ``names`` into ``out``.

    On any error the temporary folder is removed and ``out`` is left as it was.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out `{out}` exists and is not a folder")
    parent = out.parent if str(out.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    try:
        yield tmp
        out.mkdir(exist_ok=True)
        for name in names:
            if (tmp / name).exists():
                os.replace(tmp / name, out / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
