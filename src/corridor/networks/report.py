"""Leads as one flat row each (the CLI's table and CSV)."""

from __future__ import annotations

import pandas as pd

from corridor.networks.leads import Lead


def _top_value(lead: Lead) -> str:
    if not lead.shared:
        return ""
    v = lead.shared[0]
    return f"{v.kind} {v.value} ({v.holders} people, {v.trips} days)"


def _top_suspect(lead: Lead) -> str:
    if not lead.suspects:
        return ""
    s = lead.suspects[0]
    return f"{s.entity} ({s.repeat_visits} repeat crossings, {s.partners} people)"


def leads_frame(leads: list[Lead]) -> pd.DataFrame:
    """rank, score, people, guides, shared values, countries, dates and the main evidence."""
    return pd.DataFrame(
        [
            {
                "rank": ld.rank,
                "lead": ld.community,
                "score": ld.score,
                "people": ld.entities,
                "guides": ld.guides,
                "shared": ld.shared_values,
                "countries": " ".join(ld.countries),
                "first": ld.first_date,
                "last": ld.last_date,
                "top_suspect": _top_suspect(ld),
                "top_shared": _top_value(ld),
            }
            for ld in leads
        ],
        columns=[
            "rank",
            "lead",
            "score",
            "people",
            "guides",
            "shared",
            "countries",
            "first",
            "last",
            "top_suspect",
            "top_shared",
        ],
    )
