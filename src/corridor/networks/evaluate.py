"""Leads measured against the simulator's truth.

- guide recall: guides (truth role ``guide``) whose records sit in a top-K lead,
  and, stricter, guides named among a lead's suspects;
- ring-member recall: people moved by a ring (truth ``ring_id``) in a top-K lead;
- precision of flagged communities: the share whose people are mostly (half or
  more) of one ring; also among the top K alone;
- rings found: rings that are the main ring of at least one top-K lead.

An entity's truth is its records' truth: it is a guide if any record is a
guide's, and its ring is the ring most of its records carry.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import pyarrow as pa

from corridor.errors import ConfigError
from corridor.networks.run import Analysis


@dataclass(frozen=True)
class Scores:
    leads: int
    guides: int
    guide_recall: float
    guide_recall_named: float
    ring_members: int
    member_recall: float
    flagged: int
    flagged_precision: float
    top_precision: float
    rings: int
    rings_found: int

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def evaluate(a: Analysis) -> Scores:
    """Scores of ``a``'s leads (its ``top``) against ``a.folder``'s truth."""
    truth = a.folder / "truth" / "records.parquet"
    if not truth.exists():
        raise ConfigError(f"--evaluate needs the simulator's truth: `{truth}` does not exist")
    con = a.con
    con.execute(
        f"""
        CREATE OR REPLACE TABLE ev_truth AS
        SELECT r.entity, t.person_id, t.role, t.ring_id
        FROM rec r JOIN read_parquet('{Path(truth)}') t USING (record_id)
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TABLE ev_entity AS
        SELECT entity, bool_or(role = 'guide') AS guide, mode(ring_id) AS ring,
               count(ring_id) * 2 >= count(*) AS in_ring
        FROM ev_truth GROUP BY entity
        """
    )
    lead_rows = [(ld.rank, ld.community) for ld in a.leads]
    named = [(s.entity,) for ld in a.leads for s in ld.suspects]
    con.register(
        "ev_leads",
        pa.table({"rank": [r for r, _ in lead_rows], "community": [c for _, c in lead_rows]}),
    )
    con.register("ev_named", pa.table({"entity": pa.array([n[0] for n in named], pa.string())}))
    con.execute(
        """
        CREATE OR REPLACE TABLE ev_in_lead AS
        SELECT DISTINCT c.node AS entity FROM community c JOIN ev_leads USING (community)
        """
    )
    guides, g_hit, g_named = con.execute(
        """
        WITH g AS (SELECT DISTINCT person_id, entity FROM ev_truth WHERE role = 'guide')
        SELECT count(DISTINCT person_id),
               count(DISTINCT person_id) FILTER (WHERE entity IN (SELECT entity FROM ev_in_lead)),
               count(DISTINCT person_id) FILTER (WHERE entity IN (SELECT entity FROM ev_named))
        FROM g
        """
    ).fetchall()[0]
    members, m_hit = con.execute(
        """
        WITH m AS (SELECT DISTINCT person_id, entity FROM ev_truth WHERE ring_id IS NOT NULL)
        SELECT count(DISTINCT person_id),
               count(DISTINCT person_id) FILTER (WHERE entity IN (SELECT entity FROM ev_in_lead))
        FROM m
        """
    ).fetchall()[0]
    con.execute(
        """
        CREATE OR REPLACE TABLE ev_comm AS
        SELECT c.community, count(*) AS n,
               (SELECT max(k) FROM (SELECT count(*) AS k FROM community c2
                   JOIN ev_entity e2 ON e2.entity = c2.node
                   WHERE c2.community = c.community AND e2.in_ring GROUP BY e2.ring)) AS top_ring,
               mode(e.ring) FILTER (WHERE e.in_ring) AS ring
        FROM community c JOIN ev_entity e ON e.entity = c.node
        WHERE c.community IN (SELECT community FROM comm_sig WHERE flagged)
        GROUP BY c.community
        """
    )
    flagged, good, top_good, rings_found = con.execute(
        """
        SELECT count(*), count(*) FILTER (WHERE coalesce(top_ring, 0) * 2 >= n),
               count(*) FILTER (WHERE coalesce(top_ring, 0) * 2 >= n
                                AND community IN (SELECT community FROM ev_leads)),
               count(DISTINCT ring) FILTER (WHERE coalesce(top_ring, 0) * 2 >= n
                                AND community IN (SELECT community FROM ev_leads))
        FROM ev_comm
        """
    ).fetchall()[0]
    rings = con.execute(
        "SELECT count(DISTINCT ring_id) FROM ev_truth WHERE ring_id IS NOT NULL"
    ).fetchall()[0][0]
    con.unregister("ev_leads")
    con.unregister("ev_named")
    n_leads = len(a.leads)
    return Scores(
        leads=n_leads,
        guides=int(guides),
        guide_recall=_ratio(g_hit, guides),
        guide_recall_named=_ratio(g_named, guides),
        ring_members=int(members),
        member_recall=_ratio(m_hit, members),
        flagged=int(flagged),
        flagged_precision=_ratio(good, flagged),
        top_precision=_ratio(top_good, n_leads),
        rings=int(rings),
        rings_found=int(rings_found),
    )


def _ratio(a: int, b: int) -> float:
    return round(a / b, 4) if b else 0.0
