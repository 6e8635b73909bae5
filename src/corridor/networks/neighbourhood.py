"""A lead's core network, small enough to draw: suspects, shared values, and a few
of the people linked to each (co-travellers of a suspect, holders of a value)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from corridor.networks.leads import Lead

#: people drawn around each suspect and each shared value
PER_ITEM = 6


@dataclass(frozen=True)
class Node:
    id: str
    kind: str  # suspect, person, phone, address, sponsor, document
    label: str


@dataclass(frozen=True)
class Edge:
    a: str
    b: str
    kind: str  # cotravel or holds


@dataclass(frozen=True)
class LeadGraph:
    nodes: list[Node]
    edges: list[Edge]


def lead_graph(con: duckdb.DuckDBPyConnection, lead: Lead, per_item: int = PER_ITEM) -> LeadGraph:
    """Suspects and shared values of ``lead`` with up to ``per_item`` neighbours each."""
    nodes: dict[str, Node] = {}
    edges: list[Edge] = []
    suspects = [s.entity for s in lead.suspects]
    for s in suspects:
        nodes[s] = Node(s, "suspect", s)
    for s in suspects:
        rows = con.execute(
            """
            SELECT other FROM (
                SELECT CASE WHEN a = $s THEN b ELSE a END AS other, together FROM cotravel
                WHERE a = $s OR b = $s
            ) JOIN community c ON c.node = other AND c.community = $c
            ORDER BY together DESC, other LIMIT $k
            """,
            {"s": s, "c": lead.community, "k": per_item},
        ).fetchall()
        for (other,) in rows:
            nodes.setdefault(str(other), Node(str(other), "person", str(other)))
            edges.append(Edge(s, str(other), "cotravel"))
    for v in lead.shared:
        vid = f"v|{v.kind}|{v.value}"
        nodes[vid] = Node(vid, v.kind, v.value)
        rows = con.execute(
            """
            SELECT DISTINCT entity FROM attr WHERE kind = $kind AND value = $value
            ORDER BY entity LIMIT $k
            """,
            {"kind": v.kind, "value": v.value, "k": per_item},
        ).fetchall()
        # suspects holding the value are drawn too (they are the links that matter)
        held = con.execute(
            "SELECT DISTINCT entity FROM attr WHERE kind = $kind AND value = $value "
            "AND list_contains($s, entity)",
            {"kind": v.kind, "value": v.value, "s": suspects},
        ).fetchall()
        for (entity,) in [*rows, *held]:
            e = str(entity)
            nodes.setdefault(e, Node(e, "person", e))
            edges.append(Edge(e, vid, "holds"))
    seen: set[tuple[str, str]] = set()
    unique: list[Edge] = []
    for edge in edges:
        k = (min(edge.a, edge.b), max(edge.a, edge.b))
        if k not in seen:
            seen.add(k)
            unique.append(edge)
    return LeadGraph(list(nodes.values()), unique)
