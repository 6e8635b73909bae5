"""IOM GDI's harmonised corridor series (the ``gdidata`` R package, as CSV)."""

from corridor.sources.gdidata.datasets import DATASETS

__all__ = ["DATASETS"]
