"""Data quality of ingested releases (``corridor check``) and revisions between them."""

from corridor.quality.checks import Finding, QualityReport, check
from corridor.quality.revisions import RevisionReport, revisions

__all__ = ["Finding", "QualityReport", "RevisionReport", "check", "revisions"]
