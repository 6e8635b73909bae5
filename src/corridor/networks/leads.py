"""Leads: flagged communities ranked by their signals, each with its evidence.

A lead is never a bare score: it names the guide suspects (their crossings:
record ids, checkpoints, days, places), the shared phones, addresses, sponsors
and documents (how many people gave them, on how many days, in which records),
the countries and dates it spans, and one sentence per reason it was flagged.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import duckdb

from corridor.networks.signals import MIN_ATTR_TRIPS, MIN_GUIDE_SCORE

#: a community is flagged from this score on: a ring's phone alone is given on a hundred
#: days or so, while households sharing an address or phone by chance (or joined by a
#: linkage error) score 5 to 15
MIN_FLAG_SCORE = 20.0
#: evidence items listed per lead, and records listed per item (counts are always whole)
MAX_ITEMS = 10
MAX_RECORDS = 12


@dataclass(frozen=True)
class Record:
    record_id: str
    agency: str
    event_date: date
    place: str | None


@dataclass(frozen=True)
class Suspect:
    """An entity showing the guide pattern."""

    entity: str
    guide_score: float
    repeat_visits: int
    repeat_checkpoints: int
    partners: int
    countries: int
    turnover: float
    records: int
    crossings: list[Record]


@dataclass(frozen=True)
class SharedValue:
    """A phone, address, sponsor or document given by several people."""

    kind: str
    value: str
    holders: int
    trips: int
    first_date: date
    last_date: date
    records: list[Record]


@dataclass(frozen=True)
class Lead:
    rank: int
    community: int
    score: float
    entities: int
    guides: int
    shared_values: int
    countries: list[str]
    first_date: date
    last_date: date
    turnover: float
    reasons: list[str]
    suspects: list[Suspect] = field(default_factory=list)
    shared: list[SharedValue] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def score_communities(con: duckdb.DuckDBPyConnection) -> None:
    """Table ``comm_sig``: per community its signals, score and ``flagged``."""
    con.execute(
        f"""
        CREATE OR REPLACE TABLE comm_sig AS
        WITH ent AS (
            SELECT c.community, s.* FROM community c JOIN ent_sig s ON s.entity = c.node
        ), val AS (
            SELECT c.community, st.* FROM community c
            JOIN attr_stats st ON c.node = 'v|' || st.kind || '|' || st.value
        ), e AS (
            SELECT community, count(*) AS entities,
                   count(*) FILTER (WHERE guide_score >= {MIN_GUIDE_SCORE}) AS guides,
                   coalesce(sum(guide_score) FILTER (WHERE guide_score >= {MIN_GUIDE_SCORE}), 0)
                       AS guide_sum,
                   min(first_date) AS first_date, max(last_date) AS last_date,
                   count(DISTINCT first_date) AS start_days
            FROM ent GROUP BY community
        ), v AS (
            SELECT community, count(*) FILTER (WHERE trips >= {MIN_ATTR_TRIPS}) AS shared_values,
                   coalesce(sum(trips) FILTER (WHERE trips >= {MIN_ATTR_TRIPS}), 0) AS trip_sum
            FROM val GROUP BY community
        ), geo AS (
            SELECT c.community, list(DISTINCT r.geo ORDER BY r.geo) AS countries
            FROM community c JOIN rec r ON r.entity = c.node GROUP BY c.community
        )
        SELECT e.*, coalesce(v.shared_values, 0) AS shared_values,
               coalesce(v.trip_sum, 0) AS trip_sum, geo.countries,
               round(e.start_days * 30.0
                     / greatest(1, date_diff('day', e.first_date, e.last_date)), 2) AS turnover,
               round(e.guide_sum + coalesce(v.trip_sum, 0), 2) AS score,
               e.guide_sum + coalesce(v.trip_sum, 0) >= {MIN_FLAG_SCORE}
                   AND e.entities >= 3 AS flagged
        FROM e LEFT JOIN v USING (community) LEFT JOIN geo USING (community)
        """
    )


def ranked(con: duckdb.DuckDBPyConnection, top: int) -> list[Lead]:
    """The ``top`` flagged communities by score, with their evidence."""
    rows = con.execute(
        """
        SELECT community, score, entities, guides, shared_values, countries, first_date,
               last_date, turnover, guide_sum, trip_sum
        FROM comm_sig WHERE flagged ORDER BY score DESC, entities DESC, community LIMIT ?
        """,
        [int(top)],
    ).fetchall()
    ids = [int(r[0]) for r in rows]
    suspects = _suspects(con, ids)
    shared = _shared(con, ids)
    leads = []
    for rank, r in enumerate(rows, start=1):
        comm = int(r[0])
        lead = Lead(
            rank=rank,
            community=comm,
            score=float(r[1]),
            entities=int(r[2]),
            guides=int(r[3]),
            shared_values=int(r[4]),
            countries=list(r[5] or []),
            first_date=r[6],
            last_date=r[7],
            turnover=float(r[8]),
            reasons=[],
            suspects=suspects.get(comm, []),
            shared=shared.get(comm, []),
        )
        lead.reasons.extend(reasons(lead))
        leads.append(lead)
    return leads


def reasons(lead: Lead) -> list[str]:
    """One plain sentence per signal that flagged the lead."""
    out: list[str] = []
    for s in lead.suspects[:3]:
        out.append(
            f"{s.entity} crossed again {s.repeat_visits} times at {s.repeat_checkpoints} "
            f"checkpoints, with {s.partners} different people"
        )
    if lead.guides > 3:
        out.append(f"{lead.guides} people in all show this guide pattern")
    for v in lead.shared[:3]:
        out.append(
            f"{v.kind} {v.value} given by {v.holders} people who arrived on {v.trips} "
            f"different days ({v.first_date} to {v.last_date})"
        )
    if lead.shared_values > 3:
        out.append(f"{lead.shared_values} shared phones, addresses or sponsors in all")
    out.append(
        f"{lead.entities} people recorded in {len(lead.countries)} countries "
        f"({', '.join(lead.countries)}) from {lead.first_date} to {lead.last_date}"
    )
    return out


def _temp_ids(con: duckdb.DuckDBPyConnection, ids: list[int]) -> None:
    con.execute("CREATE OR REPLACE TEMP TABLE lead_ids (community BIGINT)")
    if ids:
        con.executemany("INSERT INTO lead_ids VALUES (?)", [(i,) for i in ids])


def _suspects(con: duckdb.DuckDBPyConnection, ids: list[int]) -> dict[int, list[Suspect]]:
    _temp_ids(con, ids)
    rows = con.execute(
        f"""
        WITH s AS (
            SELECT c.community, e.*, row_number() OVER (
                PARTITION BY c.community ORDER BY e.guide_score DESC, e.entity) AS k
            FROM community c JOIN lead_ids USING (community) JOIN ent_sig e ON e.entity = c.node
            WHERE e.guide_score >= {MIN_GUIDE_SCORE}
        )
        SELECT s.community, s.entity, s.guide_score, s.repeat_visits, s.repeat_checkpoints,
               s.partners, s.countries, s.turnover, s.records,
               list((r.record_id, r.agency, r.event_date, r.place)
                    ORDER BY r.event_date, r.record_id)[1:{MAX_RECORDS}] AS crossings
        FROM s JOIN rec r USING (entity) WHERE s.k <= {MAX_ITEMS}
        GROUP BY ALL ORDER BY s.community, s.guide_score DESC, s.entity
        """
    ).fetchall()
    out: dict[int, list[Suspect]] = {}
    for r in rows:
        out.setdefault(int(r[0]), []).append(
            Suspect(
                str(r[1]),
                float(r[2]),
                int(r[3]),
                int(r[4]),
                int(r[5]),
                int(r[6]),
                float(r[7]),
                int(r[8]),
                [_record(x) for x in r[9]],
            )
        )
    return out


def _shared(con: duckdb.DuckDBPyConnection, ids: list[int]) -> dict[int, list[SharedValue]]:
    _temp_ids(con, ids)
    rows = con.execute(
        f"""
        WITH v AS (
            SELECT c.community, st.*, row_number() OVER (
                PARTITION BY c.community ORDER BY st.trips DESC, st.kind, st.value) AS k
            FROM community c JOIN lead_ids USING (community)
            JOIN attr_stats st ON c.node = 'v|' || st.kind || '|' || st.value
            WHERE st.trips >= {MIN_ATTR_TRIPS}
        )
        SELECT v.community, v.kind, v.value, v.holders, v.trips, v.first_date, v.last_date,
               list((r.record_id, r.agency, r.event_date, r.place)
                    ORDER BY r.event_date, r.record_id)[1:{MAX_RECORDS}] AS records
        FROM v JOIN attr a USING (kind, value) JOIN rec r USING (record_id)
        WHERE v.k <= {MAX_ITEMS}
        GROUP BY ALL ORDER BY v.community, v.trips DESC, v.kind, v.value
        """
    ).fetchall()
    out: dict[int, list[SharedValue]] = {}
    for r in rows:
        out.setdefault(int(r[0]), []).append(
            SharedValue(
                str(r[1]), str(r[2]), int(r[3]), int(r[4]), r[5], r[6], [_record(x) for x in r[7]]
            )
        )
    return out


def _record(x: Any) -> Record:
    if isinstance(x, dict):
        x = tuple(x.values())
    return Record(str(x[0]), str(x[1]), x[2], None if x[3] is None else str(x[3]))


def members(con: duckdb.DuckDBPyConnection, community: int) -> list[str]:
    """The entities of one community."""
    rows = con.execute(
        "SELECT node FROM community WHERE community = ? AND node NOT LIKE 'v|%' ORDER BY node",
        [community],
    ).fetchall()
    return [str(r[0]) for r in rows]
