"""corridor: aligned migration statistics for the Americas corridor.

``corridor.open(path)`` returns a :class:`~corridor.store.Store` whose methods
return pandas DataFrames.
"""

from corridor.errors import CorridorError
from corridor.store import IngestResult, Store, open

__all__ = ["CorridorError", "IngestResult", "Store", "open"]
__version__ = "0.1.0"
