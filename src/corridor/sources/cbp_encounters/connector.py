"""Connector for CBP encounter files (CBP's own header or its snake_case copy)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import duckdb

from corridor.sources.base import Publication, Source, SourceInfo, Staged
from corridor.sources.cbp_encounters import mapping
from corridor.sources.reading import CsvHeader
from corridor.sources.staging import (
    check_cells,
    check_counts,
    check_values,
    count_sql,
    exact_case_sql,
    map_countries,
)

REQUIRED = frozenset(
    {
        "fiscal_year",
        "month_abbv",
        "component",
        "demographic",
        "citizenship",
        "title_of_authority",
        "encounter_type",
        "encounter_count",
    }
)
# The columns that identify one published count.
RAW_KEY = (
    "fiscal_year",
    "month_abbv",
    "component",
    "land_border_region",
    "area_of_responsibility",
    "demographic",
    "citizenship",
    "title_of_authority",
    "encounter_type",
)
OPTIONAL = frozenset({"month_grouping", "land_border_region", "area_of_responsibility", "aor_abbv"})


class CbpEncounters(Source):
    """US Customs and Border Protection encounters by month, AOR and citizenship."""

    info = SourceInfo(
        id="cbp.encounters",
        title="CBP Nationwide / Southwest Land Border Encounters",
        publisher="U.S. Customs and Border Protection",
        geo="USA",
        group="USA.cbp_encounters",
        dims=frozenset({"area", "place", "nat", "age", "family", "authority"}),
        priority=1,
        url="https://www.cbp.gov/newsroom/stats/nationwide-encounters",
        notes="Counts events, not people. Fiscal years are turned into calendar months.",
        agency="USBP, OFO",
        events=frozenset({"apprehension", "inadmissible", "expulsion"}),
        # The data page links one CSV per release, renamed every month
        # (e.g. nationwide-encounters-fy22-fy25-may-aor.csv).
        publication=Publication(
            page="https://www.cbp.gov/document/stats/nationwide-encounters",
            links=r"/nationwide-encounters-fy\d{2}-fy\d{2}[^/]*\.csv$",
        ),
    )
    required = REQUIRED
    optional = OPTIONAL
    unused = frozenset({"month_grouping", "aor_abbv"})

    def stage(self, con: duckdb.DuckDBPyConnection, header: CsvHeader, raw: str) -> Staged:
        names = set(header.names)
        self._check_years(con, header, raw)
        months = check_values(con, raw, "month_abbv", mapping.MONTHS, header)
        component = check_values(con, raw, "component", mapping.COMPONENT, header)
        event = check_values(con, raw, "encounter_type", mapping.ENCOUNTER_TYPE, header)
        authority = check_values(con, raw, "title_of_authority", mapping.AUTHORITY, header)
        demographic = check_values(con, raw, "demographic", mapping.DEMOGRAPHIC, header)
        region = (
            check_values(con, raw, "land_border_region", mapping.REGION, header)
            if "land_border_region" in names
            else None
        )
        check_counts(con, raw, "encounter_count", header)
        countries = map_countries(con, raw, "citizenship", header)

        # CASE arms list the exact labels present in this file (checked above),
        # so rows are mapped without folding case or spaces one by one.
        area = exact_case_sql("land_border_region", region) if region is not None else "''"
        places = (
            _distinct(con, raw, "area_of_responsibility")
            if "area_of_responsibility" in names
            else {""}
        )
        # Offices as published; trimmed (and blanks as '') only if some need it.
        if "area_of_responsibility" not in names:
            place = "''"
        elif all(p is not None and p == p.strip() for p in places):
            place = "area_of_responsibility"
        else:
            place = "coalesce(trim(area_of_responsibility), '')"

        family = exact_case_sql("demographic", {k: v[0] for k, v in demographic.items()})
        age = exact_case_sql("demographic", {k: v[1] for k, v in demographic.items()})
        sql = f"""
            SELECT make_date(fy - CASE WHEN m >= 10 THEN 1 ELSE 0 END, m, 1) AS period,
                   'M' AS freq, 'USA' AS geo, agency, area, place, event, nat, '' AS sex,
                   age, family, authority, '' AS partner, 'events' AS unit, n
            FROM (
                SELECT CAST(r.fiscal_year AS INTEGER) AS fy,
                       {exact_case_sql("month_abbv", months)} AS m,
                       {exact_case_sql("component", component)} AS agency,
                       {area} AS area, {place} AS place,
                       {exact_case_sql("encounter_type", event)} AS event,
                       c.iso3 AS nat, {age} AS age, {family} AS family,
                       {exact_case_sql("title_of_authority", authority)} AS authority,
                       {count_sql("encounter_count")} AS n
                FROM {raw} r JOIN {countries} c ON r.citizenship IS NOT DISTINCT FROM c.raw
            )
        """
        nat_codes = dict(con.execute(f"SELECT raw, iso3 FROM {countries}").fetchall())
        values = {
            "freq": {"M"}, "geo": {"USA"}, "agency": set(component.values()),
            "area": set(region.values()) if region is not None else {""},
            "place": {(p or "").strip() for p in places},
            "event": set(event.values()), "nat": set(nat_codes.values()), "sex": {""},
            "age": {v[1] for v in demographic.values()},
            "family": {v[0] for v in demographic.values()},
            "authority": set(authority.values()), "partner": {""}, "unit": {"events"},
        }  # fmt: skip
        # Several labels onto one canonical value (e.g. "UAC" and "UC / Single
        # Minors", or two spellings of one country) can make rows collide.
        may_merge = (
            _collides(component) or _collides(event) or _collides(authority)
            or _collides(demographic) or _collides(nat_codes)
            or (region is not None and _collides(region))
            or len(values["place"]) < len(places)
        )  # fmt: skip
        return Staged(
            sql=sql,
            raw_key=self.raw_key_for(header),
            values=values,
            may_merge=may_merge,
        )

    def raw_key_for(self, header: CsvHeader) -> tuple[str, ...]:
        return tuple(k for k in RAW_KEY if k in header.names)

    def _check_years(self, con: duckdb.DuckDBPyConnection, header: CsvHeader, raw: str) -> None:
        check_cells(
            con, raw, "fiscal_year", header,
            bad_sql="NOT regexp_full_match(trim(fiscal_year), '(19|20)[0-9]{2}')",
            is_bad=lambda text: not _is_year(text),
            reason="fiscal year is not a four-digit year",
        )  # fmt: skip


def _distinct(con: duckdb.DuckDBPyConnection, table: str, column: str) -> set[str]:
    return {r[0] for r in con.execute(f"SELECT DISTINCT {column} FROM {table}").fetchall()}


def _collides(present: Mapping[Any, Any]) -> bool:
    """Whether two present labels map to the same canonical value."""
    return len(set(present.values())) < len(present)


def _is_year(text: str) -> bool:
    t = text.strip()
    return len(t) == 4 and t.isdigit() and t[:2] in ("19", "20")
