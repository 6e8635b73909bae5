"""Connector for CBP encounter files (CBP's own header or its snake_case copy)."""

from __future__ import annotations

import duckdb

from corridor.duck import scalar
from corridor.errors import InputError, Location
from corridor.sources.base import Source, SourceInfo, Staged
from corridor.sources.cbp_encounters import mapping
from corridor.sources.reading import CsvHeader, first_row
from corridor.sources.staging import (
    case_sql,
    check_counts,
    check_values,
    count_sql,
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
    )
    required = REQUIRED
    optional = OPTIONAL

    def stage(self, con: duckdb.DuckDBPyConnection, header: CsvHeader, raw: str) -> Staged:
        names = set(header.names)
        self._check_years(con, header, raw)
        check_values(con, raw, "month_abbv", mapping.MONTHS, header)
        check_values(con, raw, "component", mapping.COMPONENT, header)
        check_values(con, raw, "encounter_type", mapping.ENCOUNTER_TYPE, header)
        check_values(con, raw, "title_of_authority", mapping.AUTHORITY, header)
        check_values(con, raw, "demographic", mapping.DEMOGRAPHIC, header)
        if "land_border_region" in names:
            check_values(con, raw, "land_border_region", mapping.REGION, header)
        check_counts(con, raw, "encounter_count", header)
        countries = map_countries(con, raw, "citizenship", header)

        month = case_sql("month_abbv", {k: str(v) for k, v in mapping.MONTHS.items()})
        month_int = f"CAST({month} AS INTEGER)"
        period = (
            f"make_date(CAST(trim(fiscal_year) AS INTEGER) - "
            f"CASE WHEN {month_int} >= 10 THEN 1 ELSE 0 END, {month_int}, 1)"
        )
        area = (
            case_sql("land_border_region", mapping.REGION)
            if "land_border_region" in names
            else "''"
        )
        place = (
            "coalesce(trim(area_of_responsibility), '')"
            if "area_of_responsibility" in names
            else "''"
        )
        family = case_sql("demographic", {k: v[0] for k, v in mapping.DEMOGRAPHIC.items()})
        age = case_sql("demographic", {k: v[1] for k, v in mapping.DEMOGRAPHIC.items()})
        sql = f"""
            SELECT {period} AS period, 'M' AS freq, 'USA' AS geo,
                   {case_sql("component", mapping.COMPONENT)} AS agency,
                   {area} AS area, {place} AS place,
                   {case_sql("encounter_type", mapping.ENCOUNTER_TYPE)} AS event,
                   c.iso3 AS nat, '' AS sex, {age} AS age, {family} AS family,
                   {case_sql("title_of_authority", mapping.AUTHORITY)} AS authority,
                   '' AS partner, 'events' AS unit,
                   {count_sql("encounter_count")} AS n
            FROM {raw} r JOIN {countries} c ON r.citizenship IS NOT DISTINCT FROM c.raw
        """
        key = [
            "fiscal_year",
            "month_abbv",
            "component",
            "land_border_region",
            "area_of_responsibility",
            "demographic",
            "citizenship",
            "title_of_authority",
            "encounter_type",
        ]
        return Staged(sql=sql, raw_key=tuple(k for k in key if k in names))

    def _check_years(self, con: duckdb.DuckDBPyConnection, header: CsvHeader, raw: str) -> None:
        bad = scalar(
            con,
            f"SELECT count(*) FROM {raw} WHERE fiscal_year IS NULL "
            "OR NOT regexp_full_match(trim(fiscal_year), '(19|20)[0-9]{2}')",
        )
        if bad:
            found = first_row(header, lambda r: not _is_year(r.get("fiscal_year", "")))
            line, row = found if found else (None, {})
            raise InputError(
                "fiscal year is not a four-digit year",
                Location(
                    str(header.path),
                    line,
                    header.raw[header.index("fiscal_year")],
                    row.get("fiscal_year") if row else None,
                ),
            )


def _is_year(text: str) -> bool:
    t = text.strip()
    return len(t) == 4 and t.isdigit() and t[:2] in ("19", "20")
