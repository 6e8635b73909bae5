"""Records and the entity each belongs to, loaded into DuckDB.

Entities come from record linkage (``clusters.parquet``: record_id, entity_id),
or from the simulator's truth (perfect linkage). A record the mapping does not
cover is an entity of its own. ``degrade`` splits and merges a share of the
entities at random, to measure how leads suffer from linkage errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from corridor.errors import ConfigError, InputError, Location

TRUTH = "truth"
#: columns a records file must have (the person-record columns the graph uses)
NEEDED = ("record_id", "agency", "geo", "event_date", "place", "phone", "group_ref")
#: optional columns: read when present (``dob`` only to notice linkage merges)
OPTIONAL = ("address", "sponsor_ref", "doc_number", "dob")


@dataclass(frozen=True)
class Degrade:
    """Simulated linkage errors: ``split`` of the entities broken into single records,
    ``merge`` of them joined in pairs (chosen by a seeded hash, so reruns agree)."""

    split: float = 0.0
    merge: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("split", "merge"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ConfigError(f"--{name} {value} is outside 0..1")

    @property
    def active(self) -> bool:
        return self.split > 0 or self.merge > 0


def records_glob(folder: Path) -> str:
    files = sorted((Path(folder) / "records").glob("*.parquet"))
    if not files:
        raise ConfigError(
            f"`{folder}` has no records/*.parquet: give a `corridor synth` output folder "
            "(or one laid out the same way)"
        )
    return str(Path(folder) / "records" / "*.parquet")


def load_records(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """Table ``rec_raw``: the records, with null for the optional columns they lack."""
    glob = records_glob(folder)
    cols = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{glob}')").fetchall()}
    missing = [c for c in NEEDED if c not in cols]
    if missing:
        raise InputError(
            f"the records have no `{missing[0]}` column",
            Location(glob, column=missing[0]),
            hint="networks need " + ", ".join(NEEDED),
        )
    extra = ", ".join(
        (f"try_cast({c} AS DATE) AS {c}" if c == "dob" else c)
        if c in cols
        else (f"NULL::DATE AS {c}" if c == "dob" else f"NULL::VARCHAR AS {c}")
        for c in OPTIONAL
    )
    con.execute(
        f"CREATE OR REPLACE TABLE rec_raw AS SELECT record_id::VARCHAR AS record_id, agency, geo, "
        f"event_date::DATE AS event_date, place, phone::VARCHAR AS phone, group_ref, {extra} "
        f"FROM read_parquet('{glob}')"
    )


def load_entities(
    con: duckdb.DuckDBPyConnection, folder: Path, entities: str, degrade: Degrade | None = None
) -> None:
    """Table ``ent_map`` (record_id, entity) for every record of ``rec_raw``."""
    if entities == TRUTH:
        truth = Path(folder) / "truth" / "records.parquet"
        if not truth.exists():
            raise ConfigError(f"--entities truth needs `{truth}` (a `corridor synth` output)")
        source = f"SELECT record_id, 'P' || person_id AS entity FROM read_parquet('{truth}')"
    else:
        path = Path(entities)
        if not path.exists():
            raise ConfigError(f"--entities `{path}` does not exist (clusters.parquet or `truth`)")
        cols = {
            r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()
        }
        for c in ("record_id", "entity_id"):
            if c not in cols:
                raise InputError(
                    f"the entity file has no `{c}` column",
                    Location(str(path), column=c),
                    hint="`corridor link ... --out DIR` writes DIR/clusters.parquet",
                )
        source = (
            f"SELECT record_id::VARCHAR AS record_id, 'E' || entity_id::VARCHAR AS entity "
            f"FROM read_parquet('{path}')"
        )
    con.execute(
        f"CREATE OR REPLACE TABLE ent_map AS SELECT r.record_id, "
        f"coalesce(m.entity, 'R' || r.record_id) AS entity "
        f"FROM rec_raw r LEFT JOIN ({source}) m USING (record_id)"
    )
    if degrade is not None and degrade.active:
        _degrade(con, degrade)


def _degrade(con: duckdb.DuckDBPyConnection, d: Degrade) -> None:
    # u in [0,1) per entity from a seeded hash: the lowest `split` share is split into
    # records, the next `merge` share is paired up in hash order
    con.execute(
        f"""
        CREATE OR REPLACE TABLE ent_u AS
        SELECT entity, (hash(entity || '#{int(d.seed)}') % 1000000) / 1000000.0 AS u
        FROM (SELECT DISTINCT entity FROM ent_map)
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TABLE ent_pair AS
        SELECT entity, 'M' || ((row_number() OVER (ORDER BY u, entity) - 1) // 2) AS merged
        FROM ent_u WHERE u >= {d.split} AND u < {d.split + d.merge}
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TABLE ent_map AS
        SELECT m.record_id,
               CASE WHEN u.u < {d.split} THEN 'S' || m.record_id
                    ELSE coalesce(p.merged, m.entity) END AS entity
        FROM ent_map m JOIN ent_u u USING (entity) LEFT JOIN ent_pair p USING (entity)
        """
    )
    con.execute("DROP TABLE ent_u; DROP TABLE ent_pair")
