"""Tables and views of the store (a DuckDB file).

- ``flows_all``: every row of every release.
- ``releases``: one row per ingested file version.
- ``coverage``: which (source, freq, period, geo, area) slices each release holds.
- ``flows``: for every slice, the rows of the latest release that holds it, so a
  revised file supersedes its predecessor while yearly files that cover
  different periods stay side by side.
- ``sources``: connector metadata, incl. the overlap ``grp`` used to avoid double
  counting (see ``selection.py``).
"""

from __future__ import annotations

import duckdb

from corridor.canonical.schema import flows_ddl

SCHEMA_VERSION = "1"

_DDL = [
    "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
    flows_ddl("flows_all"),
    """CREATE TABLE IF NOT EXISTS releases (
        release_id VARCHAR PRIMARY KEY,
        source VARCHAR NOT NULL,
        file_name VARCHAR NOT NULL,
        sha256 VARCHAR NOT NULL,
        rows BIGINT NOT NULL,
        ingested_at TIMESTAMP NOT NULL,
        published DATE
    )""",
    """CREATE TABLE IF NOT EXISTS coverage (
        release_id VARCHAR NOT NULL,
        source VARCHAR NOT NULL,
        freq VARCHAR NOT NULL,
        period DATE NOT NULL,
        geo VARCHAR NOT NULL,
        area VARCHAR NOT NULL,
        rows BIGINT NOT NULL,
        n BIGINT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS sources (
        source VARCHAR PRIMARY KEY,
        title VARCHAR NOT NULL,
        publisher VARCHAR NOT NULL,
        geo VARCHAR NOT NULL,
        grp VARCHAR NOT NULL,
        dims VARCHAR[] NOT NULL,
        priority INTEGER NOT NULL,
        url VARCHAR NOT NULL,
        notes VARCHAR NOT NULL
    )""",
    """CREATE OR REPLACE VIEW latest_coverage AS
        SELECT c.source, c.freq, c.period, c.geo, c.area,
               arg_max(c.release_id, r.ingested_at) AS release_id
        FROM coverage c JOIN releases r USING (release_id)
        GROUP BY ALL""",
    """CREATE OR REPLACE VIEW flows AS
        SELECT f.* FROM flows_all f
        SEMI JOIN latest_coverage l
          ON f.release_id = l.release_id AND f.source = l.source AND f.freq = l.freq
         AND f.period = l.period AND f.geo = l.geo AND f.area = l.area""",
]


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    """Create missing tables and views (idempotent)."""
    for statement in _DDL:
        con.execute(statement)
    con.execute(
        "INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT DO NOTHING", [SCHEMA_VERSION]
    )
