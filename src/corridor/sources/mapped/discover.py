"""Mapping files that become connectors: the shipped examples and ``$CORRIDOR_MAPPINGS``.

Discovery runs when the registry imports this package, i.e. on ``import corridor``.
It never raises: a mapping that fails to load becomes a :class:`BrokenMapping`
whose error is raised when a file is ingested (see its docstring).
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
from pathlib import Path

from corridor.sources.document import DocumentSource
from corridor.sources.mapped.load import read_mapping
from corridor.sources.mapped.source import BrokenMapping, MappedSource
from corridor.sources.mapped.spec import MappingError

#: directories of mapping files (``*.toml``), separated like PATH (``:``; ``;`` on Windows)
ENV_MAPPINGS = "CORRIDOR_MAPPINGS"
EXAMPLES = Path(__file__).resolve().parent / "examples"


def mapping_dirs() -> list[Path]:
    """The shipped examples, then each directory named by ``$CORRIDOR_MAPPINGS``."""
    extra = os.environ.get(ENV_MAPPINGS, "")
    return [EXAMPLES, *(Path(p).expanduser() for p in extra.split(os.pathsep) if p.strip())]


def discover(dirs: list[Path] | None = None) -> tuple[DocumentSource, ...]:
    """One connector per mapping file (a :class:`BrokenMapping` for each bad one)."""
    out: list[DocumentSource] = []
    owners: dict[str, Path] = {}
    folders = mapping_dirs() if dirs is None else dirs
    builtin = _builtin_ids() if any(f != EXAMPLES for f in folders) else {}
    for folder in folders:
        if not folder.is_dir():
            error = MappingError(
                folder, f"${ENV_MAPPINGS} names a folder that does not exist",
                hint=f"fix or unset ${ENV_MAPPINGS}",
            )  # fmt: skip
            out.append(BrokenMapping(folder, error, _broken_id(folder, owners)))
            continue
        for path in sorted(folder.glob("*.toml")):
            out.append(_connector(path, builtin, owners))
    return tuple(out)


def _connector(path: Path, builtin: dict[str, str], owners: dict[str, Path]) -> DocumentSource:
    """The mapping's connector, or a :class:`BrokenMapping` carrying why it cannot be one."""
    try:
        src = MappedSource(read_mapping(path))
    except MappingError as error:
        return BrokenMapping(path, error, _broken_id(path, owners))
    sid = src.info.id
    if sid in builtin or sid in owners:
        other = f"a built-in connector ({builtin[sid]})" if sid in builtin else f"{owners[sid]}"
        clash = MappingError(
            path, f"`{sid}` is already the id of {other}", key="[source].id",
            hint="every mapping needs its own id",
        )  # fmt: skip
        return BrokenMapping(path, clash, _broken_id(path, owners))
    owners[sid] = path
    return src


def _builtin_ids() -> dict[str, str]:
    """Ids of the other connector packages (a clash would make the registry raise on import)."""
    import corridor.sources as pkg

    ids: dict[str, str] = {}
    for mod in pkgutil.iter_modules(pkg.__path__):
        if not mod.ispkg or mod.name == "mapped":
            continue
        try:  # the registry imports these next anyway; its own error is the one to see
            package = importlib.import_module(f"{pkg.__name__}.{mod.name}")
        except Exception:
            continue
        for src in getattr(package, "CONNECTORS", ()):
            ids[src.info.id] = src.info.title
    return ids


def _broken_id(path: Path, owners: dict[str, Path]) -> str:
    base = "mapping_error." + (re.sub(r"[^a-z0-9_]+", "_", path.stem.lower()).strip("_") or "x")
    sid, n = base, 1
    while sid in owners:
        n += 1
        sid = f"{base}_{n}"
    owners[sid] = path
    return sid


def register_mapping(path: Path | str) -> MappedSource:
    """Load a mapping file and make it a connector of this process (for ``--mapping``).

    The mapping replaces a connector of the same id only when that one came from a
    mapping file too (e.g. the same file, found in ``$CORRIDOR_MAPPINGS``).

    Returns:
        The connector; pass ``source=src.info.id`` to :func:`corridor.store.ingest`.

    Raises:
        MappingError: the mapping is broken, or its id belongs to a built-in connector.
    """
    from corridor.sources import registry  # here: the registry imports this package

    src = MappedSource(read_mapping(path))
    current = registry.SOURCES.get(src.info.id)
    if current is not None and not isinstance(current, MappedSource | BrokenMapping):
        raise MappingError(
            path, f"`{src.info.id}` is the id of a built-in connector ({current.info.title})",
            key="[source].id", hint="choose another id",
        )  # fmt: skip
    registry.SOURCES[src.info.id] = src
    return src
