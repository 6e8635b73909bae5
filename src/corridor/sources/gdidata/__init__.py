"""IOM GDI's harmonised corridor series (the ``gdidata`` R package, as CSV)."""

from corridor.sources.gdidata.datasets import DATASETS
from corridor.sources.gdidata.reference import CountryNames

#: found by ``registry`` (every connector package exports this tuple)
CONNECTORS = (*DATASETS, CountryNames())

__all__ = ["CONNECTORS", "DATASETS"]
