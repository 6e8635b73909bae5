"""Tables and views of the store (a DuckDB file).

- ``flow_rows``: every row of every release. Dimension columns are DuckDB ENUMs
  whose value sets grow with the data (``widen_enums``): several times faster
  to write and smaller than VARCHAR; the views below show them as VARCHAR.
- ``flows_all`` (view): ``flow_rows`` in the canonical contract's column types.
- ``releases``: one row per ingested file version.
- ``coverage``: which (source, freq, period, geo, area) slices each release holds.
- ``flows`` (view): for every slice, the rows of the latest release that holds
  it, so a revised file supersedes its predecessor while yearly files that
  cover different periods stay side by side.
- ``sources``: connector metadata, incl. the overlap ``grp`` used to avoid
  double counting (see ``selection.py``).

Every statement takes the catalog name, because ingest writes through an
``ATTACH`` from the in-memory connection where the files were checked.
"""

from __future__ import annotations

from collections.abc import Mapping

import duckdb

from corridor.canonical.schema import COLUMN_NAMES, FLOW_COLUMNS
from corridor.duck import scalar

SCHEMA_VERSION = "1"
ENUM_COLUMNS: tuple[str, ...] = tuple(
    name for name, typ in FLOW_COLUMNS if typ == "VARCHAR" and name not in ("source", "release_id")
)


def _base_ddl(cat: str) -> list[str]:
    return [
        f"CREATE TABLE IF NOT EXISTS {cat}.meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
        f"""CREATE TABLE IF NOT EXISTS {cat}.releases (
            release_id VARCHAR PRIMARY KEY,
            source VARCHAR NOT NULL,
            file_name VARCHAR NOT NULL,
            sha256 VARCHAR NOT NULL,
            rows BIGINT NOT NULL,
            ingested_at TIMESTAMP NOT NULL,
            published DATE
        )""",
        f"""CREATE TABLE IF NOT EXISTS {cat}.coverage (
            release_id VARCHAR NOT NULL,
            source VARCHAR NOT NULL,
            freq VARCHAR NOT NULL,
            period DATE NOT NULL,
            geo VARCHAR NOT NULL,
            area VARCHAR NOT NULL,
            rows BIGINT NOT NULL,
            n BIGINT NOT NULL
        )""",
        # Totals printed in a file beside the sum of its detail rows (corridor check).
        f"""CREATE TABLE IF NOT EXISTS {cat}.declared_totals (
            release_id VARCHAR NOT NULL,
            source VARCHAR NOT NULL,
            what VARCHAR NOT NULL,
            period DATE,
            published BIGINT NOT NULL,
            computed BIGINT NOT NULL,
            file_row INTEGER,
            file_column VARCHAR
        )""",
        f"""CREATE TABLE IF NOT EXISTS {cat}.sources (
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
    ]


_VIEWS = [
    "CREATE OR REPLACE VIEW flows_all AS SELECT "
    + ", ".join(f"{c}::VARCHAR AS {c}" if c in ENUM_COLUMNS else c for c in COLUMN_NAMES)
    + " FROM flow_rows",
    """CREATE OR REPLACE VIEW latest_coverage AS
        SELECT c.source, c.freq, c.period, c.geo, c.area,
               arg_max(c.release_id, r.ingested_at) AS release_id
        FROM coverage c JOIN releases r USING (release_id)
        GROUP BY ALL""",
    """CREATE OR REPLACE VIEW flows AS
        SELECT f.* FROM flows_all f
        SEMI JOIN latest_coverage l
          ON f.release_id = l.release_id AND f.source = l.source AND f.freq = l.freq
         AND f.period = l.period AND (l.geo = '*' OR f.geo = l.geo)
         AND (l.area = '*' OR f.area = l.area)""",
]


def ensure_base(con: duckdb.DuckDBPyConnection, cat: str) -> None:
    """Create the small tables (idempotent)."""
    for statement in _base_ddl(cat):
        con.execute(statement)
    con.execute(
        f"INSERT INTO {cat}.meta VALUES ('schema_version', ?) ON CONFLICT DO NOTHING",
        [SCHEMA_VERSION],
    )


def _enum_sql(values: set[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in sorted(values))


def widen_enums(con: duckdb.DuckDBPyConnection, cat: str, values: Mapping[str, set[str]]) -> None:
    """Create ``flow_rows`` or widen its ENUM columns to hold ``values``.

    A value never seen before (a new agency, place or country code) gets a new
    version of that column's type and an ``ALTER COLUMN``; the old type goes.
    """
    exists = scalar(
        con,
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND table_name = 'flow_rows'",
        [cat],
    )
    types: dict[str, str] = {}
    for col in ENUM_COLUMNS:
        current = scalar(con, f"SELECT value FROM {cat}.meta WHERE key = ?", [f"enum.{col}"])
        wanted = set(values.get(col, set())) | {""}
        if current is None:
            name = f"e_{col}_1"
            con.execute(f"CREATE TYPE {cat}.{name} AS ENUM ({_enum_sql(wanted)})")
            con.execute(f"INSERT INTO {cat}.meta VALUES (?, ?)", [f"enum.{col}", name])
            types[col] = name
            continue
        have = set(scalar(con, f"SELECT enum_range(NULL::{cat}.{current})") or [])
        if wanted <= have:
            types[col] = current
            continue
        version = int(current.rsplit("_", 1)[1]) + 1
        name = f"e_{col}_{version}"
        con.execute(f"CREATE TYPE {cat}.{name} AS ENUM ({_enum_sql(have | wanted)})")
        con.execute(f"ALTER TABLE {cat}.flow_rows ALTER {col} TYPE {cat}.{name}")
        con.execute(f"DROP TYPE {cat}.{current}")
        con.execute(f"UPDATE {cat}.meta SET value = ? WHERE key = ?", [name, f"enum.{col}"])
        types[col] = name
    if not exists:
        cols = ", ".join(
            f"{c} {cat}.{types[c]} NOT NULL" if c in types else f"{c} {t} NOT NULL"
            for c, t in FLOW_COLUMNS
        )
        con.execute(f"CREATE TABLE {cat}.flow_rows ({cols})")
    # Views are re-created on every write, so a store made by an older corridor
    # gets the current definitions (they hold no data).
    con.execute(f"USE {cat}")
    try:
        for statement in _VIEWS:
            con.execute(statement)
    finally:
        con.execute("USE memory")
