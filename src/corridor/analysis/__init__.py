"""Analysis of the aligned flows: series per checkpoint, trends, the corridor view,
forecasts with backtests, and alerts."""

from corridor.analysis.series import CHECKPOINTS, Checkpoint, by_nationality, checkpoint, monthly

__all__ = ["CHECKPOINTS", "Checkpoint", "by_nationality", "checkpoint", "monthly"]
