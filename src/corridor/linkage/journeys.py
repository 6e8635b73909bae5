"""Journeys: each entity's events across agencies, in order, with transit times and flags.

Reads a ``corridor link`` output folder (``records.parquet`` with the journey
fields the records carried, ``clusters.parquet``) and derives, in SQL:

* ``steps``: one row per record of an entity with an event date, in date order;
* ``transit``: for each consecutive pair of countries along the corridor
  (``PAN -> CRI``), by nationality: entities, median and 10th/90th percentile days;
* ``flags``: impossible sequences: moving back down the corridor with no return
  or deportation between; crossing two or more countries in under a day per
  country; an event dated before the person's birth.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from corridor.countries import CORRIDOR_ORDER
from corridor.errors import InputError, Location
from corridor.linkage.backend import Backend, open_backend

__all__ = ["RETURN_EVENTS", "Journeys", "journeys"]

RETURN_EVENTS = ("deportation", "assisted_return", "return_received", "expulsion")


@dataclass
class Journeys:
    """The three tables of :func:`journeys`."""

    steps: pd.DataFrame
    transit: pd.DataFrame
    flags: pd.DataFrame


def _load(backend: Backend, folder: Path) -> None:
    for name in ("records.parquet", "clusters.parquet"):
        if not (folder / name).is_file():
            raise InputError(
                f"not a `corridor link` output folder (no {name})",
                Location(file=str(folder / name)),
            )
    backend.execute(
        f"CREATE TABLE rec AS SELECT * FROM read_parquet('{_lit(folder / 'records.parquet')}')"
    )
    backend.execute(
        "CREATE TABLE clu AS SELECT record_id, entity_id FROM read_parquet("
        f"'{_lit(folder / 'clusters.parquet')}')"
    )
    columns = set(backend.fetch("SELECT * FROM rec LIMIT 0").column_names)
    if not {"event_date", "geo"} <= columns:
        raise InputError("the linked records carry no event dates or countries (no journeys)")


def _lit(path: Path) -> str:
    return str(path).replace("'", "''")


def journeys(folder: Path) -> Journeys:
    """Steps, transit times and flags of the entities in a link output folder."""
    ranks = ", ".join(f"('{code}', {rank})" for rank, code in enumerate(CORRIDOR_ORDER))
    returns = ", ".join(f"'{e}'" for e in RETURN_EVENTS)
    with open_backend() as be:
        _load(be, Path(folder))
        be.execute(
            f"CREATE TABLE corridor_rank (geo VARCHAR, rank INTEGER); "
            f"INSERT INTO corridor_rank VALUES {ranks}"
        )
        be.execute(
            "CREATE TABLE steps AS SELECT c.entity_id, "
            "row_number() OVER (PARTITION BY c.entity_id ORDER BY r.event_date, r.record_id) "
            "AS step, r.record_id, r.agency, r.geo, r.event, r.event_date, r.place, "
            "upper(r.nationality) AS nat, r.dob_y, k.rank "
            "FROM rec r JOIN clu c USING (record_id) LEFT JOIN corridor_rank k USING (geo) "
            "WHERE r.event_date IS NOT NULL"
        )
        be.execute(
            "CREATE TABLE moves AS SELECT s.*, "
            "lead(geo) OVER w AS next_geo, lead(rank) OVER w AS next_rank, "
            "lead(event_date) OVER w AS next_date, lead(record_id) OVER w AS next_record, "
            f"max(CASE WHEN event IN ({returns}) THEN step END) OVER "
            "(PARTITION BY entity_id ORDER BY step ROWS BETWEEN UNBOUNDED PRECEDING "
            "AND CURRENT ROW) AS last_return "
            "FROM steps s WINDOW w AS (PARTITION BY entity_id ORDER BY step)"
        )
        # transit: first arrival in each country, consecutive countries along the corridor
        transit = be.fetch(
            "WITH first_seen AS (SELECT entity_id, geo, rank, min(event_date) AS d, "
            "  any_value(nat) AS nat FROM steps WHERE rank IS NOT NULL GROUP BY ALL), "
            "seg AS (SELECT a.entity_id, a.geo AS from_geo, b.geo AS to_geo, a.nat, "
            "  a.rank, datediff('day', a.d, b.d) AS days FROM first_seen a JOIN first_seen b "
            "  ON a.entity_id = b.entity_id AND b.rank = a.rank + 1 AND b.d >= a.d) "
            # Days to one decimal (a median of two is a half day); segments in route order.
            "SELECT from_geo, to_geo, coalesce(nat, 'UNK') AS nat, count(*) AS entities, "
            "  round(median(days), 1) AS median_days, "
            "  round(quantile_cont(days, 0.1), 1) AS p10_days, "
            "  round(quantile_cont(days, 0.9), 1) AS p90_days FROM seg "
            "GROUP BY from_geo, to_geo, coalesce(nat, 'UNK') "
            "ORDER BY min(rank), from_geo, to_geo, entities DESC, nat"
        ).to_pandas()
        flags = be.fetch(
            "SELECT entity_id, record_id, next_record, geo, next_geo, event_date, next_date, "
            "CASE "
            "  WHEN next_rank < rank AND coalesce(last_return, 0) < step "
            f"   AND next_event NOT IN ({returns}) "
            "  THEN 'moved back down the corridor without a return' "
            "  WHEN next_rank - rank >= 2 AND datediff('day', event_date, next_date) "
            "   < next_rank - rank - 1 "
            "  THEN 'crossed several countries too fast' END AS flag "
            "FROM (SELECT *, lead(event) OVER (PARTITION BY entity_id ORDER BY step) "
            "  AS next_event FROM moves) WHERE next_geo IS NOT NULL AND "
            "(flag IS NOT NULL) "
            "UNION ALL SELECT entity_id, record_id, NULL, geo, NULL, event_date, NULL, "
            "'event before birth' FROM steps WHERE year(event_date) < dob_y "
            "ORDER BY entity_id, event_date"
        ).to_pandas()
        steps = be.fetch(
            "SELECT entity_id, step, record_id, agency, geo, event, event_date, place, nat "
            "FROM steps ORDER BY entity_id, step"
        ).to_pandas()
    return Journeys(steps, transit, flags)
