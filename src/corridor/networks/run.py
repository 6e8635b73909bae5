"""One analysis: records + entities → graph → signals → communities → ranked leads."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from corridor.networks import communities, graph, inputs, leads, signals
from corridor.networks.inputs import Degrade


@dataclass(frozen=True)
class Options:
    entities: str = inputs.TRUTH
    top: int = 100
    degrade: Degrade = field(default_factory=Degrade)
    key_file: Path | None = None
    graph: graph.GraphOptions = field(default_factory=graph.GraphOptions)
    communities: communities.CommunityOptions = field(default_factory=communities.CommunityOptions)
    memory_limit: str = "2GB"


@dataclass
class Analysis:
    """The open connection (tables ``rec``, ``attr``, ``ent_sig``, ``community``,
    ``comm_sig`` ...) and the ranked leads."""

    con: duckdb.DuckDBPyConnection
    folder: Path
    leads: list[leads.Lead]
    tmp: tempfile.TemporaryDirectory[str]

    def close(self) -> None:
        self.con.close()
        self.tmp.cleanup()


def connect(
    memory_limit: str,
) -> tuple[duckdb.DuckDBPyConnection, tempfile.TemporaryDirectory[str]]:
    """An in-memory DuckDB bounded to ``memory_limit``, spilling to a private temp folder."""
    tmp = tempfile.TemporaryDirectory(prefix="corridor-networks-")
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute(f"SET temp_directory = '{tmp.name}'")
    con.execute("SET preserve_insertion_order = false")
    return con, tmp


def analyse(folder: Path, options: Options | None = None) -> Analysis:
    """Build the graph of ``folder`` (a synth output layout) and rank its leads."""
    from corridor.networks import keyed

    o = options or Options()
    key = keyed.read_key(o.key_file) if o.key_file is not None else None
    con, tmp = connect(o.memory_limit)
    try:
        inputs.load_records(con, Path(folder))
        inputs.load_entities(con, Path(folder), o.entities, o.degrade)
        graph.build(con, o.graph, key)
        con.execute("DROP TABLE rec_raw")
        signals.entity_signals(con)
        communities.detect(con, o.communities)
        leads.score_communities(con)
        found = leads.ranked(con, o.top)
    except BaseException:
        con.close()
        tmp.cleanup()
        raise
    return Analysis(con, Path(folder), found, tmp)
