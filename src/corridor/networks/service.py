"""Leads for the API and the dashboard: computed once per app, then kept in memory.

The folder to analyse comes from ``app.state.networks_settings`` or the
environment: ``CORRIDOR_NETWORKS_DIR`` (a records folder), and optionally
``CORRIDOR_NETWORKS_ENTITIES`` (clusters.parquet or ``truth``; default truth
when the folder has one) and ``CORRIDOR_NETWORKS_KEY`` (a key file: contacts as
keyed hashes). Only the top leads, their evidence and their drawn core network
are kept; the graph's tables are dropped once they are built.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corridor.errors import ConfigError
from corridor.networks.leads import Lead
from corridor.networks.neighbourhood import LeadGraph, lead_graph

ENV_DIR = "CORRIDOR_NETWORKS_DIR"
ENV_ENTITIES = "CORRIDOR_NETWORKS_ENTITIES"
ENV_KEY = "CORRIDOR_NETWORKS_KEY"
TOP = 100


@dataclass(frozen=True)
class NetworkSettings:
    folder: Path
    entities: str = "truth"
    key_file: Path | None = None
    top: int = TOP

    @classmethod
    def from_env(cls) -> NetworkSettings:
        folder = os.environ.get(ENV_DIR)
        if not folder:
            raise ConfigError(f"no records folder for network leads: set {ENV_DIR}")
        key = os.environ.get(ENV_KEY)
        return cls(Path(folder), os.environ.get(ENV_ENTITIES, "truth"), Path(key) if key else None)


@dataclass(frozen=True)
class LeadView:
    lead: Lead
    graph: LeadGraph

    def summary(self) -> dict[str, Any]:
        d = self.lead.to_dict()
        d.pop("suspects")
        d.pop("shared")
        return d


class Leads:
    """The ranked leads of one folder, by rank (1-based)."""

    def __init__(self, views: list[LeadView]) -> None:
        self.views = views

    @classmethod
    def compute(cls, settings: NetworkSettings) -> Leads:
        from corridor.networks.run import Options, analyse

        a = analyse(
            settings.folder,
            Options(entities=settings.entities, top=settings.top, key_file=settings.key_file),
        )
        try:
            return cls([LeadView(ld, lead_graph(a.con, ld)) for ld in a.leads])
        finally:
            a.close()

    def get(self, rank: int) -> LeadView | None:
        return self.views[rank - 1] if 1 <= rank <= len(self.views) else None


_lock = threading.Lock()


def leads_of(state: Any) -> Leads:
    """The app's leads (computed on first use, once, under a lock)."""
    found = getattr(state, "network_leads", None)
    if isinstance(found, Leads):
        return found
    with _lock:
        found = getattr(state, "network_leads", None)
        if not isinstance(found, Leads):
            settings = getattr(state, "networks_settings", None) or NetworkSettings.from_env()
            found = state.network_leads = Leads.compute(settings)
    return found
