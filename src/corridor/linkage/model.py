"""The fitted Fellegi–Sunter model: ``m``, ``u`` and weights per level, as JSON."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from corridor.errors import InputError, Location
from corridor.linkage.comparators import Comparison
from corridor.linkage.em import log2_bayes_factors

__all__ = ["LinkModel", "probability_to_weight"]


def probability_to_weight(p: float) -> float:
    """The match weight (log2 odds) of a match probability."""
    p = min(max(p, 1e-15), 1 - 1e-15)
    return math.log2(p / (1 - p))


@dataclass
class LinkModel:
    """Everything needed to score pairs again (incremental linking reuses it)."""

    comparisons: list[Comparison]
    m: list[list[float]]
    u: list[list[float]]
    prior: float
    mode: str
    pprl: bool = False
    threshold: float = 0.5
    report: dict[str, Any] = field(default_factory=dict)

    def weights(self) -> list[list[float]]:
        w = log2_bayes_factors([np.asarray(x) for x in self.m], [np.asarray(x) for x in self.u])
        return [list(map(float, x)) for x in w]

    def prior_weight(self) -> float:
        return probability_to_weight(self.prior)

    def to_json(self) -> dict[str, Any]:
        weights = self.weights()
        return {
            "format": "corridor.linkage.model/1",
            "mode": self.mode,
            "pprl": self.pprl,
            "prior": self.prior,
            "prior_weight": self.prior_weight(),
            "threshold": self.threshold,
            "comparisons": [
                {
                    "name": c.name,
                    "levels": [
                        {"label": label, "m": m, "u": u, "weight": w}
                        for label, m, u, w in zip(
                            c.labels(), self.m[k], self.u[k], weights[k], strict=True
                        )
                    ],
                }
                for k, c in enumerate(self.comparisons)
            ],
            "report": self.report,
        }

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=2, default=_plain) + "\n")

    @classmethod
    def load(cls, path: Path, known: list[Comparison]) -> LinkModel:
        """Read a model written by :meth:`save`; its comparisons must be known ones."""
        where = Location(file=str(path))
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise InputError("cannot read the model file", where, hint=str(exc)) from None
        if data.get("format") != "corridor.linkage.model/1":
            raise InputError("not a corridor linkage model", where)
        by_name = {c.name: c for c in known}
        comparisons, m, u = [], [], []
        for entry in data["comparisons"]:
            if entry["name"] not in by_name:
                raise InputError(
                    "unknown comparison in model", Location(str(path), value=entry["name"])
                )
            comparisons.append(by_name[entry["name"]])
            m.append([lv["m"] for lv in entry["levels"]])
            u.append([lv["u"] for lv in entry["levels"]])
        return cls(
            comparisons,
            m,
            u,
            float(data["prior"]),
            data["mode"],
            bool(data.get("pprl")),
            float(data.get("threshold", 0.5)),
            data.get("report", {}),
        )


def _plain(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(type(value).__name__)
