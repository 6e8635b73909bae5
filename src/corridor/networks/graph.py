"""The graph's tables, built in DuckDB (memory-bounded, spills to disk).

- ``rec``: each record with its entity and its co-travel key: the agency's own
  group number where it records one, else agency + place + day.
- ``attr``: (entity, kind, value, record_id) for phones, addresses, sponsors, documents.
- ``attr_stats``: per shared value (held by two entities or more): holders, and
  ``trips``, the most distinct days on which one checkpoint recorded the value,
  capped by the people it recorded giving it there (a household sharing a phone
  arrives together: one day per checkpoint, and a couple encountered six times at
  the US border is still two people; a smuggler's phone given by one group after
  another: many). Per checkpoint, so a linkage that splits a household's records
  into several entities does not turn its phone into many trips.
- ``cotravel``: entity pairs recorded together: in one group (group number), or
  at the same place and day at two checkpoints or more (one shared day alone is
  coincidence at a busy station).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from corridor.networks import keyed as keyed_mod


@dataclass(frozen=True)
class GraphOptions:
    #: co-travel keys with more entities than this are ignored (a station's whole day)
    max_group: int = 60
    #: place-and-day co-travel needs this many distinct checkpoints in common
    min_shared_checkpoints: int = 2


def build(con: duckdb.DuckDBPyConnection, options: GraphOptions, key: bytes | None = None) -> None:
    """Create ``rec``, ``attr``, ``attr_stats`` and ``cotravel`` from ``rec_raw`` + ``ent_map``."""
    con.execute(
        """
        CREATE OR REPLACE TABLE rec AS
        SELECT r.record_id, m.entity, r.agency, r.geo, r.event_date, r.place,
               CASE WHEN r.group_ref IS NOT NULL THEN 'g|' || r.agency || '|' || r.group_ref
                    ELSE 'd|' || r.agency || '|' || coalesce(r.place, '') || '|' || r.event_date
               END AS travel_key,
               r.group_ref IS NOT NULL AS by_group,
               r.phone, r.address, r.sponsor_ref, r.doc_number, r.dob
        FROM rec_raw r JOIN ent_map m USING (record_id)
        """
    )
    _attributes(con, key)
    _cotravel(con, options)


def _attributes(con: duckdb.DuckDBPyConnection, key: bytes | None) -> None:
    columns = {
        "phone": "phone",
        "address": "address",
        "sponsor": "sponsor_ref",
        "document": "doc_number",
    }
    parts = [
        f"SELECT entity, '{kind}' AS kind, {col}::VARCHAR AS value, record_id, event_date, "
        "geo, agency "
        f"FROM rec WHERE {col} IS NOT NULL AND {col} <> ''"
        for kind, col in columns.items()
    ]
    con.execute("CREATE OR REPLACE TABLE attr AS " + " UNION ALL ".join(parts))
    if key is not None:
        _hash_values(con, key)
    con.execute(
        """
        CREATE OR REPLACE TABLE attr_stats AS
        WITH per_agency AS (
            SELECT kind, value,
                   least(count(DISTINCT event_date), count(DISTINCT entity)) AS days
            FROM attr GROUP BY kind, value, agency
        ), trips AS (
            SELECT kind, value, max(days) AS trips FROM per_agency GROUP BY kind, value
        )
        SELECT a.kind, a.value, count(DISTINCT a.entity) AS holders, t.trips,
               count(*) AS records, count(DISTINCT a.geo) AS countries,
               min(a.event_date) AS first_date, max(a.event_date) AS last_date
        FROM attr a JOIN trips t USING (kind, value)
        GROUP BY a.kind, a.value, t.trips HAVING count(DISTINCT a.entity) >= 2
        """
    )


def _hash_values(con: duckdb.DuckDBPyConnection, key: bytes) -> None:
    """Replace every value by its keyed hash, so no plaintext contact stays in the graph."""
    rows = con.execute("SELECT DISTINCT kind, value FROM attr").fetchall()
    kinds = [str(r[0]) for r in rows]
    values = [str(r[1]) for r in rows]
    hashed = [keyed_mod.keyed(key, k, v) for k, v in zip(kinds, values, strict=True)]
    import pyarrow as pa

    lookup = pa.table({"kind": kinds, "value": values, "hashed": hashed})
    con.register("attr_keys", lookup)
    con.execute(
        """
        CREATE OR REPLACE TABLE attr AS
        SELECT a.entity, a.kind, k.hashed AS value, a.record_id, a.event_date, a.geo, a.agency
        FROM attr a JOIN attr_keys k USING (kind, value)
        """
    )
    con.unregister("attr_keys")


def _cotravel(con: duckdb.DuckDBPyConnection, o: GraphOptions) -> None:
    con.execute(
        f"""
        CREATE OR REPLACE TABLE travel AS
        WITH k AS (
            SELECT DISTINCT entity, travel_key, agency, by_group FROM rec
        ), size AS (
            SELECT travel_key, count(*) AS n FROM k GROUP BY travel_key
        )
        SELECT k.* FROM k JOIN size USING (travel_key) WHERE n BETWEEN 2 AND {int(o.max_group)}
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TABLE cotravel AS
        SELECT a.entity AS a, b.entity AS b,
               count(DISTINCT a.agency) AS checkpoints, bool_or(a.by_group) AS by_group,
               count(*) AS together
        FROM travel a JOIN travel b
          ON a.travel_key = b.travel_key AND a.entity < b.entity
        GROUP BY a.entity, b.entity
        HAVING bool_or(a.by_group) OR count(DISTINCT a.agency) >= {int(o.min_shared_checkpoints)}
        """
    )
