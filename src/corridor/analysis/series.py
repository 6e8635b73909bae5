"""The monitored series: each checkpoint of the corridor as one monthly series.

A checkpoint is a query on ``flows`` (see ``Store.flows``), so the overlap
rules that keep sources from being double counted apply here too. Series are
monthly, indexed by the first day of the month; a month the sources do not
cover is missing (NaN), never zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from corridor.errors import QueryError
from corridor.store import Store


@dataclass(frozen=True)
class Checkpoint:
    """One place on the corridor where people are counted."""

    id: str
    label: str  # English
    label_es: str
    filters: Mapping[str, str] = field(default_factory=dict)
    #: "persons" or "events": CBP and UPM count events (one person may count twice)
    unit: str = "persons"
    #: whether the checkpoint lies on the northbound route (returns do not)
    on_route: bool = True


#: In corridor order, south to north; Guatemala's returns come last (they flow south).
CHECKPOINTS: tuple[Checkpoint, ...] = (
    Checkpoint("darien", "Darién, Panama (irregular transits)",
               "Darién, Panamá (tránsitos irregulares)",
               {"geo": "PAN", "event": "irregular_transit"}),
    Checkpoint("honduras", "Honduras (irregular arrivals)", "Honduras (ingresos irregulares)",
               {"geo": "HND", "event": "irregular_transit"}),
    Checkpoint("mexico", "Mexico (irregular presence events)",
               "México (eventos de situación irregular)",
               {"geo": "MEX", "event": "irregular_presence"}, unit="events"),
    Checkpoint("us_southwest", "US southwest border (CBP encounters)",
               "Frontera suroeste de EE. UU. (encuentros CBP)",
               {"geo": "USA", "event": "encounters", "area": "southwest_land_border"},
               unit="events"),
    Checkpoint("guatemala_returns", "Guatemala (returns received)",
               "Guatemala (retornos recibidos)",
               {"geo": "GTM", "event": "return_received"}, on_route=False),
)  # fmt: skip


#: Border Patrol alone at the southwest border (apprehensions between ports):
#: ``us_southwest`` adds OFO's inadmissibles at the ports. Not on the corridor
#: view, but the figure the press usually quotes.
USBP_SOUTHWEST = Checkpoint(
    "usbp_southwest",
    "US southwest border (Border Patrol encounters)",
    "Frontera suroeste de EE. UU. (encuentros de la Patrulla Fronteriza)",
    {"agency": "USBP", "event": "encounters", "area": "southwest_land_border"},
    unit="events",
)
#: Series analysed like checkpoints but not part of the corridor's chain.
VARIANTS: tuple[Checkpoint, ...] = (USBP_SOUTHWEST,)


def checkpoint(checkpoint_id: str, *, variants: bool = False) -> Checkpoint:
    """The checkpoint (or, with ``variants``, a variant) with this id, or an error."""
    known = (*CHECKPOINTS, *VARIANTS) if variants else CHECKPOINTS
    for cp in known:
        if cp.id == checkpoint_id:
            return cp
    valid = ", ".join(cp.id for cp in known)
    raise QueryError(f"unknown checkpoint `{checkpoint_id}`; use one of: {valid}")


def monthly(
    store: Store,
    cp: Checkpoint,
    *,
    nat: str | None = None,
    start: str | date | None = None,
    end: str | date | None = None,
) -> pd.Series:
    """The checkpoint's monthly counts (all nationalities, or one), gaps as NaN."""
    filters = dict(cp.filters)
    if nat:
        filters["nat"] = nat.upper()
    df = store.flows(**filters, start=start, end=end, by=["period"])  # type: ignore[arg-type]
    if df.empty:
        return pd.Series(dtype="float64", name=cp.id)
    values = df.set_index(pd.to_datetime(df["period"]))["n"].astype("float64")
    months = pd.date_range(values.index.min(), values.index.max(), freq="MS")
    return values.reindex(months).rename(cp.id)


def by_nationality(
    store: Store, cp: Checkpoint, *, start: str | date | None = None,
    end: str | date | None = None,
) -> pd.DataFrame:  # fmt: skip
    """Monthly counts per nationality: one column per ISO3 code, months as rows."""
    df = store.flows(**cp.filters, start=start, end=end, by=["period", "nat"])  # type: ignore[arg-type]
    if df.empty:
        return pd.DataFrame()
    wide = df.pivot_table(index="period", columns="nat", values="n", aggfunc="sum")
    wide.index = pd.to_datetime(wide.index)
    months = pd.date_range(wide.index.min(), wide.index.max(), freq="MS")
    return wide.reindex(months).astype("float64")


__all__ = [
    "CHECKPOINTS",
    "USBP_SOUTHWEST",
    "VARIANTS",
    "Checkpoint",
    "by_nationality",
    "checkpoint",
    "monthly",
]
