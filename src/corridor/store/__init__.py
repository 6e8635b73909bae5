"""The versioned store: releases of every source in one DuckDB file."""

from corridor.store.ingest import IngestResult, ingest
from corridor.store.store import Store, open

__all__ = ["IngestResult", "Store", "ingest", "open"]
