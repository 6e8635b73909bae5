"""Any agency's CSV/XLSX tables, read through a small declarative mapping file (TOML).

A new publication needs a mapping file, not code: see ``README.md`` in this
folder for the format. Mapping files in ``examples/`` and in the folders named
by ``$CORRIDOR_MAPPINGS`` are connectors like any other.
"""

from corridor.sources.mapped.discover import (
    ENV_MAPPINGS,
    EXAMPLES,
    discover,
    mapping_dirs,
    register_mapping,
)
from corridor.sources.mapped.source import BrokenMapping, MappedSource, load_mapping
from corridor.sources.mapped.spec import MappingError, MappingSpec

#: found by ``registry`` (every connector package exports this tuple)
CONNECTORS = discover()

__all__ = [
    "CONNECTORS",
    "ENV_MAPPINGS",
    "EXAMPLES",
    "BrokenMapping",
    "MappedSource",
    "MappingError",
    "MappingSpec",
    "discover",
    "load_mapping",
    "mapping_dirs",
    "register_mapping",
]
