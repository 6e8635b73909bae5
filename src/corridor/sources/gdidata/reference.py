"""gdidata's country reference table (``countrynames.csv``), kept as published.

It holds no flows: its rows go to the store table ``country_reference`` so that
the M49/IOM regions IOM analysts use stay queryable beside the flows.
"""

from __future__ import annotations

import duckdb

from corridor.duck import scalar
from corridor.errors import InputError, Location
from corridor.sources.base import Source, SourceInfo, Staged
from corridor.sources.reading import CsvHeader, first_duplicate, first_row


class CountryNames(Source):
    """IOM GDI country reference: ISO2/3, M49, UN and IOM regions."""

    info = SourceInfo(
        id="gdidata.countrynames",
        title="Country reference table (ISO, M49, UN and IOM regions)",
        publisher="IOM Global Data Institute (gdidata)",
        geo="",
        group="reference.countries",
        dims=frozenset(),
        url="https://github.com/IOM-GDI/gdidata",
        notes="Reference data, not flows: kept in table country_reference.",
    )
    required = frozenset({"m49", "iso2", "iso3", "name", "region", "subregion"})
    optional = frozenset(
        {"name_sort", "name_text", "with_the", "region_code", "subregion_code",
         "intregion_code", "intregion", "iom_region", "rdh", "ldc", "lldc", "sids", "eu",
         "schengen", "balkans", "snapshot"}
    )  # fmt: skip
    reference_table = "country_reference"

    def stage(self, con: duckdb.DuckDBPyConnection, header: CsvHeader, raw: str) -> Staged:
        blank = scalar(con, f"SELECT count(*) FROM {raw} WHERE coalesce(trim(iso3), '') = ''")
        if blank:
            found = first_row(header, lambda r: not r.get("iso3", "").strip())
            raise InputError(
                "iso3 is blank", Location(str(header.path), found[0] if found else None, "iso3", "")
            )
        dups = scalar(
            con, f"SELECT count(*) FROM (SELECT iso3 FROM {raw} GROUP BY iso3 HAVING count(*) > 1)"
        )
        if dups:
            found2 = first_duplicate(header, ("iso3",))
            line = found2[1] if found2 else None
            value = found2[2].get("iso3") if found2 else None
            raise InputError("iso3 appears twice", Location(str(header.path), line, "iso3", value))
        return Staged(sql=f"SELECT * FROM {raw}", raw_key=())
