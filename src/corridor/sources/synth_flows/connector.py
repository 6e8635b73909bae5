"""Connector for ``corridor synth``'s ``flows/synth_<code>.csv`` files.

The files are already in canonical form (one column per canonical column, plus
``synth_seed``, which no agency layout has, so a synthetic file is never taken
for an agency's). Each simulated agency is its own source in its own overlap
group ``SYNTH.<code>``: it never takes the place of an agency's publication in
a query, and the simulated figures are best kept in a store of their own.
"""

from __future__ import annotations

import duckdb

from corridor.canonical.schema import AGE, AREAS, AUTHORITY, EVENTS, FAMILY, SEX, UNITS
from corridor.sources.base import Source, SourceInfo, Staged
from corridor.sources.reading import CsvHeader
from corridor.sources.staging import (
    check_cells,
    check_counts,
    check_values,
    count_sql,
    map_countries,
)

COLUMNS = frozenset({"period", "geo", "agency", "area", "place", "event", "nat", "sex", "age",
                     "family", "authority", "partner", "unit", "n", "synth_seed"})  # fmt: skip
_MONTH_RE = r"[0-9]{4}-[0-9]{2}-01"

# code -> (title, geo, agency, events, dims)
_SOURCES: dict[str, tuple[str, str, str, tuple[str, ...], set[str]]] = {
    "pan": ("Simulated Darién reception (SNM)", "PAN", "SNM", ("irregular_transit",),
            {"area", "nat", "sex", "age"}),
    "cri": ("Simulated Costa Rica transit (DGME)", "CRI", "DGME-CR", ("irregular_transit",),
            {"nat", "sex", "age"}),
    "hnd": ("Simulated Honduras arrivals (INM)", "HND", "INM-HN", ("irregular_transit",),
            {"nat", "sex", "age"}),
    "gtm": ("Simulated Guatemala transit and returns (IGM)", "GTM", "IGM",
            ("irregular_transit", "return_received"), {"nat", "sex", "age", "partner"}),
    "mex": ("Simulated Mexico presentations and returns (UPM)", "MEX", "UPM",
            ("irregular_presence", "deportation", "assisted_return"), {"nat", "sex", "age"}),
    "usa": ("Simulated US southwest border encounters (CBP)", "USA", "USBP, OFO",
            ("apprehension", "expulsion", "inadmissible"),
            {"area", "nat", "sex", "age", "authority"}),
    "smo": ("Simulated Safe Mobility Office registrations", "", "SMO", ("smo_registration",),
            {"nat", "sex", "age"}),
}  # fmt: skip


class SynthFlows(Source):
    """One simulated agency's monthly aggregates."""

    required = COLUMNS

    def __init__(self, code: str) -> None:
        title, geo, agency, events, dims = _SOURCES[code]
        self.code = code
        self.file_hint = f"synth_{code}"
        self.info = SourceInfo(
            id=f"synth.{code}",
            title=title,
            publisher="corridor synth (simulated, not official figures)",
            geo=geo,
            group=f"SYNTH.{code}",
            dims=frozenset(dims),
            priority=1,
            notes="Simulated by `corridor synth`; keep in a store apart from real data.",
            agency=agency,
            events=frozenset(events),
        )

    def raw_key_for(self, header: CsvHeader) -> tuple[str, ...]:
        return tuple(c for c in header.names if c not in ("n", "synth_seed"))

    def stage(self, con: duckdb.DuckDBPyConnection, header: CsvHeader, raw: str) -> Staged:
        check_cells(
            con, raw, "period", header,
            bad_sql=f"NOT regexp_full_match(trim(period), '{_MONTH_RE}') "
            "OR try_cast(trim(period) AS DATE) IS NULL",
            is_bad=_not_month, reason="period is not the first day of a month (YYYY-MM-01)",
        )  # fmt: skip
        check_counts(con, raw, "n", header)
        _, geo, agency, events, _ = _SOURCES[self.code]
        agencies = {a.strip(): a.strip() for a in agency.split(",")}
        check_values(con, raw, "agency", {k.lower(): v for k, v in agencies.items()}, header)
        check_values(con, raw, "event", {e: e for e in events if e in EVENTS}, header)
        check_values(con, raw, "area", {a: a for a in AREAS}, header)
        check_values(con, raw, "sex", {s: s for s in SEX}, header)
        check_values(con, raw, "age", {a: a for a in AGE}, header)
        check_values(con, raw, "family", {f: f for f in FAMILY}, header)
        check_values(con, raw, "authority", {a.lower(): a for a in AUTHORITY}, header)
        check_values(con, raw, "unit", {u: u for u in UNITS}, header)
        nat = map_countries(con, raw, "nat", header)
        geo_t = map_countries(con, raw, "geo", header)
        partner = map_countries(con, raw, "partner", header, blank="")
        sql = f"""
            SELECT CAST(trim(r.period) AS DATE) AS period, 'M' AS freq, g.iso3 AS geo,
                   upper(trim(r.agency)) AS agency, coalesce(trim(r.area), '') AS area,
                   coalesce(trim(r.place), '') AS place, lower(trim(r.event)) AS event,
                   c.iso3 AS nat, upper(coalesce(trim(r.sex), '')) AS sex,
                   lower(coalesce(trim(r.age), '')) AS age,
                   lower(coalesce(trim(r.family), '')) AS family,
                   upper(coalesce(trim(r.authority), '')) AS authority, p.iso3 AS partner,
                   lower(trim(r.unit)) AS unit, {count_sql("r.n")} AS n
            FROM {raw} r
            JOIN {nat} c ON r.nat IS NOT DISTINCT FROM c.raw
            JOIN {geo_t} g ON r.geo IS NOT DISTINCT FROM g.raw
            JOIN {partner} p ON r.partner IS NOT DISTINCT FROM p.raw
        """
        del geo  # the geo column is checked through the resolver, SMO files span several
        return Staged(sql=sql, raw_key=self.raw_key_for(header))


def _not_month(text: str) -> bool:
    from datetime import date

    value = text.strip()
    if len(value) != 10 or not value.endswith("-01"):
        return True
    try:
        date.fromisoformat(value)
    except ValueError:
        return True
    return False


SYNTH_SOURCES: tuple[SynthFlows, ...] = tuple(SynthFlows(code) for code in _SOURCES)
