"""UN M49 geographic regions of countries."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from corridor.countries._data import read_table
from corridor.countries.names import SENTINELS
from corridor.errors import Location, UnknownCountryError

__all__ = ["Region", "region_of"]


@dataclass(frozen=True)
class Region:
    """A country's place in the UN M49 standard.

    Attributes:
        iso3: The country's ISO3 code.
        m49: Its M49 numeric code (None for Kosovo and the sentinels).
        m49_region: Region, e.g. ``"Americas"`` ('' when none).
        m49_region_code: Its M49 code, e.g. 19.
        m49_subregion: Sub-region, e.g. ``"Latin America and the Caribbean"``.
        m49_subregion_code: Its M49 code, e.g. 419.
        m49_intermediate: Intermediate region, e.g. ``"Central America"``;
            '' where M49 defines none (all of Asia, most of Europe).
        m49_intermediate_code: Its M49 code, e.g. 13, or None.
    """

    iso3: str
    m49: int | None
    m49_region: str
    m49_region_code: int | None
    m49_subregion: str
    m49_subregion_code: int | None
    m49_intermediate: str
    m49_intermediate_code: int | None


def _int(text: str) -> int | None:
    return int(text) if text else None


@cache
def _regions() -> dict[str, Region]:
    return {
        row["iso3"]: Region(
            iso3=row["iso3"],
            m49=_int(row["m49"]),
            m49_region=row["region"],
            m49_region_code=_int(row["region_code"]),
            m49_subregion=row["subregion"],
            m49_subregion_code=_int(row["subregion_code"]),
            m49_intermediate=row["intregion"],
            m49_intermediate_code=_int(row["intregion_code"]),
        )
        for row in read_table("m49.csv")
    }


def region_of(iso3: str) -> Region:
    """Return the M49 region, sub-region and intermediate region of a country.

    Args:
        iso3: An ISO 3166-1 alpha-3 code, ``XKX`` or a sentinel.

    Returns:
        The country's :class:`Region`. Sentinels (``OTH``, ``STL``, ``UNK``)
        and Antarctica get a region with empty names and None codes.

    Raises:
        UnknownCountryError: ``iso3`` is not a known code.
    """
    found = _regions().get(iso3)
    if found is not None:
        return found
    if iso3 in SENTINELS:
        return Region(iso3, None, "", None, "", None, "", None)
    raise UnknownCountryError(reason="not a known ISO3 country code", where=Location(value=iso3))
