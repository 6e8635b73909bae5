"""Communities: Leiden (igraph's C core, modularity) over entities and the values they share.

Nodes are entities and shared attribute values (a phone held by two entities or
more is a node of its own, so a phone given by 300 people adds 300 edges, not a
clique of 45,000). Edges: co-travel (weighted by how often) and entity–value.
Entities with no edge are left out: alone, they form no network.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np

from corridor.errors import ConfigError

#: Modularity's resolution limit: with a fixed resolution, communities grow with the
#: graph (at 1M people three rings came out as one). Scaling the resolution with the
#: graph's total edge weight keeps the community scale of this reference size.
REFERENCE_WEIGHT = 150_000.0


@dataclass(frozen=True)
class CommunityOptions:
    #: modularity resolution for a graph of ``REFERENCE_WEIGHT`` (about 100,000 people);
    #: lower merges more (keeps a ring whole), higher splits more
    resolution: float = 0.1
    seed: int = 1


def _igraph() -> Any:
    try:
        import igraph  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - depends on the install
        raise ConfigError(
            "community detection needs igraph: pip install 'corridor[networks]'"
        ) from None
    return igraph


def detect(con: duckdb.DuckDBPyConnection, options: CommunityOptions) -> None:
    """Table ``community`` (node, community) for every entity and attribute node with an edge."""
    igraph = _igraph()
    con.execute(
        """
        CREATE OR REPLACE TABLE g_edges AS
        SELECT a AS src, b AS dst, together::DOUBLE AS w FROM cotravel
        UNION ALL
        SELECT DISTINCT a.entity, 'v|' || a.kind || '|' || a.value, 1.0
        FROM attr a JOIN attr_stats USING (kind, value)
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TABLE g_nodes AS
        SELECT node, (row_number() OVER (ORDER BY node)) - 1 AS idx
        FROM (SELECT src AS node FROM g_edges UNION SELECT dst FROM g_edges)
        """
    )
    n = int(con.execute("SELECT count(*) FROM g_nodes").fetchall()[0][0])
    if n == 0:
        con.execute("CREATE OR REPLACE TABLE community (node VARCHAR, community BIGINT)")
        return
    edges = con.execute(
        """
        SELECT s.idx, d.idx, e.w FROM g_edges e
        JOIN g_nodes s ON s.node = e.src JOIN g_nodes d ON d.node = e.dst
        """
    ).fetchnumpy()
    keys = list(edges)
    src = np.asarray(edges[keys[0]], dtype=np.int64)
    dst = np.asarray(edges[keys[1]], dtype=np.int64)
    weight = np.asarray(edges[keys[2]], dtype=np.float64)
    g = igraph.Graph(n=n, edges=np.column_stack([src, dst]), directed=False)
    # Leiden starts from a random order: seed igraph's generator so reruns give the same leads
    igraph.set_random_number_generator(random.Random(options.seed))
    partition = g.community_leiden(
        objective_function="modularity",
        weights=weight.tolist(),
        resolution=options.resolution * max(1.0, float(weight.sum()) / REFERENCE_WEIGHT),
        n_iterations=-1,  # until stable
    )
    membership = np.asarray(partition.membership, dtype=np.int64)
    import pyarrow as pa

    con.register("g_membership", pa.table({"idx": np.arange(n), "community": membership}))
    con.execute(
        """
        CREATE OR REPLACE TABLE community AS
        SELECT n.node, m.community FROM g_nodes n JOIN g_membership m USING (idx)
        """
    )
    con.unregister("g_membership")
    con.execute("DROP TABLE g_edges; DROP TABLE g_nodes")
