"""Per-entity signals, computed in DuckDB from the graph's tables.

- ``repeat_visits``: visits (distinct agency + day) beyond the first at each
  checkpoint; ``repeat_checkpoints``: checkpoints visited on two days or more.
  A traveller passes each checkpoint once (the US border sees some again); a
  guide passes the same stations again and again.
- ``partners``: distinct entities the entity co-travelled with, ``trips``:
  distinct co-travel keys; a guide travels with many people, a few at a time.
- ``countries``: distinct countries recording the entity.
- ``turnover``: repeat visits per 30 days of activity (how fast groups turn over).
- ``shared``: shared attributes held whose value has many trips (fan-out).
- ``birth_years``: distinct birth years the entity's records give. One person's
  records give one (two with a typo); more means linkage joined several people,
  whose crossings then look like a guide's: such an entity gets no guide score.
- ``guide_score``: the guide pattern in one number (see ``GUIDE_SCORE``).
"""

from __future__ import annotations

import duckdb

#: more distinct birth years than this: several people joined by linkage, not one guide
MAX_BIRTH_YEARS = 2
#: a guide crosses repeatedly at several checkpoints, each time with different people;
#: repeats at a single checkpoint (US re-encounters) count a quarter
GUIDE_SCORE = (
    "CASE WHEN repeat_checkpoints >= 2 THEN repeat_visits ELSE repeat_visits * 0.25 END"
    " * least(1.0, partners / greatest(1.0, repeat_visits + 1.0))"
    f" * (birth_years <= {MAX_BIRTH_YEARS})::INT"
)
#: an attribute is suspicious when its holders arrived on this many distinct days
MIN_ATTR_TRIPS = 5
#: an entity is a guide suspect from this guide score on
MIN_GUIDE_SCORE = 3.0


def entity_signals(con: duckdb.DuckDBPyConnection) -> None:
    """Table ``ent_sig``: one row per entity with the signals above."""
    con.execute(
        """
        CREATE OR REPLACE TABLE ent_visits AS
        SELECT entity, agency, count(DISTINCT event_date) AS days
        FROM rec GROUP BY entity, agency
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TABLE ent_partners AS
        SELECT entity, count(*) AS partners FROM (
            SELECT a AS entity FROM cotravel UNION ALL SELECT b FROM cotravel
        ) GROUP BY entity
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TABLE ent_sig AS
        WITH v AS (
            SELECT entity, sum(days - 1) AS repeat_visits,
                   count(*) FILTER (WHERE days >= 2) AS repeat_checkpoints
            FROM ent_visits GROUP BY entity
        ), r AS (
            SELECT entity, count(*) AS records, count(DISTINCT geo) AS countries,
                   count(DISTINCT year(dob)) AS birth_years,
                   min(event_date) AS first_date, max(event_date) AS last_date
            FROM rec GROUP BY entity
        ), t AS (
            SELECT entity, count(DISTINCT travel_key) AS trips FROM travel GROUP BY entity
        ), s AS (
            SELECT a.entity, count(DISTINCT a.kind || a.value) AS shared
            FROM attr a JOIN attr_stats st USING (kind, value)
            WHERE st.trips >= {MIN_ATTR_TRIPS} GROUP BY a.entity
        ), base AS (
            SELECT r.entity, r.records, r.countries, r.birth_years, r.first_date, r.last_date,
                   v.repeat_visits::BIGINT AS repeat_visits, v.repeat_checkpoints,
                   coalesce(p.partners, 0) AS partners, coalesce(t.trips, 0) AS trips,
                   coalesce(s.shared, 0) AS shared,
                   round(v.repeat_visits * 30.0
                         / greatest(1, date_diff('day', r.first_date, r.last_date)), 2)
                       AS turnover
            FROM r JOIN v USING (entity)
            LEFT JOIN ent_partners p USING (entity) LEFT JOIN t USING (entity)
            LEFT JOIN s USING (entity)
        )
        SELECT *, round({GUIDE_SCORE}, 2) AS guide_score FROM base
        """
    )
    con.execute("DROP TABLE ent_visits; DROP TABLE ent_partners")
